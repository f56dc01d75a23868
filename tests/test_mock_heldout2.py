"""第二份留出对话（tests/mock_heldout2.txt）：换五个新领域，再量一次模拟模型的规则能不能推广。

和 test_mock_heldout.py 一样，这里的领域、Agent、指令、工具、文档字符串、参数名和每一句用户的话都是另外写的，
写的时候没有看模拟模型的代码、词库和它调规则时对照过的两份语料（mock_dialogues.txt、mock_heldout.txt）。
视角是一位只读过 Agents SDK 文档的开发者：照着文档搭好自己的客服，换上模拟模型，看它在多轮对话里
会不会选对 Agent 和工具、从上下文里取对参数、该问的时候问、该等确认的时候等、没有工具的事如实转介。

五个领域（工具都是进程内的假数据，按参数返回 JSON；“今天”是 2025-11-13，星期四）：
- helpdesk：启明科技 IT 服务台，账号 ServiceDesk + 硬件 DeviceDesk（互相 handoff），中文为主；
- utility：Brightwater 水电账单助手 BillingAssistant（单 Agent），英文为主；
- enrol：星海大学选课，咨询 AdvisingDesk + 注册 Registrar（互相 handoff），中英文；
- pharmacy：康宁大药房 PharmacyCounter，用药问题交给当作工具用的药师 Agent（`ask_pharmacist`，
  agents-as-tools），中文为主；
- gym：PulseFit 健身房前台助手 GymDesk（单 Agent），英文为主。

语料格式、运行方式和逐轮检查都复用 test_mock_heldout.py（它又复用 test_mock_dialogues.py 的解析器）：
Agent 和工具调用符合 `=` 行的备选之一，`?` / `!` 行的文字，说到做到（声称办了的事，对应的有副作用的工具
必须运行过；没有工具能做的事永远不能说做了），同一个有副作用的调用不做两次，回答里没有原始字段名 / JSON，
参数里不塞整句话，日期参数是 YYYY-MM-DD。本文件只换上这五个领域的表（RULES）。

Agent 当工具用时（药房），外层只看得见 `ask_pharmacist` 这一次调用，药师内部查资料的调用不计入。

报告（终端摘要）：各领域和总的轮次准确率、只看 Agent / 工具 / 参数的准确率，以及每一个失败的轮次
（期望 / 实际 / 回答）。至少 30 段对话、90 轮，中文对话不少于一半。

测量历史（2026-12-07）：写好后第一次运行（盲测）轮次准确率 39/121 = 32.2%。之后照着它的失败改了一批通用规则
（月份参数、更正换掉同样子的值、“没说就按今天”、只提到某件事的工具给能办的 handoff 让路、药名这类东西的名字、
“先用 X 查资料再回答”……），那时 50/121 = 41.3%（只看 Agent、工具和参数 71/121 = 58.7%）；当天晚些时候又照着它
改了一批（指令里“没有工具管的事”“什么情况不能办”“用完了”、问价钱、几句之前要过的信息……），现在 74/121 = 61.2%
（91/121 = 75.2%）。所以它早已不是盲测了；盲测的数字看第三、四份（test_mock_heldout3.py、test_mock_heldout4.py）。
门槛定在现在的测得值下面一点（55%），防退步。

运行：`.venv/bin/python -m pytest -n 0 -q tests/test_mock_heldout2.py`
"""

from __future__ import annotations

import calendar
import re
from datetime import date
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
    _json,
    _number,
    honesty_problem,
)

CORPUS = Path(__file__).with_name("mock_heldout2.txt")
MIN_ACCURACY = 0.55  # 盲测 32.2%，按它改过规则后 61.2%（见模块说明）
MIN_DIALOGUES = 30
MIN_TURNS = 90

TODAY = date(2025, 11, 13)  # 各领域指令里写明的“今天”（星期四），日期参数按它核对
TODAY_TEXT = f"{TODAY.isoformat()}（星期四）"


def _key(prefix: str, text: str, width: int = 0) -> str:
    """各种写法的编号统一成 前缀-数字：“e10293”“工号 10293”→ E10293，“rx20931”→ RX-20931。"""
    digits = re.sub(r"\D", "", text)
    return f"{prefix}{digits.zfill(width)}" if digits else text.strip().upper()


# ================================================================ 领域一：IT 服务台（两个 Agent，中文为主）

EMPLOYEES = {
    "E10293": {"name": "王磊", "department": "财务部", "locked": True, "failed_logins": 5,
               "password_expires": "2025-11-20", "mobile_tail": "3391"},
    "E20871": {"name": "Lucy Chen", "department": "市场部", "locked": False, "failed_logins": 0,
               "password_expires": "2025-11-10", "mobile_tail": "6625"},
    "E31540": {"name": "赵敏", "department": "研发部", "locked": False, "failed_logins": 2,
               "password_expires": "2026-01-15", "mobile_tail": "0718"},
}
DEVICES = {  # 工号 → [(资产标签, 类型, 型号, 保修截止)]
    "E10293": [("LT-4471", "笔记本", "ThinkPad T14 Gen 3", "2026-06-30"),
               ("MN-2208", "显示器", "Dell U2422H", "2024-12-31")],
    "E20871": [("LT-5032", "笔记本", "MacBook Air M2", "2026-09-30")],
    "E31540": [("LT-3980", "笔记本", "ThinkPad X1 Carbon Gen 11", "2026-03-31"),
               ("LT-2761", "笔记本", "ThinkPad T480（旧机，测试用）", "2023-08-31"),
               ("DK-1102", "扩展坞", "ThinkPad USB-C Dock", "2026-03-31")],
}


def _employee(employee_id: str) -> tuple[str, dict[str, Any] | None]:
    key = _key("E", employee_id)
    return key, EMPLOYEES.get(key)


@function_tool
def account_status(employee_id: str) -> str:
    """查员工的域账号：姓名、部门、是否被锁定、连续输错密码的次数、密码到期日、登记手机的尾号。

    Args:
        employee_id: 工号，例如 E10293。
    """
    key, person = _employee(employee_id)
    if person is None:
        return _json({"error": f"找不到工号 {employee_id}"})
    return _json({"employee_id": key, **person, "password_expired": person["password_expires"] < TODAY.isoformat()})


@function_tool
def unlock_account(employee_id: str) -> str:
    """解除域账号的锁定（连续输错密码被锁的）。

    Args:
        employee_id: 工号。
    """
    key, person = _employee(employee_id)
    if person is None:
        return _json({"error": f"找不到工号 {employee_id}"})
    if not person["locked"]:
        return _json({"error": "这个账号没有被锁定，不需要解锁"})
    return _json({"employee_id": key, "locked": False, "note": "5 分钟内生效，之后用原密码登录"})


@function_tool
def reset_password(employee_id: str) -> str:
    """重置域账号密码：生成临时密码，以短信发到登记的手机。员工确认身份之后才能调用。

    Args:
        employee_id: 工号。
    """
    key, person = _employee(employee_id)
    if person is None:
        return _json({"error": f"找不到工号 {employee_id}"})
    return _json({"employee_id": key, "sent_to": f"尾号 {person['mobile_tail']} 的手机（短信）",
                  "temporary_password_valid_hours": 24, "must_change_at_first_login": True})


@function_tool
def my_devices(employee_id: str) -> str:
    """员工名下登记的 IT 设备：资产标签、类型、型号、保修截止日期、是否还在保修期内。

    Args:
        employee_id: 工号。
    """
    key, person = _employee(employee_id)
    if person is None:
        return _json({"error": f"找不到工号 {employee_id}"})
    return _json({"employee_id": key, "devices": [
        {"asset_tag": tag, "type": kind, "model": model, "warranty_until": until,
         "in_warranty": until >= TODAY.isoformat()} for tag, kind, model, until in DEVICES.get(key, [])]})


@function_tool
def open_hardware_ticket(asset_tag: str, problem: str) -> str:
    """为一台设备开硬件报修工单，返回工单号。过保设备的维修费由员工所在部门承担。

    Args:
        asset_tag: 资产标签，例如 LT-4471（贴在设备底部）。
        problem: 故障现象，一两句话。
    """
    tag = asset_tag.strip().upper()
    device = next((d for rows in DEVICES.values() for d in rows if d[0] == tag), None)
    if device is None:
        return _json({"error": f"找不到资产标签 {asset_tag}"})
    in_warranty = device[3] >= TODAY.isoformat()
    return _json({"ticket_no": f"HW-{_number(tag + problem, 51000, 9000)}", "asset_tag": tag, "model": device[2],
                  "in_warranty": in_warranty, "repair_fee": "保修内免费" if in_warranty else "200 元起，部门承担",
                  "next_step": "工程师 1 个工作日内联系您约时间取机"})


@function_tool
def book_loaner(employee_id: str, pickup_date: str) -> str:
    """预约一台备用笔记本（自己的笔记本送修期间用），到 3 楼 IT 服务台领取。

    Args:
        employee_id: 工号。
        pickup_date: 领取日期，YYYY-MM-DD，只能是工作日。
    """
    key, person = _employee(employee_id)
    day = _day(pickup_date)
    if person is None:
        return _json({"error": f"找不到工号 {employee_id}"})
    if day is None or day < TODAY:
        return _json({"error": "领取日期要写成 YYYY-MM-DD，而且不能早于今天"})
    if day.weekday() >= 5:
        return _json({"error": "周末服务台不开门，请选一个工作日"})
    return _json({"loaner_no": f"BY-{_number(key + pickup_date, 300, 600)}", "employee_id": key,
                  "pickup_date": pickup_date, "pickup_place": "3 楼 IT 服务台", "pickup_hours": "09:00-18:00",
                  "return_rule": "自己的电脑修好后 3 个工作日内归还"})


# ================================================================ 领域二：水电账单（单 Agent，英文为主）

Meter = Literal["electricity", "water"]
UTILITY_ACCOUNTS = {
    "BW-204518": {"holder": "Maria Gonzalez", "address": "14 Linden Ave, Apt 3", "balance_due_usd": 186.40,
                  "due_date": "2025-11-20", "autopay": False},
    "BW-377102": {"holder": "陈静", "address": "滨河路 9 号 1 单元 601", "balance_due_usd": 0.0,
                  "due_date": None, "autopay": True},
}
METERS = {  # (户号, 表) → (上次读数, 抄表日期)
    ("BW-204518", "electricity"): (48213, "2025-10-15"),
    ("BW-204518", "water"): (912, "2025-10-15"),
    ("BW-377102", "electricity"): (15500, "2025-10-31"),
    ("BW-377102", "water"): (388, "2025-10-31"),
}
UNITS = {"electricity": "kWh", "water": "m³"}
BILLS = {  # (户号, 账单月份) → 明细
    ("BW-204518", "2025-11"): {"electricity_kwh": 803, "electricity_usd": 128.48, "water_m3": 15, "water_usd": 45.00,
                               "service_fee_usd": 8.50, "late_fee_usd": 4.42,
                               "late_fee_reason": "October bill was paid 6 days after its due date",
                               "total_usd": 186.40, "status": "unpaid, due 2025-11-20"},
    ("BW-204518", "2025-10"): {"electricity_kwh": 612, "electricity_usd": 97.92, "water_m3": 14, "water_usd": 42.00,
                               "service_fee_usd": 8.50, "late_fee_usd": 0.0, "total_usd": 148.42,
                               "status": "paid on 2025-10-26"},
    ("BW-377102", "2025-11"): {"electricity_kwh": 420, "electricity_usd": 67.20, "water_m3": 9, "water_usd": 27.00,
                               "service_fee_usd": 8.50, "late_fee_usd": 0.0, "total_usd": 102.70,
                               "status": "paid by autopay on 2025-11-05"},
    ("BW-377102", "2025-10"): {"electricity_kwh": 455, "electricity_usd": 72.80, "water_m3": 10, "water_usd": 30.00,
                               "service_fee_usd": 8.50, "late_fee_usd": 0.0, "total_usd": 111.30,
                               "status": "paid by autopay on 2025-10-05"},
}
PLAN_SETUP_FEE = 5.0


def _utility(account_no: str) -> tuple[str, dict[str, Any] | None]:
    key = _key("BW-", account_no)
    return key, UTILITY_ACCOUNTS.get(key)


def _instalments(balance: float, months: int) -> dict[str, Any]:
    monthly = round(balance / months, 2)
    return {"months": months, "monthly_usd": monthly, "setup_fee_usd": PLAN_SETUP_FEE,
            "first_payment_usd": round(monthly + PLAN_SETUP_FEE, 2)}


@function_tool
def account_summary(account_no: str) -> str:
    """Account overview: holder, service address, balance due and due date, autopay, last meter readings.

    Args:
        account_no: Account number, e.g. BW-204518.
    """
    key, account = _utility(account_no)
    if account is None:
        return _json({"error": f"no account {account_no}"})
    meters = [{"meter": meter, "last_reading": reading, "read_on": read_on, "unit": UNITS[meter]}
              for (owner, meter), (reading, read_on) in METERS.items() if owner == key]
    return _json({"account_no": key, **account, "latest_bill": "2025-11", "meters": meters})


@function_tool
def bill_breakdown(account_no: str, month: str) -> str:
    """Line-by-line charges of one monthly bill: usage, energy and water charges, fees, total and status.

    Args:
        account_no: Account number.
        month: Bill month, YYYY-MM (the bill issued in that month).
    """
    key, account = _utility(account_no)
    if account is None:
        return _json({"error": f"no account {account_no}"})
    bill = BILLS.get((key, month.strip()))
    if bill is None:
        return _json({"error": f"no bill for {month} on {key} (bills kept: 2025-10, 2025-11)"})
    return _json({"account_no": key, "month": month, **bill})


@function_tool
def submit_meter_reading(account_no: str, meter: Meter, reading: int, read_on: str) -> str:
    """Submit a meter reading the customer took themselves. Rejected if lower than the last reading.

    Args:
        account_no: Account number.
        meter: Which meter.
        reading: The whole number shown on the meter.
        read_on: Date the meter was read, YYYY-MM-DD.
    """
    key, account = _utility(account_no)
    if account is None:
        return _json({"error": f"no account {account_no}"})
    day = _day(read_on)
    if day is None or day > TODAY:
        return _json({"accepted": False, "reason": "read_on must be YYYY-MM-DD and not in the future"})
    last, last_on = METERS[(key, meter)]
    if reading < last:
        return _json({"accepted": False, "meter": meter, "reading": reading, "last_reading": last,
                      "last_read_on": last_on, "reason": "lower than the last reading; please check the number"})
    return _json({"accepted": True, "account_no": key, "meter": meter, "reading": reading, "read_on": read_on,
                  "previous_reading": last, "previous_read_on": last_on, "usage_since": reading - last,
                  "unit": UNITS[meter]})


@function_tool
def payment_plan_quote(account_no: str) -> str:
    """Instalment options (3 or 6 months) for the current balance, with the one-off setup fee.

    Args:
        account_no: Account number.
    """
    key, account = _utility(account_no)
    if account is None:
        return _json({"error": f"no account {account_no}"})
    balance = account["balance_due_usd"]
    if balance < 100:
        return _json({"eligible": False, "balance_due_usd": balance,
                      "reason": "payment plans are only for balances of $100 or more"})
    return _json({"eligible": True, "balance_due_usd": balance, "options": [_instalments(balance, 3),
                                                                             _instalments(balance, 6)]})


@function_tool
def set_up_payment_plan(account_no: str, months: Literal[3, 6]) -> str:
    """Put the current balance on a monthly payment plan. Only after the customer agreed to the option and fee.

    Args:
        account_no: Account number.
        months: Number of monthly instalments.
    """
    key, account = _utility(account_no)
    if account is None:
        return _json({"error": f"no account {account_no}"})
    if account["balance_due_usd"] < 100:
        return _json({"error": "payment plans are only for balances of $100 or more"})
    return _json({"plan_id": f"PP-{_number(key + str(months), 7000, 2000)}", "account_no": key,
                  **_instalments(account["balance_due_usd"], months), "first_payment_due": "2025-11-20"})


# ================================================================ 领域三：选课（两个 Agent，中英文）

Section = Literal["A", "B"]
COURSES = {  # 代码 → 名称、别名、学分、先修课、班级（时间, 剩余名额, 候补人数）
    "CS201": {"title": "数据结构 Data Structures", "aka": "DS", "credits": 4, "prerequisites": ["CS101"],
              "sections": {"A": ("周一、周三 Mon & Wed 10:00-11:40", 0, 3),
                           "B": ("周二、周四 Tue & Thu 14:00-15:40", 5, 0)}},
    "CS305": {"title": "机器学习导论 Intro to Machine Learning", "aka": "ML", "credits": 3,
              "prerequisites": ["CS201", "MATH202"],
              "sections": {"A": ("周五 Fri 09:00-11:40", 12, 0)}},
    "MATH202": {"title": "线性代数 Linear Algebra", "aka": "线代", "credits": 3, "prerequisites": ["MATH101"],
                "sections": {"A": ("周一 Mon 14:00-16:35", 2, 0), "B": ("周三 Wed 19:00-21:35", 0, 1)}},
    "ECON101": {"title": "经济学原理 Principles of Economics", "aka": "", "credits": 3, "prerequisites": [],
                "sections": {"A": ("周二 Tue 10:00-11:40", 30, 0)}},
    "PE110": {"title": "网球 Tennis", "aka": "", "credits": 1, "prerequisites": [],
              "sections": {"A": ("周四 Thu 16:00-17:40", 0, 8)}},
}
STUDENTS = {  # 学号 → 姓名、修完的课、2026 春季已选（代码, 名称, 班, 学分）
    "2023011458": {"name": "李想", "completed": ["CS101", "MATH101"],
                   "enrolled": [("ECON101", "经济学原理", "A", 3), ("MATH202", "线性代数", "A", 3)]},
    "2022087731": {"name": "Jordan Miller", "completed": ["CS101", "CS201", "MATH101", "MATH202"],
                   "enrolled": [("MATH301", "Real Analysis", "A", 3), ("HIST210", "Modern World History", "A", 3),
                                ("CS330", "Operating Systems", "A", 4), ("CS340", "Computer Networks", "A", 4),
                                ("PHYS201", "Electromagnetism", "A", 4)]},
    "2024100327": {"name": "王芳", "completed": ["CS101", "MATH101"], "enrolled": [("CHEM101", "普通化学", "A", 4)]},
}
FREE_CREDITS = 18
OVERLOAD_FEE_PER_CREDIT = 300


def _course(text: str) -> tuple[str, dict[str, Any]] | None:
    """课程代码（“cs 201”“CS-201”）或名称里的词（“数据结构”“machine learning”“线代”）。"""
    code = re.sub(r"[\s_-]+", "", text).upper()
    if code in COURSES:
        return code, COURSES[code]
    words = [w for w in re.split(r"[\s,，]+", text.lower()) if w]
    for key, course in COURSES.items():
        name = f"{course['title']} {course['aka']}".lower()
        if words and all(w in name for w in words):
            return key, course
    return None


def _credits(student: dict[str, Any]) -> int:
    return sum(row[3] for row in student["enrolled"])


@function_tool
def course_info(course: str) -> str:
    """一门课（2026 春季学期）的名称、学分、先修课，以及每个班的上课时间、剩余名额和候补人数。

    Args:
        course: 课程代码或课程名，例如 CS201、数据结构、Linear Algebra。
    """
    found = _course(course)
    if found is None:
        return _json({"error": f"本学期没有开 {course}"})
    code, info = found
    return _json({"course_code": code, "title": info["title"], "credits": info["credits"],
                  "prerequisites": info["prerequisites"], "sections": [
                      {"section": s, "schedule": when, "seats_left": seats, "waitlist": queue}
                      for s, (when, seats, queue) in info["sections"].items()]})


@function_tool
def student_record(student_id: str) -> str:
    """学生修完的课程，以及 2026 春季学期已选的课和学分（超过 18 学分的部分要交超学分费）。

    Args:
        student_id: 学号，10 位数字。
    """
    student = STUDENTS.get(re.sub(r"\D", "", student_id))
    if student is None:
        return _json({"error": f"找不到学号 {student_id}"})
    return _json({"student_id": student_id, "name": student["name"], "completed": student["completed"],
                  "spring_2026": [{"course_code": c, "title": t, "section": s, "credits": n}
                                  for c, t, s, n in student["enrolled"]],
                  "credits_enrolled": _credits(student), "free_credit_limit": FREE_CREDITS})


@function_tool
def enrol(student_id: str, course: str, section: Section) -> str:
    """为学生选一门课的某个班。先修课没修完、班级已满、已经选了这门课时会被拒绝。

    Args:
        student_id: 学号。
        course: 课程代码或课程名。
        section: 班级。
    """
    student = STUDENTS.get(re.sub(r"\D", "", student_id))
    found = _course(course)
    if student is None or found is None:
        return _json({"error": f"找不到学号 {student_id} 或课程 {course}"})
    code, info = found
    if section not in info["sections"]:
        return _json({"error": f"{code} 没有 {section} 班"})
    missing = [c for c in info["prerequisites"] if c not in student["completed"]]
    if missing:
        return _json({"enrolled": False, "reason": f"先修课没有修完：{'、'.join(missing)}"})
    if any(row[0] == code for row in student["enrolled"]):
        return _json({"enrolled": False, "reason": f"已经选了 {code}"})
    when, seats, _ = info["sections"][section]
    if seats == 0:
        return _json({"enrolled": False, "reason": f"{code} {section} 班已满，可以排候补"})
    total = _credits(student) + info["credits"]
    fee = max(0, total - max(FREE_CREDITS, _credits(student))) * OVERLOAD_FEE_PER_CREDIT
    return _json({"enrolled": True, "course_code": code, "title": info["title"], "section": section,
                  "schedule": when, "credits_now": total, "overload_fee_cny": fee})


@function_tool
def drop(student_id: str, course: str) -> str:
    """退掉学生本学期已选的一门课（加退选期内不收费）。学生确认之后才能调用。

    Args:
        student_id: 学号。
        course: 课程代码或课程名。
    """
    student = STUDENTS.get(re.sub(r"\D", "", student_id))
    found = _course(course)
    if student is None or found is None:
        return _json({"error": f"找不到学号 {student_id} 或课程 {course}"})
    code = found[0]
    row = next((r for r in student["enrolled"] if r[0] == code), None)
    if row is None:
        return _json({"dropped": False, "reason": f"本学期没有选 {code}"})
    return _json({"dropped": True, "course_code": code, "title": row[1], "section": row[2],
                  "credits_now": _credits(student) - row[3]})


@function_tool
def join_waitlist(student_id: str, course: str, section: Section) -> str:
    """班级满了时排候补：有人退课就按顺序补进，补进后会发邮件通知。

    Args:
        student_id: 学号。
        course: 课程代码或课程名。
        section: 班级。
    """
    student = STUDENTS.get(re.sub(r"\D", "", student_id))
    found = _course(course)
    if student is None or found is None:
        return _json({"error": f"找不到学号 {student_id} 或课程 {course}"})
    code, info = found
    if section not in info["sections"]:
        return _json({"error": f"{code} 没有 {section} 班"})
    _, seats, queue = info["sections"][section]
    if seats > 0:
        return _json({"error": f"{code} {section} 班还有 {seats} 个名额，直接选课就行"})
    return _json({"waitlisted": True, "course_code": code, "section": section, "position": queue + 1})


# ================================================================ 领域四：药房（Agent 当工具用，中文为主）

Store = Literal["人民路店", "滨江店", "大学城店"]
PRESCRIPTIONS = {
    "RX-20931": {"patient": "刘芳", "drug": "苯磺酸氨氯地平片 5mg（Amlodipine）", "quantity": "28 片",
                 "refills_left": 2, "last_filled": "2025-10-16", "refill_from": "2025-11-09", "copay_cny": 12.5},
    "RX-20977": {"patient": "刘芳", "drug": "二甲双胍缓释片 500mg（Metformin）", "quantity": "60 片",
                 "refills_left": 0, "last_filled": "2025-10-20", "refill_from": None, "copay_cny": 8.0},
    "RX-31502": {"patient": "Tom Becker", "drug": "阿托伐他汀钙片 20mg（Atorvastatin）", "quantity": "28 片",
                 "refills_left": 1, "last_filled": "2025-11-01", "refill_from": "2025-11-24", "copay_cny": 18.0},
    "RX-31588": {"patient": "孙浩", "drug": "沙丁胺醇吸入气雾剂 100μg（Salbutamol）", "quantity": "1 支",
                 "refills_left": 3, "last_filled": "2025-09-01", "refill_from": "2025-09-25", "copay_cny": 22.0},
}
REFILL_ORDERS = {
    "RF-88120": {"drug": "布地奈德鼻喷雾剂（Budesonide）", "pickup_store": "人民路店", "status": "已配好，待取",
                 "ready_since": "2025-11-12", "hold_until": "2025-11-19"},
}
STORES = {  # 门店 → 地址、营业时间
    "人民路店": ("人民路 218 号", {"周一至周六": "08:00-21:00", "周日": "09:00-18:00"}),
    "滨江店": ("滨江大道 66 号", {"周一至周六": "08:30-20:30", "周日": "休息"}),
    "大学城店": ("大学城南路 3 号", {"每天": "08:00-22:00"}),
}
RUSH_FEE = 5
DRUG_FACTS = {  # 药名（含别名）→ 中英文资料
    "氨氯地平 amlodipine 络活喜": {
        "zh": {"用法": "每日一次，每天同一时间服用", "常见副作用": "脚踝、小腿水肿，面部潮红，头痛；脚踝水肿比较常见，"
               "通常不危险，明显加重时请联系开药医生", "能否自行停药": "不要自行停药，停药或换药先问开药医生",
               "相互作用": "大量饮用西柚汁可能升高血药浓度"},
        "en": {"how to take": "once a day, at the same time each day", "common side effects": "ankle or lower-leg "
               "swelling, flushing, headache; ankle swelling is common and usually not dangerous, tell the "
               "prescribing doctor if it gets worse", "stopping": "do not stop on your own; ask the prescribing "
               "doctor before stopping or switching", "interactions": "large amounts of grapefruit juice can raise "
               "blood levels"}},
    "阿托伐他汀 atorvastatin 立普妥": {
        "zh": {"用法": "每日一次，早上或晚上都可以，每天固定时间服用", "常见副作用": "肌肉酸痛、腹胀；不明原因的肌肉疼痛、"
               "无力要及时就医", "相互作用": "避免大量吃西柚（葡萄柚）或喝西柚汁，柚子也可能有类似影响，建议少吃",
               "能否自行停药": "不要自行停药，先问开药医生"},
        "en": {"how to take": "once a day, morning or evening, at the same time each day", "common side effects":
               "muscle aches, bloating; see a doctor for unexplained muscle pain or weakness", "interactions":
               "avoid large amounts of grapefruit or grapefruit juice; pomelo may act similarly", "stopping":
               "do not stop on your own; ask the prescribing doctor"}},
    "二甲双胍 metformin 格华止": {
        "zh": {"用法": "随餐或餐后服用，缓释片整片吞服", "常见副作用": "恶心、腹泻、腹胀，多在开始几周",
               "相互作用": "避免大量饮酒", "能否自行停药": "不要自行停药，先问开药医生"},
        "en": {"how to take": "with or after meals; swallow extended-release tablets whole", "common side effects":
               "nausea, diarrhoea, bloating, mostly in the first weeks", "interactions": "avoid heavy drinking",
               "stopping": "do not stop on your own; ask the prescribing doctor"}},
    "沙丁胺醇 salbutamol albuterol 万托林": {
        "zh": {"用法": "气喘发作时吸 1-2 喷，24 小时内不超过 8 喷；用前摇匀", "常见副作用": "手抖、心跳加快",
               "注意": "一天需要用很多次说明哮喘控制不好，请尽快就医"},
        "en": {"how to take": "1-2 puffs when wheezy, no more than 8 puffs in 24 hours; shake before use",
               "common side effects": "shaky hands, fast heartbeat",
               "note": "needing it many times a day means asthma is poorly controlled; see a doctor soon"}},
}


def _rx(rx_no: str) -> tuple[str, dict[str, Any] | None]:
    key = _key("RX-", rx_no)
    return key, PRESCRIPTIONS.get(key)


@function_tool
def prescription_status(rx_no: str) -> str:
    """查一张处方：患者、药品、剩余续药次数、上次配药日期、最早可续药日期和自付金额。

    Args:
        rx_no: 处方号，例如 RX-20931。
    """
    key, rx = _rx(rx_no)
    if rx is None:
        return _json({"error": f"找不到处方 {rx_no}"})
    return _json({"rx_no": key, **rx})


@function_tool
def request_refill(rx_no: str, pickup_store: Store, pickup_date: str) -> str:
    """按处方续药：药房配好药，顾客到指定门店取。当天取药加收 5 元加急费。

    Args:
        rx_no: 处方号。
        pickup_store: 取药门店。
        pickup_date: 取药日期，YYYY-MM-DD。
    """
    key, rx = _rx(rx_no)
    day = _day(pickup_date)
    if rx is None:
        return _json({"error": f"找不到处方 {rx_no}"})
    if rx["refills_left"] == 0:
        return _json({"error": "续药次数已用完，需要医生重新开处方"})
    if day is None or day < TODAY:
        return _json({"error": "取药日期要写成 YYYY-MM-DD，而且不能早于今天"})
    if day.isoformat() < rx["refill_from"]:
        return _json({"error": f"还不能续药，最早 {rx['refill_from']} 起可以取"})
    if day.weekday() == 6 and STORES[pickup_store][1].get("周日") == "休息":
        return _json({"error": f"{pickup_store}周日休息"})
    rush = RUSH_FEE if day == TODAY else 0
    return _json({"order_no": f"RF-{_number(key + pickup_date, 60000, 30000)}", "drug": rx["drug"],
                  "pickup_store": pickup_store, "pickup_date": pickup_date, "copay_cny": rx["copay_cny"],
                  "rush_fee_cny": rush, "refills_left_after": rx["refills_left"] - 1,
                  "pickup_note": "凭订单号和本人身份证取药"})


@function_tool
def order_status(order_no: str) -> str:
    """查一个续药订单：药品、取药门店、是否已配好、保留到哪天。

    Args:
        order_no: 续药订单号，例如 RF-88120。
    """
    key = _key("RF-", order_no)
    order = REFILL_ORDERS.get(key)
    if order is None:
        return _json({"error": f"找不到订单 {order_no}"})
    return _json({"order_no": key, **order})


@function_tool
def store_info(store: Store) -> str:
    """门店地址和营业时间。

    Args:
        store: 门店。
    """
    address, hours = STORES[store]
    return _json({"store": store, "address": address, "hours": hours, "phone": "400-820-6600"})


@function_tool
def drug_facts(drug_name: str) -> str:
    """药品资料：用法、常见副作用、相互作用、能否自行停药（中英文）。

    Args:
        drug_name: 药名（通用名、商品名或英文名都可以）。
    """
    name = drug_name.strip().lower()
    for names, facts in DRUG_FACTS.items():
        if any(alias in name or name in alias for alias in names.split()):
            return _json({"drug": names.split()[0], **facts})
    return _json({"error": f"资料库里没有 {drug_name}"})


# ================================================================ 领域五：健身房（单 Agent，英文为主）

PLAN_PRICES = {"Standard": 49, "Premium": 79}
MEMBERS = {
    "PF-0421": {"name": "Daniel Okafor", "plan": "Standard", "status": "active", "renews_on": "2025-12-01",
                "freezes_left_this_year": 1, "booked": ["CL-1114-1830"]},
    "PF-0733": {"name": "周婷", "plan": "Premium", "status": "active", "renews_on": "2025-11-28",
                "freezes_left_this_year": 2, "booked": ["CL-1115-0900"]},
    "PF-1090": {"name": "Aisha Rahman", "plan": "Premium", "status": "frozen until 2025-12-15",
                "renews_on": "2025-12-15", "freezes_left_this_year": 0, "booked": []},
}
WEEKDAY_CLASSES = [("07:00", "Spin 动感单车", "Leo"), ("12:15", "Pilates 普拉提", "Mei"),
                   ("18:30", "HIIT 燃脂", "Sam"), ("19:45", "Yoga 瑜伽", "Mei")]
SATURDAY_CLASSES = [("09:00", "Yoga 瑜伽", "Mei"), ("10:30", "Boxing 拳击（Premium only）", "Sam"),
                    ("16:00", "Spin 动感单车", "Leo")]
SUNDAY_CLASSES = [("10:00", "Pilates 普拉提", "Mei")]
SPOTS = {"CL-1114-0700": 0, "CL-1114-1830": 3, "CL-1115-1030": 4}  # 其余的课都剩 10 个位置
FREEZE_FEE = 10


def _member(member_no: str) -> tuple[str, dict[str, Any] | None]:
    key = _key("PF-", member_no, 4)
    return key, MEMBERS.get(key)


def _classes(day: date) -> list[dict[str, Any]]:
    rows = SUNDAY_CLASSES if day.weekday() == 6 else SATURDAY_CLASSES if day.weekday() == 5 else WEEKDAY_CLASSES
    result = []
    for start, name, coach in rows:
        class_id = f"CL-{day:%m%d}-{start.replace(':', '')}"
        result.append({"class_id": class_id, "date": day.isoformat(), "start": start, "class": name,
                       "coach": coach, "spots_left": SPOTS.get(class_id, 10), "premium_only": "Premium" in name})
    return result


def _class(class_id: str) -> dict[str, Any] | None:
    match = re.fullmatch(r"CL-(\d{2})(\d{2})-\d{4}", class_id.strip().upper())
    if not match:
        return None
    try:
        day = date(TODAY.year, int(match.group(1)), int(match.group(2)))
    except ValueError:
        return None
    return next((c for c in _classes(day) if c["class_id"] == class_id.strip().upper()), None)


@function_tool
def membership_info(member_no: str) -> str:
    """A member's plan, monthly price, status (active / frozen), renewal date, freezes left and booked classes.

    Args:
        member_no: Member number, e.g. PF-0421.
    """
    key, member = _member(member_no)
    if member is None:
        return _json({"error": f"no member {member_no}"})
    booked = [c for c in map(_class, member["booked"]) if c]
    return _json({"member_no": key, **member, "monthly_usd": PLAN_PRICES[member["plan"]], "booked": booked})


@function_tool
def class_timetable(day: str) -> str:
    """Group classes on one day: class id, start time, class, coach, spots left, Premium-only or not.

    Args:
        day: YYYY-MM-DD.
    """
    when = _day(day)
    if when is None or when < TODAY:
        return _json({"error": "day must be YYYY-MM-DD, today or later"})
    return _json({"day": day, "classes": _classes(when)})


@function_tool
def book_class(member_no: str, class_id: str) -> str:
    """Book a member into a group class.

    Args:
        member_no: Member number.
        class_id: Class id from class_timetable, e.g. CL-1114-1830.
    """
    key, member = _member(member_no)
    found = _class(class_id)
    if member is None or found is None:
        return _json({"error": f"no member {member_no} or no class {class_id}"})
    if member["status"] != "active":
        return _json({"booked": False, "reason": f"membership is {member['status']}"})
    if found["premium_only"] and member["plan"] != "Premium":
        return _json({"booked": False, "reason": "this class is for Premium members only"})
    if found["spots_left"] == 0:
        return _json({"booked": False, "reason": "class is full"})
    return _json({"booked": True, "member_no": key, **found})


@function_tool
def cancel_class(member_no: str, class_id: str) -> str:
    """Cancel a member's class booking (free). Only after the member confirmed which class.

    Args:
        member_no: Member number.
        class_id: Class id of the booking.
    """
    key, member = _member(member_no)
    if member is None:
        return _json({"error": f"no member {member_no}"})
    if class_id.strip().upper() not in member["booked"]:
        return _json({"error": f"{key} has no booking for {class_id}"})
    return _json({"cancelled": True, "member_no": key, "class_id": class_id.strip().upper()})


@function_tool
def freeze_membership(member_no: str, start_date: str, months: Literal[1, 2, 3]) -> str:
    """Freeze a membership for 1-3 months ($10 per month, charged now). Only after the member agreed to the fee.

    Args:
        member_no: Member number.
        start_date: First frozen day, YYYY-MM-DD.
        months: Number of months to freeze.
    """
    key, member = _member(member_no)
    start = _day(start_date)
    if member is None:
        return _json({"error": f"no member {member_no}"})
    if start is None or start < TODAY:
        return _json({"error": "start_date must be YYYY-MM-DD, today or later"})
    if member["freezes_left_this_year"] == 0 or member["status"] != "active":
        return _json({"frozen": False, "reason": "no freezes left this year or membership not active"})
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    resume = date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    return _json({"frozen": True, "member_no": key, "frozen_from": start.isoformat(),
                  "billing_resumes": resume.isoformat(), "fee_usd": FREEZE_FEE * months})


# ================================================================ 组队


def build_teams(model: Any) -> dict[str, DomainTeam]:
    """五个领域的 Agent。`model` 为 None 时只用来核对语料（不运行）。"""
    device_desk = Agent(
        name="DeviceDesk", model=model,
        handoff_description="硬件：电脑、显示器、扩展坞的报修，借备用笔记本。",
        instructions=prompt_with_handoff_instructions(
            f"你是启明科技 IT 服务台的硬件助手。今天是 {TODAY_TEXT}。\n"
            "- 报修要知道是哪台设备（资产标签，形如 LT-4471，贴在设备底部）和故障现象；对方不知道标签时问工号，"
            "用 my_devices 查他名下的设备，同类设备不止一台时请他选；\n"
            "- 报修前先看保修期：过保的设备维修要收费（200 元起，从员工所在部门的费用里出），先告诉对方，"
            "对方同意后才报修；在保的直接用 open_hardware_ticket 报修，告诉对方工单号；\n"
            "- 笔记本送修期间可以借备用机：问清哪天来取（只限工作日），用 book_loaner 预约，告诉对方到 3 楼 IT 服务台领取；\n"
            "- 账号、密码的问题交回 ServiceDesk；软件安装、VPN、邮箱这些请对方拨打 IT 热线 8000。\n"
            "用对方的语言简短回答。"),
        tools=[my_devices, open_hardware_ticket, book_loaner],
    )
    service_desk = Agent(
        name="ServiceDesk", model=model,
        handoff_description="账号：账号锁定、解锁、重置密码。",
        instructions=prompt_with_handoff_instructions(
            f"你是启明科技 IT 服务台的在线助手。今天是 {TODAY_TEXT}。\n"
            "- 账号的事都要工号（形如 E10293），没有就先问；\n"
            "- 账号被锁：先用 account_status 看是不是真的锁了；锁了就直接用 unlock_account 解锁，不用再问；"
            "没锁就告诉对方账号正常，可能是密码输错了；\n"
            "- 重置密码：先用 account_status 查，把姓名和登记手机的尾号告诉对方，请他确认是本人、这个手机还在用；"
            "确认后才调用 reset_password（临时密码用短信发到登记手机）；登记的手机已经不用了的不能在线重置，"
            "请他带工牌到 3 楼 IT 服务台办理；\n"
            "- 电脑、显示器、扩展坞这些硬件的报修和借备用机，交给 DeviceDesk；\n"
            "- VPN、邮箱、软件安装、权限申请这些你没有工具的事，请对方拨打 IT 热线 8000（工作日 8:30-18:00）"
            "或在 OA 上提交申请，不要自己编步骤。\n"
            "用对方的语言简短回答。"),
        tools=[account_status, unlock_account, reset_password],
        handoffs=[device_desk],
    )
    device_desk.handoffs = [service_desk]

    billing = Agent(
        name="BillingAssistant", model=model,
        instructions=(
            f"You are the online billing assistant of Brightwater Energy & Water. Today is {TODAY.isoformat()} "
            "(Thursday).\n"
            "- Everything about an account needs the account number (looks like BW-204518); ask for it if missing.\n"
            "- Explain charges with bill_breakdown (month as YYYY-MM; the current bill is 2025-11, issued this "
            "month; last month's is 2025-10).\n"
            "- Meter readings: you need the account, which meter (electricity or water) and the number on the "
            "display. The reading date is the day the customer read the meter; if they don't say, use today. "
            "Submit with submit_meter_reading, no need to confirm. If a reading is rejected, tell them why.\n"
            "- Payment plans (3 or 6 monthly instalments) are only for balances of $100 or more. Get the options "
            "with payment_plan_quote and tell the customer the monthly amount and the one-off $5 setup fee; set "
            "the plan up with set_up_payment_plan only after they agree to a specific option.\n"
            "- You cannot waive or reduce late fees or any other charge; the customer can ask for a review on "
            "1-800-555-0177.\n"
            "- Power or water outages: the 24-hour outage line is 1-800-555-0100. Anything else you have no tool "
            "for (autopay and payment cards, moving house, new connections): 1-800-555-0177.\n"
            "Reply in the customer's language, briefly."),
        tools=[account_summary, bill_breakdown, submit_meter_reading, payment_plan_quote, set_up_payment_plan],
    )

    registrar = Agent(
        name="Registrar", model=model,
        handoff_description="注册：2026 春季学期的选课、退课、排候补。",
        instructions=prompt_with_handoff_instructions(
            f"你是星海大学教务处的注册助手，负责 2026 春季学期的选课、退课和候补。今天是 {TODAY_TEXT}，"
            "加退选截止 2025-11-28。\n"
            "- 都要学号（10 位数字），缺就问；\n"
            "- 选课：先用 course_info 看各班时间和名额，用 student_record 核对先修课和已选学分；先修课没修完不能选，"
            "说明缺哪门；学生没说选哪个班时，把各班时间和名额告诉他，请他选；\n"
            "- 本学期超过 18 学分的部分每学分收 300 元超学分费：会超的话先告诉学生要交多少，学生同意后再选；\n"
            "- 班级满了：告诉学生，问要不要排候补，学生同意后用 join_waitlist；\n"
            "- 退课：把要退的课程名称念给学生确认，学生确认后才调用 drop；加退选期内退课不收费；\n"
            "- 课程内容、先修课要求这类咨询交回 AdvisingDesk。\n"
            "用学生的语言回答（学生说英文就用英文）。"),
        tools=[course_info, student_record, enrol, drop, join_waitlist],
    )
    advising = Agent(
        name="AdvisingDesk", model=model,
        handoff_description="选课咨询：课程内容、学分、先修课、上课时间和名额。",
        instructions=prompt_with_handoff_instructions(
            f"你是星海大学教务处的选课咨询助手。今天是 {TODAY_TEXT}，2026 春季学期正在选课。\n"
            "- 课程的学分、先修课、上课时间和名额，用 course_info 查了再答；学生问自己能不能选某门课，"
            "再用 student_record 看他修过什么；\n"
            "- 要选课、退课、排候补，交给 Registrar；\n"
            "- 成绩、毕业审核、转专业这些你查不到的事，请学生去行政楼 204 教务办公室或拨打 6278 1100。\n"
            "用学生的语言回答（学生说英文就用英文）。"),
        tools=[course_info, student_record],
        handoffs=[registrar],
    )
    registrar.handoffs = [advising]

    pharmacist = Agent(
        name="DrugInfo", model=model,
        instructions=("你是康宁大药房的执业药师，回答同事转来的用药问题。先用 drug_facts 查药品资料，只根据资料回答；"
                      "资料里没有的，建议咨询开药医生。用提问的语言简短回答。"),
        tools=[drug_facts],
    )
    counter = Agent(
        name="PharmacyCounter", model=model,
        instructions=(
            f"你是康宁大药房的线上药师助理。今天是 {TODAY_TEXT}。门店：人民路店、滨江店、大学城店。\n"
            "- 续药要处方号（形如 RX-20931），缺就问；先用 prescription_status 查剩余续药次数和最早可续日期：\n"
            "  · 次数用完了不能续，请顾客找开药医生重新开处方；处方药没有有效处方不能出售；\n"
            "  · 还没到最早可续日期，告诉顾客哪天起可以续；\n"
            "  · 可以续：问清到哪家门店、哪天取（缺什么问什么），然后用 request_refill 下单，告诉顾客订单号和自付金额；\n"
            "- 当天取药算加急，另收 5 元加急费：先告诉顾客，顾客同意后再下单；\n"
            "- 订单进度用 order_status，门店地址和营业时间用 store_info；家人代取要带顾客本人和代取人的身份证；\n"
            "- 药怎么吃、副作用、能不能和别的药或食物一起吃、能不能停药，这些用药问题一律用 ask_pharmacist 请药师回答"
            "（把药名和顾客的问题写清楚），再把药师的回答转告顾客；你自己不要回答用药问题；\n"
            "- 送药上门、医保报销：请顾客拨打 400-820-6600；胸痛、呼吸困难等急症请立即拨打 120。\n"
            "用顾客的语言简短回答。"),
        tools=[prescription_status, request_refill, order_status, store_info,
               pharmacist.as_tool(tool_name="ask_pharmacist",
                                  tool_description="请药师回答用药问题（用法、副作用、相互作用、能否停药）。"
                                                   "input 里写清药名和顾客的问题。")],
    )

    gym_desk = Agent(
        name="GymDesk", model=model,
        instructions=(
            f"You are the online assistant of PulseFit gym. Today is {TODAY.isoformat()} (Thursday).\n"
            "Plans: Standard $49/month, Premium $79/month. Premium-only classes (Boxing) can't be booked on "
            "Standard.\n"
            "- Anything about a member's account or bookings needs the member number (like PF-0421); ask if "
            "missing.\n"
            "- Classes: show the day's classes with class_timetable; when the member picks one, book it with "
            "book_class (no need to confirm). Frozen memberships can't book classes.\n"
            "- Cancelling a class booking: find it with membership_info and read the class, day and time back to "
            "the member; call cancel_class only after they confirm. Cancelling is free.\n"
            "- Freezing: $10 per frozen month, 1 to 3 months, at most 2 freezes a year, starting today or later. "
            "Check membership_info first, tell the member the total fee, and freeze with freeze_membership only "
            "once they have agreed to the fee and given the start date.\n"
            "- You can't unfreeze, upgrade or cancel a membership, or arrange personal training, lockers or guest "
            "passes: the front desk handles those (in person, or call (555) 013-4220).\n"
            "Reply in the member's language."),
        tools=[membership_info, class_timetable, book_class, cancel_class, freeze_membership],
    )

    def team(start: Agent, *others: Agent) -> DomainTeam:
        return DomainTeam(start, {a.name: a for a in (start, *others)})

    return {
        "helpdesk": team(service_desk, device_desk),
        "utility": team(billing),
        "enrol": team(advising, registrar),
        "pharmacy": team(counter),
        "gym": team(gym_desk),
    }


# ================================================================ 每一轮的通用检查：这五个领域的表

# 有副作用的工具 → 回答里说“已经办了”时用到的动词（中文词 / 英文词根）。说了某个动词，对应的工具就要运行过。
SIDE_EFFECTS: dict[str, dict[str, str]] = {
    "helpdesk": {
        "unlock_account": r"解锁|解除锁定|解除了锁定|解封|\bunlock",
        "reset_password": r"重置|重设|\breset",
        "open_hardware_ticket": r"报修|工单|\bticket|\breport|\braise",
        "book_loaner": r"预约|预订|预留|借用|借出|备用机|\bbook|\breserv|\bloaner",
    },
    "utility": {
        "submit_meter_reading": r"读数|抄表|录入|上报|\bsubmit|\brecord|\blog|\bentered|\bregister",
        "set_up_payment_plan": r"分期|还款计划|付款计划|\bset\s+up|\bpayment plan|\binstal|\bsplit",
    },
    "enrol": {
        "enrol": r"选上|选课|选好|选了|注册|加选|\benrol|\badd|\bregist|\bsign",
        "drop": r"退课|退选|退掉|\bdrop|\bwithdr|\bremov",
        "join_waitlist": r"候补|排队|\bwait|\bqueue",
    },
    "pharmacy": {
        "request_refill": r"续药|续方|续配|配药|备药|下单|预约|\brefill|\bprepar|\border|\bbook",
    },
    "gym": {
        "book_class": r"预约|预订|报名|约上|约好|\bbook|\breserv|\bsign|\bspot",
        "cancel_class": r"取消|\bcancel",
        "freeze_membership": r"冻结|暂停|停卡|\bfreez|\bfroz|\bpaus|\bhold",
    },
}
# 这五个领域里没有任何工具能做的事：说做了就是假话。
IMPOSSIBLE = (r"退款|退还|减免|免除|免掉|免去|报销|解冻|升级|安装|开通|配送|送药|"
              r"\bwaiv|\brefund|\bcredit|\breimburs|\bunfreez|\bupgrad|\binstall|\bdeliver")
RULES = TurnRules(
    side_effects=SIDE_EFFECTS,
    impossible=IMPOSSIBLE,
    date_args={"pickup_date", "read_on", "day", "start_date"},
    time_args=set(),
    free_text_args={"problem", "input"},  # 故障现象；转给药师的问题（本来就是一段话）
)


# ================================================================ 语料、运行、报告


HELD_OUT = HeldOut(CORPUS, "第二份留出对话（tests/mock_heldout2.txt）", build_teams, RULES,
                   MIN_ACCURACY, MIN_DIALOGUES, MIN_TURNS)


# ================================================================ 测试


def test_corpus_is_well_formed():
    HELD_OUT.check_well_formed()


def test_corpus_is_not_in_the_mock():
    HELD_OUT.check_not_in_mock()


def test_honesty_check_covers_these_domains():
    """“说到做到”检查认得这五个领域的说法：声称办了要有对应的工具运行过，做不到的事永远不能说做了。"""
    assert honesty_problem("helpdesk", "已为您重置密码，临时密码已发到尾号 6625 的手机。", {"unlock_account"}, RULES)
    assert not honesty_problem("helpdesk", "已为您重置密码，临时密码已发到尾号 6625 的手机。", {"reset_password"}, RULES)
    assert honesty_problem("utility", "I've set up a 3-month payment plan for you.", set(), RULES)
    assert honesty_problem("utility", "I have waived the late fee.", {"set_up_payment_plan"}, RULES)
    assert honesty_problem("enrol", "已为您退掉线性代数。", {"enrol"}, RULES)
    assert honesty_problem("gym", "Your membership is now frozen from 17 November.", {"book_class"}, RULES)
    assert not honesty_problem("gym", "I've booked you into Yoga at 19:45.", {"book_class"}, RULES)
    assert not honesty_problem("pharmacy", "已为您查到处方，还可以续 2 次。请问到哪家门店取？", set(), RULES)
    assert honesty_problem("pharmacy", "好的，已经为您办理好了。", set(), RULES)  # 不指明哪件事的“办好了”
    assert honesty_problem("gym", "我已为您解冻会员卡。", {"freeze_membership"}, RULES)


def test_dialogues(mock, mock_server, request):
    """跑完全部留出对话，逐轮比对；打印各领域准确率和每个失败的轮次。"""
    HELD_OUT.check_dialogues(mock_server, request)
