"""判断：结构化输出和工具参数里要“下结论”的值——布尔判断、枚举、等级、类别、情绪、语言、开关。

真实模型填 `is_relevant: bool`、`priority: str` 这类字段时，是读了指令、再看用户的消息（和它前面的对话）
下判断。这里用同样的材料做同样的事，规则都是通用的、有名字的：

- 风险类判断（`RISKS`）：数学作业、越狱 / 提示词注入、个人敏感信息、辱骂、垃圾广告。字段名、字段描述或
  指令说的是哪一类，就用那一类的检测器看用户消息，命中为 True。
- 相关性判断（`relevant`）：**在对话里判断最新这句话**。问对话本身、道谢、确认、回答助手刚问的问题、
  接着上一句话的追问，都和上文同属一个话题，算相关；否则看消息和指令列出的话题（“订单、物流、退款、
  商品”）有没有概念或词语重合。指令里说“……判为不相关”的那些行列的是反例，不算话题。
- 正面评价（`POSITIVE`）：good_quality、is_safe、verified……没有检测到风险就是 True。
- 字段名带否定（not_ / off_topic / unsafe / invalid）时结论取反。
- 选一个的字符串（`listed` / `pick`）：指令或描述列了选项就从里面选；等级类按紧急程度（`urgency`），
  其余按原文和概念，什么都对不上时选“其他”。

判断的理由写成句子，由 render.py 来说（`render.verdicts`）。
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from shared.mock import entities as ent
from shared.mock import lexicon as lx
from shared.mock import render, text

MATH = re.compile(
    r"\d\s*[a-z]\s*[+\-*/=]|\b[a-z]\s*[+\-*/^=]\s*\d|\d+\s*[+\-*/×÷^]\s*\d+|\bsolve\b|\bequation|\bderivative|"
    r"\bintegral|\balgebra|\bhomework|方程|解题|求解|计算.{0,6}\d|\d.{0,6}等于|数学题|作业",
    re.I,
)
JAILBREAK = re.compile(
    r"ignore (all |any |the )?(previous|prior|above|earlier|your) (instructions|rules|prompts?)|"
    r"disregard (all |the |your )?(previous |prior )?(instructions|rules)|system prompt|developer mode|"
    r"(?<![A-Za-z])DAN(?![A-Za-z])|"
    r"jailbreak|pretend (you are|to be)|act as (an? )?(unfiltered|unrestricted)|no (restrictions|limits)|"
    r"reveal (your|the) (instructions|prompt)|bypass|"
    r"(repeat|print|show|output|reveal|display|tell me|give me|list|recite) (me )?(all )?(of )?"
    r"(your (system |hidden |initial |original |internal )?(instructions|prompt|rules)|"
    r"the (system|hidden|initial|original|internal) (instructions|prompt))|"
    r"忽略(之前|以上|前面|所有|你的).{0,4}(指令|规则|设定|提示)|系统提示词|提示词|越狱|开发者模式|不受(任何)?限制|"
    r"没有(任何)?(限制|约束)的|现在(你)?是.{0,8}没有(任何)?(限制|约束)|"
    r"扮演.{0,6}(没有|不受)|绕过|你的(指令|规则)是什么|把你的(指令|提示)|"
    r"(输出|打印|复述|重复|告诉我|说出|显示|列出|原样).{0,6}(你的|系统|内部|隐藏|初始)的?(指令|提示|设定|prompt)",
    re.I,
)
PII = re.compile(
    r"\b\d{3}[-. ]\d{3}[-. ]\d{4}\b|\b\d{3}-\d{2}-\d{4}\b|(?<!\d)\d{17}[\dXx](?!\d)|\bSSN\b|身份证号?|银行卡号",
    re.I,
)
ABUSE = re.compile(r"傻[逼bB]|他妈|妈的|滚蛋|去死|白痴|蠢货|废物|垃圾客服|\bstupid\b|\bidiot\b|\bfuck|\bshit\b|"
                   r"\bdamn\b|hate you|\bdumb\b", re.I)
SPAM = re.compile(r"加微信|加V|免费领|点击链接|刷单|兼职赚钱|贷款|buy now|click here|free money|limited offer|"
                  r"\bcrypto\b.*\bgiveaway", re.I)


class _Personal:
    """个人敏感信息：手机号、邮箱（实体表里的）加上证件号、SSN 这些说法。"""

    @staticmethod
    def search(message: str) -> bool:
        return bool(ent.find("phone", message) or ent.find("email", message) or PII.search(message))


# (类别, 看字段名 / 描述 / 指令时认出这一类的词, 检测器)
RISKS = (
    ("math", re.compile(r"math|homework|arithmetic|数学|作业|算术", re.I), MATH),
    ("jailbreak", re.compile(r"jailbreak|injection|bypass|override|manipulat|越狱|注入|绕过|篡改", re.I), JAILBREAK),
    ("pii", re.compile(r"pii|personal|sensitive|ssn|social.security|phone|e-?mail|隐私|敏感|个人信息|手机号|身份证", re.I),
     _Personal),
    ("abuse", re.compile(r"toxic|abus|offensive|insult|profan|hate|harass|辱骂|脏话|侮辱|攻击性|不文明", re.I), ABUSE),
    ("spam", re.compile(r"spam|advert|promotion|垃圾信息|广告|推销", re.I), SPAM),
)
RELEVANCE = re.compile(r"relevan|related|on.?topic|off.?topic|in.?scope|out.?of.?scope|相关|有关|范围|属于", re.I)
POSITIVE = re.compile(r"good|quality|valid|correct|complete|readable|verified|approved|safe|appropriate|pass|"
                      r"success|acceptable|allowed|合格|通过|有效|安全|正确|完整|可读", re.I)
NEGATED = re.compile(r"^(not|no|non|un|in|ir|off|out_of)[_-]?|_not_|unsafe|invalid|irrelevant|off.?topic|"
                     r"out.?of.?scope|不相关|无关", re.I)
NEGATIVE_TOPIC = re.compile(r"不相关|无关|不属于|不算相关|unrelated|not related|irrelevant|off.?topic|out of scope", re.I)
SENTIMENT = {"positive": re.compile(lx.POSITIVE_WORDS, re.I), "negative": re.compile(lx.NEGATIVE_WORDS, re.I)}
HURRY = re.compile(lx.HURRY, re.I)
RUSHED = re.compile(lx.RUSHED, re.I)
SERIOUS = re.compile(lx.SERIOUS, re.I)
CASUAL = re.compile(lx.CASUAL, re.I)
SWITCH_ON = re.compile(lx.SWITCH_ON, re.I)
SWITCH_OFF = re.compile(lx.SWITCH_OFF, re.I)
NUMBER_WORD = re.compile(r"(\d+|" + "|".join(list(lx.EN_NUMBERS)[:10]) + r"|[一两二三四五六七八九十])", re.I)


# ---------------------------------------------------------------- 布尔判断


def _predicate(name: str, schema: dict) -> str:
    return " ".join(text.split_identifier(name)) + " " + (schema.get("description") or "") + " " + (
        schema.get("title") or "")


def _instruction_lines(name: str, system: str) -> str:
    """指令里说到这个字段的句子；没有就是整段指令。"""
    words = [w.lower() for w in text.split_identifier(name) if len(w) > 2]
    lines = [ln for ln in re.split(r"[\n。.;；]", system or "") if name.lower() in ln.lower()
             or (words and all(w in ln.lower() for w in words))]
    return " ".join(lines) or (system or "")


def boolean(name: str, schema: dict, ctx: Any) -> bool:
    """按字段的含义和指令，对用户消息下一个是 / 否的判断。"""
    message = ctx.text
    own = _predicate(name, schema)
    context = own + " " + _instruction_lines(name, ctx.system)
    negated = bool(NEGATED.search(name))
    verdict_ = _family_verdict(own, message, ctx)
    if verdict_ is not None:
        return verdict_ != negated
    words = set(text.words(own)) - {"is", "has", "wants", "want", "needs", "need", "requires", "asks"}
    flat = re.sub(r"[\s_-]", "", message.lower())  # sci-fi / sci fi 都算 scifi
    if words and (words & set(text.words(message)) or any(len(w) >= 4 and w in flat for w in words)):
        return not negated  # 字段说的东西用户说到了（express ← “Express please”）
    verdict_ = _family_verdict(context, message, ctx)  # 再看指令怎么说这个判断
    if verdict_ is not None:
        return verdict_ != negated
    # 英文字段名、中文消息（wants_reply ← “麻烦回复我”）：按字段词的中文叫法找
    chinese = {lx.WORDS[w] for w in words if w in lx.WORDS and len(lx.WORDS[w]) >= 2}
    if chinese and any(zh in message for zh in chinese):
        return not negated
    default = schema.get("default")
    return bool(default) if default is not None else negated


def _family_verdict(where: str, message: str, ctx: Any) -> bool | None:
    """按这段说明属于哪一类判断（风险、相关性、正面评价）下结论；哪一类都不是返回 None。"""
    for _, family, detector in RISKS:
        if family.search(where):
            return bool(detector.search(message))
    if RELEVANCE.search(where):
        return relevant(message, ctx.system, getattr(ctx, "state", None))
    if POSITIVE.search(where):
        return not any(d.search(message) for _, _, d in RISKS[1:])
    return None


def relevant(message: str, system: str, state: Any = None) -> bool:
    """最新这句话和指令列出的话题有没有关系。在对话里判断：问对话本身、道谢、确认、回答助手刚问的、
    接着上文的追问，跟着上文算；寒暄、简短的应答算相关。指令没列话题时默认相关。"""
    said = message.strip()
    concepts = text.concepts(said)
    if concepts == {"greet"} or (state is not None and state.move in ("meta", "closing", "acknowledge", "decline")):
        return True
    lines = [ln for ln in re.split(r"[\n。;；]", system or "") if RELEVANCE.search(ln)]
    topic_lines = [ln for ln in lines if not NEGATIVE_TOPIC.search(ln)] or ([] if lines else [system or ""])
    topics = " ".join(topic_lines)
    topic_concepts = text.concepts(topics) - {"greet", "user", "lookup"}
    topic_words = set(text.words(topics))
    if not topic_concepts and not topic_words:
        return True

    def on_topic(value: str) -> bool:
        found = text.concepts(value)
        if "order" in topic_concepts and ent.find("order_id", value) and not found & lx.OFF_TOPIC:
            return True  # “查 A1003”“A1004 能不能先别发了”：带着订单号，就是在说订单（天气、新闻这类除外）
        return bool(found & topic_concepts or set(text.words(value)) & topic_words)

    if on_topic(said):
        return True
    # 接着上文说的：上文（助手上一句、这件事开头的那句话）在话题里，这句也在。这句自己没说到任何别的事
    # （“能不能改成周末再送”“ok go ahead then”）也算接着上文
    plain = not (concepts - CONTINUING) and not concepts & lx.OFF_TOPIC
    if state is not None and (state.move in ("confirm", "answer", "follow_up") or plain and state.previous_answer):
        context = " ".join((state.previous_answer, *state.request.sources[1:2]))
        return on_topic(context)
    return False


# 接着上文时常带着、却不说明话题的概念：改、提交、时间、查……
CONTINUING = frozenset({"greet", "user", "lookup", "change", "submit", "time", "eligibility"})


def switched(message: str) -> bool | None:
    """开关类参数：用户说的是开（True）还是关（False）；都没说返回 None。"""
    off, on = SWITCH_OFF.search(message), SWITCH_ON.search(message)
    if off and (not on or off.start() >= on.start()):
        return False
    return True if on else None


def verdict(name: str, schema: dict, message: str) -> bool | None:
    """“需要转人工吗”（needs_human、escalate）：投诉、要人工、问题严重又着急时为真；不是这类字段返回 None。"""
    hay = name + " " + str(schema.get("description") or "")
    if not HUMAN_FIELD.search(hay):
        return None
    return "complaint" in text.concepts(message) or urgency(message) >= 3


def rationale(ctx: Any) -> str:
    """理由字段的初稿；对象里有布尔判断时，settle() 会换成说明判断结果的句子。"""
    return render.based_on(ctx.text, ctx.english)


def settle(out: dict, props: dict, ctx: Any) -> dict:
    """对象生成完之后：理由字段说明同一对象里布尔字段的判断结果。"""
    verdicts = [(k, v) for k, v in out.items() if isinstance(v, bool)]
    if not verdicts:
        return out
    for key in out:
        if isinstance(out[key], str) and re.search(r"reason|explanation|rationale|理由|原因|说明", key, re.I):
            out[key] = render.verdicts(verdicts, ctx.text, ctx.english, getattr(ctx, "state", None))
    return out


def count_for(name: str, schema: dict, ctx: Any) -> int:
    """数组 / 映射要几个条目：问题或指令里说了“3 个笑话”“5 到 20 个搜索词”就照做（最多 3 个）。"""
    for source in (ctx.text, ctx.system):
        m = re.search(r"(\d+|one|two|three|four|five|[一两二三四五])\s*(?:到|至|-|–|to|and)?\s*\d*\s*"
                      r"(?:个|条|项|款|short |different |)?\s*[A-Za-z\u4e00-\u9fff]", source or "", re.I)
        if m:
            n = ent.as_number(m.group(1))
            if n is not None and 0 < n <= 50:
                return max(1, min(int(n), 3))
    return 2


def score_for(name: str, schema: dict, ctx: Any) -> list[float]:
    """没有现成数字的评分类字段：给一个说得过去的值（置信度 0.9，有上下限时取偏上的位置）。"""
    if re.search(r"confidence|probability|置信", name, re.I):
        return [0.9]
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if lo is not None and hi is not None:
        return [lo + (hi - lo) * 0.8]
    return []


# ---------------------------------------------------------------- 选一个：列出的选项、等级、类别

_RANK = {word: rank for rank, words in enumerate(lx.LEVELS) for word in words}
SEP = re.compile(r"\s*(?:/|\||、|，|,|或)\s*(?:or\s+)?|\s+or\s+")
OPTIONS_SPAN = re.compile(
    r"(?:取值|可选值?|选项|之一|one of|must be|either|options?|values?|\bas\b|\binto\b|[:：(（]|为|是|取|填)"
    r"\s*[:：]?\s*"
    r"((?:[`'\"“「]?[\w\u4e00-\u9fff-]{1,16}[`'\"”」]?(?:\s*(?:/|\||、|，|,|或)\s*(?:or\s+)?|\s+or\s+)){1,8}"
    r"[`'\"“「]?[\w\u4e00-\u9fff-]{1,16}[`'\"”」]?)"
    r"(?=\s*(?:$|[)）。.;；,，]|之一|中|等|其中|\bfor\b))", re.I)  # 选项列到这里为止，后面不再跟着别的话
SENTIMENT_FIELD = re.compile(r"sentiment|mood|tone|emotion|feeling|情绪|情感|语气", re.I)
LANGUAGE_FIELD = re.compile(r"^(?:lang|language|locale|detected_language|user_language|语言|语种)$", re.I)
HUMAN_FIELD = re.compile(r"human|escalat|handoff|transfer|agent_needed|人工|转接|升级", re.I)


def listed(name: str, schema: dict, system: str) -> list[str] | None:
    """字段描述或指令里列出的可选值：“low/medium/high”“category 取 物流、退款、投诉、其他 之一”。

    指令里只看紧跟在字段名（或它的中文叫法）后面的那一小段，免得把“需要用户提供订单号、原因”当成选项。"""
    found = _listed(name, str(schema.get("description") or ""), system or "")
    return list(found) if found else None


@lru_cache(maxsize=4096)
def _listed(name: str, description: str, system: str) -> tuple[str, ...] | None:
    places = [": " + description]  # 描述可以只是一串选项（“low, normal or urgent”）
    label = render.field_label(name, english=False) if name else ""
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
                return tuple(found)
    return None


def urgency(message: str) -> int:
    """消息的紧急程度：0 普通咨询，1 一般问题，2 严重问题，3 严重又催促。"""
    serious = bool(SERIOUS.search(message))
    rushed = bool(HURRY.search(message)) or message.count("!") + message.count("！") >= 2 or any(
        RUSHED.search(c.strip(" .")) for c in re.split(r"[，,。!！?？；;\n]+", message))
    if serious and rushed:
        return 3
    if serious or rushed:
        return 2
    return 0 if CASUAL.search(message.strip()) else 1


def _level(options: list, message: str) -> Any:
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


def category(message: str, english: bool) -> str:
    found = text.concepts(message)
    for concept, zh, en in lx.CATEGORIES:
        if concept in found:
            return en if english else zh
    return "general" if english else "一般咨询"


def sentiment(message: str, english: bool) -> str:
    """positive / negative / neutral（积极 / 消极 / 中性）：投诉、抱怨、东西坏了算消极，感谢、夸奖算积极。"""
    negative = bool(SENTIMENT["negative"].search(message) or SERIOUS.search(message))
    positive = bool(SENTIMENT["positive"].search(message)) and not negative
    mood = 0 if negative else 2 if positive else 1
    return (("negative", "neutral", "positive") if english else ("消极", "中性", "积极"))[mood]


def language(message: str, english: bool) -> str:
    """用户这句话的语言。"""
    said = "English" if text.is_english(message) else "Chinese" if text.CJK.search(message) else "unknown"
    if english:
        return said
    return {"English": "英文", "Chinese": "中文"}.get(said, "未知")


def _is_level(name: str, schema: dict, options: list | None = None) -> bool:
    """优先级、紧急程度、严重程度这类字段；或者选项本身就是一串等级词。"""
    if options and sum(str(o).lower() in _RANK for o in options) >= 2:
        return True
    hay = " ".join(text.split_identifier(name)).lower() + " " + str(schema.get("description") or "")
    return bool(re.search(r"priority|urgency|urgent|severity|importance|level|优先级|紧急|严重|等级", hay, re.I))


def pick(options: list, name: str, schema: dict, ctx: Any) -> Any:
    """从一组选项里选：等级类按紧急程度；其余按原文和概念，什么都对不上时选“其他”。"""
    if _is_level(name, schema, options) and sum(str(o).lower() in _RANK for o in options) >= 2:
        return _level(options, ctx.text)
    chosen = _choose(options, ctx)
    if chosen == options[0] and not _supported(chosen, ctx):
        return next((o for o in options if str(o).lower() in lx.OTHER_OPTIONS), chosen)
    return chosen


_GLOSS = re.compile(r"([A-Za-z][\w-]*)\s*[（(]\s*([^（）()]{1,12}?)\s*[）)]|([\u4e00-\u9fff]{1,8})\s*[（(]\s*([A-Za-z][\w -]{0,20}?)\s*[）)]")
_TERMS = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(lx.TERMS_ZH, key=len, reverse=True)) + r")s?\b", re.I)


def _aliases(option: str, system: str) -> set[str]:
    """一个选项的几种说法：它自己；指令里给它的注释（“checking (活期)”）；中英文对照（客厅 ↔ living room）。"""
    names = {option.lower()}
    for m in _GLOSS.finditer(system or ""):
        en, zh = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if option.lower() in (en.lower(), zh.lower()):
            names |= {en.lower(), zh.lower()}
    names |= {en for en, zh in lx.TERMS_ZH.items() if zh == option or en == option.lower()}
    names |= {lx.TERMS_ZH[option.lower()]} if option.lower() in lx.TERMS_ZH else set()
    return names


def _option_in(option: Any, said: str, system: str) -> bool:
    """原文说到了这个选项（按它的几种说法，英文按整词，数字按整个数：选项 5 不算“13812345678”里的 5）。"""
    low = said.lower()
    for name in _aliases(str(option), system):
        if name.isdigit() or re.fullmatch(r"\d+(?:\.\d+)?", name):
            hit = re.search(r"(?<![\d.])" + re.escape(name) + r"(?![\d.])", low)
        elif name.isascii() and len(name) > 2:
            hit = re.search(r"(?<![a-z])" + re.escape(name) + r"(?![a-z])", low)
        else:
            hit = name in low
        if hit:
            return True
        if name.isascii() and name.isalpha() and len(name) >= 6 and re.search(  # electric → electricity
                r"(?<![a-z])" + re.escape(name[:max(5, len(name) - 3)]) + r"[a-z]{0,3}(?![a-z])", low):
            return True
    return False


def _described_as(options: list, glossary: str) -> dict[Any, set[str]]:
    """说明里给选项的叫法（“套餐编码：S39 畅享 39，G99 5G 畅连 99”）：选项 → 只属于它的词和数（畅享、39、畅连、99）。"""
    tokens: dict[Any, set[str]] = {}
    for option in options:
        m = re.search(r"(?<![A-Za-z0-9])" + re.escape(str(option)) + r"(?![A-Za-z0-9])\s*[:：=]?\s*([^，,、;；。\n]{2,24})",
                      glossary or "")
        if not m or not isinstance(option, str) or not re.search(r"[A-Za-z]", option):
            continue
        words = {w for w in text.words(m.group(1)) if len(w) >= 2} | set(re.findall(r"\d{2,}", m.group(1)))
        tokens[option] = {w.lower() for w in words}
    shared = {w for a in tokens.values() for b in tokens.values() if a is not b for w in a & b}
    return {o: ws - shared for o, ws in tokens.items() if ws - shared}


_SYNONYMS = tuple((re.compile(a, re.I), b) for a, b in lx.OPTION_SYNONYMS)
_CN_COUNT = re.compile(r"[零一二两三四五六七八九十百]+(?=\s*(?:个|G\b|GB|位|人|晚|天|张|件|份|台))", re.I)


def normalized(source: str) -> str:
    """选项匹配用的原文：常见同义说法换成一样的，“五个G”里的中文数字换成阿拉伯数字。"""
    for pattern, same in _SYNONYMS:
        source = pattern.sub(same, source)
    return _CN_COUNT.sub(lambda m: str(ent.cn_number(m.group(0)) or m.group(0)), source)


def mentioned(options: list, ctx: Any) -> Any:
    """对话里（这句话优先，再往前）说到的那个选项；都没说到返回 None。选项是代码（G99）时，按说明里给它的叫法认
    （“129 那个家庭套餐” → G129）。"""
    glossary = _described_as(options, getattr(ctx, "glossary", "") or "")
    ranges = _time_ranges(options)
    for source in (*(getattr(ctx, "sources", None) or (ctx.text,)), *getattr(ctx, "results", ())):
        source = normalized(source)
        found = [o for o in options if _option_in(o, source, ctx.system)]
        if not found and ranges:  # 时段是“19:00-21:00”这种：按说到的上午 / 下午 / 晚上、几点认
            found = [o for o in [_range_for(ranges, source)] if o is not None]
        if not found and text.CJK.search(source):  # 英文选项、中文的话：选项逐词翻成中文对得上（中央车站）
            found = [o for o in options if (zh := render.option_zh(o)) and len(zh) >= 2 and zh in source]
        if not found:  # 中文选项：原文里有它的两个以上关键的字（“下月开始就行” → 下月生效）
            shared = _sharing(options, (source,))
            found = [shared] if shared is not None and _strongly(shared, source) else []
        if not found and glossary:
            low = source.lower()
            scored = sorted(((sum(1 for w in ws if (re.search(r"(?<!\d)" + w + r"(?!\d)", low) if w.isdigit()
                                                     else w in low)), o) for o, ws in glossary.items()),
                            key=lambda x: -x[0])
            if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
                found = [scored[0][1]]
        if found:
            return found[0]  # 最后才看前面工具结果里说到的（观影模式调的是客厅的灯）
    return None


_RANGE = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*[-–~至到]\s*(\d{1,2})(?::(\d{2}))?\s*$")
# 说到的时段 → 钟点范围（开始的钟点落在里面的那个选项）
_DAYPARTS = ((re.compile(r"凌晨|清早|early morning", re.I), 5, 9), (re.compile(r"上午|早上|早晨|\bmorning\b", re.I), 6, 12),
             (re.compile(r"中午|\bnoon\b|\blunch", re.I), 11, 14), (re.compile(r"下午|\bafternoon\b", re.I), 12, 18),
             (re.compile(r"傍晚|晚上|夜里|\bevening\b|\bnight\b|\btonight\b", re.I), 17, 24))


def _time_ranges(options: list) -> dict[Any, tuple[int, int]]:
    """选项都是钟点范围（09:00-12:00）：{选项: (开始分钟, 结束分钟)}；不是就返回空。"""
    found = {}
    for o in options:
        m = _RANGE.match(str(o))
        if not m:
            return {}
        found[o] = (int(m.group(1)) * 60 + int(m.group(2) or 0), int(m.group(3)) * 60 + int(m.group(4) or 0))
    return found


def _range_for(ranges: dict[Any, tuple[int, int]], source: str) -> Any:
    """这句话说的时段或钟点落在哪个范围里（“晚上”“6 点以后”“after 7pm”）：那个选项；说不准返回 None。"""
    clock = ent.first("time", source)
    minute = ent.to_clock(clock, source) if clock and re.search(r"\d|点|:|am|pm|o'?clock", clock, re.I) else None
    if minute:
        h, m = (int(x) for x in minute.split(":"))
        at = h * 60 + m
        hit = [o for o, (a, b) in ranges.items() if a <= at < b] or [o for o, (a, _) in ranges.items() if a >= at]
        if hit:
            return hit[0]
    said = sorted(((m.start(), lo, hi) for pattern, lo, hi in _DAYPARTS for m in pattern.finditer(source)), reverse=True)
    for _, lo, hi in said:  # 说了几个时段（“上午没空，换到晚上”）：最后说的那个
        hit = [o for o, (a, _) in ranges.items() if lo * 60 <= a < hi * 60]
        if len(hit) == 1:
            return hit[0]
    return None


def _choose(options: list, ctx: Any) -> Any:
    """枚举取值：原文提到的那个（这句话优先，再往前）→ 概念对得上的那个 → 开 / 关 → 情绪 / 优先级这类常见判断 → 第一个。"""
    message = ctx.text
    said = mentioned(options, ctx)
    if said is not None:
        return said
    shared = _sharing(options, getattr(ctx, "sources", None) or (message,))
    if shared is not None:  # 中文选项和原文共用关键的字（“车门被划了一道” → 车身划痕）
        return shared
    for source in getattr(ctx, "sources", None) or (message,):  # 概念对得上（“don't recognise” → suspicious_activity）
        q_concepts = text.concepts(source)
        for option in options:
            if text.concepts(" ".join(text.split_identifier(str(option))) or str(option)) & q_concepts:
                return option
    q_concepts = text.concepts(message)
    lowered = {str(o).lower(): o for o in options}
    state = switched(message)
    if state is not None and {"on", "off"} <= set(lowered):
        return lowered["on" if state else "off"]
    for mood, pattern in SENTIMENT.items():
        if mood in lowered and pattern.search(message):
            return lowered[mood]
    if "neutral" in lowered and any(m in lowered for m in SENTIMENT):
        return lowered["neutral"]
    for urgent in ("urgent", "high", "高", "紧急"):
        if urgent in lowered and (HURRY.search(message) or "complaint" in q_concepts):
            return lowered[urgent]
    for option in options:
        if str(option) in ctx.all_text:
            return option
    return options[0]


_COMMON_CHARS = frozenset("的了是在有我你他她它这那一不个人们吗呢吧啊么也都就还和与或要想能会可以到说中大小多少好")


def _sharing(options: list, sources) -> Any:
    """中文选项：原文（这句话优先，再往前）和哪个选项共用的字最多（常用虚字不算）；并列或都不共用返回 None。"""
    zh = [o for o in options if isinstance(o, str) and text.CJK.search(o)]
    if len(zh) < 2:
        return None
    for source in sources:
        chars = set(source) - _COMMON_CHARS
        scores = sorted(((len(set(o) & chars), o) for o in zh), key=lambda x: -x[0])
        if scores[0][0] > 0 and (len(scores) == 1 or scores[0][0] > scores[1][0]):
            return scores[0][1]
    return None


def decidable(options: list, name: str, schema: dict, ctx: Any) -> bool:
    """没说到任何选项时，能不能按意思选一个：等级、情绪、开关、有“其他”兜底，或者概念 / 字对得上。
    菜单栏目这类只能由用户说的选项不算——要问。"""
    if _is_level(name, schema, options) or any(str(o).lower() in lx.OTHER_OPTIONS for o in options):
        return True
    lowered = {str(o).lower() for o in options}
    if {"on", "off"} <= lowered or lowered & set(SENTIMENT) or {"true", "false"} <= lowered:
        return True
    sources = getattr(ctx, "sources", None) or (ctx.text,)
    if _sharing(options, sources) is not None:
        return True
    return any(text.concepts(" ".join(text.split_identifier(str(o))) or str(o)) & text.concepts(s)
               for s in sources for o in options)


def _strongly(option: Any, source: str) -> bool:
    """选项里至少有两个字出现在原文里（“下月生效” ↔ “下月开始就行”），才算说到了它。"""
    return len(set(str(option)) & (set(source) - _COMMON_CHARS)) >= 2


def _supported(option: Any, ctx: Any) -> bool:
    o = str(option)
    low = ctx.text.lower()
    return (o.lower() in low) or bool(text.concepts(o) & text.concepts(ctx.text)) or o in ctx.all_text \
        or _sharing([option, *getattr(ctx, "options", ())], (ctx.text,)) == option
