"""第四份留出对话（tests/mock_heldout4.txt）：再换五个模拟模型从没见过的领域，重新做一次诚实的测量。

写法和前三份留出语料一样是“盲写”的：这里的领域、Agent、指令、工具、文档字符串、参数名和每一句用户的话，
都是在没有打开模拟模型的代码和词库（shared/mock/）、也没有看它对照过的语料（mock_corpus.txt、
mock_dialogues.txt、mock_heldout.txt、mock_heldout2.txt；mock_heldout3.txt 只读了开头的格式说明）的情况下写的。
视角是一位只读过 Agents SDK 文档的开发者：照着文档搭好自己的客服，换上模拟模型。每一轮的期望（`=` / `?` /
`!` 行）都是在第一次运行之前写好的，写的是“一个称职的模型（例如 gpt-4.1）在这一轮会做什么”，几种做法都
说得过去时用 `|` 列出备选；运行只用来核对语料能解析、工具能执行、日期对得上，没有看模拟模型答得怎么样，
也从没因为它答错而改期望。

量的是：别人写的新领域 Agent，遇到中英文的普通说法，能不能选对工具、填对参数（编号、枚举、日期、时间、
数量）；回答工具结果时不带原始字段名；多轮里不点名的追问（它 / 那个 / the other one）能找到对的 Agent、
工具和编号，回答助手自己提的问题能接着把事办完，确认之后能继续办，被纠正时换掉错的值，没有工具能做的事
不声称办了，要先核对、先确认的事不抢着办。

五个领域（工具都是进程内的假数据，按参数返回 JSON；“今天”是 2026-09-09，星期三）：
- baggage：云翔航空行李服务，延误行李查询和送还 BaggageTracing + 费用报销 BaggageClaims（互相 handoff），中文为主；
- petclinic：Maple Paws Animal Hospital 前台 PetReception，健康护理问题交给当作工具用的护士 Agent
  （`ask_vet_nurse`，agents-as-tools），英文为主；
- govhall：临江市市民服务中心证件办理助手 CitizenService（单 Agent），中文；
- museum：Lakeside Museum of Art & History 售票助手 TicketDesk（单 Agent），英文为主；
- moving：安居搬家 HomeShift Movers，报价预约 MoveSales + 已约订单 MoveSupport（互相 handoff），中英文。

语料格式、运行方式和逐轮检查都复用 test_mock_heldout.py（它又复用 test_mock_dialogues.py 的解析器）：
Agent 和工具调用符合 `=` 行的备选之一，`?` / `!` 行的文字，说到做到（声称办了的事，对应的有副作用的工具
必须运行过；没有工具能做的事永远不能说做了），同一个有副作用的调用不做两次，回答里没有原始字段名 / JSON，
参数里不塞整句话，日期参数是 YYYY-MM-DD，时间参数是 HH:MM。本文件只换上这五个领域的表（RULES）。

Agent 当工具用时（宠物医院），外层只看得见 `ask_vet_nurse` 这一次调用，护士内部查资料的调用不计入。

报告（终端摘要）：各领域和总的轮次准确率、只看 Agent / 工具 / 参数的准确率，以及每一个失败的轮次
（期望 / 实际 / 回答）。至少 35 段对话、110 轮，中文对话不少于一半。

测量结果（2026-12-07，盲测：负责人只看了总数和各领域的数，没有看过失败的轮次）：本节开始时的模拟模型
（9c36473）轮次准确率 33/125 = 26.4%，只看 Agent、工具和参数 65/125 = 52.0%；同一天按第二份留出语料和单元测试
加了一批通用规则之后（c8b8efc）31/125 = 24.8%，63/125 = 50.4%——那批规则让第二份从 46.3% 升到 59.5%，
在这份没见过的语料上没有带来提高（museum 少对了两轮）。当天结束时（又照第五份开发集加了一批规则，
仍然没有看这份的失败）33/125 = 26.4%，64/125 = 51.2%：回到了当天开始时的轮次数。也就是说：对别人新写的多轮客服，模拟模型大约一半的
轮次选对工具、填对参数，四分之一的轮次连回答也挑不出毛病。门槛定在测得值下面一点（20%），作用是防退步，
不是宣称达标；以后改进规则时**不要**照着这份语料的失败去调，它才能一直是诚实的测量。

运行：`.venv/bin/python -m pytest -n 0 -q tests/test_mock_heldout4.py`
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

CORPUS = Path(__file__).with_name("mock_heldout4.txt")
MIN_ACCURACY = 0.20  # 盲测得 24.8%：防退步的下限，不是目标（见模块说明）
MIN_DIALOGUES = 35
MIN_TURNS = 110

TODAY = date(2026, 9, 9)  # 各领域指令里写明的“今天”（星期三），日期参数按它核对
TODAY_TEXT = f"{TODAY.isoformat()}（星期三）"


def _ref(text: str) -> str:
    """编号去掉空格和横线、转大写：“pvg yx 20931”→ PVGYX20931。"""
    return re.sub(r"[\s\-–·]", "", text).upper()


# ================================================================ 领域一：延误行李（两个 Agent，中文为主）

ExpenseCategory = Literal["洗漱用品", "换洗衣物", "其他生活用品"]
BAG_FILES = {  # 行李延误登记号（到达机场三字码 + YX + 5 位数字）→ 航班、行李、状态
    "PVGYX20931": {"passenger": "陈*", "flight": "YX8215 成都天府 → 上海浦东", "arrived_on": "2026-09-08",
                   "bag_tag": "YX784512", "bag": "黑色 28 寸硬壳拉杆箱", "status": "已找到",
                   "where": "在成都天府机场找到，已装上今天的 YX8217 航班",
                   "eta": "2026-09-09 18:40 到达上海浦东机场",
                   "self_pickup": "今天 19:30 以后可到浦东机场 T2 到达层 12 号行李转盘旁的行李服务柜台自取，带身份证"},
    "PVGYX20977": {"passenger": "刘*", "flight": "YX8302 北京首都 → 上海浦东", "arrived_on": "2026-09-07",
                   "bag_tag": "YX786630", "bag": "灰色 24 寸布面行李箱，挂红色行李牌", "status": "查找中",
                   "where": "已向北京首都、上海浦东和沿途中转站发查找电报，暂时还没找到", "eta": None,
                   "note": "找到后会短信通知；满 21 天仍未找到按丢失处理"},
    "SHAYX18820": {"passenger": "Miller*", "flight": "YX5106 广州白云 → 上海虹桥 Guangzhou → Shanghai Hongqiao",
                   "arrived_on": "2026-09-03", "bag_tag": "YX771045", "bag": "navy blue backpack 藏青色双肩包",
                   "status": "已送达 delivered", "where": "2026-09-05 14:20 送到静安区延安中路 1000 号，本人签收",
                   "eta": None, "delivered_on": "2026-09-05"},
}
EXPENSE_CLAIMS = {  # 报销单号 → 登记号、类别、金额、状态
    "BC-60412": {"file_ref": "SHAYX18820", "category": "换洗衣物", "amount_cny": 320,
                 "status": "已通过，2026-09-08 已转到旅客登记的银行卡"},
    "BC-60458": {"file_ref": "PVGYX20977", "category": "洗漱用品", "amount_cny": 180,
                 "status": "审核中：还缺小票照片，请在云翔航空 App「我的行李」里上传"},
}
DAILY_ALLOWANCE = 200
MAX_DAYS = 5


def _bag_file(file_ref: str) -> tuple[str, dict[str, Any] | None]:
    key = _ref(file_ref)
    return key, BAG_FILES.get(key)


def _allowance(key: str, bag: dict[str, Any]) -> dict[str, Any]:
    start = date.fromisoformat(bag["arrived_on"])
    end = date.fromisoformat(bag.get("delivered_on") or TODAY.isoformat())
    days = min(MAX_DAYS, (end - start).days + 1)
    claimed = sum(c["amount_cny"] for c in EXPENSE_CLAIMS.values() if c["file_ref"] == key)
    return {"daily_limit_cny": DAILY_ALLOWANCE, "days_counted": days, "limit_cny": days * DAILY_ALLOWANCE,
            "already_claimed_cny": claimed, "remaining_cny": days * DAILY_ALLOWANCE - claimed,
            "still_growing": bag.get("delivered_on") is None and days < MAX_DAYS}


@function_tool
def bag_report(file_ref: str) -> str:
    """查一份延误行李登记：航班、行李样子、现在的状态、在哪里、预计什么时候到。

    Args:
        file_ref: 行李延误登记号，到达机场三字码 + YX + 5 位数字，例如 PVGYX20931。
    """
    key, bag = _bag_file(file_ref)
    if bag is None:
        return _json({"error": f"查不到登记号 {file_ref}，请核对登记单上的号码"})
    return _json({"file_ref": key, **bag, "delivery_possible": bag["status"] == "已找到"})


@function_tool
def find_report_by_tag(bag_tag: str) -> str:
    """只有行李牌号（托运时贴在登机牌背面的条码号）时，用它查对应的延误行李登记。

    Args:
        bag_tag: 行李牌号，YX 加 6 位数字，例如 YX784512。
    """
    tag = _ref(bag_tag)
    tag = tag if tag.startswith("YX") else f"YX{tag}"
    for key, bag in BAG_FILES.items():
        if bag["bag_tag"] == tag:
            return _json({"file_ref": key, **bag, "delivery_possible": bag["status"] == "已找到"})
    return _json({"error": f"行李牌 {bag_tag} 没有延误登记；刚到达的请到机场行李服务柜台登记"})


@function_tool
def schedule_bag_delivery(file_ref: str, address: str, delivery_date: str) -> str:
    """把已经找到的行李免费送到旅客家里或酒店：最早明天，7 天之内，10:00-20:00 送达，送前 1 小时电话联系。

    Args:
        file_ref: 行李延误登记号。
        address: 送达地址（城市、区、街道门牌，酒店的话写酒店名和房号）。
        delivery_date: 送达日期，YYYY-MM-DD。
    """
    key, bag = _bag_file(file_ref)
    day = _day(delivery_date)
    if bag is None:
        return _json({"error": f"查不到登记号 {file_ref}"})
    if bag["status"] != "已找到":
        return _json({"error": f"行李状态是“{bag['status']}”，只有已找到的行李能安排送货"})
    if day is None or not TODAY < day <= TODAY + timedelta(days=7):
        return _json({"error": f"送达日期要写成 YYYY-MM-DD，在 {TODAY + timedelta(days=1)} 到 "
                               f"{TODAY + timedelta(days=7)} 之间"})
    return _json({"scheduled": True, "file_ref": key, "delivery_no": f"SD{_number(key + delivery_date, 100000, 900000)}",
                  "address": address.strip(), "delivery_date": day.isoformat(), "time_window": "10:00-20:00",
                  "call_ahead": "送达前 1 小时电话联系", "fee": "免费"})


@function_tool
def expense_allowance(file_ref: str) -> str:
    """行李延误期间临时生活用品的报销额度：每天 200 元，从到达当天算到行李送达，最多 5 天；已经报了多少、还剩多少。

    Args:
        file_ref: 行李延误登记号。
    """
    key, bag = _bag_file(file_ref)
    if bag is None:
        return _json({"error": f"查不到登记号 {file_ref}"})
    return _json({"file_ref": key, "flight": bag["flight"], "arrived_on": bag["arrived_on"], **_allowance(key, bag),
                  "receipts": "需要小票或发票原件照片"})


@function_tool
def submit_expense_claim(file_ref: str, category: ExpenseCategory, amount_cny: float) -> str:
    """提交一笔生活用品报销，返回报销单号。只在旅客确认了类别和金额之后调用。

    Args:
        file_ref: 行李延误登记号。
        category: 买的是哪一类东西。
        amount_cny: 报销金额（元）。
    """
    key, bag = _bag_file(file_ref)
    if bag is None:
        return _json({"error": f"查不到登记号 {file_ref}"})
    left = _allowance(key, bag)["remaining_cny"]
    if amount_cny <= 0 or amount_cny > left:
        return _json({"error": f"金额要在 0 到可报销余额 {left} 元之间"})
    return _json({"submitted": True, "claim_no": f"BC-{_number(key + category + str(amount_cny), 60500, 3000)}",
                  "file_ref": key, "category": category, "amount_cny": amount_cny,
                  "next_step": "7 天内在云翔航空 App「我的行李」里上传小票照片，审核 5 个工作日"})


@function_tool
def claim_status(claim_no: str) -> str:
    """查一笔报销的进度。

    Args:
        claim_no: 报销单号，例如 BC-60412。
    """
    key = _key("BC-", claim_no)
    claim = EXPENSE_CLAIMS.get(key)
    if claim is None:
        return _json({"error": f"查不到报销单 {claim_no}"})
    return _json({"claim_no": key, **claim})


# ================================================================ 领域二：宠物医院（Agent 当工具用，英文为主）

VisitType = Literal["checkup", "vaccination", "sick visit", "dental"]
GroomPackage = Literal["bath", "full groom", "nail trim"]
CareTopic = Literal["toxic foods", "vaccines", "after surgery", "fleas and ticks", "travel", "dental care"]
PETS = {  # 6 位宠物编号 → 名字、种类、体型、主人、疫苗到期
    "204318": {"name": "Biscuit", "species": "dog", "breed": "Beagle", "size": "medium", "age": "4 years",
               "weight_kg": 12.5, "owner": "Hannah Lee",
               "vaccines": [{"vaccine": "Rabies", "due": "2026-09-20"}, {"vaccine": "DHPP", "due": "2027-03-02"}]},
    "207755": {"name": "Miso", "species": "cat", "breed": "British Shorthair", "size": "small", "age": "2 years",
               "weight_kg": 4.8, "owner": "王晓雯 Wang Xiaowen",
               "vaccines": [{"vaccine": "FVRCP", "due": "2026-08-15"}, {"vaccine": "Rabies", "due": "2027-01-10"}]},
    "211090": {"name": "Pepper", "species": "dog", "breed": "Golden Retriever", "size": "large", "age": "8 years",
               "weight_kg": 31.0, "owner": "Tom Becker",
               "vaccines": [{"vaccine": "Rabies", "due": "2027-05-04"}, {"vaccine": "DHPP", "due": "2026-12-01"}]},
}
VET_PRICES = {"checkup": 65, "vaccination": 45, "sick visit": 85, "dental": 320}
GROOM_PRICES = {"bath": {"small": 35, "medium": 45, "large": 60},
                "full groom": {"small": 55, "medium": 70, "large": 90},
                "nail trim": {"small": 15, "medium": 15, "large": 15}}
VET_TIMES = ["09:00", "10:30", "14:00", "16:30"]
SATURDAY_TIMES = ["09:00", "10:30"]
VET_TAKEN = {("2026-09-10", "09:00"), ("2026-09-10", "10:30"), ("2026-09-11", "14:00"),
             ("2026-09-12", "09:00"), ("2026-09-14", "09:00")}
PET_APPOINTMENTS = {
    "MP-5521": {"pet_id": "211090", "what": "sick visit", "day": "2026-09-10", "time": "10:30",
                "vet": "Dr. Alvarez", "note": "limping on the left back leg"},
    "MP-5534": {"pet_id": "204318", "what": "full groom", "day": "2026-09-12", "time": "09:00",
                "vet": None, "note": "drop-off 09:00, ready about 12:00"},
}
LATE_CANCEL_FEE = 25
CARE_NOTES = {
    "toxic foods": "Never give dogs or cats: grapes and raisins, chocolate, onions, garlic and chives, xylitol "
                   "(sugar-free gum), alcohol, macadamia nuts. Lilies are deadly to cats, even the pollen. If a pet "
                   "ate any of these, call the 24-hour emergency line (555) 301-9111 at once. "
                   "狗猫都不能吃：葡萄和葡萄干、巧克力、洋葱大蒜、木糖醇、酒精、夏威夷果；百合对猫致命。误食请立刻打 24 小时急诊电话。",
    "vaccines": "Puppies and kittens: first shots at 8, 12 and 16 weeks. Rabies: first at 12-16 weeks, then every "
                "year or every 3 years depending on the vaccine. DHPP (dogs) and FVRCP (cats): booster after one year, "
                "then every 3 years. A pet can be vaccinated up to a week late without restarting the series. "
                "幼犬幼猫 8、12、16 周各打一针；狂犬疫苗每 1-3 年一次；DHPP / FVRCP 一年后加强，之后每 3 年一次；晚一周内不用重新开始。",
    "after surgery": "Keep the cone on for 10 days, no baths or swimming for 14 days, short lead walks only, "
                     "stitch check after 10 days. Call us if the wound is red, swollen or wet. "
                     "术后戴伊丽莎白圈 10 天，14 天内不洗澡，只牵绳短距离散步，10 天后复查拆线。",
    "fleas and ticks": "Monthly prevention all year round for dogs and cats, including indoor cats; check for ticks "
                       "after walks in grass. Never use dog flea products on cats. "
                       "全年每月驱虫一次，室内猫也要；狗用驱虫药不能给猫用。",
    "travel": "Flights need a health certificate issued within 10 days of travel; rabies vaccine at least 21 days "
              "before an international trip. Bring the vaccine record. "
              "坐飞机要出行前 10 天内开的健康证明；出国的狂犬疫苗要至少提前 21 天打。",
    "dental care": "Brush daily with pet toothpaste (never human toothpaste), dental chews help; a dental check every "
                   "year, cleaning under anaesthetic when tartar builds up. "
                   "每天用宠物牙膏刷牙（不能用人用牙膏），每年检查一次牙齿。",
}


def _pet(pet_id: str) -> tuple[str, dict[str, Any] | None]:
    key = re.sub(r"\D", "", pet_id)
    return key, PETS.get(key)


def _vet_free(day: date, visit_type: str) -> list[str]:
    if day.weekday() == 6:
        return []
    if visit_type == "dental":
        return ["08:30"] if day.weekday() in (1, 3) else []
    times = SATURDAY_TIMES if day.weekday() == 5 else VET_TIMES
    return [t for t in times if (day.isoformat(), t) not in VET_TAKEN]


@function_tool
def pet_record(pet_id: str) -> str:
    """A pet's record: name, species, breed, size, age, weight, owner, vaccines and when they are due, and
    upcoming appointments.

    Args:
        pet_id: The 6-digit pet ID, e.g. 204318.
    """
    key, pet = _pet(pet_id)
    if pet is None:
        return _json({"error": f"no pet with ID {pet_id}"})
    vaccines = [{**v, "overdue": v["due"] < TODAY.isoformat()} for v in pet["vaccines"]]
    upcoming = [{"appointment_no": no, **{k: v for k, v in a.items() if k != "pet_id"}}
                for no, a in PET_APPOINTMENTS.items() if a["pet_id"] == key]
    return _json({"pet_id": key, **pet, "vaccines": vaccines, "upcoming": upcoming})


@function_tool
def vet_slots(day: str, visit_type: VisitType) -> str:
    """Free vet appointment times on one day for a type of visit, and its price.

    Args:
        day: YYYY-MM-DD.
        visit_type: checkup, vaccination, sick visit or dental (dental cleaning: Tue/Thu 08:30 drop-off only).
    """
    when = _day(day)
    if when is None or when < TODAY:
        return _json({"error": "day must be YYYY-MM-DD, today or later"})
    if when.weekday() == 6:
        return _json({"day": when.isoformat(), "open": False, "note": "closed on Sundays"})
    return _json({"day": when.isoformat(), "visit_type": visit_type, "price_usd": VET_PRICES[visit_type],
                  "free_times": _vet_free(when, visit_type)})


@function_tool
def book_vet_visit(pet_id: str, day: str, time: str, visit_type: VisitType) -> str:
    """Book a vet appointment for a pet at a free time from vet_slots.

    Args:
        pet_id: The 6-digit pet ID.
        day: YYYY-MM-DD.
        time: HH:MM, one of the free times.
        visit_type: checkup, vaccination, sick visit or dental.
    """
    key, pet = _pet(pet_id)
    when, at = _day(day), _hhmm(time)
    if pet is None:
        return _json({"error": f"no pet with ID {pet_id}"})
    if when is None or when < TODAY or at not in _vet_free(when, visit_type):
        free = _vet_free(when, visit_type) if when else []
        return _json({"error": f"{day} {time} is not free for {visit_type}; free times: {', '.join(free) or 'none'}"})
    note = "no food after 8 pm the night before" if visit_type == "dental" else "please arrive 10 minutes early"
    return _json({"appointment_no": f"MP-{_number(key + day + at + visit_type, 5600, 3000)}", "pet": pet["name"],
                  "visit_type": visit_type, "day": when.isoformat(), "time": at,
                  "price_usd": VET_PRICES[visit_type], "note": note})


@function_tool
def book_grooming(pet_id: str, day: str, package: GroomPackage, drop_off: Literal["09:00", "13:00"]) -> str:
    """Book a grooming appointment (price by the pet's size). Only after the owner agreed to the price.

    Args:
        pet_id: The 6-digit pet ID.
        day: YYYY-MM-DD (Monday to Saturday).
        package: bath, full groom or nail trim.
        drop_off: Drop-off time, 09:00 or 13:00; ready about 3 hours later.
    """
    key, pet = _pet(pet_id)
    when = _day(day)
    if pet is None:
        return _json({"error": f"no pet with ID {pet_id}"})
    if when is None or when <= TODAY or when.weekday() == 6:
        return _json({"error": "day must be YYYY-MM-DD, from tomorrow, not a Sunday"})
    if when.weekday() == 5 and drop_off == "13:00":
        return _json({"error": "on Saturdays grooming drop-off is 09:00 only"})
    return _json({"appointment_no": f"MP-{_number(key + day + package + drop_off, 5600, 3000)}", "pet": pet["name"],
                  "package": package, "day": when.isoformat(), "drop_off": drop_off,
                  "price_usd": GROOM_PRICES[package][pet["size"]]})


@function_tool
def find_appointment(appointment_no: str) -> str:
    """Look up an appointment: pet, what it is, day, time, vet.

    Args:
        appointment_no: Appointment number, e.g. MP-5521.
    """
    key = _key("MP-", appointment_no)
    appointment = PET_APPOINTMENTS.get(key)
    if appointment is None:
        return _json({"error": f"no appointment {appointment_no}"})
    pet = PETS[appointment["pet_id"]]
    return _json({"appointment_no": key, "pet": pet["name"], **appointment})


@function_tool
def cancel_appointment(appointment_no: str) -> str:
    """Cancel an appointment: free, except $25 on the day itself. Only after the owner confirmed.

    Args:
        appointment_no: Appointment number.
    """
    key = _key("MP-", appointment_no)
    appointment = PET_APPOINTMENTS.get(key)
    if appointment is None:
        return _json({"error": f"no appointment {appointment_no}"})
    fee = LATE_CANCEL_FEE if appointment["day"] == TODAY.isoformat() else 0
    return _json({"cancelled": True, "appointment_no": key, "day": appointment["day"], "time": appointment["time"],
                  "fee_usd": fee})


@function_tool
def care_notes(topic: CareTopic) -> str:
    """The clinic's care notes for pet owners (English and Chinese).

    Args:
        topic: What the question is about.
    """
    return _json({"topic": topic, "notes": CARE_NOTES[topic]})


# ================================================================ 领域三：市民服务中心证件办理（单 Agent，中文）

GovService = Literal["身份证换领", "身份证补领", "居住证", "护照", "港澳通行证", "驾驶证换证"]
GOV_GUIDE = {  # 业务 → 材料、费用、时限、说明
    "身份证换领": {"materials": ["户口簿", "旧身份证"], "fee": "20 元", "time_limit": "20 个工作日",
               "note": "现场采集指纹和照片；可以选择邮寄到家（EMS 15 元到付）"},
    "身份证补领": {"materials": ["户口簿"], "fee": "40 元", "time_limit": "20 个工作日",
               "note": "等证期间可以当场办临时身份证，10 元，3 个月有效"},
    "居住证": {"materials": ["身份证", "租房合同（已备案）或房产证", "近 6 个月社保缴费记录或劳动合同"], "fee": "免费",
            "time_limit": "15 个工作日", "note": "在临江连续居住满 6 个月才能申领"},
    "护照": {"materials": ["身份证"], "fee": "120 元", "time_limit": "7 个工作日",
           "note": "现场免费拍照；可以选择邮寄到家（EMS 15 元到付）"},
    "港澳通行证": {"materials": ["身份证"], "fee": "60 元（含证件），每次签注另收 15 元", "time_limit": "7 个工作日",
              "note": "以后续签注可以用大厅一楼的 24 小时自助签注机"},
    "驾驶证换证": {"materials": ["身份证", "驾驶证", "体检证明（指定医院，6 个月内）"], "fee": "10 元",
              "time_limit": "当场领取", "note": "有效期满前 90 天内可以换证"},
}
SATURDAY_SERVICES = {"身份证换领", "身份证补领", "护照", "港澳通行证"}
HALL_TIMES = ["09:00", "10:00", "11:00", "14:00", "15:00", "16:00"]
HALL_SATURDAY = ["09:00", "10:00", "11:00"]
HALL_TAKEN = {("2026-09-10", "09:00"), ("2026-09-10", "10:00"), ("2026-09-11", "14:00"),
              ("2026-09-12", "09:00"), ("2026-09-12", "10:00"), ("2026-09-14", "09:00")}
HALL_BOOKINGS = {  # 预约号 → 手机、业务、日期、时间
    "LJ204518": {"phone": "13655281907", "service": "护照", "day": "2026-09-11", "time": "10:00"},
    "LJ204633": {"phone": "15900437126", "service": "驾驶证换证", "day": "2026-09-14", "time": "15:00"},
}
APPLICATIONS = {  # 受理编号 → 业务、申请人、受理日期、状态
    "SL260815": {"service": "护照", "applicant": "赵*", "accepted_on": "2026-09-03", "status": "制证中",
                 "ready_on": "2026-09-14", "pickup": "2026-09-14 起到 2 楼 5 号窗口领取，或办理邮寄"},
    "SL260822": {"service": "身份证换领", "applicant": "孙*", "accepted_on": "2026-08-12", "status": "已制证，待领取",
                 "pickup": "工作日到 2 楼 12 号窗口领取，带受理回执；也可以邮寄到家"},
    "SL260901": {"service": "居住证", "applicant": "周*", "accepted_on": "2026-09-01", "status": "需补正材料",
                 "missing": "租房合同的备案证明", "deadline": "2026-09-16",
                 "pickup": "请在 2026-09-16 前到 2 楼 8 号窗口补交，逾期要重新申请"},
}
MAIL_FEE = 15


def _phone(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def _hall_free(day: date, service: str) -> list[str]:
    if day.weekday() == 6 or (day.weekday() == 5 and service not in SATURDAY_SERVICES):
        return []
    times = HALL_SATURDAY if day.weekday() == 5 else HALL_TIMES
    return [t for t in times if (day.isoformat(), t) not in HALL_TAKEN]


@function_tool
def service_guide(service: GovService) -> str:
    """一项证件业务要带的材料、费用、办理时限和注意事项。

    Args:
        service: 业务名称。
    """
    return _json({"service": service, **GOV_GUIDE[service],
                  "saturday": "周六上午可以办理" if service in SATURDAY_SERVICES else "只在工作日办理"})


@function_tool
def hall_slots(day: str, service: GovService) -> str:
    """某一天某项业务还能预约的时间（工作日 9:00-17:00；周六上午只办身份证、护照、港澳通行证；周日休息）。

    Args:
        day: 日期，YYYY-MM-DD。
        service: 业务名称。
    """
    when = _day(day)
    if when is None or when <= TODAY or when > TODAY + timedelta(days=14):
        return _json({"error": "日期要写成 YYYY-MM-DD，可以约明天起 14 天内"})
    free = _hall_free(when, service)
    note = "周日休息" if when.weekday() == 6 else ("周六不办理这项业务" if when.weekday() == 5 and not free else "")
    return _json({"day": when.isoformat(), "service": service, "free_times": free, **({"note": note} if note else {})})


@function_tool
def book_hall_slot(phone: str, service: GovService, day: str, time: str) -> str:
    """预约到大厅办理的时间，返回预约号（短信也会发到这个手机）。

    Args:
        phone: 办事人的手机号，11 位。
        service: 业务名称。
        day: 日期，YYYY-MM-DD。
        time: 时间，HH:MM，要是 hall_slots 给出的空位。
    """
    digits, when, at = _phone(phone), _day(day), _hhmm(time)
    if len(digits) != 11:
        return _json({"error": "手机号要 11 位"})
    if when is None or when <= TODAY or at not in _hall_free(when, service):
        free = _hall_free(when, service) if when else []
        return _json({"error": f"{day} {time} 不能预约{service}，可约时间：{'、'.join(free) or '无'}"})
    return _json({"booking_no": f"LJ{_number(digits + day + at + service, 205000, 90000)}", "service": service,
                  "day": when.isoformat(), "time": at, "place": "滨江大道 200 号市民服务中心 2 楼，到了先在取号机刷身份证",
                  "bring": GOV_GUIDE[service]["materials"]})


@function_tool
def my_hall_bookings(phone: str) -> str:
    """一个手机号名下还没到的大厅预约。

    Args:
        phone: 预约时留的手机号。
    """
    digits = _phone(phone)
    rows = [{"booking_no": no, **{k: v for k, v in b.items() if k != "phone"}}
            for no, b in HALL_BOOKINGS.items() if b["phone"] == digits]
    return _json({"phone": f"{digits[:3]}****{digits[-4:]}", "bookings": rows})


@function_tool
def cancel_hall_booking(booking_no: str) -> str:
    """取消一个大厅预约。办事人确认之后才能调用。

    Args:
        booking_no: 预约号，例如 LJ204518。
    """
    key = _key("LJ", booking_no)
    booking = HALL_BOOKINGS.get(key)
    if booking is None:
        return _json({"error": f"找不到预约 {booking_no}"})
    return _json({"cancelled": True, "booking_no": key, "service": booking["service"], "day": booking["day"],
                  "time": booking["time"]})


@function_tool
def application_progress(application_no: str) -> str:
    """查已经受理的证件办到哪一步了，什么时候、在哪里能拿。

    Args:
        application_no: 受理编号，SL 加 6 位数字，在受理回执上，例如 SL260815。
    """
    key = _key("SL", application_no)
    application = APPLICATIONS.get(key)
    if application is None:
        return _json({"error": f"查不到受理编号 {application_no}"})
    return _json({"application_no": key, **application})


@function_tool
def mail_document(application_no: str, address: str) -> str:
    """把已经制好的证件用 EMS 寄到家（邮费 15 元，收件时付）。办事人同意邮费之后才能调用。

    Args:
        application_no: 受理编号。
        address: 收件地址（区、街道、门牌、收件人电话）。
    """
    key = _key("SL", application_no)
    application = APPLICATIONS.get(key)
    if application is None:
        return _json({"error": f"查不到受理编号 {application_no}"})
    if not application["status"].startswith("已制证"):
        return _json({"error": f"证件现在是“{application['status']}”，制好以后才能邮寄"})
    return _json({"mailing": True, "application_no": key, "address": address.strip(), "carrier": "EMS",
                  "fee_cny": MAIL_FEE, "fee_paid": "收件时付", "arrives": "寄出后 1-3 天，寄出时短信通知运单号"})


# ================================================================ 领域四：博物馆门票（单 Agent，英文为主）

ENTRY_TIMES = ["10:00", "11:30", "13:00", "14:30", "16:00"]
FRIDAY_EXTRA = ["18:00", "19:30"]
TICKET_PRICES = {"adult": 22, "concession": 16, "child": 10}
EXHIBITION_EXTRA = 8
SOLD_OUT_ENTRY = {("2026-09-12", "11:30"), ("2026-09-13", "13:00")}
EXHIBITION_FULL = {("2026-09-12", "13:00"), ("2026-09-12", "14:30"), ("2026-09-13", "14:30")}
MUSEUM_ORDERS = {  # 6 位订单号 → 日期、入场时间、票数、特展、邮箱
    "730514": {"day": "2026-09-12", "entry_time": "11:30", "adults": 2, "concessions": 0, "children": 1,
               "exhibition": True, "email": "k.mor***@example.com"},
    "730588": {"day": "2026-09-10", "entry_time": "14:30", "adults": 0, "concessions": 1, "children": 0,
               "exhibition": False, "email": "j.ha***@example.com"},
    "731020": {"day": "2026-09-09", "entry_time": "13:00", "adults": 2, "concessions": 0, "children": 0,
               "exhibition": False, "email": "s.oka***@example.com"},
}
TODAYS_PROGRAM = [
    {"time": "11:00", "event": "Highlights tour (45 min), free, meet in the Atrium 中庭 / 亮点导览，免费"},
    {"time": "14:00", "event": "Curator talk: Silk Road Treasures (30 min), included with the exhibition ticket, "
                              "Gallery 5 / 丝路特展策展人讲座，持特展票免费"},
    {"time": "15:30", "event": "Family printmaking workshop, ages 6-12, $5 per child, sign up at the information "
                              "desk / 亲子版画工作坊"},
]
MEMBERSHIPS = [
    {"tier": "Individual", "price_usd_per_year": 75, "includes": "free entry for 1, special exhibitions included"},
    {"tier": "Dual", "price_usd_per_year": 120, "includes": "free entry for 2 adults, special exhibitions included"},
    {"tier": "Family", "price_usd_per_year": 150,
     "includes": "2 adults and all children under 18, special exhibitions included"},
]


def _entry_times(day: date) -> list[str]:
    if day.weekday() == 0:
        return []
    return ENTRY_TIMES + (FRIDAY_EXTRA if day.weekday() == 4 else [])


def _places(day: date, at: str) -> tuple[int, int]:
    """(普通入场余票, 特展余票)。"""
    general = 0 if (day.isoformat(), at) in SOLD_OUT_ENTRY else 20 + _number(f"{day}{at}", 0, 60)
    exhibition = 0 if (day.isoformat(), at) in EXHIBITION_FULL or not general else 5 + _number(f"x{day}{at}", 0, 20)
    return general, exhibition


def _order_total(adults: int, concessions: int, children: int, exhibition: bool) -> int:
    total = (adults * TICKET_PRICES["adult"] + concessions * TICKET_PRICES["concession"]
             + children * TICKET_PRICES["child"])
    return total + (adults + concessions + children) * EXHIBITION_EXTRA * exhibition


@function_tool
def entry_availability(day: str) -> str:
    """Timed entry slots on one day with places left, and places left for the special exhibition.

    Args:
        day: YYYY-MM-DD.
    """
    when = _day(day)
    if when is None or when < TODAY or when > TODAY + timedelta(days=60):
        return _json({"error": "day must be YYYY-MM-DD, within the next 60 days"})
    if when.weekday() == 0:
        return _json({"day": when.isoformat(), "open": False, "note": "closed on Mondays"})
    slots = []
    for at in _entry_times(when):
        general, exhibition = _places(when, at)
        slots.append({"entry_time": at, "places_left": general, "exhibition_places_left": exhibition})
    return _json({"day": when.isoformat(), "open": True, "slots": slots})


@function_tool
def buy_tickets(day: str, entry_time: str, email: str, adults: int = 0, concessions: int = 0, children: int = 0,
                exhibition: bool = False) -> str:
    """Buy timed-entry tickets and email them. Only after the visitor confirmed the total.

    Args:
        day: Visit day, YYYY-MM-DD.
        entry_time: Entry time, HH:MM, one of the slots from entry_availability.
        email: Where to send the e-tickets.
        adults: Adult tickets.
        concessions: Concession tickets (seniors 65+, students with ID).
        children: Child tickets (6-17; under 6 need no ticket).
        exhibition: Include the Silk Road Treasures special exhibition.
    """
    when, at = _day(day), _hhmm(entry_time)
    count = adults + concessions + children
    if when is None or when < TODAY or at not in _entry_times(when):
        return _json({"error": f"no entry slot {day} {entry_time}; use one from entry_availability"})
    if "@" not in email or count <= 0 or min(adults, concessions, children) < 0:
        return _json({"error": "need a valid email and at least one ticket"})
    general, places = _places(when, at)
    if general < count or (exhibition and places < count):
        return _json({"bought": False, "reason": "not enough places left in that slot"
                                                 + (" for the exhibition" if exhibition and general >= count else "")})
    return _json({"bought": True,
                  "order_no": str(_number(f"{day}{at}{email}{adults}{concessions}{children}{exhibition}", 731100, 8000)),
                  "day": when.isoformat(), "entry_time": at, "adults": adults, "concessions": concessions,
                  "children": children, "exhibition": exhibition,
                  "total_usd": _order_total(adults, concessions, children, exhibition),
                  "e_tickets_sent_to": email.strip(), "entrance": "Harbour Walk main entrance, show the QR code"})


@function_tool
def find_order(order_no: str) -> str:
    """Look up a ticket order: day, entry time, tickets, special exhibition or not, amount paid.

    Args:
        order_no: The 6-digit order number, e.g. 730514.
    """
    key = re.sub(r"\D", "", order_no)
    order = MUSEUM_ORDERS.get(key)
    if order is None:
        return _json({"error": f"no order {order_no}"})
    return _json({"order_no": key, **order, "paid_usd": _order_total(order["adults"], order["concessions"],
                                                                    order["children"], order["exhibition"]),
                  "changeable_until": (date.fromisoformat(order["day"]) - timedelta(days=1)).isoformat()})


@function_tool
def change_visit(order_no: str, new_day: str, new_time: str) -> str:
    """Move an order to another day / entry time (free, until the day before the original visit).

    Args:
        order_no: The 6-digit order number.
        new_day: New visit day, YYYY-MM-DD.
        new_time: New entry time, HH:MM.
    """
    key = re.sub(r"\D", "", order_no)
    order = MUSEUM_ORDERS.get(key)
    when, at = _day(new_day), _hhmm(new_time)
    if order is None:
        return _json({"error": f"no order {order_no}"})
    if order["day"] <= TODAY.isoformat():
        return _json({"changed": False, "reason": "changes are only possible until the day before the visit"})
    if when is None or when <= TODAY or at not in _entry_times(when):
        return _json({"error": f"no entry slot {new_day} {new_time} (closed on Mondays)"})
    count = order["adults"] + order["concessions"] + order["children"]
    general, places = _places(when, at)
    if general < count or (order["exhibition"] and places < count):
        return _json({"changed": False, "reason": f"not enough places at {when} {at}"})
    return _json({"changed": True, "order_no": key, "old": f"{order['day']} {order['entry_time']}",
                  "new_day": when.isoformat(), "new_time": at, "fee": "free",
                  "note": "the same QR code is valid for the new time"})


@function_tool
def add_exhibition(order_no: str) -> str:
    """Add the Silk Road Treasures special exhibition to every ticket of an order ($8 each). Only after the
    visitor agreed to the extra cost.

    Args:
        order_no: The 6-digit order number.
    """
    key = re.sub(r"\D", "", order_no)
    order = MUSEUM_ORDERS.get(key)
    if order is None:
        return _json({"error": f"no order {order_no}"})
    if order["exhibition"]:
        return _json({"error": "this order already includes the special exhibition"})
    count = order["adults"] + order["concessions"] + order["children"]
    if _places(date.fromisoformat(order["day"]), order["entry_time"])[1] < count:
        return _json({"added": False, "reason": "the exhibition is full at that entry time"})
    return _json({"added": True, "order_no": key, "tickets": count, "extra_usd": count * EXHIBITION_EXTRA,
                  "charged_to": "the card used for the order"})


@function_tool
def todays_program() -> str:
    """Today's free tours, talks and workshops at the museum."""
    return _json({"day": TODAY.isoformat(), "events": TODAYS_PROGRAM})


@function_tool
def membership_options() -> str:
    """Museum membership tiers, yearly prices and what they include."""
    return _json({"memberships": MEMBERSHIPS, "join": "online at lakeside-museum.example/join or at the information desk",
                  "shop_discount": "10%"})


# ================================================================ 领域五：搬家（两个 Agent，中英文）

HomeSize = Literal["studio", "1br", "2br", "3br"]
MoveSlot = Literal["morning", "afternoon"]
MoveExtra = Literal["packing", "disassembly", "piano"]
BASE_PRICES = {"studio": (600, "1.5-ton van 1.5 吨厢式货车", 2, "2-3 小时 hours"),
               "1br": (900, "3-ton truck 3 吨厢式货车", 3, "3-4 小时 hours"),
               "2br": (1500, "4.2 m truck 4.2 米厢式货车", 4, "4-6 小时 hours"),
               "3br": (2400, "2 × 4.2 m trucks 两辆 4.2 米厢式货车", 6, "6-8 小时 hours")}
PER_KM = 12
PER_FLOOR = 80
EXTRAS = {"packing": (400, "打包服务 packing service (boxes included)"),
          "disassembly": (200, "家具拆装 furniture disassembly and reassembly"),
          "piano": (800, "立式钢琴搬运 upright piano")}
SLOT_START = {"morning": "08:00", "afternoon": "13:00"}
CREWS_BUSY = {("2026-09-10", "afternoon"), ("2026-09-12", "morning"), ("2026-09-13", "morning"),
              ("2026-09-13", "afternoon"), ("2026-09-19", "morning"), ("2026-09-20", "morning")}
CHANGE_FEE = 150
DEPOSIT = 200
MOVES = {  # 订单号 → 日期、时段、户型、地址、价格、客户、已加的服务
    "HS318204": {"customer": "何先生", "move_date": "2026-09-12", "slot": "morning", "home_size": "2br",
                 "from_address": "徐汇区漕溪北路 88 弄 3 号 502 室（有电梯）",
                 "to_address": "闵行区都市路 1999 弄 12 号 801 室（有电梯）", "distance_km": 13, "price_cny": 1536,
                 "deposit_paid": True, "extras": [], "crew_lead": "赵师傅 13764021835"},
    "HS318377": {"customer": "Olivia Grant", "move_date": "2026-09-10", "slot": "afternoon", "home_size": "studio",
                 "from_address": "Apt 1204, 300 Changde Road, Jing'an 静安区常德路 300 号 1204 室",
                 "to_address": "Apt 603, 55 Xianxia Road, Changning 长宁区仙霞路 55 号 603 室", "distance_km": 6,
                 "price_cny": 600, "deposit_paid": True, "extras": [], "crew_lead": "Mr. Qian 钱师傅 13918273645"},
    "HS318455": {"customer": "张女士", "move_date": "2026-09-19", "slot": "afternoon", "home_size": "3br",
                 "from_address": "浦东新区锦绣路 2580 弄 7 号 1101 室（有电梯）",
                 "to_address": "浦东新区花木路 1200 弄 15 号（联排别墅，无电梯，搬上 2 楼）", "distance_km": 4,
                 "price_cny": 2480, "deposit_paid": True, "extras": ["packing"], "crew_lead": "待定 to be assigned"},
}
QUOTES: dict[str, dict[str, Any]] = {}  # 报价号 → 户型和价格（同样的参数得到同样的报价号）
BOOKED_MOVES: dict[str, dict[str, Any]] = {}  # 对话里刚约好的搬家（同样的参数得到同样的订单号），售后也查得到


def _move(order_no: str) -> tuple[str, dict[str, Any] | None]:
    key = _key("HS", order_no)
    return key, MOVES.get(key) or BOOKED_MOVES.get(key)


def _free_until(move: dict[str, Any]) -> date:
    return date.fromisoformat(move["move_date"]) - timedelta(days=2)


def _crew_free(day: date) -> list[str]:
    return [s for s in SLOT_START if (day.isoformat(), s) not in CREWS_BUSY]


@function_tool
def moving_quote(home_size: HomeSize, distance_km: float, floors_without_lift: int = 0) -> str:
    """Price for a move within Shanghai: truck, crew, how long it takes, total price (CNY) and a quote id.

    Args:
        home_size: studio, 1br, 2br or 3br (3 bedrooms or more).
        distance_km: Driving distance between the two homes, km.
        floors_without_lift: Floors carried by stairs where there is no lift, both ends added up (0 if lifts).
    """
    if distance_km <= 0 or distance_km > 80 or floors_without_lift < 0:
        return _json({"error": "distance must be 0-80 km (Shanghai only) and floors 0 or more"})
    base, truck, crew, hours = BASE_PRICES[home_size]
    extra_km = max(0, round(distance_km) - 10)
    price = base + extra_km * PER_KM + floors_without_lift * PER_FLOOR
    quote_id = f"Q{_number(f'{home_size}{distance_km:g}{floors_without_lift}', 1000, 9000)}"
    QUOTES[quote_id] = {"home_size": home_size, "price_cny": price}
    return _json({"quote_id": quote_id, "home_size": home_size, "truck": truck, "crew": f"{crew} movers 名搬运工",
                  "estimated_time": hours, "base_cny": base, "distance_surcharge_cny": extra_km * PER_KM,
                  "stairs_surcharge_cny": floors_without_lift * PER_FLOOR, "total_cny": price,
                  "deposit_cny": DEPOSIT, "valid_days": 7})


@function_tool
def crew_availability(move_date: str) -> str:
    """Whether a morning (08:00) or afternoon (13:00) crew is free on a day.

    Args:
        move_date: YYYY-MM-DD, from tomorrow.
    """
    when = _day(move_date)
    if when is None or when <= TODAY or when > TODAY + timedelta(days=60):
        return _json({"error": "move_date must be YYYY-MM-DD, from tomorrow, within 60 days"})
    return _json({"move_date": when.isoformat(), "free": [{"slot": s, "start": SLOT_START[s]} for s in _crew_free(when)],
                  "busy": [s for s in SLOT_START if s not in _crew_free(when)]})


@function_tool
def book_move(quote_id: str, move_date: str, slot: MoveSlot, from_address: str, to_address: str,
              phone: str) -> str:
    """Book a move from an accepted quote; returns the order number. The deposit link goes to the phone by SMS.

    Args:
        quote_id: Quote id from moving_quote, e.g. Q4821.
        move_date: YYYY-MM-DD.
        slot: morning (08:00) or afternoon (13:00).
        from_address: Address moving out of.
        to_address: Address moving into.
        phone: Customer's mobile number (11 digits).
    """
    quote = QUOTES.get(quote_id.strip().upper())
    when = _day(move_date)
    digits = _phone(phone)
    if quote is None:
        return _json({"error": f"unknown quote {quote_id}; get one with moving_quote first"})
    if when is None or when <= TODAY or slot not in _crew_free(when):
        return _json({"error": f"no {slot} crew free on {move_date}"})
    if len(digits) != 11:
        return _json({"error": "phone must have 11 digits"})
    order_no = f"HS{_number(quote_id + move_date + slot + digits, 318500, 90000)}"
    BOOKED_MOVES[order_no] = {"customer": f"{digits[:3]}****{digits[-4:]}", "move_date": when.isoformat(), "slot": slot,
                              "home_size": quote["home_size"], "from_address": from_address.strip(),
                              "to_address": to_address.strip(), "price_cny": quote["price_cny"],
                              "deposit_paid": False, "extras": [], "crew_lead": "待定 to be assigned"}
    return _json({"order_no": order_no, "move_date": when.isoformat(), "slot": slot, "start": SLOT_START[slot],
                  "from_address": from_address.strip(), "to_address": to_address.strip(),
                  "price_cny": quote["price_cny"], "deposit_cny": DEPOSIT,
                  "deposit": f"pay the deposit through the SMS link sent to {digits[:3]}****{digits[-4:]} within 24 hours"})


@function_tool
def move_order(order_no: str) -> str:
    """A booked move: date, time, addresses, price, extras, crew lead, and until when changes and cancellation are free.

    Args:
        order_no: Order number, HS + 6 digits, e.g. HS318204.
    """
    key, move = _move(order_no)
    if move is None:
        return _json({"error": f"no order {order_no}"})
    return _json({"order_no": key, **move, "start": SLOT_START[move["slot"]],
                  "free_change_until": _free_until(move).isoformat(),
                  "change_fee_now_cny": 0 if TODAY <= _free_until(move) else CHANGE_FEE,
                  "cancel_now": "free" if TODAY <= _free_until(move) else f"the {DEPOSIT} CNY deposit is kept"})


@function_tool
def reschedule_move(order_no: str, new_date: str, slot: MoveSlot) -> str:
    """Move a booked move to another date / slot (free until 2 days before the original date, later 150 CNY).

    Args:
        order_no: Order number.
        new_date: New date, YYYY-MM-DD.
        slot: morning or afternoon.
    """
    key, move = _move(order_no)
    when = _day(new_date)
    if move is None:
        return _json({"error": f"no order {order_no}"})
    if when is None or when <= TODAY or slot not in _crew_free(when):
        free = _crew_free(when) if when and when > TODAY else []
        return _json({"error": f"no {slot} crew on {new_date}; free: {', '.join(free) or 'none'}"})
    fee = 0 if TODAY <= _free_until(move) else CHANGE_FEE
    return _json({"rescheduled": True, "order_no": key, "old": f"{move['move_date']} {move['slot']}",
                  "new_date": when.isoformat(), "slot": slot, "start": SLOT_START[slot], "fee_cny": fee})


@function_tool
def add_extra(order_no: str, extra: MoveExtra) -> str:
    """Add an extra service to a booked move (packing 400, disassembly 200, piano 800 CNY). Only after the
    customer agreed to the price.

    Args:
        order_no: Order number.
        extra: packing, disassembly or piano.
    """
    key, move = _move(order_no)
    if move is None:
        return _json({"error": f"no order {order_no}"})
    if extra in move["extras"]:
        return _json({"error": f"{extra} is already on this order"})
    price, what = EXTRAS[extra]
    return _json({"added": True, "order_no": key, "extra": what, "price_cny": price,
                  "new_total_cny": move["price_cny"] + price,
                  "note": "packing crew comes the day before, 14:00-18:00" if extra == "packing" else ""})


@function_tool
def cancel_move(order_no: str) -> str:
    """Cancel a booked move. Free until 2 days before (deposit returned in 3 working days); later the 200 CNY
    deposit is kept. Only after the customer confirmed.

    Args:
        order_no: Order number.
    """
    key, move = _move(order_no)
    if move is None:
        return _json({"error": f"no order {order_no}"})
    free = TODAY <= _free_until(move)
    return _json({"cancelled": True, "order_no": key, "move_date": move["move_date"],
                  "deposit": "returned to the original payment method within 3 working days 3 个工作日内原路退回"
                  if free else f"kept 不退 ({DEPOSIT} CNY)"})


# ================================================================ 组队


def build_teams(model: Any) -> dict[str, DomainTeam]:
    """五个领域的 Agent。`model` 为 None 时只用来核对语料（不运行）。"""
    claims = Agent(
        name="BaggageClaims", model=model,
        handoff_description="行李延误期间生活用品费用的报销、报销进度、丢失和破损赔偿的问题。",
        instructions=prompt_with_handoff_instructions(
            f"你是云翔航空（YX）的行李费用报销助手。今天是 {TODAY_TEXT}。\n"
            "- 行李延误期间临时买的洗漱用品、换洗衣物等生活用品可以报销：国内航班每天最多 200 元，从航班到达当天算到"
            "行李送达那天，最多 5 天；要有小票或发票。\n"
            "- 报销：要行李延误登记号（例如 PVGYX20931），先用 expense_allowance 查这份登记还能报多少；再问清买的是哪一类"
            "（洗漱用品 / 换洗衣物 / 其他生活用品）、一共多少钱，把类别和金额念给旅客确认，旅客确认后才用 "
            "submit_expense_claim 提交，告诉他报销单号，并提醒 7 天内在云翔航空 App「我的行李」里上传小票照片。"
            "超出额度的部分不能报。\n"
            "- 报销进度用 claim_status（报销单号 BC 开头）。\n"
            "- 行李满 21 天还没找到才按丢失赔偿（按托运重量每公斤最多 100 元，上限 3000 元）；行李破损也走赔偿。"
            "丢失和破损赔偿都请旅客拨打客服热线 95338 申请，你不能承诺赔多少，也不能用里程、升舱或代金券补偿。\n"
            "- 行李现在在哪、送行李上门交回 BaggageTracing。\n"
            "用旅客的语言简短回答。"),
        tools=[expense_allowance, submit_expense_claim, claim_status],
    )
    tracing = Agent(
        name="BaggageTracing", model=model,
        handoff_description="延误行李的查询：行李在哪、什么时候到、安排送行李上门、自取。",
        instructions=prompt_with_handoff_instructions(
            f"你是云翔航空（YX）的行李服务助手，负责延误行李的查询和送还。今天是 {TODAY_TEXT}。\n"
            "- 查行李要行李延误登记号（到达机场三字码 + YX + 5 位数字，例如 PVGYX20931，在机场登记时给的单子上），用 "
            "bag_report 查；旅客只有行李牌号（YX 加 6 位数字，贴在登机牌背面）的，用 find_report_by_tag 查。都没有就先问。\n"
            "- 告诉旅客行李现在的状态、在哪里、预计什么时候到。\n"
            "- 已找到的行李可以免费送上门：要送达地址和日期（最早明天，7 天之内；送达时间 10:00-20:00，送前 1 小时电话联系），"
            "齐了就用 schedule_bag_delivery 安排，不用再确认；也可以照查到的说明到机场行李服务柜台自取。"
            "还在查找中的行李不能安排送货，找到后会短信通知。\n"
            "- 还没登记过的行李：刚下飞机的请到到达机场的行李服务柜台登记；已经离开机场的，7 天内拨打客服热线 95338 登记。"
            "你不能替旅客新建登记。\n"
            "- 行李破损：拍照留证，7 天内到机场行李服务柜台或拨打 95338。\n"
            "- 延误期间买生活用品的报销、报销进度、丢失赔偿交给 BaggageClaims。\n"
            "用旅客的语言简短回答。"),
        tools=[bag_report, find_report_by_tag, schedule_bag_delivery],
        handoffs=[claims],
    )
    claims.handoffs = [tracing]

    nurse = Agent(
        name="VetNurse", model=model,
        instructions=("You are a veterinary nurse at Maple Paws Animal Hospital. The receptionist forwards an owner's "
                      "question. Look it up with care_notes and answer only from those notes; never diagnose. If the "
                      "notes don't cover it, say a vet needs to see the pet. Answer in the language of the question, "
                      "briefly."),
        tools=[care_notes],
    )
    reception = Agent(
        name="PetReception", model=model,
        instructions=(
            f"You are the online receptionist of Maple Paws Animal Hospital (18 Elm Street). Today is "
            f"{TODAY.isoformat()} (Wednesday).\n"
            "Opening hours: Monday-Friday 08:00-19:00, Saturday 09:00-13:00, closed on Sunday.\n"
            "Vet prices: check-up $65, vaccination $45 per vaccine, sick visit $85, dental cleaning $320 (under "
            "anaesthetic; Tuesdays and Thursdays only, drop-off 08:30, no food after 8 pm the night before).\n"
            "Grooming (drop-off 09:00 or 13:00, Saturdays 09:00 only; ready about 3 hours later): bath small $35 / "
            "medium $45 / large $60; full groom small $55 / medium $70 / large $90; nail trim $15 for any size.\n"
            "- Pets are identified by their 6-digit pet ID (on the reminder card and on invoices); ask for it if it is "
            "missing. pet_record shows the pet's details, size, vaccines due and upcoming appointments.\n"
            "- Vet visits: check free times with vet_slots, then book with book_vet_visit as soon as the owner picks a "
            "time (no extra confirmation needed) and give the appointment number.\n"
            "- Grooming: tell the owner the price for their pet's size first; book with book_grooming only after they "
            "agree.\n"
            "- Cancelling: look the appointment up with find_appointment, read the pet, day and time back, and cancel "
            "with cancel_appointment only after the owner confirms. Cancelling on the day of the appointment costs "
            "$25; earlier is free.\n"
            "- Health and care questions (what pets may eat, vaccine schedules, aftercare, fleas and ticks, travelling "
            "with a pet, teeth): ask the nurse with ask_vet_nurse and pass the answer on. Never diagnose.\n"
            "- Emergencies (trouble breathing, collapse, seizures, swallowed something poisonous, hit by a car): tell "
            "the owner to call the 24-hour emergency line (555) 301-9111 and come straight in; don't book an "
            "appointment for it.\n"
            "- Prescription refills, test results and medical records: a vet has to handle them; the owner should call "
            "(555) 301-4400. You cannot give discounts or waive fees.\n"
            "Reply in the owner's language, briefly."),
        tools=[pet_record, vet_slots, book_vet_visit, book_grooming, find_appointment, cancel_appointment,
               nurse.as_tool(tool_name="ask_vet_nurse",
                             tool_description="Ask the clinic's vet nurse a pet health or care question (food, "
                                              "vaccines, aftercare, fleas and ticks, travel, teeth). Put the "
                                              "owner's question in input.")],
    )

    citizen = Agent(
        name="CitizenService", model=model,
        instructions=(
            f"你是临江市市民服务中心的证件办理助手。今天是 {TODAY_TEXT}。\n"
            "大厅在临江市滨江大道 200 号市民服务中心 2 楼。办公时间：周一至周五 9:00-17:00（中午不休息）；"
            "周六 9:00-12:00，只办身份证、护照和港澳通行证；周日休息。证件业务都要本人到场，先预约再来。\n"
            "- 问要带什么材料、多少钱、多久能拿到：用 service_guide 查对应的业务，照着告诉群众；\n"
            "- 预约：要业务、日期、时间和手机号，缺什么问什么。先用 hall_slots 查那天的空位告诉群众；群众选好时间、"
            "给了手机号，就用 book_hall_slot 预约（不用再确认），告诉他预约号，提醒带齐材料；\n"
            "- 查自己的预约用 my_hall_bookings（手机号）；取消：先查到预约，把业务、日期和时间念给群众确认，"
            "群众确认后才调用 cancel_hall_booking；\n"
            "- 办件进度：要受理编号（SL 加 6 位数字，在受理回执上），用 application_progress 查；\n"
            "- 已经制好的证件可以邮寄到家：EMS 邮费 15 元收件时付，先把费用告诉群众，同意后再用 mail_document 办理；\n"
            "- 不能加急，也不能代办（要本人采集指纹和照片）；交通违章、社保、公积金不在这里办，请拨打 12345 市民热线。\n"
            "用群众的语言简短回答。"),
        tools=[service_guide, hall_slots, book_hall_slot, my_hall_bookings, cancel_hall_booking, application_progress,
               mail_document],
    )

    ticket_desk = Agent(
        name="TicketDesk", model=model,
        instructions=(
            f"You are the online ticket assistant of the Lakeside Museum of Art & History (1 Harbour Walk). Today is "
            f"{TODAY.isoformat()} (Wednesday).\n"
            "Opening hours: Tuesday-Sunday 10:00-18:00, Fridays until 21:00; closed on Mondays. Entry is by timed "
            "ticket.\n"
            "Prices: adult $22; concession $16 (seniors 65+ and students with ID); child 6-17 $10; under 6 free (no "
            "ticket needed). Special exhibition \"Silk Road Treasures\" (until 2026-11-30): $8 extra per ticket, "
            "children included.\n"
            "- Availability: entry_availability for the day asked (YYYY-MM-DD).\n"
            "- Buying: you need the day, the entry time, how many adult, concession and child tickets, whether they "
            "want the special exhibition, and an email for the e-tickets. Ask for what is missing, tell the visitor "
            "the total, and buy with buy_tickets only after they confirm. Give the order number.\n"
            "- Orders have a 6-digit order number; look them up with find_order.\n"
            "- Changing the day or time is free until the day before the visit: do it with change_visit straight away "
            "(no extra confirmation). Tickets cannot be refunded.\n"
            "- Adding the special exhibition to an existing order: tell the visitor the extra cost and use "
            "add_exhibition after they agree.\n"
            "- Today's tours and talks: todays_program. Membership: membership_options; people join online at "
            "lakeside-museum.example/join or at the information desk (you cannot sign them up).\n"
            "- Free wheelchairs and strollers at the cloakroom; service dogs are welcome. Lost property, groups of 15 "
            "or more and school visits: call (555) 410-2200.\n"
            "Reply in the visitor's language."),
        tools=[entry_availability, buy_tickets, find_order, change_visit, add_exhibition, todays_program,
               membership_options],
    )

    support = Agent(
        name="MoveSupport", model=model,
        handoff_description="Booked moves 已预约的搬家: order details, date changes, extra services, cancellation, "
                            "damage.",
        instructions=prompt_with_handoff_instructions(
            f"You are the customer support assistant of HomeShift Movers 安居搬家 (Shanghai) for moves that are "
            f"already booked. Today is {TODAY.isoformat()} (Wednesday, 星期三).\n"
            "- Orders are identified by the order number (HS + 6 digits, e.g. HS318204); ask for it if missing. Look "
            "the order up with move_order.\n"
            "- Changing the date: free until 2 days before the move, later 150 CNY. Check the order first; if a fee "
            "applies, tell the customer and change only after they agree; if it is free, change it with "
            "reschedule_move right away.\n"
            "- Extras: packing service 400 CNY (we pack everything, boxes included; the packers come the day before), "
            "furniture disassembly and reassembly 200 CNY, upright piano 800 CNY. Tell the price and add it with "
            "add_extra only after the customer agrees.\n"
            "- Cancelling: read the date and addresses back and cancel with cancel_move only after the customer "
            "confirms. Free until 2 days before the move (deposit returned in 3 working days); later the 200 CNY "
            "deposit is kept.\n"
            "- Damage or loss during a move: report within 3 days by calling 400-886-5200 with photos; you cannot "
            "promise compensation.\n"
            "- New moves and quotes go to MoveSales.\n"
            "Reply in the customer's language (中文或英文), briefly."),
        tools=[move_order, reschedule_move, add_extra, cancel_move],
    )
    sales = Agent(
        name="MoveSales", model=model,
        handoff_description="New moves 新的搬家: quotes, free dates, booking.",
        instructions=prompt_with_handoff_instructions(
            f"You are the sales assistant of HomeShift Movers 安居搬家, moving homes within Shanghai. Today is "
            f"{TODAY.isoformat()} (Wednesday, 星期三).\n"
            "Prices (truck, crew and furniture blankets included), up to 10 km: studio 600 CNY, 1br 900, 2br 1500, "
            "3br (three bedrooms or more) 2400; plus 12 CNY per km beyond 10 km; plus 80 CNY per floor carried by "
            "stairs where there is no lift (both ends added up).\n"
            "- Quote: you need the home size and the distance in km, and whether both buildings have a lift. Get the "
            "price with moving_quote and tell the customer the total, the truck and the crew.\n"
            "- Dates: crew_availability shows whether a morning (08:00) or afternoon (13:00) crew is free.\n"
            "- Booking: when the customer accepts a quote you need the date, morning or afternoon, both addresses "
            "and a mobile number; ask for what is missing, then book with book_move (no extra confirmation) and "
            "give the order number. The 200 CNY deposit is paid through the SMS link.\n"
            "- Extras (packing, furniture disassembly, piano) are added by MoveSupport after booking; orders that are "
            "already booked (details, changes, cancellation, damage) go to MoveSupport.\n"
            "- We don't do moves to other cities, storage, or hazardous goods (gas cylinders, paint, fuel).\n"
            "Reply in the customer's language (中文或英文), briefly."),
        tools=[moving_quote, crew_availability, book_move],
        handoffs=[support],
    )
    support.handoffs = [sales]

    def team(start: Agent, *others: Agent) -> DomainTeam:
        return DomainTeam(start, {a.name: a for a in (start, *others)})

    return {
        "baggage": team(tracing, claims),
        "petclinic": team(reception),
        "govhall": team(citizen),
        "museum": team(ticket_desk),
        "moving": team(sales, support),
    }


# ================================================================ 每一轮的通用检查：这五个领域的表

# 有副作用的工具 → 回答里说“已经办了”时用到的动词（中文词 / 英文词根）。说了某个动词，对应的工具就要运行过。
# 两个工具都说得通的词（宠物医院的“预约 / book”，看诊和美容都用）不列，免得把真话当成假话；
# 查到的状态里常见的词（行李“已送达”的“送”、delivered）也不列。
SIDE_EFFECTS: dict[str, dict[str, str]] = {
    "baggage": {
        "schedule_bag_delivery": r"安排|送货|上门|送到您|送到府|\bschedul|\barrang|\bbook",
        "submit_expense_claim": r"提交|申请|报销|补偿|\bsubmit|\bfiled|\blodg",
    },
    "petclinic": {
        "book_vet_visit": r"看诊|就诊|体检|疫苗|接种|洗牙|\bcheck-?up|\bvaccin|\bvet visit|\bsick visit|\bdental",
        "book_grooming": r"美容|洗澡|洗护|修剪|剪指甲|\bgroom|\bbath|\bnail",
        "cancel_appointment": r"取消|\bcancel",
    },
    "govhall": {
        "book_hall_slot": r"预约|约好|约上|\bbook|\breserv",
        "cancel_hall_booking": r"取消|\bcancel",
        "mail_document": r"邮寄|寄送|寄到|寄出|\bmail|\bpost",
    },
    "museum": {
        "buy_tickets": r"购买|买好|买了|订好|订了|预订|出票|购票|订票|\bbook|\bpurchas|\bbought|\breserv",
        "change_visit": r"改到|改期|改成|改为|更改|\bchang|\bmoved|\breschedul|\bswitch",
        "add_exhibition": r"加上|添加|加购|加了|\badded|\badd\b",
    },
    "moving": {
        "book_move": r"预约|预订|约好|订好|\bbook|\bschedul|\breserv",
        "reschedule_move": r"改到|改期|改成|改为|换到|\breschedul|\bchang|\bmoved",
        "add_extra": r"加上|添加|增加|加了|\badded|\badd\b",
        "cancel_move": r"取消|退回|退还|\bcancel|\brefund",
    },
}
# 这五个领域里没有任何工具能做的事：说做了就是假话。
IMPOSSIBLE = (r"赔偿|理赔|赔付|里程|升舱|代金券|加急|代办|减免|免除|免掉|退票|入会|"
              r"\bcompensat|\bwaiv|\brefund|\bupgrad|\bexpedit|\bmiles\b|\bvoucher|\bsigned you up|\benrol")
RULES = TurnRules(
    side_effects=SIDE_EFFECTS,
    impossible=IMPOSSIBLE,
    date_args={"delivery_date", "day", "new_day", "move_date", "new_date"},
    time_args={"time", "entry_time", "new_time", "drop_off"},
    free_text_args={"address", "from_address", "to_address", "input"},  # 地址；转给护士的问题（本来就是一段话）
)


# ================================================================ 语料、运行、报告


HELD_OUT = HeldOut(CORPUS, "第四份留出对话（tests/mock_heldout4.txt）", build_teams, RULES,
                   MIN_ACCURACY, MIN_DIALOGUES, MIN_TURNS)


# ================================================================ 测试


def test_corpus_is_well_formed():
    HELD_OUT.check_well_formed()


def test_corpus_is_not_in_the_mock():
    HELD_OUT.check_not_in_mock()


def test_honesty_check_covers_these_domains():
    """“说到做到”检查认得这五个领域的说法：声称办了要有对应的工具运行过，做不到的事永远不能说做了。"""
    assert honesty_problem("baggage", "已为您安排明天把行李送到家。", {"submit_expense_claim"}, RULES)
    assert not honesty_problem("baggage", "已为您安排明天把行李送到家。", {"schedule_bag_delivery"}, RULES)
    assert not honesty_problem("baggage", "已为您查到：行李 9 月 5 日已送达，本人签收。", set(), RULES)
    assert honesty_problem("baggage", "已为您发放 2000 里程作为补偿。", {"submit_expense_claim"}, RULES)
    assert honesty_problem("petclinic", "I've booked Biscuit's full groom for Saturday.", {"book_vet_visit"}, RULES)
    assert not honesty_problem("petclinic", "I've booked a vaccination for Miso on Friday at 10:30.",
                               {"book_vet_visit"}, RULES)
    assert honesty_problem("petclinic", "I have waived the $25 late cancellation fee.", {"cancel_appointment"}, RULES)
    assert honesty_problem("govhall", "已为您预约 9 月 10 日 11:00 的护照办理。", set(), RULES)
    assert honesty_problem("govhall", "已为您加急办理护照。", {"book_hall_slot"}, RULES)
    assert not honesty_problem("govhall", "已为您查到：护照正在制证，预计 9 月 14 日可以领取。", set(), RULES)
    assert honesty_problem("museum", "I've refunded your tickets.", {"change_visit"}, RULES)
    assert honesty_problem("museum", "I've moved your visit to Saturday at 13:00.", {"buy_tickets"}, RULES)
    assert not honesty_problem("museum", "I've added the exhibition to all three tickets.", {"add_exhibition"}, RULES)
    assert honesty_problem("moving", "已为您取消 9 月 12 日的搬家。", {"reschedule_move"}, RULES)
    assert honesty_problem("moving", "好的，已经为您办理好了。", set(), RULES)  # 不指明哪件事的“办好了”
    assert honesty_problem("moving", "我们已经赔偿您 500 元。", {"cancel_move"}, RULES)


def test_dialogues(mock, mock_server, request):
    """跑完全部留出对话，逐轮比对；打印各领域准确率和每个失败的轮次。"""
    HELD_OUT.check_dialogues(mock_server, request)
