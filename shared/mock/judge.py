"""模拟模型的“判断”部分：结构化输出里的布尔值、枚举、理由、条目数。

真实模型填 `is_math_homework: bool`、`is_relevant: bool` 这类字段时，是读了指令、再看用户的消息下判断。
这里用同样的材料做同样的事，规则都是通用的、有名字的：

- 风险类判断（`RISKS`）：数学作业、越狱 / 提示词注入、个人敏感信息、辱骂、垃圾广告。字段名、字段描述或
  指令说的是哪一类，就用那一类的检测器看用户消息，命中为 True。
- 相关性判断（`RELEVANCE`）：指令列出了话题（“判断用户消息是否与电商客服相关（订单、物流、退款、商品）”），
  消息和这些话题有概念或词语重合、或者只是打招呼之类的寒暄、简短的追问（“那第二个呢”），算相关；
  话题里有订单时，带着订单号的消息（“查 A1003”）也算。指令里说“……判为不相关 / 无关”的那些行列的是
  反例，不算话题。
- 正面评价（`POSITIVE`）：good_quality、is_safe、verified……没有检测到风险就是 True。
- 字段名带否定（not_ / off_topic / unsafe / invalid）时结论取反。
"""

from __future__ import annotations

import re
from typing import Any

from shared.mock import text

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
    r"(?<!\d)1[3-9]\d{9}(?!\d)|\b\d{3}[-. ]\d{3}[-. ]\d{4}\b|\b\d{3}-\d{2}-\d{4}\b|[\w.+-]+@[\w-]+\.[\w.]+|"
    r"(?<!\d)\d{17}[\dXx](?!\d)|\bSSN\b|身份证号?|银行卡号",
    re.I,
)
ABUSE = re.compile(r"傻[逼bB]|他妈|妈的|滚蛋|去死|白痴|蠢货|废物|垃圾客服|\bstupid\b|\bidiot\b|\bfuck|\bshit\b|"
                   r"\bdamn\b|hate you|\bdumb\b", re.I)
SPAM = re.compile(r"加微信|加V|免费领|点击链接|刷单|兼职赚钱|贷款|buy now|click here|free money|limited offer|"
                  r"\bcrypto\b.*\bgiveaway", re.I)

# (类别, 看字段名 / 描述 / 指令时认出这一类的词, 检测器)
RISKS = (
    ("math", re.compile(r"math|homework|arithmetic|数学|作业|算术", re.I), MATH),
    ("jailbreak", re.compile(r"jailbreak|injection|bypass|override|manipulat|越狱|注入|绕过|篡改", re.I), JAILBREAK),
    ("pii", re.compile(r"pii|personal|sensitive|ssn|social.security|phone|e-?mail|隐私|敏感|个人信息|手机号|身份证", re.I), PII),
    ("abuse", re.compile(r"toxic|abus|offensive|insult|profan|hate|harass|辱骂|脏话|侮辱|攻击性|不文明", re.I), ABUSE),
    ("spam", re.compile(r"spam|advert|promotion|垃圾信息|广告|推销", re.I), SPAM),
)
RELEVANCE = re.compile(r"relevan|related|on.?topic|off.?topic|in.?scope|out.?of.?scope|相关|有关|范围|属于", re.I)
POSITIVE = re.compile(r"good|quality|valid|correct|complete|readable|verified|approved|safe|appropriate|pass|"
                      r"success|acceptable|allowed|合格|通过|有效|安全|正确|完整|可读", re.I)
NEGATED = re.compile(r"^(not|no|non|un|in|ir|off|out_of)[_-]?|_not_|unsafe|invalid|irrelevant|off.?topic|"
                     r"out.?of.?scope|不相关|无关", re.I)
CONVERSATIONAL = re.compile(r"^(?:(?:你好|您好|在吗|谢谢[你您]?|多谢|感谢|好的|好|嗯|哦|行|收到|知道了|明白了|没问题|再见|拜拜|"
                            r"ok|okay|thanks|thank you|thx|got it|great|sure|alright|bye|goodbye|see you|hi|hello|hey|"
                            r"yes|no|是的|对)"
                            r"[\s,，.!！。~?？]*)+$", re.I)
# 简短的追问：指回前面说过的东西，自己不带话题（“那第二个呢？”“这个多少钱”不算：它带着“价格”）
FOLLOW_UP = re.compile(r"那|这|它|呢|第[一二三四五六七八九十\d]+[个款件]|上面|刚才|\b(that|this|it|the other|"
                       r"the (first|second|last) one)\b", re.I)
NEGATIVE_TOPIC = re.compile(r"不相关|无关|不属于|不算相关|unrelated|not related|irrelevant|off.?topic|out of scope", re.I)
ORDER_REF = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,3}-?\d{3,}(?![A-Za-z0-9])")
SENTIMENT = {
    "positive": re.compile(r"好|棒|满意|喜欢|谢谢|赞|不错|great|good|love|thanks|excellent|happy", re.I),
    "negative": re.compile(r"差|烂|失望|生气|投诉|坏了|糟糕|垃圾|慢|太[\u4e00-\u9fff]{1,3}了|受不了|难受|不舒服|没法用|"
                           r"bad|terrible|angry|awful|broken|worst|hate|too (?:cold|hot|loud|slow|noisy)", re.I),
}
URGENT = re.compile(r"紧急|加急|马上|立刻|尽快|投诉|urgent|asap|immediately|emergency", re.I)
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "一": 1, "两": 2, "二": 2, "三": 3,
                "四": 4, "五": 5}


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
    for where in (own, context):
        for _, family, detector in RISKS:
            if family.search(where):
                return bool(detector.search(message)) != negated
        if RELEVANCE.search(where):
            return relevant(message, ctx.system) != negated
        if POSITIVE.search(where):
            risky = any(d.search(message) for _, _, d in RISKS[1:])
            return (not risky) != negated
    words = set(text.words(own)) - {"is", "has", "wants", "want", "needs", "need", "requires", "asks"}
    flat = re.sub(r"[\s_-]", "", message.lower())  # sci-fi / sci fi 都算 scifi
    if words and (words & set(text.words(message)) or any(len(w) >= 4 and w in flat for w in words)):
        return not negated
    # 英文字段名、中文消息（wants_reply ← “麻烦回复我”）：按字段词的中文叫法找
    chinese = {text.WORDS[w] for w in words if w in text.WORDS and len(text.WORDS[w]) >= 2}
    if chinese and any(zh in message for zh in chinese):
        return not negated
    default = schema.get("default")
    return bool(default) if default is not None else negated


def relevant(message: str, system: str) -> bool:
    """消息和指令列出的话题有没有关系；寒暄、简短的追问算相关。指令没列话题时默认相关。"""
    said = message.strip()
    concepts = text.concepts(said)
    if CONVERSATIONAL.match(said) or concepts == {"greet"}:
        return True
    if not concepts and len(said) <= 15 and FOLLOW_UP.search(said):
        return True
    lines = [ln for ln in re.split(r"[\n。;；]", system or "") if RELEVANCE.search(ln)]
    topic_lines = [ln for ln in lines if not NEGATIVE_TOPIC.search(ln)] or ([] if lines else [system or ""])
    topics = " ".join(topic_lines)
    topic_concepts = text.concepts(topics) - {"greet", "user", "lookup"}
    topic_words = set(text.words(topics))
    if not topic_concepts and not topic_words:
        return True
    if "order" in topic_concepts and ORDER_REF.search(said):  # “查 A1003”：带着订单号，就是在说订单
        return True
    return bool(concepts & topic_concepts or set(text.words(said)) & topic_words)


def choose(options: list, name: str, schema: dict, ctx: Any) -> Any:
    """枚举取值：原文提到的那个 → 概念对得上的那个 → 情绪 / 优先级这类常见判断 → 第一个。"""
    message = ctx.text
    low = message.lower()
    for option in options:
        o = str(option)
        if (o.lower() in low) if not text.CJK.search(o) and len(o) > 2 else o in message:
            return option
    q_concepts = text.concepts(message)
    for option in options:
        if text.concepts(str(option)) & q_concepts:
            return option
    lowered = {str(o).lower(): o for o in options}
    for mood, pattern in SENTIMENT.items():
        if mood in lowered and pattern.search(message):
            return lowered[mood]
    if "neutral" in lowered and any(m in lowered for m in SENTIMENT):
        return lowered["neutral"]
    for urgent in ("urgent", "high", "高", "紧急"):
        if urgent in lowered and URGENT.search(message):
            return lowered[urgent]
    for option in options:
        if str(option) in ctx.all_text:
            return option
    return options[0]


def rationale(ctx: Any) -> str:
    """理由字段的初稿；对象里有布尔判断时，settle() 会换成说明判断结果的句子。"""
    excerpt = short(ctx.text)
    return f'Based on the message "{excerpt}".' if ctx.english else f"依据用户的消息「{excerpt}」。"


def settle(out: dict, props: dict, ctx: Any) -> dict:
    """对象生成完之后：理由字段说明同一对象里布尔字段的判断结果。"""
    verdicts = [(k, v) for k, v in out.items() if isinstance(v, bool)]
    if not verdicts:
        return out
    for key in out:
        if isinstance(out[key], str) and re.search(r"reason|explanation|rationale|理由|原因|说明", key, re.I):
            out[key] = explain(verdicts, ctx)
    return out


def explain(verdicts: list[tuple[str, bool]], ctx: Any) -> str:
    excerpt = short(ctx.text)
    if ctx.english:
        parts = "; ".join(f"{' '.join(text.split_identifier(k))}: {'yes' if v else 'no'}" for k, v in verdicts)
        return f'The message "{excerpt}" was checked against the instructions — {parts}.'
    parts = "；".join(f"{' '.join(text.split_identifier(k))}：{'是' if v else '否'}" for k, v in verdicts)
    return f"按指令检查了用户消息「{excerpt}」——{parts}。"


def count_for(name: str, schema: dict, ctx: Any) -> int:
    """数组 / 映射要几个条目：问题或指令里说了“3 个笑话”“5 到 20 个搜索词”就照做（最多 3 个）。"""
    for source in (ctx.text, ctx.system):
        m = re.search(r"(\d+|one|two|three|four|five|[一两二三四五])\s*(?:到|至|-|–|to|and)?\s*\d*\s*"
                      r"(?:个|条|项|款|short |different |)?\s*[A-Za-z\u4e00-\u9fff]", source or "", re.I)
        if m:
            raw = m.group(1).lower()
            n = int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw, 2)
            if 0 < n <= 50:
                return max(1, min(n, 3))
    return 2


def score_for(name: str, schema: dict, ctx: Any) -> list[float]:
    """没有现成数字的评分类字段：给一个说得过去的值（置信度 0.9，有上下限时取偏上的位置）。"""
    if re.search(r"confidence|probability|置信", name, re.I):
        return [0.9]
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if lo is not None and hi is not None:
        return [lo + (hi - lo) * 0.8]
    return []


def short(value: str, limit: int = 24) -> str:
    """一小段摘录：第一行、去掉引号里的长内容，超长截断。"""
    first = value.strip().splitlines()[0] if value.strip() else ""
    first = re.sub(r"[「“\"][^」”\"]{12,}[」”\"]", "…", first)
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"
