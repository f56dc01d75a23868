"""填：按 JSON Schema 生成工具参数和结构化输出的值。

每个参数先看它是什么意思（`meaning`：按 lexicon.SLOT_MEANINGS 这张有序的表，看名字、描述和标题），
再从原文里取这一种值（实体表 entities.py）。原文按对话状态给的顺序找：这句话、它接着的那几句、更早的话——
“A1010，颜色不喜欢”接在“我要退货”后面，订单号取这句的，原因也取这句的；“好的，那就办吧”自己什么都没给，
就回到“A1005 能退吗”里去取。

规则都是通用的，原样复制原文片段，不改写；原文里没有的值不编（选填的不写、可为 null 的填 null）。
判断类的值（布尔、枚举、等级、类别）由 judge.py 下，要说成句子的值（摘要、标题、理由）由 render.py 写。
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from shared.mock import entities as ent
from shared.mock import judge, recall, render, state, text
from shared.mock import lexicon as lx

CJK = text.CJK
ABSENT = object()  # 选填字段在原文里没有值：整个字段不写
# 这些含义的值是原文里的一个实体：原文里确实有才填
ENTITIES = frozenset({"email", "url", "city", "country", "origin", "destination", "room", "department", "address",
                      "order_id", "phone", "ident", "date", "month", "time", "money", "quantity", "degree", "percent", "last4"})
PLACES = frozenset({"city", "country", "origin", "destination"})
FREE_TEXT = frozenset({"input", "keyword", "product", "text", "summary", "title", "name", "reason"})
# 说明里列出的几个词可以当选项用的参数（类别、等级、一般的字符串）；日期、编号、地点这类有自己的格式，不拿说明里的字当值
LISTABLE = frozenset({"other", "category", "level"})


# ---------------------------------------------------------------- 参数的含义


def meaning(name: str, schema: dict) -> str:
    """参数（或输出字段）是什么意思：看名字、描述和标题。"""
    return _meaning(name, str(schema.get("description") or ""), str(schema.get("title") or ""))


@lru_cache(maxsize=4096)
def _meaning(name: str, description: str, title: str) -> str:
    words = {w.lower() for w in text.split_identifier(name)} | {name.lower()}
    desc = (description + " " + title).lower()
    hay = " ".join(words) + " " + desc
    for kind, rule, names, keys in lx.SLOT_MEANINGS:
        if _RULES[rule](words, hay, desc, names, keys):
            return kind
    if re.match(r"(num|number|n)_of_|num_", name.lower()):
        return "quantity"
    return "other"


def _any(words: set[str], hay: str, desc: str, names: tuple[str, ...], keys: tuple[str, ...]) -> bool:
    return bool(words & set(names)) or any(k in hay for k in keys)


def _both(words: set[str], hay: str, desc: str, names: tuple[str, ...], keys: tuple[str, ...]) -> bool:
    return any(k in hay for k in names) and any(k in hay for k in keys)


_NOT_PLACE = re.compile(lx.NOT_PLACE, re.I)


def _place(words: set[str], hay: str, desc: str, names: tuple[str, ...], keys: tuple[str, ...]) -> bool:
    """出发地 / 目的地：名字是方向词（from、origin、to、destination）加上地点词（from_city），或描述说它是
    出发地 / 目的地。from_account、to_date 这种方向词加别的名词的不算地点；只有一个方向词时，描述说是邮箱、
    账户、语言的也不算。"""
    if any(k in desc for k in keys):
        return True
    named = {w for w in words if "_" not in w and " " not in w}
    if not named & set(names) or named - set(names) - lx.PLACE_WORDS:
        return False
    if named & lx.PLACE_WORDS:
        return True
    return bool(named & lx.BARE_DIRECTIONS) and not _NOT_PLACE.search(desc)


def _recipient(words: set[str], hay: str, desc: str, names: tuple[str, ...], keys: tuple[str, ...]) -> bool:
    return _any(words, hay, desc, names, keys) or (words == {"to"} and not _NOT_PLACE.search(desc)
                                                   and not re.search(r"city|城市|place|地点|目的地|destination", desc))


_EXAMPLE_ID = re.compile(r"(?:例如|比如|如|形如|e\.g\.?|eg|such as|like|for example)[:：,，\s]*[“\"'(（]?"
                         r"[A-Za-z]{1,4}-?\d{3,}", re.I)


_CODE_OR_NAME = re.compile(r"(?:代码|编号|编码|代号|\bcode|\bid)\s*(?:或|或者|/|\bor\b)\s*\S{0,6}?(?:名称|名字|名|\bname|\btitle)",
                           re.I)


def _code_or_name(words: set[str], hay: str, desc: str, names: tuple[str, ...], keys: tuple[str, ...]) -> bool:
    return bool(_CODE_OR_NAME.search(desc))


def _example_id(words: set[str], hay: str, desc: str, names: tuple[str, ...], keys: tuple[str, ...]) -> bool:
    return bool(_EXAMPLE_ID.search(desc))


_DATE_DESCRIBED = re.compile(lx.ISO_DATE_HINT + r"|日期|\bdate\b", re.I)
_NOT_DATE = re.compile(r"天数|几天|number of days|how many days|duration|时长|时间段", re.I)


def _date_described(words: set[str], hay: str, desc: str, names: tuple[str, ...], keys: tuple[str, ...]) -> bool:
    return bool(_DATE_DESCRIBED.search(desc)) and not _NOT_DATE.search(desc) and not words & {"time", "datetime"}


_MONTH_FORMAT = re.compile(r"yyyy-mm(?!-dd)|月份|账期|billing period", re.I)
_MONTH_COUNT = re.compile(r"how many|number of|几个月|多少个月|count", re.I)


def _month_described(words: set[str], hay: str, desc: str, names: tuple[str, ...], keys: tuple[str, ...]) -> bool:
    return (bool(words & set(names)) or bool(_MONTH_FORMAT.search(desc))) and not _MONTH_COUNT.search(desc)


_RULES = {"any": _any, "month_described": _month_described, "both": _both, "place": _place, "recipient": _recipient, "example_id": _example_id,
          "date_described": _date_described, "code_or_name": _code_or_name}


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


def nullable(schema: dict, root: dict | None = None) -> bool:
    """schema 允许 null（`str | None` → anyOf [string, null]，或 type 里有 "null"）。"""
    if isinstance(schema.get("$ref"), str) and root is not None:
        return nullable(resolve(schema, root))
    t = schema.get("type")
    if t == "null" or (isinstance(t, list) and "null" in t):
        return True
    return any(isinstance(o, dict) and o.get("type") == "null"
               for key in ("anyOf", "oneOf") for o in schema.get(key) or [])


class Context:
    """生成值时可用的材料。

    text：用户这句话；sources：取值的原文，按顺序（这句话、它接着的那几句、更早的话，见 state.Request）；
    facts：工具返回的数据（按时间倒序）；answer：要作答的文字（结构化输出时）；system：指令；english：作答语言；
    output：生成的是结构化输出（每个字段都填）还是工具参数（选填的有把握才填）；grounded：回答来自工具结果或搜索；
    state：对话状态（判断相关性时看这句话是不是接着前文说的）。
    """

    def __init__(self, question: str, facts: list[Any] | None = None, answer: str = "", system: str = "",
                 english: bool = False, output: bool = False, tool: str = "", sources: tuple[str, ...] = (),
                 grounded: bool = False, state: Any = None) -> None:
        self.text = question
        self.sources = tuple(s for s in dict.fromkeys((question, *sources)) if s)
        self.history = self.sources[1:]  # 更早的话，一句一句分开（拼在一起会把上一句的尾巴当成下一句的标签）
        self.facts = facts or []
        self.answer = answer or question
        self.system = system
        self.english = english
        self.output = output
        self.tool = tool
        self.state = state
        self.all_text = question + " " + " ".join(
            json.dumps(f, ensure_ascii=False) if not isinstance(f, str) else f for f in self.facts
        )
        self.verbatim = _verbatim_params(system)
        self.used: set[str] = set()  # 已经填进某个编号参数的值：别的编号参数不再用它
        self.claimed: set[str] = set()  # 有标签指明归属的值（“confirmation number is X”）
        self.picked: set[tuple[str, str]] = set()  # 已经填进参数的城市、日期……：同类的下一个参数取下一个
        self.used_spans: set[tuple[int, int]] = set()  # 已经当作数量用掉的“数 + 量词”
        self.grounded = grounded  # 回答来自工具结果或搜索（摘要就概括回答），否则概括用户的话
        self.results: tuple[str, ...] = ()  # 前面工具结果的文字（最新的在前）：房间这类值最后在这里找
        self.contact_field = False  # 要填的对象里另有电话、邮箱字段：摘要里就不用再写联系方式
        self.glossary = ""  # 工具说明（里面常给选项配叫法：“S39 畅享 39”）
        self.earlier_args: dict = {}  # 前面调用过的工具用过的参数值（同名取最近一次）
        self.other_kinds: frozenset[str] = frozenset()  # 别的工具参数的例子里编号打头的字母（RX、RF）
        self.numeric_slots: frozenset[str] = frozenset()  # 这个工具要数的必填参数（读数、金额）

    @property
    def said(self) -> tuple[str, ...]:
        """用户自己说的话（不含助手刚提议的那件事）：原因、经过这类文字只从这里取。"""
        offer = getattr(self.state, "offer", None)
        return tuple(s for s in self.sources if s != offer)

    def fact(self, name: str) -> Any:
        wanted = name.lower()
        for fact in self.facts:
            found = _find_key(fact, wanted)
            if found is not None:
                return found
        return None

    def first(self, kind: str) -> str | None:
        """按原文的顺序找这一种实体：这句话里有就用这句话的，没有再往前找。"""
        for source in self.sources:
            value = ent.first(kind, source)
            if value is not None:
                return value
        return None


class _Only:
    """只看一段文字的取值材料（给 judge.mentioned 用）。"""

    def __init__(self, value: str, system: str) -> None:
        self.text, self.sources, self.system = value, (value,), system


@lru_cache(maxsize=1024)
def _verbatim_params(system: str) -> frozenset[str]:
    """指令要求“把用户输入原样作为 'query' 参数传入”（Pass the user input as the 'query' argument）。"""
    names = set()
    for m in re.finditer(r"(?:user(?:'s)? (?:input|message|request)|用户(?:的)?(?:输入|原话|问题)).{0,30}?"
                         r"(?:as|作为|填(?:入|到)?)\s*(?:the\s+)?[`'\"“「]?(\w+)[`'\"”」]?", system or "", re.I):
        names.add(m.group(1).lower())
    return frozenset(names)


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
    if known is None and name and re.search(r"_(?:name|title)$", name):  # dish_name ↔ 记录里的 dish
        known = ctx.fact(re.sub(r"_(?:name|title)$", "", name))
    enum = schema.get("enum")
    if enum:
        if known in enum:
            return known
        directed = next((_counterpart(name, src) for src in ctx.sources if _counterpart(name, src)), None)
        if directed is not None:  # from_account / to_account：“from checking to savings”
            chosen = judge.mentioned(enum, _Only(directed, ctx.system))
            if chosen is not None:
                return chosen
        return judge.pick(enum, name, schema, ctx)

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

    sense = meaning(name, schema)
    if kind == "boolean":
        if sense == "switch":  # 开关：用户说的是开还是关
            switched = judge.switched(ctx.text)
            if switched is not None:
                return switched
        verdict = judge.verdict(name, schema, ctx.text)  # 要不要转人工这类判断
        return verdict if verdict is not None else judge.boolean(name, schema, ctx)
    if kind == "string" and judge.LANGUAGE_FIELD.search(name):
        return judge.language(ctx.text, ctx.english)
    if kind in ("integer", "number"):
        found = _number(name, schema, ctx, kind, sense)
        if found is None and (sense in ENTITIES or sense == "other") and (allow_null or optional):
            return None if allow_null else ABSENT  # 读数这类数：对话里没有就不编
        return found if found is not None else _number_default(name, schema, ctx, kind)
    # 说明里列了选项（“priority 取 low/medium/high”）；搜索词、正文这类自由文字的说明（“Title or author”）不算
    listed = judge.listed(name, schema, ctx.system) if kind == "string" and sense in LISTABLE else None
    if listed:  # 指令或描述里列了选项（“priority 取 low/medium/high”）：当枚举来选
        return judge.pick(listed, name, schema, ctx)
    if sense in ENTITIES:
        found = _entity(sense, name, schema, ctx)
        if found is not None:
            return found
        if allow_null or optional:
            return None if allow_null else ABSENT
        return _entity_default(sense, schema, ctx)
    if ctx.output and (allow_null or optional) and (sense == "other" or (sense == "input" and allow_null)) \
            and _label_for(name, ctx.text) is None:
        return None if allow_null else ABSENT  # 可以不填的字段，对话里没有依据：留空，不拿整段回答去填
    return _string(name, schema, ctx, index, sense)


def _clamp(value: float, schema: dict, kind: str) -> int | float:
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if lo is not None:
        value = max(value, lo)
    if hi is not None:
        value = min(value, hi)
    return int(value) if kind == "integer" else float(value)


def _number(name: str, schema: dict, ctx: Context, kind: str, sense: str) -> int | float | None:
    """数字参数：金额取带货币的数，数量取量词对得上的数（nights ← “两晚”，temperature ← “24度”），
    都不会拿编号和日期里的数字。"""
    q = ctx.text
    if sense in ("quantity", "degree", "percent"):
        n = _quantity(name, ctx, sense)
        return None if n is None else _clamp(n, schema, kind)
    if sense == "money":
        label = _label_for(name, q)  # “优惠券 20 元”：点名给这个参数的数
        if label and ent.NUMBER.fullmatch(label.replace(",", "")):
            return _clamp(float(label.replace(",", "")), schema, kind)
        for source in ctx.sources:  # 这句话没说金额，就看它接着的那句（“那就按 200 元办”）
            value = _pick("money", [ent.plain(v) for v in _money_pool(source)], ctx)
            if value is not None:
                return _clamp(float(value), schema, kind)
        return None
    pool = ent.numbers(q)
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
    free = ent.mask(q, ent.taken_spans(q) + tuple(span for _, _, span in ent.counted(q)))
    return ent.money(q) or [float(m.group(0)) for m in ent.NUMBER.finditer(free)]


def _number_default(name: str, schema: dict, ctx: Context, kind: str) -> int | float:
    default = schema.get("default")
    if isinstance(default, (int, float)):
        return _clamp(default, schema, kind)
    # 原文里没有：金额给 0（不编一个看起来真实的金额），数量和其他数给 1
    return _clamp(0 if meaning(name, schema) == "money" else 1, schema, kind)


def _quantity(name: str, ctx: Context, sense: str = "quantity") -> float | None:
    """数量参数：量词 / 单位和参数名对得上的那个数（nights ← 两晚，people ← 4 位，temperature ← 24度）；
    没有对得上的就用第一个带量词的数，再没有就用一个不属于日期、编号、金额的数字。一个数只填一个参数。"""
    wanted = {kind for w in text.split_identifier(name) for kind in lx.QUANTITY_PARAMS.get(w.lower(), ())}
    wanted |= {"degree"} if sense == "degree" else {"percent"} if sense == "percent" else set()
    found = [c for c in ent.counted(ctx.text) if c[2] not in ctx.used_spans]
    pick = next((c for c in found if c[1] in wanted), None)
    history = [c for source in ctx.sources[1:] for c in ent.counted(source)]
    if pick is None and found and not (wanted and any(c[1] in wanted for c in history)):
        units = {"night", "day", "hour", "minute", "degree", "percent", "year", "week", "month", "age", "gb"}
        pick = found[0] if not wanted or found[0][1] not in units - wanted else None
    if pick is not None:
        ctx.used_spans.add(pick[2])
        return pick[0]
    if wanted:  # 这句话没说，前面说过（“住两晚”之后“那就订吧”）
        earlier = next((c for c in history if c[1] in wanted), None)
        if earlier is not None:
            return earlier[0]
    q = ctx.text
    masked = ent.mask(q, ent.taken_spans(q) + tuple(m.span() for m in ent.MONEY.finditer(q))
                      + tuple(c[2] for c in ent.counted(q)))
    free = [int(float(m.group(0))) for m in ent.NUMBER.finditer(masked) if float(m.group(0)).is_integer()]
    if free:
        return float(free[0])
    label = _label_for(name, q)  # “reading 47990”：点名给这个参数的数（长数字也是它，不是编号）
    if label and label.isdigit():
        return float(label)
    # 只有一串长数字，又没被编号参数用掉（户号已经填了，剩下的 47990 是读数）
    spare = [v for v in ent.values("ident", q) if v.isdigit() and v not in ctx.used]
    return float(spare[0]) if len(spare) == 1 and ctx.used else None


def _pick(kind: str, values: list[str], ctx: Context) -> str | None:
    """同一类的几个参数（from_city / to_city、pickup_date / return_date）按出现顺序各取一个，不重复。"""
    fresh = [v for v in values if (kind, v) not in ctx.picked]
    value = fresh[0] if fresh else (values[0] if values else None)
    if value is not None:
        ctx.picked.add((kind, value))
    return value


# ---------------------------------------------------------------- 地点


_FROM_MARK = r"(?:从|自|由|\bfrom\b)\s*$"
_TO_MARK = r"(?:到|去|往|飞|至|→|->|-|\bto\b|\bfor\b)\s*$"


def places(source: str, kinds: tuple[str, ...] = ("city", "country")) -> list[ent.Found]:
    """文中的地名：城市、国家（词表里的），以及分词标成地名（ns）的词。按出现的先后。"""
    return list(_places(source, kinds))


@lru_cache(maxsize=4096)
def _places(source: str, kinds: tuple[str, ...]) -> tuple[ent.Found, ...]:
    found = [f for kind in kinds for f in ent.find(kind, source)]
    if CJK.search(source):
        pos = 0
        for word, tag in text.tag(source):
            start = source.find(word, pos)
            pos = start + len(word) if start >= 0 else pos
            if tag == "ns" and start >= 0 and not any(f.start <= start < f.end for f in found):
                found.append(ent.Found("place", word, start, start + len(word)))
    return tuple(sorted(found, key=lambda f: f.start))


def _directed(direction: str, source: str) -> str | None:
    """“从南京飞西安”“南京到西安”“from Paris to London”：按介词认出发地和目的地。"""
    found = places(source)
    mark = _FROM_MARK if direction == "origin" else _TO_MARK
    for f in found:
        if re.search(mark, source[max(0, f.start - 6):f.start], re.I):
            return f.value
    if len(found) >= 2:  # “南京西安”“南京—西安”：前一个出发，后一个到达
        return found[0].value if direction == "origin" else found[1].value
    if len(found) == 1:  # 只有一个地名：“去西安”算目的地，“从南京出发”算出发地
        before = source[max(0, found[0].start - 6):found[0].start]
        other = _TO_MARK if direction == "origin" else _FROM_MARK
        if not re.search(other, before, re.I):
            return found[0].value if (direction == "destination") != bool(re.search(_FROM_MARK, before, re.I)) \
                else None
    return None


def places_of(sense: str, source: str) -> list[str]:
    """文中这一种值的全部（城市、订单号、房间），按出现的先后。"""
    if sense == "room":
        found = [r for r in (_room(part) for part in re.split(r"[，,。和及、]|\band\b", source)) if r]
        return list(dict.fromkeys(found))
    return ent.values(sense, source)


def _room(source: str) -> str | None:
    """“把书房的空调调到24度” → 书房；“turn on the living room lights” → living room。"""
    low = source.lower()
    for room in sorted(lx.ROOMS_EN, key=len, reverse=True):
        if re.search(r"\b" + re.escape(room) + r"\b", low):
            return room
    for word, tag in text.tag(source):
        if CJK.search(word) and tag.startswith("n") and word.endswith(lx.PLACE_SUFFIXES["room"]) and len(word) >= 2:
            return word
    return None


def _department(source: str) -> str | None:
    for phrase in text.nouns(source):
        if phrase.endswith(lx.PLACE_SUFFIXES["department"]):
            return phrase
    m = re.search(r"\b([A-Z][a-z]+(?: [A-Z][a-z]+)?) (?:department|dept|team)\b", source)
    return m.group(1) if m else None


def _device(source: str) -> str | None:
    """设备：说到的品类名词（空调、灯……），地点以外的那个名词。"""
    room = _room(source)
    for phrase in text.nouns(source):
        if phrase != room and not (room and phrase.startswith(room)):
            return phrase.removeprefix(room or "").strip("的") or phrase
    return None


def _counterpart(name: str, source: str) -> str | None:
    """“from A to B”“从 A 转到 B”：名字带方向词的参数（from_account / to_account）取对应的那一段。"""
    words = {w.lower() for w in text.split_identifier(name)}
    if not words & (lx.DIRECTION_FROM | lx.DIRECTION_TO):
        return None
    m = re.search(r"\bfrom\s+([\w.@-]+?)\s+to\s+([\w.@-]+)", source, re.I) or re.search(
        r"从\s*([\w.@-]+?)\s*(?:转到|转给|转至|到|给)\s*([\w.@-]+)", source)
    if not m:
        return None
    value = m.group(1) if words & lx.DIRECTION_FROM else m.group(2)
    return None if ent.NUMBER.fullmatch(value) else value


# ---------------------------------------------------------------- 实体类的值


def _entity(sense: str, name: str, schema: dict, ctx: Context) -> Any:
    """原文里的实体值；没有返回 None。"""
    q = ctx.text
    label = _label_for(name, q)
    if sense == "email":
        if label and ent.EMAIL.fullmatch(label):
            return label
        return _pick("email", [v for s in (ctx.all_text, *ctx.sources[1:]) for v in ent.values("email", s)], ctx)
    if sense == "url":
        return _pick("url", ent.values("url", ctx.all_text), ctx)
    if sense in ("origin", "destination"):
        found = next((v for v in (_directed(sense, s) for s in ctx.sources) if v), None) or _counterpart(name, q)
        if found is None and name.lower() == "to":  # send(to=...)：没有地名、有邮箱时，to 是收件人
            found = ent.first("email", q)
        return found
    if sense in ("city", "country"):
        for source in (ctx.all_text, *ctx.sources[1:]):
            found = [f.value for f in places(source, (sense,))] or ([f.value for f in places(source)]
                                                                    if sense == "city" else [])
            value = _pick(sense, _ordered(name, found, source), ctx)
            if value is not None:
                return value
        return None
    if sense == "address":  # 街道地址；没说到街道就用说到的城市，都没有由 brain 先问
        found = next((v for v in (ent.values("address", s) for s in ctx.sources) if v), None)
        if found:
            return max(found, key=len)
        return next((f.value for s in ctx.sources for f in places(s)), None)
    if sense == "room":  # 这句话、前文，最后看前面工具结果里说到的房间（观影模式调的是客厅的灯）
        return next((v for v in map(_room, (*ctx.sources, *ctx.results)) if v), None)
    if sense == "department":
        return next((v for v in map(_department, ctx.sources) if v), None)
    if sense == "order_id":
        if _OTHER.search(q) and ctx.state is not None:  # “另一个呢”：前面说过的编号里，刚才没查的那个
            said = [v for src in ctx.sources for v in ent.values("order_id", src)]
            other = next((v for v in said if v not in ctx.state.recent_args), None)
            if other:
                return other
        found = ent.values("order_id", q) or ent.values("order_id", ctx.all_text)
        if not found:
            found = [v for s in ctx.sources[1:] for v in ent.values("order_id", s)]
        examples = ent.values("ident", str(schema.get("description") or ""))
        if examples and found:  # 说明举了例子（例如 RF-88120）：别的字母打头的编号（处方号 RX20977）不是它
            found = [v for v in found if _same_kind(v, examples, ctx.other_kinds, shape=False)]
        return found[0] if found else None
    if sense == "phone":
        return next((v for v in (ent.first("phone", s) for s in (ctx.all_text, *ctx.sources[1:])) if v), None)
    if sense == "last4":  # “ending in 7730”“尾号 7730”；只回了四位数字（“4821”）也算
        return ctx.first("last4") or next((m.group(0) for src in ctx.sources
                                           for m in re.finditer(r"(?<![\d.])\d{4}(?![\d.])", src)
                                           if not ent.find("date", src)), None)
    if sense == "ident":
        label = label or _described_label(schema, q) or _labeled_in(ctx.history, name) or _counterpart(name, q)
        if label:
            ctx.used.add(label)
            return label
        taken = ctx.used | ctx.claimed
        # 用户说过的编号；工具结果里的编号只认同名字段（card_no 不拿结果里的 book_id）。
        # 用户在回答助手问的别的东西（读数）时，这句里的数字不是这个编号：先用前面说过的
        order = (*ctx.sources[1:], q) if _asked_for_others(name, schema, ctx) else (q, *ctx.sources[1:])
        found = [v for s in order for v in ent.values("ident", s) if v not in taken]
        before = ctx.earlier_args.get(name)
        if before and ctx.numeric_slots and all(v.isdigit() for v in ent.values("ident", q)) \
                and str(before) not in ent.values("ident", q):
            # 这个编号前面已经用过（户号 880231），这句只有一个光秃秃的数（读数 2391），而这个工具另有要数的参数：
            # 那个数是给数的参数的，编号照旧
            found = [str(before), *[v for v in found if v != str(before)]]
        described = str(schema.get("description") or "")
        shapes = {_shape(v) for v in ent.values("ident", described)}
        digits = _DIGITS.search(described)
        if digits:  # 说明写着“7 位数字 / 7 digits”：只要数字部分这么长的（“KD 加 6 位数字”：KD513274 也算）
            found = [v for v in found if len(re.sub(r"\D", "", v)) == int(digits.group(1))
                     and (v.isdigit() or not shapes or any(_shape(v) == x for x in shapes))]
        elif shapes:  # 说明里举了例子（例如 KX-2207）：只要同一种编号；对话里没有就看前面的工具结果
            examples = ent.values("ident", described)
            found = [v for v in found if _same_kind(v, examples, ctx.other_kinds)] \
                or _answered_digits(name, schema, shapes, ctx) \
                or _from_results(name, shapes, ctx)
        found = found or _from_results(name, set(), ctx)
        if found:
            ctx.used.add(found[0])
        return found[0] if found else None
    if sense == "date":
        pushed = _pushed_date(name, ctx)
        if pushed is not None:  # “再多借两天”：原来的日期往后挪
            return pushed
        for source in (ctx.all_text, *ctx.sources[1:]):
            value = _pick("date", _not_past_first(name, schema, _ordered(name, ent.values("date", source), source), ctx),
                          ctx)
            if value is not None:
                return _as_date(value, schema, ctx)
        if _today_by_default(name, schema, ctx.system):  # 指令说“没说就按今天”
            return _as_date(ent.today_in(ctx.system).isoformat(), schema, ctx)
        return None
    if sense == "month":  # “this month”“上个月”“十月” → YYYY-MM（按指令里的今天）
        today = ent.today_in(ctx.system)
        return next((m for s in ctx.sources for v in ent.values("month", s) if (m := ent.to_month(v, today))), None)
    if sense == "time":
        listed = picked_from_list("time", ctx)
        if listed is not None:  # “the later one”：刚才结果里列出的几个时间里挑
            return ent.to_clock(listed, listed) or listed if _CLOCK_HINT.search(str(schema.get("description") or "")) \
                else listed
        for source in (ctx.all_text, *ctx.sources[1:]):
            value = _pick("time", ent.values("time", source), ctx)
            if value is not None:
                if _CLOCK_HINT.search(str(schema.get("description") or "")):  # 说明要 HH:MM：换成 24 小时制
                    clock = ent.to_clock(value, " ".join(ctx.sources))
                    if clock is None:
                        continue  # 只说了哪天（“明天晚上”），没说几点：再往前找，都没有就由 brain 先问
                    return clock
                return value
        return None
    if sense == "money":
        found = _number(name, schema, ctx, "number", "money")
        return None if found is None else ent.plain(found)
    if sense in ("quantity", "degree", "percent"):
        found = _quantity(name, ctx, sense)
        return None if found is None else ent.plain(found)
    return None


_ISO_HINT = re.compile(lx.ISO_DATE_HINT)
_CLOCK_HINT = re.compile(r"HH:MM|hh:mm|24 ?小时|24-hour|24 hour|\d{1,2}:\d{2}", re.I)
_OTHER = re.compile(lx.OTHER, re.I)


_TODAY_DEFAULT = re.compile(
    r"(?:if|when|unless) (?:they|the (?:customer|user|caller|guest|patient)|customers?|users?) (?:don'?t|do not|doesn'?t|"
    r"does not|didn'?t) (?:say|give|mention|specify|tell)[^.\n]{0,30}?[,;]?\s*(?:use|assume|take|default to) today|"
    r"defaults? to today|(?:没说|未说明|不说|没有说|没提)[^。\n]{0,10}?(?:就|则)?(?:用|按|默认)(?:为|是)?今天|默认(?:为|是|用)?今天",
    re.I)


def _today_by_default(name: str, schema: dict, system: str) -> bool:
    """指令里说到这个日期的那一行写着“没说就用今天”（if they don't say, use today）。"""
    own = {w for w in text.words(" ".join(text.split_identifier(name)) + " " + str(schema.get("description") or ""))
           if len(w) >= 4 or text.CJK.search(w) and len(w) >= 2} - {"date", "日期", "yyyy-mm-dd"}
    return any(_TODAY_DEFAULT.search(line) and own & set(text.words(line))
               for line in re.split(r"\n|(?<=[.。])\s", system or "") if line.strip())


def _as_date(value: str, schema: dict, ctx: Context) -> str:
    """参数要标准格式的日期（说明写着 YYYY-MM-DD，或 format 是 date）：“明天”“下周三”“July 4”按今天换算——
    指令里写了今天是哪天就按它（“Today is 2025-06-02”），否则按真实的今天。别的参数原样传“明天”。"""
    if schema.get("format") not in ("date", "date-time") and not _ISO_HINT.search(str(schema.get("description") or "")):
        return value
    return ent.to_iso(value, ent.today_in(ctx.system)) or value


_PAST_DATE = re.compile(r"happen|incident|occur|since|purchase|bought|lost|issued|born|birth|发生|出险|购买|买的|丢|出生|"
                        r"办理日期|上次", re.I)


def _not_past_first(name: str, schema: dict, values: list[str], ctx: Context) -> list[str]:
    """一句话里有几个日期（“从昨晚开始牙疼，今天能看吗”）：预约、送货这类日期取今天或以后的那个，
    昨晚是在说事情什么时候开始的。参数本身是说过去的事（发生日期、购买日期）时不管。"""
    if len(values) < 2 or _PAST_DATE.search(f"{name} {schema.get('description') or ''}"):
        return values
    today = ent.today_in(ctx.system)
    def past(v: str) -> bool:
        iso = ent.to_iso(v, today)
        return bool(iso) and iso < today.isoformat()
    return [v for v in values if not past(v)] + [v for v in values if past(v)]


def _ordered(name: str, values: list[str], source: str) -> list[str]:
    """from_city / to_city、start_date / end_date：按介词排出先后（“从北京到上海”“去上海”）。"""
    words = {w.lower() for w in text.split_identifier(name)}
    if len(values) < 2 or not words & (lx.DIRECTION_FROM | lx.DIRECTION_TO):
        return values
    marker = _TO_MARK if words & lx.DIRECTION_TO else _FROM_MARK
    hits = [v for v in values if any(re.search(marker, source[max(0, m.start() - 6):m.start()], re.I)
                                     for m in re.finditer(re.escape(v), source, re.I))]
    return hits + [v for v in values if v not in hits]


def picked_from_list(kind: str, ctx: Context) -> str | None:
    """最近的工具结果里列了几个同一种值（另外几个可订的时间：["18:00", "20:30"]），这句话指着其中一个
    （“the later one”“最早的那个”“第二个”）：返回那个值。"""
    for raw in ctx.results[:1]:
        data = recall.parsed(raw)
        lists = [v for v in (data.values() if isinstance(data, dict) else ()) if isinstance(v, list) and len(v) >= 2
                 and all(isinstance(x, str) and ent.first(kind, x) == x.strip() for x in v)]
        for values in lists:
            picked = recall.pick(ctx.text, [{kind: v} for v in values])
            if picked is not None:
                return picked[1][kind]
    return None


_LEADING_NAME = re.compile(r"^\s*([\u4e00-\u9fff]{2,4}|[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})\s*(?:[，,、;；\s]|$)")


def answered_name(name: str, schema: dict, ctx: Context) -> str | None:
    """助手刚问了姓名（“请告诉我预订人姓名和手机号”），用户的回答开头那一小段就是名字（“王芳，139…”“Li Na, 138…”）。"""
    st = ctx.state
    if st is None or getattr(st, "move", "") != "answer" or _asked_for_others(name, schema, ctx):
        return None
    m = _LEADING_NAME.match(ctx.text)
    if not m or text.concepts(m.group(1)) or m.group(1).lower() in _NOT_NAMES:
        return None  # “好的，……”“明天，……”不是名字
    return m.group(1)


def _answered_digits(name: str, schema: dict, shapes: set[str], ctx: Context) -> list[str]:
    """助手刚问了这个编号，用户只回了数字（问工号 → “It's 20871”，例子是 E10293）：数字和例子里的数字一样长，
    就是省掉了字母前缀的编号——照用户说的填，工具自己会补前缀；对不上就由工具说找不到。"""
    st = ctx.state
    if st is None or getattr(st, "move", "") != "answer" or _asked_for_others(name, schema, ctx):
        return []
    lengths = {len(re.sub(r"\D", "", s)) for s in shapes if re.fullmatch(r"[A-Z]{1,3}-?9+", s)}
    return [m.group(0) for m in re.finditer(r"(?<![\w.-])\d+(?![\w.-])", ctx.text)
            if len(m.group(0)) in lengths and m.group(0) not in ctx.used | ctx.claimed]


def _asked_for_others(name: str, schema: dict, ctx: Context) -> bool:
    """这句话是在回答助手刚才的提问，而助手问的不是这个参数（问的是读数和哪块表，不是户号）。"""
    st = ctx.state
    if st is None or getattr(st, "move", "") != "answer" or not getattr(st, "previous_answer", ""):
        return False
    asked = st.previous_answer
    return render.slot_name(name, schema, meaning(name, schema), ctx.english) not in asked and \
        render.slot_name(name, schema, meaning(name, schema), not ctx.english) not in asked


def _described_label(schema: dict, value: str) -> str | None:
    """参数说明开头的叫法（“工号，例如 E10293”“Member number, like PF-0421”）后面紧跟的编号：“工号 10293”“member 421”。"""
    described = str(schema.get("description") or "")
    head = re.split(r"[，,。（(：:;；]|\s+(?:e\.g\.|like|such as|for example)\b", described)[0].strip()
    words = [w for w in re.split(r"\s+", head) if w]
    names = {head} | ({words[0]} if len(words) > 1 and len(words[0]) >= 4 else set())
    for name in sorted((n for n in names if len(n) >= 2), key=len, reverse=True):
        m = re.search(r"(?<![A-Za-z])" + re.escape(name) + r"(?:s|号)?\s*(?:is|是|为|：|:|#|no\.?|number)?\s*"
                      r"([A-Za-z]{0,4}-?\d{2,}[A-Za-z0-9-]*)", value, re.I)
        if m:
            return m.group(1)
    return None


_DIGITS = re.compile(r"(\d{1,2})\s*(?:digits|digit|位数字|位数|位)", re.I)


_MORE = re.compile(r"(?:再|多|延长|续)\s*(\d+|[一两二三四五六七八九十]+)\s*(?:个)?(天|晚|周|星期)|"
                   r"\b(\d+|one|two|three|four|five|six|seven|a)\s+(?:more|extra|additional)\s+(days?|nights?|weeks?)\b|"
                   r"\bextend (?:it |my \w+ )?by (\d+|one|two|three|four|five) (days?|weeks?)\b", re.I)


def _pushed_date(name: str, ctx: Context) -> str | None:
    """new_return_date 这类“新的某日期”：用户说了多 N 天，前面工具结果里有原来的那个日期（return_date）——
    原来的日期加 N 天。"""
    words = [w.lower() for w in text.split_identifier(name)]
    if not words or words[0] not in ("new", "extended", "updated"):
        return None
    base = "_".join(words[1:])
    m = next((m for m in map(_MORE.search, ctx.said) if m), None)
    if m is None or not base:
        return None
    count, unit = next((a, b) for a, b in zip(m.groups()[::2], m.groups()[1::2], strict=True) if a)
    n = ent.as_number(count)
    if n is None:
        return None
    days = int(n) * (7 if unit.lower().startswith(("周", "星期", "week")) else 1)
    for raw in ctx.results:
        found = re.search(r'"' + re.escape(base) + r'"\s*:\s*"(\d{4}-\d{2}-\d{2})', raw)
        if found:
            start = ent.to_iso(found.group(1), ent.today_in(ctx.system))
            if start:
                return (date.fromisoformat(start) + timedelta(days=days)).isoformat()
    return None


def _shape(value: str) -> str:
    """编号的样子：字母换成 A、数字换成 9，连字符、空格可有可无（KX-2207、KX2207 → AA9999）。"""
    return re.sub(r"\d", "9", re.sub(r"[A-Za-z]", "A", re.sub(r"[-\s]", "", value)))


def _same_kind(value: str, examples: list[str], others: frozenset[str], shape: bool = True) -> bool:
    """和说明里的例子是同一种编号。别的工具的例子用的字母（处方号 RX-20931）打头、这个参数的例子不这样打头的，
    不是它（续药订单号 RF-88120 不拿 RX20977）；shape 时还要样子一样（字母对字母、数字对数字，连字符可有可无：
    CL55013 对 CL-55012；家财险 PH-55031 对车险的例子 PA-77120 也算）。"""
    letters = re.match(r"[A-Za-z]*", value).group(0).upper()
    heads = {m.group(1).upper() for e in examples if (m := re.match(r"([A-Za-z]+)-?\d", e))}
    if letters and letters in others and letters not in heads:
        return False
    return not shape or any(_shape(value) == _shape(example) for example in examples)


def _from_results(name: str, shapes: set[str], ctx: Context) -> list[str]:
    """前面工具结果里的编号：同名字段的值，或者和说明里的例子一个样子的值（最近的结果在前）。"""
    found = []
    for raw in ctx.results:
        same = re.findall(r'"' + re.escape(name) + r'"\s*:\s*"([^"]+)"', raw)
        found += [v for v in same if not shapes or _shape(v) in shapes]
        found += [v for v in ent.values("ident", raw) if shapes and _shape(v) in shapes]
    return list(dict.fromkeys(v for v in found if v not in ctx.used))


def _entity_default(sense: str, schema: dict, ctx: Context) -> str:
    """必填、又不能为 null 的字段，原文里没有：给一个一看就是占位的值（工具参数缺编号时 brain 会先问）。"""
    default = schema.get("default")
    if default is not None:
        return str(default)
    return {"email": "user@example.com", "url": "https://example.com", "city": "Beijing" if ctx.english else "北京",
            "phone": "13800000000", "date": "today" if ctx.english else "今天",
            "time": "now" if ctx.english else "现在", "money": "0", "quantity": "1"}.get(sense, "")


def labeled(value: str, label_words: list[str]) -> str | None:
    """“subject 'Welcome'”“confirmation number is LL0EZ6”“seat 12A”“主题是「欢迎」”：
    标签后面紧跟的那个值（引号里的原文、邮箱、网址、编号或一个词）。"""
    if not label_words:
        return None
    for m in _label_tail(tuple(label_words)).finditer(value):
        rest = value[m.end():]
        q = ent.QUOTED.match(rest)
        if q:
            return next(g for g in q.groups() if g is not None)
        for pattern in (ent.EMAIL, ent.URL):
            hit = pattern.match(rest)
            if hit:
                return hit.group(0)
        hit = re.match(r"[A-Za-z0-9][\w.-]*", rest)
        if hit and (re.search(r"\d", hit.group(0)) or hit.group(0)[0].isupper()):
            return hit.group(0).rstrip(".")
    return None


@lru_cache(maxsize=2048)
def _label_tail(label_words: tuple[str, ...]) -> re.Pattern:
    label = r"\s+".join(re.escape(w) for w in label_words)
    return re.compile(r"(?<![A-Za-z])" + label + r"s?\b\s*(?:is|are|was|=|:|：|为|是|of|to|as|改成|换成)?\s*", re.I)


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


def _label_for(name: str, value: str) -> str | None:
    """“subject 'Welcome'”“seat 12A”“餐厅叫老正兴”：参数名（英文单词或中文叫法）后面紧跟的值。"""
    words = [w for w in text.split_identifier(name) if w.lower() not in ("new", "the")]
    label = labeled(value, words)
    if label is None and len(text.split_identifier(name)) > 1:  # new_seat → seat
        label = labeled(value, text.split_identifier(name)[-1:])
    if label is None:
        for alias in render.zh_aliases(name):
            m = re.search(re.escape(alias) + r"\s*(?:叫做|叫|名叫|名为|是|为|：|:)\s*([\u4e00-\u9fffA-Za-z0-9·_-]{1,16})",
                          value)
            if m and not _ASKING_VALUE.match(m.group(1)):  # “案件号是多少来着”是在问，不是给值
                return m.group(1)
    return label


_ASKING_VALUE = re.compile(r"多少|什么|啥|哪|几|谁|怎么")


def _labeled_in(sources: tuple[str, ...], name: str) -> str | None:
    words = text.split_identifier(name)
    return next((found for source in sources if source and (found := labeled(source, words))), None) if words \
        else None


# ---------------------------------------------------------------- 文字类的值


def _string(name: str, schema: dict, ctx: Context, index: int, sense: str) -> str:
    """index：在数组里的第几项（-1 表示不在数组里）。"""
    default = schema.get("default")
    q = ctx.text
    if name.lower() in ctx.verbatim:
        return q.strip()
    label = _label_for(name, q)
    if label:
        return label
    quotes = ent.values("quoted", q)
    if sense == "title" and quotes:
        return quotes[0]
    if sense in ("summary", "title") and not (ctx.output and ctx.grounded):
        about = q
        if len(ctx.said) > 1 and all(state.is_request_to_act(c) or _GO_AHEAD.match(c) or len(CJK.findall(c)) < 3
                                     and not re.search(r"[A-Za-z]{3,}", c)
                                     for c in re.split(r"[，,。.!！;；]", q) if c.strip()):
            about = described(ctx.said[1:]) or ctx.said[1]  # 这句只是应答、催办（“嗯对，帮我办一下”）：概括前面讲情况的话
        return render.summary(about, ctx.english, limit=24 if sense == "title" else 48,  # 工单的摘要、标题：概括用户的话
                              keep_contact=sense == "summary" and not ctx.contact_field)
    if sense == "level":
        return judge.level_word(q, ctx.english)
    if sense == "category" and ctx.output:
        if judge.SENTIMENT_FIELD.search(name):
            return judge.sentiment(q, ctx.english)
        return judge.category(q, ctx.english)
    if sense == "reason":
        if ctx.output:
            stated = _because(q)
            return stated or judge.rationale(ctx)
        said = ctx.said
        return next((r for r in map(_because, said) if r), None) or next(
            (r for r in map(_stated_reason, said[:3]) if r), "not specified" if ctx.english else "未说明")
    if sense == "product":  # 句首说的那样东西（“布洛芬能空腹吃吗”），再是名词短语
        found = next((p for p in (_thing(text.topic(s)) or _thing(_short_phrase(text.without_values(s) or s))
                                  for s in ctx.sources[:3]) if p), None) or _bare_keyword(q)
        return _in_tool_language(found, schema) if found else None  # 没说是哪样东西：由 brain 先问
    if sense == "keyword":  # 这句话说到的东西；没说到就是前面查过的那样（同名参数），再往前的话里找
        earlier = ctx.earlier_args.get(name)
        core = _search_terms(q) or (str(earlier) if earlier not in (None, "") else None) or next(
            (p for p in map(_search_terms, ctx.sources[1:3]) if p), None) or _bare_keyword(q)
        if core is None:  # “我要退一门课”：没说是哪一样——不拿整句去填，由 brain 先问
            return None
        return _in_tool_language(core, schema) if index <= 0 else _variant(core, index, ctx.english)
    if sense == "input":
        if ctx.output:
            return ctx.answer
        if quotes and _wants_quoted(name, schema):
            return quotes[-1]
        return render.self_contained(q, ctx.state) if ctx.state is not None else q.strip()
    if sense == "text":
        return _from_answer(ctx, index) if ctx.output else (described(ctx.said) or text.keyword(q))
    if sense == "device":
        return next((d for d in map(_device, ctx.sources[:3]) if d), None) or text.keyword(q)
    if sense == "name":
        person = next((p for p in map(person_name, ctx.said[:4]) if p), None) or answered_name(name, schema, ctx)
        if person:
            return person
        called = re.search(r"(?:\bcalled|\bnamed|叫做?|名为|名叫)\s*", q, re.I)
        if called:
            rest = q[called.end():]
            hit = ent.QUOTED.match(rest) or re.match(r"([A-Za-z0-9][\w.-]*[A-Za-z0-9]|[\u4e00-\u9fff]{1,12})", rest)
            if hit:
                return next(g for g in hit.groups() if g is not None)
        found = text.nouns(q) if not text.is_english(q) else [
            m for m in re.findall(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*", q) if m.split()[0].lower() not in _NOT_NAMES]
        if not found and PERSON_FIELD.search(f"{name} {schema.get('description') or ''}"):
            return None  # 要的是人名，这句里没有：由 brain 先问，不拿别的词填
        return found[0] if found else (default or text.keyword(q))
    if sense == "nationality":
        return next((n for n in map(nationality, ctx.sources) if n), None) or ""  # 没说：由 brain 先问
    if default is not None:
        return str(default)
    if ctx.output:
        return _from_answer(ctx, index)
    return described(ctx.said) or text.keyword(q)


# 只是在回答“什么时候”（“上周六晚上发现的”）：日期之外只剩时段和“发现的 / 发生的”
_WHEN_ONLY = re.compile(r"^(?:早上|上午|中午|下午|晚上|傍晚|凌晨|夜里|半夜)?\s*(?:才|就)?(?:发现的?|发生的?|出的事|的时候|左右|前后|的)?"
                        r"[。.!！]?$")
_DECLINING = re.compile(r"^(?:算了|先不|不用了?|不要了|还是不|别了|never ?mind|forget it|actually no)", re.I)
_REFERENCE_ONLY = re.compile(r"^(?:就是|是)?\s*(?:那|这)一?(?:单|个|笔|件|份|张|个订单|单子|次)?[的吧]?$")
_NOT_WANTED = re.compile(r"不想要|不喜欢|不需要了|用不上|不合适|不合身|不合脚|买错了|拍错了|\bdon'?t (?:want|need|like)\b|"
                         r"\bno longer (?:want|need)\b", re.I)
_GO_AHEAD = re.compile(r"^(?:好的?|行|嗯|那|那就|就|那你|你就?|那麻烦)?\s*[\u4e00-\u9fff]{1,2}(?:一下)?吧[。.!！]?$")  # “那就报吧”“就这样吧”
_APOLOGY = re.compile(r"^(?:不好意思|抱歉|对不起|sorry)|打错了|说错了|写错了|搞错了|my (?:bad|mistake)", re.I)
_LABEL_ONLY = re.compile(r"^(?:号码|手机号?|电话|卡号|单号|订单号?|编号|地址|家在|住在|我在|在|phone|number|card|my card is|"
                         r"card number|no\.?)\s*[:：]?\s*$", re.I)


def described(sources: tuple[str, ...] | list[str]) -> str | None:
    """自由文字参数（事故经过、故障现象、问题描述）：对话里讲情况的那几个分句——从这句话往前找，
    去掉只有编号 / 电话 / 地址的分句、提要求的分句（“想报个案”“帮我查一下”）、寒暄和应答。都没有返回 None。"""
    for source in list(sources)[:4]:
        kept = []
        for clause in (c.strip() for c in re.split(r"[，,。;；!！?？\n]|\.(?:\s|$)", source) if c.strip()):
            spans = ent.taken_spans(clause) + tuple((f.start, f.end) for f in ent.find("address", clause))
            rest = re.sub(r"\s+", " ", ent.mask(clause, spans)).strip()
            content = len(CJK.findall(rest)) + 2 * len(re.findall(r"[A-Za-z]{2,}", rest))
            if (content < 4 or _LABEL_ONLY.match(rest) or _REQUESTING.search(rest) and len(rest) <= 8
                    or state.filler(rest) or text.concepts(rest) & {"greet"} and content <= 6
                    or state.corrects(rest) or _APOLOGY.search(rest) or state.is_request_to_act(rest)
                    or _GO_AHEAD.match(rest) or ent.find("date", clause) and _WHEN_ONLY.match(rest)
                    or _SCHEDULING.search(clause) and not text.concepts(clause) & {"tech", "complaint", "lost"}):
                continue  # “下午也行，3 点后家里都在”说的是什么时候方便，不是出了什么事
            kept.append(clause)
        if kept:
            return ("，" if CJK.search(source) else ", ").join(kept)
    return None


# 说什么时候方便上门 / 联系的分句
_SCHEDULING = re.compile(r"(?:上午|下午|晚上|中午|早上|傍晚|周[一二三四五六日天末]|明天|后天|\d{1,2}\s*点)[^，,。]{0,8}"
                         r"(?:可以|行|方便|有人|在家|有空|都行|都在|在的)|(?:可以|方便|有空|有人|在家)[^，,。]{0,6}"
                         r"(?:上午|下午|晚上|中午|早上|周[一二三四五六日天末]|明天|后天)|\b(?:any ?time|free|available|"
                         r"i'?m (?:home|in|around))\b[^,.]{0,20}\b(?:morning|afternoon|evening|after|before|\d)", re.I)


_UNSPECIFIED = re.compile(r"^(?:[\u4e00-\u9fff]{0,3}?)(?:一|某|哪)(?:门|个|本|件|台|张|份|家|间|节|项|样|款)[\u4e00-\u9fff]?$")


_CORRECTED_ZH = re.compile(r"(?:应该是|我说的是|我是说|改成|换成|改为|(?<![不就还])是)\s*([^，,。.!！?？\s]{2,12})")
_CORRECTED_EN = re.compile(r"\b(?:i meant|i mean|it'?s|it is|make it|change it to)\s+(?:the\s+|a\s+)?"
                           r"([A-Za-z][\w'-]*(?:\s+[A-Za-z][\w'-]*){0,4}?)\s*(?:[,.!?;]|$|\s+(?:not|instead)\b)", re.I)


def _corrected_thing(source: str) -> str | None:
    """更正里改成的那样东西的名字（“不对，是线代”“sorry, I meant Linear Algebra”）；说的是编号、数字时不管（另有规则）。"""
    m = _CORRECTED_ZH.search(source) if CJK.search(source) else _CORRECTED_EN.search(source)
    if not m or re.search(r"\d", m.group(1)):
        return None
    phrase = m.group(1).strip()
    if CJK.search(phrase):
        return _thing(phrase)
    return phrase if phrase.lower() not in lx.STOP and phrase.lower() not in _NOT_THING else None


_CHATTER_EN = frozenset("put get give make let sign add join book drop cancel take want need like would love go ahead "
                        "do it that this them me us my our then now please just also again up on off in for to "
                        "waitlist booking reservation order one it it's its is that's this here's".split())


def _content_words_en(phrase: str) -> list[str]:
    """英文短语里说的是“哪样东西”的词：去掉办事的动词、代词、虚词、“名单 / 预订”这类说的是事而不是东西的词。
    一个都不剩（“put waitlist then”“drop it”“cancel that booking”）就是没说是哪一样。"""
    return [w for w in re.findall(r"[A-Za-z][\w'-]*", phrase)
            if w.lower() not in _CHATTER_EN and w.lower() not in lx.STOP and w.lower() not in _NOT_THING]


_UNSPECIFIED_EN = re.compile(r"^(?:[a-z]+\s+)?(?:a|an|one|some|another)\s+[a-z]+$", re.I)


def _bare_keyword(q: str) -> str | None:
    """没有名词短语时的关键词：去掉带叫法的编号和口头语；剩下的只是“退一门课”“借一本书”这种没说是哪一样的
    说法时返回 None。"""
    rest = text.without_values(q) or q
    core = text.keyword(rest)
    flat = re.sub(r"[，,\s]", "", core)
    if _UNSPECIFIED.match(flat) or _UNSPECIFIED_EN.match(core):
        return None
    if CJK.search(flat) and not _names_something(flat) and not _LATIN.search(flat) and (
            _ASKING_ONLY.search(flat) or any(g in flat for g in lx.GENERIC_NOUNS if len(g) >= 2)):
        return None  # “有什么推荐的”“在你们这买点东西”：没说要什么
    return core


_ASKING_ONLY = re.compile(r"什么|啥|哪")


def _names_something(phrase: str) -> bool:
    """短语里有个实在的名词（“积极的新闻”的新闻；“东西”“货”这种泛指的和问句词不算）。"""
    return text.has_item_word(phrase) or any(
        pos.startswith("n") and len(word) >= 2 and word not in lx.GENERIC_NOUNS and not _ASKING_ONLY.search(word)
        and not _VERB_MEASURE.match(word) for word, pos in text.tag(phrase))


def _in_tool_language(phrase: str, schema: dict) -> str:
    """参数说明是中文（“商品关键词，例如‘蓝牙耳机’”）、用户写的是英文：认得出的商品说法换成中文再搜，
    就像真实模型会按商品库的语言写关键词。"""
    if text.is_english(phrase) and CJK.search(str(schema.get("description") or "")):
        return text.to_chinese_keyword(phrase) or phrase
    return phrase


_NAME_ROLE = re.compile(r"(?:" + lx.NAME_ROLES + r")\s*(?:是|为|叫做|叫|名叫|：|:)?\s*([\u4e00-\u9fff]{2,4}?)(?=[，,。.!！？?\s]|$|的|吧)")
_NAME_LEAD = re.compile(r"(?i:" + lx.NAME_LEADS + r")\s+((?:[A-Z][a-z]+)(?:\s+[A-Z][a-z]+){1,2})\b")


_HONORIFIC = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{1,2}(?:先生|女士|小姐|太太|老师|师傅))|(?:^|[，,\s])姓([\u4e00-\u9fff]{1,2}?)(?=[，,。\s]|$|的)")
_BARE_NAME = re.compile(r"(?:^|[,，;]\s*)((?:[A-Z][a-z]+)(?:\s+[A-Z][a-z]+){1,2})\s*(?:[,，;.]|$|\s+\+?\d)")
PERSON_FIELD = re.compile(r"\b(?:" + "|".join(sorted(lx.PERSON_WORDS)) + r")[ _]?name\b|姓名|称呼|联系人", re.I)
_NOT_NAMES = frozenset(w.lower() for w in (
    "Hi Hello Hey Yes Yeah Sure Ok Okay Sorry Thank Great Perfect Please Actually Also Then The This That "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December Airport Downtown Harbour Central Street Road "
    "Can Could Would Will Shall Should May Might Must Is Are Was Were Do Does Did Have Has Had What When Where Which "
    "Who Why How I I'd I'm I'll My We Our You Your It It's There Here Just Any Some No Not Book Cancel Check").split())


def person_name(source: str) -> str | None:
    """人名：“入住人王芳”“病人叫陈晨”“陈女士”“姓周”“for Li Wei”“under the name Tom Baker”“Olivia Grant, 139…”。"""
    m = _NAME_ROLE.search(source) or _NAME_LEAD.search(source)
    if m:
        return m.group(1)
    m = _HONORIFIC.search(source)
    if m:
        return m.group(1) or m.group(2)
    m = _BARE_NAME.search(source)
    if m and not {w.lower() for w in m.group(1).split()} & _NOT_NAMES:
        return m.group(1)
    return None


def nationality(source: str) -> str | None:
    """国籍：“中国护照”“I have a Chinese passport”“passport: Japan”。"""
    m = re.search(r"([\u4e00-\u9fff]{1,6})护照|护照(?:是|国籍是?)?\s*([\u4e00-\u9fff]{2,5})", source)
    if m:
        span = m.group(1) or m.group(2)
        countries = ent.values("country", span)
        return countries[-1] if countries else re.sub(r"^(?:我是|我持|持有|拿的是|拿|是|用)", "", span)
    m = re.search(r"\b([A-Z][a-z]+)\s+passport|passport\s*(?:is|from|:)?\s*([A-Z][a-z]+)|\b(?:i am|i'm)\s+(?:a\s+)?"
                  r"([A-Z][a-z]+)\s+(?:citizen|national)", source)
    if m:
        word = next(g for g in m.groups() if g)
        return lx.DEMONYMS.get(word.lower(), word)
    return None


def _search_terms(source: str) -> str | None:
    """搜索词：引号里的原文；英文先看大写开头的专名（书名），再去掉口头语（recommend、do you have、any……）；
    中文先看说在前头的那样东西（“围城还有吗”），再取名词短语。"""
    quoted = ent.values("quoted", source)
    if quoted:
        return quoted[0]
    fixed = _corrected_thing(source) if state.corrects(source) else None
    if fixed:  # “不对，是线代，经济学我还要上的”：改成的那样东西，不是后面顺带说的
        return fixed
    source = text.without_values(source) or source  # “student id 2023011458”不是要找的东西
    if text.is_english(source):
        titled = text.title_span(source)
        core = text.keyword(source)
        if titled and (" " in titled or not (titled in core and len(core.split()) <= 3)):
            return titled  # 书名这类专名；只有一个词（Sony）而口头语去掉后很短（Sony headphones）时用后者
        if len(core.split()) > 3:  # 还很长：去掉“名额 / 下学期 / still”这类不是东西本身的词
            core = _thing_words(core) or core
        if _UNSPECIFIED_EN.match(core) or not _content_words_en(core):  # “drop a course”“put me on the waitlist”
            return None
        return core if core and core.lower() != source.strip(" ?!.").lower() or len(core.split()) <= 5 else None
    phrase = _thing(text.noun_phrase(source))
    if phrase and text.has_item_word(phrase):  # 说到了品类（耳机、充电器）：就是它
        return phrase
    return _thing(text.topic(source)) or phrase or _latin_name(source)


_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9'’&.-]*(?:\s+[A-Za-z0-9][A-Za-z0-9'’&.-]*)*")


def _latin_name(source: str) -> str | None:
    """中文句子里夹着的外文名字（“帮我预留 Walden”“有 AirPods 吗”）：没有中文名词短语时，它就是那样东西。
    编号（LB-20931）、单位、虚词不算。"""
    found = [m.group(0).strip(" .-") for m in _LATIN.finditer(source)]
    found = [f for f in found if len(f) >= 2 and not text.TOKEN_ID.fullmatch(f) and not re.search(r"\d{3,}", f)
             and f.lower() not in lx.STOP]
    return max(found, key=len) if found else None


_LEADING_VERB = re.compile(r"^(?:先|再|就|也|还|想|要|我想|我要|帮我)?(?:选|退|查|看|订|买|换|报|约|加|借|租|问)(?=[\u4e00-\u9fff]{2})")
_VERB_MEASURE = re.compile(r"^(?:买|要|找|看|挑|选|来)(?:点|些|个|一点|一些|几个)$")
_ID_LABEL = re.compile(r"(?:号|码|号码|编号|卡号)$")


_TAKING = re.compile(r"\b(?:on|taking|take|took|takes|started|start|prescribed|about|with|using|use)\s+(?:the\s+|my\s+|some\s+)?"
                     r"([A-Za-z][A-Za-z-]{3,})\b", re.I)


def _short_phrase(source: str) -> str | None:
    """名词短语；英文整句去掉口头语后还很长时，取动词 / 介词后面那个词（“I was put on metformin” → metformin）。"""
    phrase = text.noun_phrase(source)
    if text.is_english(source) and (phrase is None or len(phrase.split()) > 3):
        about = re.match(r"\s*about\s+([^:]{2,40}):", source, re.I)
        if about:
            return about.group(1).strip()
        named = [m.group(1) for m in _TAKING.finditer(source) if m.group(1).lower() not in lx.STOP
                 and m.group(1).lower() not in _NOT_THING]
        return named[0] if named else phrase
    return phrase


def _thing(phrase: str | None) -> str | None:
    """中文里能当“那样东西”的名字：去掉打头的动词（“先选数据结构” → 数据结构）；一个字（“B 班”的班）和
    编号的叫法（学号、卡号）不是东西的名字——这句话里没有，就到前面的话里找。"""
    if not phrase or not text.CJK.search(phrase):
        return phrase
    phrase = _LEADING_VERB.sub("", phrase.strip())
    if _VERB_MEASURE.match(phrase):  # “买点”“要些”：分词器当成名词的“动词 + 量”，不是东西
        return None
    if len(phrase) < 2 or _ID_LABEL.search(phrase) or not (text.nouns(phrase) or text.has_item_word(phrase)):
        return None  # “现在下单”里没有名词：不是东西
    return phrase


_BECAUSE = re.compile(r"(因为|由于|原因是|理由是|because|since|due to)\s*(.+?)(?:[，。,!！?？]|$)", re.I)
_REQUESTING = re.compile(r"^(?:先|再|也|就)?(?:帮|请|麻烦|我要|我想|想|要|给我|能不能|可以|好的)|\bplease help\b|\bhelp me\b|申请|办理|退款|退货|退了|退掉|能退|可以退|要退|想退|"
                         r"\brefund|\breturn\b|\bplease\b|\bi want to\b|\bi'?d like\b|\bcan i\b|go ahead", re.I)


_NOT_THING = frozenset("still space spots spot seats room left available next this last coming semester term week "
                       "month year today tomorrow tonight now any some there here in on at for of to the a an is are "
                       "please right".split())


def _thing_words(phrase: str) -> str:
    """英文短语里是“那样东西”的词：去掉时间、名额、虚词（still space in tennis next semester → tennis）。"""
    kept = [w for w in re.findall(r"[A-Za-z][\w'-]*", phrase) if w.lower() not in _NOT_THING and w.lower() not in lx.STOP]
    return " ".join(kept)


def reason_in(sources: tuple[str, ...] | list[str]) -> str | None:
    """原文里说的原因：先找“因为……”，再找不是在提要求的那个分句。"""
    return next((r for r in map(_because, sources) if r), None) or next(
        (r for r in map(_stated_reason, sources) if r), None)


def _because(source: str) -> str | None:
    m = _BECAUSE.search(source)
    return m.group(2).strip() if m else None


def _stated_reason(source: str) -> str | None:
    """没说“因为”时的原因：句子里不是在提要求的那个分句（“帮我退了，尺码不合适” → 尺码不合适；
    “A1010，颜色不喜欢” → 颜色不喜欢）。前后的“的 / 了”不要；“删吧”“办吧”这种只是催着办的短句不算。"""
    for clause in (c.strip() for c in re.split(r"[，,。.;；!！?？]", source) if c.strip()):
        if _NOT_WANTED.search(clause) and not ent.ORDER_ID.search(clause):
            return clause  # “我不想要了”“颜色不喜欢”：不想要本身就是原因（虽然也像是在说要退）
        rest = re.sub(r"\s{2,}", " ", ent.ORDER_ID.sub("", re.sub(
            r"\b(?:from|of|in|for|on)\s+(?:order\s+)?(?=" + ent.ORDER_ID.pattern + ")", "", clause))).strip()
        rest = re.sub(r"^(?:的|了|是|就是|主要是|订单号?|里|中|那个|这个|那件|这件)\s*", "", rest).strip()
        if _DECLINING.match(rest):
            continue  # “算了先不投诉了”：是在改主意，不是原因
        if not CJK.search(rest) and not _content_words_en(rest) or _REFERENCE_ONLY.match(rest):
            continue  # “it's A2002”“就是 A1010 那单”：去掉编号只剩“it's”“那单”
        if len(rest) >= 2 and not _REQUESTING.search(rest) and not text.concepts(rest) & {"greet"} \
                and not state.filler(rest) and not (rest.endswith("吧") and len(rest) <= 4) \
                and not state.is_request_to_act(rest):
            return rest
    return None


def _wants_quoted(name: str, schema: dict) -> bool:
    return bool(re.search(r"text|content|body|message|内容|正文", name + " " + (schema.get("description") or ""), re.I))


def _from_answer(ctx: Context, index: int) -> str:
    """结构化输出的文字字段：整段回答；在数组里时，回答是编号列表就取对应的一项。"""
    if not ctx.output or index < 0 or (index == 0 and not _numbered(ctx.answer)):
        return ctx.answer
    return _variant(ctx.answer, index, ctx.english)


def _numbered(value: str) -> bool:
    return len(re.findall(r"^\s*\d+[.、)]\s", value, re.M)) >= 2


def _variant(value: str, index: int, english: bool) -> str:
    """数组里的第 2、3 个字符串：回答本身是编号列表时取第 index 项；否则是同一个主题的不同角度。"""
    items = re.findall(r"^\s*\d+[.、)]\s*(.+)$", value, re.M)
    if items:
        return items[index % len(items)]
    return render.angle(value, index, english)


# ---------------------------------------------------------------- 数组、对象


def _array(name: str, schema: dict, ctx: Context, root: dict) -> list:
    items = resolve(schema.get("items") or {"type": "string"}, root)
    sense = meaning(name, schema)
    if sense in ("city", "order_id", "date", "email", "url") and type_of(items) == "string":
        values = ent.values(sense, ctx.text)
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
    ctx.contact_field = any(meaning(n, resolve(p, root)) in ("email", "phone") for n, p in props.items())
    for name, prop in props.items():
        if name in required or strict or ctx.output:
            value = value_for(name, prop, ctx, root, index, optional=name not in required and not strict)
            if value is not ABSENT:
                out[name] = value
        elif stated(name, prop, ctx, root):
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


def stated(name: str, prop: dict, ctx: Context, root: dict) -> bool:
    """这句话里确有这个参数的值（选填的工具参数有把握才填；接着上一次调用时，没说的参数照旧）。"""
    if ctx.fact(name) is not None:
        return True
    resolved = resolve(prop, root)
    sense = meaning(name, resolved)
    q = ctx.text
    if resolved.get("enum"):  # 说到了某个选项（按它的几种说法：主卧 ↔ master bedroom）
        return judge.mentioned(resolved["enum"], _Only(q, ctx.system)) is not None
    if sense == "money":
        return any(("money", ent.plain(v)) not in ctx.picked for v in ent.money(q))
    if sense == "time":
        return bool(ent.find("time", q))
    if sense in ("quantity", "degree", "percent"):
        return bool(ent.counted(q))
    if sense in ("origin", "destination", "city", "country"):
        return bool(places(q))
    if sense == "room":
        return _room(q) is not None
    if sense in ("order_id", "email", "url", "date", "phone", "last4"):
        return bool(ent.find(sense, q))
    return labeled(q, text.split_identifier(name)) is not None
