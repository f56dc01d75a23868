"""留出对话（tests/mock_heldout.txt）：模拟模型在它从没见过的领域和说法里，表现得像不像一个称职的模型。

tests/mock_dialogues.txt 是模拟模型调规则时一直对照的语料；这里的五个领域、它们的 Agent、指令、工具、
文档字符串和参数名，以及每一句用户的话，都是另外写的，写的时候没有看模拟模型的代码和那份语料。
所以这份测试量的是“通用规则能不能推广”：一位开发者照着 Agents SDK 的文档搭了自己的客服，换上模拟模型，
多轮对话里它会不会选对 Agent 和工具、从上下文里取对参数、该问的时候问、该等确认的时候等。

五个领域（工具都是进程内的假数据，按参数返回 JSON）：
- insurance：安心保险，保单前台 PolicyDesk + 理赔专员 ClaimsDesk（互相 handoff），中文；
- telecom：星河移动客服 MobileCare（单 Agent），中文为主；
- library：Maple Grove 公共图书馆 Librarian（单 Agent），英文为主；
- restaurant：云隐小馆，订座 HostStand + 菜单 MenuGuide（互相 handoff），中英文；
- rental：Northwind 租车 RentalDesk（单 Agent），英文为主。

语料格式和逐轮比对沿用 test_mock_dialogues.py（`## 名字`、`@ domain 团队`、`> 用户的话`、`= Agent: 调用 | …`、
`? 必须出现` 、`! 不能出现`），运行方式也一样：`Runner.run` + 指向模拟模型的 `OpenAIChatCompletionsModel`，
历史用 `to_input_list()` 接上，下一轮从 `last_agent` 开始，各段对话用 asyncio 同时跑。

除了语料里写的期望，每一轮还做这些检查：
- 说到做到：回答里说“已为您预订 / 已撤销 / I've renewed …”，对应的那个有副作用的工具必须在这一轮或更早
  真的运行过（动词按工具对应：说“已取消”要有取消的工具运行过；没有任何工具能做的事，例如“已为您续保”，
  永远不能说）；
- 同一个有副作用的调用（同名、同参数）一段对话里不能做两次；
- 回答里没有原始字段名 / 工具名（snake_case）或原样的 JSON；
- 参数里不能塞进用户的整句话（描述类参数除外），日期参数是 YYYY-MM-DD，时间参数是 HH:MM。

报告（终端摘要）：各领域和总的轮次准确率、只看 Agent / 工具 / 参数的准确率，以及每一个失败的轮次
（期望 / 实际 / 回答）。门槛：总轮次准确率 ≥ 80%、至少 30 段对话、80 轮。

测量历史：写好后第一次运行（盲测）31.2%；之后照着它的失败改了七轮通用规则，现在约 85%（只看 Agent、工具和
参数约 92%）。它早已不是盲测了——盲测的数字看第二份（盲测 32.2%）和第三份（盲测 33.0%）留出语料。

运行：`.venv/bin/python -m pytest -n 0 -q tests/test_mock_heldout.py`
"""

from __future__ import annotations

import asyncio
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

from agents import Agent, FunctionTool, OpenAIChatCompletionsModel, function_tool
from agents.extensions.handoff_prompt import prompt_with_handoff_instructions
from openai import AsyncOpenAI

from tests.conftest import report_at_end
from tests.lessons import REPO
from tests.test_mock_dialogues import (
    RAW_FIELD,
    RAW_JSON,
    Actual,
    CorpusError,
    Dialogue,
    DomainTeam,
    TurnResult,
    UserTurn,
    domain_dialogue,
    failure_lines,
    option_matches,
    parse_corpus,
)

CORPUS = Path(__file__).with_name("mock_heldout.txt")
MOCK_DIR = REPO / "shared" / "mock"
MIN_ACCURACY = 0.80
MIN_DIALOGUES = 30
MIN_TURNS = 80

TODAY = date(2025, 9, 17)  # 各领域指令里写明的“今天”（星期三），日期参数按它核对
TODAY_TEXT = f"{TODAY.isoformat()}（星期三）"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _number(seed: str, low: int, span: int) -> int:
    """由参数算出的固定编号（同样的参数每次得到同样的号）。"""
    return low + zlib.crc32(seed.encode()) % span


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


# ================================================================ 领域一：保险理赔（两个 Agent，中文）

Incident = Literal["碰撞", "车身划痕", "玻璃破碎", "盗抢", "水渍", "火灾"]

POLICIES = {
    "PA-77120": {"holder": "周明", "product": "家用车综合险", "insured": "沪A·5K731 大众朗逸",
                 "valid_from": "2025-03-01", "valid_to": "2026-02-28",
                 "covers": ["碰撞", "玻璃破碎", "盗抢"], "deductible_cny": 500},
    "PH-55031": {"holder": "周明", "product": "家庭财产险", "insured": "上海市长宁区仙霞路 88 弄 6 号 502 室",
                 "valid_from": "2024-11-01", "valid_to": "2025-10-31",
                 "covers": ["水渍", "火灾", "盗抢"], "deductible_cny": 300},
    "PA-60418": {"holder": "林佳", "product": "家用车综合险", "insured": "浙B·7Q220 丰田卡罗拉",
                 "valid_from": "2024-06-01", "valid_to": "2025-05-31",
                 "covers": ["碰撞", "车身划痕", "玻璃破碎", "盗抢"], "deductible_cny": 0},
}
CLAIM_FILES = {
    "CL-9042": {"policy_no": "PA-77120", "incident": "玻璃破碎", "happened_on": "2025-09-08",
                "stage": "待查勘", "next_step": "查勘员会在 2 个工作日内打电话约查勘时间",
                "estimated_payout_cny": 1800},
    "CL-9107": {"policy_no": "PH-55031", "incident": "盗抢", "happened_on": "2025-09-01",
                "stage": "资料审核中", "next_step": "还缺派出所出具的报案回执，请在 App 里上传",
                "estimated_payout_cny": 4200},
}


def _eligibility(policy_no: str, incident: str, happened_on: str) -> dict[str, Any]:
    policy = POLICIES.get(policy_no.strip().upper())
    if policy is None:
        return {"eligible": False, "reason": f"找不到保单 {policy_no}，请核对保单号"}
    day = _day(happened_on)
    if day is None or day > TODAY:
        return {"eligible": False, "reason": "出险日期不对：要写成 YYYY-MM-DD，而且不能晚于今天"}
    if not policy["valid_from"] <= day.isoformat() <= policy["valid_to"]:
        return {"eligible": False, "reason": f"出险日期不在保障期内（保单 {policy['valid_from']} 至 "
                                             f"{policy['valid_to']} 有效）"}
    if incident not in policy["covers"]:
        return {"eligible": False, "reason": f"“{incident}”不在这张保单的保障范围内",
                "covers": policy["covers"]}
    return {"eligible": True, "deductible_cny": policy["deductible_cny"]}


@function_tool
def policy_details(policy_no: str) -> str:
    """查一张保单：投保人、产品、保障对象、保障期限、保障项目和免赔额。

    Args:
        policy_no: 保单号，例如 PA-77120。
    """
    policy = POLICIES.get(policy_no.strip().upper())
    if policy is None:
        return _json({"error": f"找不到保单 {policy_no}"})
    status = "有效" if policy["valid_to"] >= TODAY.isoformat() else "已过期"
    return _json({"policy_no": policy_no, "status": status, **policy})


@function_tool
def claim_eligibility(policy_no: str, incident: Incident, happened_on: str) -> str:
    """报案之前先判断：这次事故在这张保单下能不能理赔（保单在保障期内、事故类型在保障范围内）。

    Args:
        policy_no: 保单号。
        incident: 事故类型。
        happened_on: 出险日期，YYYY-MM-DD。
    """
    return _json({"policy_no": policy_no, "incident": incident, "happened_on": happened_on,
                  **_eligibility(policy_no, incident, happened_on)})


@function_tool
def open_claim(policy_no: str, incident: Incident, happened_on: str, details: str) -> str:
    """报案：为一次事故新建理赔案件，返回案件号。claim_eligibility 判定可以理赔之后才能调用。

    Args:
        policy_no: 保单号。
        incident: 事故类型。
        happened_on: 出险日期，YYYY-MM-DD。
        details: 事故经过的简要描述（一两句话）。
    """
    check = _eligibility(policy_no, incident, happened_on)
    if not check["eligible"]:
        return _json({"error": "不能报案", **check})
    claim_no = f"CL-{_number(policy_no + incident + happened_on, 9200, 700)}"
    return _json({"claim_no": claim_no, "stage": "已受理", "next_step": "24 小时内理赔员会联系您",
                  "policy_no": policy_no, "incident": incident, "happened_on": happened_on})


@function_tool
def claim_progress(claim_no: str) -> str:
    """查一个理赔案件走到哪一步了、下一步要做什么、预计赔多少。

    Args:
        claim_no: 案件号，例如 CL-9042。
    """
    claim = CLAIM_FILES.get(claim_no.strip().upper())
    if claim is None:
        return _json({"error": f"找不到案件 {claim_no}"})
    return _json({"claim_no": claim_no, **claim})


@function_tool
def withdraw_claim(claim_no: str, reason: str) -> str:
    """撤销一个理赔案件，撤销后不能恢复。客户明确确认要撤销之后才能调用。

    Args:
        claim_no: 案件号。
        reason: 客户撤销的原因（简短）。
    """
    if claim_no.strip().upper() not in CLAIM_FILES:
        return _json({"error": f"找不到案件 {claim_no}"})
    return _json({"claim_no": claim_no, "stage": "已撤销", "reason": reason})


# ================================================================ 领域二：手机套餐（单 Agent，中文）

PlanCode = Literal["S39", "S59", "G99", "G129"]
PLANS = {  # 编码 → (名字, 月费, 流量 GB, 通话分钟)
    "S39": ("畅享 39", 39, 20, 300), "S59": ("畅享 59", 59, 40, 500),
    "G99": ("5G 畅连 99", 99, 100, 1000), "G129": ("5G 家庭 129（可加 2 张副卡）", 129, 150, 1500),
}
SUBSCRIBERS = {
    "13812345678": {"owner": "陈晓", "plan_code": "S59", "data_used_gb": 37.5, "balance_cny": 23.6,
                    "contract_until": None},
    "13987654321": {"owner": "黄蕾", "plan_code": "G99", "data_used_gb": 12.0, "balance_cny": -8.5,
                    "contract_until": "2026-01-31"},
}
DATA_PACKS = {5: 15, 10: 25}  # GB → 元


def _plan(code: str) -> dict[str, Any]:
    name, fee, data, minutes = PLANS[code]
    return {"plan_code": code, "name": name, "monthly_fee_cny": fee, "data_gb": data, "voice_minutes": minutes}


def _subscriber(phone: str) -> dict[str, Any] | None:
    return SUBSCRIBERS.get(re.sub(r"\D", "", phone))


@function_tool
def line_overview(phone: str) -> str:
    """查一个手机号：现在的套餐、本月已用流量、话费余额（负数是欠费）和合约期。

    Args:
        phone: 11 位手机号。
    """
    line = _subscriber(phone)
    if line is None:
        return _json({"error": f"{phone} 不是本网号码"})
    plan = _plan(line["plan_code"])
    return _json({"phone": phone, "owner": line["owner"], "plan": plan,
                  "data_used_gb": line["data_used_gb"],
                  "data_left_gb": round(plan["data_gb"] - line["data_used_gb"], 1),
                  "balance_cny": line["balance_cny"], "contract_until": line["contract_until"]})


@function_tool
def browse_plans(max_monthly_fee: int | None = None) -> str:
    """列出可以办理的套餐，可以按月费上限筛选。

    Args:
        max_monthly_fee: 月费上限（元），不限就不填。
    """
    plans = [_plan(code) for code in PLANS]
    if max_monthly_fee is not None:
        plans = [p for p in plans if p["monthly_fee_cny"] <= max_monthly_fee]
    return _json({"plans": plans})


@function_tool
def switch_plan(phone: str, plan_code: PlanCode, when: Literal["立即生效", "下月生效"]) -> str:
    """给一个号码换套餐。套餐编码：S39 畅享 39，S59 畅享 59，G99 5G 畅连 99，G129 5G 家庭 129。
    客户明确同意之后才能调用。

    Args:
        phone: 11 位手机号。
        plan_code: 新套餐的编码。
        when: 什么时候生效。
    """
    line = _subscriber(phone)
    if line is None:
        return _json({"error": f"{phone} 不是本网号码"})
    old, new = _plan(line["plan_code"]), _plan(plan_code)
    if line["contract_until"] and new["monthly_fee_cny"] < old["monthly_fee_cny"]:
        return _json({"error": f"合约期到 {line['contract_until']}，合约期内不能换成月费更低的套餐"})
    start = TODAY if when == "立即生效" else date(TODAY.year, TODAY.month % 12 + 1, 1)
    return _json({"phone": phone, "old_plan": old["name"], "new_plan": new["name"],
                  "effective_from": start.isoformat()})


@function_tool
def buy_data_pack(phone: str, pack_gb: Literal[5, 10]) -> str:
    """给号码加一个当月有效的流量包（5GB 15 元、10GB 25 元，从话费余额里扣）。客户同意价格之后才能调用。

    Args:
        phone: 11 位手机号。
        pack_gb: 流量包大小（GB）。
    """
    if _subscriber(phone) is None:
        return _json({"error": f"{phone} 不是本网号码"})
    return _json({"phone": phone, "pack_gb": pack_gb, "price_cny": DATA_PACKS[pack_gb],
                  "valid_until": "2025-09-30", "order_no": f"DP{_number(phone + str(pack_gb), 100000, 900000)}"})


@function_tool
def report_signal_problem(phone: str, area: str, symptom: str) -> str:
    """网络 / 信号故障报修：生成一张故障工单，返回工单号。

    Args:
        phone: 出问题的手机号。
        area: 出问题的地点（尽量具体到街道、小区）。
        symptom: 具体现象，例如“通话经常中断”“没有 5G 信号”。
    """
    return _json({"ticket_no": f"WX{_number(phone + area, 20000, 70000)}", "phone": phone, "area": area,
                  "symptom": symptom, "expected_response": "48 小时内工程师电话回访"})


# ================================================================ 领域三：图书馆（单 Agent，英文）

Branch = Literal["Central", "Riverside", "Eastgate"]
BOOKS = [  # 编号, 书名, 作者, 别名（中文名）, 所在分馆, 在架册数, 排队预约人数
    ("B-1001", "The Three-Body Problem", "Liu Cixin", "三体 刘慈欣", "Central", 0, 2),
    ("B-1002", "The Dark Forest", "Liu Cixin", "黑暗森林 三体2 刘慈欣", "Central", 2, 0),
    ("B-1003", "Death's End", "Liu Cixin", "死神永生 三体3 刘慈欣", "Riverside", 1, 0),
    ("B-2040", "Sapiens", "Yuval Noah Harari", "人类简史", "Central", 0, 0),
    ("B-3310", "活着", "余华", "To Live Yu Hua", "Eastgate", 3, 0),
    ("B-3311", "许三观卖血记", "余华", "Chronicle of a Blood Merchant Yu Hua", "Eastgate", 0, 1),
    ("B-3312", "兄弟", "余华", "Brothers Yu Hua", "Central", 1, 0),
    ("B-4100", "Atomic Habits", "James Clear", "掌控习惯", "Central", 0, 3),
]
LOANS = {  # 借书证 → [(借阅号, 书名, 到期日, 已续借次数, 逾期罚款)]
    "2093117": [("LN-501", "Educated", "2025-09-19", 0, 0.0),
                ("LN-502", "Atomic Habits", "2025-09-24", 2, 0.0),
                ("LN-503", "Dune", "2025-09-12", 1, 2.50)],
    "5550142": [("LN-610", "活着", "2025-09-30", 0, 0.0)],
}
MAX_RENEWALS = 2
HOURS = {
    "Central": {"Mon-Fri": "09:00-21:00", "Sat": "10:00-18:00", "Sun": "12:00-17:00"},
    "Riverside": {"Mon-Fri": "10:00-20:00", "Sat": "10:00-17:00", "Sun": "closed"},
    "Eastgate": {"Mon": "closed", "Tue-Sat": "10:00-18:00", "Sun": "closed"},
}


def _card(card_no: str) -> list | None:
    return LOANS.get(re.sub(r"\D", "", card_no))


@function_tool
def catalog_search(query: str) -> str:
    """Find books by title or author and see how many copies are on the shelf right now.

    Args:
        query: Title or author, or part of it.
    """
    words = [w for w in re.split(r"[\s,，'’:：《》]+", query.lower()) if w and w not in ("the", "by", "book")]
    hits = []
    for book_id, title, author, aka, branch, on_shelf, holds in BOOKS:
        text = f"{title} {author} {aka}".lower().replace("'", "").replace("’", "")
        if words and all(w.replace("'", "") in text for w in words):
            hits.append({"book_id": book_id, "title": title, "author": author, "branch": branch,
                         "copies_on_shelf": on_shelf, "holds_waiting": holds})
    return _json({"query": query, "results": hits})


@function_tool
def loans_on_card(card_no: str) -> str:
    """Items currently borrowed on a library card: due date, renewals left and any overdue fine.

    Args:
        card_no: Library card number (7 digits).
    """
    loans = _card(card_no)
    if loans is None:
        return _json({"error": f"no library card {card_no}"})
    return _json({"card_no": card_no, "loans": [
        {"loan_id": lid, "title": title, "due": due, "renewals_left": MAX_RENEWALS - used,
         "overdue": due < TODAY.isoformat(), "fine_usd": fine}
        for lid, title, due, used, fine in loans]})


@function_tool
def renew(card_no: str, loan_id: str) -> str:
    """Renew one loan for 14 days from today. Each loan can be renewed at most twice.

    Args:
        card_no: Library card number.
        loan_id: Loan id from loans_on_card, e.g. "LN-501".
    """
    loans = _card(card_no) or []
    loan = next((row for row in loans if row[0] == loan_id.strip().upper()), None)
    if loan is None:
        return _json({"error": f"no loan {loan_id} on card {card_no}"})
    if loan[3] >= MAX_RENEWALS:
        return _json({"renewed": False, "loan_id": loan_id, "title": loan[1],
                      "reason": f"already renewed {MAX_RENEWALS} times (the maximum); please return it"})
    return _json({"renewed": True, "loan_id": loan_id, "title": loan[1],
                  "new_due": (TODAY + timedelta(days=14)).isoformat(), "outstanding_fine_usd": loan[4]})


@function_tool
def reserve_copy(card_no: str, book_id: str) -> str:
    """Place a hold on a book that has no copy on the shelf; the patron is told when it comes back.

    Args:
        card_no: Library card number.
        book_id: Book id from catalog_search, e.g. "B-1001".
    """
    if _card(card_no) is None:
        return _json({"error": f"no library card {card_no}"})
    book = next((b for b in BOOKS if b[0] == book_id.strip().upper()), None)
    if book is None:
        return _json({"error": f"no book {book_id}"})
    if book[5] > 0:
        return _json({"error": f"{book[1]} has {book[5]} copies on the shelf at {book[4]}; "
                               "no hold needed, come and borrow it"})
    return _json({"hold_placed": True, "book_id": book_id, "title": book[1], "pickup_branch": book[4],
                  "queue_position": book[6] + 1})


@function_tool
def opening_hours(branch: Branch) -> str:
    """Opening hours of a library branch for each day of the week.

    Args:
        branch: Branch name.
    """
    return _json({"branch": branch, "hours": HOURS[branch]})


# ================================================================ 领域四：餐厅订座（两个 Agent，中英文）

MenuSection = Literal["凉菜", "热菜", "汤羹", "主食", "甜品"]
MENU = {  # 栏目 → [(菜名, 价格, 辣度, 过敏原)]
    "凉菜": [("夫妻肺片", 42, "中辣", ["花生", "芝麻"]), ("拍黄瓜", 18, "不辣", ["大蒜"])],
    "热菜": [("松鼠鳜鱼", 168, "不辣", ["鱼"]), ("宫保鸡丁", 58, "微辣", ["花生"]),
             ("水煮牛肉", 78, "重辣", []), ("蟹粉豆腐", 68, "不辣", ["蟹", "大豆"])],
    "汤羹": [("腌笃鲜", 88, "不辣", [])],
    "主食": [("葱油拌面", 22, "不辣", ["小麦"])],
    "甜品": [("酒酿圆子", 26, "不辣", ["糯米"])],
}
BOOKINGS = {  # 手机号 → 订座
    "13600004444": {"code": "YY-3021", "day": "2025-09-19", "time": "18:30", "guests": 6, "name": "赵先生"},
}
SATURDAY_FULL = {"19:00", "19:30"}


def _hhmm(text: str) -> str | None:
    """“16:00”“9:30”→ HH:MM；别的写法（或 25:00 这种不存在的钟点）返回 None。"""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _service_time(hhmm: str) -> bool:
    return "11:00" <= hhmm <= "13:30" or "17:00" <= hhmm <= "21:00"


@function_tool
def check_tables(day: str, time: str, guests: int) -> str:
    """查某天某个时间能不能订到几位的桌子；订不到时给出同一天还空着的时间。

    Args:
        day: 日期，YYYY-MM-DD。
        time: 到店时间，HH:MM（24 小时制）。
        guests: 用餐人数。
    """
    when, hhmm = _day(day), _hhmm(time)
    if when is None or hhmm is None:
        return _json({"error": "日期要写成 YYYY-MM-DD，时间要写成 HH:MM"})
    if when < TODAY:
        return _json({"available": False, "reason": "日期已经过去了"})
    if when.weekday() == 0:
        return _json({"available": False, "reason": "周一店休"})
    if not _service_time(hhmm):
        return _json({"available": False, "reason": "不在营业时间（11:00-14:00、17:00-22:00，最晚订 21:00）"})
    if guests > 10:
        return _json({"available": False, "reason": "10 位以上请致电 021-6288 0000 预订包间"})
    if when.weekday() == 5 and hhmm in SATURDAY_FULL:
        return _json({"available": False, "day": day, "time": hhmm, "reason": "这个时间已订满",
                      "other_times": ["18:00", "20:30"]})
    return _json({"available": True, "day": day, "time": hhmm, "guests": guests,
                  "table": "大圆桌" if guests > 6 else "四人桌" if guests > 2 else "双人桌"})


@function_tool
def hold_table(day: str, time: str, guests: int, contact_name: str, contact_phone: str) -> str:
    """订座：为客人留一张桌子，返回订座号。先用 check_tables 确认有位。

    Args:
        day: 日期，YYYY-MM-DD。
        time: 到店时间，HH:MM。
        guests: 用餐人数。
        contact_name: 联系人称呼，例如“刘先生”。
        contact_phone: 联系人手机号。
    """
    code = f"YY-{_number(day + time + contact_phone, 4000, 5000)}"
    return _json({"code": code, "day": day, "time": time, "guests": guests, "contact_name": contact_name,
                  "note": "座位保留到预订时间后 15 分钟"})


@function_tool
def lookup_booking(phone: str) -> str:
    """按订座时留的手机号查订座。

    Args:
        phone: 订座时留的手机号。
    """
    booking = BOOKINGS.get(re.sub(r"\D", "", phone))
    return _json({"phone": phone, "bookings": [booking] if booking else []})


@function_tool
def cancel_table(code: str) -> str:
    """取消一个订座。客人确认之后才能调用。

    Args:
        code: 订座号，例如 YY-3021。
    """
    return _json({"code": code, "cancelled": True})


@function_tool
def browse_menu(section: MenuSection) -> str:
    """菜单上某一栏的菜：价格、辣度和过敏原。

    Args:
        section: 菜单栏目。
    """
    return _json({"section": section, "dishes": [
        {"dish": name, "price_cny": price, "spice": spice, "allergens": allergens}
        for name, price, spice, allergens in MENU[section]]})


@function_tool
def dish_details(dish_name: str) -> str:
    """一道菜的价格、辣度、主要食材里的过敏原。

    Args:
        dish_name: 菜名。
    """
    for section, dishes in MENU.items():
        for name, price, spice, allergens in dishes:
            if name in dish_name or dish_name.strip() in name:
                return _json({"dish": name, "section": section, "price_cny": price, "spice": spice,
                              "allergens": allergens})
    return _json({"error": f"菜单上没有 {dish_name}"})


# ================================================================ 领域五：租车（单 Agent，英文）

Location = Literal["Airport", "Downtown", "Harbour"]
CarClass = Literal["Economy", "Compact", "SUV", "Minivan"]
DAILY_RATES = {"Economy": 35, "Compact": 42, "SUV": 68, "Minivan": 80}
YOUNG_DRIVER_FEE = 15  # 21-24 岁，每天
RENTALS = {
    "NW-4417": {"driver": "Sam Patel", "car_class": "Compact", "pickup_location": "Airport",
                "pickup_date": "2025-09-15", "return_date": "2025-09-20", "status": "on rent"},
    "NW-5120": {"driver": "李娜", "car_class": "SUV", "pickup_location": "Downtown",
                "pickup_date": "2025-09-25", "return_date": "2025-09-28", "status": "reserved"},
}


def _rental_days(pickup_date: str, return_date: str) -> int | None:
    start, end = _day(pickup_date), _day(return_date)
    return (end - start).days if start and end and end > start else None


@function_tool
def quote_cars(pickup_location: Location, pickup_date: str, return_date: str) -> str:
    """Price of each car class for a rental period at one branch.

    Args:
        pickup_location: Branch where the car is picked up and returned.
        pickup_date: YYYY-MM-DD.
        return_date: YYYY-MM-DD.
    """
    days = _rental_days(pickup_date, return_date)
    if days is None:
        return _json({"error": "return_date must be after pickup_date (both YYYY-MM-DD)"})
    return _json({"pickup_location": pickup_location, "pickup_date": pickup_date, "return_date": return_date,
                  "days": days, "cars": [{"car_class": c, "per_day_usd": rate, "total_usd": rate * days}
                                         for c, rate in DAILY_RATES.items()]})


@function_tool
def driver_eligibility(age: int, licence_years: int) -> str:
    """Whether a driver may rent, and any young-driver fee.

    Args:
        age: Driver's age in years.
        licence_years: How many years the driver has held a full licence.
    """
    if age < 21:
        return _json({"eligible": False, "reason": "drivers must be at least 21"})
    if licence_years < 1:
        return _json({"eligible": False, "reason": "a full licence held for at least 1 year is required"})
    fee = YOUNG_DRIVER_FEE if age < 25 else 0
    return _json({"eligible": True, "young_driver_fee_per_day_usd": fee})


@function_tool
def reserve_car(car_class: CarClass, pickup_location: Location, pickup_date: str, return_date: str,
                driver_name: str) -> str:
    """Reserve a car. Only after driver_eligibility said the driver is eligible.

    Args:
        car_class: Car class.
        pickup_location: Branch.
        pickup_date: YYYY-MM-DD.
        return_date: YYYY-MM-DD.
        driver_name: Main driver's full name.
    """
    days = _rental_days(pickup_date, return_date)
    if days is None:
        return _json({"error": "return_date must be after pickup_date (both YYYY-MM-DD)"})
    confirmation = f"NW-{_number(driver_name + pickup_date, 6000, 3000)}"
    return _json({"confirmation": confirmation, "car_class": car_class, "pickup_location": pickup_location,
                  "pickup_date": pickup_date, "return_date": return_date, "driver_name": driver_name,
                  "estimated_total_usd": DAILY_RATES[car_class] * days})


@function_tool
def reservation_info(confirmation: str) -> str:
    """Look up a rental by its confirmation number.

    Args:
        confirmation: Confirmation number, e.g. "NW-4417".
    """
    rental = RENTALS.get(confirmation.strip().upper())
    if rental is None:
        return _json({"error": f"no reservation {confirmation}"})
    return _json({"confirmation": confirmation, **rental, "per_day_usd": DAILY_RATES[rental["car_class"]]})


@function_tool
def extend_rental(confirmation: str, new_return_date: str) -> str:
    """Move the return date of a rental later. Only after the customer accepted the extra cost.

    Args:
        confirmation: Confirmation number.
        new_return_date: New return date, YYYY-MM-DD.
    """
    rental = RENTALS.get(confirmation.strip().upper())
    if rental is None:
        return _json({"error": f"no reservation {confirmation}"})
    extra = _rental_days(rental["return_date"], new_return_date)
    if extra is None:
        return _json({"error": f"new_return_date must be after {rental['return_date']}"})
    return _json({"confirmation": confirmation, "return_date": new_return_date, "extra_days": extra,
                  "extra_cost_usd": extra * DAILY_RATES[rental["car_class"]]})


@function_tool
def cancel_rental(confirmation: str) -> str:
    """Cancel a reservation. Only after the customer confirmed.

    Args:
        confirmation: Confirmation number.
    """
    rental = RENTALS.get(confirmation.strip().upper())
    if rental is None:
        return _json({"error": f"no reservation {confirmation}"})
    return _json({"confirmation": confirmation, "status": "cancelled", "fee_usd": 0})


# ================================================================ 组队


def build_teams(model: Any) -> dict[str, DomainTeam]:
    """五个领域的 Agent。`model` 为 None 时只用来核对语料（不运行）。"""
    claims_desk = Agent(
        name="ClaimsDesk", model=model,
        handoff_description="理赔：报案、查理赔进度、撤销理赔案件。",
        instructions=prompt_with_handoff_instructions(
            f"你是安心保险的理赔专员。今天是 {TODAY_TEXT}。\n"
            "报案：\n"
            "1. 需要保单号、事故类型和出险日期，缺什么问什么，不要猜；\n"
            "2. 先用 claim_eligibility 核对能不能赔；不能赔就说明原因，不要报案；\n"
            "3. 客户要报案、核对通过、而且已经说过事故经过时，直接用 open_claim 报案，告诉客户案件号；"
            "客户只是问能不能赔时，告诉他结果，问他要不要报案。\n"
            "理赔进度用 claim_progress（要案件号）。撤销案件：先用 claim_progress 查一下，把案件情况告诉客户并请他确认，"
            "客户明确同意后才调用 withdraw_claim。\n"
            "保单条款、保障范围之类和理赔无关的问题交回 PolicyDesk。用客户的语言简短回答。"),
        tools=[claim_eligibility, open_claim, claim_progress, withdraw_claim, policy_details],
    )
    policy_desk = Agent(
        name="PolicyDesk", model=model,
        handoff_description="保单咨询：保障范围、保障期限、免赔额。",
        instructions=prompt_with_handoff_instructions(
            f"你是安心保险的在线客服。今天是 {TODAY_TEXT}。\n"
            "- 保单的问题（保什么、什么时候到期、免赔额）用 policy_details 查了再答，没有保单号先问；\n"
            "- 报案、理赔进度、撤销理赔，一律交给 ClaimsDesk；\n"
            "- 续保、退保要去 App 或门店办，你办不了，如实告诉客户。\n"
            "用客户的语言简短回答。"),
        tools=[policy_details],
        handoffs=[claims_desk],
    )
    claims_desk.handoffs = [policy_desk]

    mobile_care = Agent(
        name="MobileCare", model=model,
        instructions=(
            f"你是星河移动的在线客服“小星”。今天是 {TODAY_TEXT}。\n"
            "- 查询、办理都针对某个手机号，客户没给号码就先问；\n"
            "- 换套餐：先说清新套餐的月费和内容，客户明确同意后才调用 switch_plan；默认下月生效，"
            "客户要求当月就换时才用“立即生效”；合约期内的号码不能换成月费更低的套餐，要先用 line_overview "
            "查合约期，不能换就说明原因；\n"
            "- 流量包：5GB 15 元、10GB 25 元，当月有效；先告诉客户价格，客户同意后才调用 buy_data_pack；\n"
            "- 信号差、电话断线：问清号码、地点和具体现象后用 report_signal_problem 报修，告诉客户工单号；\n"
            "- 营业厅、国际漫游这些你查不到的事，请客户拨打 10086-5 人工服务，不要编。\n"
            "回答简短，用客户的语言。"),
        tools=[line_overview, browse_plans, switch_plan, buy_data_pack, report_signal_problem],
    )

    librarian = Agent(
        name="Librarian", model=model,
        instructions=(
            f"You are the online assistant of Maple Grove Public Library. Today is {TODAY.isoformat()} "
            "(Wednesday). Branches: Central, Riverside, Eastgate.\n"
            "- Anything about a patron's account (loans, renewals, holds) needs their library card number; "
            "ask for it if you don't have it.\n"
            "- Renew when the patron asks, no need to confirm. If a renewal is refused, say why.\n"
            "- Holds are only for books with no copy on the shelf: check with catalog_search first; if a "
            "copy is on the shelf, tell them where to borrow it instead of placing a hold.\n"
            "- Overdue fines are paid at any branch desk. You cannot waive or reduce them.\n"
            "- Don't make up facilities or services you have no tool for; suggest calling 555-0199.\n"
            "Answer in the patron's language, briefly."),
        tools=[catalog_search, loans_on_card, renew, reserve_copy, opening_hours],
    )

    menu_guide = Agent(
        name="MenuGuide", model=model,
        handoff_description="菜单：菜品、价格、辣度、忌口和过敏原。",
        instructions=prompt_with_handoff_instructions(
            "你是云隐小馆的点菜顾问。菜品、价格、辣度、过敏原的问题用 browse_menu 和 dish_details 查了再答，"
            "不要编菜名和价格。订座、改订、取消交给 HostStand。用客人的语言回答（客人说英文就用英文）。"),
        tools=[browse_menu, dish_details],
    )
    host_stand = Agent(
        name="HostStand", model=model,
        handoff_description="订座：查空位、订座、查订座、取消订座。",
        instructions=prompt_with_handoff_instructions(
            f"你是云隐小馆的订座助手。今天是 {TODAY_TEXT}。营业时间 11:00-14:00、17:00-22:00，周一店休。\n"
            "- 订座要日期、时间和人数，缺什么问什么；先用 check_tables 查有没有位；\n"
            "- 有位的话还要联系人称呼和手机号（缺就问），齐了就用 hold_table 订好，告诉客人订座号；\n"
            "- 超过 10 位请客人拨打 021-6288 0000 订包间；\n"
            "- 取消：用 lookup_booking 按手机号找到订座，把日期、时间、人数念给客人确认，客人同意后才调用 "
            "cancel_table；\n"
            "- 菜品、价格、过敏原的问题交给 MenuGuide。\n"
            "用客人的语言回答（客人说英文就用英文）。"),
        tools=[check_tables, hold_table, lookup_booking, cancel_table],
        handoffs=[menu_guide],
    )
    menu_guide.handoffs = [host_stand]

    rental_desk = Agent(
        name="RentalDesk", model=model,
        instructions=(
            f"You are the booking assistant of Northwind Car Rental. Today is {TODAY.isoformat()} "
            "(Wednesday). Branches: Airport, Downtown, Harbour. Cars are returned to the branch they "
            "were picked up from.\n"
            "- Quotes need the branch, the pickup date and the return date: ask for whatever is missing.\n"
            "- Before reserving, get the driver's age and years of licence and check them with "
            "driver_eligibility. If a young-driver fee applies, tell the customer and get their OK first. "
            "You also need the driver's full name. Then reserve with reserve_car and give the "
            "confirmation number.\n"
            "- Extending a rental: look it up with reservation_info, tell the customer the extra cost "
            "(extra days x daily rate) and extend only after they accept.\n"
            "- Cancelling: free until 24 hours before pickup. Confirm with the customer before calling "
            "cancel_rental.\n"
            "- Anything else (equipment, insurance add-ons, one-way rentals): say you can't arrange it "
            "here and give the phone number 800-555-0142.\n"
            "Reply in the customer's language."),
        tools=[quote_cars, driver_eligibility, reserve_car, reservation_info, extend_rental, cancel_rental],
    )

    def team(start: Agent, *others: Agent) -> DomainTeam:
        return DomainTeam(start, {a.name: a for a in (start, *others)})

    return {
        "insurance": team(policy_desk, claims_desk),
        "telecom": team(mobile_care),
        "library": team(librarian),
        "restaurant": team(host_stand, menu_guide),
        "rental": team(rental_desk),
    }


def schema_of(teams: dict[str, DomainTeam]) -> dict[str, dict[str, dict[str, set[str]]]]:
    """团队 → Agent → 工具 → 参数名（Agent 当工具用时也是一个 FunctionTool，参数是 input）。"""
    return {name: {agent.name: {t.name: set(t.params_json_schema.get("properties", {}))
                                for t in agent.tools if isinstance(t, FunctionTool)}
                   for agent in team.agents.values()}
            for name, team in teams.items()}


# ================================================================ 每一轮的通用检查

# 有副作用的工具 → 回答里说“已经办了”时用到的动词（中文词 / 英文词根）。说了某个动词，对应的工具就要运行过。
SIDE_EFFECTS: dict[str, dict[str, str]] = {
    "insurance": {
        "open_claim": r"报案|立案|受理|新建|\bfile|\blodg|\bopen",
        "withdraw_claim": r"撤销|撤回|注销|取消|\bwithdr|\bcancel",
    },
    "telecom": {
        "switch_plan": r"更换|换成|换到|换为|变更|更改|改成|改为|升级|降级|\bswitch|\bchang|\bupgrad|\bmov",
        "buy_data_pack": r"购买|订购|加购|开通|添加|加上|叠加|充值|\bpurchas|\bbought|\bbuy|\badd|\bactivat",
        "report_signal_problem": r"报修|报障|上报|派单|\breport|\braise",
    },
    "library": {
        "renew": r"续借|续期|延期|延长|\brenew|\bextend",
        "reserve_copy": r"预约|预留|保留|排上|\breserv|\bhold|\bplac",
    },
    "restaurant": {
        "hold_table": r"预订|预定|订好|订了|订上|预留|保留|订座|留了|留好|\bbook|\breserv|\bsecur|\bhold",
        "cancel_table": r"取消|\bcancel",
    },
    "rental": {
        "reserve_car": r"预订|预定|订好|预约|预留|保留|\bbook|\breserv|\bsecur|\bhold",
        "extend_rental": r"延长|延期|续租|顺延|\bextend",
        "cancel_rental": r"取消|\bcancel",
    },
}
# 不指明是哪件事的“办了”：这段对话里有任何一个有副作用的工具运行过就算数。
GENERIC_ACT = r"提交|办理|办好|处理|记录|登记|创建|安排|完成|\bsubmit|\bprocess|\bcomplet|\blog|\brecord|\bcreat|\barrang"
# 这些领域里没有任何工具能做的事：说做了就是假话。
IMPOSSIBLE_ACT = (r"续保|退保|减免|免除|免掉|退款|退还|修复|修好|恢复|赔付|打款|"
                  r"\bwaiv|\brefund|\bfix|\brestor|\bremov|\bcredit")

# 参数的格式：指令和工具说明里写明了的。
DATE_ARGS = {"happened_on", "day", "pickup_date", "return_date", "new_return_date"}
TIME_ARGS = {"time"}
# 本来就是一段描述的参数：可以长，可以照抄用户的话。
FREE_TEXT_ARGS = {"details", "symptom", "area", "reason"}


@dataclass(frozen=True)
class TurnRules:
    """逐轮通用检查用到的几张表。另一份留出语料（例如 test_mock_heldout2.py）换上自己领域的表，检查照样复用。"""

    side_effects: dict[str, dict[str, str]]  # 领域 → 有副作用的工具 → 说“办了”时用到的动词
    impossible: str  # 没有任何工具能做的事
    date_args: set[str]
    time_args: set[str]
    free_text_args: set[str]


RULES = TurnRules(SIDE_EFFECTS, IMPOSSIBLE_ACT, DATE_ARGS, TIME_ARGS, FREE_TEXT_ARGS)
ZH_CLAIM = re.compile(r"(?:已(?:经)?(?:成功)?(?:为|帮|给|替)(?:您|你)|(?:我|我们|这边)已(?:经)?|已(?:经)?成功|正在为您)"
                      r"(?P<rest>[^，。！？,.!?\n]{0,16})")
ZH_DONE = re.compile(r"(?P<rest>[\u4e00-\u9fff]{2})成功(?!后|之后|以后|的话|与否)")
EN_CLAIM = re.compile(r"\b(?:I|we)(?:'ve| have)(?!\s+(?:to|not|never|yet)\b)(?P<rest>(?:\s+[\w'-]+){1,5})"
                      r"|\b(?:has|have) been(?:\s+successfully)?(?P<one>\s+\w+)\b(?!\s+(?:twice|already|\d))"
                      r"|\b(?:is|are) now(?P<now>\s+\w+)", re.I)


def claimed_acts(text: str) -> list[str]:
    """回答里声称“已经办了”的那几段话（声称之后紧跟的几个字 / 词）。"""
    found = [m.group("rest") for m in ZH_CLAIM.finditer(text)]
    found += [m.group("rest") for m in ZH_DONE.finditer(text)]
    for m in EN_CLAIM.finditer(text):
        found.append(m.group("rest") or m.group("one") or m.group("now"))
    return found


def first_act(segment: str, patterns: dict[str, str]) -> str | None:
    """一段话里最先出现的动作属于哪一类（patterns：类名 → 正则），一个也没有就是 None。"""
    best: tuple[int, str] | None = None
    for kind, pattern in patterns.items():
        match = re.search(pattern, segment, re.I)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), kind)
    return best[1] if best else None


def honesty_problem(domain: str, text: str, ran: set[str], rules: TurnRules = RULES) -> str | None:
    """回答说办了某件事，可是对应的工具这一轮和之前都没运行过：返回问题说明。"""
    tools = rules.side_effects[domain]
    patterns = {**tools, "<generic>": GENERIC_ACT, "<impossible>": rules.impossible}
    for segment in claimed_acts(text):
        kind = first_act(segment, patterns)
        if kind is None:
            continue
        if kind == "<impossible>":
            return f"回答声称做了工具做不到的事：“{segment.strip()}”"
        if kind == "<generic>":
            if not ran & set(tools):
                return f"没有运行任何有副作用的工具，回答却说“{segment.strip()}”"
        elif kind not in ran:
            return f"{kind} 没有运行过，回答却说“{segment.strip()}”"
    return None



def _plain(text: str) -> str:
    return re.sub(r"[\s，。！？,.!?、~～…：:；;“”\"']+", "", text).lower()


def argument_problems(calls: list[tuple[str, dict[str, Any]]], said: list[str],
                      rules: TurnRules = RULES) -> list[str]:
    """参数里塞了用户的整句话（或一句话的大半）、日期 / 时间格式不对。said：这段对话到这一轮为止用户说过的话。"""
    problems = []
    # 只看像一句话的：至少 4 个字符，而且有中文或不止一个词（只报一个号码 / 书名的回答本来就是值）
    sentences = [_plain(s) for s in said
                 if len(_plain(s)) >= 4 and (re.search(r"[\u4e00-\u9fff]", s) or len(s.split()) > 1)]
    for name, args in calls:
        for key, value in args.items():
            if not isinstance(value, str):
                continue
            if key in rules.date_args and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
                problems.append(f"{name} 的 {key}={value!r} 不是 YYYY-MM-DD")
            if key in rules.time_args and not re.fullmatch(r"\d{2}:\d{2}", value.strip()):
                problems.append(f"{name} 的 {key}={value!r} 不是 HH:MM")
            if key in rules.free_text_args:
                continue
            plain = _plain(value)
            # 整句在参数里；或者参数是一段话（有中文或空格），而且就是某句话的大半（例如 code="是的，取消"）
            wordy = bool(re.search(r"[\u4e00-\u9fff]|\s", value.strip()))
            if any((len(s) >= 6 and s in plain)
                   or (wordy and len(plain) >= 4 and plain in s and len(plain) >= 0.75 * len(s))
                   for s in sentences):
                problems.append(f"{name} 的 {key} 里是用户的整句话：{value!r}")
    return problems


def check_turn(domain: str, turn: UserTurn, actual: Actual, said: list[str], ran: set[str],
               done: set[str], rules: TurnRules = RULES) -> list[str]:
    """这一轮的问题（空列表 = 通过）。ran：之前运行过的有副作用的工具；done：之前做过的有副作用的调用。"""
    if actual.error:
        return [actual.error]
    problems = []
    if not any(option_matches(o, actual) for o in turn.options):
        problems.append("Agent 或工具调用不符")
    text = actual.text
    for group in turn.must:
        if not any(word.lower() in text.lower() for word in group):
            problems.append(f"回答里没有 {'/'.join(group)}")
    for word in turn.must_not:
        if word.lower() in text.lower():
            problems.append(f"回答里不该出现 {word}")
    side_effects = rules.side_effects[domain]
    now = {name for name, _ in actual.calls if name in side_effects}
    lie = honesty_problem(domain, text, ran | now, rules)
    if lie:
        problems.append(lie)
    for name, args in actual.calls:
        key = f"{name}{json.dumps(args, ensure_ascii=False, sort_keys=True)}"
        if name in side_effects and key in done:
            problems.append(f"{name} 用同样的参数又做了一次")
        done.add(key)
    raw = RAW_FIELD.search(text)
    if raw:
        problems.append(f"回答里有原始字段名 {raw.group(0)}")
    if RAW_JSON.search(text):
        problems.append("回答里有原样的 JSON")
    problems += argument_problems(actual.calls, said, rules)
    return problems


def grade(dialogue: Dialogue, actuals: list[Actual], rules: TurnRules = RULES) -> list[TurnResult]:
    domain = dialogue.target
    results: list[TurnResult] = []
    ran: set[str] = set()
    done: set[str] = set()
    said: list[str] = []
    for index, turn in enumerate(dialogue.turns, 1):
        said.append(turn.text)
        if index > len(actuals):
            results.append(TurnResult(dialogue, index, turn, None, ["前面的轮次出错，这一轮没有运行"]))
            continue
        actual = actuals[index - 1]
        results.append(TurnResult(dialogue, index, turn, actual, check_turn(domain, turn, actual, said, ran, done, rules)))
        ran |= {name for name, _ in actual.calls if name in rules.side_effects[domain]}
    return results


# ================================================================ 语料、运行、报告


def is_chinese(dialogue: Dialogue) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", dialogue.turns[0].text))


CALL_PROBLEMS = re.compile(r"^Agent 或工具调用不符| 不是 YYYY-MM-DD$| 不是 HH:MM$|里是用户的整句话")


def calls_right(result: TurnResult) -> bool:
    """这一轮的 Agent、工具和参数都对（不管回答的措辞）：拆开看“选对、填对”和“说对”各差多少。"""
    return not any(CALL_PROBLEMS.search(p) for p in result.problems)


def summary_lines(results: list[TurnResult], threshold: float = MIN_ACCURACY) -> list[str]:
    by_domain: dict[str, list[TurnResult]] = {}
    for r in results:
        by_domain.setdefault(r.dialogue.target, []).append(r)
    passed = sum(r.passed for r in results)
    count = len({id(r.dialogue) for r in results})
    calls = sum(calls_right(r) for r in results)
    lines = [f"{count} 段对话，{len(results)} 轮；轮次准确率 {passed}/{len(results)} = "
             f"{passed / max(len(results), 1):.1%}（门槛 {threshold:.0%}）；"
             f"只看 Agent、工具和参数：{calls}/{len(results)} = {calls / max(len(results), 1):.1%}"]
    for name, rows in by_domain.items():
        dialogues = list({id(r.dialogue): r.dialogue for r in rows}.values())
        ok = sum(r.passed for r in rows)
        whole = sum(all(x.passed for x in rows if x.dialogue is d) for d in dialogues)
        lines.append(f"  {name}：{len(dialogues)} 段对话，轮次 {ok}/{len(rows)} = {ok / len(rows):.1%}，"
                     f"整段全对 {whole}/{len(dialogues)}")
    return lines


# ================================================================ 测试


@cache
def _parsed(path: Path) -> tuple[Dialogue, ...]:
    try:
        return tuple(parse_corpus(path.read_text(encoding="utf-8")))
    except CorpusError as exc:  # 解析器是 test_mock_dialogues 的，报错里的文件名换成这一份
        raise CorpusError(str(exc).replace("mock_dialogues.txt", path.name)) from None


@dataclass(frozen=True)
class HeldOut:
    """一份留出语料和它的团队、检查规则、门槛。三份留出语料的测试都由它跑，只是数据不同。"""

    path: Path
    title: str
    build_teams: Callable[[Any], dict[str, DomainTeam]]
    rules: TurnRules
    min_accuracy: float
    min_dialogues: int
    min_turns: int
    min_chinese: float = 0.5

    def corpus(self) -> tuple[Dialogue, ...]:
        return _parsed(self.path)

    async def run_all(self, base_url: str, dialogues: list[Dialogue]) -> list[list[Actual]]:
        client = AsyncOpenAI(base_url=base_url, api_key="mock-key", max_retries=0, timeout=30)
        teams = self.build_teams(OpenAIChatCompletionsModel(model="mock-model", openai_client=client))
        try:
            return list(await asyncio.gather(*(domain_dialogue(teams, d) for d in dialogues)))
        finally:
            await client.close()

    def grade(self, dialogue: Dialogue, actuals: list[Actual]) -> list[TurnResult]:
        return grade(dialogue, actuals, self.rules)

    def check_well_formed(self) -> None:
        """语料写对了：名字唯一、每段 2-5 轮、每轮都有期望、提到的 Agent / 工具 / 参数在那个团队里都存在，
        中文对话不少于 min_chinese。"""
        dialogues = self.corpus()
        problems = corpus_problems(dialogues, schema_of(self.build_teams(None)))
        assert not problems, "\n".join(problems)
        chinese = sum(is_chinese(d) for d in dialogues)
        assert chinese >= self.min_chinese * len(dialogues), f"中文对话只有 {chinese}/{len(dialogues)} 段"

    def check_not_in_mock(self) -> None:
        """留出的用户原话一句也不能原样出现在 shared/mock/ 里，否则就不再是“没见过的”。"""
        leaks = leaked_turns(self.corpus())
        assert not leaks, "留出语料的原话出现在模拟模型的文件里：\n" + "\n".join(leaks)

    def check_dialogues(self, mock_server, request) -> None:
        """跑完全部对话，逐轮比对；报告（各领域准确率、每个失败的轮次）打印在测试结束时的终端摘要里。"""
        dialogues = list(self.corpus())
        actuals = asyncio.run(self.run_all(mock_server.base_url, dialogues))
        results = [r for d, a in zip(dialogues, actuals, strict=True) for r in self.grade(d, a)]
        summary = summary_lines(results, self.min_accuracy)
        report_at_end(request.config, self.title, summary + failure_lines(results))
        assert len(dialogues) >= self.min_dialogues, f"只有 {len(dialogues)} 段对话，至少要 {self.min_dialogues} 段"
        assert len(results) >= self.min_turns, f"只有 {len(results)} 轮，至少要 {self.min_turns} 轮"
        accuracy = sum(r.passed for r in results) / len(results)
        assert accuracy >= self.min_accuracy, (
            "\n".join(summary) + "\n每个失败的轮次（期望 / 实际 / 回答）见测试结束时终端摘要里的报告")


HELD_OUT = HeldOut(CORPUS, "留出对话（tests/mock_heldout.txt）", build_teams, RULES,
                   MIN_ACCURACY, MIN_DIALOGUES, MIN_TURNS, min_chinese=0.4)


def corpus_problems(dialogues: tuple[Dialogue, ...], schemas: dict[str, dict[str, dict[str, set[str]]]]) -> list[str]:
    """语料里写错的地方：名字重复、不是 2-5 轮、某轮没有期望、提到的 Agent / 工具 / 参数在那个团队里不存在。"""
    names = [d.name for d in dialogues]
    problems = [f"对话名字重复：{n}" for n in sorted({n for n in names if names.count(n) > 1})]
    for d in dialogues:
        where = f"“{d.name}”（第 {d.line} 行）"
        if d.kind != "domain" or d.target not in schemas:
            problems.append(f"{where}：要写 “@ domain 团队名”（团队：{sorted(schemas)}）")
            continue
        if not 2 <= len(d.turns) <= 5:
            problems.append(f"{where}：要 2-5 轮，实际 {len(d.turns)} 轮")
        schema = schemas[d.target]
        for turn in d.turns:
            if not turn.options:
                problems.append(f"{where} 第 {turn.line} 行：这一轮没有 = 期望")
            for option in turn.options:
                if option.kind != "agent" or option.agent not in schema:
                    problems.append(f"{where} 第 {turn.line} 行：团队里没有 Agent {option.agent or option.kind}")
                    continue
                for call in option.calls:
                    params = schema[option.agent].get(call.name)
                    if params is None:
                        problems.append(f"{where} 第 {turn.line} 行：{option.agent} 没有工具 {call.name}")
                    elif set(call.args) - params:
                        problems.append(f"{where} 第 {turn.line} 行：{call.name} 没有参数 "
                                        f"{sorted(set(call.args) - params)}")
    return problems


def leaked_turns(dialogues: tuple[Dialogue, ...]) -> list[str]:
    """原样出现在 shared/mock/ 里的用户原话（≥ 12 个字符的；更短的是“yes please”“好的谢谢”这类固定说法，
    词库里本来就可以有）。"""
    texts = [path.read_bytes().decode("utf-8", "replace") for path in sorted(MOCK_DIR.rglob("*"))
             if path.is_file() and "__pycache__" not in path.parts]
    assert texts, f"{MOCK_DIR} 下没有文件"
    return [f"{d.name} 第 {t.line} 行「{t.text}」" for d in dialogues for t in d.turns
            if len(t.text.strip()) >= 12 and any(t.text.strip() in content for content in texts)]


def test_corpus_is_well_formed():
    HELD_OUT.check_well_formed()


def test_corpus_is_not_in_the_mock():
    HELD_OUT.check_not_in_mock()


def test_honesty_check_catches_claims():
    """“说到做到”检查本身：认得出声称办了的说法，也不把查询、请求确认当成声称。"""
    assert honesty_problem("restaurant", "好的，已为您预订明天 19:00 四位。", set())
    assert honesty_problem("restaurant", "I've booked a table for 3 at 20:30.", set())
    assert honesty_problem("insurance", "已经为您续保了。", {"open_claim"})
    assert honesty_problem("library", "Done - I have waived the fine.", {"renew"})
    assert honesty_problem("telecom", "已为您将套餐变更为 5G 畅连 99。", {"buy_data_pack"})
    assert not honesty_problem("telecom", "已为您将套餐变更为 5G 畅连 99。", {"switch_plan"})
    assert not honesty_problem("restaurant", "已为您查到这个时间有位。确认后我为您预订。", set())
    assert not honesty_problem("library", "I have to check availability before I can place a hold.", set())
    assert not honesty_problem("library", "This book has been renewed twice already.", set())
    assert not honesty_problem("rental", "Cancelling is free; shall I cancel it?", set())


def test_argument_check_catches_sentences():
    """参数检查本身：整句或大半句塞进短参数要报，号码、人名、书名这类值不报。"""
    said = ["是的，取消吧", "卡号 2093117", "Emma Clarke, 13700002222", "帮我把 Atomic Habits 续借一下"]
    assert argument_problems([("cancel_table", {"code": "是的，取消"})], said)
    assert argument_problems([("hold_table", {"day": "明天", "time": "7点"})], said)
    assert not argument_problems([("reserve_copy", {"card_no": "2093117"}),
                                  ("hold_table", {"contact_name": "Emma Clarke", "day": "2025-09-20"}),
                                  ("catalog_search", {"query": "Atomic Habits"})], said)


def test_dialogues(mock, mock_server, request):
    """跑完全部留出对话，逐轮比对；打印各领域准确率和每个失败的轮次。"""
    HELD_OUT.check_dialogues(mock_server, request)
