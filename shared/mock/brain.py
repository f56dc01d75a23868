"""模拟模型的“决策”部分：给定一段对话和可用工具，决定调用工具还是回答、回答什么。

两个 API（Chat Completions / Responses）的请求先被整理成同一种 `Conversation`，
`decide()` 返回一个 `Plan`，再由 `wire.py` 按各自的线上格式写出去。
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from shared.mock import extract
from shared.mock.extract import Context


@dataclass
class Call:
    name: str
    arguments: str
    call_id: str = ""


@dataclass
class Turn:
    role: str  # user / assistant / tool
    text: str = ""
    calls: list[Call] = field(default_factory=list)
    call_id: str = ""  # role == tool 时：回应哪个调用
    name: str = ""  # role == tool 时：工具名


@dataclass
class ToolSpec:
    name: str
    description: str
    parameters: dict
    hosted: bool = False  # web_search 等托管工具


@dataclass
class Conversation:
    system: str
    turns: list[Turn]
    tools: list[ToolSpec]
    tool_choice: Any = "auto"  # "auto" / "none" / "required" / 工具名
    parallel: bool = True
    schema: dict | None = None  # 要求输出 JSON Schema 时
    json_mode: bool = False
    reasoning: bool = False


@dataclass
class Plan:
    text: str | None = None
    calls: list[Call] = field(default_factory=list)
    reasoning: str | None = None
    web_search: str | None = None  # 托管 web_search 的搜索词
    citations: list[tuple[str, str]] = field(default_factory=list)  # (标题, URL)


MIN_SCORE = 1.0


def decide(conv: Conversation) -> Plan:
    last_user = max((i for i, t in enumerate(conv.turns) if t.role == "user"), default=-1)
    question = conv.turns[last_user].text if last_user >= 0 else ""
    since = conv.turns[last_user + 1 :]
    outputs = [t for t in since if t.role == "tool" and not t.name.startswith("transfer_to_")]
    blocked_transfers = _blocked_transfers(conv.turns, last_user)

    offered = functions = [t for t in conv.tools if not t.hosted]  # 词的区分度按全部工具算
    hosted = [t for t in conv.tools if t.hosted]
    if conv.tool_choice == "none":
        functions, hosted = [], []
    if blocked_transfers is not None:  # 这一轮已经交接过：不再来回踢皮球
        functions = [t for t in functions if t.name not in blocked_transfers
                     and (blocked_transfers or not t.name.startswith("transfer_to_"))]

    plan = Plan()
    named = conv.tool_choice if conv.tool_choice not in ("auto", "none", "required") else None
    must_call = named is not None or conv.tool_choice == "required"

    if named and any(t.name == named for t in functions):
        spec = next(t for t in functions if t.name == named)
        plan.calls = _calls_for(spec, question, conv.parallel)
    elif outputs and not must_call:
        pass  # 工具结果已经回来：下面据此作答
    elif functions:
        ranked = sorted(
            ((score(t, question, conv.system, offered), i, t) for i, t in enumerate(functions)),
            key=lambda x: (-x[0], x[1]),
        )
        best_score, _, best = ranked[0]
        if best_score >= MIN_SCORE or must_call:
            plan.calls = _calls_for(best, question, conv.parallel)
            if conv.parallel:  # 另一个工具也明显相关：并行一起调用
                for s, _, other in ranked[1:]:
                    if s >= max(MIN_SCORE * 2, best_score * 0.8) and not other.name.startswith(
                        "transfer_to_"
                    ) and not best.name.startswith("transfer_to_"):
                        plan.calls += _calls_for(other, question, conv.parallel)

    if not plan.calls and hosted and not outputs:
        if conv.tool_choice == "required" or _wants_search(question):
            plan.web_search = extract.keyword(question)

    if plan.calls:
        for c in plan.calls:
            c.call_id = "call_" + _digest(question, c.name, c.arguments, str(len(conv.turns)))
    else:
        plan.text = compose(conv, question, outputs, plan)

    if conv.reasoning:
        plan.reasoning = _reasoning(question, plan, outputs)
    return plan


def _blocked_transfers(turns: list[Turn], last_user: int) -> set[str] | None:
    """这一轮还能交接给谁。

    None：这一轮还没交接过，随意。空集合：交接过、又不知道这一轮从哪个 Agent 开始，那就不再交接
    （刚被转过来的专员直接处理）。非空集合：接着上一轮的对话（上一轮最后一次交接的目标就是本轮的起点），
    这些目标本轮已经到过，不能再转回去，但可以转给没到过的 Agent——专员把不归自己的问题交回前台，
    前台再分派出去。一轮最多交接三次。
    """
    def transfers(part: list[Turn]) -> list[str]:
        return [c.name for t in part for c in t.calls if c.name.startswith("transfer_to_")]

    now = transfers(turns[last_user + 1 :])
    if not now:
        return None
    before = transfers(turns[:last_user])
    if not before or len(now) >= 3:
        return set()
    return {before[-1], *now}


def _digest(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:24]


# ---------------------------------------------------------------- 工具打分与参数


def tool_text(spec: ToolSpec, system: str) -> str:
    """工具的“意思”：名字里的单词（含中文同义词）、描述、参数描述，以及指令里提到它的句子。"""
    words = extract.english_words(spec.name)
    parts = [spec.name, extract.expand(words), spec.description]
    for prop_name, prop in (spec.parameters.get("properties") or {}).items():
        if isinstance(prop, dict):
            parts.append(prop.get("description") or "")
            parts.append(extract.expand(extract.english_words(prop_name)))
    target = spec.name.removeprefix("transfer_to_")
    if system and target:
        aliases = {target, target.replace("_", " "), target.replace("_", "")}
        for sentence in re.split(r"[。\n;；]", system):
            low = sentence.lower()
            if any(a and a in low for a in aliases):
                parts.append(sentence)
    return " ".join(parts)


def score(spec: ToolSpec, question: str, system: str, others: list[ToolSpec]) -> float:
    mine = tool_text(spec, system)
    grams = extract.cjk_bigrams(question) & extract.cjk_bigrams(mine)
    total = 0.0
    for g in grams:  # 在好几个工具里都出现的词，区分度低
        shared = sum(1 for o in others if g in tool_text(o, system))
        total += 1.0 if shared <= 1 else 0.5 / (shared - 1) if len(others) > 1 else 1.0
    q_words = extract.english_words(question)
    total += len(q_words & extract.english_words(mine))
    total += 3.0 * len(_handback_topics(spec, system) & extract.cjk_bigrams(question))
    props = spec.parameters.get("properties") or {}
    semantics = {extract._semantic(n, p) for n, p in props.items() if isinstance(p, dict)}
    if "city" in semantics and extract.cities(question):
        total += 0.5
    if "order_id" in semantics and extract.order_ids(question):
        total += 1.0
    return total


HANDBACK = re.compile(r"不归|不属于|不负责|不是你|以外|之外|其他问题|其它问题")


def _handback_topics(spec: ToolSpec, system: str) -> set[str]:
    """指令里“X 这类不归你管的问题，交回 Y”：问到 X 时，交接给 Y 的工具明显胜出。"""
    if not spec.name.startswith("transfer_to_") or not system:
        return set()
    target = spec.name.removeprefix("transfer_to_")
    topics: set[str] = set()
    for sentence in re.split(r"[。\n;；]", system):
        if target in sentence.lower() and HANDBACK.search(sentence):
            topics |= extract.cjk_bigrams(HANDBACK.split(sentence)[0])
    return topics


def _calls_for(spec: ToolSpec, question: str, parallel: bool) -> list[Call]:
    """生成参数；一句话里有多个城市 / 订单号、而工具一次只收一个时，并行调用多次。"""
    params = spec.parameters or {"type": "object", "properties": {}}
    props = params.get("properties") or {}
    required = params.get("required") or list(props)
    ctx = Context(question)
    if parallel and len(required) == 1:
        only = required[0]
        prop = props.get(only) or {}
        semantic = extract._semantic(only, prop)
        many = {"city": extract.cities, "order_id": extract.order_ids}.get(semantic)
        if many and prop.get("type", "string") == "string":
            values = many(question)
            if len(values) > 1:
                calls = []
                for v in values:
                    args = extract.build_object(params, ctx)
                    args[only] = v
                    calls.append(Call(spec.name, json.dumps(args, ensure_ascii=False)))
                return calls
    return [Call(spec.name, json.dumps(extract.build_object(params, ctx), ensure_ascii=False))]


def _wants_search(question: str) -> bool:
    return bool(re.search(r"新闻|最新|今天|最近|搜索|搜一下|上网|查一查|news|latest|today|search", question, re.I))


# ---------------------------------------------------------------- 作答


def compose(conv: Conversation, question: str, outputs: list[Turn], plan: Plan) -> str:
    if plan.web_search:
        text, plan.citations = _search_answer(plan.web_search)
    elif outputs:
        text = _from_tool_results(outputs)
    else:
        text = _answer(conv, question)
    if conv.schema is not None:
        facts = []
        for t in reversed(outputs):
            try:
                facts.append(json.loads(t.text))
            except (ValueError, TypeError):
                facts.append(t.text)
        ctx = Context(question, facts, answer=text)
        return json.dumps(extract.build_object(conv.schema, ctx), ensure_ascii=False)
    if conv.json_mode:
        return json.dumps({"answer": text}, ensure_ascii=False)
    return text


def _render(value: Any, nested: bool = False) -> str:
    """把工具返回的 JSON 念出来：键：值，……；嵌套的对象放进括号，空值略过。"""
    if isinstance(value, dict):
        text = "，".join(f"{k}：{_render(v, True)}" for k, v in value.items() if v is not None)
        return f"（{text}）" if nested else text
    if isinstance(value, list):
        if not value:
            return "（空）"
        return "；".join(_render(v, True) for v in value[:5]) + ("……" if len(value) > 5 else "")
    return str(value)


def _from_tool_results(outputs: list[Turn]) -> str:
    lines = []
    for t in outputs:
        try:
            data = json.loads(t.text)
        except (ValueError, TypeError):
            data = t.text
        body = _render(data).strip() or "（工具没有返回内容）"
        lines.append(f"根据 {t.name or '工具'} 的结果：{body}")
    return "\n".join(lines)


def _search_answer(query: str) -> tuple[str, list[tuple[str, str]]]:
    slug = _digest(query)[:8]
    cites = [
        (f"模拟搜索结果一：{query}", f"https://example.com/mock-search/{slug}/1"),
        (f"模拟搜索结果二：{query}", f"https://example.com/mock-search/{slug}/2"),
    ]
    text = (
        f"我搜索了「{query}」，找到 2 条（模拟的）结果：\n"
        f"1. {cites[0][0]}\n2. {cites[1][0]}\n"
        "（内置模拟模型不联网，这些链接只是示意。）"
    )
    return text, cites


PERSONA = re.compile(r"你是(?:一[个位名])?([^，。,.\n；;！!]{2,24})")
SCOPE = re.compile(r"只(?:能|会)?回答(?:关于|和|与|有关)?(.{1,12}?)(?:相关|有关)?的?问题")
PREVIOUS_Q = re.compile(
    r"(刚才|刚刚|之前|上一[个句次]|前面|上次|第一个|最开始).{0,6}(问|说|提)|我(问|说)了(你)?(什么|啥)|"
    r"what did i (just )?(ask|say)",
    re.I,
)
MY_NAME = re.compile(r"我(?:叫|的名字是|是)([\u4e00-\u9fffA-Za-z]{1,8}?)(?:[，。,.!！]|$)")
ARITH = re.compile(r"^[\d\s.+\-*/×÷()（）]+$")


DUTY = re.compile(r"你(?:负责|专门处理|处理)([^，。,.\n；;：:]{2,16})")
NEEDS = re.compile(
    r"(?:需要(?:用户|客户|对方)?|(?:请|让)(?:用户|客户|对方))提供([^。；;\n（(]+?)(?:[（(][^）)]*[）)])?(?:[，,]?(?:并|然后|再)|[。；;]|$)"
)
SLOT_CHECKS = (
    (("订单",), lambda t: extract.order_ids(t)),
    (("日期", "时间", "几号"), lambda t: extract.dates(t)),
    (("人数", "数量", "几位", "几张"), lambda t: extract.quantities(t)),
    (("原因", "理由"), lambda t: re.search(r"因为|由于|原因|坏了|不想要|质量|发错|太大|太小", t)),
    (("城市", "目的地", "地点"), lambda t: extract.cities(t)),
    (("舱位", "座位"), lambda t: re.search(r"经济舱|商务舱|头等舱|硬座|卧铺|二等座|一等座", t)),
    (("手机", "电话"), lambda t: extract.PHONE.search(t)),
    (("邮箱",), lambda t: extract.EMAIL.search(t)),
)


def _persona(system: str) -> str:
    m = PERSONA.search(system)
    if m:
        return m.group(1).strip()
    duty = DUTY.search(system)
    return f"负责{duty.group(1).strip()}的助手" if duty else "智能助手"


def _slot_filling(system: str, users: list[str]) -> str | None:
    """指令写了“需要用户提供 A、B、C”：像真的客服一样，记下已有的，追问缺的。"""
    needs = NEEDS.search(system)
    if not needs:
        return None
    slots = [x.strip() for x in re.split(r"[、,，和及与/]", needs.group(1)) if x.strip()]
    text = " ".join(users)
    have, missing = [], []
    for slot in slots:
        check = next((fn for keys, fn in SLOT_CHECKS if any(k in slot for k in keys)), None)
        found = check(text) if check else (slot in text)
        (have if found else missing).append(slot)
    duty = DUTY.search(system)
    opening = f"好的，我来帮您处理{duty.group(1).strip()}。" if duty else "好的，我来帮您处理。"
    if not missing:
        return opening + f"您提供的{'、'.join(have)}我都记下了，正在为您办理，稍后给您答复。"
    noted = f"已记下：{'、'.join(have)}。" if have else ""
    return opening + noted + f"还需要您提供：{'、'.join(missing)}。"


def _answer(conv: Conversation, question: str) -> str:
    system = conv.system
    q = question.strip()
    english = bool(re.search(r"英文|英语|in english|english only", system, re.I))
    users = [t.text for t in conv.turns if t.role == "user"]

    if PREVIOUS_Q.search(q):
        earlier = users[:-1]
        if not earlier:
            return "这是我们对话中的第一个问题，您之前还没有问过我别的问题。"
        if re.search(r"第一个|最开始", q):
            return f"您问的第一个问题是：「{earlier[0]}」"
        verb = "说" if "说" in q and "问" not in q else "问"
        return f"您刚才{verb}的是：「{earlier[-1]}」"
    if re.search(r"我叫什么|我的名字", q):
        for text in reversed(users[:-1]):
            m = MY_NAME.search(text)
            if m:
                return f"您叫{m.group(1)}。"
        return "您还没有告诉我您的名字。"

    poem = re.search(r"([七五])言(绝句|律诗)?", system + q)
    if poem or re.search(r"写.{0,4}诗", q):
        return _poem(q, 7 if not poem or poem.group(1) == "七" else 5)

    scope = SCOPE.search(system)
    if scope:
        topic = scope.group(1)
        if not (extract.cjk_bigrams(topic) & extract.cjk_bigrams(q)) and topic not in q:
            if english:
                return f"Sorry, I can only answer questions about {topic}."
            return f"抱歉，我只能回答{topic}相关的问题。"

    persona = _persona(system)
    if re.search(r"你是谁|介绍一下你|你叫什么|who are you", q, re.I):
        skills = [t.description.split("。")[0] for t in conv.tools if t.description][:3]
        extra = f"我可以：{'；'.join(skills)}。" if skills else ""
        return f"我是{persona}。{extra}有什么可以帮您？"
    if re.fullmatch(r"(你好|您好|hi|hello|嗨|哈喽)[！!。.]*", q, re.I):
        return "Hello! How can I help you today?" if english else f"您好！我是{persona}，有什么可以帮您？"
    if re.search(r"谢谢|感谢|thank", q, re.I):
        return "不客气！还有其他问题随时问我。"
    expr = re.sub(r"(等于|是)?(多少|几)[？?]*$|=\s*[？?]*$", "", q)
    if ARITH.match(expr) and re.search(r"\d", expr) and re.search(r"[+\-*/×÷]", expr):
        return _arith(expr)
    if "故事" in q:
        return _story(q)

    slots = _slot_filling(system, users)
    if slots:
        return slots

    directive = ""
    for sentence in re.split(r"[。\n]", system):
        if sentence.strip().startswith("请") or "必须" in sentence:
            directive = sentence.strip()
            break
    if english:
        return (
            f"Regarding \"{q}\": this is a deterministic sample answer from the built-in mock model. "
            "Connect a real provider in .env for a real answer."
        )
    parts = [f"关于「{extract.keyword(q) or q}」："]
    if directive:
        parts.append(f"（按照指令“{directive}”作答）")
    parts.append(
        f"我是{persona}，目前运行在内置模拟模型上，不联网、也不做真正的推理，"
        "所以这里只是一段确定性的示例回答。在 .env 里配置真实模型后，就能得到真正的答案。"
    )
    if "代码" in system:
        parts.append("\n示例代码：\n```python\nprint(isinstance(3, int))  # True\n```")
    return "".join(parts)


_POEM_LINES = {
    "春": ("春风拂柳绿丝长", "燕子归来觅旧梁", "细雨无声润万物", "桃花笑对好时光"),
    "夏": ("荷叶田田映日红", "蝉鸣深树晚来风", "一池清水摇星影", "满院凉生月色中"),
    "秋": ("西风送爽雁南飞", "丹桂飘香染客衣", "满地黄花堆锦绣", "登高望远话依依"),
    "冬": ("朔风吹雪满山川", "寒梅一树傲霜天", "围炉煮酒邀知己", "静待春归又一年"),
    "月": ("一轮明月挂天边", "清辉洒落照无眠", "千里相思同此夜", "举杯遥寄故人前"),
    "": ("晨光初照满庭芳", "远山含翠水流长", "闲来静坐听松韵", "一卷诗书伴日长"),
}


def _poem(question: str, size: int) -> str:
    theme = next((k for k in ("春", "夏", "秋", "冬", "月") if k in question), "")
    lines = _POEM_LINES[theme]
    if size == 5:
        lines = tuple(line[:2] + line[4:] for line in lines)
    return "\n".join(f"{line}{'，' if i % 2 == 0 else '。'}" for i, line in enumerate(lines))


def _arith(expr: str) -> str:
    clean = expr.replace("×", "*").replace("÷", "/").replace("（", "(").replace("）", ")")
    try:
        value = eval(clean, {"__builtins__": {}}, {})  # 只含数字和运算符，已由正则保证
    except Exception:
        return f"「{expr.strip()}」不是一个能计算的算式。"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{expr.strip()} = {value}"


def _story(question: str) -> str:
    m = re.search(r"关于(.{1,10}?)的", question)
    hero = m.group(1) if m else "小星星"
    return (
        f"从前，有一个{hero}住在云朵后面的小山谷里。每天晚上，{hero}都会数一数天上的星星，"
        f"把最亮的那颗送给还没睡着的小朋友。今晚，{hero}轻轻地说：“闭上眼睛，好梦就来啦。”晚安。"
    )


def _reasoning(question: str, plan: Plan, outputs: list[Turn]) -> str:
    if plan.calls:
        names = "、".join(f"{c.name}({c.arguments})" for c in plan.calls)
        return f"用户的问题是「{question}」。现有信息不够，需要调用工具：{names}。"
    if plan.web_search:
        return f"用户的问题「{question}」需要最新信息，先用 web_search 搜索「{plan.web_search}」。"
    if outputs:
        return f"工具已经返回了结果（{'、'.join(t.name for t in outputs)}），据此整理答案。"
    return f"用户的问题是「{question}」，不需要工具，直接回答。"
