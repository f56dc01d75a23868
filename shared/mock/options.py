"""结构化输出里“选一个”的字符串字段：优先级、紧急程度、类别。

真实模型填 `priority: str`、`category: str` 时，会先看指令和字段描述有没有列出可选的值
（“priority 取 low / medium / high 之一”“类别：物流、退款、投诉、其他”），有就从里面选；
没有列就按消息本身说一个合适的词。这里做同样的事，规则都是通用的：

- `listed()`：字段描述、或指令里提到这个字段的那一行，列出的选项（斜杠、竖线、顿号、逗号分隔的短词）。
- `level()`：等级类的选项（低 / 中 / 高、low / medium / high / urgent、P0–P3）按消息的紧急程度选：
  催促和“坏了 / 投诉”这类问题偏高，普通咨询偏低，其余居中。
- `category()`：没有选项时，按消息的主要概念给一个类别词（退款、物流、投诉、售前咨询……）。
"""

from __future__ import annotations

import re
from typing import Any

from shared.mock import judge, text

# 等级词，从低到高。一组选项里认得出两个以上，就当作等级来选。
LEVELS: tuple[tuple[str, ...], ...] = (
    ("lowest", "trivial", "minor", "low", "低", "不急", "一般", "p3", "p4"),
    ("normal", "medium", "moderate", "mid", "中", "中等", "普通", "正常", "p2"),
    ("high", "major", "important", "高", "较高", "重要", "急", "p1"),
    ("urgent", "critical", "highest", "blocker", "emergency", "紧急", "非常紧急", "最高", "特急", "p0"),
)
_RANK = {word: rank for rank, words in enumerate(LEVELS) for word in words}
# 说明问题严重的说法：东西坏了、钱的问题、投诉、账户被锁……（不算催促，催促另算）
SERIOUS = re.compile(r"坏了|碎了|破了|漏|故障|不能用|用不了|打不开|闪退|崩溃|扣了两次|重复扣|多扣|被盗|盗刷|锁定|登不上|"
                     r"投诉|差评|太差|骗|丢了|丢件|没收到|错发|发错|安全|过敏|受伤|broken|damaged|crash|not working|"
                     r"doesn't work|charged twice|double charged|stolen|locked|hacked|complain|missing|never arrived|"
                     r"wrong item|injur|unsafe", re.I)
HURRY = re.compile(r"紧急|加急|马上|立刻|尽快|赶紧|急|\b(?:urgent(?:ly)?|asap|immediately|right now|right away)\b", re.I)
CASUAL = re.compile(r"^(?:请问|问一下|想问|咨询|了解|有没有|多少钱|推荐|how much|do you|is there|can you tell|"
                    r"what is|what's|i'd like to know)|[吗?？]\s*$", re.I)
SEP = re.compile(r"\s*(?:/|\||、|，|,|或)\s*(?:or\s+)?|\s+or\s+")
OPTIONS_SPAN = re.compile(
    r"(?:取值|可选值?|选项|之一|one of|must be|either|options?|values?|\bas\b|\binto\b|[:：(（]|为|是|取|填)"
    r"\s*[:：]?\s*"
    r"((?:[`'\"“「]?[\w\u4e00-\u9fff-]{1,16}[`'\"”」]?(?:\s*(?:/|\||、|，|,|或)\s*(?:or\s+)?|\s+or\s+)){1,8}"
    r"[`'\"“「]?[\w\u4e00-\u9fff-]{1,16}[`'\"”」]?)"
    r"(?=\s*(?:$|[)）。.;；,，]|之一|中|等|其中|\bfor\b))", re.I)  # 选项列到这里为止，后面不再跟着别的话


def listed(name: str, schema: dict, system: str) -> list[str] | None:
    """字段描述或指令里列出的可选值：“low/medium/high”“category 取 物流、退款、投诉、其他 之一”。

    指令里只看紧跟在字段名（或它的中文叫法）后面的那一小段，免得把“需要用户提供订单号、原因”当成选项。"""
    places = [": " + str(schema.get("description") or "")]  # 描述可以只是一串选项（“low, normal or urgent”）
    label = text.field_label(name, english=False) if name else ""
    mentions = [name] + ([label] if text.CJK.search(label) else [])
    for line in re.split(r"[\n。；;]", system or ""):
        for mention in mentions:
            m = re.search(r"(?<![A-Za-z0-9_])" + re.escape(mention) + r"(?![A-Za-z0-9_])", line, re.I)
            if m:
                places.append(line[m.end(): m.end() + 60])
                break
    for place in places:
        m = OPTIONS_SPAN.search(place)
        if m and (place is places[0] or m.start() <= 8):
            found = [o.strip(" `'\"“”「」") for o in SEP.split(m.group(1))]
            found = [o for o in found if o and o.lower() not in ("or", "或")]
            if len(found) == 2 and not re.search(r"/|\||或|\bor\b", m.group(1)):
                continue  # 逗号隔开的两段多半是一句话（“问题描述，尽量具体”），不是选项
            if 2 <= len(found) <= 8 and len(set(found)) == len(found) and all(len(o) <= 12 for o in found):
                return found
    return None


def is_level(name: str, schema: dict, options: list | None = None) -> bool:
    """优先级、紧急程度、严重程度这类字段；或者选项本身就是一串等级词。"""
    if options and sum(str(o).lower() in _RANK for o in options) >= 2:
        return True
    hay = " ".join(text.split_identifier(name)).lower() + " " + str(schema.get("description") or "")
    return bool(re.search(r"priority|urgency|urgent|severity|importance|level|优先级|紧急|严重|等级", hay, re.I))


def urgency(message: str) -> int:
    """消息的紧急程度：0 普通咨询，1 一般问题，2 严重问题，3 严重又催促。"""
    serious = bool(SERIOUS.search(message))
    rushed = bool(HURRY.search(message)) or message.count("!") + message.count("！") >= 2
    if serious and rushed:
        return 3
    if serious or rushed:
        return 2
    return 0 if CASUAL.search(message.strip()) else 1


def level(options: list, message: str) -> Any:
    """从等级选项里按紧急程度选：认得出的选项排成从低到高，取最接近的那一个。"""
    ranked = sorted((o for o in options if str(o).lower() in _RANK), key=lambda o: _RANK[str(o).lower()])
    if not ranked:
        return options[0]
    want = urgency(message)
    return min(ranked, key=lambda o: (abs(_RANK[str(o).lower()] - want), -_RANK[str(o).lower()]))


def level_word(message: str, english: bool) -> str:
    """没有列选项的等级字段：high / medium / low（高 / 中 / 低）。"""
    words = ("low", "medium", "high", "urgent") if english else ("低", "中", "高", "紧急")
    return words[urgency(message)]


# 概念 → 类别词 (中文, English)，按优先顺序：投诉比物流更能说明要怎么处理。
CATEGORIES = (
    ("complaint", "投诉", "complaint"), ("refund", "退款", "refund"), ("pay", "支付", "billing"),
    ("account", "账户", "account"), ("tech", "技术故障", "technical"), ("track", "物流", "shipping"),
    ("booking", "预订", "booking"), ("shop", "售前咨询", "pre-sales"), ("item", "售前咨询", "pre-sales"),
    ("policy", "政策咨询", "policy"), ("order", "订单", "order"), ("weather", "天气", "weather"),
)


def category(message: str, english: bool) -> str:
    found = text.concepts(message)
    for concept, zh, en in CATEGORIES:
        if concept in found:
            return en if english else zh
    return "general" if english else "一般咨询"


OTHER = {"other", "others", "general", "misc", "unknown", "其他", "其它", "一般", "一般咨询", "未知"}


def pick(options: list, name: str, schema: dict, ctx: Any) -> Any:
    """从一组选项里选：等级类按紧急程度；其余按原文和概念（judge.choose），什么都对不上时选“其他”。"""
    if is_level(name, schema, options) and sum(str(o).lower() in _RANK for o in options) >= 2:
        return level(options, ctx.text)
    chosen = judge.choose(options, name, schema, ctx)
    if chosen == options[0] and not _supported(chosen, ctx):
        return next((o for o in options if str(o).lower() in OTHER), chosen)
    return chosen


def _supported(option: Any, ctx: Any) -> bool:
    o = str(option)
    low = ctx.text.lower()
    return (o.lower() in low) or bool(text.concepts(o) & text.concepts(ctx.text)) or o in ctx.all_text


# ---------------------------------------------------------------- 情绪、语言、要不要转人工

SENTIMENT_FIELD = re.compile(r"sentiment|mood|tone|emotion|feeling|情绪|情感|语气", re.I)
LANGUAGE_FIELD = re.compile(r"^(?:lang|language|locale|detected_language|user_language|语言|语种)$", re.I)
HUMAN_FIELD = re.compile(r"human|escalat|handoff|transfer|agent_needed|人工|转接|升级", re.I)


def sentiment(message: str, english: bool) -> str:
    """positive / negative / neutral（积极 / 消极 / 中性）：投诉、抱怨、东西坏了算消极，感谢、夸奖算积极。"""
    negative = bool(judge.SENTIMENT["negative"].search(message) or SERIOUS.search(message))
    positive = bool(judge.SENTIMENT["positive"].search(message)) and not negative
    mood = 0 if negative else 2 if positive else 1
    return (("negative", "neutral", "positive") if english else ("消极", "中性", "积极"))[mood]


def language(message: str, english: bool) -> str:
    """用户这句话的语言。"""
    said = "English" if text.is_english(message) else "Chinese" if text.CJK.search(message) else "unknown"
    if english:
        return said
    return {"English": "英文", "Chinese": "中文"}.get(said, "未知")


def verdict(name: str, schema: dict, message: str) -> bool | None:
    """“需要转人工吗”（needs_human、escalate）：投诉、要人工、问题严重又着急时为真；不是这类字段返回 None。"""
    hay = name + " " + str(schema.get("description") or "")
    if not HUMAN_FIELD.search(hay):
        return None
    return "complaint" in text.concepts(message) or urgency(message) >= 3
