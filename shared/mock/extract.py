"""模拟模型的“抽取”部分：从用户原话里抽出实体，按 JSON Schema 生成参数和结构化输出。

全部是确定性的规则：同样的输入永远得到同样的输出。这里不认识任何一节课的措辞，只认识通用的东西：
城市名、订单号和各种编号、邮箱、网址、引号里的原文、金额、日期、数量……中英文都认。
抽取时原样复制原文片段（引号里的句号也是内容的一部分），不改写。
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any

from shared.mock import judge, options, text

CJK = text.CJK

CITIES = (
    "北京 上海 广州 深圳 武汉 杭州 南京 成都 重庆 天津 西安 苏州 长沙 郑州 青岛 厦门 "
    "沈阳 大连 哈尔滨 长春 济南 合肥 福州 南昌 昆明 贵阳 南宁 海口 三亚 兰州 西宁 银川 "
    "呼和浩特 乌鲁木齐 拉萨 石家庄 太原 宁波 无锡 佛山 东莞 珠海 温州 桂林 丽江 香港 澳门 台北 "
    "东京 大阪 首尔 纽约 伦敦 巴黎 柏林 悉尼 新加坡 曼谷 洛杉矶 旧金山 莫斯科 迪拜"
).split()
CITIES_EN = {
    "beijing": "Beijing", "shanghai": "Shanghai", "wuhan": "Wuhan", "shenzhen": "Shenzhen",
    "guangzhou": "Guangzhou", "hangzhou": "Hangzhou", "chengdu": "Chengdu", "hong kong": "Hong Kong",
    "tokyo": "Tokyo", "osaka": "Osaka", "london": "London", "paris": "Paris", "new york": "New York",
    "berlin": "Berlin", "sydney": "Sydney", "singapore": "Singapore", "seoul": "Seoul",
    "san francisco": "San Francisco", "los angeles": "Los Angeles", "chicago": "Chicago", "seattle": "Seattle",
    "boston": "Boston", "toronto": "Toronto", "madrid": "Madrid", "rome": "Rome", "dubai": "Dubai",
}
_CITY_RE = re.compile("|".join(sorted(CITIES, key=len, reverse=True)))
_CITY_EN_RE = re.compile(r"\b(" + "|".join(CITIES_EN) + r")\b", re.I)

ORDER_ID = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,3}-?\d{3,}|\d{5,})(?![A-Za-z0-9])")
# 编号的边界只看 ASCII：“会员号M2024的积分”里 M2024 紧挨着汉字，也是一个完整的编号。
IDENT = re.compile(r"(?<![A-Za-z0-9_@./-])((?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9_-]*|\d{5,})"
                   r"(?![A-Za-z0-9_@])")
# 标明是订单号的短数字：“订单号 1007”“单号：2031”“order #1007”（后面跟着元、件这类单位的是金额、数量，不算）。
ORDER_LABELED = re.compile(
    r"(?:订单号|订单编号|单号|订单|order\s*(?:number|no\.?|#)|order)\s*[:：#]?\s*(\d{3,})(?![\d.:/-])"
    r"(?!\s*(?:元|块|件|个|张|台|份|%|dollars?|yuan|items?|pcs|usd|rmb))", re.I)
DATE = re.compile(
    r"\d{4}[-/年]\d{1,2}[-/月]\d{1,2}[日号]?|\d{1,2}月\d{1,2}[日号]|今天|明天|后天|昨天|"
    r"下?周[一二三四五六日天]|\d{1,2}/\d{1,2}|\b(?:today|tomorrow|yesterday)\b|"
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?(?:, \d{4})?",
    re.I,
)
MONEY = re.compile(
    r"(?:[¥￥$€£]\s*)(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s*(?:元|块钱|块|美元|rmb|RMB|yuan|dollars?|usd|USD|eur)"
)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
CLOCK = re.compile(
    r"(?:(?:早上|上午|中午|下午|傍晚|晚上|凌晨|夜里)\s*)?(?:\d{1,2}|[一两二三四五六七八九十]{1,3})\s*(?:点|时)(?:半|\s*\d{1,2}\s*分)?|"
    r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b|\b(?:noon|midnight)\b",
    re.I,
)
PART_OF_DAY = re.compile(r"\s*(?:早上|上午|中午|下午|傍晚|晚上|凌晨|夜里|morning|afternoon|evening|night)?\s*"
                         r"(?:at\s+)?", re.I)
CN_DIGITS = {"零": 0, "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
EN_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
              "ten": 10, "a couple of": 2, "a pair of": 2}
# 量词 → 数的是什么。参数名说明它要哪一种（nights 要“晚”，people 要“人 / 位”），见 QUANTITY_PARAMS。
UNITS: dict[str, str] = {
    "night": "晚 夜 宿 nights night", "day": "天 日 days day", "hour": "个小时 小时 hours hour hrs",
    "minute": "分钟 minutes minute mins", "room": "间 rooms room",
    "person": "个人 人 位 名 people persons person guests guest adults adult pax passengers passenger",
    "ticket": "张 tickets ticket",
    "item": "件 个 台 份 瓶 盒 双 本 支 只 条 箱 部 items item pcs pieces units unit",
}
_UNIT_OF = {u: kind for kind, units in UNITS.items() for u in units.split()}
_NUM = r"\d+|[零一两二三四五六七八九十百]{1,4}|" + "|".join(sorted(EN_NUMBERS, key=len, reverse=True))
QUANTITY = re.compile(r"(?<![\d.])(" + _NUM + r")\s*(" + "|".join(
    re.escape(u) + (r"\b" if u.isascii() else "") for u in sorted(_UNIT_OF, key=len, reverse=True)) + ")", re.I)
QUANTITY_PARAMS: dict[str, tuple[str, ...]] = {
    "nights": ("night",), "night": ("night",), "days": ("day",), "day": ("day",), "duration": ("day", "night", "hour"),
    "hours": ("hour",), "minutes": ("minute",), "people": ("person",), "persons": ("person",),
    "guests": ("person",), "adults": ("person",), "children": ("person",), "kids": ("person",),
    "pax": ("person",), "headcount": ("person",), "party": ("person",), "passengers": ("person", "ticket"),
    "tickets": ("ticket", "person"), "rooms": ("room",), "quantity": ("item",), "qty": ("item",),
    "count": ("item",), "items": ("item",), "copies": ("item",), "units": ("item",),
}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"https?://[^\s<>\"'“”「」，。）)]+")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
QUOTED = re.compile(r"(?<![\w])'([^'\n]+?)'(?![\w])|\"([^\"\n]+?)\"|“([^”\n]+?)”|「([^」\n]+?)」|『([^』\n]+?)』|‘([^’\n]+?)’|《([^》\n]+?)》")
FILLER = re.compile(
    r"^(请问|请|帮我|麻烦|能不能|可以|我想|我要|想|给我)+|"
    r"(查一下|查询一下|查询|查查|搜一下|搜索|找一下|看看|看一下|有没有|一下|吗|呢|吧|呀|啊|？|\?|。|！|!)"
)
EN_FILLER = re.compile(r"^(please\s+|can you\s+|could you\s+|i want to\s+|i'd like to\s+|tell me\s+|"
                       r"search( the web)? for\s+|look up\s+|find\s+|do you (?:have|sell|carry|stock)\s+|"
                       r"(?:are|is) there (?:any\s+)?|have you got\s+|i'?m looking for\s+|i need\s+|i want\s+|"
                       r"show me\s+|any\s+|some\s+|buy\s+|get\s+(?:me\s+)?)+", re.I)
EN_TAIL = re.compile(r"\s+(?:in stock|available|for sale|please|now|today)$", re.I)


# ---------------------------------------------------------------- 实体


def cities(value: str) -> list[str]:
    found = [m.group(0) for m in _CITY_RE.finditer(value)]
    found += [CITIES_EN[m.group(1).lower()] for m in _CITY_EN_RE.finditer(value)]
    return list(dict.fromkeys(found))


def order_ids(value: str) -> list[str]:
    """订单号：A1001、BK20391、123456（手机号不算），以及标明是订单号的数字（“订单号 1007”“order #1007”）。"""
    found = [(m.start(1), m.group(1)) for m in ORDER_ID.finditer(value) if not PHONE.fullmatch(m.group(1))]
    found += [(m.start(1), m.group(1)) for m in ORDER_LABELED.finditer(value)]
    return list(dict.fromkeys(v for _, v in sorted(found)))


def idents(value: str) -> list[str]:
    """各种编号：A1001、user456、LL0EZ6、12A、123456（手机号不算）。"""
    return list(dict.fromkeys(m.group(1) for m in IDENT.finditer(value) if not PHONE.fullmatch(m.group(1))))


def dates(value: str) -> list[str]:
    return [m.group(0) for m in DATE.finditer(value)]


def times(value: str) -> list[str]:
    """时间点，连同前面紧挨着的日期：“周六晚上 7 点”“明天下午3点半”“Dec 3 at 7pm”；没有钟点就是日期。"""
    found = []
    date_spans = [m.span() for m in DATE.finditer(value)]
    for m in CLOCK.finditer(value):
        start = m.start()
        for a, b in date_spans:
            gap = value[b:start]
            if b <= start and PART_OF_DAY.fullmatch(gap):
                start = a
        found.append(value[start:m.end()].strip())
    return found or dates(value)


def money(value: str) -> list[float]:
    return [float((a or b).replace(",", "")) for a, b in MONEY.findall(value)]


def cn_number(value: str) -> int | None:
    """十二 → 12，二十 → 20，两 → 2，一百零五 → 105；不是中文数字返回 None。"""
    if not value or any(c not in CN_DIGITS and c not in "十百" for c in value):
        return None
    total, current = 0, 0
    for c in value:
        if c == "百":
            total += (current or 1) * 100
            current = 0
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = current * 10 + CN_DIGITS[c]
    return total + current


def _as_number(raw: str) -> int | None:
    raw = raw.lower()
    if raw.isdigit():
        return int(raw)
    return EN_NUMBERS.get(raw, cn_number(raw))


def _taken_spans(value: str) -> list[tuple[int, int]]:
    """编号、订单号、日期、钟点、电话、邮箱、网址占用的位置：这些地方的数字不是数量也不是金额。"""
    spans = []
    for pattern in (IDENT, ORDER_ID, ORDER_LABELED, DATE, CLOCK, PHONE, EMAIL, URL):
        spans += [m.span() for m in pattern.finditer(value)]
    return spans


def counted(value: str) -> list[tuple[int, str, tuple[int, int]]]:
    """带量词的数：[(数, 数的是什么, 位置)]。“住两晚” → (2, night)；“4 位” → (4, person)；“3 days” → (3, day)。
    日期、编号里的数字不算（“12月20号”的 12 不是晚数）。"""
    taken = _taken_spans(value)
    found = []
    for m in QUANTITY.finditer(value):
        if any(a <= m.start() < b for a, b in taken):
            continue
        n = _as_number(m.group(1))
        if n is not None:
            found.append((n, _UNIT_OF.get(m.group(2).lower(), _UNIT_OF.get(m.group(2), "item")), m.span()))
    return found


def quantities(value: str) -> list[int]:
    return [n for n, _, _ in counted(value)]


def numbers(value: str) -> list[float]:
    """文中的数，不含编号、日期、钟点、电话里的数字（A1001 里的 1001 不是数量，也不是金额）。"""
    taken = _taken_spans(value)
    return [float(m.group(0)) for m in NUMBER.finditer(value)
            if not any(a <= m.start() < b for a, b in taken)]


def quoted(value: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in QUOTED.finditer(value)]


def keyword(value: str) -> str:
    """去掉“帮我查一下……吗”之类的口头语，留下要找的东西（网页搜索词、一般的关键词参数）。"""
    if text.is_english(value):
        core = EN_TAIL.sub("", EN_FILLER.sub("", value.strip()).strip(" ?!.")).strip(" ?!.")
        return core or value.strip()
    core = FILLER.sub("", value).strip(" ，,。.？?！!")
    core = re.sub(r"^(的|有)", "", core)
    return core or value.strip()


def product_phrase(value: str) -> str:
    """商品关键词：句子里最后一个名词短语（“有卖台灯吗” → 台灯），找不到就退回 keyword()。"""
    if text.is_english(value):
        return keyword(value)
    phrases = text.nouns(value)
    phrases = [p for p in phrases if not ORDER_ID.fullmatch(p)]
    return phrases[-1] if phrases else keyword(value)


CONTACT = re.compile(r"邮箱|电话|手机|联系方式|微信|e-?mail|phone|contact|reach me", re.I)
PLEASANTRY = re.compile(r"^(?:你好|您好|请问|请|麻烦(?:你|您)?|谢谢|多谢|感谢|帮帮我|帮我一下|帮帮忙|救命|"
                        r"(?:hi|hello|hey|please|thanks|thank you|help(?: me)?|pls)\b)\W*", re.I)
ASKS_FOR_ACTION = re.compile(
    r"^(?:帮(?:我|忙)?|请|麻烦(?:你|您)?|给我|我要|我想)?\s*(?:提交|开|建|创建|报|登记|处理|反馈|记录|提)(?:个|一下|一个)?\s*"
    r"(?:售后)?(?:工单|问题|一下)?$|^(?:please\s+)?(?:open|create|file|submit|raise|log)\s+(?:a\s+|an\s+)?"
    r"(?:support\s+)?(?:ticket|case|complaint|issue)(?:\s+for me)?$|"
    r"^(?:帮我|请|麻烦(?:你|您)?)?\s*(?:尽快|赶紧|快点)?(?:处理|解决|看看|弄)(?:一下)?$|"
    r"^(?:please\s+)?(?:fix|sort out|resolve|handle|look into|check)\s+(?:it|this|that)(?:\s+for me)?$", re.I)
HURRY = re.compile(r"紧急|加急|马上|立刻|尽快|赶紧|\b(?:urgent(?:ly)?|asap|immediately|right now|right away)\b", re.I)
EN_ASKS = re.compile(r"^(?:can|could|would) you (?:please )?(?:tell me|let me know|check|confirm)\s+(?=if\b|whether\b|"
                     r"when\b|where\b|how\b|what\b|which\b|why\b)", re.I)
ASKING = re.compile(r"^(?:请问|问一下|想问|咨询)|[吗呢？?]\s*$")
RUSHED = re.compile(r"^(?:很|非常|太|特别|比较|有点|挺)?(?:急|着急)(?:了|啊|呀|的)?$|\b(?:asap|right now|quickly)\b",
                    re.I)


def _polite(clause: str) -> str:
    """去掉句首的客套话（可能连着好几个：“你好，麻烦帮我……”“please help”）。"""
    before = None
    while before != clause:
        before, clause = clause, PLEASANTRY.sub("", clause).strip(" ,.!")
    return clause


EN_THIRD = {"am": "is", "'m": "is", "have": "has", "do": "does", "don't": "doesn't", "haven't": "hasn't"}
EN_KEEP = {"can", "can't", "cannot", "could", "couldn't", "will", "won't", "would", "was", "wasn't", "did", "didn't",
           "should", "must", "might", "may", "just", "also", "still", "already", "never", "really", "got", "paid",
           "bought", "had", "lost", "forgot", "sent", "made", "put", "left", "keep", "think"}


def summarize(message: str, english: bool, limit: int = 48, keep_contact: bool = False) -> str:
    """一句话概括用户的消息（工单摘要、标题）：去掉联系方式、催促和客套的分句，去掉句首的“我的”，
    订单号提到前面，催促写成“用户要求尽快处理”。“订单 A1005 买的手机屏幕碎了，很急！我的邮箱 …”
    → “订单 A1005：手机屏幕碎了，用户要求尽快处理”。

    keep_contact：没有别的字段装联系方式时（工单只有“问题描述”），电话、邮箱留在末尾，
    人工客服才知道怎么回复：“……，联系方式 138…”。"""
    first = message.strip()
    urgent = bool(HURRY.search(first)) or any(
        RUSHED.search(c.strip(" .")) for c in re.split(r"[，,。!！?？；;\n]+", first))
    ids = order_ids(first)
    contacts = [m.group(0) for m in (*PHONE.finditer(first), *EMAIL.finditer(first))] if keep_contact else []
    kept = []
    for clause in re.split(r"[，,。!！?？；;\n]+|\.(?:\s|$)", first):
        clause = clause.strip(" .")
        if not clause or EMAIL.search(clause) or PHONE.search(clause) or (
                CONTACT.search(clause) and re.search(r"\d{7,}|@", clause)):
            continue  # 联系方式不进摘要
        rest = _polite(HURRY.sub("", clause))
        rest = RUSHED.sub("", rest).strip(" ,.!")
        if len(re.sub(r"\W", "", rest)) < 2 or ASKS_FOR_ACTION.search(rest):
            continue  # 整个分句只是催促、客套，或者是请我们去办（“帮我提交工单”）
        kept.append(_polite(HURRY.sub("", clause)).strip(" ,，"))
    if not kept:
        return judge.short(first, limit)
    core = ("; " if english and not text.CJK.search("".join(kept)) else "，").join(kept)
    for found in ids:  # 订单号提到前面：“订单 A1005：……”
        core = re.sub(r"(?:\b(?:for|of|on|with|in|about|from)\s+(?:my\s+|the\s+)?)?"
                      r"(?:订单号?|单号|order(?: number| no\.?| #)?)?\s*#?" + re.escape(found) + r"\s*(?:的|里|中)?",
                      "", core, flags=re.I).strip(" ,，")
    core = re.sub(r"^(?:买的|购买的|下的)", "", core)
    if english:
        asks = EN_ASKS.match(core)
        if asks or (first.rstrip().endswith("?") and not ids):  # “can you tell me if X?” → “Customer asks if X”
            rest = _third_person(core[asks.end():] if asks else core)
            core = ("Customer asks " if asks else "Customer asks: ") + (rest[:1].lower() + rest[1:] if asks else rest)
        else:
            core = _third_person(core)
        head = f"Order {ids[0]}: " if ids else ""
        tail = " (urgent)" if urgent else ""
    else:
        if not ids and ASKING.search(first):  # 咨询类：“用户咨询：周末发货吗”
            core = "用户咨询：" + re.sub(r"^(?:你们|贵店|你家)", "", core)
        core = re.sub(r"^(?:给我|帮我)(?=.)", "用户要求", core)
        core = re.sub(r"^我的", "", core)
        core = re.sub(r"^我(?=[^们])", "用户", core).replace("我的", "用户的")
        head = f"{'订单 ' if re.search(r'订单|单号', first) else ''}{ids[0]}：" if ids else ""
        tail = "，用户要求尽快处理" if urgent else ""
    if english and not text.CJK.search(core):
        limit *= 2  # 英文一个字母的信息量比一个汉字少得多：同样的长度按两倍算
    room = max(8, limit - len(head) - len(tail))
    if len(core) > room:
        cut = core[:room]
        core = (cut.rsplit(" ", 1)[0] if english and " " in cut else cut.rstrip("，, ")) + "…"
    if contacts:
        tail += (f" (contact: {', '.join(contacts)})" if english else f"，联系方式 {'、'.join(contacts)}")
    return head + core + tail


def _third_person(clause: str) -> str:
    """my account got locked → Customer's account got locked；I need a quote → Customer needs a quote。"""
    words = clause.split()
    if not words:
        return clause
    if words[0].lower() == "my":
        words[0] = "Customer's"
    elif words[0].lower() in ("i", "i'm", "im"):
        if words[0].lower() != "i":
            words[0:1] = ["Customer", "is"]
        else:
            words[0] = "Customer"
            if len(words) > 1:
                verb = words[1].lower()
                if verb in EN_THIRD:
                    words[1] = EN_THIRD[verb]
                elif verb.isalpha() and verb not in EN_KEEP and not verb.endswith(("ed", "s")):
                    words[1] = verb + ("es" if verb.endswith(("sh", "ch", "x", "o")) else "s")
    out = " ".join(words)
    out = re.sub(r"\bmy\b", "their", out, flags=re.I)
    out = re.sub(r"\bI\b", "they", out)
    out = re.sub(r"\bme\b", "them", out, flags=re.I)
    return out[:1].upper() + out[1:]


def labeled(value: str, label_words: list[str]) -> str | None:
    """“subject 'Welcome'”“confirmation number is LL0EZ6”“seat 12A”“主题是「欢迎」”：
    标签后面紧跟的那个值（引号里的原文、邮箱、网址、编号或一个词）。"""
    if not label_words:
        return None
    label = r"\s+".join(re.escape(w) for w in label_words)
    tail = re.compile(r"(?<![A-Za-z])" + label + r"s?\b\s*(?:is|are|was|=|:|：|为|是|of|to|as|改成|换成)?\s*", re.I)
    for m in tail.finditer(value):
        rest = value[m.end():]
        q = QUOTED.match(rest)
        if q:
            return next(g for g in q.groups() if g is not None)
        for pattern in (EMAIL, URL):
            hit = pattern.match(rest)
            if hit:
                return hit.group(0)
        hit = re.match(r"[A-Za-z0-9][\w.-]*", rest)
        if hit and (re.search(r"\d", hit.group(0)) or hit.group(0)[0].isupper()):
            return hit.group(0).rstrip(".")
    return None


def labeled_list(value: str, label_words: list[str]) -> list[str] | None:
    """“dependencies: fastapi, uvicorn”“tags are a, b and c”“标签：甲、乙”：标签后面列出的几项。"""
    if not label_words:
        return None
    label = r"\s+".join(re.escape(w) for w in label_words)
    m = re.search(r"(?<![A-Za-z])" + label + r"s?\s*(?::|：|=|are|include|including|为|是|有)\s*([^.。;；\n]+)",
                  value, re.I)
    if not m:
        return None
    items = [x.strip(" '\"“”「」") for x in re.split(r"\s*(?:,|，|、|\band\b|和|及)\s*", m.group(1))]
    items = [x for x in items if x and len(x) <= 40]
    return items if len(items) >= 2 else None


def estimate_tokens(value: str) -> int:
    cjk = len(CJK.findall(value))
    return cjk + math.ceil((len(value) - cjk) / 4)


# ---------------------------------------------------------------- 参数的含义


def semantic(name: str, schema: dict) -> str:
    """参数（或输出字段）是什么意思：看名字和描述。"""
    return _semantic(name, str(schema.get("description") or ""), str(schema.get("title") or ""))


@lru_cache(maxsize=4096)
def _semantic(name: str, description: str, title: str) -> str:
    words = {w.lower() for w in text.split_identifier(name)} | {name.lower()}
    hay = " ".join(words) + " " + (description + " " + title).lower()

    def has(*keys: str) -> bool:
        return any(k in hay for k in keys)

    def named(*keys: str) -> bool:
        return any(k in words for k in keys)

    if has("city", "location", "place", "destination", "城市", "地点", "地区"):
        return "city"
    if named("email", "recipient", "cc", "bcc") or name.lower() == "to" or has("email", "邮箱", "e-mail"):
        return "email"
    if named("url", "link", "website", "href") or has("网址", "链接"):
        return "url"
    if has("order", "订单") and has("id", "no", "number", "num", "号", "编号"):
        return "order_id"
    if has("tracking", "运单", "waybill"):
        return "order_id"
    if has("phone", "mobile", "电话", "手机"):
        return "phone"
    if named(*QUANTITY_PARAMS) or re.match(r"(num|number|n)_of_|num_", name.lower()) or has(
            "quantity", "数量", "人数", "天数", "晚数", "几晚", "几位", "how many"):
        return "quantity"
    if named("id", "number", "no", "sku", "seat", "account") or has("编号", "代码", "座位"):
        return "ident"
    if named("time", "datetime", "slot") or has("时间", "几点"):
        return "time"
    if named("checkin", "checkout", "start", "end", "arrival", "departure", "pickup", "dropoff", "since", "until",
             "deadline", "due", "birthday", "dob", "when") or re.search(r"check_?(in|out)", name.lower()) or has(
            "date", "day", "日期", "入住", "离店", "deadline"):
        return "date"
    if has("amount", "price", "money", "cost", "total", "金额", "价格", "费用", "budget", "预算", "单价", "fare"):
        return "money"
    if has("count", "qty", "number of", "num", "passenger", "guests"):
        return "quantity"
    if named("priority", "urgency", "severity", "importance") or has("优先级", "紧急程度", "严重程度"):
        return "level"
    if named("category", "categories", "type", "kind", "intent", "department", "team", "queue", "class",
             "classification", "label", "sentiment", "mood", "tone") or has("分类", "类别", "类型", "部门", "情绪"):
        return "category"
    if named("reason", "reasoning", "explanation", "rationale") or has("原因", "理由"):
        return "reason"
    if named("subject", "title", "headline") or has("主题", "标题"):
        return "title"
    if named("summary", "abstract", "synopsis", "overview", "brief", "issue", "problem", "complaint", "gist") or has(
            "摘要", "概要", "概述", "问题描述"):
        return "summary"
    if has("product", "商品", "货品") and has("keyword", "关键词", "name", "名称", "query"):
        return "product"
    if named("keyword", "keywords", "search", "topic", "term", "terms") or has("关键词", "搜索词"):
        return "keyword"
    if named("query", "q", "input", "question", "prompt", "message", "text", "request", "body", "content"):
        return "input"
    if named("answer", "reply", "response", "description", "report", "output", "result",
             "story", "outline", "feedback", "translation", "markdown") or has("描述", "回答", "内容"):
        return "text"
    if named("name", "名称") or has("名称", "名字"):
        return "name"
    return "other"


# ---------------------------------------------------------------- 按 JSON Schema 生成值


def resolve(schema: dict, root: dict) -> dict:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        node: Any = root
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        merged = {k: v for k, v in schema.items() if k != "$ref"}
        merged.update(resolve(node, root) if isinstance(node, dict) else {})
        return merged
    for key in ("anyOf", "oneOf", "allOf"):
        options = schema.get(key)
        if options:
            non_null = [o for o in options if isinstance(o, dict) and o.get("type") != "null"]
            merged = {k: v for k, v in schema.items() if k != key}
            merged.update(resolve(non_null[0] if non_null else options[0], root))
            return merged
    return schema


def type_of(schema: dict) -> str:
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "string")
    if t:
        return t
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


class Context:
    """生成值时可用的材料。

    text：用户这句话；facts：工具返回的数据（按时间倒序）；answer：要作答的文字（结构化输出时）；
    system：指令；english：作答语言；output：生成的是结构化输出（每个字段都填）还是工具参数（选填的有把握才填）；
    grounded：回答来自工具结果或搜索。
    """

    def __init__(self, question: str, facts: list[Any] | None = None, answer: str = "", system: str = "",
                 english: bool = False, output: bool = False, tool: str = "", history: str = "",
                 grounded: bool = False) -> None:
        self.text = question
        self.history = history
        self.facts = facts or []
        self.answer = answer or question
        self.system = system
        self.english = english
        self.output = output
        self.tool = tool
        self.all_text = question + " " + " ".join(
            json.dumps(f, ensure_ascii=False) if not isinstance(f, str) else f for f in self.facts
        )
        self.verbatim = _verbatim_params(system)
        self.used: set[str] = set()  # 已经填进某个编号参数的值：别的编号参数不再用它
        self.claimed: set[str] = set()  # 有标签指明归属的值（“confirmation number is X”）
        self.picked: set[tuple[str, str]] = set()  # 已经填进参数的城市、日期……：同类的下一个参数取下一个
        self.used_spans: set[tuple[int, int]] = set()  # 已经当作数量用掉的“数 + 量词”
        self.grounded = grounded  # 回答来自工具结果或搜索（摘要就概括回答），否则概括用户的话
        self.contact_field = False  # 要填的对象里另有电话、邮箱字段：摘要里就不用再写联系方式

    def fact(self, name: str) -> Any:
        wanted = name.lower()
        for fact in self.facts:
            found = _find_key(fact, wanted)
            if found is not None:
                return found
        return None


def _verbatim_params(system: str) -> set[str]:
    """指令要求“把用户输入原样作为 'query' 参数传入”（Pass the user input as the 'query' argument）。"""
    names = set()
    for m in re.finditer(r"(?:user(?:'s)? (?:input|message|request)|用户(?:的)?(?:输入|原话|问题)).{0,30}?"
                         r"(?:as|作为|填(?:入|到)?)\s*(?:the\s+)?[`'\"“「]?(\w+)[`'\"”」]?", system or "", re.I):
        names.add(m.group(1).lower())
    return names


def _find_key(node: Any, wanted: str) -> Any:
    if isinstance(node, dict):
        for k, v in node.items():
            if k.lower() == wanted and not isinstance(v, (dict, list)):
                return v
        for v in node.values():
            found = _find_key(v, wanted)
            if found is not None:
                return found
    elif isinstance(node, list):
        for v in node:
            found = _find_key(v, wanted)
            if found is not None:
                return found
    return None


ENTITIES = {"email", "url", "city", "order_id", "phone", "ident", "date", "time", "money", "quantity"}


def nullable(schema: dict, root: dict | None = None) -> bool:
    """schema 允许 null（`str | None` → anyOf [string, null]，或 type 里有 "null"）。"""
    if isinstance(schema.get("$ref"), str) and root is not None:
        return nullable(resolve(schema, root))
    t = schema.get("type")
    if t == "null" or (isinstance(t, list) and "null" in t):
        return True
    return any(isinstance(o, dict) and o.get("type") == "null"
               for key in ("anyOf", "oneOf") for o in schema.get(key) or [])


ABSENT = object()  # 选填字段在原文里没有值：整个字段不写


def value_for(name: str, schema: dict, ctx: Context, root: dict | None = None, index: int = -1,
              optional: bool = False) -> Any:
    """给一个参数（或结构化输出的一个字段）挑一个值。

    编号、邮箱、城市、日期、金额、数量这类实体，原文里确实有才填：没有时，可以为 null 的字段
    （`str | None`）填 None，选填的字段（optional）返回 ABSENT（不写这个字段），都不编一个默认值出来。"""
    root = root or schema
    allow_null = nullable(schema, root)
    schema = resolve(schema, root)
    kind = type_of(schema)

    if "const" in schema:
        return schema["const"]
    known = ctx.fact(name) if name else None  # 工具结果里有同名字段，直接用
    enum = schema.get("enum")
    if enum:
        if known in enum:
            return known
        return options.pick(enum, name, schema, ctx)

    if kind == "object":
        return build_object(schema, ctx, root)
    if kind == "array":
        return _array(name, schema, ctx, root)

    if known is not None and not isinstance(known, (dict, list)):
        if kind in ("integer", "number"):
            try:
                return int(float(known)) if kind == "integer" else float(known)
            except (TypeError, ValueError):
                pass
        elif kind == "boolean":
            return bool(known)
        else:
            return str(known)

    if kind == "boolean":
        verdict = options.verdict(name, schema, ctx.text)  # 要不要转人工这类判断
        return verdict if verdict is not None else judge.boolean(name, schema, ctx)
    meaning = semantic(name, schema)
    if kind == "string" and options.LANGUAGE_FIELD.search(name):
        return options.language(ctx.text, ctx.english)
    if kind in ("integer", "number"):
        found = _number(name, schema, ctx, kind, meaning)
        if found is None and meaning in ENTITIES and (allow_null or optional):
            return None if allow_null else ABSENT
        return found if found is not None else _number_default(name, schema, ctx, kind)
    listed = options.listed(name, schema, ctx.system) if kind == "string" else None
    if listed:  # 指令或描述里列了选项（“priority 取 low/medium/high”）：当枚举来选
        return options.pick(listed, name, schema, ctx)
    if meaning in ENTITIES:
        found = _entity(meaning, name, schema, ctx)
        if found is not None:
            return found
        if allow_null or optional:
            return None if allow_null else ABSENT
        return _entity_default(meaning, schema, ctx)
    if ctx.output and (allow_null or optional) and (meaning == "other" or (meaning == "input" and allow_null)) \
            and _label_for(name, ctx.text) is None:
        return None if allow_null else ABSENT  # 可以不填的字段，对话里没有依据：留空，不拿整段回答去填
    return _string(name, schema, ctx, index, meaning)


def _clamp(value: float, schema: dict, kind: str) -> int | float:
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if lo is not None:
        value = max(value, lo)
    if hi is not None:
        value = min(value, hi)
    return int(value) if kind == "integer" else float(value)


def _number(name: str, schema: dict, ctx: Context, kind: str, meaning: str) -> int | float | None:
    """数字参数：金额取带货币的数，数量取量词对得上的数（nights ← “两晚”），都不会拿编号和日期里的数字。"""
    q = ctx.text
    if meaning == "quantity":
        n = _quantity(name, ctx)
        return None if n is None else _clamp(n, schema, kind)
    if meaning == "money":
        label = _label_for(name, q)  # “优惠券 20 元”：点名给这个参数的数
        if label and NUMBER.fullmatch(label.replace(",", "")):
            return _clamp(float(label.replace(",", "")), schema, kind)
        value = _pick("money", [str(v) for v in _money_pool(q)], ctx)  # 一个金额只填一个参数
        return None if value is None else _clamp(float(value), schema, kind)
    pool = numbers(q)
    if not pool and ctx.output:
        pool = judge.score_for(name, schema, ctx)
    if len(pool) > 1:  # “between 0 and 50”：max 取大的，min 取小的
        bound = {w.lower() for w in text.split_identifier(name)}
        if bound & {"max", "maximum", "upper", "most", "high", "highest", "ceiling", "limit"}:
            return _clamp(max(pool), schema, kind)
        if bound & {"min", "minimum", "lower", "least", "low", "lowest", "floor"}:
            return _clamp(min(pool), schema, kind)
    return _clamp(pool[0], schema, kind) if pool else None


def _money_pool(q: str) -> list[float]:
    """金额：带货币的数；没有就是不属于编号、日期、数量的数。"""
    free = _mask(q, _taken_spans(q) + [span for _, _, span in counted(q)])
    return money(q) or [float(m.group(0)) for m in NUMBER.finditer(free)]


def _number_default(name: str, schema: dict, ctx: Context, kind: str) -> int | float:
    default = schema.get("default")
    if isinstance(default, (int, float)):
        return _clamp(default, schema, kind)
    # 原文里没有：金额给 0（不编一个看起来真实的金额），数量和其他数给 1
    return _clamp(0 if semantic(name, schema) == "money" else 1, schema, kind)


def _mask(value: str, spans: list[tuple[int, int]]) -> str:
    """把这些位置换成空格（位置不变），剩下的数字才是“自由”的数。"""
    chars = list(value)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _quantity(name: str, ctx: Context) -> int | None:
    """数量参数：量词和参数名对得上的那个数（nights ← 两晚，people ← 4 位，days ← 3 days）；
    没有对得上的就用第一个带量词的数，再没有就用一个不属于日期、编号、金额的数字。
    一个数只填一个参数。"""
    wanted = {kind for w in text.split_identifier(name) for kind in QUANTITY_PARAMS.get(w.lower(), ())}
    found = [c for c in counted(ctx.text) if c[2] not in ctx.used_spans]
    pick = next((c for c in found if c[1] in wanted), None)
    if pick is None and found and not (wanted and any(c[1] in wanted for c in counted(ctx.history))):
        pick = found[0] if not wanted or found[0][1] not in {"night", "day", "hour", "minute"} - wanted else None
    if pick is not None:
        ctx.used_spans.add(pick[2])
        return pick[0]
    masked = _mask(ctx.text, _taken_spans(ctx.text) + [m.span() for m in MONEY.finditer(ctx.text)]
                   + [c[2] for c in counted(ctx.text)])
    free = [int(float(m.group(0))) for m in NUMBER.finditer(masked) if float(m.group(0)).is_integer()]
    return free[0] if free else None


def _pick(kind: str, values: list[str], ctx: Context) -> str | None:
    """同一类的几个参数（from_city / to_city、pickup_date / return_date）按出现顺序各取一个，不重复。"""
    fresh = [v for v in values if (kind, v) not in ctx.picked]
    value = fresh[0] if fresh else (values[0] if values else None)
    if value is not None:
        ctx.picked.add((kind, value))
    return value


FROM_WORDS = {"from", "origin", "departure", "depart", "start", "source", "pickup"}
TO_WORDS = {"to", "destination", "dest", "arrival", "arrive", "end", "target", "dropoff"}


def _directional(name: str, values: list[str], source: str) -> list[str]:
    """from_city / to_city：“从北京到上海”“去上海”“from Paris to London”——按介词排出先后。"""
    words = {w.lower() for w in text.split_identifier(name)}
    if len(values) < 2 or not words & (FROM_WORDS | TO_WORDS):
        return values
    marker = r"(?:到|去|往|飞|至|\bto\b)\s*$" if words & TO_WORDS else r"(?:从|自|由|\bfrom\b)\s*$"
    hits = [v for v in values if any(re.search(marker, source[max(0, m.start() - 6):m.start()], re.I)
                                     for m in re.finditer(re.escape(v), source, re.I))]
    return hits + [v for v in values if v not in hits]


def _entity(meaning: str, name: str, schema: dict, ctx: Context) -> Any:
    """原文里的实体值；没有返回 None。"""
    q = ctx.text
    label = _label_for(name, q)
    if meaning == "email":
        if label and EMAIL.fullmatch(label):
            return label
        return _pick("email", EMAIL.findall(ctx.all_text), ctx)
    if meaning == "url":
        return _pick("url", URL.findall(ctx.all_text), ctx)
    if meaning == "city":
        return _pick("city", _directional(name, cities(ctx.all_text), ctx.all_text), ctx)
    if meaning == "order_id":
        found = order_ids(q) or order_ids(ctx.all_text) or order_ids(ctx.history)
        return found[0] if found else None
    if meaning == "phone":
        found = PHONE.findall(ctx.all_text)
        return found[0] if found else None
    if meaning == "ident":
        label = label or _labeled_in(ctx.history, name)
        if label:
            ctx.used.add(label)
            return label
        taken = ctx.used | ctx.claimed
        found = [v for v in idents(q) + idents(ctx.all_text) + idents(ctx.history) if v not in taken]
        if found:
            ctx.used.add(found[0])
        return found[0] if found else None
    if meaning == "date":
        return _pick("date", _directional(name, dates(ctx.all_text), ctx.all_text), ctx)
    if meaning == "time":
        return _pick("time", times(ctx.all_text), ctx)
    if meaning == "money":
        found = _number(name, schema, ctx, "number", "money")
        return None if found is None else _plain_number(found)
    if meaning == "quantity":
        found = _quantity(name, ctx)
        return None if found is None else str(found)
    return None


def _entity_default(meaning: str, schema: dict, ctx: Context) -> str:
    """必填、又不能为 null 的字段，原文里没有：给一个一看就是占位的值（工具参数缺编号时 brain 会先问）。"""
    default = schema.get("default")
    if default is not None:
        return str(default)
    return {"email": "user@example.com", "url": "https://example.com", "city": "Beijing" if ctx.english else "北京",
            "phone": "13800000000", "date": "today" if ctx.english else "今天",
            "time": "now" if ctx.english else "现在", "money": "0", "quantity": "1"}.get(meaning, "")


def _label_for(name: str, value: str) -> str | None:
    """“subject 'Welcome'”“seat 12A”“餐厅叫老正兴”：参数名（英文单词或中文叫法）后面紧跟的值。"""
    words = [w for w in text.split_identifier(name) if w.lower() not in ("new", "the")]
    label = labeled(value, words)
    if label is None and len(text.split_identifier(name)) > 1:  # new_seat → seat
        label = labeled(value, text.split_identifier(name)[-1:])
    if label is None:
        for alias in text.zh_aliases(name):
            m = re.search(re.escape(alias) + r"\s*(?:叫做|叫|名叫|名为|是|为|：|:)\s*([\u4e00-\u9fffA-Za-z0-9·]{1,16})", value)
            if m:
                return m.group(1)
    return label


def _string(name: str, schema: dict, ctx: Context, index: int, meaning: str) -> str:
    """index：在数组里的第几项（-1 表示不在数组里）。"""
    default = schema.get("default")
    q = ctx.text
    if name.lower() in ctx.verbatim:
        return q.strip()
    label = _label_for(name, q)
    if label:
        return label
    quotes = quoted(q)
    if meaning == "title" and quotes:
        return quotes[0]
    if meaning in ("summary", "title") and not (ctx.output and ctx.grounded):
        return summarize(q, ctx.english, limit=24 if meaning == "title" else 48,  # 工单的摘要、标题：概括用户的话
                         keep_contact=meaning == "summary" and not ctx.contact_field)
    if meaning == "level":
        return options.level_word(q, ctx.english)
    if meaning == "category" and ctx.output:
        if options.SENTIMENT_FIELD.search(name):
            return options.sentiment(q, ctx.english)
        return options.category(q, ctx.english)
    if meaning == "reason":
        m = re.search(r"(因为|由于|原因是|because|since|due to)\s*(.+?)(?:[，。,!！?？]|$)", q, re.I)
        if m:
            return m.group(2).strip()
        if ctx.output:
            return judge.rationale(ctx)
        return _stated_reason(q, ctx.english)
    if meaning == "product":
        return product_phrase(q)
    if meaning == "keyword":
        return keyword(q) if index <= 0 else _variant(keyword(q), index, ctx.english)
    if meaning == "input":
        if ctx.output:
            return ctx.answer
        return quotes[-1] if quotes and _wants_quoted(name, schema) else q.strip()
    if meaning == "text":
        return _from_answer(ctx, index)
    if meaning == "name":
        called = re.search(r"(?:\bcalled|\bnamed|叫做?|名为|名叫)\s*", q, re.I)
        if called:
            rest = q[called.end():]
            hit = QUOTED.match(rest) or re.match(r"([A-Za-z0-9][\w.-]*[A-Za-z0-9]|[\u4e00-\u9fff]{1,12})", rest)
            if hit:
                return next(g for g in hit.groups() if g is not None)
        found = text.nouns(q) if not text.is_english(q) else re.findall(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*", q)
        return found[0] if found else (default or keyword(q))
    if default is not None:
        return str(default)
    if ctx.output:
        return _from_answer(ctx, index)
    return keyword(q)


def _from_answer(ctx: Context, index: int) -> str:
    """结构化输出的文字字段：整段回答；在数组里时，回答是编号列表就取对应的一项。"""
    if not ctx.output or index < 0 or (index == 0 and not _numbered(ctx.answer)):
        return ctx.answer
    return _variant(ctx.answer, index, ctx.english)


def _numbered(value: str) -> bool:
    return len(re.findall(r"^\s*\d+[.、)]\s", value, re.M)) >= 2


def _labeled_in(source: str, name: str) -> str | None:
    words = text.split_identifier(name)
    return labeled(source, words) if source and words else None


def _stated_reason(q: str, english: bool) -> str:
    """没说“因为”时的原因：句子里不是在提要求的那个分句（“帮我退了，尺码不合适” → 尺码不合适）。"""
    clauses = [c.strip() for c in re.split(r"[，,。.;；!！?？]", q) if c.strip()]
    for clause in clauses:
        rest = ORDER_ID.sub("", clause).strip()
        if len(rest) >= 2 and not re.search(r"退|帮|要|想|请|申请|好的|refund|return|please|want|would like|can i",
                                            rest, re.I):
            return rest
    return "not specified" if english else "未说明"


def _wants_quoted(name: str, schema: dict) -> bool:
    return bool(re.search(r"text|content|body|message|内容|正文", name + " " + (schema.get("description") or ""), re.I))


def _plain_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _variant(value: str, index: int, english: bool) -> str:
    """数组里的第 2、3 个字符串：回答本身是编号列表时取第 index 项；否则是同一个主题的不同角度，
    不是同一句话重复三遍。"""
    items = re.findall(r"^\s*\d+[.、)]\s*(.+)$", value, re.M)
    if items:
        return items[index % len(items)]
    angles = (("overview", "latest news", "key facts", "risks", "outlook") if english
              else ("概况", "最新动态", "关键数据", "风险", "展望"))
    return f"{value} {angles[(index - 1) % len(angles)]}"


def _array(name: str, schema: dict, ctx: Context, root: dict) -> list:
    items = resolve(schema.get("items") or {"type": "string"}, root)
    meaning = semantic(name, schema)
    many = {"city": cities, "order_id": order_ids, "date": dates, "email": lambda t: EMAIL.findall(t),
            "url": lambda t: URL.findall(t)}.get(meaning)
    if many and type_of(items) == "string":
        values = many(ctx.text)
        if values:
            return values
    if type_of(items) == "string" and not ctx.output:  # “dependencies: fastapi, uvicorn”：标签后面列出的几项
        listed = labeled_list(ctx.text, text.split_identifier(name))
        if listed:
            return listed
    count = judge.count_for(name, schema, ctx) if ctx.output else 1
    lo = schema.get("minItems") or 0
    count = max(count, lo)
    if schema.get("maxItems") is not None:
        count = min(count, schema["maxItems"])
    if type_of(items) == "object":
        return [build_object(items, ctx, root, index=i) for i in range(count)]
    return [value_for(name, items, ctx, root, index=i) for i in range(count)]


def build_object(schema: dict, ctx: Context, root: dict | None = None, index: int = -1) -> dict:
    """按 schema 生成对象。

    结构化输出（ctx.output）：每个字段都填（严格和非严格的 schema 都一样），值从对话里来。
    工具参数：必填字段都填；选填字段有把握才填（文中确有其值），不瞎编。
    """
    root = root or schema
    schema = resolve(schema, root)
    props: dict = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    strict = schema.get("additionalProperties") is False
    out: dict[str, Any] = {}
    for name in props:  # 先认领有标签的编号，没标签的参数就不会错拿别人的值
        claimed = labeled(ctx.text, text.split_identifier(name)) or _labeled_in(ctx.history, name)
        if claimed:
            ctx.claimed.add(claimed)
    if not props and isinstance(schema.get("additionalProperties"), dict) and ctx.output:
        return _mapping(schema, ctx, root)
    ctx.contact_field = any(semantic(n, resolve(p, root)) in ("email", "phone") for n, p in props.items())
    for name, prop in props.items():
        if name in required or strict or ctx.output:
            value = value_for(name, prop, ctx, root, index, optional=name not in required and not strict)
            if value is not ABSENT:
                out[name] = value
        elif _confident(name, prop, ctx, root):
            value = value_for(name, prop, ctx, root, index, optional=True)
            if value is not ABSENT:
                out[name] = value
    if ctx.output:
        out = judge.settle(out, props, ctx)
    return out


def _mapping(schema: dict, ctx: Context, root: dict) -> dict:
    """只有 additionalProperties 的对象（如 dict[int, str]）：按要求的个数生成几个条目，键是 1、2、3。"""
    value_schema = resolve(schema["additionalProperties"], root)
    count = judge.count_for("", schema, ctx)
    return {str(i + 1): value_for("", value_schema, ctx, root, index=i) for i in range(count)}


def _confident(name: str, prop: dict, ctx: Context, root: dict) -> bool:
    """选填的工具参数：文中确有其值才填。"""
    if ctx.fact(name) is not None:
        return True
    resolved = resolve(prop, root)
    meaning = semantic(name, resolved)
    q = ctx.text
    checks = {
        "city": lambda: cities(q), "order_id": lambda: order_ids(q), "email": lambda: EMAIL.search(q),
        "url": lambda: URL.search(q), "date": lambda: dates(q), "phone": lambda: PHONE.search(q),
        "time": lambda: CLOCK.search(q) or dates(q), "quantity": lambda: counted(q),
        "money": lambda: any(("money", str(v)) not in ctx.picked for v in money(q)),
    }
    if meaning in checks:
        return bool(checks[meaning]())
    if resolved.get("enum"):
        return any(str(o) in q for o in resolved["enum"])
    return labeled(q, text.split_identifier(name)) is not None
