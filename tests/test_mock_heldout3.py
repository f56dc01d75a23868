"""第三份留出对话（tests/mock_heldout3.txt）：再换五个模拟模型从没见过的领域，做最后一次诚实的测量。

写法和前两份留出语料一样是“盲写”的：这里的领域、Agent、指令、工具、文档字符串、参数名和每一句用户的话，
都是在没有打开模拟模型的代码和词库（shared/mock/）、也没有看它调规则时对照过的三份语料（mock_corpus.txt、
mock_dialogues.txt、mock_heldout.txt；mock_heldout2.txt 只读了开头的格式说明）的情况下写的。视角是一位只读过
Agents SDK 文档的开发者：照着文档搭好自己的客服，换上模拟模型。每一轮的期望（`=` / `?` / `!` 行）都是在
第一次运行之前写好的，写的是“一个称职的模型（例如 gpt-4.1）在这一轮会做什么”，几种做法都说得过去时用 `|`
列出备选；运行只用来核对语料能解析、工具能执行、日期对得上，从没因为模拟模型答错而改期望。

量的是：别人写的新领域 Agent，遇到中英文的普通说法，能不能选对工具、填对参数（编号、枚举、日期）；
回答工具结果时不带原始字段名；多轮里追问能找到对的 Agent、工具和编号，回答助手自己提的问题能接着把事办完，
确认之后能继续办，没有工具结果就不声称办了。

五个领域（工具都是进程内的假数据，按参数返回 JSON；“今天”是 2026-04-14，星期二）：
- courier：迅达快递，查件 TrackingDesk + 寄件 ShippingDesk（互相 handoff），中文为主；
- hotel：厦门海景酒店（Harbourview Hotel）前台 FrontDesk，本地出行、餐厅问题交给当作工具用的礼宾 Agent
  （`ask_concierge`，agents-as-tools），英文为主；
- property：云栖花园物业管家 PropertyDesk（单 Agent），中文为主；
- cinema：StarLight Cinemas 售票助手 BoxOffice（单 Agent），英文为主；
- carcare：安途汽车服务，预约 ServiceAdvisor + 车间 WorkshopDesk（互相 handoff），中英文。

语料格式、运行方式和逐轮检查都复用 test_mock_heldout.py（它又复用 test_mock_dialogues.py 的解析器）：
Agent 和工具调用符合 `=` 行的备选之一，`?` / `!` 行的文字，说到做到（声称办了的事，对应的有副作用的工具
必须运行过；没有工具能做的事永远不能说做了），同一个有副作用的调用不做两次，回答里没有原始字段名 / JSON，
参数里不塞整句话，日期参数是 YYYY-MM-DD，时间参数是 HH:MM。本文件只换上这五个领域的表（RULES）。

Agent 当工具用时（酒店），外层只看得见 `ask_concierge` 这一次调用，礼宾内部查资料的调用不计入。

报告（终端摘要）：各领域和总的轮次准确率、只看 Agent / 工具 / 参数的准确率，以及每一个失败的轮次
（期望 / 实际 / 回答）。至少 35 段对话、110 轮，中文对话不少于一半。

测量结果（2026-12-07，第一次运行，之后没有按这份语料调过规则）：轮次准确率 38/115 = 33.0%，只看 Agent、工具和
参数 58/115 = 50.4%。也就是说：对别人新写的多轮客服，模拟模型大约一半的轮次选对、填对，三分之一的轮次连回答
也挑不出毛病——它是一个确定性的规则引擎，不是语言模型。门槛定在测得值下面一点（30%），作用是防退步，不是
宣称达标；以后改进规则时**不要**照着这份语料的失败去调，它才能一直是诚实的测量。要再量推广能力，另写第四份。
同一天晚些时候，照第二、五份语料加了几十条通用规则之后（没有看这份的失败）：41/115 = 35.7%，60/115 = 52.2%。

运行：`.venv/bin/python -m pytest -n 0 -q tests/test_mock_heldout3.py`
"""

from __future__ import annotations

import math
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

CORPUS = Path(__file__).with_name("mock_heldout3.txt")
MIN_ACCURACY = 0.30  # 盲测得 33.0%：防退步的下限，不是目标（见模块说明）
MIN_DIALOGUES = 35
MIN_TURNS = 110

TODAY = date(2026, 4, 14)  # 各领域指令里写明的“今天”（星期二），日期参数按它核对
TODAY_TEXT = f"{TODAY.isoformat()}（星期二）"


# ================================================================ 领域一：快递（两个 Agent，中文为主）

DeliverySlot = Literal["上午", "下午", "晚上"]
PickupSlot = Literal["上午", "下午"]
SLOT_HOURS = {"上午": "09:00-12:00", "下午": "13:00-18:00", "晚上": "18:00-21:00"}
PARCELS = {  # 运单号 → 路线、状态、轨迹、预计送达
    "XD6021547733": {"route": "上海 → 杭州", "recipient": "周*", "status": "运输中",
                     "address": "杭州市西湖区文三路 90 号", "estimated_delivery": "2026-04-15",
                     "events": [("2026-04-13 19:20", "上海青浦转运中心 已发出"),
                                ("2026-04-14 06:12", "已到达 杭州转运中心")]},
    "XD6021550918": {"route": "苏州 → 上海", "recipient": "吴*", "status": "派送中",
                     "address": "上海市闵行区虹梅路 2000 号", "estimated_delivery": "2026-04-14 14:00-18:00",
                     "courier": {"name": "李建华", "phone": "13801726610"},
                     "events": [("2026-04-14 07:40", "已到达 上海闵行虹梅站"),
                                ("2026-04-14 08:05", "派送员 李建华 正在派送")]},
    "XD6021498802": {"route": "广州 → 上海", "recipient": "郑*", "status": "已签收",
                     "address": "上海市长宁区天山路 600 弄", "signed_at": "2026-04-13 18:40",
                     "signed_by": "丰巢快递柜（小区北门）", "locker_pickup_code": "58291",
                     "events": [("2026-04-13 09:12", "派送员 孙强 正在派送"),
                                ("2026-04-13 18:40", "已放入 丰巢快递柜（小区北门），取件码 58291")]},
    "XD6021563340": {"route": "北京 → 杭州", "recipient": "许*", "status": "已到达派送网点",
                     "address": "杭州市萧山区宁围街道民和路 1 号", "estimated_delivery": "2026-04-15",
                     "station": "杭州萧山宁围站",
                     "events": [("2026-04-14 05:30", "已到达 杭州萧山宁围站，明天派送")]},
    "XD6021571205": {"route": "深圳 → 上海", "recipient": "Walker*", "status": "运输中",
                     "address": "上海市静安区南京西路 1266 号", "estimated_delivery": "2026-04-16",
                     "events": [("2026-04-13 22:05", "深圳转运中心 已发出"),
                                ("2026-04-14 10:30", "运输途中（武汉转运中心）")]},
}
CHANGE_ADDRESS_FEE = 6
PICKUPS = {
    "QJ-20417": {"phone": "137****8823", "address": "上海市浦东新区世纪大道 1568 号 18 楼",
                 "pickup_date": "2026-04-15", "time_slot": "下午", "status": "已预约，待上门"},
}
REGION = {"上海", "杭州", "苏州", "南京", "宁波", "无锡"}  # 江浙沪：标准快递 1-2 天，可走次日达
CITY_NAMES = {"shanghai": "上海", "hangzhou": "杭州", "suzhou": "苏州", "nanjing": "南京", "ningbo": "宁波",
              "wuxi": "无锡", "beijing": "北京", "shenzhen": "深圳", "guangzhou": "广州", "chengdu": "成都"}


def _parcel(waybill_no: str) -> tuple[str, dict[str, Any] | None]:
    key = _key("XD", waybill_no)
    return key, PARCELS.get(key)


def _city(text: str) -> str:
    name = text.strip().removesuffix("市")
    return CITY_NAMES.get(name.lower().removesuffix(" city"), name)


@function_tool
def track_parcel(waybill_no: str) -> str:
    """查快递：路线、当前状态、最新轨迹、预计送达时间；派送中的附派送员，已签收的附签收方式和取件码。

    Args:
        waybill_no: 运单号，XD 加 10 位数字，例如 XD6021547733。
    """
    key, parcel = _parcel(waybill_no)
    if parcel is None:
        return _json({"error": f"查不到运单 {waybill_no}，请核对单号"})
    info = {k: v for k, v in parcel.items() if k != "events"}
    return _json({"waybill_no": key, **info,
                  "latest_events": [{"time": t, "event": e} for t, e in parcel["events"]],
                  "address_change_allowed": parcel["status"] in ("运输中", "已到达派送网点")})


@function_tool
def reschedule_delivery(waybill_no: str, delivery_date: str, time_slot: DeliverySlot) -> str:
    """改约派送时间（免费）：在预计送达日到之后 7 天内选一天和一个时段。派送中、已签收的不能改约。

    Args:
        waybill_no: 运单号。
        delivery_date: 希望派送的日期，YYYY-MM-DD。
        time_slot: 派送时段：上午 09:00-12:00，下午 13:00-18:00，晚上 18:00-21:00。
    """
    key, parcel = _parcel(waybill_no)
    day = _day(delivery_date)
    if parcel is None:
        return _json({"error": f"查不到运单 {waybill_no}"})
    if parcel["status"] in ("派送中", "已签收"):
        return _json({"error": f"快递{parcel['status']}，不能改约，请直接联系派送员"})
    earliest = date.fromisoformat(parcel["estimated_delivery"][:10])
    if day is None or day < earliest or day > TODAY + timedelta(days=7):
        return _json({"error": f"日期要写成 YYYY-MM-DD，在 {earliest} 到 {TODAY + timedelta(days=7)} 之间"})
    return _json({"rescheduled": True, "waybill_no": key, "delivery_date": day.isoformat(),
                  "time_slot": time_slot, "time_window": SLOT_HOURS[time_slot], "fee": "免费"})


@function_tool
def change_address(waybill_no: str, new_address: str) -> str:
    """改派到新地址，收 6 元改派费（派送时向收件人收取）。只有运输中、已到达派送网点的快递能改。

    Args:
        waybill_no: 运单号。
        new_address: 新的收件地址（省市区 + 详细地址）。
    """
    key, parcel = _parcel(waybill_no)
    if parcel is None:
        return _json({"error": f"查不到运单 {waybill_no}"})
    if parcel["status"] not in ("运输中", "已到达派送网点"):
        return _json({"error": f"快递{parcel['status']}，已经不能改地址"})
    eta = date.fromisoformat(parcel["estimated_delivery"][:10]) + timedelta(days=1)
    return _json({"changed": True, "waybill_no": key, "new_address": new_address.strip(),
                  "fee_cny": CHANGE_ADDRESS_FEE, "fee_paid_by": "收件人（派送时支付）",
                  "estimated_delivery": eta.isoformat()})


@function_tool
def shipping_quote(origin_city: str, destination_city: str, weight_kg: float) -> str:
    """寄件运费和时效：标准快递和次日达（次日达只在江浙沪之间）。按整公斤计费，不足 1 公斤按 1 公斤。

    Args:
        origin_city: 寄出城市，例如 上海。
        destination_city: 目的城市，例如 北京。
        weight_kg: 包裹重量（公斤）。
    """
    origin, destination = _city(origin_city), _city(destination_city)
    if weight_kg <= 0 or weight_kg > 50:
        return _json({"error": "重量要在 0-50 公斤之间，超过 50 公斤请走大件物流"})
    billable = max(1, math.ceil(weight_kg))
    local = origin in REGION and destination in REGION
    standard = (10 + 3 * (billable - 1)) if local else (12 + 5 * (billable - 1))
    quote: dict[str, Any] = {"origin": origin, "destination": destination, "billable_kg": billable,
                             "standard": {"price_cny": standard, "transit": "1-2 天" if local else "2-4 天"}}
    if local:
        quote["next_day"] = {"price_cny": 23 + 9 * (billable - 1), "transit": "次日 18:00 前送达（16:00 前揽收）"}
    else:
        quote["next_day"] = {"available": False, "reason": "次日达只在江浙沪城市之间提供"}
    return _json(quote)


@function_tool
def schedule_pickup(phone: str, address: str, pickup_date: str, time_slot: PickupSlot) -> str:
    """预约快递员上门取件（免费）：今天起 3 天内。运费在上门时按实际重量结算。

    Args:
        phone: 寄件人手机号，11 位。
        address: 取件地址（详细到门牌号）。
        pickup_date: 取件日期，YYYY-MM-DD。
        time_slot: 取件时段：上午 09:00-12:00，下午 13:00-18:00。
    """
    digits = re.sub(r"\D", "", phone)
    day = _day(pickup_date)
    if len(digits) != 11:
        return _json({"error": "手机号要 11 位"})
    if day is None or not TODAY <= day <= TODAY + timedelta(days=3):
        return _json({"error": f"取件日期要写成 YYYY-MM-DD，在 {TODAY} 到 {TODAY + timedelta(days=3)} 之间"})
    return _json({"pickup_no": f"QJ-{_number(digits + pickup_date + time_slot, 20500, 9000)}",
                  "address": address.strip(), "pickup_date": day.isoformat(), "time_slot": time_slot,
                  "time_window": SLOT_HOURS[time_slot], "note": "快递员上门前 30 分钟电话联系；运费上门时按实际重量结算"})


@function_tool
def pickup_details(pickup_no: str) -> str:
    """查一个上门取件预约：地址、日期、时段、状态。

    Args:
        pickup_no: 取件预约号，例如 QJ-20417。
    """
    key = _key("QJ-", pickup_no)
    pickup = PICKUPS.get(key)
    if pickup is None:
        return _json({"error": f"找不到取件预约 {pickup_no}"})
    return _json({"pickup_no": key, **pickup, "time_window": SLOT_HOURS[pickup["time_slot"]]})


@function_tool
def cancel_pickup(pickup_no: str) -> str:
    """取消上门取件预约（免费）。顾客确认之后才能调用。

    Args:
        pickup_no: 取件预约号。
    """
    key = _key("QJ-", pickup_no)
    if key not in PICKUPS:
        return _json({"error": f"找不到取件预约 {pickup_no}"})
    return _json({"cancelled": True, "pickup_no": key, "fee": "免费"})


# ================================================================ 领域二：酒店前台（Agent 当工具用，英文为主）

HousekeepingItem = Literal["towels", "pillows", "toiletries", "baby cot", "ironing board", "bottled water"]
RESERVATIONS = {
    "HV-58213": {"guest": "Emily Carter", "room_type": "Deluxe King", "room": "1208", "check_in": "2026-04-12",
                 "check_out": "2026-04-15", "nightly_rate_cny": 880, "breakfast_included": True,
                 "status": "in-house"},
    "HV-59120": {"guest": "Marco Rossi", "room_type": "Junior Suite", "room": "906", "check_in": "2026-04-11",
                 "check_out": "2026-04-14", "nightly_rate_cny": 1380, "breakfast_included": False,
                 "status": "in-house"},
    "HV-60477": {"guest": "张伟", "room_type": "Twin 双床房", "room": None, "check_in": "2026-04-20",
                 "check_out": "2026-04-23", "nightly_rate_cny": 760, "breakfast_included": False,
                 "status": "upcoming"},
    "HV-61002": {"guest": "王丽", "room_type": "Deluxe King", "room": "1502", "check_in": "2026-04-13",
                 "check_out": "2026-04-15", "nightly_rate_cny": 880, "breakfast_included": True,
                 "status": "in-house"},
}
SOLD_OUT = {"Junior Suite": {"2026-04-14", "2026-04-15", "2026-04-16"}}  # 房型 → 满房的晚上
LATE_CHECKOUT_FEE = 300
CITY_GUIDE = {  # 礼宾的资料：中英文
    "airport": {
        "en": "Xiamen Gaoqi Airport (XMN) is about 25 minutes by taxi (CNY 50-60, taxis wait at the main "
              "entrance). Hotel airport shuttle leaves on the hour 06:00-21:00, CNY 30 per person; sign up at "
              "the concierge desk in the lobby the evening before.",
        "zh": "去厦门高崎机场打车约 25 分钟，车费 50-60 元，酒店正门有出租车候客；酒店机场班车 06:00-21:00 整点发车，"
              "每人 30 元，请前一晚到大堂礼宾台登记。"},
    "restaurants": {
        "en": "Tidewater Seafood House: 5 minutes' walk along Pier Road, fresh local seafood, about CNY 150 per "
              "person, book ahead on weekends. Lotus Garden: vegetarian, 10 minutes' walk.",
        "zh": "潮汐海鲜馆（Tidewater Seafood House）：沿码头路步行 5 分钟，本地海鲜，人均约 150 元，周末要提前订；"
              "莲园素食：步行 10 分钟。"},
    "sights": {
        "en": "Gulangyu Island: ferry from the Xiamen International Cruise Terminal (15 minutes by taxi), tickets "
              "must be bought online in advance. Zhongshan Road pedestrian street: 10 minutes' walk.",
        "zh": "鼓浪屿：从厦门国际邮轮中心坐轮渡（打车 15 分钟），船票要提前在网上买；中山路步行街：步行 10 分钟。"},
    "metro": {
        "en": "Metro Line 1, Zhenhai Road station, 6 minutes' walk; trains 06:30-22:30.",
        "zh": "地铁 1 号线镇海路站，步行 6 分钟；运营时间 06:30-22:30。"},
}


def _reservation(confirmation_no: str) -> tuple[str, dict[str, Any] | None]:
    key = _key("HV-", confirmation_no)
    return key, RESERVATIONS.get(key)


def _extension(booking: dict[str, Any], new_check_out: str) -> dict[str, Any]:
    """延住的报价：能不能住、多住几晚、每晚多少、一共多少。"""
    end, start = _day(new_check_out), date.fromisoformat(booking["check_out"])
    if booking["status"] != "in-house":
        return {"error": "only in-house guests can extend; future bookings are changed by the reservations team"}
    if end is None or end <= start:
        return {"error": f"new_check_out must be YYYY-MM-DD and later than the current check-out {start}"}
    nights = [(start + timedelta(days=i)).isoformat() for i in range((end - start).days)]
    full = [n for n in nights if n in SOLD_OUT.get(booking["room_type"], set())]
    if full:
        return {"available": False, "room_type": booking["room_type"],
                "reason": f"{booking['room_type']} is fully booked on the night(s) of {', '.join(full)}"}
    return {"available": True, "room_type": booking["room_type"], "room": booking["room"],
            "current_check_out": booking["check_out"], "new_check_out": end.isoformat(),
            "extra_nights": len(nights), "nightly_rate_cny": booking["nightly_rate_cny"],
            "total_cny": len(nights) * booking["nightly_rate_cny"],
            "breakfast_included": booking["breakfast_included"]}


@function_tool
def find_reservation(confirmation_no: str) -> str:
    """Look up a reservation: guest, room type and number, check-in/check-out dates, nightly rate, breakfast.

    Args:
        confirmation_no: Confirmation number, e.g. HV-58213.
    """
    key, booking = _reservation(confirmation_no)
    if booking is None:
        return _json({"error": f"no reservation {confirmation_no}"})
    return _json({"confirmation_no": key, **booking, "check_in_time": "14:00", "check_out_time": "11:00"})


@function_tool
def extension_quote(confirmation_no: str, new_check_out: str) -> str:
    """Price and availability of extending an in-house stay to a later check-out date (same room, same rate).

    Args:
        confirmation_no: Confirmation number.
        new_check_out: The new check-out date, YYYY-MM-DD.
    """
    key, booking = _reservation(confirmation_no)
    if booking is None:
        return _json({"error": f"no reservation {confirmation_no}"})
    return _json({"confirmation_no": key, **_extension(booking, new_check_out)})


@function_tool
def extend_stay(confirmation_no: str, new_check_out: str) -> str:
    """Extend an in-house stay. Only after the guest agreed to the price from extension_quote.

    Args:
        confirmation_no: Confirmation number.
        new_check_out: The new check-out date, YYYY-MM-DD.
    """
    key, booking = _reservation(confirmation_no)
    if booking is None:
        return _json({"error": f"no reservation {confirmation_no}"})
    quote = _extension(booking, new_check_out)
    if not quote.get("available"):
        return _json({"extended": False, **quote})
    return _json({"extended": True, "confirmation_no": key, "room": booking["room"],
                  "new_check_out": quote["new_check_out"], "extra_nights": quote["extra_nights"],
                  "charged_to_room_cny": quote["total_cny"]})


@function_tool
def late_checkout(confirmation_no: str, checkout_time: str) -> str:
    """Request a late check-out on the departure day: until 13:00 free, until 16:00 CNY 300 (charged to the room).

    Args:
        confirmation_no: Confirmation number.
        checkout_time: Requested check-out time, HH:MM (24-hour).
    """
    key, booking = _reservation(confirmation_no)
    when = _hhmm(checkout_time)
    if booking is None:
        return _json({"error": f"no reservation {confirmation_no}"})
    if booking["status"] != "in-house":
        return _json({"error": "late check-out is only for in-house guests"})
    if when is None or when <= "11:00" or when > "16:00":
        return _json({"error": "checkout_time must be HH:MM, later than 11:00 and at the latest 16:00"})
    return _json({"confirmed": True, "confirmation_no": key, "room": booking["room"],
                  "check_out_date": booking["check_out"], "checkout_time": when,
                  "fee_cny": 0 if when <= "13:00" else LATE_CHECKOUT_FEE})


@function_tool
def housekeeping_request(room_number: str, item: HousekeepingItem, quantity: int = 1) -> str:
    """Send an item to a guest room (free), delivered by housekeeping.

    Args:
        room_number: Room number, e.g. 1208.
        item: What to bring.
        quantity: How many.
    """
    room = re.sub(r"\D", "", room_number)
    if not 3 <= len(room) <= 4 or not 2 <= int(room[:-2]) <= 18:
        return _json({"error": f"no room {room_number} (rooms are on floors 2-18)"})
    if not 1 <= quantity <= 4:
        return _json({"error": "quantity must be 1-4"})
    return _json({"request_no": f"HK-{_number(room + item + str(quantity), 1000, 9000)}", "room": room,
                  "item": item, "quantity": quantity, "eta_minutes": 15})


@function_tool
def city_guide(topic: Literal["airport", "restaurants", "sights", "metro"]) -> str:
    """Concierge notes about getting around Xiamen from the hotel (English and Chinese).

    Args:
        topic: What the guest asks about.
    """
    return _json({"topic": topic, **CITY_GUIDE[topic]})


# ================================================================ 领域三：物业（单 Agent，中文为主）

RepairCategory = Literal["水路", "电路", "门窗", "墙地面", "其他"]
VisitSlot = Literal["上午", "下午"]
FeeItem = Literal["物业费", "停车费", "全部"]
MANAGEMENT_RATE = 2.8  # 元 / ㎡ / 月
HOMES = {  # 房号 → 业主、面积、物业费交到哪个月、车位、停车费交到哪个月、登记手机尾号
    "5-1203": {"owner": "林晓梅", "area_m2": 98.5, "fee_paid_until": "2026-01", "parking_space": "B2-117",
               "parking_paid_until": "2026-06", "mobile_tail": "7719"},
    "12-0602": {"owner": "陈建国", "area_m2": 126.0, "fee_paid_until": "2026-06", "parking_space": "B1-045",
                "parking_paid_until": "2026-03", "mobile_tail": "3058"},
    "8-2101": {"owner": "David Kim", "area_m2": 142.0, "fee_paid_until": "2026-12", "parking_space": None,
               "parking_paid_until": None, "mobile_tail": "9920"},
}
PARKING_MONTHLY = 300
HOME_VISIT_FEE = 30
REPAIRS = {
    "WX-0411-023": {"unit": "5-1203", "category": "水路", "description": "厨房水龙头漏水", "status": "已派单",
                    "technician": "王师傅", "technician_phone": "13757126690", "visit_date": "2026-04-15",
                    "time_window": "13:00-17:00"},
}


def _unit(unit: str) -> tuple[str, dict[str, Any] | None]:
    """“5-1203”“5栋1203”“5 栋 1203 室”→ 5-1203。"""
    numbers = re.findall(r"\d+", unit)
    key = f"{int(numbers[0])}-{numbers[1].zfill(4)}" if len(numbers) == 2 else unit.strip()
    return key, HOMES.get(key)


def _unpaid_months(paid_until: str | None) -> list[str]:
    """交到 paid_until（YYYY-MM）之后，到本月（含）为止还没交的月份。"""
    if paid_until is None:
        return []
    year, month = map(int, paid_until.split("-"))
    months = []
    while (year, month) < (TODAY.year, TODAY.month):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        months.append(f"{year}-{month:02d}")
    return months


def _dues(home: dict[str, Any]) -> dict[str, dict[str, Any]]:
    monthly = round(home["area_m2"] * MANAGEMENT_RATE, 2)
    fee_months = _unpaid_months(home["fee_paid_until"])
    parking_months = _unpaid_months(home["parking_paid_until"])
    return {
        "物业费": {"rate": f"{MANAGEMENT_RATE} 元/㎡/月", "monthly_cny": monthly, "paid_until": home["fee_paid_until"],
                "unpaid_months": fee_months, "unpaid_cny": round(monthly * len(fee_months), 2)},
        "停车费": {"space": home["parking_space"], "monthly_cny": PARKING_MONTHLY if home["parking_space"] else 0,
                "paid_until": home["parking_paid_until"], "unpaid_months": parking_months,
                "unpaid_cny": PARKING_MONTHLY * len(parking_months)},
    }


@function_tool
def fee_statement(unit: str) -> str:
    """业主的物业费和停车费：单价、交到哪个月、没交的月份和金额。

    Args:
        unit: 房号，写成 楼栋-室号，例如 5-1203（5 栋 1203 室）。
    """
    key, home = _unit(unit)
    if home is None:
        return _json({"error": f"找不到房号 {unit}"})
    return _json({"unit": key, "owner": home["owner"], "area_m2": home["area_m2"], **_dues(home)})


@function_tool
def send_payment_link(unit: str, item: FeeItem) -> str:
    """把欠费的缴费链接用短信发到业主登记的手机（业主自己在链接里用微信、支付宝或银行卡付）。

    Args:
        unit: 房号，例如 5-1203。
        item: 缴哪一项。
    """
    key, home = _unit(unit)
    if home is None:
        return _json({"error": f"找不到房号 {unit}"})
    dues = _dues(home)
    amount = sum(d["unpaid_cny"] for name, d in dues.items() if item in (name, "全部"))
    if amount == 0:
        return _json({"error": f"{key} 的{item}没有欠费，不需要缴"})
    return _json({"sent": True, "unit": key, "item": item, "amount_cny": round(amount, 2),
                  "sent_to": f"尾号 {home['mobile_tail']} 的手机（短信）", "link_valid_hours": 24})


@function_tool
def book_home_repair(unit: str, category: RepairCategory, description: str, visit_date: str,
                     time_slot: VisitSlot) -> str:
    """预约维修师傅上门（业主家里的维修）：上门费 30 元，材料费另计、师傅现场报价。最早明天，7 天内。

    Args:
        unit: 房号，例如 5-1203。
        category: 维修类别。
        description: 问题描述，一两句话。
        visit_date: 上门日期，YYYY-MM-DD。
        time_slot: 上门时段：上午 09:00-12:00，下午 13:00-17:00。
    """
    key, home = _unit(unit)
    day = _day(visit_date)
    if home is None:
        return _json({"error": f"找不到房号 {unit}"})
    if day is None or not TODAY < day <= TODAY + timedelta(days=7):
        return _json({"error": "上门日期要写成 YYYY-MM-DD，最早明天，7 天之内"})
    return _json({"order_no": f"WX-{TODAY:%m%d}-{_number(key + visit_date + time_slot, 100, 900):03d}",
                  "unit": key, "category": category, "visit_date": day.isoformat(),
                  "time_window": "09:00-12:00" if time_slot == "上午" else "13:00-17:00",
                  "visit_fee_cny": HOME_VISIT_FEE, "materials": "另计，师傅现场报价",
                  "call_ahead": "师傅上门前 30 分钟电话联系"})


@function_tool
def report_public_issue(location: str, description: str) -> str:
    """公共区域（电梯、楼道、大门、快递柜、绿化、地库）的问题报给物业工程部，免费，返回报修单号。

    Args:
        location: 位置，例如 3 栋电梯、南门。
        description: 问题描述。
    """
    lift = "电梯" in location + description or "lift" in (location + description).lower()
    return _json({"ticket_no": f"GQ-{TODAY:%m%d}-{_number(location + description, 10, 90):02d}",
                  "location": location.strip(),
                  "handled_by": "电梯维保单位" if lift else "物业工程部",
                  "response": "2 小时内到场" if lift else "今天之内处理", "fee": "免费"})


@function_tool
def repair_status(order_no: str) -> str:
    """查一张上门维修单：类别、问题、状态、维修师傅和电话、上门日期和时段。

    Args:
        order_no: 维修单号，例如 WX-0411-023。
    """
    key = order_no.strip().upper()
    order = REPAIRS.get(key)
    if order is not None:
        return _json({"order_no": key, **order})
    if re.fullmatch(rf"WX-{TODAY:%m%d}-\d{{3}}", key):  # 今天刚约的
        return _json({"order_no": key, "status": "已受理，待派单", "call_ahead": "师傅上门前 30 分钟电话联系"})
    return _json({"error": f"找不到维修单 {order_no}"})


@function_tool
def register_visitor_car(unit: str, plate_no: str, visit_date: str) -> str:
    """登记访客车辆：登记过的车牌当天自动抬杆，免费停 4 小时，超出每小时 5 元、当天封顶 40 元。

    Args:
        unit: 被访业主的房号，例如 12-0602。
        plate_no: 访客车牌号，例如 浙A8K32M。
        visit_date: 来访日期，YYYY-MM-DD，7 天内。
    """
    key, home = _unit(unit)
    plate = re.sub(r"[\s·•.-]", "", plate_no).upper()
    day = _day(visit_date)
    if home is None:
        return _json({"error": f"找不到房号 {unit}"})
    if day is None or not TODAY <= day <= TODAY + timedelta(days=7):
        return _json({"error": "来访日期要写成 YYYY-MM-DD，今天起 7 天内"})
    return _json({"registered": True, "unit": key, "plate_no": plate, "visit_date": day.isoformat(),
                  "free_hours": 4, "over_time_fee": "超出部分每小时 5 元，当天封顶 40 元",
                  "entrance": "南门车行道，车牌自动识别"})


# ================================================================ 领域四：电影院（单 Agent，英文为主）

FILMS = {
    "Echoes of Mars": {"title_zh": "火星回声", "runtime": "2h 28m", "rating": "PG-13"},
    "Paper Tigers": {"title_zh": "纸老虎", "runtime": "1h 42m", "rating": "PG"},
    "The Quiet Harbor": {"title_zh": "静港", "runtime": "2h 05m", "rating": "R"},
    "The Long Wind": {"title_zh": "长风", "runtime": "2h 11m", "rating": "PG-13",
                      "language": "Mandarin with English subtitles"},
}
WEEKDAY_SHOWS = [("16:00", "Paper Tigers", "H1"), ("17:30", "Echoes of Mars", "H4"),
                 ("19:00", "Echoes of Mars", "IMAX"), ("20:00", "The Long Wind", "H3"),
                 ("21:10", "The Quiet Harbor", "H2"), ("22:15", "Echoes of Mars", "IMAX")]
WEEKEND_SHOWS = [("10:30", "Paper Tigers", "H1"), ("13:00", "Echoes of Mars", "IMAX"),
                 ("14:00", "The Long Wind", "H3"), ("15:30", "Paper Tigers", "H1"),
                 ("16:45", "Echoes of Mars", "IMAX"), ("19:00", "The Quiet Harbor", "H2"),
                 ("20:30", "Echoes of Mars", "IMAX")]
PRICES = {"2D": (14.0, 9.0), "IMAX": (20.0, 15.0)}  # 格式 → (成人, 儿童 12 岁以下)
CANCEL_FEE = 1.0  # 每张
SOLD_OUT_SHOWS = {"0414-1900-IMAX"}
TICKET_BOOKINGS = {
    "SL-48817": {"show_id": "0414-2110-H2", "adults": 2, "children": 0, "seats": ["H11", "H12"],
                 "email": "li***@example.com"},
    "SL-48902": {"show_id": "0418-1300-IMAX", "adults": 2, "children": 1, "seats": ["E7", "E8", "E9"],
                 "email": "r.pat***@example.com"},
}


def _hall(code: str) -> str:
    return "IMAX" if code == "IMAX" else f"Hall {code[1:]}"


def _shows(day: date) -> list[dict[str, Any]]:
    rows = WEEKEND_SHOWS if day.weekday() >= 5 else WEEKDAY_SHOWS
    shows = []
    for start, film, hall in rows:
        show_id = f"{day:%m%d}-{start.replace(':', '')}-{hall}"
        kind = "IMAX" if hall == "IMAX" else "2D"
        adult, child = PRICES[kind]
        shows.append({"show_id": show_id, "date": day.isoformat(), "start": start, "film": film,
                      **FILMS[film], "hall": _hall(hall), "format": kind, "adult_usd": adult, "child_usd": child,
                      "seats_left": 0 if show_id in SOLD_OUT_SHOWS else 12 + _number(show_id, 0, 80)})
    return shows


def _show(show_id: str) -> dict[str, Any] | None:
    match = re.fullmatch(r"(\d{2})(\d{2})-\d{4}-(?:H\d|IMAX)", show_id.strip().upper())
    if not match:
        return None
    try:
        day = date(TODAY.year, int(match.group(1)), int(match.group(2)))
    except ValueError:
        return None
    return next((s for s in _shows(day) if s["show_id"] == show_id.strip().upper()), None)


def _ticket_total(show: dict[str, Any], adults: int, children: int) -> float:
    return adults * show["adult_usd"] + children * show["child_usd"]


@function_tool
def showtimes(day: str) -> str:
    """All screenings on one day: show id, start time, film (with Chinese title, runtime, rating), hall,
    2D or IMAX, adult and child prices, seats left.

    Args:
        day: YYYY-MM-DD, today or later.
    """
    when = _day(day)
    if when is None or when < TODAY or when > TODAY + timedelta(days=13):
        return _json({"error": "day must be YYYY-MM-DD, within the next two weeks"})
    return _json({"day": when.isoformat(), "shows": _shows(when)})


@function_tool
def book_tickets(show_id: str, adults: int, email: str, children: int = 0) -> str:
    """Book tickets for one screening; seats are assigned together and e-tickets are emailed.

    Args:
        show_id: Show id from showtimes, e.g. 0418-1530-H1.
        adults: Number of adult tickets.
        email: Where to send the e-tickets.
        children: Number of child tickets (under 12).
    """
    show = _show(show_id)
    if show is None:
        return _json({"error": f"no show {show_id}; use a show id from showtimes"})
    if "@" not in email or adults < 0 or children < 0 or adults + children == 0:
        return _json({"error": "need a valid email and at least one ticket"})
    if show["rating"] == "R" and children:
        return _json({"booked": False, "reason": "child tickets are not sold for R-rated films"})
    count = adults + children
    if show["seats_left"] < count:
        return _json({"booked": False, "reason": f"only {show['seats_left']} seats left"})
    seed = _number(show_id + email, 0, 1000)
    row, first = "DEFGH"[seed % 5], 5 + seed % 8
    return _json({"booked": True, "booking_code": f"SL-{_number(show_id + email + str(count), 50000, 40000)}",
                  "film": show["film"], "date": show["date"], "start": show["start"], "hall": show["hall"],
                  "seats": [f"{row}{first + i}" for i in range(count)], "adults": adults, "children": children,
                  "total_usd": _ticket_total(show, adults, children), "e_tickets_sent_to": email.strip(),
                  "entry": "show the QR code in the email at the door"})


@function_tool
def find_booking(booking_code: str) -> str:
    """Look up a ticket booking: film, date, start time, hall, seats, tickets and amount paid.

    Args:
        booking_code: Booking code, e.g. SL-48817.
    """
    key = _key("SL-", booking_code)
    booking = TICKET_BOOKINGS.get(key)
    show = _show(booking["show_id"]) if booking else None
    if booking is None or show is None:
        return _json({"error": f"no booking {booking_code}"})
    return _json({"booking_code": key, "film": show["film"], "title_zh": show["title_zh"], "date": show["date"],
                  "start": show["start"], "hall": show["hall"], "format": show["format"],
                  "seats": booking["seats"], "adults": booking["adults"], "children": booking["children"],
                  "paid_usd": _ticket_total(show, booking["adults"], booking["children"])})


@function_tool
def cancel_booking(booking_code: str) -> str:
    """Cancel a ticket booking and refund it to the original card, minus $1 per ticket. Only after the
    customer confirmed.

    Args:
        booking_code: Booking code.
    """
    key = _key("SL-", booking_code)
    booking = TICKET_BOOKINGS.get(key)
    if booking is None:
        return _json({"error": f"no booking {booking_code}"})
    show = _show(booking["show_id"])
    tickets = booking["adults"] + booking["children"]
    paid = _ticket_total(show, booking["adults"], booking["children"])
    return _json({"cancelled": True, "booking_code": key, "paid_usd": paid, "fee_usd": CANCEL_FEE * tickets,
                  "refund_usd": paid - CANCEL_FEE * tickets, "refund_to": "original card",
                  "refund_time": "5-7 business days"})


# ================================================================ 领域五：汽车保养维修（两个 Agent，中英文）

Service = Literal["basic", "full", "tyres", "diagnostic"]
SERVICES = {  # 项目 → 说明、价格、用时
    "basic": ("小保养 basic service：换机油、机滤，20 项安全检查", "480 元", "1 小时"),
    "full": ("大保养 full service：机油、机滤、空气滤、空调滤、火花塞，全车检查", "1280 元", "3 小时"),
    "tyres": ("换轮胎 tyre change：拆装、动平衡", "工时 50 元/条，轮胎另计", "1 小时"),
    "diagnostic": ("故障检查 diagnostic：电脑检测 + 技师检查", "200 元（在本店维修可抵扣）", "1 小时"),
}
SLOTS = ["09:00", "10:30", "13:30", "15:00"]
FULL_SLOTS = ["09:00", "13:30"]  # 大保养要 3 小时，只排这两个时间
TAKEN = {("2026-04-14", "09:00"), ("2026-04-14", "10:30"), ("2026-04-14", "13:30"),
         ("2026-04-15", "09:00"), ("2026-04-16", "10:30"), ("2026-04-16", "13:30"),
         ("2026-04-17", "10:30"), ("2026-04-18", "09:00"), ("2026-04-18", "15:00")}
SERVICE_BOOKINGS = {
    "AT-3051": {"plate_no": "沪B82Q61", "day": "2026-04-17", "time": "10:30", "service": "basic"},
    "AT-3066": {"plate_no": "沪C55M03", "day": "2026-04-16", "time": "09:00", "service": "full"},
}
JOBS = {
    "J-7720": {"plate_no": "沪A3K729", "car": "2019 大众帕萨特 VW Passat",
               "work": "更换前后刹车片 front and rear brake pads",
               "stage": "等客户确认追加项目 waiting for the customer's approval of extra work",
               "ready": "今天 17:30（确认后） / today 17:30 once approved",
               "pending_items": [
                   {"item_code": "Q1", "description": "前刹车盘磨损有沟槽，建议更换 front brake discs scored, replace",
                    "price_cny": 1160},
                   {"item_code": "Q2", "description": "刹车油含水量超标，建议更换 brake fluid too wet, replace",
                    "price_cny": 280}]},
    "J-7731": {"plate_no": "沪D20K88", "car": "2018 BMW 320i",
               "work": "空调不制冷，更换空调压缩机 A/C not cooling, replace compressor",
               "stage": "等配件 waiting for parts", "parts_eta": "2026-04-16",
               "ready": "2026-04-16 17:00 前后 / around 17:00 on 16 April", "pending_items": []},
}


def _plate(plate_no: str) -> str:
    return re.sub(r"[\s·•.-]", "", plate_no).upper()


def _free_slots(day: date, service: str) -> list[str]:
    times = FULL_SLOTS if service == "full" else SLOTS
    return [t for t in times if (day.isoformat(), t) not in TAKEN]


@function_tool
def service_slots(day: str, service: Service) -> str:
    """某一天某个项目还能预约的时间（周一至周六营业，周日休息），以及项目的内容、价格和大概用时。

    Args:
        day: 日期，YYYY-MM-DD。
        service: 项目：basic 小保养（换机油机滤）、full 大保养、tyres 换轮胎、diagnostic 故障检查。
    """
    when = _day(day)
    if when is None or when < TODAY:
        return _json({"error": "日期要写成 YYYY-MM-DD，不能早于今天"})
    what, price, duration = SERVICES[service]
    if when.weekday() == 6:
        return _json({"day": when.isoformat(), "open": False, "note": "周日休息 closed on Sundays"})
    return _json({"day": when.isoformat(), "service": what, "price": price, "duration": duration,
                  "free_times": _free_slots(when, service)})


@function_tool
def book_service(plate_no: str, day: str, time: str, service: Service) -> str:
    """预约进店保养 / 维修，返回预约号。

    Args:
        plate_no: 车牌号，例如 沪A3K729。
        day: 日期，YYYY-MM-DD。
        time: 时间，HH:MM，要是 service_slots 给出的空位。
        service: 项目：basic、full、tyres、diagnostic。
    """
    when, at = _day(day), _hhmm(time)
    if when is None or when < TODAY or when.weekday() == 6:
        return _json({"error": "日期要写成 YYYY-MM-DD，不能早于今天，周日休息"})
    if at not in _free_slots(when, service):
        return _json({"error": f"{when} {time} 没有空位，可选：{'、'.join(_free_slots(when, service)) or '无'}"})
    what, price, duration = SERVICES[service]
    plate = _plate(plate_no)
    return _json({"booking_no": f"AT-{_number(plate + day + at + service, 3100, 800)}", "plate_no": plate,
                  "day": when.isoformat(), "time": at, "service": what, "price": price, "duration": duration,
                  "bring": "行驶证 vehicle registration"})


@function_tool
def my_bookings(plate_no: str) -> str:
    """一辆车还没到的保养预约：预约号、日期、时间、项目。

    Args:
        plate_no: 车牌号。
    """
    plate = _plate(plate_no)
    rows = [{"booking_no": no, "day": b["day"], "time": b["time"], "service": SERVICES[b["service"]][0]}
            for no, b in SERVICE_BOOKINGS.items() if b["plate_no"] == plate]
    return _json({"plate_no": plate, "bookings": rows})


@function_tool
def cancel_service_booking(booking_no: str) -> str:
    """取消一个保养预约（免费）。顾客确认之后才能调用。

    Args:
        booking_no: 预约号，例如 AT-3051。
    """
    key = _key("AT-", booking_no)
    if key not in SERVICE_BOOKINGS:
        return _json({"error": f"找不到预约 {booking_no}"})
    return _json({"cancelled": True, "booking_no": key, **SERVICE_BOOKINGS[key]})


@function_tool
def job_status(job_no: str) -> str:
    """在修车辆的进度：车、维修内容、当前阶段、预计完工时间，以及等客户确认的追加项目和价格。

    Args:
        job_no: 维修工单号，例如 J-7720。
    """
    key = _key("J-", job_no)
    job = JOBS.get(key)
    if job is None:
        return _json({"error": f"找不到工单 {job_no}"})
    return _json({"job_no": key, **job})


@function_tool
def approve_extra_work(job_no: str, item_code: str) -> str:
    """按客户的同意批准一个追加项目（车间随即施工）。只在客户明确同意这一项和价格之后调用。

    Args:
        job_no: 维修工单号。
        item_code: 追加项目编号，例如 Q1。
    """
    key = _key("J-", job_no)
    job = JOBS.get(key)
    item = next((i for i in job["pending_items"] if i["item_code"] == item_code.strip().upper()), None) if job else None
    if job is None or item is None:
        return _json({"error": f"工单 {job_no} 没有待确认的项目 {item_code}"})
    return _json({"approved": True, "job_no": key, **item, "ready": "今天 17:30 / today 17:30",
                  "collect": "营业时间内到前台提车，带行驶证"})


# ================================================================ 组队


def build_teams(model: Any) -> dict[str, DomainTeam]:
    """五个领域的 Agent。`model` 为 None 时只用来核对语料（不运行）。"""
    shipping = Agent(
        name="ShippingDesk", model=model,
        handoff_description="寄件：运费和时效报价、预约上门取件、查询和取消取件预约、能不能寄。",
        instructions=prompt_with_handoff_instructions(
            f"你是迅达快递的寄件助手。今天是 {TODAY_TEXT}。\n"
            "- 问运费：要寄出城市、目的城市和重量，缺什么问什么，用 shipping_quote 查，告诉顾客标准快递和次日达的价格和时效；\n"
            "- 上门取件：要寄件人手机号、取件地址、日期和时段（上午 / 下午），缺什么问什么，齐了就用 schedule_pickup 预约"
            "（免费，不用再确认），告诉顾客取件预约号；\n"
            "- 取消取件：先用 pickup_details 查到预约，把日期和时段念给顾客确认，顾客确认后才调用 cancel_pickup；\n"
            "- 能不能寄：含锂电池的东西（充电宝、手机、笔记本电脑）只能走标准快递，不能走次日达，取件时要告诉快递员；"
            "易燃易爆、管制刀具、活体动物不收；拿不准的请拨打客服热线 95311；\n"
            "- 查件、改派送时间、改地址交回 TrackingDesk。\n"
            "用顾客的语言简短回答。"),
        tools=[shipping_quote, schedule_pickup, pickup_details, cancel_pickup],
    )
    tracking = Agent(
        name="TrackingDesk", model=model,
        handoff_description="查件：快递到哪了、改派送时间、改收件地址、签收问题。",
        instructions=prompt_with_handoff_instructions(
            f"你是迅达快递的在线客服。今天是 {TODAY_TEXT}。\n"
            "- 查件、改约、改地址都要运单号（XD 开头加 10 位数字），没有就先问；查件用 track_parcel；\n"
            "- 改派送时间：问清日期和时段（上午 09:00-12:00、下午 13:00-18:00、晚上 18:00-21:00），"
            "然后用 reschedule_delivery 改约（免费，不用再确认）；\n"
            "- 改地址：先用 track_parcel 看状态，派送中、已签收的不能改，告诉顾客可以直接联系派送员；能改的要收 6 元改派费"
            "（派送时由收件人付），先告诉顾客，顾客同意后再用 change_address 改；\n"
            "- 显示已签收但没收到：先查件，告诉顾客签收方式（快递柜的话把取件码告诉他）；还是找不到，"
            "请拨打客服热线 95311（8:00-22:00）登记查找；丢件、破损理赔、投诉也请拨 95311，不要自己承诺赔偿；\n"
            "- 寄件、运费、上门取件交给 ShippingDesk。\n"
            "用顾客的语言简短回答。"),
        tools=[track_parcel, reschedule_delivery, change_address],
        handoffs=[shipping],
    )
    shipping.handoffs = [tracking]

    concierge = Agent(
        name="Concierge", model=model,
        instructions=("You are the concierge of the Harbourview Hotel, Xiamen. A colleague forwards a guest's "
                      "question. Look it up with city_guide and answer only from those notes; if they don't cover "
                      "it, say the guest can ask at the concierge desk in the lobby. Answer in the language of the "
                      "question, briefly."),
        tools=[city_guide],
    )
    front_desk = Agent(
        name="FrontDesk", model=model,
        instructions=(
            f"You are the online front desk assistant of the Harbourview Hotel, Xiamen (88 Pier Road). Today is "
            f"{TODAY.isoformat()} (Tuesday).\n"
            "Hotel facts: check-in 14:00, check-out 11:00. Breakfast 06:30-10:30 at Tides restaurant, level 2 "
            "(CNY 128 per person if not included). Pool 07:00-22:00 on level 5, gym open 24 hours.\n"
            "- Reservations are identified by the confirmation number (like HV-58213); ask for it if missing. "
            "Look a booking up with find_reservation.\n"
            "- Extending a stay: get the price with extension_quote first and tell the guest the nightly rate; "
            "extend with extend_stay only after they agree. If the room type is fully booked, say so.\n"
            "- Late check-out (departure day only): until 13:00 is free, request it with late_checkout straight "
            "away; until 16:00 costs CNY 300 charged to the room - tell the guest and request it only after "
            "they agree; later than 16:00 is not possible.\n"
            "- Items for the room (towels, pillows, toiletries, baby cot, ironing board, bottled water): use "
            "housekeeping_request with the room number; no need to confirm.\n"
            "- Getting around, the airport, restaurants, sights, the metro: ask the concierge with "
            "ask_concierge and pass on the answer.\n"
            "- Changes or special requests for a future stay (dates, baby cot, early check-in): the reservations "
            "team, +86 592 555 0166 or reservations@harbourview.example.\n"
            "- Billing questions, invoices and lost property: the front office, dial 0 from the room or call "
            "+86 592 555 0188. You cannot give discounts, upgrades or refunds.\n"
            "Reply in the guest's language, briefly."),
        tools=[find_reservation, extension_quote, extend_stay, late_checkout, housekeeping_request,
               concierge.as_tool(tool_name="ask_concierge",
                                 tool_description="Ask the hotel concierge about getting around: airport transfer, "
                                                  "restaurants, sights, the metro. Put the guest's question in input.")],
    )

    property_desk = Agent(
        name="PropertyDesk", model=model,
        instructions=(
            f"你是云栖花园小区物业服务中心的线上管家。今天是 {TODAY_TEXT}。\n"
            "- 房号写成 楼栋-室号（5 栋 1203 室就是 5-1203）；查费、缴费、户内报修、访客登记都要房号，缺就问；\n"
            "- 物业费、停车费：用 fee_statement 查，告诉业主交到哪个月、欠多少；业主要缴费，用 send_payment_link "
            "把缴费链接发到他登记的手机（你不能直接扣款，也不能减免任何费用）；\n"
            "- 业主家里的维修（水路、电路、门窗、墙地面）：上门费 30 元，材料另计。要知道问题、哪天（最早明天）和上午还是下午，"
            "缺什么问什么，先把上门费告诉业主，业主同意后再用 book_home_repair 预约，告诉他维修单号；\n"
            "- 公共区域（电梯、楼道、大门、快递柜、地库）的问题免费：用 report_public_issue 直接报给工程部，告诉业主单号和多久处理；\n"
            "- 维修进度用 repair_status；想改上门时间，请业主直接打维修单上师傅的电话约；\n"
            "- 访客开车来：要房号、车牌号和日期，用 register_visitor_car 登记（不用再确认）；\n"
            "- 正在漏水、停电、闻到燃气味这类紧急情况：请业主马上打 24 小时值班电话 0571-8866 2299"
            "（燃气味先开窗、不要开关电器，再打燃气公司 96777）；\n"
            "- 门禁卡补办、装修申请：业主带身份证到 1 号楼一楼物业服务中心办理（工作日 8:30-17:30，电话 0571-8866 2200），"
            "门禁卡工本费 20 元。\n"
            "用业主的语言简短回答。"),
        tools=[fee_statement, send_payment_link, book_home_repair, report_public_issue, repair_status,
               register_visitor_car],
    )

    box_office = Agent(
        name="BoxOffice", model=model,
        instructions=(
            f"You are the online box office assistant of StarLight Cinemas Riverside. Today is {TODAY.isoformat()} "
            "(Tuesday).\n"
            "Prices: 2D adult $14, child (under 12) $9; IMAX adult $20, child $15. Child tickets are not sold for "
            "R-rated films.\n"
            "- What's on: showtimes for the day asked (YYYY-MM-DD).\n"
            "- Booking: you need the screening (its show id from showtimes), how many adult and child tickets, "
            "and an email for the e-tickets. Ask for whatever is missing, then book with book_tickets (no extra "
            "confirmation needed) and give the booking code and seats.\n"
            "- Cancelling: look the booking up with find_booking, read the film, date and time back and mention "
            "the $1 per ticket cancellation fee; cancel with cancel_booking only after the customer confirms. "
            "Refunds go to the original card in 5-7 business days.\n"
            "- Every hall has wheelchair spaces and step-free access; tell the staff at the door on arrival.\n"
            "- Private screenings, birthday parties, groups over 20 and lost property: call (555) 274-8800.\n"
            "Reply in the customer's language."),
        tools=[showtimes, book_tickets, find_booking, cancel_booking],
    )

    workshop = Agent(
        name="WorkshopDesk", model=model,
        handoff_description="车间：在修车辆的进度、追加维修项目的确认、提车。",
        instructions=prompt_with_handoff_instructions(
            f"你是安途汽车服务的车间助手。今天是 {TODAY_TEXT}，营业时间周一至周六 08:30-18:00。\n"
            "- 进度要维修工单号（形如 J-7720），没有就问；用 job_status 查，告诉顾客进度和预计完工时间；\n"
            "- 追加项目：把每一项的内容和价格告诉顾客，顾客明确同意哪一项，就用 approve_extra_work 批准哪一项"
            "（一项调用一次）；不同意的不做；\n"
            "- 提车：营业时间内到前台，带行驶证；\n"
            "- 代步车、保修索赔、投诉：请联系服务经理 021-6433 1200；路上车坏了：24 小时道路救援 400-820-7766；\n"
            "- 预约保养、换轮胎、故障检查交给 ServiceAdvisor。\n"
            "用顾客的语言回答（顾客说英文就用英文）。"),
        tools=[job_status, approve_extra_work],
    )
    advisor = Agent(
        name="ServiceAdvisor", model=model,
        handoff_description="预约：保养、换轮胎、故障检查的预约，查询和取消预约。",
        instructions=prompt_with_handoff_instructions(
            f"你是安途汽车服务（上海）的预约助手。今天是 {TODAY_TEXT}。营业时间周一至周六 08:30-18:00，周日休息。\n"
            "项目：basic 小保养（换机油、机滤，20 项安全检查，480 元，约 1 小时）；full 大保养（1280 元，约 3 小时）；"
            "tyres 换轮胎（工时 50 元/条，店里有米其林、普利司通现货，也可以自带轮胎）；diagnostic 故障检查（200 元，"
            "在本店维修可抵扣）。\n"
            "- 预约：先用 service_slots 查那天这个项目的空位告诉顾客；顾客选好时间、给了车牌号，就用 book_service 预约"
            "（不用再确认），告诉他预约号；故障检查要收 200 元检测费，预约前先告诉顾客；\n"
            "- 查预约用 my_bookings（车牌号）；取消：先用 my_bookings 找到，把日期、时间和项目念给顾客确认，"
            "顾客确认后才调用 cancel_service_booking；\n"
            "- 车已经在店里修的（进度、追加项目、提车）交给 WorkshopDesk；\n"
            "- 路上车坏了开不动：24 小时道路救援 400-820-7766；代步车、投诉：服务经理 021-6433 1200。\n"
            "用顾客的语言回答（顾客说英文就用英文）。"),
        tools=[service_slots, book_service, my_bookings, cancel_service_booking],
        handoffs=[workshop],
    )
    workshop.handoffs = [advisor]

    def team(start: Agent, *others: Agent) -> DomainTeam:
        return DomainTeam(start, {a.name: a for a in (start, *others)})

    return {
        "courier": team(tracking, shipping),
        "hotel": team(front_desk),
        "property": team(property_desk),
        "cinema": team(box_office),
        "carcare": team(advisor, workshop),
    }


# ================================================================ 每一轮的通用检查：这五个领域的表

# 有副作用的工具 → 回答里说“已经办了”时用到的动词（中文词 / 英文词根）。说了某个动词，对应的工具就要运行过。
# 两个工具都说得通的词（物业的“报修”“工单”）不列，免得把真话当成假话。
SIDE_EFFECTS: dict[str, dict[str, str]] = {
    "courier": {
        "reschedule_delivery": r"改约|改期|派送时间|配送时间|送货时间|时段|\breschedul|\bmoved",
        "change_address": r"地址|改派|改址|\baddress|\bredirect",
        "schedule_pickup": r"取件|揽收|\bpick",
        "cancel_pickup": r"取消|\bcancel",
    },
    "hotel": {
        "extend_stay": r"续住|延住|延长|多住|\bextend",
        "late_checkout": r"延迟退房|延时退房|晚退房|退房时间|\blate check|\bcheck-?out",
        "housekeeping_request": r"送|毛巾|枕头|洗漱|婴儿床|熨衣板|\bsend|\bsent|\bon (?:its|their|the) way|\btowel"
                                r"|\bpillow|\btoiletr|\bcot\b|\biron|\bhousekeeping",
    },
    "property": {
        "send_payment_link": r"链接|发送|发到|生成|\blink|\bsent|\bsend",
        "book_home_repair": r"预约|派单|上门|\bbook|\bschedul|\btechnician",
        "report_public_issue": r"上报|反馈给|转给|通知|工程部|维保|\breport|\bpassed|\bforward|\bnotif",
        "register_visitor_car": r"登记|放行|访客|车牌|\bregist|\bpass\b|\bvisitor",
    },
    "cinema": {
        "book_tickets": r"订好|预订|订票|出票|购票|买好|订了|\bbook|\breserv|\bpurchas",
        "cancel_booking": r"取消|退票|退掉|退款|退了|\bcancel|\brefund",
    },
    "carcare": {
        "book_service": r"预约|约好|订好|\bbook|\bschedul|\breserv",
        "cancel_service_booking": r"取消|\bcancel",
        "approve_extra_work": r"更换|换上|批准|\bapprov|\bauthori|\bgo-?ahead|\breplac",
    },
}
# 这五个领域里没有任何工具能做的事：说做了就是假话。
IMPOSSIBLE = (r"减免|免除|免掉|免单|赔偿|理赔|赔付|升级|升房|补办|扣款|代缴|缴清|拖车|代步车|包场|修好|修复|"
              r"\bwaiv|\bcompensat|\bupgrad|\btow|\bcourtesy car|\bprivate screening|\brepaired|\bfixed")
RULES = TurnRules(
    side_effects=SIDE_EFFECTS,
    impossible=IMPOSSIBLE,
    date_args={"delivery_date", "pickup_date", "new_check_out", "visit_date", "day"},
    time_args={"time", "checkout_time"},
    free_text_args={"new_address", "address", "description", "location", "input"},  # 地址、问题描述、给礼宾的问题
)


# ================================================================ 语料、运行、报告


HELD_OUT = HeldOut(CORPUS, "第三份留出对话（tests/mock_heldout3.txt）", build_teams, RULES,
                   MIN_ACCURACY, MIN_DIALOGUES, MIN_TURNS)


# ================================================================ 测试


def test_corpus_is_well_formed():
    HELD_OUT.check_well_formed()


def test_corpus_is_not_in_the_mock():
    HELD_OUT.check_not_in_mock()


def test_honesty_check_covers_these_domains():
    """“说到做到”检查认得这五个领域的说法：声称办了要有对应的工具运行过，做不到的事永远不能说做了。"""
    assert honesty_problem("courier", "已为您把派送时间改到周六上午。", {"change_address"}, RULES)
    assert not honesty_problem("courier", "已为您把派送时间改到周六上午。", {"reschedule_delivery"}, RULES)
    assert honesty_problem("courier", "我们已经赔偿您 20 元。", {"reschedule_delivery"}, RULES)
    assert honesty_problem("hotel", "I've extended your stay to 16 April.", {"late_checkout"}, RULES)
    assert not honesty_problem("hotel", "I've sent two towels to room 1502.", {"housekeeping_request"}, RULES)
    assert honesty_problem("hotel", "I have upgraded you to a suite.", {"extend_stay"}, RULES)
    assert honesty_problem("property", "已为您发送缴费链接，请查收短信。", set(), RULES)
    assert honesty_problem("property", "已为您减免本季度物业费。", {"send_payment_link"}, RULES)
    assert not honesty_problem("property", "已为您查到 5-1203 的物业费，欠 827.4 元。", set(), RULES)
    assert honesty_problem("cinema", "I've cancelled booking SL-48902.", {"book_tickets"}, RULES)
    assert not honesty_problem("cinema", "I've found two IMAX screenings tomorrow evening.", set(), RULES)
    assert honesty_problem("carcare", "已为您预约周六 13:30 的小保养。", {"cancel_service_booking"}, RULES)
    assert honesty_problem("carcare", "好的，已经为您办理好了。", set(), RULES)  # 不指明哪件事的“办好了”
    assert honesty_problem("carcare", "我已为您申请了代步车。", {"book_service"}, RULES)


def test_dialogues(mock, mock_server, request):
    """跑完全部留出对话，逐轮比对；打印各领域准确率和每个失败的轮次。"""
    HELD_OUT.check_dialogues(mock_server, request)
