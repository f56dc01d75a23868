"""决定：给定一段对话和可用工具，调用工具还是回答、回答哪一种。所有决定都在 `decide()` 这一处：

    读   wire.py 已把请求读成 Conversation；state.read() 读整段对话 → DialogueState（这句话和前文的关系、
         要办的事、助手上一句问过 / 提议过什么）
    定   指定工具 / 据工具结果作答 / 选工具（route.py）/ 问清意图 / 要缺的信息 / 托管搜索 / 直接回答
    填   工具参数、结构化输出（fill.py，判断类的值由 judge.py 下）
    说   每一句话都由 render.py 写

规则都是通用的、有名字的，读的是请求本身（指令、工具名、描述、schema、历史），不认识任何一节课或测试的
措辞。直接回答时按有序的规则表 `REPLIES` 走，第一条适用的规则作答。回归网是 tests/mock_corpus.txt（一句话
选哪个工具）和 tests/mock_dialogues.txt（多轮对话）。
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from shared.mock import entities as ent
from shared.mock import fill, render, route, state, text
from shared.mock import lexicon as lx
from shared.mock.conversation import Call, Conversation, Plan, ToolSpec, Turn

__all__ = ["Call", "Conversation", "Plan", "ToolSpec", "Turn", "decide", "reply_in_english"]

MONEY_OPTIONAL = re.compile(r"没有就|没有则|如有|可选|可为空|空字符串|optional|if any|if available|or empty", re.I)
SEARCH_RULE = re.compile(r"\b(use|uses|using) (the )?web[ _]?search|search(es)? the web|搜索|上网查|联网查", re.I)
WANTS_SEARCH = re.compile(r"新闻|最新|今天|最近|搜索|搜一下|上网|查一查|news|latest|today|search|look up|find", re.I)


@dataclass
class Situation:
    """一次决策要看的全部材料。"""

    conv: Conversation
    state: state.DialogueState
    english: bool
    outputs: list[Turn]  # 这一轮已经回来的工具结果（不含交接）

    @property
    def question(self) -> str:
        return self.state.question


def decide(conv: Conversation) -> Plan:
    dialogue = state.read(conv)
    question = dialogue.question
    english = reply_in_english(conv.system, question)
    last_user = max((i for i, t in enumerate(conv.turns) if t.role == "user"), default=-1)
    since = conv.turns[last_user + 1 :]
    outputs = [t for t in since if t.role == "tool" and not t.name.startswith("transfer_to_")]
    s = Situation(conv, dialogue, english, outputs)
    blocked_transfers = _blocked_transfers(conv.turns, last_user)

    offered = functions = conv.functions  # 词的区分度按全部工具算
    hosted = [t for t in conv.tools if t.hosted]
    if conv.tool_choice == "none":
        functions, hosted = [], []
    if blocked_transfers is not None:  # 这一轮已经交接过：不再来回踢皮球
        functions = [t for t in functions if t.name not in blocked_transfers
                     and (blocked_transfers or not t.name.startswith("transfer_to_"))]

    plan = Plan()
    named = conv.tool_choice if conv.tool_choice not in ("auto", "none", "required") else None
    must_call = named is not None or conv.tool_choice == "required"
    clarification = None
    request = dialogue.request

    recalled = None if outputs or must_call else _recall(s)
    if named and any(t.name == named for t in functions):
        plan.calls = _calls_for(_spec(functions, named), s)
    elif outputs and not must_call:
        pass  # 工具结果已经回来：下面据此作答
    elif recalled is not None:
        pass  # 问的是前面列出的某一项（“第二款多少钱”）：从前面的工具结果里答，不用再查
    elif functions and not must_call and dialogue.move in state.SILENT:
        pass  # 问对话本身、道谢、不用了、应一声：不调工具
    elif functions:
        ranked = route.rank(request, offered, conv.system, candidates=functions)
        fallback_tool = route.catch_all(ranked, request.text)
        if fallback_tool is not None:
            ranked = [route.Ranked(route.MIN_SCORE, fallback_tool.profile, ["catch_all"]),
                      *[r for r in ranked if r is not fallback_tool]]
        best = ranked[0]
        if not must_call and route.should_ask(ranked, conv.system):
            clarification = render.clarify([ranked[0].profile.label, ranked[1].profile.label], english)
        elif best.score >= route.MIN_SCORE or must_call:
            spec = _spec(functions, best.profile.name)
            missing = [] if must_call else _missing(spec, s)
            if missing:  # 缺了只能由用户提供的编号、金额：先问，不拿空值去调
                clarification = _ask_for(missing, s)
            else:
                plan.calls = _calls_for(spec, s)
            if plan.calls and conv.parallel and not best.profile.handoff:
                for other in ranked[1:]:  # “……顺便查下物流”“in Spanish and French”：要了两样东西，并行都调
                    if (other.score >= max(route.MIN_SCORE, best.score * 0.3) and not other.profile.handoff
                            and route.distinct(best, other) and (route.several_requests(question)
                                                                 or route.coordinated(question, best, other))):
                        plan.calls += _calls_for(_spec(functions, other.profile.name), s)
                plan.calls.sort(key=lambda c: route.mentioned_at(question, next(
                    r for r in ranked if r.profile.name == c.name)))  # 按用户提到的先后

    if not plan.calls and hosted and not outputs and clarification is None and dialogue.move not in state.SILENT:
        if conv.tool_choice == "required" or WANTS_SEARCH.search(question) or SEARCH_RULE.search(conv.system):
            plan.web_search = search_terms(question)

    if plan.calls:
        for c in plan.calls:
            c.call_id = "call_" + _digest(question, c.name, c.arguments, str(len(conv.turns)))
    elif recalled is not None:
        plan.text = render.recalled(*recalled, english)
    else:
        plan.text = compose(s, plan, clarification)

    if conv.reasoning:
        plan.reasoning = _reasoning(s, plan, clarification)
    return plan


def reply_in_english(system: str, question: str) -> bool:
    """作答语言：指令规定的优先；否则跟用户这句话；这句话看不出（只有编号、数字）就跟指令。"""
    if text.wants_english(system):
        return True
    if text.wants_chinese(system):
        return False
    if text.CJK.search(question):
        return False
    if text.is_english(question):
        return True
    return bool(system) and not text.CJK.search(system) and text.is_english(system)


def _spec(tools: list[ToolSpec], name: str) -> ToolSpec:
    return next(t for t in tools if t.name == name)


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


def _context(spec: ToolSpec, s: Situation) -> fill.Context:
    return fill.Context(s.question, system=s.conv.system, english=s.english, tool=spec.name,
                        sources=s.state.request.sources, state=s.state)


def _missing(spec: ToolSpec, s: Situation) -> list[tuple[str, str]]:
    """必填的订单号 / 编号 / 金额，这句话和前面的对话里都没有：返回这些参数的说法 (中文, 英文)。"""
    params = spec.parameters or {}
    props = params.get("properties") or {}
    missing = []
    ctx = _context(spec, s)
    for name in params.get("required") or []:
        prop = props.get(name) or {}
        sense = fill.meaning(name, prop)
        optional = MONEY_OPTIONAL.search(prop.get("description") or "")
        words = " ".join(w.lower() for w in text.split_identifier(name))
        if sense == "money" and not optional and "default" not in prop:  # 金额只能由用户说：没说就问，不编
            said = " ".join(ctx.sources)
            if not (ent.money(said) or ent.numbers(s.question)):
                missing.append((prop.get("description") or render.field_label(name, False), words))
            continue
        if sense not in ("order_id", "ident", "last4") or optional or fill.type_of(prop) != "string":
            continue
        if not fill.value_for(name, prop, ctx):  # 同一个编号不会同时填进两个参数
            missing.append((prop.get("description") or words, words))
    return missing


def _ask_for(missing: list[tuple[str, str]], s: Situation) -> str:
    needs = _needs(s)
    if needs is not None:
        return needs
    wanted = [m[1] if s.english else re.split(r"[，,。(（]", m[0])[0].strip() for m in missing]
    return render.ask_for(wanted, s.english)


def _calls_for(spec: ToolSpec, s: Situation) -> list[Call]:
    """生成参数；一句话里有多个城市 / 订单号、而工具一次只收一个时，并行调用多次。"""
    params = spec.parameters or {"type": "object", "properties": {}}
    props = params.get("properties") or {}
    required = params.get("required") or list(props)
    if s.conv.parallel and len(required) == 1:
        only = required[0]
        prop = props.get(only) or {}
        sense = fill.meaning(only, prop)
        if sense in ("city", "order_id") and prop.get("type", "string") == "string":
            values = ent.values(sense, s.question)
            if len(values) > 1:
                calls = []
                for v in values:
                    args = fill.build_object(params, _context(spec, s))
                    args[only] = v
                    calls.append(Call(spec.name, json.dumps(args, ensure_ascii=False)))
                return calls
    return [Call(spec.name, json.dumps(fill.build_object(params, _context(spec, s)), ensure_ascii=False))]


def search_terms(question: str) -> str:
    """搜索词：多行输入取第一行，去掉“Search term:”“搜索词：”这类标签和口头语，去掉引号。"""
    first = next((line for line in question.strip().splitlines() if line.strip()), question)
    first = re.sub(r"^\s*[\w\s]{1,20}?[:：]\s*", "", first) if re.match(r"^\s*[\w\s]{1,20}?[:：]\s*\S", first) \
        else first
    return re.sub(r"[\"\\“”「」]", "", text.keyword(first)).strip() or question.strip()[:60]


_ZH_ORD = "|".join(k for k in sorted(lx.ORDINALS, key=len, reverse=True) if text.CJK.search(k))
_EN_ORD = "|".join(k for k in sorted(lx.ORDINALS, key=len, reverse=True) if not text.CJK.search(k))
ORDINAL = re.compile(r"(" + _ZH_ORD + r")\s*(?:" + lx.ORDINAL_NOUNS + r")|\bthe\s+(" + _EN_ORD + r")\b|\b(" + _EN_ORD
                     + r")\s+(?:" + lx.ORDINAL_NOUNS + r")\b", re.I)
CHEAPEST = re.compile(lx.CHEAPEST, re.I)
PRICIEST = re.compile(lx.PRICIEST, re.I)


def _recall(s: Situation) -> tuple[int, dict] | None:
    """这句话指着前面工具结果里列出的某一项（“第二款多少钱”“最便宜的那个有货吗”“the first one?”）：
    找到最近一次列表结果里的那一项。没有这样的指代、或者前面没有列表，返回 None（照常选工具）。"""
    if s.state.move not in ("follow_up", "new") or not s.state.earlier:
        return None
    q = s.question
    m = ORDINAL.search(q)
    cheapest, priciest = CHEAPEST.search(q), PRICIEST.search(q)
    if not (m or cheapest or priciest):
        return None
    last_user = max(i for i, t in enumerate(s.conv.turns) if t.role == "user")
    for turn in reversed(s.conv.turns[:last_user]):
        if turn.role != "tool":
            continue
        rows = _listed(turn.text)
        if not rows:
            continue
        if m:
            index = lx.ORDINALS[next(g for g in m.groups() if g).lower()]
            if index >= len(rows):
                return None
            return (index % len(rows), rows[index])
        priced = [(r.get("price"), i) for i, r in enumerate(rows) if isinstance(r.get("price"), (int, float))]
        if not priced:
            return None
        _, index = (min if cheapest else max)(priced)
        return (index, rows[index])
    return None


def _listed(raw: str) -> list[dict]:
    """工具结果里的记录列表（商品、航班、订单……）：结果本身是列表，或者对象里唯一的一个列表字段。"""
    try:
        data = json.loads(raw)
    except (ValueError, TypeError):
        return []
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if len(lists) == 1 else []
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []


# ---------------------------------------------------------------- 作答


def compose(s: Situation, plan: Plan, clarification: str | None = None) -> str:
    conv, question, english, outputs = s.conv, s.question, s.english, s.outputs
    if plan.web_search:
        body, plan.citations = render.search_answer(plan.web_search, _digest(plan.web_search)[:8], english)
    elif outputs:
        body = render.tool_results([(t.name, t.text) for t in outputs], question, english, _echoed(conv.turns))
    elif clarification:
        body = clarification
    else:
        body = render.honest(answer(s), has_result=False, english=english)
    if conv.schema is not None:
        facts = []
        for t in reversed(outputs):
            try:
                facts.append(json.loads(t.text))
            except (ValueError, TypeError):
                facts.append(t.text)
        ctx = fill.Context(question, facts, answer=body, system=conv.system, english=english, output=True,
                           sources=s.state.request.sources, state=s.state,
                           grounded=bool(outputs or plan.web_search))  # 据工具结果作答时，摘要概括的是回答
        return json.dumps(fill.build_object(conv.schema, ctx), ensure_ascii=False)
    if conv.json_mode:
        return json.dumps({"answer": body}, ensure_ascii=False)
    return body


def _echoed(turns: list[Turn]) -> dict[str, set[str]]:
    """每个工具这一轮收到的参数值：结果里原样出现的参数不用再念一遍。"""
    seen: dict[str, set[str]] = {}
    for t in turns:
        for c in t.calls:
            try:
                args = json.loads(c.arguments or "{}")
            except ValueError:
                continue
            if isinstance(args, dict):
                seen.setdefault(c.name, set()).update(str(v) for v in args.values() if isinstance(v, str))
    return seen


# ---------------------------------------------------------------- 不调工具时的回答：有序的规则表

MY_NAME = re.compile(r"我(?:叫|的名字是|是)([\u4e00-\u9fffA-Za-z]{1,8}?)(?:[，。,.!！]|$)|my name is (\w+)", re.I)
INTRODUCTION = re.compile(r"(?:你好[，,]?\s*)?我(?:叫|的名字是)([\u4e00-\u9fffA-Za-z]{1,8})|my name is (\w+)", re.I)
ASKS_NAME = re.compile(r"我叫什么|我的名字|what'?s my name|what is my name", re.I)
POEM = re.compile(r"([七五])言(绝句|律诗)?")
WANTS_POEM = re.compile(r"写.{0,4}诗|\bpoem\b|\bhaiku\b", re.I)
SCOPE = re.compile(r"只(?:能|会)?回答(?:关于|和|与|有关)?(.{1,12}?)(?:相关|有关)?的?问题")
INTRO = re.compile(r"你是谁|介绍一下你|介绍下你|你叫什么|你能做什么|你会什么|who are you|introduce yourself|"
                   r"what can you do", re.I)
GREETING = re.compile(r"(你好|您好|hi|hello|hey|嗨|哈喽|在吗|在不在)[呀啊！!。.~，, ]*(there)?[！!。.]*", re.I)
THANKS = re.compile(r"谢谢|感谢|多谢|\bthanks?\b|thank you", re.I)
ARITH = re.compile(r"^[\d\s.+\-*/×÷()（）^]+$")
ARITH_WORDS = re.compile(r"^(what is|what's|calculate|compute|请问|计算)\s*|(等于|是)?(多少|几)[？?]*$|=\s*[？?]*$|[?？]$", re.I)
STORY = re.compile(r"故事|\bstory\b", re.I)
JOKE = re.compile(r"笑话|\bjokes?\b", re.I)
NEEDS = re.compile(
    r"(?:需要(?:用户|客户|对方)?|(?:请|让)(?:用户|客户|对方))提供([^。；;\n（(]+?)(?:[（(][^）)]*[）)])?(?:[，,]?(?:并|然后|再)|[。；;]|$)"
)
FIRST = re.compile(r"第一|最开始|一开始|开头|first", re.I)


def _about_conversation(s: Situation) -> str | None:
    if s.state.move != "meta":
        return None
    q = s.question
    verb = "说" if "说" in q and "问" not in q else "问"
    return render.previous_question(list(s.state.earlier), bool(FIRST.search(q)), verb, s.english)


def _my_name(s: Situation) -> str | None:
    if not ASKS_NAME.search(s.question):
        return None
    for said in reversed(s.state.earlier):
        m = MY_NAME.search(said)
        if m:
            return render.your_name(m.group(1) or m.group(2), s.english)
    return render.your_name(None, s.english)


def _introduces_self(s: Situation) -> str | None:
    """“我叫小王”“my name is Tom”：记住名字，打个招呼。"""
    m = INTRODUCTION.fullmatch(s.question.strip().rstrip("。.!！"))
    if not m:
        return None
    return render.nice_to_meet(m.group(1) or m.group(2), s.english)


def _closing(s: Situation) -> str | None:
    if s.state.move == "closing":
        return render.goodbye(s.english) if not THANKS.search(s.question) else render.welcome(s.english)
    return None


def _declined(s: Situation) -> str | None:
    return render.declined(s.english) if s.state.move == "decline" else None


def _acknowledged(s: Situation) -> str | None:
    if s.state.move == "acknowledge":
        return render.acknowledged(s.english)
    if s.state.move == "confirm":  # 要接着办，却没有工具能办：说清楚，不假装办了
        return render.nothing_to_confirm(s.english) if not s.conv.functions else None
    return None


def _poem(s: Situation) -> str | None:
    poem = POEM.search(s.conv.system + s.question)
    if poem or WANTS_POEM.search(s.question):
        return render.poem(s.question, 7 if not poem or poem.group(1) == "七" else 5, s.english)
    return None


def _out_of_scope(s: Situation) -> str | None:
    scope = SCOPE.search(s.conv.system)
    if not scope:
        return None
    topic, q = scope.group(1), s.question
    if set(text.words(topic)) & set(text.words(q)) or text.concepts(topic) & text.concepts(q) or topic in q:
        return None
    return render.out_of_scope(topic, s.english)


def _introduce(s: Situation) -> str | None:
    if not INTRO.search(s.question):
        return None
    return render.introduce(render.persona(s.conv.system, s.english), skills(s.conv, s.english), s.english)


def _greeting(s: Situation) -> str | None:
    if GREETING.fullmatch(s.question.strip()):
        return render.greeting(render.persona(s.conv.system, s.english), s.english)
    return None


def _thanks(s: Situation) -> str | None:
    q = s.question.strip()
    return render.welcome(s.english) if THANKS.search(q) and len(q) < 30 else None


def _arithmetic(s: Situation) -> str | None:
    expr = ARITH_WORDS.sub("", s.question.strip()).strip()
    if not (ARITH.match(expr) and re.search(r"\d", expr) and re.search(r"[+\-*/×÷^]", expr)):
        return None
    clean = expr.replace("×", "*").replace("÷", "/").replace("（", "(").replace("）", ")").replace("^", "**")
    try:
        value = eval(clean, {"__builtins__": {}}, {})  # 只含数字和运算符，已由正则保证
    except Exception:
        value = None
    return render.arithmetic(expr, value, s.english)


def _story(s: Situation) -> str | None:
    if STORY.search(s.question) or STORY.search(s.conv.system):
        return render.story(s.question, s.english)
    return None


def _jokes(s: Situation) -> str | None:
    if not JOKE.search(s.question):
        return None
    m = ent.NUMBER.search(s.question) or re.search(r"[一两二三四五]", s.question)
    count = int(ent.as_number(m.group(0)) or 1) if m else 1
    return render.jokes(count, s.english)


def _needs(s: Situation) -> str | None:
    """指令写了“需要用户提供 A、B、C”：像真的客服一样，说已经有了什么、还缺什么。"""
    needs = NEEDS.search(s.conv.system)
    if not needs:
        return None
    slots = [x.strip() for x in re.split(r"[、,，和及与/]", needs.group(1)) if x.strip()]
    said = list(reversed(s.state.users))
    have, missing = [], []
    for slot in slots:
        found = _slot_value(slot, said)
        if not found:
            missing.append(slot)
        else:
            have.append(f"{slot} {found}" if isinstance(found, str) and len(found) <= 12 else
                        f"{slot}「{found}」" if isinstance(found, str) else slot)
    return render.slots_progress(render.duty(s.conv.system), have, missing, s.english)


SLOT_CHECKS: tuple[tuple[tuple[str, ...], Callable[[list[str]], object]], ...] = (
    (("订单",), lambda said: _first("order_id", said)),
    (("日期", "时间", "几号"), lambda said: _first("date", said)),
    (("人数", "数量", "几位", "几张"), lambda said: next((ent.plain(c[0]) for t in said for c in ent.counted(t)), None)),
    (("原因", "理由"), lambda said: fill.reason_in(said)),
    (("城市", "目的地", "地点"), lambda said: _first("city", said)),
    (("舱位", "座位"), lambda said: next((m.group(0) for t in said for m in CABINS.finditer(t)), None)),
    (("手机", "电话"), lambda said: _first("phone", said)),
    (("邮箱",), lambda said: _first("email", said)),
)
CABINS = re.compile(r"经济舱|商务舱|头等舱|硬座|硬卧|软卧|卧铺|二等座|一等座|economy|business|first class", re.I)


def _first(kind: str, said: list[str]) -> str | None:
    return next((v for t in said if (v := ent.first(kind, t))), None)


def _slot_value(slot: str, said: list[str]) -> object:
    """用户说过的话里（最近的在前），这一样信息的值；认不出值、只知道提到过时是 True。"""
    check = next((fn for keys, fn in SLOT_CHECKS if any(k in slot for k in keys)), None)
    return check(said) if check else (slot in " ".join(said))


def _what_to_do(s: Situation) -> str | None:
    """有工具、指令说意图不清要问清，而这句话没说要办什么：问清楚。"""
    if s.conv.functions and route.ASK_RULE.search(s.conv.system) and not _has_content(s.question):
        return render.what_can_i_do(render.persona(s.conv.system, s.english), skills(s.conv, s.english), s.english)
    return None


def _fallback(s: Situation) -> str:
    directive = ""
    for sentence in re.split(r"[。\n]", s.conv.system):
        if sentence.strip().startswith("请") or "必须" in sentence:
            directive = sentence.strip()
            break
    return render.fallback(s.question, render.persona(s.conv.system, s.english), skills(s.conv, s.english),
                           directive, s.english)


# (名字, 规则)：按顺序，第一条给出回答的就是。
REPLIES: tuple[tuple[str, Callable[[Situation], str | None]], ...] = (
    ("about_conversation", _about_conversation),  # 我刚才问了什么
    ("my_name", _my_name),
    ("introduces_self", _introduces_self),  # 我叫小王
    ("closing", _closing),  # 谢谢、再见
    ("declined", _declined),  # 不用了
    ("acknowledged", _acknowledged),  # 好的（没有要接着办的事）
    ("poem", _poem),
    ("out_of_scope", _out_of_scope),  # 指令说“只能回答 X 相关的问题”
    ("introduce", _introduce),
    ("greeting", _greeting),
    ("thanks", _thanks),
    ("arithmetic", _arithmetic),
    ("story", _story),
    ("jokes", _jokes),
    ("needs", _needs),  # 指令说“需要用户提供 A、B、C”
    ("what_to_do", _what_to_do),
)


def answer(s: Situation) -> str:
    """不调工具时的回答：按 REPLIES 的顺序，第一条适用的规则作答；都不适用就是兜底回答。"""
    for _, rule in REPLIES:
        said = rule(s)
        if said is not None:
            return said
    return _fallback(s)


def _has_content(question: str) -> bool:
    """这句话有没有说要办什么事（除了编号、寒暄之外的实词或概念）。"""
    concepts = text.concepts(question) - {"greet"}
    content = [w for w in text.words(question) if not text.TOKEN_ID.fullmatch(w) and not GREETING.fullmatch(w)]
    return bool(concepts or content)


def skills(conv: Conversation, english: bool = False) -> list[str]:
    """能做什么：每个工具 / 交接对象的一句话说明（最多三条）。英文回答里，中文说明换成工具名的单词
    （get_order → get order），不在英文句子里夹中文。"""
    found = route.profiles(conv.functions, conv.system)
    labels = []
    for p in found:
        label = p.label
        if english and text.CJK.search(label or ""):
            label = " ".join(text.split_identifier(p.name.removeprefix("transfer_to_")))
            label = f"hand you over to the {label}" if p.handoff else label
        labels.append(label)
    return list(dict.fromkeys(label for label in labels if label))[:3]


# ---------------------------------------------------------------- 推理摘要


def _reasoning(s: Situation, plan: Plan, clarification: str | None) -> str:
    """推理摘要：一两句话说明接下来要做什么、为什么——像真实推理模型的摘要，不是参数清单。"""
    conv, english = s.conv, s.english
    topic = text.clip(s.question, 40)
    if plan.calls:
        names = list(dict.fromkeys(c.name for c in plan.calls))
        specs = {t.name: t for t in conv.tools}
        if all(n.startswith("transfer_to_") for n in names):
            spec = specs.get(names[0])
            label = text.clip(route.profiles([spec], "")[0].label, 30) if spec else ""
            return render.reasoning_handoff(topic, names[0].removeprefix("transfer_to_"), label, english)
        steps = []
        for n in names:
            spec = specs.get(n)
            label = route.profiles([spec], "")[0].label if spec else ""
            shown = [_shown(c) for c in plan.calls if c.name == n]
            steps.append(render.reasoning_step(n, label, shown, english))
        return render.reasoning_call(topic, steps, english)
    if plan.web_search:
        return render.reasoning("search", plan.web_search, english)
    if s.outputs:
        names = (", " if english else "、").join(dict.fromkeys(t.name for t in s.outputs))
        return render.reasoning("results", topic, english, names)
    if clarification:
        return render.reasoning("clarify", topic, english)
    q = s.question.strip()
    if GREETING.fullmatch(q):
        return render.reasoning("greet", topic, english)
    if s.state.move in state.SILENT or s.state.move == "confirm":
        return render.reasoning("continue", topic, english)
    expr = re.sub(r"[=？?]|等于|是多少|多少|几", "", q)
    if ARITH.match(expr.strip() or "x") and re.search(r"\d\s*[+\-*/×÷^]\s*\d", expr):
        return render.reasoning("arithmetic", topic, english)
    if not conv.functions:
        return render.reasoning("no_tools", topic, english)
    return render.reasoning("no_fit", topic, english)


def _shown(call: Call) -> list[tuple[str, object]]:
    try:
        args = json.loads(call.arguments or "{}")
    except ValueError:
        args = {}
    return [(k, v) for k, v in args.items() if isinstance(v, (str, int, float)) and not isinstance(v, bool)
            and str(v).strip() and len(str(v)) <= 30][:2]
