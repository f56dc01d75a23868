"""模拟模型的“理解”部分：从文本里抽取实体、给工具打分、按 JSON Schema 生成参数。

全部是确定性的规则：同样的输入永远得到同样的输出。这里不认识任何一节课的措辞，
只认识通用的东西（城市名、订单号、金额、日期、工具名里的英文单词……）。
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

CJK = re.compile(r"[\u4e00-\u9fff]")
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
WORDS = re.compile(r"[A-Za-z]+")

CITIES = (
    "北京 上海 广州 深圳 武汉 杭州 南京 成都 重庆 天津 西安 苏州 长沙 郑州 青岛 厦门 "
    "沈阳 大连 哈尔滨 长春 济南 合肥 福州 南昌 昆明 贵阳 南宁 海口 三亚 兰州 西宁 银川 "
    "呼和浩特 乌鲁木齐 拉萨 石家庄 太原 宁波 无锡 佛山 东莞 珠海 温州 桂林 丽江 香港 澳门 台北 "
    "东京 大阪 首尔 纽约 伦敦 巴黎 柏林 悉尼 新加坡 曼谷 洛杉矶 旧金山 莫斯科 迪拜"
).split()
CITIES_EN = {
    "beijing": "Beijing", "shanghai": "Shanghai", "wuhan": "Wuhan", "shenzhen": "Shenzhen",
    "guangzhou": "Guangzhou", "hangzhou": "Hangzhou", "tokyo": "Tokyo", "london": "London",
    "paris": "Paris", "new york": "New York", "berlin": "Berlin", "sydney": "Sydney",
    "singapore": "Singapore", "seoul": "Seoul", "san francisco": "San Francisco",
}
_CITY_RE = re.compile("|".join(sorted(CITIES, key=len, reverse=True)))
_CITY_EN_RE = re.compile(r"\b(" + "|".join(CITIES_EN) + r")\b", re.I)

ORDER_ID = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,4}-?\d{3,}|\d{5,})(?![A-Za-z0-9])")
DATE = re.compile(
    r"\d{4}[-/年]\d{1,2}[-/月]\d{1,2}[日号]?|\d{1,2}月\d{1,2}[日号]|今天|明天|后天|昨天|"
    r"下?周[一二三四五六日天]|\d{1,2}/\d{1,2}"
)
MONEY = re.compile(r"(?:[¥￥$]\s*)(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:元|块|美元|rmb|RMB|yuan)")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
QUANTITY = re.compile(r"(\d+)\s*(?:件|个|张|人|位|台|份|瓶|盒|双|本|晚|天|次)")
CN_DIGITS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
CN_QUANTITY = re.compile(r"([一两二三四五六七八九十])\s*(?:件|个|张|人|位|台|份|瓶|盒|双|本|晚|次)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

# 英文工具名 / 参数名里的单词 → 中文里常见的说法。这是通用的词典，不是某节课的问题。
SYNONYMS: dict[str, tuple[str, ...]] = {
    "weather": ("天气", "气温", "下雨", "晴", "温度", "冷", "热"),
    "forecast": ("天气", "预报"),
    "temperature": ("气温", "温度"),
    "order": ("订单", "下单", "买的", "购买"),
    "orders": ("订单",),
    "status": ("状态", "进度", "到哪"),
    "refund": ("退款", "退货", "退钱", "退费"),
    "refunds": ("退款",),
    "return": ("退货",),
    "product": ("商品", "产品", "货品", "东西", "型号"),
    "products": ("商品", "产品"),
    "item": ("商品",),
    "search": ("搜索", "查找", "找", "有没有"),
    "price": ("价格", "多少钱", "价钱", "报价", "费用"),
    "calculate": ("计算", "算", "总价", "合计", "折扣"),
    "discount": ("折扣", "优惠", "打折"),
    "currency": ("汇率", "换算", "货币"),
    "convert": ("换算", "转换"),
    "ticket": ("工单", "投诉", "反馈", "报修"),
    "complaint": ("投诉",),
    "logistics": ("物流", "快递", "发货", "配送", "到哪", "运单"),
    "shipment": ("物流", "快递", "发货", "包裹"),
    "shipping": ("物流", "快递", "运费", "发货"),
    "track": ("物流", "跟踪", "快递", "到哪"),
    "tracking": ("物流", "快递", "运单"),
    "delivery": ("配送", "送达", "快递"),
    "booking": ("订票", "预订", "预定", "订房", "机票", "酒店", "改签"),
    "book": ("订票", "预订", "预定"),
    "flight": ("航班", "机票", "飞机"),
    "hotel": ("酒店", "订房", "住宿"),
    "email": ("邮件", "邮箱"),
    "send": ("发送",),
    "file": ("文件",),
    "read": ("读取", "读"),
    "report": ("报告", "报表"),
    "news": ("新闻", "资讯", "消息"),
    "time": ("时间", "几点"),
    "date": ("日期", "几号"),
    "stock": ("库存", "有货", "现货"),
    "inventory": ("库存",),
    "invoice": ("发票",),
    "payment": ("支付", "付款"),
    "finance": ("财务", "发票", "付款", "账单"),
    "account": ("账户", "账号"),
    "faq": ("常见问题", "政策", "规则"),
    "policy": ("政策", "规则", "规定"),
    "sales": ("售前", "购买", "推荐", "选购"),
    "presales": ("售前", "推荐", "选购"),
    "aftersales": ("售后", "退货", "维修", "换货"),
    "support": ("支持", "故障", "维修"),
    "recommend": ("推荐",),
    "translate": ("翻译",),
    "math": ("计算", "数学"),
}

# 出现在几乎所有工具描述里、不说明用途的双字词。
STOP_BIGRAMS = set(
    "信息 一下 帮我 请问 可以 什么 怎么 这个 那个 一个 用户 问题 需要 进行 获取 指定 提供 处理 根据 "
    "如果 我们 你们 是否 相关 请求 工具 助手 调用 返回 结果 内容 当前 时候 可能 所有 负责 的问 想要 "
    "你是 我是 一位 专家 智能 客服 回答 告诉 知道 现在 今天 给我 我的 你的 看看 查一 一查 查查".split()
)
STOP_WORDS = {"get", "the", "and", "for", "with", "agent", "transfer", "tool", "handle", "request",
              "handoff", "to", "of", "a", "an", "info", "data", "by", "id", "query", "check", "list"}
FILLER = re.compile(
    r"^(请问|请|帮我|麻烦|能不能|可以|我想|我要|想|给我)+|"
    r"(查一下|查询一下|查询|查查|搜一下|搜索|找一下|看看|看一下|有没有|一下|吗|呢|吧|呀|啊|？|\?|。|！|!)"
)


def cjk_bigrams(text: str) -> set[str]:
    grams: set[str] = set()
    for run in CJK_RUN.findall(text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams - STOP_BIGRAMS


def english_words(text: str) -> set[str]:
    # 拆开 snake_case / camelCase：get_weather → get, weather；queryOrder → query, order
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).replace("_", " ").replace("-", " ")
    return {w.lower() for w in WORDS.findall(spaced) if len(w) > 1} - STOP_WORDS


def expand(words: set[str]) -> str:
    """英文单词 → 中文同义词，拼成一段可以和用户中文提问比对的文本。"""
    return " ".join(s for w in words for s in SYNONYMS.get(w, ()))


# ---------------------------------------------------------------- 实体


def cities(text: str) -> list[str]:
    found = [m.group(0) for m in _CITY_RE.finditer(text)]
    found += [CITIES_EN[m.group(1).lower()] for m in _CITY_EN_RE.finditer(text)]
    return list(dict.fromkeys(found))


def order_ids(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(1) for m in ORDER_ID.finditer(text)))


def dates(text: str) -> list[str]:
    return [m.group(0) for m in DATE.finditer(text)]


def money(text: str) -> list[float]:
    return [float(a or b) for a, b in MONEY.findall(text)]


def quantities(text: str) -> list[int]:
    found = [int(n) for n in QUANTITY.findall(text)]
    return found + [CN_DIGITS[c] for c in CN_QUANTITY.findall(text)]


def numbers(text: str) -> list[float]:
    skip = set(order_ids(text))
    return [float(n) for n in NUMBER.findall(text) if n.lstrip("-") not in skip]


def keyword(text: str) -> str:
    """去掉“帮我查一下……吗”之类的口头语，留下要搜的东西。"""
    core = FILLER.sub("", text).strip(" ，,。.？?！!")
    core = re.sub(r"^(的|有)", "", core)
    return core or text.strip()


def estimate_tokens(text: str) -> int:
    cjk = len(CJK.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 4)


# ---------------------------------------------------------------- 按 JSON Schema 生成值


def _resolve(schema: dict, root: dict) -> dict:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        node: Any = root
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return _resolve(node, root) if isinstance(node, dict) else {}
    for key in ("anyOf", "oneOf", "allOf"):
        options = schema.get(key)
        if options:
            non_null = [o for o in options if isinstance(o, dict) and o.get("type") != "null"]
            merged = {k: v for k, v in schema.items() if k != key}
            merged.update(_resolve(non_null[0] if non_null else options[0], root))
            return merged
    return schema


def _type_of(schema: dict) -> str:
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "string")
    if t:
        return t
    if "properties" in schema:
        return "object"
    if "enum" in schema:
        return "string"
    return "string"


class Context:
    """生成参数时可用的材料：用户这句话，以及（结构化输出时）工具返回的数据。"""

    def __init__(self, text: str, facts: list[Any] | None = None, answer: str = "") -> None:
        self.text = text
        self.facts = facts or []  # 工具返回的 JSON 对象（dict），按时间倒序
        self.answer = answer or text
        self.all_text = text + " " + " ".join(
            json.dumps(f, ensure_ascii=False) if not isinstance(f, str) else f for f in self.facts
        )

    def fact(self, name: str) -> Any:
        wanted = name.lower()
        for fact in self.facts:
            found = _find_key(fact, wanted)
            if found is not None:
                return found
        return None


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


def _semantic(name: str, schema: dict) -> str:
    """参数是什么意思：看参数名和描述。"""
    words = english_words(name) | {name.lower()}
    desc = (schema.get("description") or "") + " " + (schema.get("title") or "")
    hay = " ".join(words) + " " + desc.lower()

    def has(*keys: str) -> bool:
        return any(k in hay for k in keys)

    if has("city", "location", "place", "destination", "城市", "地点", "地区"):
        return "city"
    if has("order", "订单") and has("id", "no", "number", "num", "号", "编号"):
        return "order_id"
    if has("tracking", "运单", "waybill"):
        return "order_id"
    if has("email", "邮箱"):
        return "email"
    if has("phone", "mobile", "电话", "手机"):
        return "phone"
    if has("date", "day", "日期", "时间", "when"):
        return "date"
    if has("amount", "price", "money", "cost", "total", "金额", "价格", "费用", "budget", "预算"):
        return "money"
    if has("quantity", "count", "qty", "number of", "num", "数量", "人数", "passenger", "guests"):
        return "quantity"
    if has("reason", "原因", "理由"):
        return "reason"
    if has("keyword", "query", "search", "product", "关键词", "商品", "name", "名称", "topic"):
        return "keyword"
    if has("input", "question", "message", "request", "text", "content", "prompt", "问题", "内容",
           "answer", "reply", "response", "summary", "description", "描述", "回答"):
        return "text"
    return "other"


def value_for(name: str, schema: dict, ctx: Context, root: dict | None = None) -> Any:
    """给一个参数（或结构化输出的一个字段）挑一个值。"""
    root = root or schema
    schema = _resolve(schema, root)
    kind = _type_of(schema)

    if "const" in schema:
        return schema["const"]
    known = ctx.fact(name) if name else None  # 工具结果里有同名字段，直接用
    enum = schema.get("enum")
    if enum:
        if known in enum:
            return known
        for option in enum:
            option_words = english_words(str(option)) | {str(option)}
            if str(option) in ctx.all_text or any(
                s in ctx.text for w in option_words for s in SYNONYMS.get(w, ())
            ):
                return option
        return enum[0]

    if kind == "object":
        return build_object(schema, ctx, root)
    if kind == "array":
        items = schema.get("items") or {"type": "string"}
        resolved = _resolve(items, root)
        if _type_of(resolved) == "object":
            return [build_object(resolved, ctx, root)]
        semantic = _semantic(name, schema)
        many = {"city": cities, "order_id": order_ids, "date": dates}.get(semantic)
        values = many(ctx.text) if many else []
        return values or [value_for(name, resolved, ctx, root)]

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

    semantic = _semantic(name, schema)
    default = schema.get("default")
    if kind == "boolean":
        return bool(default) if default is not None else False
    if kind in ("integer", "number"):
        pools = {
            "money": money(ctx.text) or numbers(ctx.text),
            "quantity": quantities(ctx.text) or [1],
        }
        pool = pools.get(semantic) or numbers(ctx.text)
        value = pool[0] if pool else (default if default is not None else 1)
        lo, hi = schema.get("minimum"), schema.get("maximum")
        if lo is not None:
            value = max(value, lo)
        if hi is not None:
            value = min(value, hi)
        return int(value) if kind == "integer" else float(value)

    # 字符串
    if semantic == "city":
        found = cities(ctx.all_text)
        return found[0] if found else (default or "北京")
    if semantic == "order_id":
        found = order_ids(ctx.all_text)
        return found[0] if found else (default or "未提供")
    if semantic == "date":
        found = dates(ctx.all_text)
        return found[0] if found else (default or "今天")
    if semantic == "email":
        found = EMAIL.findall(ctx.all_text)
        return found[0] if found else (default or "user@example.com")
    if semantic == "phone":
        found = PHONE.findall(ctx.all_text)
        return found[0] if found else (default or "13800000000")
    if semantic == "money":
        found = money(ctx.text) or numbers(ctx.text)
        return str(found[0]) if found else (default or "0")
    if semantic == "reason":
        m = re.search(r"(因为|由于|原因是)(.+?)([，。,.!！?？]|$)", ctx.text)
        return m.group(2) if m else ctx.text.strip()
    if semantic == "keyword":
        return keyword(ctx.text)
    if semantic == "text":
        return ctx.answer
    if default is not None:
        return str(default)
    return keyword(ctx.text)


def build_object(schema: dict, ctx: Context, root: dict | None = None) -> dict:
    """按 schema 生成对象：必填字段都填；选填字段有把握时才填。"""
    root = root or schema
    schema = _resolve(schema, root)
    props: dict = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    strict = schema.get("additionalProperties") is False
    out: dict[str, Any] = {}
    for name, prop in props.items():
        if name in required or strict:
            out[name] = value_for(name, prop, ctx, root)
        elif ctx.fact(name) is not None or _semantic(name, prop) in ("city", "order_id"):
            value = value_for(name, prop, ctx, root)
            if value not in ("未提供", None):
                out[name] = value
    return out
