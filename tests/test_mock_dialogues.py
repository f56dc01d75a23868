"""多轮对话语料（tests/mock_dialogues.txt）：模拟模型在真实多轮对话里的表现，逐轮核对。

语料写的是“一个称职的模型（GPT-4 级别）在每一轮会做什么”：这一轮最后由哪位 Agent 回答、调了哪些工具、
参数是什么、回答里必须 / 不能出现什么。它是模拟模型的回归网——模拟模型要靠通用规则通过它，
而不是认得这些句子（第三个测试检查语料没有原样出现在 shared/mock/ 里）。

两部分：
- **capstone**：07 综合案例的客服团队，经真实的 HTTP/SSE 接口（`python 07_projects/app.py`，
  与 test_capstone_api.py 相同的启动方式；所有对话共用一个服务进程、一个模拟模型）。每段对话一个新会话，
  以语料里写的演示顾客登录。每一轮从 SSE 事件里记下：最后回答的 Agent（`run_completed` 的显示名
  按 its_service.agents.DISPLAY_NAMES 换回英文名）、`tool_started` 的工具名和参数、输入护栏是否拦下
  （`guardrail_tripped`）、是否暂停等主管审批（`approval_required`）、最后显示的文字。
  退款、工单会改业务库，而且整个模块共用一个库：改数据的对话各用各的订单（见语料开头的说明），
  开跑前给几位顾客加几张已签收的新订单（EXTRA_ORDERS），暂停等审批的那一轮放在对话最后。
- **domain**：本文件里定义的四个新领域（课程里没有的）：旅行社（前台 + 机票 / 酒店 / 签证三位专员，
  专员可以交回前台）、智能家居管家、银行助手、诊所预约助手。工具是确定性的桩，按参数返回 JSON。
  进程内用 Agents SDK 运行（`Runner.run` + 指向模拟模型的 `OpenAIChatCompletionsModel`），
  像真实应用一样：历史用 `result.to_input_list()` 接上，下一轮从 `result.last_agent` 开始。

一轮通过的条件：
1. Agent 和工具调用符合期望之一（`|` 分隔的备选）：工具名的多重集合相同（多调、少调都不行；
   handoff 不是工具调用，`transfer_to_*` 既不写进语料也不计入实际调用）；`参数=值` 去掉首尾空白后
   与实际参数相等（数字按数值比，布尔写 true/false；`参数=甲|乙` 等于其中之一即可），
   `参数~片段` 是实际值包含片段之一（自由文字用，不区分大小写），没列的参数不检查。
   `refused` = 输入护栏拦下；`approval: …` = 运行暂停等审批，暂停前的调用（含待批的那个）照样核对。
2. `?` 行：回答里必须出现的文字（`|` 分隔的任意一个即可，不区分大小写）；`!` 行：不能出现的文字。
3. 全局检查（每一轮都做）：
   - 回答不能声称办成了 / 正在办 / 已记下某件事（CLAIMS），除非这一轮或这段对话更早的轮次里真的运行过
     有副作用的工具（SIDE_EFFECTS：退款、工单、订票、转账、开关设备……）；
   - 回答里不能有原始字段名（`order_status`、`temp_low` 这类 snake_case 标识符）或原样的 JSON；
   - 这一轮不能出错（SSE 的 `error` 事件、SDK 抛异常），也不能被输出护栏拦下。

报告（测试结束时打印在终端摘要里）：各部分的轮次准确率，以及每一个失败的轮次（对话名、第几轮、
期望与实际的 Agent / 工具调用 / 回答摘录）。门槛：总轮次准确率 ≥ 95%、对话 ≥ 60 段。

运行：`.venv/bin/python -m pytest -n 0 -q tests/test_mock_dialogues.py`
"""

from __future__ import annotations

import asyncio
import json
import re
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import httpx2
import pytest
from agents import (
    Agent,
    FunctionTool,
    OpenAIChatCompletionsModel,
    Runner,
    ToolCallItem,
    function_tool,
)
from agents.extensions.handoff_prompt import prompt_with_handoff_instructions
from openai import AsyncOpenAI

from tests.capstone import LI, SUN, WANG, ZHANG, ZHAO, App, add_order, parse_sse, text_of
from tests.conftest import report_at_end
from tests.lessons import REPO

CORPUS = Path(__file__).with_name("mock_dialogues.txt")
MOCK_DIR = REPO / "shared" / "mock"
MIN_ACCURACY = 0.95
MIN_DIALOGUES = 60
CAPSTONE_WORKERS = 3  # 同时进行的 capstone 对话数（各自的会话，互不影响）

# 开跑前加进业务库的订单（都已签收、金额低于 500 元的审批门槛，可以直接退款）：
# 订单号 → (顾客, 商品 SKU, 签收几天前)。每张只给语料里的一段对话用来退款。
EXTRA_ORDERS = {
    "A2001": (ZHANG, "KT-17", 2),  # 张三：暖居电热水壶 129 元
    "A2002": (ZHANG, "CH-65W", 1),  # 张三：65W 充电器 149 元
    "A2003": (ZHAO, "SH-BREEZE5", 3),  # 赵六：轻风 5 代跑鞋 399 元
    "A2004": (LI, "EP-AIR3", 1),  # 李四：声动 Air3 耳机 299 元
    "A2005": (SUN, "KB-87", 2),  # 孙七：键匠 87 键机械键盘 459 元
    "A2006": (WANG, "KT-17", 1),  # 王五：暖居电热水壶 129 元
}
CUSTOMERS = {"C001", "C002", "C003", "C004", "C005"}

# 有副作用的工具：只有它们运行过，回答才可以说“已为您提交 / 已预订 / 已冻结……”。
SIDE_EFFECTS = {
    "capstone": {"request_refund", "open_ticket"},
    "travel": {"book_flight", "cancel_booking", "book_hotel"},
    "home": {"set_temperature", "set_lights", "set_device_power", "run_scene"},
    "bank": {"transfer_funds", "freeze_card", "order_replacement_card"},
    "clinic": {"book_appointment", "cancel_appointment"},
}

# 声称“已经办了 / 正在办 / 记下了”的说法。查询类的“已为您查到”不算（动词表里没有查、找、看）。
ACTION_VERBS = ("提交|办理|申请|创建|新建|建立|登记|记录|备注|预订|预定|预约|订好|订了|取消|退款|退回|转账|转入|转出|"
                "冻结|挂失|补办|寄|调到|调至|调成|调低|调高|调暗|调亮|设置|设定|开启|打开|关闭|关掉|关上|"
                "启动|切换|安排|挂号|转接|转交|上报")
CLAIMS = re.compile(
    r"已(?:经)?(?:为|帮|给|替)您(?:" + ACTION_VERBS + r")"
    r"|已提交|已记录|已记下|已登记|已备注|稍后给您答复|稍后答复您|正在为您(?:办理|处理|提交|申请)"
    r"|I(?:'ve| have) (?:submitted|processed|booked|cancell?ed|transferred|frozen|blocked|created|filed|opened"
    r"|logged|noted|recorded|scheduled|arranged|set|turned|switched|adjusted|placed|ordered|requested|gone ahead)\b"
    r"|I'm (?:processing|submitting)|I am (?:processing|submitting)"
    r"|has been (?:submitted|processed)|have been (?:submitted|processed)"
    r"|(?:we|I)(?:'ll| will) get back to you",
    re.I,
)
RAW_FIELD = re.compile(r"(?<![A-Za-z0-9_./\\-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")
RAW_JSON = re.compile(r"\{\s*\"|\"\s*:\s*[\[{\"\d]")


# ================================================================ 语料解析


class CorpusError(ValueError):
    """语料写错了：带行号的中文说明。"""


@dataclass
class Call:
    name: str
    args: dict[str, tuple[str, str]]  # 参数名 → (“=” 相等 / “~” 包含, 值)；只核对列出的参数

    def __str__(self) -> str:
        if not self.args:
            return self.name
        return f"{self.name}({', '.join(f'{k}{op}{v}' for k, (op, v) in self.args.items())})"


@dataclass
class Option:
    kind: Literal["agent", "refused", "approval"]
    agent: str = ""
    calls: list[Call] = field(default_factory=list)

    def __str__(self) -> str:
        if self.kind == "refused":
            return "refused"
        calls = ", ".join(map(str, self.calls)) or "-"
        return f"approval: {calls}" if self.kind == "approval" else f"{self.agent}: {calls}"


@dataclass
class UserTurn:
    text: str
    line: int
    options: list[Option] = field(default_factory=list)
    must: list[list[str]] = field(default_factory=list)  # 每组里任意一个出现即可
    must_not: list[str] = field(default_factory=list)

    def expected(self) -> str:
        parts = [" | ".join(map(str, self.options))]
        parts += ["? " + "|".join(group) for group in self.must]
        parts += ["! " + text for text in self.must_not]
        return "  ".join(parts)


@dataclass
class Dialogue:
    name: str
    line: int
    kind: str = ""  # capstone / domain
    target: str = ""  # capstone：顾客编号；domain：团队名
    turns: list[UserTurn] = field(default_factory=list)

    @property
    def section(self) -> str:
        return "capstone" if self.kind == "capstone" else self.target


def split_top(text: str, sep: str) -> list[str]:
    """按分隔符切开，括号和引号里面的不算。"""
    parts, depth, quote, current = [], 0, "", []
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts]


def strip_comment(text: str) -> str:
    """期望行末尾的注释：空白 + `#` 之后的部分（用户的话不去注释）。"""
    return re.split(r"\s+#", text, maxsplit=1)[0].strip()


CALL = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?$", re.S)


def parse_call(text: str, where: str) -> Call:
    match = CALL.match(text.strip())
    if not match:
        raise CorpusError(f"{where}：看不懂的工具调用 {text!r}（写成 工具名 或 工具名(参数=值, …)）")
    name, inside = match.group(1), (match.group(2) or "").strip()
    args: dict[str, tuple[str, str]] = {}
    for part in split_top(inside, ",") if inside else []:
        arg = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*([=~])(.*)$", part, re.S)
        if not arg:
            raise CorpusError(f"{where}：参数要写成 名字=值 或 名字~片段，实际是 {part!r}")
        key, op, value = arg.group(1), arg.group(2), arg.group(3).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if op == "~" and not value:
            raise CorpusError(f"{where}：{key}~ 后面要写片段")
        args[key] = (op, value)
    return Call(name, args)


def parse_option(text: str, where: str) -> Option:
    if text == "refused":
        return Option("refused")
    head, colon, rest = text.partition(":")
    if not colon:
        raise CorpusError(f"{where}：期望要写成 agent: 调用 / refused / approval: 调用，实际是 {text!r}")
    head, rest = head.strip(), rest.strip()
    calls = [] if rest == "-" else [parse_call(c, where) for c in split_top(rest, ",")]
    if head == "approval":
        if not calls:
            raise CorpusError(f"{where}：approval 后面要写暂停时的调用")
        return Option("approval", calls=calls)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", head):
        raise CorpusError(f"{where}：Agent 名字 {head!r} 不合法")
    return Option("agent", head, calls)


def parse_corpus(text: str) -> list[Dialogue]:
    dialogues: list[Dialogue] = []
    current: Dialogue | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        where = f"mock_dialogues.txt 第 {number} 行"
        if not line:
            continue
        if line.startswith("## "):
            current = Dialogue(line[3:].strip(), number)
            dialogues.append(current)
            continue
        if line.startswith("#"):
            continue
        if current is None:
            raise CorpusError(f"{where}：对话要以 “## 名字” 开头")
        marker, body = line[0], line[1:].strip()
        if marker == "@":
            words = strip_comment(body).split()
            if len(words) != 2 or words[0] not in ("capstone", "domain"):
                raise CorpusError(f"{where}：要写成 “@ capstone 顾客编号” 或 “@ domain 团队名”")
            current.kind, current.target = words
        elif marker == ">":
            if not body:
                raise CorpusError(f"{where}：用户的话是空的")
            current.turns.append(UserTurn(body, number))
        elif marker in "=?!":
            if not current.turns:
                raise CorpusError(f"{where}：期望写在用户的话（> …）后面")
            turn = current.turns[-1]
            body = strip_comment(body)
            if not body:
                raise CorpusError(f"{where}：{marker} 后面是空的")
            if marker == "=":
                if turn.options:
                    raise CorpusError(f"{where}：一轮只能有一行 =（备选用 | 写在同一行）")
                turn.options = [parse_option(o, where) for o in split_top(body, "|")]
            elif marker == "?":
                turn.must.append([p.strip() for p in body.split("|") if p.strip()])
            else:
                turn.must_not.append(body)
        else:
            raise CorpusError(f"{where}：不认识的行首 {marker!r}（可用 ## @ > = ? ! #）")
    return dialogues


@cache
def corpus() -> tuple[Dialogue, ...]:
    return tuple(parse_corpus(CORPUS.read_text(encoding="utf-8")))


# ================================================================ 新领域一：旅行社（多 Agent，handoff）

TODAY = "2025-06-02"  # 各领域 Agent 指令里写明的“今天”（星期一），日期参数按它核对


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _initials(name: str) -> str:
    words = re.findall(r"[A-Za-z]+", name)
    return "".join(w[0].upper() for w in words) if words else f"{zlib.crc32(name.encode()) % 100:02d}"


@function_tool
def search_flights(origin: str, destination: str, date: str) -> str:
    """Search available flights between two cities on one day.

    Args:
        origin: Departure city, written the way the traveller wrote it (e.g. "Shanghai" or "上海").
        destination: Arrival city, written the way the traveller wrote it.
        date: Departure date, YYYY-MM-DD.
    """
    flights = [
        {"flight_no": "MU523", "departure_time": "08:35", "arrival_time": "12:10", "price_cny": 2380, "seats_left": 7},
        {"flight_no": "NH968", "departure_time": "13:50", "arrival_time": "17:45", "price_cny": 3120, "seats_left": 2},
        {"flight_no": "CA929", "departure_time": "19:20", "arrival_time": "23:05", "price_cny": 1960, "seats_left": 0},
    ]
    return _json({"origin": origin, "destination": destination, "date": date, "flights": flights})


@function_tool
def book_flight(flight_no: str, date: str, passenger_name: str) -> str:
    """Book one seat on a flight for a passenger.

    Args:
        flight_no: Flight number from search_flights, e.g. "MU523".
        date: Departure date, YYYY-MM-DD.
        passenger_name: Passenger's full name as on the passport.
    """
    ref = "SK" + re.sub(r"\D", "", flight_no)[:3] + _initials(passenger_name)
    return _json({"booking_ref": ref, "status": "confirmed", "flight_no": flight_no, "date": date,
                  "passenger_name": passenger_name, "seat": "32A"})


@function_tool
def get_booking(booking_ref: str) -> str:
    """Look up an existing flight booking.

    Args:
        booking_ref: Booking reference, e.g. "SK523LW".
    """
    digits = re.sub(r"\D", "", booking_ref)[:3] or "523"
    return _json({"booking_ref": booking_ref, "flight_no": f"MU{digits}", "route": "上海 → 东京",
                  "date": "2025-06-12", "departure_time": "08:35", "passenger_name": "Li Wei",
                  "seat": "32A", "status": "confirmed"})


@function_tool
def cancel_booking(booking_ref: str) -> str:
    """Cancel a flight booking. Only call after the traveller has explicitly confirmed the cancellation.

    Args:
        booking_ref: Booking reference to cancel.
    """
    return _json({"booking_ref": booking_ref, "status": "cancelled", "refund_cny": 1904, "refund_days": 7})


@function_tool
def search_hotels(city: str, check_in: str, nights: int) -> str:
    """Search hotels with free rooms in a city.

    Args:
        city: City, written the way the traveller wrote it.
        check_in: Check-in date, YYYY-MM-DD.
        nights: Number of nights.
    """
    hotels = [("HT-101", "Central Inn", 4.2, 520), ("HT-205", "Garden Hotel", 4.8, 980),
              ("HT-330", "Riverside Suites", 4.5, 760)]
    return _json({"city": city, "check_in": check_in, "nights": nights, "hotels": [
        {"hotel_id": hid, "name": f"{city} {name}", "rating": rating, "price_per_night_cny": price,
         "total_price_cny": price * nights} for hid, name, rating, price in hotels]})


@function_tool
def book_hotel(hotel_id: str, check_in: str, nights: int, guest_name: str) -> str:
    """Reserve a room.

    Args:
        hotel_id: Hotel id from search_hotels, e.g. "HT-205".
        check_in: Check-in date, YYYY-MM-DD.
        nights: Number of nights.
        guest_name: Name of the guest.
    """
    return _json({"reservation_id": f"RS{re.sub(r'[^0-9]', '', hotel_id)}{nights}", "status": "confirmed",
                  "hotel_id": hotel_id, "check_in": check_in, "nights": nights, "guest_name": guest_name})


VISA_RULES = {
    "japan": (True, "single-entry tourist visa", 15, 5), "日本": (True, "单次旅游签证", 15, 5),
    "thailand": (False, "visa exemption", 30, 0), "泰国": (False, "免签", 30, 0),
    "singapore": (False, "visa exemption", 30, 0), "新加坡": (False, "免签", 30, 0),
}


@function_tool
def check_visa_requirement(nationality: str, destination_country: str) -> str:
    """Entry requirements for a passport holder visiting a country.

    Args:
        nationality: Passport nationality, e.g. "China".
        destination_country: Country to visit, e.g. "Japan".
    """
    required, kind, stay, days = VISA_RULES.get(destination_country.strip().lower(),
                                                 (True, "tourist visa", 30, 10))
    return _json({"nationality": nationality, "destination_country": destination_country,
                  "visa_required": required, "visa_type": kind, "max_stay_days": stay,
                  "processing_days": days})


# ================================================================ 新领域二：智能家居（单 Agent，中文）

Room = Literal["客厅", "主卧", "次卧", "书房", "厨房"]
ROOMS = {  # 温度 ℃、湿度 %、灯开着吗、亮度 %
    "客厅": (26.5, 58, True, 80), "主卧": (24.0, 52, True, 40), "次卧": (23.5, 50, False, 0),
    "书房": (25.0, 45, True, 100), "厨房": (29.0, 65, False, 0),
}
DEVICES = {
    "书房": [("study-lamp", "台灯", "on"), ("study-ac", "空调", "off"), ("study-purifier", "空气净化器", "on")],
    "客厅": [("living-ac", "空调", "off"), ("living-tv", "电视", "off"), ("living-curtain", "窗帘", "open")],
}


@function_tool
def get_room_status(room: Room) -> str:
    """查询一个房间的温度、湿度和灯光状态。

    Args:
        room: 房间名。
    """
    temp, humidity, on, brightness = ROOMS[room]
    return _json({"room": room, "temperature_c": temp, "humidity_pct": humidity,
                  "lights_on": on, "brightness_pct": brightness})


@function_tool
def list_devices(room: Room) -> str:
    """列出一个房间里的智能设备和它们现在的开关状态。

    Args:
        room: 房间名。
    """
    devices = DEVICES.get(room, [(f"{room}-ac", "空调", "off")])
    return _json({"room": room, "devices": [{"device_id": d, "name": n, "power": p} for d, n, p in devices]})


@function_tool
def set_temperature(room: Room, target_c: float) -> str:
    """把一个房间的空调设到目标温度（自动选择制冷或制热）。

    Args:
        room: 房间名。
        target_c: 目标温度，摄氏度。
    """
    current = ROOMS[room][0]
    return _json({"room": room, "target_c": target_c, "current_c": current,
                  "mode": "cooling" if target_c < current else "heating",
                  "eta_minutes": max(1, round(abs(current - target_c) * 6))})


@function_tool
def set_lights(room: Room, on: bool, brightness: int = 100) -> str:
    """开关一个房间的灯，或调节亮度。

    Args:
        room: 房间名。
        on: true 开灯，false 关灯。
        brightness: 亮度百分比 1-100（开灯时有效）。
    """
    return _json({"room": room, "lights_on": on, "brightness_pct": brightness if on else 0})


@function_tool
def set_device_power(device_id: str, on: bool) -> str:
    """打开或关闭一个设备。

    Args:
        device_id: 设备编号（list_devices 返回的 device_id）。
        on: true 打开，false 关闭。
    """
    return _json({"device_id": device_id, "power": "on" if on else "off"})


@function_tool
def run_scene(scene: Literal["回家", "离家", "睡眠", "观影"]) -> str:
    """执行一个预设场景。

    Args:
        scene: 场景名。
    """
    actions = {
        "观影": {"客厅": "灯光调到 50%，窗帘关闭，电视打开"},
        "睡眠": {"主卧": "关灯，空调 26℃ 睡眠模式"},
        "离家": {"全屋": "关灯，关空调，门锁上锁"},
        "回家": {"客厅": "开灯，空调 25℃"},
    }[scene]
    return _json({"scene": scene, "actions": actions})


@function_tool
def get_weather_forecast(days: int = 1) -> str:
    """查询家所在城市未来几天的天气预报（从明天开始）。

    Args:
        days: 查几天，1-3。
    """
    table = [("2025-06-03", "小雨", 18, 24, 70), ("2025-06-04", "多云", 20, 28, 20), ("2025-06-05", "晴", 22, 31, 0)]
    return _json({"days": [{"date": d, "condition": c, "temp_low": lo, "temp_high": hi, "rain_chance_pct": r}
                           for d, c, lo, hi, r in table[:max(1, min(days, 3))]]})


# ================================================================ 新领域三：银行（单 Agent，英文）

Account = Literal["checking", "savings"]
BALANCES = {"checking": (3240.55, 3100.55), "savings": (12800.00, 12800.00)}
TRANSACTIONS = {
    "checking": [("2025-05-31", "Whole Foods", -86.40), ("2025-05-30", "Shell", -52.10),
                 ("2025-05-29", "Netflix", -15.49), ("2025-05-28", "Payroll ACME Corp", 2650.00),
                 ("2025-05-27", "Amazon", -129.99), ("2025-05-25", "Uber", -23.80)],
    "savings": [("2025-05-28", "Transfer from checking", 500.00), ("2025-05-15", "Interest", 12.40),
                ("2025-05-02", "Transfer to checking", -300.00), ("2025-04-28", "Transfer from checking", 500.00),
                ("2025-04-15", "Interest", 11.90), ("2025-04-01", "Transfer from checking", 500.00)],
}


@function_tool
def get_balance(account: Account) -> str:
    """Current and available balance of one of the customer's accounts.

    Args:
        account: Which account.
    """
    balance, available = BALANCES[account]
    return _json({"account": account, "balance": balance, "available_balance": available, "currency": "USD"})


@function_tool
def list_transactions(account: Account, limit: int = 5) -> str:
    """Most recent transactions of an account, newest first.

    Args:
        account: Which account.
        limit: How many transactions to return (1-20).
    """
    rows = TRANSACTIONS[account][:max(1, min(limit, 20))]
    return _json({"account": account, "transactions": [
        {"posted_date": d, "merchant": m, "amount": a, "currency": "USD"} for d, m, a in rows]})


@function_tool
def transfer_funds(from_account: Account, to_account: Account, amount: float) -> str:
    """Move money between the customer's own accounts. Only after the customer has confirmed.

    Args:
        from_account: Account to take the money from.
        to_account: Account to put the money in.
        amount: Amount in USD.
    """
    return _json({"transfer_id": f"TR{zlib.crc32(f'{from_account}{to_account}{amount}'.encode()) % 10**6:06d}",
                  "status": "completed", "from_account": from_account, "to_account": to_account,
                  "amount": amount, "currency": "USD"})


@function_tool
def freeze_card(card_last4: str, reason: Literal["lost", "stolen", "suspicious_activity"]) -> str:
    """Freeze a card immediately so no new payments go through.

    Args:
        card_last4: Last four digits of the card number.
        reason: Why the card is being frozen.
    """
    return _json({"card_last4": card_last4, "card_status": "frozen", "reason": reason})


@function_tool
def order_replacement_card(card_last4: str, express: bool = False) -> str:
    """Order a replacement for a frozen card, sent to the address on file.

    Args:
        card_last4: Last four digits of the old card.
        express: Express delivery (2 business days, USD 15) instead of standard (7 business days, free).
    """
    return _json({"old_card_last4": card_last4, "delivery": "express" if express else "standard",
                  "eta_business_days": 2 if express else 7, "fee_usd": 15 if express else 0})


# ================================================================ 新领域四：诊所预约（单 Agent，中文）

Department = Literal["内科", "外科", "儿科", "皮肤科", "眼科"]
DEPARTMENT_CODES = {"内科": "NK", "外科": "WK", "儿科": "EK", "皮肤科": "PF", "眼科": "YK"}


@function_tool
def find_slots(department: Department, date: str) -> str:
    """查询某科室某一天还能预约的号源。

    Args:
        department: 科室。
        date: 就诊日期，YYYY-MM-DD。
    """
    code = DEPARTMENT_CODES[department]
    slots = [("0900", "09:00", "刘敏", "主任医师", 50), ("1030", "10:30", "陈思远", "副主任医师", 30),
             ("1430", "14:30", "王立", "主治医师", 20)]
    return _json({"department": department, "date": date, "slots": [
        {"slot_id": f"{code}-{sid}", "start_time": t, "doctor": doc, "doctor_title": title, "fee_cny": fee}
        for sid, t, doc, title, fee in slots]})


@function_tool
def book_appointment(slot_id: str, patient_name: str) -> str:
    """为就诊人预约一个号源。

    Args:
        slot_id: find_slots 返回的号源编号，例如 PF-0900。
        patient_name: 就诊人姓名。
    """
    return _json({"appointment_id": f"AP-{zlib.crc32((slot_id + patient_name).encode()) % 10000:04d}",
                  "slot_id": slot_id, "patient_name": patient_name, "status": "booked"})


@function_tool
def get_appointment(appointment_id: str) -> str:
    """查询一个预约的详情。

    Args:
        appointment_id: 预约号，例如 AP-3321。
    """
    return _json({"appointment_id": appointment_id, "department": "皮肤科", "date": "2025-06-05",
                  "start_time": "10:30", "doctor": "陈思远", "patient_name": "陈晨", "status": "booked"})


@function_tool
def cancel_appointment(appointment_id: str) -> str:
    """取消一个预约（挂号费原路退回）。用户确认之后才能调用。

    Args:
        appointment_id: 预约号。
    """
    return _json({"appointment_id": appointment_id, "status": "cancelled", "refund_cny": 30})


# ================================================================ 组队


@dataclass
class DomainTeam:
    start: Agent
    agents: dict[str, Agent]


def build_domain_teams(model: Any) -> dict[str, DomainTeam]:
    """四个新领域的 Agent。`model` 为 None 时只用来核对语料（不运行）。"""
    travel_rules = "Reply in the traveller's language. Never invent flights, prices or visa rules."
    flight_agent = Agent(
        name="flight_agent", model=model,
        handoff_description="Flights: search flights, book a seat, look up or cancel a flight booking.",
        instructions=prompt_with_handoff_instructions(
            f"You are the flight specialist of Skyline Travel. Today is {TODAY} (Monday).\n"
            "- search_flights needs origin, destination and date: ask for whatever is missing.\n"
            "- When the traveller picks a flight and gives the passenger name, book it with book_flight "
            "(ask for the name if it is missing) and tell them the booking reference.\n"
            "- get_booking looks up an existing booking. Before cancel_booking, ask the traveller to "
            "confirm; cancel only after they clearly say yes.\n"
            f"Anything that is not about flights: hand back to travel_desk. {travel_rules}"),
        tools=[search_flights, book_flight, get_booking, cancel_booking],
    )
    hotel_agent = Agent(
        name="hotel_agent", model=model,
        handoff_description="Hotels: find and reserve hotel rooms.",
        instructions=prompt_with_handoff_instructions(
            f"You are the hotel specialist of Skyline Travel. Today is {TODAY} (Monday).\n"
            "- search_hotels needs the city, the check-in date and the number of nights: ask for whatever "
            "is missing.\n"
            "- When the traveller chooses a hotel and gives the guest name, reserve it with book_hotel.\n"
            f"Anything that is not about hotels: hand back to travel_desk. {travel_rules}"),
        tools=[search_hotels, book_hotel],
    )
    visa_agent = Agent(
        name="visa_agent", model=model,
        handoff_description="Visas and entry requirements for a destination country.",
        instructions=prompt_with_handoff_instructions(
            "You are the visa specialist of Skyline Travel. Use check_visa_requirement to answer visa "
            "questions (ask for the passport nationality if you don't know it).\n"
            f"Anything that is not about visas: hand back to travel_desk. {travel_rules}"),
        tools=[check_visa_requirement],
    )
    travel_desk = Agent(
        name="travel_desk", model=model,
        handoff_description="Front desk: routes requests that a specialist cannot handle.",
        instructions=prompt_with_handoff_instructions(
            "You are the front desk of Skyline Travel. Work out what the traveller needs and hand off:\n"
            "- flights (search, book, look up or cancel a booking) → flight_agent\n"
            "- hotels → hotel_agent\n"
            "- visas and entry requirements → visa_agent\n"
            "For greetings, or when it is not yet clear what they need, answer briefly and ask. "
            + travel_rules),
        handoffs=[flight_agent, hotel_agent, visa_agent],
    )
    for specialist in (flight_agent, hotel_agent, visa_agent):
        specialist.handoffs = [travel_desk]

    home_butler = Agent(
        name="home_butler", model=model,
        instructions=(
            f"你是“小居”智能家居管家。今天是 {TODAY}（星期一）。家里的房间：客厅、主卧、次卧、书房、厨房。\n"
            "- 查询用 get_room_status、list_devices、get_weather_forecast；\n"
            "- 控制用 set_temperature、set_lights、set_device_power、run_scene。用户明确要求的操作直接执行，"
            "不用再确认；用户没说哪个房间、上下文也看不出来时，先问清楚房间；\n"
            "- 用用户的语言简短回答。"),
        tools=[get_room_status, list_devices, set_temperature, set_lights, set_device_power, run_scene,
               get_weather_forecast],
    )
    bank_assistant = Agent(
        name="bank_assistant", model=model,
        instructions=(
            "You are Harbor Bank's assistant for personal customers. The customer has two accounts: "
            "checking (活期) and savings (储蓄).\n"
            "- Balances and transactions: get_balance and list_transactions.\n"
            "- Transfers: restate the amount and both accounts and wait for the customer's explicit "
            "confirmation before calling transfer_funds.\n"
            "- Lost or stolen card: ask for the last four digits if you don't have them, then freeze the "
            "card right away with freeze_card. A replacement is ordered only when the customer asks.\n"
            "- An unrecognised charge: ask whether they want the card frozen; freeze only if they agree.\n"
            "Reply in the customer's language."),
        tools=[get_balance, list_transactions, transfer_funds, freeze_card, order_replacement_card],
    )
    clinic_assistant = Agent(
        name="clinic_assistant", model=model,
        instructions=(
            f"你是仁和诊所的预约助手。今天是 {TODAY}（星期一）。科室：内科、外科、儿科、皮肤科、眼科。\n"
            "- 挂号：先弄清科室和日期（缺什么问什么），用 find_slots 查号源；用户选定号源并告诉就诊人姓名后，"
            "用 book_appointment 预约（缺姓名先问），并告诉用户预约号；\n"
            "- 取消：先用 get_appointment 查出预约给用户核对，用户确认后才调用 cancel_appointment；\n"
            "- 用用户的语言回答。"),
        tools=[find_slots, book_appointment, get_appointment, cancel_appointment],
    )
    teams = {
        "travel": DomainTeam(travel_desk, {a.name: a for a in (travel_desk, flight_agent, hotel_agent, visa_agent)}),
        "home": DomainTeam(home_butler, {home_butler.name: home_butler}),
        "bank": DomainTeam(bank_assistant, {bank_assistant.name: bank_assistant}),
        "clinic": DomainTeam(clinic_assistant, {clinic_assistant.name: clinic_assistant}),
    }
    return teams


def domain_schema() -> dict[str, dict[str, dict[str, set[str]]]]:
    """团队 → Agent → 工具 → 参数名。"""
    return {name: {agent.name: {t.name: set(t.params_json_schema.get("properties", {}))
                                for t in agent.tools if isinstance(t, FunctionTool)}
                   for agent in team.agents.values()}
            for name, team in build_domain_teams(None).items()}


# ================================================================ 运行与记录


@dataclass
class Actual:
    agent: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    refused: bool = False
    approval: bool = False
    text: str = ""
    error: str = ""

    def summary(self) -> str:
        calls = ", ".join(f"{n}({', '.join(f'{k}={v}' for k, v in a.items())})" for n, a in self.calls) or "-"
        if self.refused:
            line = "refused（输入护栏拦下）"
        else:
            line = f"{'approval' if self.approval else self.agent or '？'}: {calls}"
        return f"{line}；出错：{self.error}" if self.error else line


def parse_arguments(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {"<原始参数>": raw}
    return value if isinstance(value, dict) else {"<原始参数>": raw}


def capstone_dialogue(app: App, dialogue: Dialogue) -> list[Actual]:
    """一段对话：一位顾客登录，新会话，逐轮 POST /api/chat/sse，从事件里记下这一轮的表现。"""
    from its_service.agents import DISPLAY_NAMES

    by_title = {title: name for name, title in DISPLAY_NAMES.items()}
    results: list[Actual] = []
    session_id = None
    with httpx2.Client(base_url=app.base, timeout=60) as client:
        login = client.post("/api/login", json={"customer_id": dialogue.target})
        assert login.status_code == 200, login.text
        for turn in dialogue.turns:
            body = {"query": turn.text, **({"session_id": session_id} if session_id else {})}
            actual = Actual()
            try:
                with client.stream("POST", "/api/chat/sse", json=body) as response:
                    if response.status_code != 200:
                        response.read()
                        actual.error = f"HTTP {response.status_code}：{response.text[:200]}"
                        results.append(actual)
                        break
                    events = list(parse_sse(response.iter_lines()))
            except httpx2.HTTPError as exc:
                actual.error = f"{type(exc).__name__}: {exc}"
                results.append(actual)
                break
            for name, data in events:
                if name == "session":
                    session_id = data["session_id"]
                elif name == "tool_started":
                    actual.calls.append((data["tool_name"], parse_arguments(data.get("arguments"))))
                elif name == "guardrail_tripped":
                    if data.get("stage") == "input":
                        actual.refused = True
                    else:
                        actual.error = f"回答被输出护栏（{data.get('guardrail')}）拦下：{data.get('reasoning', '')}"
                elif name == "approval_required":
                    actual.approval = True
                    actual.agent = by_title.get(data.get("agent", ""), data.get("agent", ""))
                elif name == "run_completed":
                    actual.agent = by_title.get(data.get("agent", ""), data.get("agent", ""))
                elif name == "error":
                    actual.error = f"{data.get('code')}: {data.get('message')}"
            actual.text = text_of(events)
            results.append(actual)
            if actual.error or actual.approval:  # 之后的轮次没法接着比
                break
    return results


async def domain_dialogue(teams: dict[str, DomainTeam], dialogue: Dialogue) -> list[Actual]:
    """一段对话：像真实应用一样，历史接在 to_input_list() 后面，下一轮从 last_agent 开始。"""
    team = teams[dialogue.target]
    agent: Agent = team.start
    history: list[Any] = []
    results: list[Actual] = []
    for turn in dialogue.turns:
        actual = Actual()
        try:
            result = await Runner.run(agent, [*history, {"role": "user", "content": turn.text}], max_turns=12)
        except Exception as exc:  # noqa: BLE001 —— 记成这一轮失败，报告里写清楚
            actual.error = f"{type(exc).__name__}: {exc}"
            results.append(actual)
            break
        for item in result.new_items:
            if isinstance(item, ToolCallItem):
                name = getattr(item.raw_item, "name", "") or ""
                if name and not name.startswith("transfer_to_"):
                    actual.calls.append((name, parse_arguments(getattr(item.raw_item, "arguments", "{}"))))
        actual.agent = result.last_agent.name
        actual.text = result.final_output if isinstance(result.final_output, str) else str(result.final_output)
        results.append(actual)
        history = result.to_input_list()
        agent = result.last_agent
    return results


async def run_domains(base_url: str, dialogues: list[Dialogue]) -> list[list[Actual]]:
    client = AsyncOpenAI(base_url=base_url, api_key="mock-key", max_retries=0, timeout=30)
    teams = build_domain_teams(OpenAIChatCompletionsModel(model="mock-model", openai_client=client))
    try:
        return list(await asyncio.gather(*(domain_dialogue(teams, d) for d in dialogues)))
    finally:
        await client.close()


# ================================================================ 比对


def same_value(op: str, expected: str, actual: Any) -> bool:
    """`=`：去掉首尾空白后等于 | 分隔的值之一（数字按数值、布尔按 true/false）；
    `~`：实际值（文字）包含 | 分隔的片段之一，不区分大小写。"""
    if op == "~":
        text = actual if isinstance(actual, str) else json.dumps(actual, ensure_ascii=False)
        return any(p.strip().lower() in text.lower() for p in expected.split("|") if p.strip())
    return any(equal_value(choice, actual) for choice in (expected.split("|") if "|" in expected else [expected]))


def equal_value(expected: str, actual: Any) -> bool:
    expected = expected.strip()
    if isinstance(actual, bool):
        return expected.lower() == str(actual).lower()
    if isinstance(actual, (int, float)):
        try:
            return float(expected) == float(actual)
        except ValueError:
            return False
    if actual is None:
        return expected in ("", "null", "None")
    if isinstance(actual, str):
        return expected == actual.strip()
    return expected == json.dumps(actual, ensure_ascii=False)


def calls_match(expected: list[Call], actual: list[tuple[str, dict[str, Any]]]) -> bool:
    if sorted(c.name for c in expected) != sorted(name for name, _ in actual):
        return False

    def fits(call: Call, args: dict[str, Any]) -> bool:
        return all(key in args and same_value(op, value, args[key]) for key, (op, value) in call.args.items())

    def assign(i: int, used: frozenset[int]) -> bool:  # 每个期望的调用配一个不同的实际调用
        if i == len(expected):
            return True
        return any(j not in used and name == expected[i].name and fits(expected[i], args)
                   and assign(i + 1, used | {j}) for j, (name, args) in enumerate(actual))

    return assign(0, frozenset())


def option_matches(option: Option, actual: Actual) -> bool:
    if option.kind == "refused":
        return actual.refused
    if actual.refused:
        return False
    if option.kind == "approval":
        return actual.approval and calls_match(option.calls, actual.calls)
    return not actual.approval and actual.agent == option.agent and calls_match(option.calls, actual.calls)


def check_turn(turn: UserTurn, actual: Actual, section_kind: str, acted_before: bool) -> list[str]:
    """这一轮的问题（空列表 = 通过）。"""
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
    acted = acted_before or actual.approval or any(name in SIDE_EFFECTS[section_kind] for name, _ in actual.calls)
    claim = CLAIMS.search(text)
    if claim and not acted:
        problems.append(f"没有运行任何有副作用的工具，回答却说“{claim.group(0)}”")
    raw = RAW_FIELD.search(text)
    if raw:
        problems.append(f"回答里有原始字段名 {raw.group(0)}")
    if RAW_JSON.search(text):
        problems.append("回答里有原样的 JSON")
    return problems


@dataclass
class TurnResult:
    dialogue: Dialogue
    index: int
    turn: UserTurn
    actual: Actual | None
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems


def grade(dialogue: Dialogue, actuals: list[Actual]) -> list[TurnResult]:
    kind = "capstone" if dialogue.kind == "capstone" else dialogue.target
    results, acted = [], False
    for index, turn in enumerate(dialogue.turns, 1):
        if index > len(actuals):
            results.append(TurnResult(dialogue, index, turn, None, ["前面的轮次出错或已暂停，这一轮没有运行"]))
            continue
        actual = actuals[index - 1]
        results.append(TurnResult(dialogue, index, turn, actual, check_turn(turn, actual, kind, acted)))
        acted = acted or actual.approval or any(n in SIDE_EFFECTS[kind] for n, _ in actual.calls)
    return results


def excerpt(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def report_lines(results: list[TurnResult]) -> list[str]:
    """报告：总的和各部分的轮次准确率，然后是每一个失败的轮次。"""
    return summary_lines(results) + failure_lines(results)


def summary_lines(results: list[TurnResult]) -> list[str]:
    sections: dict[str, list[TurnResult]] = {}
    for r in results:
        sections.setdefault(r.dialogue.section, []).append(r)
    dialogues = {id(r.dialogue) for r in results}
    passed = sum(r.passed for r in results)
    lines = [f"{len(dialogues)} 段对话，{len(results)} 轮；轮次准确率 {passed}/{len(results)} = "
             f"{passed / max(len(results), 1):.1%}（门槛 {MIN_ACCURACY:.0%}）"]
    for name, rows in sections.items():
        count = len({id(r.dialogue) for r in rows})
        ok = sum(r.passed for r in rows)
        whole = sum(all(x.passed for x in rows if x.dialogue is d)
                    for d in {id(r.dialogue): r.dialogue for r in rows}.values())
        label = "capstone（07 客服团队，HTTP/SSE）" if name == "capstone" else f"domain {name}"
        lines.append(f"  {label}：{count} 段对话，轮次 {ok}/{len(rows)} = {ok / len(rows):.1%}，"
                     f"整段全对 {whole}/{count}")
    return lines


def failure_lines(results: list[TurnResult]) -> list[str]:
    lines = []
    failing = [r for r in results if not r.passed]
    if failing:
        lines.append(f"失败的轮次（{len(failing)}）：")
    for r in failing:
        lines.append(f"  [{r.dialogue.section}] {r.dialogue.name} · 第 {r.index} 轮「{r.turn.text}」"
                     f"（语料第 {r.turn.line} 行）")
        lines.append(f"      期望：{r.turn.expected()}")
        if r.actual is not None:
            lines.append(f"      实际：{r.actual.summary()}")
            lines.append(f"      回答：{excerpt(r.actual.text) or '（空）'}")
        lines.append(f"      问题：{'；'.join(r.problems)}")
    return lines


# ================================================================ 测试


@pytest.fixture(scope="module")
def app(mock_server, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("dialogues")
    instance = App(data_dir, mock_server.base_url)
    instance.env["LLM_TIMEOUT"] = "10"  # 几段对话同时进行，2 核机器上一次模型请求可能超过默认的 2 秒
    instance.start()
    for order_id, (customer, sku, days) in EXTRA_ORDERS.items():
        add_order(instance.shop_url, order_id, sku, days, customer)
    yield instance
    instance.stop()


def capstone_schema(app: App) -> dict[str, dict[str, set[str]]]:
    """客服团队：Agent → 工具 → 参数名，从运行中的服务（GET /api/team）和工具本身读出来。"""
    from its_service.tools import make_tools

    team = httpx2.get(f"{app.base}/api/team", timeout=10).json()
    tools = make_tools(None)  # 只读工具的参数表，不调用
    params = {t.name: set(t.params_json_schema.get("properties", {})) for t in vars(tools).values()}
    schema: dict[str, dict[str, set[str]]] = {}
    for card in team["agents"]:
        names = [*card["tools"], *card["mcp_tools"]]
        schema[card["name"]] = {n: params.get(n, {"order_id"}) for n in names}
        schema[card["name"]].update({c["tool"]: {"input"} for c in card["consults"]})
    return schema


def test_corpus_is_well_formed(app):
    """语料本身写对了：名字唯一、每段至少两轮、每轮都有期望、提到的 Agent / 工具 / 参数在那个团队里都存在。"""
    dialogues = corpus()
    names = [d.name for d in dialogues]
    duplicates = {n for n in names if names.count(n) > 1}
    assert not duplicates, f"对话名字重复：{duplicates}"
    schemas = {"capstone": capstone_schema(app), **domain_schema()}
    problems = []
    for d in dialogues:
        where = f"“{d.name}”（第 {d.line} 行）"
        if d.kind == "capstone":
            if d.target not in CUSTOMERS:
                problems.append(f"{where}：顾客 {d.target} 不是演示顾客 {sorted(CUSTOMERS)}")
            schema = schemas["capstone"]
        elif d.kind == "domain" and d.target in schemas:
            schema = schemas[d.target]
        else:
            problems.append(f"{where}：缺少 @ 行，或团队 {d.target!r} 不存在（可用：{sorted(schemas)[1:]}）")
            continue
        if len(d.turns) < 2:
            problems.append(f"{where}：至少要两轮")
        for turn in d.turns:
            if not turn.options:
                problems.append(f"{where} 第 {turn.line} 行：这一轮没有 = 期望")
            for option in turn.options:
                if option.kind == "refused":
                    if d.kind != "capstone":
                        problems.append(f"{where} 第 {turn.line} 行：只有 capstone 有护栏（refused）")
                    continue
                if option.kind == "approval" and turn is not d.turns[-1]:
                    problems.append(f"{where} 第 {turn.line} 行：暂停等审批的一轮要放在对话最后")
                if option.kind == "agent" and option.agent not in schema:
                    problems.append(f"{where} 第 {turn.line} 行：团队里没有 Agent {option.agent}")
                    continue
                tools = (schema[option.agent] if option.kind == "agent"
                         else {t: p for agent in schema.values() for t, p in agent.items()})
                for call in option.calls:
                    if call.name.startswith("transfer_to_"):
                        problems.append(f"{where} 第 {turn.line} 行：handoff 不写进期望（{call.name}）")
                    elif call.name not in tools:
                        owner = option.agent or "团队"
                        problems.append(f"{where} 第 {turn.line} 行：{owner} 没有工具 {call.name}")
                    elif set(call.args) - tools[call.name]:
                        problems.append(f"{where} 第 {turn.line} 行：{call.name} 没有参数 "
                                        f"{sorted(set(call.args) - tools[call.name])}")
    assert not problems, "\n".join(problems)


def test_corpus_is_not_in_the_mock():
    """语料里的用户原话（≥ 6 个字符）一句也不能原样出现在 shared/mock/ 的任何文件里：
    模拟模型要靠通用规则通过语料，不能认得这些句子。"""
    texts = {}
    for path in sorted(MOCK_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            texts[path] = path.read_bytes().decode("utf-8", "replace")
    assert texts, f"{MOCK_DIR} 下没有文件"
    leaks = [f"{d.name} 第 {t.line} 行「{t.text}」→ {path.relative_to(REPO)}"
             for d in corpus() for t in d.turns if len(t.text.strip()) >= 6
             for path, content in texts.items() if t.text.strip() in content]
    assert not leaks, "语料原话出现在模拟模型的文件里：\n" + "\n".join(leaks)


def test_dialogues(app, mock, mock_server, request):
    """跑完全部对话，逐轮比对；打印各部分准确率和每个失败的轮次。"""
    dialogues = list(corpus())
    capstone = [d for d in dialogues if d.kind == "capstone"]
    domain = [d for d in dialogues if d.kind == "domain"]
    with ThreadPoolExecutor(max_workers=CAPSTONE_WORKERS) as pool:
        futures = [pool.submit(capstone_dialogue, app, d) for d in capstone]
        domain_actuals = asyncio.run(run_domains(mock_server.base_url, domain))
        capstone_actuals = [f.result() for f in futures]
    results = [r for d, a in zip(capstone, capstone_actuals, strict=True) for r in grade(d, a)]
    results += [r for d, a in zip(domain, domain_actuals, strict=True) for r in grade(d, a)]
    lines = report_lines(results)
    report_at_end(request.config, "多轮对话语料（tests/mock_dialogues.txt）", lines)
    assert len(dialogues) >= MIN_DIALOGUES, f"语料只有 {len(dialogues)} 段对话，至少要 {MIN_DIALOGUES} 段"
    accuracy = sum(r.passed for r in results) / len(results)
    assert accuracy >= MIN_ACCURACY, (
        "\n".join(summary_lines(results)) + "\n每个失败的轮次（期望 / 实际 / 回答）见测试结束时终端摘要里的报告")
