"""第五份对话语料（tests/mock_heldout5.txt）：又换五个模拟模型从没见过的领域——这一份是开发集。

写法和前四份一样是“盲写”的：这里的领域、Agent、指令、工具、文档字符串、参数名和每一句用户的话，都是在没有
打开模拟模型的代码和词库（shared/mock/）、也没有看它对照过的语料（mock_corpus.txt、mock_dialogues.txt、
mock_heldout.txt 到 mock_heldout4.txt；mock_heldout4.txt 只读了开头的格式说明）的情况下写的。视角是一位只读过
Agents SDK 文档的开发者：照着文档搭好自己的客服，换上模拟模型。每一轮的期望（`=` / `?` / `!` 行）都是在第一次
运行之前写好的，写的是“一个称职的模型（例如 gpt-4.1）在这一轮会做什么”，几种做法都说得过去时用 `|` 列出备选；
运行只用来核对语料能解析、工具能执行、编号和日期对得上，没有看模拟模型答得怎么样，也从没因为它答错而改期望。

**这一份是开发集（开发集，不是测量）**：负责人会照着它的失败去改通用规则，所以它的准确率以后不是诚实的
测量——改过几轮之后，这里的数字只说明“对着看过的失败调好了”。要看推广能力，看盲测的第三份
（test_mock_heldout3.py）和第四份（test_mock_heldout4.py），那两份不拿来调规则。

要练的和前几份一样：别人写的新领域 Agent，遇到中英文的普通说法，能不能选对工具、填对参数（编号、枚举、日期、
时间、数量）；回答工具结果时不带原始字段名；多轮里不点名的追问（它 / 那个 / the other one）能找到对的 Agent、
工具和编号；回答助手自己提的问题能接着把事办完；确认之后继续办，被纠正时换掉错的值；从列出的结果里挑
（“便宜的那个”“第二个”）；没有工具能做的事（退款、减免、充值、赔偿）不声称办了；要先核对、先告知费用、
先确认的事不抢着办。

五个领域（工具都是进程内的假数据，按参数返回 JSON；“今天”是 2026-10-20，星期二）：
- broadband：千帆宽带（杭州），故障报修 RepairDesk + 账单套餐 AccountDesk（互相 handoff），中文；
- laundry：洁云洗衣（苏州）在线客服 LaundryDesk（单 Agent），中文；
- dental：Harbour Street Dental 前台 DentalFrontDesk，费用和保险问题交给当作工具用的账务 Agent
  （`estimate_cost`，agents-as-tools），英文为主；
- carshare：ZipCity Car Share 会员支持 ShareDesk（单 Agent），英文为主；
- tutoring：启航教育 Qihang Learning Centre 课程顾问 CourseAdvisor（单 Agent），中英文混用。

语料格式、运行方式和逐轮检查都复用 test_mock_heldout.py（它又复用 test_mock_dialogues.py 的解析器）：
Agent 和工具调用符合 `=` 行的备选之一，`?` / `!` 行的文字，说到做到（声称办了的事，对应的有副作用的工具
必须运行过；没有工具能做的事永远不能说做了），同一个有副作用的调用不做两次，回答里没有原始字段名 / JSON，
参数里不塞整句话，日期参数是 YYYY-MM-DD，时间参数是 HH:MM。本文件只换上这五个领域的表（RULES）。

Agent 当工具用时（牙科），外层只看得见 `estimate_cost` 这一次调用，账务 Agent 内部查价目和保险的调用不计入。

报告（终端摘要）：各领域和总的轮次准确率、只看 Agent / 工具 / 参数的准确率，以及每一个失败的轮次
（期望 / 实际 / 回答）。至少 35 段对话、110 轮，中文对话不少于一半。

测量历史（2026-12-07）：写好后第一次运行 41/143 = 28.7%（只看 Agent、工具和参数 75/143 = 52.4%），和盲测的第三、四份
差不多；负责人照着它的失败改了一批通用规则（“KD 加 6 位数字”的编号、“19:00-21:00”这种时段选项、说什么时候方便的
分句不当故障描述、约的日期取问的那天、英文选项按中文意思选、“不收……”的指引、“The class id …”是编号……）之后
57/143 = 39.9%（89/143 = 62.2%）。门槛定在测得值下面一点（35%），防退步。

运行：`.venv/bin/python -m pytest -n 0 -q tests/test_mock_heldout5.py`
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from agents import Agent, function_tool
from agents.extensions.handoff_prompt import prompt_with_handoff_instructions

from tests.test_mock_dialogues import (
    DomainTeam,
)
from tests.test_mock_heldout import (
    HeldOut,
    TurnRules,
    _day,
    _hhmm,
    _json,
    _number,
    honesty_problem,
)
from tests.test_mock_heldout2 import _key

CORPUS = Path(__file__).with_name("mock_heldout5.txt")
MIN_ACCURACY = 0.35  # 开发集：第一次运行 28.7%，照它改过规则后 39.9%（见模块说明）
MIN_DIALOGUES = 35
MIN_TURNS = 110

TODAY = date(2026, 10, 20)  # 各领域指令里写明的“今天”（星期二），日期参数按它核对
TODAY_TEXT = f"{TODAY.isoformat()}（星期二）"
WEEKDAYS_ZH = "一二三四五六日"


def _phone(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def _masked(digits: str) -> str:
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else digits


# ================================================================ 领域一：宽带报修和账户（两个 Agent，中文）

PlanCode = Literal["B100", "B300", "B1000", "B1000W"]
RepairSlot = Literal["上午", "下午", "晚上"]
BB_PLANS = {  # 套餐代码 → 名字、速率、月租、包含的设备
    "B100": {"name": "百兆畅享", "speed": "100M", "monthly_cny": 59, "devices": "光猫 1 台"},
    "B300": {"name": "三百兆家庭", "speed": "300M", "monthly_cny": 99, "devices": "光猫 + Wi-Fi 6 路由器"},
    "B1000": {"name": "千兆极速", "speed": "1000M", "monthly_cny": 159, "devices": "光猫 + Wi-Fi 6 路由器"},
    "B1000W": {"name": "千兆全屋 Wi-Fi", "speed": "1000M", "monthly_cny": 199,
               "devices": "光猫 + 2 台 Wi-Fi 7 Mesh 路由器"},
}
BB_ACCOUNTS = {  # 宽带账号 → 户主、地址、套餐、状态、合约、余额、线路检测结果
    "KD513274": {"holder": "张*", "address": "杭州市西湖区文三路 478 号 3 幢 1202 室", "plan": "B300",
                 "status": "正常", "contract_until": "2027-03-31", "balance_cny": 42.0, "arrears_cny": 0,
                 "line": {"onu": "在线，但过去 24 小时掉线 17 次", "optical_power_dbm": -29.5, "fault": "line",
                          "result": "光信号过弱（正常应在 -8 到 -27 dBm 之间），入户光纤或分光箱有故障，需要上门维修，免费"}},
    "KD513390": {"holder": "李*", "address": "杭州市拱墅区莫干山路 1177 号 2 幢 503 室", "plan": "B1000",
                 "status": "正常", "contract_until": None, "balance_cny": 15.5, "arrears_cny": 0,
                 "line": {"onu": "在线，运行正常", "optical_power_dbm": -18.2, "fault": "home",
                          "result": "线路和光猫都正常，问题可能在家里的路由器、网线或电脑；可以先远程重置端口试试"}},
    "KD513455": {"holder": "王*", "address": "杭州市滨江区江南大道 3850 号 5 幢 1708 室", "plan": "B100",
                 "status": "欠费停机", "suspended_since": "2026-10-15", "contract_until": None, "balance_cny": 0,
                 "arrears_cny": 118.0,
                 "line": {"onu": "在线", "optical_power_dbm": -17.6, "fault": "arrears",
                          "result": "线路正常；账号欠费停机，缴清欠费后 30 分钟内自动恢复"}},
    "KD513718": {"holder": "赵*", "address": "杭州市上城区望江东路 66 号 9 幢 402 室", "plan": "B300",
                 "status": "正常", "contract_until": None, "balance_cny": 61.0, "arrears_cny": 0,
                 "line": {"onu": "在线，运行正常", "optical_power_dbm": -16.9, "fault": "home",
                          "result": "线路和光猫都正常，问题可能在家里的路由器、网线或电脑；可以先远程重置端口试试"}},
    "KD513602": {"holder": "陈*", "address": "杭州市余杭区良渚街道古墩路 1899 号 12 幢 601 室", "plan": "B1000W",
                 "status": "正常", "contract_until": "2027-08-31", "balance_cny": 203.0, "arrears_cny": 0,
                 "line": {"onu": "离线", "optical_power_dbm": None, "fault": "outage",
                          "result": "良渚街道光缆施工被挖断，片区约 400 户受影响，正在抢修，预计今天 18:00 前恢复，不用报修"}},
}
BB_BILLS = {  # (账号, 月份) → 明细
    ("KD513274", "2026-10"): [{"item": "三百兆家庭 月租", "amount_cny": 99},
                              {"item": "上门服务费（2026-10-12 工单 WX880352：家中路由器故障，非线路问题）",
                               "amount_cny": 60}],
    ("KD513274", "2026-09"): [{"item": "三百兆家庭 月租", "amount_cny": 99}],
    ("KD513455", "2026-09"): [{"item": "百兆畅享 月租", "amount_cny": 59}],
    ("KD513455", "2026-10"): [{"item": "百兆畅享 月租", "amount_cny": 59}],
    ("KD513390", "2026-10"): [{"item": "千兆极速 月租", "amount_cny": 159}],
    ("KD513602", "2026-10"): [{"item": "千兆全屋 Wi-Fi 月租", "amount_cny": 199}],
}
REPAIR_TICKETS = {  # 工单号 → 账号、日期、时段、状态、师傅、费用
    "WX880417": {"account_no": "KD513390", "visit_date": "2026-10-22", "time_slot": "下午",
                 "problem": "Wi-Fi 经常断线", "status": "已派单", "technician": "周师傅 138 5712 0466",
                 "fee_cny": 60},
    "WX880352": {"account_no": "KD513274", "visit_date": "2026-10-12", "time_slot": "上午",
                 "problem": "上不了网", "status": "已完成", "technician": "孙师傅",
                 "fee_cny": 60, "result": "更换了用户自购的路由器的电源适配器"},
}
SLOT_HOURS = {"上午": "09:00-12:00", "下午": "13:00-17:00", "晚上": "18:00-20:00"}
TECH_BUSY = {("2026-10-21", "上午"), ("2026-10-21", "下午"), ("2026-10-22", "上午"), ("2026-10-24", "上午"),
             ("2026-10-24", "下午")}
HOME_VISIT_FEE = 60
SUSPEND_FEE = 5


def _bb(account_no: str) -> tuple[str, dict[str, Any] | None]:
    key = _key("KD", account_no)
    return key, BB_ACCOUNTS.get(key)


def _tech_free(day: date) -> list[str]:
    return [s for s in SLOT_HOURS if (day.isoformat(), s) not in TECH_BUSY]


@function_tool
def line_check(account_no: str) -> str:
    """远程检测一个宽带账号的线路：光猫是否在线、光信号强度、有没有区域故障或欠费停机，以及结论。

    Args:
        account_no: 宽带账号，KD 加 6 位数字，例如 KD513274。
    """
    key, acct = _bb(account_no)
    if acct is None:
        return _json({"error": f"查不到宽带账号 {account_no}，请核对账单或光猫背面标签上的账号"})
    line = acct["line"]
    return _json({"account_no": key, "address": acct["address"], "service_status": acct["status"],
                  "onu": line["onu"], "optical_power_dbm": line["optical_power_dbm"],
                  "area_outage": line["fault"] == "outage", "conclusion": line["result"],
                  "home_visit_fee_cny": HOME_VISIT_FEE if line["fault"] == "home" else 0})


@function_tool
def remote_reset(account_no: str) -> str:
    """远程重置这个账号在机房的端口（网络会断开约 2 分钟）。用户同意之后才调用。

    Args:
        account_no: 宽带账号。
    """
    key, acct = _bb(account_no)
    if acct is None:
        return _json({"error": f"查不到宽带账号 {account_no}"})
    if acct["status"] != "正常":
        return _json({"error": f"账号状态是“{acct['status']}”，不能重置端口"})
    if acct["line"]["fault"] == "outage":
        return _json({"error": "片区光缆故障中，重置没有用，等抢修完成"})
    return _json({"reset": True, "account_no": key, "downtime": "约 2 分钟",
                  "next": "等光猫上的 PON 灯常亮、LOS 灯不亮后，重启一下家里的路由器再试"})


@function_tool
def repair_slots(visit_date: str) -> str:
    """某一天还能约的上门维修时段（上午 9:00-12:00、下午 13:00-17:00、晚上 18:00-20:00）。

    Args:
        visit_date: 上门日期，YYYY-MM-DD，最早明天，7 天之内。
    """
    day = _day(visit_date)
    if day is None or not TODAY < day <= TODAY + timedelta(days=7):
        return _json({"error": f"日期要写成 YYYY-MM-DD，在 {TODAY + timedelta(days=1)} 到 "
                               f"{TODAY + timedelta(days=7)} 之间"})
    free = _tech_free(day)
    return _json({"visit_date": day.isoformat(), "weekday": f"星期{WEEKDAYS_ZH[day.weekday()]}",
                  "free_slots": [{"time_slot": s, "hours": SLOT_HOURS[s]} for s in free],
                  "full": [s for s in SLOT_HOURS if s not in free]})


@function_tool
def book_repair(account_no: str, visit_date: str, time_slot: RepairSlot, problem: str) -> str:
    """预约师傅上门维修，返回工单号。线路正常、问题在用户家里设备的，上门收 60 元服务费（要先告诉用户、用户同意）。

    Args:
        account_no: 宽带账号。
        visit_date: 上门日期，YYYY-MM-DD。
        time_slot: 上午、下午或晚上。
        problem: 故障现象，一句话。
    """
    key, acct = _bb(account_no)
    day = _day(visit_date)
    if acct is None:
        return _json({"error": f"查不到宽带账号 {account_no}"})
    if acct["status"] != "正常":
        return _json({"error": f"账号状态是“{acct['status']}”，先缴清欠费，复机后还有问题再报修"})
    if acct["line"]["fault"] == "outage":
        return _json({"error": "片区光缆故障正在抢修，不用单独报修"})
    if day is None or not TODAY < day <= TODAY + timedelta(days=7) or time_slot not in _tech_free(day):
        free = _tech_free(day) if day and TODAY < day <= TODAY + timedelta(days=7) else []
        return _json({"error": f"{visit_date} {time_slot} 约不了，那天可约：{'、'.join(free) or '无'}"})
    fee = 0 if acct["line"]["fault"] == "line" else HOME_VISIT_FEE
    return _json({"booked": True, "ticket_no": f"WX{_number(key + visit_date + time_slot, 880500, 90000)}",
                  "account_no": key, "visit_date": day.isoformat(), "time_slot": time_slot,
                  "hours": SLOT_HOURS[time_slot], "address": acct["address"], "fee_cny": fee,
                  "note": "师傅出发前 30 分钟电话联系；费用在下月账单里收取" if fee else "师傅出发前 30 分钟电话联系"})


@function_tool
def repair_ticket(ticket_no: str) -> str:
    """查一张上门维修工单：日期、时段、师傅、状态、费用。

    Args:
        ticket_no: 工单号，WX 加 6 位数字，例如 WX880417。
    """
    key = _key("WX", ticket_no)
    ticket = REPAIR_TICKETS.get(key)
    if ticket is None:
        return _json({"error": f"查不到工单 {ticket_no}"})
    return _json({"ticket_no": key, **ticket, "hours": SLOT_HOURS[ticket["time_slot"]]})


@function_tool
def cancel_repair(ticket_no: str) -> str:
    """取消一张还没上门的维修工单，不收费。用户确认之后才调用。

    Args:
        ticket_no: 工单号。
    """
    key = _key("WX", ticket_no)
    ticket = REPAIR_TICKETS.get(key)
    if ticket is None:
        return _json({"error": f"查不到工单 {ticket_no}"})
    if ticket["status"] == "已完成":
        return _json({"error": "这张工单已经完成，不能取消"})
    return _json({"cancelled": True, "ticket_no": key, "visit_date": ticket["visit_date"],
                  "time_slot": ticket["time_slot"], "fee_cny": 0})


@function_tool
def account_summary(account_no: str) -> str:
    """宽带账户概况：户主、地址、当前套餐和月租、状态、合约到期日、余额、欠费、下次出账日。

    Args:
        account_no: 宽带账号，KD 加 6 位数字。
    """
    key, acct = _bb(account_no)
    if acct is None:
        return _json({"error": f"查不到宽带账号 {account_no}"})
    plan = BB_PLANS[acct["plan"]]
    return _json({"account_no": key, "holder": acct["holder"], "address": acct["address"],
                  "plan": f"{plan['name']}（{acct['plan']}，{plan['speed']}）", "monthly_cny": plan["monthly_cny"],
                  "status": acct["status"], **({"suspended_since": acct["suspended_since"]}
                                                if "suspended_since" in acct else {}),
                  "contract_until": acct["contract_until"] or "无合约", "balance_cny": acct["balance_cny"],
                  "arrears_cny": acct["arrears_cny"], "next_bill_date": "2026-11-01"})


@function_tool
def list_plans() -> str:
    """千帆宽带现在可以办理的套餐：代码、名字、速率、月租、包含的设备。"""
    return _json({"plans": [{"plan_code": code, **plan} for code, plan in BB_PLANS.items()],
                  "note": "升级立即生效，当月按天补差价；降级下月 1 日生效，合约期内不能降级"})


@function_tool
def bill_detail(account_no: str, month: str) -> str:
    """某个月的账单明细。

    Args:
        account_no: 宽带账号。
        month: 月份，YYYY-MM，例如 2026-10。
    """
    key, acct = _bb(account_no)
    if acct is None:
        return _json({"error": f"查不到宽带账号 {account_no}"})
    items = BB_BILLS.get((key, month.strip()))
    if items is None:
        return _json({"error": f"没有 {month} 的账单（月份写成 YYYY-MM，可以查 2026-09 和 2026-10）"})
    return _json({"account_no": key, "month": month.strip(), "items": items,
                  "total_cny": sum(i["amount_cny"] for i in items),
                  "paid": acct["status"] == "正常"})


@function_tool
def change_plan(account_no: str, plan_code: PlanCode, effective: Literal["立即生效", "下月生效"]) -> str:
    """更换宽带套餐。升级可以立即生效或下月生效；降级只能下月生效，合约期内不能降级。用户确认之后才调用。

    Args:
        account_no: 宽带账号。
        plan_code: 新套餐代码：B100、B300、B1000、B1000W。
        effective: 立即生效或下月生效（下月 1 日）。
    """
    key, acct = _bb(account_no)
    if acct is None:
        return _json({"error": f"查不到宽带账号 {account_no}"})
    if acct["arrears_cny"]:
        return _json({"error": f"账号欠费 {acct['arrears_cny']} 元，缴清后才能改套餐"})
    old, new = BB_PLANS[acct["plan"]], BB_PLANS[plan_code]
    if plan_code == acct["plan"]:
        return _json({"error": "已经是这个套餐了"})
    downgrade = new["monthly_cny"] < old["monthly_cny"]
    if downgrade and acct["contract_until"]:
        return _json({"error": f"合约期到 {acct['contract_until']}，合约期内不能降级"})
    if downgrade and effective == "立即生效":
        return _json({"error": "降级只能下月生效"})
    return _json({"changed": True, "account_no": key, "old_plan": old["name"], "new_plan": new["name"],
                  "monthly_cny": new["monthly_cny"],
                  "effective_on": TODAY.isoformat() if effective == "立即生效" else "2026-11-01",
                  **({"prorated_cny": round((new["monthly_cny"] - old["monthly_cny"]) * 12 / 31, 2)}
                     if effective == "立即生效" else {})})


@function_tool
def suspend_service(account_no: str, start_date: str, months: int) -> str:
    """办理停机保号：每月 5 元，1 到 6 个月，停机期间不能上网，合约期顺延。用户确认之后才调用。

    Args:
        account_no: 宽带账号。
        start_date: 开始日期，YYYY-MM-DD，最早明天。
        months: 停几个月，1-6。
    """
    key, acct = _bb(account_no)
    day = _day(start_date)
    if acct is None:
        return _json({"error": f"查不到宽带账号 {account_no}"})
    if acct["arrears_cny"]:
        return _json({"error": "欠费账号不能办理停机保号，先缴清欠费"})
    if day is None or day <= TODAY or not 1 <= months <= 6:
        return _json({"error": "开始日期要写成 YYYY-MM-DD（最早明天），月数 1-6"})
    month = day.month - 1 + months
    resume = date(day.year + month // 12, month % 12 + 1, min(day.day, 28))
    return _json({"suspended": True, "account_no": key, "start_date": day.isoformat(), "months": months,
                  "resume_on": resume.isoformat(), "fee_cny": months * SUSPEND_FEE,
                  **({"contract_until_now": "顺延 " + str(months) + " 个月"} if acct["contract_until"] else {})})


# ================================================================ 领域二：洗衣（单 Agent，中文）

LaundryCategory = Literal["衣物", "鞋靴", "家纺", "皮具"]
PickupSlot = Literal["09:00-12:00", "14:00-18:00", "19:00-21:00"]
LAUNDRY_PRICES = {  # 类别 → 单价表、几天洗好
    "衣物": {"days": 3, "items": {"衬衫": "12 元/件", "T 恤": "10 元/件", "西装（上衣 + 裤子）": "45 元/套",
                                "连衣裙": "30 元/件", "毛衣": "25 元/件", "羊毛大衣": "58 元/件",
                                "羽绒服（短款）": "45 元/件", "羽绒服（长款）": "65 元/件"}},
    "鞋靴": {"days": 5, "items": {"运动鞋": "35 元/双", "皮鞋": "45 元/双", "雪地靴": "55 元/双"}},
    "家纺": {"days": 4, "items": {"床单 / 被套": "25 元/件", "羽绒被（单人）": "120 元/条",
                                "羽绒被（双人）": "150 元/条", "窗帘": "20 元/平方米"}},
    "皮具": {"days": 10, "items": {"皮包清洁护理": "198 元起/个", "皮衣清洁上油": "280 元/件"}},
}
FREE_PICKUP_FROM = 59
PICKUP_FEE = 10
EXPRESS_FEE = 30
LAUNDRY_ORDERS = {  # 订单号 → 手机、衣物、金额、状态、洗好日期、送回安排
    "JY2610184": {"phone": "13857120934", "items": "羊毛大衣 1 件、衬衫 3 件", "category": "衣物",
                  "amount_cny": 94, "status": "清洗中", "picked_up": "2026-10-19", "ready_on": "2026-10-22",
                  "delivery": "2026-10-23 19:00-21:00", "express": False,
                  "address": "苏州市工业园区星湖街 328 号 8 幢 1101 室"},
    "JY2610207": {"phone": "13857120934", "items": "羽绒服（长款）2 件", "category": "衣物",
                  "amount_cny": 130, "status": "已洗好，等待送回", "picked_up": "2026-10-16",
                  "ready_on": "2026-10-19", "delivery": "2026-10-21 14:00-18:00", "express": False,
                  "address": "苏州市工业园区星湖街 328 号 8 幢 1101 室"},
    "JY2610133": {"phone": "18968015527", "items": "运动鞋 2 双", "category": "鞋靴", "amount_cny": 70,
                  "status": "已签收", "picked_up": "2026-10-11", "ready_on": "2026-10-16",
                  "delivery": "2026-10-18 09:00-12:00 已送达", "express": False,
                  "address": "苏州市姑苏区十全街 116 号 302 室"},
    "JY2610215": {"phone": "18968015527", "items": "羽绒被（双人）1 条", "category": "家纺", "amount_cny": 150,
                  "status": "已收件，排队清洗", "picked_up": "2026-10-19", "ready_on": "2026-10-23",
                  "delivery": "2026-10-24 09:00-12:00", "express": False,
                  "address": "苏州市姑苏区十全街 116 号 302 室"},
}
LAUNDRY_MEMBERS = {  # 手机 → 会员等级、余额
    "13857120934": {"level": "金卡", "discount": "9 折", "balance_cny": 236.5},
    "18968015527": {"level": "普通会员", "discount": "无", "balance_cny": 0.0},
}
PICKUPS: dict[str, dict[str, Any]] = {}  # 对话里刚约的取件单（同样的参数得到同样的单号）
EXPRESSED: set[str] = set()  # 对话里刚加急的订单：明天就洗好，送回可以改到明天


def _laundry_order(order_no: str) -> tuple[str, dict[str, Any] | None]:
    key = _key("JY", order_no)
    return key, LAUNDRY_ORDERS.get(key)


@function_tool
def price_list(category: LaundryCategory) -> str:
    """一类物品的洗护价格和几天能洗好（从取件那天算）。

    Args:
        category: 衣物、鞋靴、家纺或皮具。
    """
    info = LAUNDRY_PRICES[category]
    return _json({"category": category, "prices": info["items"], "ready_in_days": info["days"],
                  "pickup": f"单笔满 {FREE_PICKUP_FROM} 元免费上门取送，不满收 {PICKUP_FEE} 元",
                  "gold_member": "金卡 9 折"})


@function_tool
def schedule_pickup(phone: str, address: str, pickup_date: str, time_slot: PickupSlot) -> str:
    """预约上门取件，返回取件单号；师傅到了当面清点、拍照，再生成洗衣订单。

    Args:
        phone: 用户手机号，11 位。
        address: 取件地址（区、街道、小区、楼号门牌）。
        pickup_date: 取件日期，YYYY-MM-DD，最早明天，7 天之内。
        time_slot: 09:00-12:00、14:00-18:00 或 19:00-21:00。
    """
    digits, day = _phone(phone), _day(pickup_date)
    if len(digits) != 11:
        return _json({"error": "手机号要 11 位"})
    if day is None or not TODAY < day <= TODAY + timedelta(days=7):
        return _json({"error": f"取件日期要写成 YYYY-MM-DD，在 {TODAY + timedelta(days=1)} 到 "
                               f"{TODAY + timedelta(days=7)} 之间"})
    pickup_no = f"QJ{_number(digits + pickup_date + time_slot, 400000, 500000)}"
    PICKUPS[pickup_no] = {"phone": digits, "address": address.strip(), "pickup_date": day.isoformat(),
                          "time_slot": time_slot}
    return _json({"pickup_no": pickup_no, "pickup_date": day.isoformat(), "time_slot": time_slot,
                  "address": address.strip(), "phone": _masked(digits),
                  "fee": f"满 {FREE_PICKUP_FROM} 元免取送费，不满收 {PICKUP_FEE} 元，师傅清点后确定",
                  "note": "师傅上门前 30 分钟电话联系"})


@function_tool
def order_status(order_no: str) -> str:
    """查一张洗衣订单：衣物、金额、进度、哪天洗好、什么时候送回。

    Args:
        order_no: 订单号，JY 加 7 位数字，例如 JY2610184。
    """
    key, order = _laundry_order(order_no)
    if order is None:
        return _json({"error": f"查不到订单 {order_no}，订单号在取件短信里"})
    return _json({"order_no": key, **{k: v for k, v in order.items() if k != "phone"}})


@function_tool
def my_orders(phone: str) -> str:
    """一个手机号名下最近的洗衣订单。

    Args:
        phone: 下单时留的手机号。
    """
    digits = _phone(phone)
    rows = [{"order_no": no, "items": o["items"], "status": o["status"], "delivery": o["delivery"]}
            for no, o in LAUNDRY_ORDERS.items() if o["phone"] == digits]
    rows += [{"pickup_no": no, "status": "待上门取件", "pickup": f"{p['pickup_date']} {p['time_slot']}"}
             for no, p in PICKUPS.items() if p["phone"] == digits]
    return _json({"phone": _masked(digits), "orders": rows})


@function_tool
def add_express(order_no: str) -> str:
    """给衣物订单加急：24 小时内洗好，每单加 30 元。用户同意费用之后才调用。

    Args:
        order_no: 订单号。
    """
    key, order = _laundry_order(order_no)
    if order is None:
        return _json({"error": f"查不到订单 {order_no}"})
    if order["category"] != "衣物":
        return _json({"error": "加急只限衣物，鞋靴、家纺、皮具不能加急"})
    if order["express"] or key in EXPRESSED or not order["status"].startswith(("已收件", "清洗中")):
        return _json({"error": f"订单现在是“{order['status']}”，不能加急"})
    EXPRESSED.add(key)
    return _json({"express": True, "order_no": key, "fee_cny": EXPRESS_FEE,
                  "new_total_cny": order["amount_cny"] + EXPRESS_FEE, "ready_by": "2026-10-21 18:00 前",
                  "delivery": "可以改到 2026-10-21 19:00-21:00 或之后送回"})


@function_tool
def change_delivery(order_no: str, delivery_date: str, time_slot: PickupSlot) -> str:
    """改洗好衣物的送回日期和时段（免费）；日期不能早于洗好的那天。

    Args:
        order_no: 订单号。
        delivery_date: 送回日期，YYYY-MM-DD。
        time_slot: 09:00-12:00、14:00-18:00 或 19:00-21:00。
    """
    key, order = _laundry_order(order_no)
    day = _day(delivery_date)
    if order is None:
        return _json({"error": f"查不到订单 {order_no}"})
    if order["status"] == "已签收":
        return _json({"error": "订单已经签收了"})
    ready = TODAY + timedelta(days=1) if key in EXPRESSED else date.fromisoformat(order["ready_on"])
    if day is None or day <= TODAY or day < ready or day > TODAY + timedelta(days=14):
        return _json({"error": f"送回日期要写成 YYYY-MM-DD，不早于洗好那天 {max(ready, TODAY + timedelta(days=1))}，"
                               "14 天之内"})
    return _json({"changed": True, "order_no": key, "old": order["delivery"],
                  "delivery": f"{day.isoformat()} {time_slot}", "address": order["address"], "fee": "免费"})


@function_tool
def card_balance(phone: str) -> str:
    """会员卡等级、折扣和余额。

    Args:
        phone: 会员手机号。
    """
    digits = _phone(phone)
    member = LAUNDRY_MEMBERS.get(digits)
    if member is None:
        return _json({"error": f"{_masked(digits)} 还不是会员，第一次下单自动成为会员"})
    return _json({"phone": _masked(digits), **member, "top_up": "只能在「洁云洗衣」小程序里充值，充 500 送 60"})


# ================================================================ 领域三：牙科诊所（Agent 当工具用，英文为主）

VisitKind = Literal["check-up and clean", "filling", "whitening", "emergency exam"]
Treatment = Literal["check-up and clean", "filling", "whitening", "emergency exam", "x-rays", "crown"]
DENTAL_PATIENTS = {  # 5 位病历号 → 姓名、生日、电话、上次检查、保险
    "40218": {"name": "Daniel Ortiz", "date_of_birth": "1988-05-14", "phone": "(604) 555-2381",
              "last_checkup": "2026-04-02", "insurance": "Pacific Blue Cross"},
    "40377": {"name": "Mei Chen 陈美", "date_of_birth": "1993-11-02", "phone": "(604) 555-7710",
              "last_checkup": "2025-09-30", "insurance": None},
    "40511": {"name": "Aisha Rahman", "date_of_birth": "1979-02-21", "phone": "(604) 555-0926",
              "last_checkup": "2026-07-15", "insurance": "Sun Life"},
}
DENTAL_FEES = {  # 项目 → (价格, 保险类别)
    "check-up and clean": (120, "preventive"), "x-rays": (110, "preventive"), "filling": (180, "basic"),
    "emergency exam": (95, "basic"), "crown": (1200, "major"), "whitening": (450, "cosmetic"),
}
INSURANCE_PLANS = {  # 保险 → 各类别报销比例、年度上限、今年已用
    "Pacific Blue Cross": {"preventive": 100, "basic": 80, "major": 50, "cosmetic": 0, "annual_max": 1500,
                           "used_this_year": 1120},
    "Sun Life": {"preventive": 90, "basic": 70, "major": 50, "cosmetic": 0, "annual_max": 1000,
                 "used_this_year": 150},
}
WEEKDAY_TIMES = ["08:30", "10:00", "11:30", "14:00", "15:30"]
SATURDAY_DENTAL = ["09:00", "10:30", "12:00"]
EMERGENCY_TIMES = ["08:00", "13:00"]
DENTAL_TAKEN = {("2026-10-20", "08:00"), ("2026-10-21", "08:30"), ("2026-10-21", "10:00"),
                ("2026-10-22", "14:00"), ("2026-10-23", "08:00"), ("2026-10-24", "09:00"),
                ("2026-10-24", "10:30"), ("2026-10-27", "14:00"), ("2026-10-29", "14:00")}
DENTAL_VISITS = {  # 预约号 → 病历号、项目、日期、时间、医生
    "DS-7712": {"patient_no": "40218", "visit_kind": "check-up and clean", "day": "2026-10-21", "time": "10:00",
                "with": "hygienist Sarah Kim"},
    "DS-7730": {"patient_no": "40377", "visit_kind": "filling", "day": "2026-10-27", "time": "14:00",
                "with": "Dr. Huang"},
    "DS-7745": {"patient_no": "40511", "visit_kind": "whitening", "day": "2026-10-29", "time": "14:00",
                "with": "Dr. Patel"},
}
LATE_CHANGE_FEE = 40


def _patient(patient_no: str) -> tuple[str, dict[str, Any] | None]:
    key = re.sub(r"\D", "", patient_no)
    return key, DENTAL_PATIENTS.get(key)


def _dental_free(day: date, visit_kind: str) -> list[str]:
    if day.weekday() == 6 or day < TODAY:
        return []
    if visit_kind == "emergency exam":
        times = EMERGENCY_TIMES if day.weekday() < 5 else []
    elif day == TODAY:
        times = []
    elif visit_kind == "whitening":
        times = ["14:00"] if day.weekday() in (1, 3) else []
    elif day.weekday() == 5:
        times = SATURDAY_DENTAL if visit_kind == "check-up and clean" else []
    else:
        times = WEEKDAY_TIMES
    return [t for t in times if (day.isoformat(), t) not in DENTAL_TAKEN]


def _late(visit: dict[str, Any]) -> bool:
    return date.fromisoformat(visit["day"]) <= TODAY + timedelta(days=1)


@function_tool
def patient_file(patient_no: str) -> str:
    """A patient's file: name, date of birth, phone, last check-up, insurance and upcoming visits.

    Args:
        patient_no: The 5-digit patient number, e.g. 40218.
    """
    key, patient = _patient(patient_no)
    if patient is None:
        return _json({"error": f"no patient with number {patient_no}"})
    upcoming = [{"booking_ref": ref, **{k: v for k, v in v.items() if k != "patient_no"}}
                for ref, v in DENTAL_VISITS.items() if v["patient_no"] == key]
    due = date.fromisoformat(patient["last_checkup"]) + timedelta(days=182)
    return _json({"patient_no": key, **patient, "insurance": patient["insurance"] or "none (self-pay)",
                  "next_checkup_due": due.isoformat(), "upcoming": upcoming})


@function_tool
def open_slots(day: str, visit_kind: VisitKind) -> str:
    """Free appointment times on one day for a kind of visit.

    Args:
        day: YYYY-MM-DD (today is possible for emergency exams only).
        visit_kind: check-up and clean, filling, whitening (Tue/Thu 14:00 only) or emergency exam.
    """
    when = _day(day)
    if when is None or when < TODAY or when > TODAY + timedelta(days=60):
        return _json({"error": "day must be YYYY-MM-DD, within the next 60 days"})
    if when.weekday() == 6:
        return _json({"day": when.isoformat(), "open": False, "note": "closed on Sundays"})
    free = _dental_free(when, visit_kind)
    return _json({"day": when.isoformat(), "weekday": when.strftime("%A"), "visit_kind": visit_kind,
                  "free_times": free, **({} if free else {"note": "nothing free for this kind of visit that day"})})


@function_tool
def book_visit(patient_no: str, day: str, time: str, visit_kind: VisitKind) -> str:
    """Book a visit at a free time from open_slots; returns the booking reference.

    Args:
        patient_no: The 5-digit patient number.
        day: YYYY-MM-DD.
        time: HH:MM, one of the free times.
        visit_kind: check-up and clean, filling, whitening or emergency exam.
    """
    key, patient = _patient(patient_no)
    when, at = _day(day), _hhmm(time)
    if patient is None:
        return _json({"error": f"no patient with number {patient_no}"})
    if when is None or at not in _dental_free(when, visit_kind):
        free = _dental_free(when, visit_kind) if when else []
        return _json({"error": f"{day} {time} is not free for {visit_kind}; free: {', '.join(free) or 'none'}"})
    ref = f"DS-{_number(key + day + at + visit_kind, 7800, 2000)}"
    return _json({"booked": True, "booking_ref": ref, "patient": patient["name"], "visit_kind": visit_kind,
                  "day": when.isoformat(), "time": at, "address": "220 Harbour Street, 2nd floor",
                  "note": "please arrive 10 minutes early; a reminder text goes out the day before"})


@function_tool
def find_visit(booking_ref: str) -> str:
    """Look up a booked visit: patient, kind of visit, day, time, with whom, and whether a late-change fee applies.

    Args:
        booking_ref: Booking reference, e.g. DS-7712.
    """
    key = _key("DS-", booking_ref)
    visit = DENTAL_VISITS.get(key)
    if visit is None:
        return _json({"error": f"no visit {booking_ref}"})
    return _json({"booking_ref": key, "patient": DENTAL_PATIENTS[visit["patient_no"]]["name"], **visit,
                  "change_or_cancel_fee_usd": LATE_CHANGE_FEE if _late(visit) else 0,
                  "free_changes_until": (date.fromisoformat(visit["day"]) - timedelta(days=2)).isoformat()})


@function_tool
def move_visit(booking_ref: str, new_day: str, new_time: str) -> str:
    """Move a booked visit to another free time of the same kind. $40 late-change fee if the visit is tomorrow or
    today (only after the patient agreed to it).

    Args:
        booking_ref: Booking reference.
        new_day: YYYY-MM-DD.
        new_time: HH:MM.
    """
    key = _key("DS-", booking_ref)
    visit = DENTAL_VISITS.get(key)
    when, at = _day(new_day), _hhmm(new_time)
    if visit is None:
        return _json({"error": f"no visit {booking_ref}"})
    if when is None or at not in _dental_free(when, visit["visit_kind"]):
        free = _dental_free(when, visit["visit_kind"]) if when else []
        return _json({"error": f"{new_day} {new_time} is not free for {visit['visit_kind']}; "
                               f"free that day: {', '.join(free) or 'none'}"})
    return _json({"moved": True, "booking_ref": key, "old": f"{visit['day']} {visit['time']}",
                  "new_day": when.isoformat(), "new_time": at, "fee_usd": LATE_CHANGE_FEE if _late(visit) else 0})


@function_tool
def cancel_visit(booking_ref: str) -> str:
    """Cancel a booked visit ($40 if it is tomorrow or today). Only after the patient confirmed.

    Args:
        booking_ref: Booking reference.
    """
    key = _key("DS-", booking_ref)
    visit = DENTAL_VISITS.get(key)
    if visit is None:
        return _json({"error": f"no visit {booking_ref}"})
    return _json({"cancelled": True, "booking_ref": key, "day": visit["day"], "time": visit["time"],
                  "fee_usd": LATE_CHANGE_FEE if _late(visit) else 0})


@function_tool
def fee_schedule() -> str:
    """The clinic's fees for common treatments and which insurance category each belongs to."""
    return _json({"fees_usd": {t: {"fee": fee, "category": cat} for t, (fee, cat) in DENTAL_FEES.items()},
                  "notes": "filling price is per tooth (one surface); crown includes the temporary crown"})


@function_tool
def coverage_for(patient_no: str, treatment: Treatment) -> str:
    """What a patient's insurance pays for one treatment and what the patient pays, from their plan's percentages
    and the annual maximum left.

    Args:
        patient_no: The 5-digit patient number.
        treatment: The treatment.
    """
    key, patient = _patient(patient_no)
    if patient is None:
        return _json({"error": f"no patient with number {patient_no}"})
    fee, category = DENTAL_FEES[treatment]
    plan = INSURANCE_PLANS.get(patient["insurance"] or "")
    if plan is None:
        return _json({"patient_no": key, "treatment": treatment, "fee_usd": fee, "insurance": "none",
                      "insurance_pays_usd": 0, "patient_pays_usd": fee})
    left = plan["annual_max"] - plan["used_this_year"]
    pays = min(round(fee * plan[category] / 100, 2), left)
    return _json({"patient_no": key, "treatment": treatment, "fee_usd": fee, "insurance": patient["insurance"],
                  "category": category, "covered_percent": plan[category], "annual_max_left_usd": left,
                  "insurance_pays_usd": pays, "patient_pays_usd": round(fee - pays, 2),
                  "resets_on": "2027-01-01"})


# ================================================================ 领域四：共享汽车（单 Agent，英文为主）

Hub = Literal["Central Station", "Riverside Mall", "University Gate", "Airport P3"]
VehicleType = Literal["compact", "EV", "SUV", "van"]
HOURLY = {"compact": 9, "EV": 10, "SUV": 13, "van": 16}
DAY_CAP_HOURS = 7
KM_INCLUDED = 150
PER_KM = 0.30
LATE_RETURN_FEE = 25
CARS = {  # 车号 → 站点、车型、类型、车牌、电量 / 油量
    "ZC-204": {"hub": "Central Station", "model": "Toyota Yaris", "type": "compact", "plate": "KX4 21B",
               "fuel": "3/4 tank"},
    "ZC-311": {"hub": "Central Station", "model": "Tesla Model 3", "type": "EV", "plate": "EV7 118",
               "fuel": "82% charge (about 390 km)"},
    "ZC-415": {"hub": "Central Station", "model": "Toyota RAV4", "type": "SUV", "plate": "PR2 66L",
               "fuel": "full tank"},
    "ZC-117": {"hub": "Central Station", "model": "Kia Rio", "type": "compact", "plate": "KM9 03T",
               "fuel": "on a trip"},
    "ZC-208": {"hub": "Riverside Mall", "model": "Honda Fit", "type": "compact", "plate": "JD5 40A",
               "fuel": "1/2 tank"},
    "ZC-509": {"hub": "Riverside Mall", "model": "Ford Transit", "type": "van", "plate": "VN3 77C",
               "fuel": "full tank"},
    "ZC-318": {"hub": "University Gate", "model": "Nissan Leaf", "type": "EV", "plate": "EV2 905",
               "fuel": "64% charge (about 170 km)"},
    "ZC-210": {"hub": "University Gate", "model": "Mazda 3", "type": "compact", "plate": "LT8 12M",
               "fuel": "full tank"},
    "ZC-420": {"hub": "Airport P3", "model": "Subaru Forester", "type": "SUV", "plate": "AW6 31R",
               "fuel": "full tank"},
    "ZC-322": {"hub": "Airport P3", "model": "Hyundai Ioniq 5", "type": "EV", "plate": "EV9 402",
               "fuel": "91% charge (about 400 km)"},
}
MEMBERS = {  # 会员号 → 姓名、年龄、驾照、状态、当前行程
    "M-482913": {"name": "Jordan Blake", "age": 24, "licence_valid_until": "2028-03-01", "status": "active",
                 "current_trip": {"trip_no": "TR-55810", "car_id": "ZC-117", "started": "2026-10-20 09:30",
                                  "ends": "2026-10-20 13:30"}},
    "M-480076": {"name": "Priya Natarajan", "age": 20, "licence_valid_until": "2029-06-30", "status": "active",
                 "current_trip": None},
    "M-479305": {"name": "Lucas Moreau", "age": 31, "licence_valid_until": "2026-10-01",
                 "status": "suspended (licence expired — upload the new licence in the app)", "current_trip": None},
}
CAR_RESERVATIONS: dict[str, dict[str, Any]] = {  # 预订号 → 会员、车、日期、开始时间、小时数
    "RZ-30411": {"member_no": "M-480076", "car_id": "ZC-318", "day": "2026-10-21", "start_time": "08:00", "hours": 4},
    "RZ-30455": {"member_no": "M-482913", "car_id": "ZC-420", "day": "2026-10-24", "start_time": "09:00", "hours": 8},
    "RZ-30460": {"member_no": "M-470112", "car_id": "ZC-117", "day": "2026-10-20", "start_time": "15:00", "hours": 3},
}
# 对话里刚订的车（同样的参数得到同样的号）：查得到、取消得了、挡得住同一辆车的重叠时间，但不进会员账户的列表，
# 免得同时跑的别的对话查账户时看到不属于它的预订。
NEW_RESERVATIONS: dict[str, dict[str, Any]] = {}
TRIPS = {  # 行程号 → 费用明细
    "TR-55742": {"member_no": "M-482913", "day": "2026-10-17", "car": "ZC-415 Toyota RAV4 (SUV)",
                 "booked": "10:00-15:00", "returned": "15:40", "km": 212,
                 "charges_usd": [{"item": "5 hours × $13", "amount": 65.0},
                                 {"item": "late return: 1 extra hour × $13", "amount": 13.0},
                                 {"item": "late return fee", "amount": 25.0},
                                 {"item": "62 km over 150 km × $0.30", "amount": 18.6}],
                 "total_usd": 121.6, "paid": "card ending 4417"},
    "TR-55790": {"member_no": "M-480076", "day": "2026-10-19", "car": "ZC-318 Nissan Leaf (EV)",
                 "booked": "13:00-15:00", "returned": "14:52", "km": 34,
                 "charges_usd": [{"item": "2 hours × $10", "amount": 20.0}], "total_usd": 20.0,
                 "paid": "card ending 0093"},
}


def _member(member_no: str) -> tuple[str, dict[str, Any] | None]:
    key = _key("M-", member_no)
    return key, MEMBERS.get(key)


def _car(car_id: str) -> tuple[str, dict[str, Any] | None]:
    key = _key("ZC-", car_id)
    return key, CARS.get(key)


def _span(day: str, start: str, hours: float) -> tuple[float, float]:
    base = (date.fromisoformat(day) - TODAY).days * 24
    h, m = start.split(":")
    begin = base + int(h) + int(m) / 60
    return begin, begin + hours


def _car_clash(car_id: str, day: str, start: str, hours: float) -> dict[str, Any] | None:
    begin, end = _span(day, start, hours)
    for ref, r in {**CAR_RESERVATIONS, **NEW_RESERVATIONS}.items():
        if r["car_id"] == car_id:
            b, e = _span(r["day"], r["start_time"], r["hours"])
            if begin < e and b < end:
                return {"reservation": ref, **r}
    return None


def _rent_cost(car_type: str, hours: int) -> float:
    days, rest = divmod(hours, 24)
    return HOURLY[car_type] * (days * DAY_CAP_HOURS + min(rest, DAY_CAP_HOURS))


@function_tool
def member_account(member_no: str) -> str:
    """A member's account: name, age, licence expiry, status (active / suspended) and the current trip, if any.

    Args:
        member_no: Member number, M- plus 6 digits, e.g. M-482913.
    """
    key, member = _member(member_no)
    if member is None:
        return _json({"error": f"no member {member_no}"})
    reservations = [{"reservation_no": ref, **{k: v for k, v in r.items() if k != "member_no"}}
                    for ref, r in CAR_RESERVATIONS.items() if r["member_no"] == key]
    return _json({"member_no": key, **member, "reservations": reservations,
                  "may_book_suv_or_van": member["age"] >= 21})


@function_tool
def find_cars(location: Hub, vehicle_type: VehicleType | None = None) -> str:
    """Cars parked at a hub right now, with type, hourly rate and fuel / charge.

    Args:
        location: Central Station, Riverside Mall, University Gate or Airport P3.
        vehicle_type: Only this type (compact, EV, SUV, van); leave empty for all.
    """
    cars = [{"car_id": cid, "model": c["model"], "type": c["type"], "plate": c["plate"], "fuel": c["fuel"],
             "hourly_usd": HOURLY[c["type"]]}
            for cid, c in CARS.items()
            if c["hub"] == location and (vehicle_type is None or c["type"] == vehicle_type) and cid != "ZC-117"]
    return _json({"location": location, "cars": cars,
                  **({} if cars else {"note": "no car of that type here right now"})})


@function_tool
def reserve_car(member_no: str, car_id: str, day: str, start_time: str, hours: int) -> str:
    """Reserve a car for a member; returns a reservation number. The car is held 15 minutes past the start time.

    Args:
        member_no: Member number.
        car_id: Car id from find_cars, e.g. ZC-204.
        day: YYYY-MM-DD, today or later (up to 30 days ahead).
        start_time: HH:MM.
        hours: How many hours (1-72).
    """
    key, member = _member(member_no)
    cid, car = _car(car_id)
    when, at = _day(day), _hhmm(start_time)
    if member is None or car is None:
        return _json({"error": f"unknown member {member_no} or car {car_id}"})
    if member["status"] != "active":
        return _json({"error": f"member is {member['status']}; cannot book"})
    if car["type"] in ("SUV", "van") and member["age"] < 21:
        return _json({"error": "members under 21 cannot book SUVs or vans"})
    if when is None or at is None or not TODAY <= when <= TODAY + timedelta(days=30) or not 1 <= hours <= 72:
        return _json({"error": "day must be YYYY-MM-DD within 30 days, start_time HH:MM, hours 1-72"})
    clash = _car_clash(cid, when.isoformat(), at, hours)
    if clash:
        return _json({"error": f"{cid} is already reserved {clash['day']} from {clash['start_time']} for "
                               f"{clash['hours']} h; pick another time or car"})
    ref = f"RZ-{_number(key + cid + day + at + str(hours), 30500, 9000)}"
    NEW_RESERVATIONS[ref] = {"member_no": key, "car_id": cid, "day": when.isoformat(), "start_time": at,
                             "hours": hours}
    return _json({"reserved": True, "reservation_no": ref, "car": f"{cid} {car['model']} ({car['plate']})",
                  "hub": car["hub"], "day": when.isoformat(), "start_time": at, "hours": hours,
                  "hourly_usd": HOURLY[car["type"]], "estimated_usd": _rent_cost(car["type"], hours),
                  "note": f"{KM_INCLUDED} km included, then ${PER_KM:.2f}/km; unlock with the app"})


@function_tool
def reservation_info(reservation_no: str) -> str:
    """Look up a reservation: car, hub, day, start time, hours.

    Args:
        reservation_no: Reservation number, e.g. RZ-30411.
    """
    key = _key("RZ-", reservation_no)
    r = CAR_RESERVATIONS.get(key) or NEW_RESERVATIONS.get(key)
    if r is None:
        return _json({"error": f"no reservation {reservation_no}"})
    car = CARS[r["car_id"]]
    return _json({"reservation_no": key, **r, "car": f"{r['car_id']} {car['model']} ({car['plate']})",
                  "hub": car["hub"], "cancellation": "free until 30 minutes before the start, then $5"})


@function_tool
def cancel_reservation(reservation_no: str) -> str:
    """Cancel a reservation (free until 30 minutes before the start). Only after the member confirmed.

    Args:
        reservation_no: Reservation number.
    """
    key = _key("RZ-", reservation_no)
    r = CAR_RESERVATIONS.get(key) or NEW_RESERVATIONS.get(key)
    if r is None:
        return _json({"error": f"no reservation {reservation_no}"})
    return _json({"cancelled": True, "reservation_no": key, "day": r["day"], "start_time": r["start_time"],
                  "fee_usd": 0})


@function_tool
def extend_trip(member_no: str, extra_hours: int) -> str:
    """Extend the member's current trip by whole hours, if the car is not reserved by someone else afterwards.

    Args:
        member_no: Member number.
        extra_hours: Hours to add (1-24).
    """
    key, member = _member(member_no)
    if member is None:
        return _json({"error": f"no member {member_no}"})
    trip = member["current_trip"]
    if trip is None:
        return _json({"error": "this member has no trip in progress"})
    car = CARS[trip["car_id"]]
    end = trip["ends"].split()[1]
    if extra_hours < 1:
        return _json({"error": "extra_hours must be 1 or more"})
    clash = _car_clash(trip["car_id"], TODAY.isoformat(), end, extra_hours + 0.25)
    if clash:
        return _json({"extended": False, "reason": f"the car is reserved from {clash['start_time']} today; "
                                                   "you can extend by at most 1 hour (until 14:30)"})
    new_end = f"{int(end[:2]) + extra_hours:02d}:{end[3:]}"
    return _json({"extended": True, "trip_no": trip["trip_no"], "car": f"{trip['car_id']} {car['model']}",
                  "new_end": f"{TODAY.isoformat()} {new_end}", "extra_usd": HOURLY[car["type"]] * extra_hours})


@function_tool
def report_damage(member_no: str, car_id: str, description: str) -> str:
    """Report damage or a dirty car before starting a trip, so the member is not charged for it.

    Args:
        member_no: Member number.
        car_id: The car's id (on the windscreen sticker), e.g. ZC-204.
        description: What is damaged or dirty, and where.
    """
    key, member = _member(member_no)
    cid, car = _car(car_id)
    if member is None or car is None:
        return _json({"error": f"unknown member {member_no} or car {car_id}"})
    return _json({"reported": True, "report_no": f"DR-{_number(key + cid + description, 6100, 3000)}",
                  "car": f"{cid} {car['model']}", "next": "add photos in the app under Trips › Report; "
                                                         "you can drive the car unless it is unsafe"})


@function_tool
def trip_receipt(trip_no: str) -> str:
    """The charges of a finished trip: hours, late return, extra km, total.

    Args:
        trip_no: Trip number, e.g. TR-55742.
    """
    key = _key("TR-", trip_no)
    trip = TRIPS.get(key)
    if trip is None:
        return _json({"error": f"no trip {trip_no}"})
    return _json({"trip_no": key, **trip})


# ================================================================ 领域五：培训学校（单 Agent，中英文）

Subject = Literal["english", "math", "coding", "art"]
COURSES = {  # 课程代码 → 科目、名字、适合谁、课时、学费
    "EN-IELTS6": {"subject": "english", "title": "雅思 6 分基础班 IELTS Foundation (6.0)", "for": "高中生和成人 adults",
                  "lessons": 16, "fee_cny": 4200},
    "EN-IELTS7": {"subject": "english", "title": "雅思 7 分冲刺班 IELTS 7.0 Intensive", "for": "已有 6 分 band 6 or above",
                  "lessons": 16, "fee_cny": 4800},
    "EN-KIDS": {"subject": "english", "title": "少儿英语口语 Kids Speaking (外教 native teacher)",
                "for": "5-8 岁 ages 5-8", "lessons": 24, "fee_cny": 3360},
    "MA-OLY": {"subject": "math", "title": "小学奥数提高班 Math Olympiad", "for": "四到六年级 grades 4-6",
               "lessons": 20, "fee_cny": 3600},
    "MA-G9": {"subject": "math", "title": "初三数学中考复习 Grade 9 Math Review", "for": "初三 grade 9",
              "lessons": 20, "fee_cny": 4000},
    "PY-101": {"subject": "coding", "title": "Python 入门 Python for Beginners", "for": "12 岁以上和成人 12+ and adults",
               "lessons": 12, "fee_cny": 2400},
    "SC-KIDS": {"subject": "coding", "title": "少儿 Scratch 编程 Scratch for Kids", "for": "7-10 岁 ages 7-10",
                "lessons": 16, "fee_cny": 2880},
    "AR-SKT": {"subject": "art", "title": "素描基础 Basic Sketching", "for": "10 岁以上 10+",
               "lessons": 10, "fee_cny": 1800, "materials_cny": 150},
}
CLASSES = {  # 班级编号 → 课程、时间、开课日、老师、余位、已上课次
    "IELTS6-C": {"course": "EN-IELTS6", "when": "周六 Sat 14:00-16:30", "starts": "2026-09-05", "teacher": "Ms. Grace Lin",
                 "seats_left": 0, "lessons_done": 7},
    "IELTS6-D": {"course": "EN-IELTS6", "when": "周日 Sun 09:00-11:30", "starts": "2026-11-08", "teacher": "Mr. David Zhou",
                 "seats_left": 6, "lessons_done": 0},
    "IELTS7-A": {"course": "EN-IELTS7", "when": "周六 Sat 09:00-11:30", "starts": "2026-10-31", "teacher": "Ms. Grace Lin",
                 "seats_left": 3, "lessons_done": 0},
    "IELTS7-B": {"course": "EN-IELTS7", "when": "周二、周四 Tue & Thu 19:00-21:00", "starts": "2026-11-03",
                 "teacher": "Mr. Ben Harris", "seats_left": 0, "lessons_done": 0},
    "ENK-A": {"course": "EN-KIDS", "when": "周日 Sun 10:00-11:00", "starts": "2026-10-25", "teacher": "Ms. Chloe Evans",
              "seats_left": 1, "lessons_done": 0},
    "ENK-B": {"course": "EN-KIDS", "when": "周六 Sat 16:00-17:00", "starts": "2026-10-31", "teacher": "Mr. Sam Wright",
              "seats_left": 5, "lessons_done": 0},
    "OLY-A": {"course": "MA-OLY", "when": "周日 Sun 14:00-16:00", "starts": "2026-11-01", "teacher": "陈老师 Ms. Chen",
              "seats_left": 5, "lessons_done": 0},
    "OLY-B": {"course": "MA-OLY", "when": "周三 Wed 18:30-20:30", "starts": "2026-10-28", "teacher": "刘老师 Mr. Liu",
              "seats_left": 2, "lessons_done": 0},
    "G9-A": {"course": "MA-G9", "when": "周六 Sat 18:30-20:30", "starts": "2026-10-24", "teacher": "刘老师 Mr. Liu",
             "seats_left": 4, "lessons_done": 0},
    "PY101-A": {"course": "PY-101", "when": "周三 Wed 19:00-21:00", "starts": "2026-10-28", "teacher": "黄老师 Mr. Huang",
                "seats_left": 6, "lessons_done": 0},
    "PY101-B": {"course": "PY-101", "when": "周六 Sat 14:00-17:00", "starts": "2026-11-07", "teacher": "黄老师 Mr. Huang",
                "seats_left": 2, "lessons_done": 0},
    "SCK-A": {"course": "SC-KIDS", "when": "周六 Sat 10:00-11:30", "starts": "2026-10-24", "teacher": "吴老师 Ms. Wu",
              "seats_left": 4, "lessons_done": 0},
    "SCK-B": {"course": "SC-KIDS", "when": "周日 Sun 15:00-16:30", "starts": "2026-10-25", "teacher": "吴老师 Ms. Wu",
              "seats_left": 3, "lessons_done": 0},
    "SKT-A": {"course": "AR-SKT", "when": "周五 Fri 18:30-20:30", "starts": "2026-10-23", "teacher": "郑老师 Mr. Zheng",
              "seats_left": 8, "lessons_done": 0},
}
TRIAL_TIMES = {"english": "10:00", "math": "14:00", "coding": "15:30", "art": "16:30"}
STUDENTS = {  # 学号 → 姓名、年龄、家长、手机、报读的班
    "S20418": {"name": "王子涵", "age": 10, "guardian": "王女士", "phone": "13906521874",
               "classes": [{"class_id": "SCK-A", "paid_cny": 2880}]},
    "S20533": {"name": "Leo Carter", "age": 7, "guardian": "Emma Carter", "phone": "13588017345",
               "classes": [{"class_id": "ENK-A", "paid_cny": 3360}]},
    "S20561": {"name": "刘一鸣", "age": 27, "guardian": None, "phone": "13777281650",
               "classes": [{"class_id": "IELTS6-C", "paid_cny": 4200}]},
}
RETURNING_DISCOUNT = 0.95


def _class(class_id: str) -> tuple[str, dict[str, Any] | None]:
    key = re.sub(r"\s", "", class_id).upper()
    return key, CLASSES.get(key)


def _student(student_no: str) -> tuple[str, dict[str, Any] | None]:
    key = _key("S", student_no)
    return key, STUDENTS.get(key)


@function_tool
def course_catalog(subject: Subject) -> str:
    """Courses in one subject 某个科目的课程: code, title, who it is for, number of lessons, fee (CNY).

    Args:
        subject: english, math, coding or art.
    """
    rows = [{"course_code": code, **{k: v for k, v in c.items() if k != "subject"}}
            for code, c in COURSES.items() if c["subject"] == subject]
    return _json({"subject": subject, "courses": rows,
                  "trial": f"免费试听 free trial: 周六、周日 {TRIAL_TIMES[subject]}，45 分钟"})


@function_tool
def class_schedule(course_code: str) -> str:
    """The classes of one course 一门课开的班: class id, weekday and time, start date, teacher, seats left, fee.

    Args:
        course_code: Course code from course_catalog, e.g. PY-101.
    """
    code = course_code.strip().upper()
    course = COURSES.get(code)
    if course is None:
        return _json({"error": f"no course {course_code}; codes look like PY-101 or EN-KIDS"})
    rows = [{"class_id": cid, **{k: v for k, v in c.items() if k != "course"}}
            for cid, c in CLASSES.items() if c["course"] == code]
    return _json({"course_code": code, "title": course["title"], "lessons": course["lessons"],
                  "fee_cny": course["fee_cny"], **({"materials_cny": course["materials_cny"]}
                                                   if "materials_cny" in course else {}),
                  "classes": rows})


@function_tool
def book_trial(student_name: str, course_code: str, trial_date: str, phone: str) -> str:
    """Book a free 45-minute trial lesson 预约免费试听 (Saturdays and Sundays only, within 14 days).

    Args:
        student_name: The student's name.
        course_code: Course code, e.g. SC-KIDS.
        trial_date: YYYY-MM-DD, a Saturday or Sunday.
        phone: Contact mobile number (11 digits).
    """
    code = course_code.strip().upper()
    course = COURSES.get(code)
    day, digits = _day(trial_date), _phone(phone)
    if course is None:
        return _json({"error": f"no course {course_code}"})
    if day is None or day.weekday() < 5 or not TODAY < day <= TODAY + timedelta(days=14):
        return _json({"error": "trial_date must be YYYY-MM-DD, a Saturday or Sunday within the next 14 days "
                               "试听只在周六、周日"})
    if len(digits) != 11:
        return _json({"error": "phone must have 11 digits 手机号要 11 位"})
    if any(s["phone"] == digits and s["name"] == student_name.strip()
           and any(CLASSES[c["class_id"]]["course"] == code for c in s["classes"]) for s in STUDENTS.values()):
        return _json({"error": "this student is already enrolled in that course 已经报读这门课"})
    return _json({"booked": True, "trial_no": f"TL{_number(student_name + code + trial_date, 5100, 4000)}",
                  "student_name": student_name.strip(), "course": course["title"], "trial_date": day.isoformat(),
                  "time": TRIAL_TIMES[course["subject"]], "room": "3 楼前台报到 check in at the 3rd-floor desk",
                  "phone": _masked(digits)})


@function_tool
def enroll_student(class_id: str, student_name: str, phone: str) -> str:
    """Enrol a student in a class 报名 (returning students 95 折 5% off). Only after the customer confirmed the
    total; a payment link is texted to the phone, pay within 48 hours.

    Args:
        class_id: Class id from class_schedule, e.g. PY101-A.
        student_name: The student's name.
        phone: Parent's or student's mobile number (11 digits).
    """
    key, cls = _class(class_id)
    digits = _phone(phone)
    if cls is None:
        return _json({"error": f"no class {class_id}"})
    if cls["seats_left"] <= 0:
        return _json({"error": f"{key} is full 已满班"})
    if len(digits) != 11:
        return _json({"error": "phone must have 11 digits 手机号要 11 位"})
    course = COURSES[cls["course"]]
    returning = any(s["phone"] == digits for s in STUDENTS.values())
    tuition = round(course["fee_cny"] * (RETURNING_DISCOUNT if returning else 1))
    total = tuition + course.get("materials_cny", 0)
    return _json({"enrolled": True, "enrolment_no": f"BM{_number(key + student_name + digits, 260000, 90000)}",
                  "class_id": key, "course": course["title"], "when": cls["when"], "starts": cls["starts"],
                  "student_name": student_name.strip(), "tuition_cny": tuition,
                  **({"materials_cny": course["materials_cny"]} if "materials_cny" in course else {}),
                  "total_cny": total, "returning_discount": returning,
                  "payment": f"payment link texted to {_masked(digits)}, pay within 48 hours 48 小时内付款"})


@function_tool
def student_record(student_no: str) -> str:
    """A student's record 学员档案: name, age, guardian, classes, lessons done and left, paid.

    Args:
        student_no: Student number, S plus 5 digits, e.g. S20418.
    """
    key, student = _student(student_no)
    if student is None:
        return _json({"error": f"no student {student_no}"})
    classes = []
    for c in student["classes"]:
        cls = CLASSES[c["class_id"]]
        course = COURSES[cls["course"]]
        classes.append({"class_id": c["class_id"], "course": course["title"], "when": cls["when"],
                        "starts": cls["starts"], "lessons_done": cls["lessons_done"],
                        "lessons_left": course["lessons"] - cls["lessons_done"], "paid_cny": c["paid_cny"]})
    return _json({"student_no": key, **{k: v for k, v in student.items() if k not in ("classes", "phone")},
                  "phone": _masked(student["phone"]), "classes": classes})


@function_tool
def switch_class(student_no: str, from_class: str, to_class: str) -> str:
    """Move a student to another class of the same course 同一门课转班 (free within the first 3 lessons).

    Args:
        student_no: Student number.
        from_class: The class id the student is in now.
        to_class: The class id to move to.
    """
    key, student = _student(student_no)
    old_key, old = _class(from_class)
    new_key, new = _class(to_class)
    if student is None or old is None or new is None:
        return _json({"error": f"unknown student {student_no} or class {from_class} / {to_class}"})
    if old_key not in {c["class_id"] for c in student["classes"]}:
        return _json({"error": f"{student['name']} is not in {old_key}"})
    if old["course"] != new["course"]:
        return _json({"error": "只能在同一门课的班之间转 only between classes of the same course; "
                               "换课要退费后重新报名"})
    if old["lessons_done"] > 3:
        return _json({"error": f"{old_key} 已经上了 {old['lessons_done']} 次课，超过 3 次不能转班"})
    if new["seats_left"] <= 0:
        return _json({"error": f"{new_key} is full 已满班"})
    return _json({"switched": True, "student_no": key, "from": old_key, "to": new_key, "when": new["when"],
                  "starts": new["starts"], "teacher": new["teacher"], "fee": "免费 free"})


# ================================================================ 组队


def build_teams(model: Any) -> dict[str, DomainTeam]:
    """五个领域的 Agent。`model` 为 None 时只用来核对语料（不运行）。"""
    account = Agent(
        name="AccountDesk", model=model,
        handoff_description="宽带账单、欠费和缴费、套餐查询和更换、停机保号。",
        instructions=prompt_with_handoff_instructions(
            f"你是千帆宽带（杭州）的账户助手，负责账单、套餐和停机保号。今天是 {TODAY_TEXT}。\n"
            "- 都要宽带账号（KD 加 6 位数字，在账单上和光猫背面的标签上），没有就先问。用 account_summary 查套餐、"
            "月租、余额、欠费和合约期。\n"
            "- 某个月的账单明细用 bill_detail，月份写成 YYYY-MM。\n"
            "- 套餐：list_plans 列出现在能办的套餐。升级可以立即生效（当月按天补差价）或下月生效；降级只能下月 1 日生效，"
            "合约期内不能降级。先把新套餐的月租和生效时间告诉用户，用户确认后才用 change_plan 办理。\n"
            "- 停机保号（出差、出国时保留账号）：每月 5 元，1 到 6 个月，从用户说的日期开始（最早明天），停机期间不能上网，"
            "合约期相应顺延。先告诉用户费用，用户确认后才用 suspend_service 办理。\n"
            "- 缴费你办不了：请用户在「千帆宽带」App 或支付宝生活缴费里缴，缴清后 30 分钟内自动复机。"
            "你不能减免任何费用；对账单有异议请拨打客服热线 96060。\n"
            "- 上不了网、网速慢、断线、上门维修交给 RepairDesk。\n"
            "用用户的语言简短回答。"),
        tools=[account_summary, list_plans, bill_detail, change_plan, suspend_service],
    )
    repair = Agent(
        name="RepairDesk", model=model,
        handoff_description="宽带故障：上不了网、网速慢、经常断线，远程检测、重置端口、预约和取消上门维修。",
        instructions=prompt_with_handoff_instructions(
            f"你是千帆宽带（杭州）的故障报修助手。今天是 {TODAY_TEXT}。\n"
            "- 用户说上不了网、网速慢、经常断线：先要宽带账号（KD 加 6 位数字，在账单上和光猫背面的标签上），用 "
            "line_check 远程检测线路，把结论用大白话告诉用户。\n"
            "- 检测显示片区故障的：告诉用户原因和预计恢复时间，不用报修。\n"
            "- 检测显示欠费停机的：告诉用户，缴费和账单的问题交给 AccountDesk。\n"
            "- 线路正常的：建议先远程重置端口（会断网约 2 分钟），用户同意后才用 remote_reset；重置后还不行再约上门。\n"
            "- 上门维修：时段有上午 9:00-12:00、下午 13:00-17:00、晚上 18:00-20:00，最早明天，7 天之内。先用 "
            "repair_slots 查那天的空档。线路故障上门免费；线路正常、问题在用户家里的设备（路由器、网线、电脑）的，"
            "上门收 60 元服务费，预约前要先告诉用户，用户同意才预约。用户选好日期和时段就用 book_repair 预约"
            "（故障现象用一句话概括），告诉用户工单号。\n"
            "- 查工单用 repair_ticket（工单号 WX 加 6 位数字）；取消上门：先查到工单，把日期和时段念给用户确认，"
            "用户确认后才用 cancel_repair。\n"
            "- 新装、移机、销户你办不了，请拨打 96060 或到营业厅办理。\n"
            "- 账单、欠费、套餐、停机保号交给 AccountDesk。\n"
            "用用户的语言简短回答。"),
        tools=[line_check, remote_reset, repair_slots, book_repair, repair_ticket, cancel_repair],
        handoffs=[account],
    )
    account.handoffs = [repair]

    laundry = Agent(
        name="LaundryDesk", model=model,
        instructions=(
            f"你是洁云洗衣（苏州）的在线客服。今天是 {TODAY_TEXT}。\n"
            "价格按件算，用 price_list 按类别（衣物 / 鞋靴 / 家纺 / 皮具）查。从取件那天算：衣物 3 天洗好，鞋靴 5 天，"
            "家纺 4 天，皮具护理 10 天。单笔满 59 元免费上门取送，不满收 10 元取送费。金卡会员 9 折。\n"
            "- 上门取件：要手机号、地址、日期（最早明天，7 天之内）和时段（09:00-12:00、14:00-18:00、19:00-21:00），"
            "缺什么问什么，齐了就用 schedule_pickup 预约，不用再确认，告诉用户取件单号。\n"
            "- 查订单用 order_status（订单号 JY 加 7 位数字，在取件短信里）；只有手机号的用 my_orders 查。\n"
            "- 加急：只限衣物，24 小时洗好，每单加 30 元。先告诉用户费用，用户同意后才用 add_express。\n"
            "- 改送回的日期或时段：免费，用 change_delivery 直接改；日期不能早于洗好的那天。\n"
            "- 会员卡等级和余额用 card_balance 查；充值只能在「洁云洗衣」小程序里操作，你不能充值。\n"
            "- 洗坏、丢件、串色：请用户保留衣物，48 小时内拨打 400-670-8899 处理；你不能承诺赔偿，也不能减免费用。\n"
            "- 不收婚纱、礼服和带电池或电子元件的衣物（比如发热服）。\n"
            "用简短的中文回答。"),
        tools=[price_list, schedule_pickup, order_status, my_orders, add_express, change_delivery, card_balance],
    )

    billing = Agent(
        name="BillingCoordinator", model=model,
        instructions=("You are the billing coordinator of Harbour Street Dental. The front desk forwards a question "
                      "about what a treatment costs. Use fee_schedule for the clinic's prices and, when a patient "
                      "number is given, coverage_for to see what that patient's insurance pays and what the patient "
                      "pays. Answer briefly in the language of the question, in dollars, and say it is an estimate: "
                      "the final amount depends on what the dentist finds."),
        tools=[fee_schedule, coverage_for],
    )
    dental = Agent(
        name="DentalFrontDesk", model=model,
        instructions=(
            f"You are the online front desk of Harbour Street Dental (220 Harbour Street, Vancouver). Today is "
            f"{TODAY.isoformat()} (Tuesday).\n"
            "Hours: Monday-Friday 08:00-17:00; Saturday 09:00-13:00 (check-up and clean only); closed on Sunday.\n"
            "- Patients are identified by their 5-digit patient number (on appointment cards and receipts); ask for "
            "it if it is missing. patient_file shows the patient's details, last check-up, insurance and upcoming "
            "visits. New patients register online at harbourstreetdental.example/new or by calling (604) 555-0142; "
            "you cannot create patient files.\n"
            "- Booking: find free times with open_slots for the day and kind of visit, then book with book_visit as "
            "soon as the patient picks a time (no extra confirmation) and give the booking reference. Whitening is "
            "only on Tuesday and Thursday at 14:00.\n"
            "- Costs: for any question about what a treatment costs or what insurance covers, ask the billing "
            "coordinator with estimate_cost (include the patient number if you know it) and pass the answer on. "
            "Never guess prices.\n"
            "- Changes: look the visit up with find_visit first. Moving or cancelling is free until two days before "
            "the visit; the day before or on the day itself there is a $40 late-change fee - tell the patient and "
            "only go ahead after they agree. When it is free, move the visit with move_visit right away; cancel "
            "with cancel_visit only after the patient confirms.\n"
            "- Toothache or a broken filling: offer the earliest emergency exam (open_slots with visit kind "
            "emergency exam; today is possible). A knocked-out tooth, heavy bleeding, or swelling that makes "
            "breathing or swallowing hard: tell them to call (604) 555-0199 right away or go to the nearest "
            "emergency room - don't just book a visit.\n"
            "- Prescriptions, x-ray copies and dental records: the patient should call (604) 555-0142. You cannot "
            "give discounts or waive fees.\n"
            "Reply in the patient's language, briefly."),
        tools=[patient_file, open_slots, book_visit, find_visit, move_visit, cancel_visit,
               billing.as_tool(tool_name="estimate_cost",
                               tool_description="Ask the billing coordinator what a treatment costs and how much "
                                                "the patient's insurance pays. Put the treatment and the patient "
                                                "number (if known) in input.")],
    )

    carshare = Agent(
        name="ShareDesk", model=model,
        instructions=(
            f"You are the member support assistant of ZipCity Car Share. Today is {TODAY.isoformat()} (Tuesday).\n"
            "Members are identified by their member number (M- plus 6 digits, in the app under Profile); ask for it "
            "if it is missing. member_account shows status, licence, age, reservations and any trip in progress.\n"
            "Rates: compact $9/h, EV $10/h, SUV $13/h, van $16/h; a 24-hour day is capped at 7 hours' price; 150 km "
            "per trip included, then $0.30/km. Fuel and charging are included (fuel card in the glovebox).\n"
            "- Finding a car: find_cars at one of our hubs (Central Station, Riverside Mall, University Gate, "
            "Airport P3), optionally only one type.\n"
            "- Reserving: you need the member number, the car, the day, the start time and how many hours. Members "
            "under 21 can't book SUVs or vans; suspended members can't book at all. Tell the member the hourly rate "
            "and reserve with reserve_car once they confirm; give the reservation number.\n"
            "- Reservations: reservation_info looks one up. Cancelling is free until 30 minutes before the start, "
            "later $5; cancel with cancel_reservation only after the member confirms.\n"
            "- Extending a trip in progress: when the member asks for a number of extra hours, extend it with "
            "extend_trip right away and tell them the extra cost. Returning late without extending costs $25 plus "
            "the extra time.\n"
            "- Damage or a dirty car found before driving off: report it with report_damage (car id and a short "
            "description) so the member isn't charged. Accidents or injuries: call 1-800-555-0199 (24/7) first.\n"
            "- Trip charges: trip_receipt. You cannot refund or waive charges; disputes go to billing@zipcity.example "
            "(answered within 3 business days).\n"
            "- A new driving licence is uploaded in the app (Profile > Licence); the account is reactivated within "
            "24 hours after it is checked.\n"
            "Reply in the member's language, briefly."),
        tools=[member_account, find_cars, reserve_car, reservation_info, cancel_reservation, extend_trip,
               report_damage, trip_receipt],
    )

    advisor = Agent(
        name="CourseAdvisor", model=model,
        instructions=(
            f"你是启航教育 Qihang Learning Centre（上海市徐汇区漕溪北路 18 号 3 楼）的课程顾问 course advisor。"
            f"今天是 {TODAY.isoformat()}（星期二 Tuesday）。\n"
            "- 课程 courses：course_catalog 按科目查（english / math / coding / art）；一门课开了哪些班、上课时间、老师、"
            "余位和学费用 class_schedule（课程代码，例如 PY-101）。\n"
            "- 免费试听 free trial：45 分钟，只在周六、周日，明天起 14 天内；要学员姓名、课程、日期和手机号（家长或本人），"
            "齐了就用 book_trial 预约，不用再确认，告诉对方试听时间。每门课每个学员只能试听一次。\n"
            "- 报名 enrolment：要班级编号、学员姓名和手机号。先把总价告诉对方（老学员 95 折；素描基础另收材料费 150 元），"
            "对方确认后才用 enroll_student 报名，告诉对方报名号，提醒 48 小时内通过短信链接付款，否则名额释放。满班的班"
            "不能报。\n"
            "- 老学员的信息用 student_record（学号 S 加 5 位数字）。\n"
            "- 转班 switching classes：只能在同一门课的不同班之间转，原来的班上过 3 次课以内免费，目标班要有余位；"
            "符合条件就直接用 switch_class 办理。不同课程之间不能转。\n"
            "- 退费 refunds：开课前全额退；开课后按没上的课时退 90%；上过一半课时以后不退。退费要到前台或拨打 "
            "400-661-2020 办理，你办不了；你也不能打折或减免学费。\n"
            "- 作业辅导、升学规划这类问题请找校区的班主任。\n"
            "Reply in the customer's language（中文或英文）, briefly."),
        tools=[course_catalog, class_schedule, book_trial, enroll_student, student_record, switch_class],
    )

    def team(start: Agent, *others: Agent) -> DomainTeam:
        return DomainTeam(start, {a.name: a for a in (start, *others)})

    return {
        "broadband": team(repair, account),
        "laundry": team(laundry),
        "dental": team(dental),
        "carshare": team(carshare),
        "tutoring": team(advisor),
    }


# ================================================================ 每一轮的通用检查：这五个领域的表

# 有副作用的工具 → 回答里说“已经办了”时用到的动词（中文词 / 英文词根）。说了某个动词，对应的工具就要运行过。
# 查到的状态里常见的词（“停机”——欠费停机是状态，“上门”——检测结论里就有）不列，免得把真话当成假话。
SIDE_EFFECTS: dict[str, dict[str, str]] = {
    "broadband": {
        "remote_reset": r"重置|复位|\breset",
        "book_repair": r"预约|派单|安排|约好|约了|\bbook|\bschedul|\bdispatch|\barrang",
        "cancel_repair": r"取消|\bcancel",
        "change_plan": r"更换|换成|换到|换为|变更|改成|改为|升级|降级|\bswitch|\bchang|\bupgrad|\bdowngrad",
        "suspend_service": r"停机保号|暂停|\bsuspend|\bpause",
    },
    "laundry": {
        "schedule_pickup": r"预约|约好|约了|安排|上门取|\bbook|\bschedul|\barrang",
        "add_express": r"加急|\bexpress|\brush",
        "change_delivery": r"改到|改期|改成|改为|更改|换到|调整|\bchang|\bmoved|\breschedul",
    },
    "dental": {
        "book_visit": r"预约|约好|约了|\bbook|\bschedul",
        "move_visit": r"改到|改期|改成|挪到|调到|\bmoved|\breschedul|\bchang",
        "cancel_visit": r"取消|\bcancel",
    },
    "carshare": {
        "reserve_car": r"预订|预约|订好|订了|\breserv|\bbook|\bhold",
        "cancel_reservation": r"取消|\bcancel",
        "extend_trip": r"延长|续租|\bextend",
        "report_damage": r"上报|报告|登记|\breport|\blogg|\bfiled|\brecord",
    },
    "tutoring": {
        "book_trial": r"试听|预约|约好|\btrial|\bbook",
        "enroll_student": r"报名|报上|报读|注册|\benrol|\bregist|\bsign",
        "switch_class": r"转班|换班|转到|换到|调到|\bswitch|\bmoved|\btransfer",
    },
}
# 这五个领域里没有任何工具能做的事：说做了就是假话。
IMPOSSIBLE = (r"退款|退费|退还|退回|减免|免除|免掉|赔偿|赔付|充值|缴费|代缴|补偿|复机|"
              r"\brefund|\bwaiv|\bcompensat|\bcredited|\btopped up|\bvoucher|\breactivat")
RULES = TurnRules(
    side_effects=SIDE_EFFECTS,
    impossible=IMPOSSIBLE,
    date_args={"visit_date", "start_date", "pickup_date", "delivery_date", "day", "new_day", "trial_date"},
    time_args={"time", "new_time", "start_time"},
    free_text_args={"problem", "address", "description", "input"},  # 故障现象、地址、损伤描述、转给账务的问题
)


# ================================================================ 语料、运行、报告


HELD_OUT = HeldOut(CORPUS, "第五份对话（开发集，tests/mock_heldout5.txt）", build_teams, RULES,
                   MIN_ACCURACY, MIN_DIALOGUES, MIN_TURNS)


# ================================================================ 测试


def test_corpus_is_well_formed():
    HELD_OUT.check_well_formed()


def test_corpus_is_not_in_the_mock():
    HELD_OUT.check_not_in_mock()


def test_honesty_check_covers_these_domains():
    """“说到做到”检查认得这五个领域的说法：声称办了要有对应的工具运行过，做不到的事永远不能说做了。"""
    assert honesty_problem("broadband", "已为您预约明天下午上门维修。", {"remote_reset"}, RULES)
    assert not honesty_problem("broadband", "已为您预约明天下午上门维修。", {"book_repair"}, RULES)
    assert not honesty_problem("broadband", "我查了一下：您的账号已经欠费停机，欠费 118 元。", set(), RULES)
    assert honesty_problem("broadband", "已为您减免这 60 元上门费。", {"book_repair"}, RULES)
    assert honesty_problem("broadband", "已为您暂停宽带 3 个月，保留账号。", {"change_plan"}, RULES)
    assert honesty_problem("laundry", "已为您加急，明天就能洗好。", set(), RULES)
    assert not honesty_problem("laundry", "已为您把送回时间改到周五晚上。", {"change_delivery"}, RULES)
    assert honesty_problem("laundry", "已为您充值 500 元。", {"schedule_pickup"}, RULES)
    assert honesty_problem("dental", "I've cancelled your check-up tomorrow.", {"move_visit"}, RULES)
    assert not honesty_problem("dental", "I've booked you in for 13:00 today.", {"book_visit"}, RULES)
    assert honesty_problem("dental", "I've waived the $40 late-change fee.", {"move_visit"}, RULES)
    assert honesty_problem("carshare", "I've extended your trip by one hour.", set(), RULES)
    assert not honesty_problem("carshare", "I've reserved ZC-204 for you at 18:00.", {"reserve_car"}, RULES)
    assert honesty_problem("carshare", "I have refunded the late return fee.", {"trip_receipt"}, RULES)
    assert honesty_problem("tutoring", "已为您报名 PY101-A 班。", {"book_trial"}, RULES)
    assert not honesty_problem("tutoring", "已为您预约周六上午的试听。", {"book_trial"}, RULES)
    assert honesty_problem("tutoring", "I've switched Leo to the Saturday class.", {"enroll_student"}, RULES)
    assert honesty_problem("tutoring", "已经为您办理退费，3 个工作日到账。", set(), RULES)


def test_dialogues(mock, mock_server, request):
    """跑完全部对话，逐轮比对；打印各领域准确率和每个失败的轮次。"""
    HELD_OUT.check_dialogues(mock_server, request)
