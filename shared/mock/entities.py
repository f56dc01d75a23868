"""实体表：**文中能认出的每一种东西（编号、日期、金额、城市……）在这里各定义一次**——怎么找（模式）、
找到后取什么值（归一化）。选工具（route.py）、读对话（state.py）、填参数（fill.py）、下判断（judge.py）、
写摘要（render.py）都用这一张表，不再各写一份正则。

    find("order_id", "订单 A1002 到哪了")  → (Found("order_id", "A1002", 3, 8),)
    values("city", "下周三从南京飞西安")     → ["南京", "西安"]

全部是确定性的规则；原样复制原文片段，不改写。结果按文字缓存（同一句话在一次决策里会被问很多遍）。
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from shared.mock import lexicon as lx


@dataclass(frozen=True)
class Found:
    kind: str
    value: str
    start: int
    end: int

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


# ---------------------------------------------------------------- 模式

ORDER_ID = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,3}-?\d{3,}|\d{5,})(?![A-Za-z0-9])")
# 标明是订单号的短数字：“订单号 1007”“单号：2031”“order #1007”（后面跟着元、件这类单位的是金额、数量，不算）
ORDER_LABELED = re.compile(
    r"(?:订单号|订单编号|单号|订单|order\s*(?:number|no\.?|#)|order)\s*[:：#]?\s*(\d{3,})(?![\d.:/-])"
    r"(?!\s*(?:元|块|件|个|张|台|份|%|dollars?|yuan|items?|pcs|usd|rmb))", re.I)
# 编号的边界只看 ASCII：“会员号M2024的积分”里 M2024 紧挨着汉字，也是一个完整的编号
IDENT = re.compile(r"(?<![A-Za-z0-9_@./-])(?!\d{1,2}(?:st|nd|rd|th)\b)((?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9_-]*|"
                   r"\d{5,})(?![A-Za-z0-9_@])")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
URL = re.compile(r"https?://[^\s<>\"'“”「」，。）)]+")
DATE = re.compile(
    r"\d{4}\s*[-/年]\s*\d{1,2}\s*[-/月]\s*\d{1,2}(?:\s*[日号])?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]|今天|明天|大后天|后天|昨天|前天|今晚|明晚|今早|明早|昨晚|"
    r"(?:下个?|这个?|本|上个?)?(?:周|星期|礼拜)[一二三四五六日天]|下个?月\d{1,2}[日号]|"
    r"\d{1,2}/\d{1,2}|\b(?:today|tomorrow|tonight|yesterday|this (?:morning|afternoon|evening)|last night)\b|\b(?:next|this|last) (?:mon|tues|wednes|thurs|fri|satur|sun)day\b|"
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|"
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?(?:,? \d{4})?|"
    r"\b\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?(?:,? \d{4})?",
    re.I,
)
# 一个月份（账单月、统计月）：“2025-10”“2025年10月”“上个月”“本月”“10 月”“十月”“last month”“October”
MONTH = re.compile(
    r"\d{4}\s*[-/年]\s*\d{1,2}(?!\s*[-/]\s*\d)(?:\s*月(?!\s*\d))?|(?:上个?|这个?|本|下个?|当)月(?![\d份]?\s*\d+\s*[日号])|"
    r"(?<![\d一二三四五六七八九十个])(?:\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?(?!\s*\d)|"
    r"\b(?:this|last|previous|next|current) month\b|"
    r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|"
    r"Nov(?:ember)?|Dec(?:ember)?)\b(?!\.?\s*\d{1,2}(?:st|nd|rd|th)?\b)(?:,?\s*\d{4})?",
    re.I,
)
CLOCK = re.compile(
    r"(?:(?:早上|上午|中午|下午|傍晚|晚上|凌晨|夜里)\s*)?(?:\d{1,2}|[一两二三四五六七八九十]{1,3})\s*(?:点|时)(?:半|\s*\d{1,2}\s*分)?|"
    r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b|\b(?:noon|midnight)\b",
    re.I,
)
PART_OF_DAY = re.compile(r"\s*(?:早上|上午|中午|下午|傍晚|晚上|凌晨|夜里|morning|afternoon|evening|night)?\s*"
                         r"(?:at\s+)?", re.I)
MONEY = re.compile(
    r"(?:[" + lx.CURRENCY_BEFORE + r"]\s*)(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s*(?:"
    + "|".join(re.escape(c) for c in sorted(lx.CURRENCY_AFTER, key=len, reverse=True)) + r")(?![A-Za-z])")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# 卡号、账号的后四位：“ending in 7730”“尾号 7730”“末四位是7730”“last four digits 7730”
LAST4 = re.compile(r"(?:ending (?:in|with)|ends (?:in|with)|last (?:4|four)(?: digits)?(?: (?:are|is|of))?|"
                   r"尾号(?:是|为)?|末四位(?:是|为)?|后四位(?:是|为)?)\s*[:：#]?\s*(\d{4})(?!\d)", re.I)
QUOTED = re.compile(r"(?<![\w])'([^'\n]+?)'(?![\w])|\"([^\"\n]+?)\"|“([^”\n]+?)”|「([^」\n]+?)」|『([^』\n]+?)』|"
                    r"‘([^’\n]+?)’|《([^》\n]+?)》")
_NUM = (r"\d+(?:\.\d+)?|[零〇一两二三四五六七八九十百千]{1,5}|"
        + "|".join(sorted(lx.EN_NUMBERS, key=len, reverse=True)))
_UNIT_OF = {w: kind for kind, unit in lx.UNITS.items() for w in unit.words.split()}
QUANTITY = re.compile(r"(?<![\d.A-Za-z])(" + _NUM + r")\s*(?:(?:more|extra|additional|further)\s+|多)?(" + "|".join(
    re.escape(u) + (r"\b" if u.isascii() and u[-1].isalpha() else "")
    for u in sorted(_UNIT_OF, key=len, reverse=True)) + ")", re.I)
_CITY = re.compile("|".join(sorted(lx.CITIES, key=len, reverse=True)))
_CITY_EN = re.compile(r"\b(" + "|".join(re.escape(c) for c in sorted(lx.CITIES_EN, key=len, reverse=True)) + r")\b",
                      re.I)
_COUNTRY = re.compile("|".join(sorted(lx.COUNTRIES, key=len, reverse=True)))
_COUNTRY_EN = re.compile(r"\b(" + "|".join(re.escape(c) for c in sorted(lx.COUNTRIES_EN, key=len, reverse=True))
                         + r")\b", re.I)


# ---------------------------------------------------------------- 数字


def cn_number(value: str) -> int | None:
    """十二 → 12，二十 → 20，两 → 2，一百零五 → 105，三千 → 3000；不是中文数字返回 None。"""
    if not value or any(c not in lx.CN_DIGITS and c not in lx.CN_MAGNITUDES for c in value):
        return None
    total, current = 0, 0
    for c in value:
        if c in lx.CN_MAGNITUDES:
            total += (current or 1) * lx.CN_MAGNITUDES[c]
            current = 0
        else:
            current = current * 10 + lx.CN_DIGITS[c]
    return total + current


def as_number(raw: str) -> float | None:
    """“3”“3.5”“三”“two” → 数；认不出返回 None。"""
    raw = raw.strip().lower()
    try:
        return float(raw)
    except ValueError:
        pass
    if raw in lx.EN_NUMBERS:
        return float(lx.EN_NUMBERS[raw])
    n = cn_number(raw)
    return float(n) if n is not None else None


_TODAY_IS = re.compile(lx.TODAY_IS, re.I)


def today_in(instructions: str) -> date:
    """指令里写明的今天（“Today is 2025-06-02”）；没写就是真实的今天。"""
    m = _TODAY_IS.search(instructions or "")
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    return date.today()


_ZONES = tuple((re.compile(pattern, re.I), hours, zh, en) for pattern, hours, zh, en in lx.TIME_ZONES)
_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})")


def zone_in(instructions: str) -> tuple[int, str, str] | None:
    """指令里写明的时区：(相对 UTC 的小时数, 中文称呼, 英文称呼)；没写返回 None。"""
    for pattern, hours, zh, en in _ZONES:
        if pattern.search(instructions or ""):
            return hours, zh, en
    return None


def readable_time(value: str, zone: tuple[int, str, str] | None, english: bool) -> str | None:
    """带时区的 ISO 时间（2026-12-08T09:46:00+00:00）→ 念给人听的“2026-12-08 17:46（北京时间）”：
    指令写明了时区就换算过去，没写就照原来的时区说清楚是哪个时区。不是这种时间返回 None。"""
    m = _STAMP.fullmatch(value.strip())
    if not m:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    offset = moment.utcoffset() or timedelta(0)
    if zone is not None:
        moment = moment.astimezone(timezone(timedelta(hours=zone[0])))
        name = zone[2] if english else zone[1]
    else:
        hours = offset.total_seconds() / 3600
        name = "UTC" if hours == 0 else f"UTC{hours:+g}"
    shown = moment.strftime("%Y-%m-%d %H:%M")
    return f"{shown} ({name})" if english else f"{shown}（{name}）"


_PM_WORDS = re.compile(r"下午|傍晚|晚上|夜里|今晚|明晚|(?<![a-z])pm\b|p\.m\.|\bevening\b|\btonight\b|\bnight\b|dinner|晚饭|晚餐", re.I)
_NOON_WORDS = re.compile(r"中午|\bnoon\b|lunch|午饭|午餐", re.I)
_CLOCK_PARTS = re.compile(r"(\d{1,2}|[一两二三四五六七八九十]{1,3})\s*(?:(?:点|时)\s*(半|\d{1,2}\s*分?)?|:(\d{2}))?", re.I)


def to_clock(value: str, context: str = "") -> str | None:
    """一个钟点说法 → HH:MM（24 小时制）：“7点”在说“晚上”的对话里是 19:00，“晚上六点半” → 18:30，
    “7pm” → 19:00，“中午12点” → 12:00，“noon” → 12:00。认不出返回 None。"""
    low = value.lower()
    if re.search(r"\bnoon\b", low):
        return "12:00"
    if re.search(r"\bmidnight\b", low):
        return "00:00"
    clock = CLOCK.search(value)
    m = _CLOCK_PARTS.search(clock.group(0) if clock else value)
    if not m:
        return None
    hour = int(m.group(1)) if m.group(1).isdigit() else cn_number(m.group(1))
    if hour is None or hour > 24:
        return None
    minute = 30 if m.group(2) == "半" else int(re.sub(r"\D", "", m.group(2) or m.group(3) or "0") or 0)
    said = value if (_PM_WORDS.search(value) or _NOON_WORDS.search(value) or re.search(r"(?<![a-z])am\b|a\.m\.|上午|早上|凌晨", low)) \
        else f"{value} {context}"
    if hour < 12 and (_PM_WORDS.search(said) or _NOON_WORDS.search(said) and hour <= 5):
        hour += 12
    if minute > 59:
        return None
    return f"{hour % 24:02d}:{minute:02d}"


def to_iso(expression: str, today: date) -> str | None:
    """一个日期说法 → YYYY-MM-DD：明天、后天、下周三、Friday、6 月 3 号、July 4、2025/7/1。认不出返回 None。"""
    raw = re.sub(r"\s+", " ", expression.strip().lower())
    compact = raw.replace(" ", "")
    if compact in lx.RELATIVE_DAYS:
        return (today + timedelta(days=lx.RELATIVE_DAYS[compact])).isoformat()
    m = re.fullmatch(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})[日号]?", compact)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.fullmatch(r"(?:下个?月)(\d{1,2})[日号]", compact)
    if m:
        month = today.month % 12 + 1
        return _iso(today.year + (today.month == 12), month, int(m.group(1)))
    m = re.fullmatch(r"(\d{1,2})月(\d{1,2})[日号]|(\d{1,2})/(\d{1,2})", compact)
    if m:
        month, day = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return _iso(today.year, int(month), int(day))
    m = re.fullmatch(r"(下个?|这个?|本|上个?|next|this|last)?\s*(?:周|星期|礼拜)?([一二三四五六日天])|"
                     r"(next |this |last )?(mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)(?:day|nesday|sday|urday)?", raw)
    if m:
        if m.group(2):
            which, weekday = m.group(1) or "", lx.WEEKDAYS[m.group(2)]
        else:
            which, weekday = (m.group(3) or "").strip(), lx.WEEKDAYS[m.group(4)]
        ahead = (weekday - today.weekday()) % 7
        if not which and ahead == 0:  # 只说“周三 / Wednesday”而今天就是周三：说的是下一个周三
            ahead = 7
        if which.startswith(("下", "next")):
            ahead = 7 - today.weekday() + weekday
        elif which.startswith("上"):  # 上周六：上一周的那一天
            ahead = weekday - today.weekday() - 7
        elif which == "last":  # last Friday：最近过去的那个
            ahead = -((today.weekday() - weekday) % 7 or 7)
        return (today + timedelta(days=ahead)).isoformat()
    m = re.fullmatch(r"([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?|(\d{1,2})(?:st|nd|rd|th)? (?:of )?([a-z]+)\.?"
                     r"(?:,? (\d{4}))?", raw)
    if m:
        name, day, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(4), m.group(6))
        month = lx.MONTHS.get(name[:3] if name[:4] != "sept" else "sep")
        if month:
            return _iso(int(year) if year else today.year, month, int(day))
    return None


def to_month(expression: str, today: date) -> str | None:
    """一个月份说法 → YYYY-MM：本月、上个月、2025-10、10 月、十月、October、last month。只说了月份时取
    今天以前最近的那个月（账单、读数都是过去的事），说“下个月”才往后。认不出返回 None。"""
    raw = re.sub(r"\s+", " ", expression.strip().lower())
    compact = raw.replace(" ", "")
    shift = next((n for words, n in ((("上个月", "上月", "last month", "previous month"), -1),
                                     (("本月", "这个月", "这月", "当月", "this month", "current month"), 0),
                                     (("下个月", "下月", "next month"), 1)) if compact in {w.replace(" ", "") for w in words}),
                 None)
    if shift is not None:
        month = today.month - 1 + shift
        return f"{today.year + month // 12:04d}-{month % 12 + 1:02d}"
    m = re.fullmatch(r"(\d{4})[-/年](\d{1,2})月?", compact)
    if m:
        return f"{m.group(1)}-{int(m.group(2)):02d}" if 1 <= int(m.group(2)) <= 12 else None
    m = re.fullmatch(r"(\d{1,2}|[一二三四五六七八九十]{1,2})月份?", compact)
    name = re.fullmatch(r"([a-z]+)(?:,? ?(\d{4}))?", compact)
    if m:
        number, year = (int(m.group(1)) if m.group(1).isdigit() else cn_number(m.group(1))), None
    elif name and lx.MONTHS.get(name.group(1)[:3]):
        number, year = lx.MONTHS[name.group(1)[:3]], name.group(2)
    else:
        return None
    if not number or not 1 <= number <= 12:
        return None
    if year is None:
        year = today.year if number <= today.month else today.year - 1
    return f"{int(year):04d}-{number:02d}"


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def plain(value: float) -> str:
    """3.0 → "3"，2.5 → "2.5"。"""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# ---------------------------------------------------------------- 每一种实体怎么找


def _regex(kind: str, pattern: re.Pattern, group: int = 0,
           keep: Callable[[str], bool] = lambda v: True) -> Callable[[str], list[Found]]:
    def finder(text: str) -> list[Found]:
        out = []
        for m in pattern.finditer(text):
            value = m.group(group) if group else m.group(0)
            if value is not None and keep(value):
                out.append(Found(kind, value, m.start(group), m.end(group)))
        return out
    return finder


def _order_ids(text: str) -> list[Found]:
    """订单号：A1001、BK20391、123456（手机号不算），以及标明是订单号的数字（“订单号 1007”“order #1007”）。"""
    found = [Found("order_id", m.group(1), m.start(1), m.end(1)) for m in ORDER_ID.finditer(text)
             if not PHONE.fullmatch(m.group(1))]
    found += [Found("order_id", m.group(1), m.start(1), m.end(1)) for m in ORDER_LABELED.finditer(text)]
    return sorted(found, key=lambda f: f.start)


def _times(text: str) -> list[Found]:
    """时间点，连同前面紧挨着的日期：“周六晚上 7 点”“明天下午3点半”“Dec 3 at 7pm”；没有钟点就是日期。"""
    found = []
    date_spans = [(f.start, f.end) for f in find("date", text)]
    for m in CLOCK.finditer(text):
        start = m.start()
        for a, b in date_spans:
            if b <= start and PART_OF_DAY.fullmatch(text[b:start]):
                start = a
        found.append(Found("time", text[start:m.end()].strip(), start, m.end()))
    return found or [Found("time", f.value, f.start, f.end) for f in find("date", text)]


def _months(text: str) -> list[Found]:
    """月份；英文 may 只有前面是 in / for / of 这类介词时才是五月（“may I ask”不是）。"""
    return [Found("month", m.group(0), m.start(), m.end()) for m in MONTH.finditer(text)
            if not m.group(0).lower().startswith("may") or m.group(0)[:1] == "M" and m.start() > 0
            and re.search(r"\b(?:in|for|of|since|from|until|through)\s+$", text[:m.start()], re.I)]


MONEY_ZH = re.compile(r"([零〇一两二三四五六七八九十百千万]{1,6})\s*(?:块钱|块|元)")


def _money(text: str) -> list[Found]:
    found = [Found("money", plain(float((m.group(1) or m.group(2)).replace(",", ""))), m.start(), m.end())
             for m in MONEY.finditer(text)]
    for m in MONEY_ZH.finditer(text):  # “一百块”“两千元”
        n = cn_number(m.group(1).replace("万", "")) if "万" not in m.group(1) else None
        if n and not any(f.start <= m.start() < f.end for f in found):
            found.append(Found("money", plain(float(n)), m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


def _places(kind: str, zh: re.Pattern, en: re.Pattern, names: dict[str, str]) -> Callable[[str], list[Found]]:
    def finder(text: str) -> list[Found]:
        found = [Found(kind, m.group(0), m.start(), m.end()) for m in zh.finditer(text)]
        found += [Found(kind, names[m.group(1).lower()], m.start(), m.end()) for m in en.finditer(text)]
        return sorted(found, key=lambda f: f.start)
    return finder


PARTY = re.compile(r"\b(?:table|booking|reservation|party|room)\s+(?:for|of)\s+(" + _NUM + r")\b(?!\s*(?:[ap]\.?m\b|:|o'clock))",
                   re.I)


def _counted(text: str) -> list[Found]:
    """带量词 / 单位的数：值是 “数|种类”（“住两晚” → "2|night"，“24度” → "24|degree"，“a table for 3” → "3|person"）。
    日期、编号、钟点里的数字不算（“12月20号”的 12 不是晚数）。"""
    taken = taken_spans(text)
    found = [Found("quantity", f"{plain(n)}|person", m.start(1), m.end(1)) for m in PARTY.finditer(text)
             if (n := as_number(m.group(1))) is not None and not any(a <= m.start(1) < b for a, b in taken)]
    for m in QUANTITY.finditer(text):
        if any(a <= m.start() < b for a, b in taken) or any(f.start <= m.start() < f.end for f in found):
            continue
        n = as_number(m.group(1))
        if n is not None:
            unit = m.group(2)
            kind = _UNIT_OF.get(unit.lower(), _UNIT_OF.get(unit, "item"))
            found.append(Found("quantity", f"{plain(n)}|{kind}", m.start(), m.end()))
    return found


def _numbers(text: str) -> list[Found]:
    """文中的数，不含编号、日期、钟点、电话里的数字（A1001 里的 1001 不是数量，也不是金额）。"""
    taken = taken_spans(text)
    return [Found("number", m.group(0), m.start(), m.end()) for m in NUMBER.finditer(text)
            if not any(a <= m.start() < b for a, b in taken)]


def _quoted(text: str) -> list[Found]:
    out = []
    for m in QUOTED.finditer(text):
        index = next(i for i, g in enumerate(m.groups(), 1) if g is not None)
        out.append(Found("quoted", m.group(index), m.start(index), m.end(index)))
    return out


# 街道地址：中文要有区 / 县 / 路 / 街 / 号 / 小区这类落到地面的词；英文是门牌号 + 街名
ADDRESS_ZH = re.compile(
    r"(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?(?:[\u4e00-\u9fff]{2,7}?(?:市|州))?(?:[\u4e00-\u9fff]{1,6}?(?:区|县|镇|乡))?"
    r"(?:[\u4e00-\u9fff\d]{1,10}?(?:路|街|大道|巷|弄|胡同|道)\s*(?:\d+\s*(?:号|弄|栋|幢)?)?)?"
    r"(?:\s*[\u4e00-\u9fff\d]{1,10}?(?:小区|大厦|花园|公寓|苑|村|广场|园区))?(?:\s*\d+\s*(?:号楼|栋|幢|单元|室|层|号|弄))*")
ADDRESS_EN = re.compile(r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|"
                        r"Boulevard|Blvd|Way|Court|Ct|Place|Pl)\b\.?")
_GROUNDED = re.compile(r"区|县|镇|路|街|大道|巷|弄|胡同|号|小区|大厦|花园|公寓|苑|村|栋|幢|单元|室")


def _addresses(text: str) -> list[Found]:
    found = [Found("address", m.group(0).strip(), m.start(), m.end()) for m in ADDRESS_EN.finditer(text)]
    for m in ADDRESS_ZH.finditer(text):
        value = re.sub(r"^(?:我家在|我家住|我住在|我在|家在|家住|住在|在|位于|地址是|地址|是)", "", m.group(0).strip())
        if len(value) >= 3 and _GROUNDED.search(value):
            found.append(Found("address", value, m.end() - len(value), m.end()))
    return found


# 实体表：种类 → 怎么找。顺序无关；每一种只在这里定义一次。
TABLE: dict[str, Callable[[str], list[Found]]] = {
    "order_id": _order_ids,
    "ident": _regex("ident", IDENT, 1, keep=lambda v: not PHONE.fullmatch(v)),
    "phone": _regex("phone", PHONE),
    "email": _regex("email", EMAIL),
    "url": _regex("url", URL),
    "date": _regex("date", DATE),
    "month": _months,
    "time": _times,
    "money": _money,
    "quantity": _counted,
    "number": _numbers,
    "last4": _regex("last4", LAST4, 1),
    "quoted": _quoted,
    "address": _addresses,
    "city": _places("city", _CITY, _CITY_EN, lx.CITIES_EN),
    "country": _places("country", _COUNTRY, _COUNTRY_EN, lx.COUNTRIES_EN),
}
# 这些实体占着的地方，里面的数字不是数量也不是金额
SPAN_KINDS = ("ident", "order_id", "date", "time", "phone", "email", "url", "last4")


@lru_cache(maxsize=16384)
def find(kind: str, text: str) -> tuple[Found, ...]:
    return tuple(TABLE[kind](text)) if text else ()


def values(kind: str, text: str) -> list[str]:
    """这一种实体在文中的值，去重、按出现的先后。"""
    return list(dict.fromkeys(f.value for f in find(kind, text)))


def first(kind: str, text: str) -> str | None:
    found = find(kind, text)
    return found[0].value if found else None


@lru_cache(maxsize=8192)
def taken_spans(text: str) -> tuple[tuple[int, int], ...]:
    """编号、订单号、日期、钟点、电话、邮箱、网址占用的位置：这些地方的数字不是数量也不是金额。"""
    spans = []
    for pattern in (IDENT, ORDER_ID, ORDER_LABELED, DATE, CLOCK, PHONE, EMAIL, URL, LAST4):
        spans += [m.span() for m in pattern.finditer(text)]
    return tuple(spans)


def money(text: str) -> list[float]:
    return [float(f.value) for f in find("money", text)]


def numbers(text: str) -> list[float]:
    return [float(f.value) for f in find("number", text)]


def counted(text: str) -> list[tuple[float, str, tuple[int, int]]]:
    """[(数, 数的是什么, 位置)]：“住两晚” → (2, night)；“4 位” → (4, person)；“24度” → (24, degree)。"""
    out = []
    for f in find("quantity", text):
        n, kind = f.value.split("|")
        out.append((float(n), kind, f.span))
    return out


def mask(text: str, spans) -> str:
    """把这些位置换成空格（位置不变），剩下的数字才是“自由”的数。"""
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def slots(text: str) -> frozenset[str]:
    """这句话里有哪几种能填参数的实体（选工具时只用来打破平局）。"""
    return frozenset(kind for kind in ("order_id", "city", "country", "last4", "email")
                     if find(kind, text))
