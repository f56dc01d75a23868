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

from shared.mock import judge, text

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
IDENT = re.compile(r"(?<![\w@./-])((?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9_-]*|\d{5,})"
                   r"(?![\w@])")
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
QUANTITY = re.compile(r"(\d+)\s*(?:件|个|张|人|位|台|份|瓶|盒|双|本|晚|天|次|tickets?|people|persons?|items?|pcs)")
CN_DIGITS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
CN_QUANTITY = re.compile(r"([一两二三四五六七八九十])\s*(?:件|个|张|人|位|台|份|瓶|盒|双|本|晚|次)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"https?://[^\s<>\"'“”「」，。）)]+")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
QUOTED = re.compile(r"(?<![\w])'([^'\n]+?)'(?![\w])|\"([^\"\n]+?)\"|“([^”\n]+?)”|「([^」\n]+?)」|『([^』\n]+?)』|‘([^’\n]+?)’")
FILLER = re.compile(
    r"^(请问|请|帮我|麻烦|能不能|可以|我想|我要|想|给我)+|"
    r"(查一下|查询一下|查询|查查|搜一下|搜索|找一下|看看|看一下|有没有|一下|吗|呢|吧|呀|啊|？|\?|。|！|!)"
)
EN_FILLER = re.compile(r"^(please\s+|can you\s+|could you\s+|i want to\s+|i'd like to\s+|tell me\s+|"
                       r"search( the web)? for\s+|look up\s+|find\s+)+", re.I)


# ---------------------------------------------------------------- 实体


def cities(value: str) -> list[str]:
    found = [m.group(0) for m in _CITY_RE.finditer(value)]
    found += [CITIES_EN[m.group(1).lower()] for m in _CITY_EN_RE.finditer(value)]
    return list(dict.fromkeys(found))


def order_ids(value: str) -> list[str]:
    return list(dict.fromkeys(m.group(1) for m in ORDER_ID.finditer(value)))


def idents(value: str) -> list[str]:
    """各种编号：A1001、user456、LL0EZ6、12A、123456。"""
    return list(dict.fromkeys(m.group(1) for m in IDENT.finditer(value)))


def dates(value: str) -> list[str]:
    return [m.group(0) for m in DATE.finditer(value)]


def money(value: str) -> list[float]:
    return [float((a or b).replace(",", "")) for a, b in MONEY.findall(value)]


def quantities(value: str) -> list[int]:
    found = [int(n) for n in QUANTITY.findall(value)]
    return found + [CN_DIGITS[c] for c in CN_QUANTITY.findall(value)]


def numbers(value: str) -> list[float]:
    """文中的数，不含编号里的数字（A1001 里的 1001 不是数量）。"""
    spans = [m.span(1) for m in IDENT.finditer(value)]
    return [float(m.group(0)) for m in NUMBER.finditer(value)
            if not any(a <= m.start() < b for a, b in spans)]


def quoted(value: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in QUOTED.finditer(value)]


def keyword(value: str) -> str:
    """去掉“帮我查一下……吗”之类的口头语，留下要找的东西（网页搜索词、一般的关键词参数）。"""
    if text.is_english(value):
        core = EN_FILLER.sub("", value.strip()).strip(" ?!.")
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

    if named("email", "to", "recipient") or has("email", "邮箱", "e-mail"):
        return "email"
    if named("url", "link", "website", "href") or has("网址", "链接"):
        return "url"
    if has("city", "location", "place", "destination", "城市", "地点", "地区"):
        return "city"
    if has("order", "订单") and has("id", "no", "number", "num", "号", "编号"):
        return "order_id"
    if has("tracking", "运单", "waybill"):
        return "order_id"
    if has("phone", "mobile", "电话", "手机"):
        return "phone"
    if named("id", "number", "no", "sku", "seat", "account") or has("编号", "代码", "座位"):
        return "ident"
    if has("date", "day", "日期", "when", "deadline"):
        return "date"
    if has("amount", "price", "money", "cost", "total", "金额", "价格", "费用", "budget", "预算", "单价"):
        return "money"
    if has("quantity", "count", "qty", "number of", "num", "数量", "人数", "passenger", "guests"):
        return "quantity"
    if named("reason", "reasoning", "explanation", "rationale") or has("原因", "理由"):
        return "reason"
    if named("subject", "title", "headline") or has("主题", "标题"):
        return "title"
    if has("product", "商品", "货品") and has("keyword", "关键词", "name", "名称", "query"):
        return "product"
    if named("keyword", "keywords", "search", "topic", "term", "terms") or has("关键词", "搜索词"):
        return "keyword"
    if named("query", "q", "input", "question", "prompt", "message", "text", "request", "body", "content"):
        return "input"
    if named("answer", "reply", "response", "summary", "description", "report", "output", "result",
             "story", "outline", "feedback", "translation", "markdown") or has("描述", "回答", "摘要", "内容"):
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
    system：指令；english：作答语言；output：生成的是结构化输出（每个字段都填）还是工具参数（选填的有把握才填）。
    """

    def __init__(self, question: str, facts: list[Any] | None = None, answer: str = "", system: str = "",
                 english: bool = False, output: bool = False, tool: str = "", history: str = "") -> None:
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


def value_for(name: str, schema: dict, ctx: Context, root: dict | None = None, index: int = -1) -> Any:
    """给一个参数（或结构化输出的一个字段）挑一个值。"""
    root = root or schema
    schema = resolve(schema, root)
    kind = type_of(schema)

    if "const" in schema:
        return schema["const"]
    known = ctx.fact(name) if name else None  # 工具结果里有同名字段，直接用
    enum = schema.get("enum")
    if enum:
        if known in enum:
            return known
        return judge.choose(enum, name, schema, ctx)

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
        return judge.boolean(name, schema, ctx)
    if kind in ("integer", "number"):
        return _number(name, schema, ctx, kind)
    return _string(name, schema, ctx, index)


def _number(name: str, schema: dict, ctx: Context, kind: str) -> int | float:
    meaning = semantic(name, schema)
    default = schema.get("default")
    pools = {"money": money(ctx.text) or numbers(ctx.text), "quantity": quantities(ctx.text) or [1]}
    pool = pools.get(meaning) or numbers(ctx.text)
    if not pool and ctx.output:
        pool = judge.score_for(name, schema, ctx)
    value = pool[0] if pool else (default if default is not None else 1)
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if lo is not None:
        value = max(value, lo)
    if hi is not None:
        value = min(value, hi)
    return int(value) if kind == "integer" else float(value)


def _string(name: str, schema: dict, ctx: Context, index: int = -1) -> str:
    """index：在数组里的第几项（-1 表示不在数组里）。"""
    meaning = semantic(name, schema)
    default = schema.get("default")
    q = ctx.text
    if name.lower() in ctx.verbatim:
        return q.strip()
    label = labeled(q, [w for w in text.split_identifier(name) if w.lower() not in ("new", "the")])
    if label is None and len(text.split_identifier(name)) > 1:  # new_seat → seat
        label = labeled(q, text.split_identifier(name)[-1:])
    if meaning == "email":
        found = EMAIL.findall(ctx.all_text)
        return label if label and EMAIL.fullmatch(label) else found[0] if found else (default or "user@example.com")
    if meaning == "url":
        found = URL.findall(ctx.all_text)
        return found[0] if found else (default or "https://example.com")
    if meaning == "city":
        found = cities(ctx.all_text)
        return found[0] if found else (default or ("Beijing" if ctx.english else "北京"))
    if meaning == "order_id":
        found = order_ids(q) or order_ids(ctx.all_text) or order_ids(ctx.history)
        return found[0] if found else (default if default is not None else "")
    if meaning == "phone":
        found = PHONE.findall(ctx.all_text)
        return found[0] if found else (default or "13800000000")
    if meaning == "ident":
        label = label or _labeled_in(ctx.history, name)
        if label:
            ctx.used.add(label)
            return label
        taken = ctx.used | ctx.claimed
        found = [v for v in idents(q) + idents(ctx.all_text) + idents(ctx.history) if v not in taken]
        if found:
            ctx.used.add(found[0])
        return found[0] if found else (default if default is not None else "")
    if meaning == "date":
        found = dates(ctx.all_text)
        return found[0] if found else (default or ("today" if ctx.english else "今天"))
    if meaning == "money":
        found = money(q) or numbers(q)
        return _plain_number(found[0]) if found else (default or "0")
    if label:
        return label
    quotes = quoted(q)
    if meaning == "title" and quotes:
        return quotes[0]
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
    for name, prop in props.items():
        if name in required or strict or ctx.output:
            out[name] = value_for(name, prop, ctx, root, index)
        elif _confident(name, prop, ctx, root):
            out[name] = value_for(name, prop, ctx, root, index)
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
    }
    if meaning in checks:
        return bool(checks[meaning]())
    if resolved.get("enum"):
        return any(str(o) in q for o in resolved["enum"])
    return labeled(q, text.split_identifier(name)) is not None
