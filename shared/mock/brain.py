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
from dataclasses import dataclass, field
from functools import lru_cache

from shared.mock import entities as ent
from shared.mock import fill, guidance, judge, recall, render, route, state, text
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
    memo: dict = field(default_factory=dict)  # 这一次决策里算过的（缺哪些参数、生成的调用）：同一个工具不重算

    @property
    def question(self) -> str:
        return self.state.question


def decide(conv: Conversation) -> Plan:
    dialogue = state.read(conv)
    question = dialogue.question
    english = reply_in_english(conv.system, question, dialogue.earlier)
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

    structured = conv.schema is not None or conv.json_mode  # 要结构化输出：回答一律经 compose 包成 JSON
    recalled = None
    if not outputs and not must_call and not structured and dialogue.move not in state.SILENT:
        recalled = guidance.advice(s, strict=True)  # 指令专门交代过这件事（罚款不能减免、营业厅的事打电话）：照着说
    if recalled is None and not outputs and not must_call and not structured:
        recalled = _from_context(s)  # 问的是前面结果里的东西（“第二款多少钱”）
    following = _next_step(s, functions) if outputs and not must_call else None
    if named and any(t.name == named for t in functions):
        plan.calls = _calls_for(_spec(functions, named), s)
    elif following is not None:  # 先查过了、可以办：接着办
        plan.calls = _calls_for(following, s)
    elif outputs and not must_call:
        pass  # 工具结果已经回来：下面据此作答
    elif recalled is not None:
        pass  # 问的是前面列出的某一项（“第二款多少钱”）：从前面的工具结果里答，不用再查
    elif functions and not must_call and dialogue.move in state.SILENT:
        pass  # 问对话本身、道谢、不用了、应一声：不调工具
    elif functions:
        ranked = route.rank(request, offered, conv.system, candidates=functions)
        fallback_tool = route.catch_all(ranked, request.text) or route.lookup_first(ranked, conv.system, request.text)
        if fallback_tool is not None:
            ranked = [route.Ranked(route.MIN_SCORE, fallback_tool.profile, ["catch_all"]),
                      *[r for r in ranked if r is not fallback_tool]]
        priced = None if must_call else guidance.price_lookup(ranked, s)
        if priced is not None and priced is not ranked[0]:  # 问多少钱：查价钱的工具排到前面
            ranked = [route.Ranked(max(priced.score, route.MIN_SCORE), priced.profile, [*priced.reasons, "price"]),
                      *[r for r in ranked if r is not priced]]
        best = ranked[0] = _callable_first(ranked, functions, s)
        if _repeats_lookup(best, functions, s):  # 刚查过一模一样的，用户又说了别的事（要找主管）：办那件事
            other = next((r for r in ranked[1:] if r.profile.acts and r.score >= route.MIN_SCORE
                          and (set(r.reasons) & request.own & lx.ACTIONS) - set(best.reasons)), None)
            if other is None and request.own & lx.ACTIONS:  # “那就改这个吧”：指令里排在这次查询后面的那一步
                after = _named_after(best.profile.name, s.conv.system, {t.name for t in functions})
                other = next((route.Ranked(max(r.score, route.MIN_SCORE), r.profile, [*r.reasons, "next_step"])
                              for r in ranked[1:] if r.profile.name in after and r.profile.acts and r.reasons), None)
            if other is not None:
                best = ranked[0] = other
        collecting = _collecting_for(functions, s)
        if collecting is not None and collecting != best.profile.name:  # 助手刚才在为这件事要信息，用户给了：接着办它
            chosen = next((r for r in ranked if r.profile.name == collecting), None)
            if chosen is not None:
                best = ranked[0] = route.Ranked(max(chosen.score, route.MIN_SCORE), chosen.profile,
                                                [*chosen.reasons, "asked"])
        asked_fee = None if must_call else guidance.fee_asked(ranked, functions, s, _asked_for(functions, s.state.previous_answer))
        if asked_fee is not None:  # 只是问办一件事收多少钱：照说明里的价钱答，要办还缺什么就问
            priced, fee = asked_fee
            clarification, plan.intended = render.fee_answer(
                route.profiles([priced], "")[0].label, priced.name, *fee,
                [render.slot_name(n, p, fill.meaning(n, p), english) for n, p in _missing(priced, s)],
                english), priced.name
        elif not must_call and route.should_ask(ranked, conv.system, question):
            clarification = render.clarify([ranked[0].profile.label, ranked[1].profile.label], english)
        elif best.score >= route.MIN_SCORE or must_call:
            spec = _spec(functions, best.profile.name)
            missing = [] if must_call else _missing(spec, s)
            producer = _producer(spec, missing, functions, conv.system, s)
            if producer is not None:  # 缺的编号要先用另一个工具查出来（“Hotel id from search_hotels”）：先查
                spec, missing = producer, _missing(producer, s)
            gate = None if must_call else _gate(spec, functions, s)
            first_step = gate[1] if gate is not None and gate[0] == "first" else None
            if first_step is None and not must_call:  # 说明写着要先用别的工具查一下（能不能赔、有没有位）
                first_step = _prerequisite(spec, functions, s)
            # 刚为同一条记录查过、结果说不行（过了退货期）：办事的请求照那次结果回答，不再往下办
            refusal = _refused_before(spec, s) if first_step is not None or best.profile.acts else None
            if first_step is not None and not _missing(first_step, s):
                plan.calls = _calls_for(first_step, s)  # 指令说办之前先查一下（取消前先核对预约）：缺的编号也由它查出来
            elif refusal is not None:
                clarification = render.still_refused(refusal, english)
            elif first_step is not None:  # 先查的那一步也缺信息（查订座要手机号）：问它缺的
                clarification, plan.intended = _ask_for(_missing(first_step, s), s), first_step.name
            elif missing:  # 缺了只能由用户提供的信息（编号、日期、房间……）：先问，不拿空值去调
                clarification, plan.intended = _ask_for(missing, s), spec.name
            elif gate is not None:  # 要用户确认了才能办：先把要办的事说清楚、问一句
                clarification, plan.intended = _confirm(spec, s), spec.name
            else:
                plan.calls = _calls_for(spec, s)
            if plan.calls and conv.parallel and not best.profile.handoff and not gate and not missing:
                plan.calls = _in_sequence(spec, plan.calls, functions, s)
            if plan.calls and conv.parallel and not best.profile.handoff:
                for other in ranked[1:]:  # “……顺便查下物流”“in Spanish and French”：要了两样东西，并行都调
                    if other.profile.name in {c.name for c in plan.calls}:
                        continue
                    if (other.score >= max(route.MIN_SCORE, best.score * 0.3) and not other.profile.handoff
                            and route.distinct(best, other) and (route.several_requests(question)
                                                                 or route.coordinated(question, best, other))):
                        plan.calls += _calls_for(_spec(functions, other.profile.name), s)
                if len({c.name for c in plan.calls}) > 1:
                    plan.calls.sort(key=lambda c: route.mentioned_at(question, next(
                        r for r in ranked if r.profile.name == c.name)))  # 按用户提到的先后

    if not plan.calls and hosted and not outputs and clarification is None and dialogue.move not in state.SILENT:
        if conv.tool_choice == "required" or WANTS_SEARCH.search(question) or SEARCH_RULE.search(conv.system):
            plan.web_search = search_terms(question)

    if plan.calls:
        for c in plan.calls:
            c.call_id = "call_" + _digest(question, c.name, c.arguments, str(len(conv.turns)))
    elif recalled is not None:
        plan.text = recalled
    else:
        plan.text = compose(s, plan, clarification)

    if conv.reasoning:
        plan.reasoning = _reasoning(s, plan, clarification)
    return plan


def reply_in_english(system: str, question: str, earlier: tuple[str, ...] = ()) -> bool:
    """作答语言：指令规定的优先；否则跟用户这句话；这句话看不出（只有编号、数字）就跟用户前面说的话，
    再看不出就跟指令。"""
    if text.wants_english(system):
        return True
    if text.wants_chinese(system):
        return False
    for said in (question, *reversed(earlier)):
        if text.CJK.search(said):
            return False
        if text.is_english(said):
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
    """填参数的材料。这句话指着前面列出的某一条（“就订评分最高的那家”“把台灯关了”）时，那条记录和它所在的
    结果也是材料：hotel_id、device_id、入住日期这类参数照记录里同名的字段填。"""
    referenced = _referenced(s) if s.state.earlier else None
    facts = [referenced[1], referenced[2]] if referenced else None
    ctx = fill.Context(s.question, facts=facts, system=s.conv.system, english=s.english, tool=spec.name,
                       sources=s.state.request.sources, state=s.state)
    ctx.glossary = spec.description or ""
    key = ("kinds", spec.name)
    if key not in s.memo:  # 同一个工具一轮里要建好几次取值材料：这两样只算一次
        params = spec.parameters or {}
        s.memo[key] = (_id_prefixes(_param_descriptions([f for f in s.conv.functions if f.name != spec.name]))
                       - _id_prefixes(_param_descriptions([spec])),
                       frozenset(n for n in params.get("required") or [] if (
                           (params.get("properties") or {}).get(n) or {}).get("type") in ("integer", "number")))
    ctx.other_kinds, ctx.numeric_slots = s.memo[key]
    ctx.earlier_args = _earlier_args(s)
    ctx.results = tuple(o.text for o in reversed(s.outputs)) + tuple(  # 这一轮刚拿到的结果在最前
        r.raw or (json.dumps(r.data, ensure_ascii=False) if not isinstance(r.data, str) else r.data)
        for r in _earlier(s)[:3])
    return ctx


def _param_descriptions(specs: list[ToolSpec]) -> tuple[str, ...]:
    return tuple(str(prop.get("description") or "") for spec in specs
                 for prop in ((spec.parameters or {}).get("properties") or {}).values() if isinstance(prop, dict))


@lru_cache(maxsize=256)
def _id_prefixes(descriptions: tuple[str, ...]) -> frozenset[str]:
    """参数说明里，例子编号打头的字母（“处方号，例如 RX-20931” → RX）。"""
    return frozenset(head.group(1).upper() for d in descriptions for example in ent.values("ident", d)
                     if (head := re.match(r"([A-Za-z]+)-?\d", example)))


def _earlier_args(s: Situation) -> dict:
    """这段对话里调用过的工具用过的参数值，同名的取最近一次（“帮我选第一个”接着查过的那门课）。"""
    if "earlier_args" not in s.memo:
        found: dict = {}
        for turn in reversed(s.conv.turns):
            for call in reversed(turn.calls):
                args = recall.parsed(call.arguments or "{}")
                for name, value in (args.items() if isinstance(args, dict) else ()):
                    if isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != "":
                        found.setdefault(name, value)
        s.memo["earlier_args"] = found
    return s.memo["earlier_args"]


# 只能由用户说的信息：必填、文中和前文都没有时先问，不编一个值去调
MUST_ASK = frozenset({"order_id", "ident", "last4", "date", "month", "time", "origin", "destination", "city", "country", "room",
                      "department", "quantity", "nationality", "phone", "address"})
USER_STATED = re.compile(lx.USER_STATED, re.I)
MEASURED = re.compile(r"reading|读数|shown|显示|odometer|mileage|里程|measured|测得|体重|\bweight\b|身高|height", re.I)
PERSON_NAME = re.compile("|".join(sorted(lx.PERSON_WORDS)) + r"|full name|姓名|称呼|联系人|就诊人|乘客|入住人|驾驶人|投保人|申请人",
                         re.I)  # 要的是人的名字（乘客、就诊人、球员……）


def _missing(spec: ToolSpec, s: Situation) -> list[tuple[str, dict]]:
    key = ("missing", spec.name)
    if key not in s.memo:
        s.memo[key] = _find_missing(spec, s)
    return list(s.memo[key])


def _find_missing(spec: ToolSpec, s: Situation) -> list[tuple[str, dict]]:
    """必填、只能由用户给的信息（订单号、编号、金额、日期、地点、房间、人数、姓名……），这句话和前面的对话里
    都没有：返回这些参数（名字, schema）。参数有默认值、或描述说可以不填的不算。"""
    params = spec.parameters or {}
    props = params.get("properties") or {}
    missing = []
    ctx = _context(spec, s)
    agreed = _agreed(spec, s) if s.state.continuing else {}  # 前面调用里商定过的值（年龄、日期）不用再问
    for name in params.get("required") or []:
        if name in agreed:
            continue
        prop = fill.resolve(props.get(name) or {}, params)
        sense = fill.meaning(name, prop)
        if MONEY_OPTIONAL.search(prop.get("description") or "") or "default" in prop or ctx.fact(name) is not None:
            continue
        if sense == "money":  # 金额只能由用户说：没说就问，不编
            if fill.value_for(name, prop, ctx, params, optional=True) in (fill.ABSENT, None):
                missing.append((name, prop))
        elif prop.get("enum"):
            if judge.mentioned(prop["enum"], ctx) is None and (sense in MUST_ASK or not judge.decidable(
                    prop["enum"], name, prop, ctx)):  # 房间、科室、菜单栏目这类选项，一个都没说到、也推不出来
                missing.append((name, prop))
        elif USER_STATED.search(str(prop.get("description") or "")) and sense in ("reason", "summary", "text", "other"):
            # 说明写着要用户自己说（“用户说明的退款原因”）：没说就问；问过一次、用户没说就坚持要办，不再追问
            asked = render.slot_name(name, prop, sense, s.english) in (s.state.previous_answer or "")
            if not fill.reason_in(ctx.said[:3]) and not asked:
                missing.append((name, prop))
        elif sense == "name" and PERSON_NAME.search(f"{name} {prop.get('description') or ''}"):
            if not any(fill.person_name(source) for source in ctx.said[:4]) \
                    and not fill.answered_name(name, prop, ctx):  # 乘客、就诊人的姓名：没说就问
                missing.append((name, prop))
        elif sense in MUST_ASK or sense in ("keyword", "product") or sense == "other" and prop.get("type") in (
                "integer", "number") and MEASURED.search(f"{name} {prop.get('description') or ''}"):
            # 关键词：“我要退一门课”没说是哪一门，问；读数、里程这种只有用户看得到的数：没说就问，不编一个 1
            if fill.value_for(name, prop, ctx, params, optional=True) in (fill.ABSENT, None, ""):
                missing.append((name, prop))
    return missing


def _is_record_id(name: str, prop: dict) -> bool:
    """某条已有记录的编号（确认号、订单号）：用户没提到那条记录，就不是要办这件事。"""
    return fill.meaning(name, prop) in ("ident", "order_id")


def _ask_for(missing: list[tuple[str, dict]], s: Situation) -> str:
    needs = _needs(s)
    if needs is not None:
        return needs
    return render.ask_for([render.slot_name(name, prop, fill.meaning(name, prop), s.english)
                           for name, prop in missing], s.english)


def _producer(spec: ToolSpec, missing: list[tuple[str, dict]], functions: list[ToolSpec],
              system: str = "", s: Situation | None = None) -> ToolSpec | None:
    """缺的参数是另一个工具给出来的（参数说明写着“Hotel id from search_hotels”“find_slots 返回的号源编号”，
    或者指令里说到这个参数的那一行写着“不知道资产标签时……用 my_devices 查”）：先用那个工具（它自己的参数要齐）。
    订酒店要先搜出酒店，挂号要先查号源——真实模型读参数说明和指令也会这样做。"""
    for _name, prop in missing:
        described = str(prop.get("description") or "")
        label = re.split(r"[，,。（(]", described)[0].strip() if described else ""
        lines = [line for line in re.split(r"\n", system or "") if len(label) >= 2 and label in line]
        for text_ in (described, *lines):
            found = next((t for t in functions if t.name != spec.name and re.search(
                r"(?<![A-Za-z0-9_])" + re.escape(t.name) + r"(?![A-Za-z0-9_])", text_)), None)
            if found is not None and (text_ is described or s is None or not _missing(found, s)):
                return found
    return None


FILL_MARGIN = 0.7  # 分数在第一名的这个比例以内的工具，能直接调用（参数齐）的优先
CALLABLE_MARGIN = 0.5  # 第一名缺参数时，比例放宽到这里


AGAIN = re.compile(r"再查|重新查|再看|刷新|现在呢|现在怎么样|更新了吗|\bagain\b|\bnow\b|\bupdate", re.I)


def _repeats_lookup(ranked: route.Ranked, functions: list[ToolSpec], s: Situation) -> bool:
    """这个查询工具、同样的参数，这段对话里已经调过（结果就在上面），这句话也没说要再查一遍。"""
    if ranked.profile.handoff or not ranked.profile.queries or s.outputs or AGAIN.search(s.question):
        return False
    done = {(c.name, _canonical(c.arguments)) for t in s.conv.turns for c in t.calls}
    return all((c.name, _canonical(c.arguments)) in done for c in _calls_for(_spec(functions, ranked.profile.name), s))


def _canonical(arguments: str | None) -> str:
    """同样的参数不论怎么写（键的顺序、中文转没转义）都算同一次调用。"""
    try:
        return json.dumps(json.loads(arguments or "{}"), sort_keys=True, ensure_ascii=False)
    except ValueError:
        return arguments or ""


def _named_after(name: str, system: str, names: set[str]) -> set[str]:
    """指令里和 name 同一句、写在它后面的工具（“先用 quote_change 查……确认后才调用 change_flight”）。"""
    found = set()
    for sentence in _sentences(system):
        at = sentence.find(name)
        if at >= 0:
            found |= {n for n in names if n != name and sentence.find(n, at + len(name)) >= 0}
    return found


def _collecting_for(functions: list[ToolSpec], s: Situation) -> str | None:
    """这句话在回答助手刚才的提问，而那个提问要的正是某一个工具独有的参数（“could you tell me the name and contact
    phone?”只有 hold_table 要）：返回那个工具的名字。几个工具都要这些参数（查和办都要工号）时说不准，返回 None。"""
    if s.state.move == "answer":
        return _asked_for(functions, s.state.previous_answer)
    return _resumed(functions, s)


_ASKED = re.compile(r"[?？]\s*(?:Then I can|我马上|$)|请告诉我|请提供|could you (?:give|tell)", re.I)


def _resumed(functions: list[ToolSpec], s: Situation) -> str | None:
    """助手几句话之前为一件事要过信息（账号、哪块表、读数），中间先查了别的（账户概况），用户这句接着给了剩下的
    （“the water one, reads 0927”）：还是那件事。用户这句提了别的要办的事、那件事后来已经办了，都不算。"""
    own = s.state.request.own
    if own & (lx.STRONG | lx.ACTIONS) or s.state.move not in ("follow_up", "answer") or not _gives_values(s.question) \
            or s.state.request.modality == "ask":  # 问了个新问题（“周六有什么展”），不是在补信息
        return None
    last_user = max((i for i, t in enumerate(s.conv.turns) if t.role == "user"), default=-1)
    users, done = 0, set()
    for turn in reversed(s.conv.turns[:last_user]):
        done |= {c.name for c in turn.calls}
        if turn.role == "user":
            users += 1
            if users > 2:
                return None
        elif turn.role == "assistant" and turn.text and not turn.calls and _ASKED.search(turn.text):
            name = _asked_for(functions, turn.text)
            return name if name and name not in done else None
    return None


def _gives_values(message: str) -> bool:
    """这句话带着值：编号、数、日期、时间，或者很短（“electric”“上午”）。"""
    return bool(re.search(r"\d", message)) or any(ent.find(k, message) for k in ("date", "time")) or len(message) <= 12


def _asked_for(functions: list[ToolSpec], asked: str | None) -> str | None:
    """助手上一句在要的，是哪一个工具独有的参数（说不准时 None）。"""
    if not asked:
        return None
    scores = []
    for spec in functions:
        params = spec.parameters or {}
        props = params.get("properties") or {}
        named = set()
        for name in params.get("required") or []:
            prop = fill.resolve(props.get(name) or {}, params)
            sense = fill.meaning(name, prop)
            if any(render.slot_name(name, prop, sense, english) in asked for english in (True, False)):
                named.add(name)
        if named:
            scores.append((len(named), spec.name))
    scores.sort(reverse=True)
    if scores and (len(scores) == 1 or scores[0][0] > scores[1][0]):
        return scores[0][1]
    return None


def _callable_first(ranked: list[route.Ranked], functions: list[ToolSpec], s: Situation) -> route.Ranked:
    """几个工具分数相近时，选参数能从对话里填齐的那个（“从北京到首尔的航班”有地点和日期、没有预订号：
    search_flights 而不是 get_booking）；指着前面列出的某一条时，参数就是那条记录里字段的工具优先
    （“把台灯关了”：记录里有 device_id）。"""
    best = ranked[0]
    referenced = _referenced(s) if s.state.earlier else None
    record = set(referenced[1]) if referenced else set()
    if record and "submit" in s.state.request.concepts:  # 挑定了前面列出的一条要办（“就 14:30 那个吧”）
        doing = [r for r in ranked if r.profile.acts and set(
            (_spec(functions, r.profile.name).parameters or {}).get("required") or []) & record]
        if doing:
            return route.Ranked(max(doing[0].score, route.MIN_SCORE), doing[0].profile, doing[0].reasons)
    if best.profile.handoff or best.score < route.MIN_SCORE:
        return best
    # 第一名缺参数时放宽：分数过半、参数齐的工具也算在内（“查一下挂号 RG-1234”：查预约详情，不是查号源）
    if len([r for r in ranked if not r.profile.handoff and r.score >= max(route.MIN_SCORE, best.score * CALLABLE_MARGIN)]) < 2:
        return best  # 没有分数接近的：不用比参数
    margin = FILL_MARGIN if not _missing(_spec(functions, best.profile.name), s) else CALLABLE_MARGIN
    close = [r for r in ranked if not r.profile.handoff and r.score >= max(route.MIN_SCORE, best.score * margin)]
    # 只有参数齐的工具才能顶替第一名：都缺参数时，问第一名缺的（要订座就问人数，不去问“取消哪个订座”）。
    # 第一名这一步已经做过了（刚查过有位）时，下一步缺参数也可以顶上去：问下一步缺的；
    # 第一名缺的只是某条记录的编号（用户根本没提到哪条记录）时，缺别的信息的工具也可以顶上去
    done = {(c.name, c.arguments) for t in s.conv.turns for c in t.calls}
    best_spec = _spec(functions, best.profile.name)
    best_missing = _missing(best_spec, s)
    best_done = not best_missing and any((c.name, c.arguments) in done for c in _calls_for(best_spec, s))
    ids_only = bool(best_missing) and all(_is_record_id(n, p) for n, p in best_missing) \
        and "owned" not in best.reasons  # 说了“我那个预约”：就是在说一条记录，缺的编号要问，不换去查别的
    close = [r for r in close if r is best or best_done or not _missing(_spec(functions, r.profile.name), s)
             or ids_only and not any(_is_record_id(n, p) for n, p in _missing(_spec(functions, r.profile.name), s))]
    if len(close) < 2:
        return best

    def fit(r: route.Ranked) -> tuple[float, int, float]:
        spec = _spec(functions, r.profile.name)
        required = set((spec.parameters or {}).get("required") or [])
        missing = _missing(spec, s)
        repeat = not missing and any((c.name, c.arguments) in done for c in _calls_for(spec, s))
        ids = sum(_is_record_id(n, p) for n, p in missing)
        # 参数齐的优先；同样的调用这段对话里已经做过（刚查过能不能退）的不再做一遍；缺记录编号的比缺别的更不对口
        return (-len(missing) - 2 * repeat - 3 * ids, len(required & record), r.score)

    return max(close, key=fit)


ALL = re.compile(r"都|全部|全都|所有|两个都|\b(?:all|both|every|each)\b", re.I)


def _calls_for(spec: ToolSpec, s: Situation) -> list[Call]:
    key = ("calls", spec.name)
    if key not in s.memo:
        s.memo[key] = _make_calls(spec, s)
    return [Call(c.name, c.arguments, c.call_id) for c in s.memo[key]]  # 调用方会给 call_id 赋值：每次给新的副本


def _make_calls(spec: ToolSpec, s: Situation) -> list[Call]:
    """生成参数；要的是几样东西、而工具一次只收一样时，并行调用几次：一句话里并列的几个城市 / 订单号
    （“A1001 和 A1002 到哪了”），或者“都关掉吧”指着前面说过的几个房间。"""
    params = spec.parameters or {"type": "object", "properties": {}}
    base = fill.build_object(params, _context(spec, s))
    corrected = {}
    if s.state.move == "follow_up":  # 接着上一次同一个工具再办（“不对，是支票账户”）：这句话没改的参数照旧
        base.update(_kept(spec, s, base))
        corrected = _corrected(spec, s)
    if s.state.continuing:  # 接着前面办：日期、时间、人数这些这句话没重说的，用最近一次调用里商定的值
        base.update(_agreed(spec, s))
    base.update(corrected)  # 更正的值最后放：商定过的旧值不能把它盖回去
    base.update(_picked(spec, s))  # 从刚列出的几个里挑了一个（“the later one”）：也不能被旧值盖回去
    if s.conv.parallel:
        for name, values in _several(spec, s):
            return [Call(spec.name, json.dumps({**base, name: v}, ensure_ascii=False)) for v in values]
    return [Call(spec.name, json.dumps(base, ensure_ascii=False))]


CORRECTING = re.compile(lx.CORRECTION, re.I)


def _picked(spec: ToolSpec, s: Situation) -> dict:
    """参数是时间 / 日期，这句话从上一个结果列出的几个值里挑了一个（“the later one”“最早的那个”）：挑中的值。"""
    if not s.state.earlier:
        return {}
    params = spec.parameters or {}
    out = {}
    ctx = None
    for name, prop in (params.get("properties") or {}).items():
        prop = fill.resolve(prop or {}, params)
        sense = fill.meaning(name, prop)
        if sense in ("time", "date"):
            ctx = ctx or _context(spec, s)
            value = fill.picked_from_list(sense, ctx)
            if value is not None:
                out[name] = ent.to_clock(value, value) or value if sense == "time" else value
    return out


def _corrected(spec: ToolSpec, s: Situation) -> dict:
    """更正一个值（“sorry, it's 15847, I misread a digit”）：新值换掉上一次调用里和它一个样子的那个参数
    （五位数的读数，不是六位数的户号），别的参数照旧。说不准换哪个时什么也不换。"""
    if not CORRECTING.search(s.question):
        return {}
    last = _last_arguments(s.conv, spec.name)
    said = [v for v in ent.values("ident", s.question) + [ent.plain(n) for n in ent.numbers(s.question)]
            if v not in {str(x) for x in last.values()}]
    out: dict = {}
    for value in dict.fromkeys(said):
        same = [k for k, old in last.items() if k not in out and not isinstance(old, bool)
                and isinstance(old, (int, str)) and fill._shape(str(old)) == fill._shape(value)]
        if len(same) == 1:
            old = last[same[0]]
            out[same[0]] = int(value) if isinstance(old, int) and value.isdigit() else value
    return {**last, **out} if out else {}


def _kept(spec: ToolSpec, s: Situation, base: dict) -> dict:
    """上一次调用同一个工具时的参数里，这句话没有给出新值的那些（这次没填、或者只填了默认值）：照旧
    （“最近 3 笔”改成另一个账户，还是 3 笔）。"""
    params = spec.parameters or {}
    props = params.get("properties") or {}
    kept = {}
    for name, value in _last_arguments(s.conv, spec.name).items():
        prop = fill.resolve(props.get(name) or {}, params)
        if name in props and (name not in base or ("default" in prop and base[name] == prop["default"])):
            kept[name] = value
    return kept


AGREED_SENSES = frozenset({"date", "month", "time", "quantity", "degree", "percent", "city", "origin", "destination", "room",
                           "address", "department"})


def _agreed(spec: ToolSpec, s: Situation) -> dict:
    key = ("agreed", spec.name)
    if key not in s.memo:
        s.memo[key] = _find_agreed(spec, s)
    return dict(s.memo[key])


def _find_agreed(spec: ToolSpec, s: Situation) -> dict:
    """最近的调用里用过的同名参数（查有没有位用的日期、时间、人数）：这句话没有重新说，就照那次的值办下一步
    （客人选了“晚一点那个”，查的是 20:30，订座也是 20:30，不是最早说的 7 点）。编号、自由文字不在此列。"""
    params = spec.parameters or {}
    props = params.get("properties") or {}
    current = fill.Context(s.question, system=s.conv.system, english=s.english, state=s.state)
    agreed = {}
    for turn in reversed(s.conv.turns):
        for call in reversed(turn.calls):
            try:
                args = json.loads(call.arguments or "{}")
            except ValueError:
                continue
            for name, value in (args.items() if isinstance(args, dict) else ()):
                prop = fill.resolve(props.get(name) or {}, params)
                if name in agreed or name not in props or value in (None, ""):
                    continue
                if (prop.get("enum") or fill.meaning(name, prop) in AGREED_SENSES) \
                        and not fill.stated(name, prop, current, params):
                    agreed[name] = value
    return agreed


def _last_arguments(conv: Conversation, tool: str) -> dict:
    """这段对话里最近一次调用这个工具用的参数（没调用过是空的）。"""
    for turn in reversed(conv.turns):
        for call in reversed(turn.calls):
            if call.name == tool:
                try:
                    found = json.loads(call.arguments or "{}")
                except ValueError:
                    return {}
                return found if isinstance(found, dict) else {}
    return {}


def _several(spec: ToolSpec, s: Situation) -> list[tuple[str, list[str]]]:
    """哪个参数要并行取几个值：这句话里要办的那几个分句说到的几个城市 / 订单号（“我有 A1003 和 A1005，
    先帮我查 A1003”只取 A1003），或者“都 / all”指着前文说过的几个房间、订单。"""
    params = spec.parameters or {}
    props = params.get("properties") or {}
    for name in params.get("required") or []:
        prop = fill.resolve(props.get(name) or {}, params)
        sense = fill.meaning(name, prop)
        if sense not in ("city", "order_id", "room") or fill.type_of(prop) != "string":
            continue
        if ALL.search(s.question) and s.state.continuing:
            mentioned = [v for src in s.state.request.sources for v in fill.places_of(sense, src)]
            values = list(dict.fromkeys(v for v in mentioned if not prop.get("enum") or v in prop["enum"]))
        elif len(fill.places_of(sense, s.question)) > 1:  # 说到了几个：再看哪几个是要办的
            values = _asked_values(sense, s.question)
        else:
            continue
        if len(values) > 1:
            return [(name, values)]
    return []


def _asked_values(sense: str, question: str) -> list[str]:
    """这句话里要办的那几个值：只有一个分句在提要求时（“我有两个订单 A1003 和 A1005，先帮我查 A1003”），
    只算那个分句里的。"""
    clauses = [c for c in re.split(r"[，,。.;；!！?？]", question) if c.strip()]
    asking = [c for c in clauses if state.own_request(c).has_intent or re.search(r"[吗呢?？]|多少|几", c)]
    found = [v for c in asking for v in fill.places_of(sense, c)] if 0 < len(asking) < len(clauses) else []
    return list(dict.fromkeys(found)) or fill.places_of(sense, question)


def search_terms(question: str) -> str:
    """搜索词：多行输入取第一行，去掉“Search term:”“搜索词：”这类标签和口头语，去掉引号。"""
    first = next((line for line in question.strip().splitlines() if line.strip()), question)
    first = re.sub(r"^\s*[\w\s]{1,20}?[:：]\s*", "", first) if re.match(r"^\s*[\w\s]{1,20}?[:：]\s*\S", first) \
        else first
    return re.sub(r"[\"\\“”「」]", "", text.keyword(first)).strip() or question.strip()[:60]


# ---------------------------------------------------------------- 先确认、先核对：工具说明和指令里的规矩

GATE = re.compile(r"only (?:call|use|do|run)?\s*(?:it|this)?\s*(?:after|once|if|when) .{0,40}(?:confirm|agree|say yes|accept)|"
                  r"(?:after|once|until) (?:the )?(?:user|customer|traveller|traveler|patient|client) .{0,20}"
                  r"(?:has |have )?(?:explicitly |clearly )?(?:confirm|agree|say yes)|wait for .{0,50}confirmation|"
                  r"ask (?:the \w+ )?(?:them |the user |the customer )?(?:to confirm|whether|for confirmation)|"
                  r"confirm (?:with .{0,20})?before|"
                  r"(?:用户|顾客|客户|对方|病人)?(?:明确)?(?:确认|同意)(?:之|以)?后(?:才|再)?|经(?:用户)?确认|先(?:和|跟|向)?.{0,8}确认",
                  re.I)
LISTING = re.compile(lx.LISTING, re.I)
OWN_INSTRUCTIONS = re.compile(lx.OWN_INSTRUCTIONS, re.I)
ASKS_IF_HUMAN = re.compile(lx.ASKS_IF_HUMAN, re.I)
CHECK_FIRST = re.compile(r"先用\s*(\w+)|先调用\s*(\w+)|first (?:use|call|check with|look it up with)\s+(\w+)", re.I)
CONFIRMING = re.compile(r"^(?:对|是的|是|好的|好|行|可以|没问题|确认|确定|没错|当然|嗯|yes|yeah|yep|sure|ok|okay|please|"
                        r"go ahead|that's fine|fine|sounds (?:good|fine|great)|that works|perfect|great|alright|all right)\b|^(?:对|是的|好的|确认|确定|没错|当然|好啊|行吧|嗯嗯)", re.I)


def _gate(spec: ToolSpec, functions: list[ToolSpec], s: Situation) -> tuple[str, ToolSpec | None] | None:
    """这个工具要用户确认了才能调（说明写着“Only call after … confirmed”，或者指令里说到它的那一行这样写）：
    没确认时返回 ("confirm", None)；指令还说了“先用 X 查一下”、而 X 这段对话里还没用过时返回 ("first", X)。
    已经确认了（“好的，办吧”“对，取消吧”“Sure, block the card”）返回 None。"""
    rules = _gate_lines(spec, s)
    if not rules:
        return None
    if s.state.move == "confirm" or (s.state.offer and CONFIRMING.search(s.question.strip())):
        return None
    if CONFIRMING.search(s.question.strip()) and s.state.request.modality == "act" and _options_shown(s):
        return None  # 刚把查到的方案 / 选项给用户看过，用户说“好，就这么办”：同意的就是那个方案
    if all(CONSENT.search(rule) and not DETAILS.search(rule) for rule in rules) and _asks_for_this(spec, s):
        return None  # 规矩是“问要不要办”，用户自己开口要办的正是这件事（“put me on the waitlist then”）：这就是同意
    used = {c.name for t in s.conv.turns for c in t.calls}
    for rule in rules:
        name = _check_step(rule, spec.name, functions)
        check = next((t for t in functions if t.name == name), None)
        if check is not None and name not in used:
            return "first", check
    return "confirm", None


# “问要不要排候补，同意后……”：确认的是要不要办；“念给学生确认”“核对金额”确认的是细节，用户开口要办也得先念一遍
CONSENT = re.compile(r"问(?:他|她|对方|学生|用户|客户|顾客|病人)?(?:要不要|是否要|是否需要|需不需要|愿不愿意)|"
                     r"\bask (?:them |the \w+ )?(?:if|whether) (?:they|he|she) (?:want|would like|wish)|\boffer to\b", re.I)
DETAILS = re.compile(r"念|复述|核对|说清|告诉.{0,8}(?:金额|费用|价格|多少)|read (?:it |them )?back|repeat|amount|fee|cost|price",
                     re.I)


def _asks_for_this(spec: ToolSpec, s: Situation) -> bool:
    """这句话自己就说了要办这件事（要办的事正是这个工具管的，而且是在要求办，不是在问）。"""
    if s.state.request.modality != "act":
        return False
    profile = route.profiles([spec], "")[0]
    if s.state.request.own & lx.ACTIONS & profile.described:  # 要办的事（候补、退课）正是这个工具管的
        return True
    verbs = {w.lower() for w, pos in text.tag(spec.description or "") if pos.startswith("v") and len(w) >= 2}
    verbs |= {(text.split_identifier(spec.name) or [""])[0].lower()}
    return bool(verbs & {w.lower() for w in text.words(s.question)})  # 说明里的动词（通知、freeze）用户自己说了


def _options_shown(s: Situation) -> bool:
    """上一轮助手是拿工具结果作答的（报价、方案、选项）：用户这时说“好，办吧”，同意的就是看到的那些。"""
    turns = list(s.conv.turns)
    users = [i for i, t in enumerate(turns) if t.role == "user"]
    if len(users) < 2:
        return False
    return any(t.role == "tool" for t in turns[users[-2] + 1:users[-1]])


PREREQUISITE = re.compile(
    r"(?:先用|先调用|先|须先|需要先)\s*([A-Za-z_]\w+)\s*(?:确认|核对|判定|查|检查|核实)|"
    r"([A-Za-z_]\w+)\s*(?:判定|确认|核对|核实|返回|查到|检查)[^。；;]{0,24}?(?:之后|以后|后)才(?:能|可以)?(?:调用|使用|用)|"
    r"only (?:call|use) (?:this|it) after ([A-Za-z_]\w+)|only after ([A-Za-z_]\w+)|"
    r"after ([A-Za-z_]\w+) (?:confirms|returns|says|shows|checks)|"
    r"(?:call|use|run|check with) ([A-Za-z_]\w+) first", re.I)


def _prerequisite(spec: ToolSpec, functions: list[ToolSpec], s: Situation) -> ToolSpec | None:
    """工具说明写着办之前要先用哪个工具查（“check_quota 判定可以申请之后才能调用”“先用 find_rooms 确认有空房”），
    而这段对话里还没有用同样的值查过（换了编号要重新核对）：返回那个工具。"""
    for m in PREREQUISITE.finditer(spec.description or ""):
        name = next(g for g in m.groups() if g)
        check = next((t for t in functions if t.name == name and t.name != spec.name), None)
        if check is not None and not _checked(check, s):
            return check
    if not route.profiles([spec], "")[0].acts:
        return None  # 两个都只是查（先查订单、再查物流）：由 _in_sequence 一起查
    for check in functions:  # 指令一行写“先用 court_free 查”，这一行或下一行说“有空就 reserve_court”
        if check.name != spec.name and spec.name in _instructed_after({check.name}, s.conv.system or "") \
                and not _checked(check, s):
            return check
    return None


def _refused_before(spec: ToolSpec, s: Situation) -> str | None:
    """这段对话里刚为同一条记录查过、结果说不行（eligible: false）——用户接着说“那就退吧”：返回那次结果的一句话，
    照它回答，不去问办理要的信息（问了就像是还能办）。换了一条记录（另一个订单号）不算。"""
    if s.outputs:
        return None
    refused = {t.call_id: t for t in s.conv.turns if t.role == "tool" and "false" in t.text and _refused([t])}
    if not refused:  # 这段对话里没有哪个结果说过不行：不用往下找（每个办事的请求都会走到这里）
        return None
    wanted = {str(v) for v in json.loads(_calls_for(spec, s)[0].arguments or "{}").values() if isinstance(v, str) and v}
    ids = {v for v in wanted if ent.values("ident", v) or ent.values("order_id", v)}
    if not ids:
        return None
    results = {t.call_id: t for t in s.conv.turns if t.role == "tool"}
    about = route.profiles([spec], "")[0].described & lx.ACTIONS
    for turn in reversed(s.conv.turns):
        for call in turn.calls:
            output = results.get(call.call_id)
            args = recall.parsed(call.arguments or "{}")
            if output is None or call.name == spec.name or not isinstance(args, dict):
                continue
            check = next((t for t in s.conv.functions if t.name == call.name), None)
            if check is None or not about & route.profiles([check], "")[0].described:
                continue  # 查的是别的事（能不能退 ≠ 能不能开工单）
            if ids & {str(v) for v in args.values()} and call.call_id in refused:
                return render.tool_result(call.name, output.text, s.question, s.english)
            if ids & {str(v) for v in args.values()}:
                return None  # 最近一次查这条记录的结果没说不行
    return None


def _checked(check: ToolSpec, s: Situation) -> bool:
    """这段对话里已经用这个工具查过、结果没说不行，而这句话也没有给出和那次不一样的值（换了保单号就要重查）。"""
    params = check.parameters or {}
    props = params.get("properties") or {}
    current = fill.Context(s.question, system=s.conv.system, english=s.english, state=s.state)
    stated = {n for n, prop in props.items() if fill.stated(n, fill.resolve(prop, params), current, params)}
    fresh = json.loads(_calls_for(check, s)[0].arguments or "{}") if stated else {}
    results = {t.call_id: t for t in s.conv.turns if t.role == "tool"}
    for turn in s.conv.turns:
        for call in turn.calls:
            if call.name != check.name:
                continue
            args = recall.parsed(call.arguments or "{}")
            output = results.get(call.call_id)
            if isinstance(args, dict) and all(args.get(n) == fresh.get(n) for n in stated) and not (
                    output is not None and _refused([output])):
                return True
    return False


def _produced_by(spec: ToolSpec, names: set[str]) -> bool:
    """这个工具的某个参数说明写着值从那几个工具来（“Ticket id from list_tickets”）。"""
    props = (spec.parameters or {}).get("properties") or {}
    return any(re.search(r"(?<![A-Za-z0-9_])(?:" + "|".join(map(re.escape, names)) + r")(?![A-Za-z0-9_])",
                         str(p.get("description") or "")) for p in props.values() if isinstance(p, dict)) if names \
        else False


def _next_step(s: Situation, functions: list[ToolSpec]) -> ToolSpec | None:
    """这一轮刚按规矩先查过（能不能赔、有没有位），或者刚查出了要办的事需要的编号（借阅号），结果没说不行，
    用户要办的那件事参数也齐了、不用再确认：接着办（报案、订座、续借），和真实模型一轮里连着调两个工具一样。"""
    request = s.state.request
    if not s.outputs or _refused(s.outputs) or _charges(s.outputs) or not (
            "submit" in request.concepts or request.concepts & lx.ACTIONS and request.modality == "act"):
        return None  # 查出来要另外收费（年轻驾驶人附加费）时，先告诉用户、等用户同意，不接着办
    checked = {o.name for o in s.outputs}
    called = {c.name for t in s.conv.turns for c in t.calls}
    for spec in functions:
        prerequisite = any(next(g for g in m.groups() if g) in checked
                           for m in PREREQUISITE.finditer(spec.description or "")) or any(
            (first := CHECK_FIRST.search(line)) and next(g for g in first.groups() if g) in checked - {spec.name}
            for line in _lines_naming_tool(spec, s))  # 指令这一行写明“先用 X 查……，再用它办”
        if spec.name in called or not (prerequisite or _produced_by(spec, checked) and _referenced(s) is not None):
            continue
        if not _missing(spec, s) and _gate(spec, functions, s) is None and not _precondition_fails(spec, s.outputs) \
                and not _pointless(spec, s.outputs):
            ranked = route.rank(s.state.request, [spec], s.conv.system)
            if ranked and ranked[0].score >= route.MIN_SCORE:
                return spec
    return None


def _lines_naming_tool(spec: ToolSpec, s: Situation) -> list[str]:
    return [line for line in re.split(r"\n", s.conv.system or "")
            if re.search(r"(?<![A-Za-z0-9_])" + re.escape(spec.name) + r"(?![A-Za-z0-9_])", line)]


def _pointless(spec: ToolSpec, outputs: list[Turn]) -> bool:
    """刚查到的结果说这件事不用办了：unlock_account 而 locked 是 false，block_card 而 blocked 已经是 true。"""
    verb = (text.split_identifier(spec.name) or [""])[0].lower()
    if len(verb) < 4:
        return False
    undo = verb[2:] if verb.startswith("un") else None
    for o in outputs:
        data = recall.parsed(o.text)
        if not isinstance(data, dict):
            continue
        for key, value in data.items():
            if not isinstance(value, bool):
                continue
            k = key.lower()
            if undo and k.startswith(undo) and value is False:  # 要解锁，可是没锁
                return True
            if not undo and k in (verb + "ed", verb + "d", "is_" + verb + "ed") and value is True:  # 已经办过了
                return True
    return False


_NO_SUCH = re.compile(r"\b(?:has|have|with|there (?:is|are)) no ([a-z][a-z ]{2,30}?)(?=[;,.]|$| and)|没有([\u4e00-\u9fff]{2,8})的",
                      re.I)


def _precondition_fails(spec: ToolSpec, outputs: list[Turn]) -> bool:
    """工具说明写着只用于“没有 X”的情况（“a book that has no copy on the shelf”），刚查到的结果里 X 的数目大于 0：
    不接着办（该告诉用户去哪借，而不是预约）。"""
    wanted = [set(text.words(next(g for g in m.groups() if g))) for m in _NO_SUCH.finditer(spec.description or "")]
    if not wanted:
        return False
    for o in outputs:
        data = recall.parsed(o.text)
        for record in [data, *recall.rows(data)] if isinstance(data, dict) else recall.rows(data):
            for key, value in record.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 and any(
                        len(set(text.words(" ".join(text.split_identifier(key)))) & w) >= min(2, len(w)) for w in wanted):
                    return True
    return False


def _check_step(line: str, gated: str, functions: list[ToolSpec]) -> str | None:
    """要确认的那一行里，办之前先做的那一步：写明“先用 X”的 X；没写“先”时，是这一行在确认之前点名的
    另一个工具（“用 find_order 按手机号找到订单……客户同意后才调用 cancel_order”）。"""
    first = CHECK_FIRST.search(line)
    if first:
        name = next(g for g in first.groups() if g)
        return name if name != gated else None
    gate = GATE.search(line)
    end = gate.start() if gate else len(line)
    named = sorted((m.start(), t.name) for t in functions if t.name != gated
                   for m in re.finditer(r"(?<![A-Za-z0-9_])" + re.escape(t.name) + r"(?![A-Za-z0-9_])", line[:end]))
    return named[0][1] if named else None


SEQUENCE = re.compile(r"先(?:用|调用|调)\s*(\w+).{0,40}?(?:再|然后|接着)(?:用|调用|调)\s*(\w+)|"
                      r"first (?:use|call|run)\s+(\w+).{0,60}?then (?:use|call|run)?\s*(\w+)", re.I)


def _in_sequence(spec: ToolSpec, calls: list[Call], functions: list[ToolSpec], s: Situation) -> list[Call]:
    """指令说这类问题“先用 A 查……，再用 B 查……”、A 和 B 都只是查询：两个一起调（按指令的先后）。
    后一步是办事（提交、取消）的不算：要等前一步的结果。"""
    if s.outputs or len(calls) != 1:
        return calls
    for names in _sequences(s.conv.system or ""):
        if spec.name not in names or len(names) != 2:
            continue
        steps = [next((t for t in functions if t.name == n), None) for n in names]
        if None in steps or any(route.profiles([t], "")[0].acts for t in steps):
            continue
        return [c for t in steps for c in (calls if t.name == spec.name else _calls_for(t, s))]
    return calls


@lru_cache(maxsize=512)
def _sequences(system: str) -> tuple[tuple[str, ...], ...]:
    """指令里“先用 A 查……，再用 B 查……”的每一句：(A, B)。"""
    found = []
    for line in _sentences(system):
        m = SEQUENCE.search(line)
        if m:
            found.append(tuple(g for g in m.groups() if g))
    return tuple(found)


@lru_cache(maxsize=512)
def _sentences(system: str) -> tuple[str, ...]:
    return tuple(re.split(r"\n|(?<=[。.])\s*", system))


@lru_cache(maxsize=2048)
def _sentences_about(system: str, name: str) -> tuple[str, ...]:
    """指令里说到这个工具（名字，或名字里的动词）的句子。"""
    verb = (text.split_identifier(name) or [name])[0].lower()
    return tuple(line for line in _sentences(system)
                 if name in line or (len(verb) > 3 and re.search(r"\b" + verb, line, re.I)))


def _gate_lines(spec: ToolSpec, s: Situation) -> list[str]:
    """说明这个工具要先确认的话：指令里说到它、又和这句话最对得上的那一行，以及工具自己的说明。"""
    found = []
    lines = _sentences_about(s.conv.system or "", spec.name)
    if lines:
        asked = s.state.request.concepts
        said = set(text.words(s.state.request.text))
        best = max(lines, key=lambda line: (len(text.concepts(line) & asked), len(set(text.words(line)) & said)))
        first = CHECK_FIRST.search(best)
        if GATE.search(best) and not (first and next(g for g in first.groups() if g) == spec.name) \
                and _gated_here(best, spec.name, s.conv.functions):
            found.append(best)  # 这一行说“先用它查一下”的那个工具，自己不用等确认
    if GATE.search(spec.description or ""):
        found.append(spec.description)
    return found


def _gated_here(line: str, name: str, functions: list[ToolSpec]) -> bool:
    """一行里点名了几个工具时，“确认后才调用”说的是紧跟在这句话后面（或者前面最近）的那个：
    “用 find_order 找到订单……客户同意后才调用 cancel_order”要等确认的是 cancel_order，不是 find_order。"""
    named = sorted((m.start(), t.name) for t in functions
                   for m in re.finditer(r"(?<![A-Za-z0-9_])" + re.escape(t.name) + r"(?![A-Za-z0-9_])", line))
    gate = GATE.search(line)
    near = line[max(0, gate.start() - 24):gate.end()].lower()
    verbs = {t.name: (text.split_identifier(t.name) or [""])[0].lower() for t in functions}
    by_verb = [n for n, v in verbs.items() if len(v) > 3 and re.search(r"\b" + re.escape(v), near)]
    if by_verb:  # “extend only after they accept”：确认说的是名字里有这个动词的工具
        return name in by_verb
    if len({n for _, n in named}) < 2:
        return True
    after = [n for at, n in named if at >= gate.start()]
    before = [n for at, n in named if at < gate.start()]
    owner = after[0] if after else before[-1]
    return owner == name


def _confirm(spec: ToolSpec, s: Situation) -> str:
    """要确认的事说清楚：做什么、用哪些值（“Shall I cancel a flight booking (booking ref: SK523LW)?”）。"""
    call = _calls_for(spec, s)[0]
    label = re.sub(r"[（(][^）)]*[）)]", "", route.profiles([spec], "")[0].label).strip()
    shown = _shown(call, limit=4)
    rules = " ".join([spec.description or "", *_gate_lines(spec, s), *guidance.lines_naming(spec, s)])
    price = _price_of(shown, rules)
    return render.confirm_action(label, shown + guidance.read_back(rules, shown, _earlier(s)), s.english, spec.name, price)


def _price_of(shown: list[tuple[str, object]], rules: str) -> str | None:
    """说明或指令写着这个选项的价钱（“5GB 15 元、10GB 25 元”）：确认时把用户选的那一档的价钱说出来。"""
    for _, value in shown:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)) or len(str(value)) > 12:
            continue
        m = re.search(r"(?<![\d.])" + re.escape(str(value)) + r"\s*(?:[A-Za-z]{1,3}|个|份|天|晚|月)?\s*[:：,，-]?\s*(?:"
                      + guidance.MONEY_AFTER + r")", rules)
        if m:
            return m.group(0).strip(" ,，:：")
    return None


def _held_for_charges(s: Situation) -> ToolSpec | None:
    """这一轮的检查通过了，但结果里有一笔额外的费用：要办的那个工具（说明写着要先用这个检查的）先不办，等用户点头。"""
    if not s.outputs or _refused(s.outputs) or not _charges(s.outputs):
        return None
    checked = {o.name for o in s.outputs}
    called = {c.name for t in s.conv.turns for c in t.calls}
    for spec in s.conv.functions:
        names = {next(g for g in m.groups() if g) for m in PREREQUISITE.finditer(spec.description or "")}
        if names & checked and spec.name not in called and not _missing(spec, s):
            return spec
    return None


def _offerable(s: Situation) -> ToolSpec | None:
    """这一轮查过了、结果没说不行，用户在问（“这种能赔吗”）或者刚挑定了一个（“那就晚一点的那个”）：说明写着要先用
    这个查的那个办事工具，问要不要办（办还缺什么就问什么）。"""
    request = s.state.request
    if not s.outputs or _refused(s.outputs) or not (request.modality == "ask" or "submit" in request.own
                                                    or s.state.move in ("follow_up", "answer")):
        return None  # 接着前面问（“Tuesday then, same time”）也算：查到有位，就问办这件事还缺什么
    checked = {o.name for o in s.outputs}
    called = {c.name for t in s.conv.turns for c in t.calls}
    followers = _instructed_after(checked, s.conv.system or "")
    for spec in s.conv.functions:
        names = {next(g for g in m.groups() if g) for m in PREREQUISITE.finditer(spec.description or "")}
        if (names & checked or spec.name in followers) and spec.name not in called \
                and route.profiles([spec], "")[0].acts:
            return spec
    return None


def _instructed_after(checked: set[str], system: str) -> set[str]:
    """指令写着“先用 check_tables 查有没有位”，同一行或紧接着的下一行点名的工具（“有位的话……用 hold_table 订好”）：
    查完之后要办的那一步。"""
    return set(_instructed_after_cached(frozenset(checked), system))


@lru_cache(maxsize=512)
def _instructed_after_cached(checked: frozenset[str], system: str) -> frozenset[str]:
    lines = [line for line in system.split("\n") if line.strip()]
    found = set()
    for i, line in enumerate(lines):
        first = CHECK_FIRST.search(line)
        if first and next(g for g in first.groups() if g) in checked:
            for later in (line[first.end():], *lines[i + 1:i + 2]):
                found |= set(re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", later))
    return frozenset(found - checked)


def _pending_gate(s: Situation) -> ToolSpec | None:
    """这一轮刚按指令先查过（取消前先核对）：找出等着确认的那个工具，回答末尾问一句。"""
    done = {t.name: t for t in s.conv.functions if t.name in {o.name for o in s.outputs}}
    for spec in s.conv.functions:
        for rule in _gate_lines(spec, s):
            checked = done.get(_check_step(rule, spec.name, s.conv.functions) or "")
            if checked is None:
                continue
            # 用户要办的是这件事（“帮我取消预约”：取消），不是只想查一下（“查一下预约”）
            gated, check = route.profiles([spec, checked], s.conv.system)
            if s.state.request.concepts & (gated.described - check.described):
                return spec
    return None


# ---------------------------------------------------------------- 从上下文里答：前面的工具结果已经有了


def _from_context(s: Situation) -> str | None:
    """问的是前面工具结果里已经有的东西（“第二款多少钱”“湿度呢”“为什么不行”“那几时能到货”）：直接从结果里答，
    不再调用工具。说了新的编号、或者要办一件事（“就订评分最高的那家”），都不算：照常选工具。"""
    dialogue = s.state
    if dialogue.move not in ("follow_up", "new") or not dialogue.earlier or state.corrects(s.question):
        return None  # 纠正（“Sorry, I meant savings”）要重新查
    if any(ent.find(k, s.question) for k in ("order_id", "ident", "last4")):
        return None
    # 要办事（“就它了，星河 X20 怎么买”）时指着列出的一条：有能办的工具就拿它去办；一个能办事的工具都没有，
    # 就从前面的结果里说这一条，不再搜一遍
    can_act = any(route.profiles([f], "")[0].acts for f in s.conv.functions)
    acting = "submit" in dialogue.request.concepts or (
        dialogue.request.modality == "act" and dialogue.request.concepts & lx.ACTIONS)
    if acting and can_act:
        return None  # 在办一件事（续借）时指着列出的一条（“第二本”）：是拿它去办，不是问它
    results = _earlier(s)
    if not results:
        return None
    referenced = _referenced(s, results)
    own = dialogue.request.own - lx.OBJECTS - {"lookup", "shop", "greet"}
    zone = ent.zone_in(s.conv.system)
    if referenced is not None:
        index, record, _ = referenced
        record = render.localize(record, zone, s.english)
        if acting:  # 要办，却没有能办的工具：说这一条是什么，照实说这里办不了
            return render.recalled(index, record, s.english, []) + render.no_tool_to_act(s.english)
        asked = recall.fields_asked(s.question, record, _labels)
        if asked and own and not recall.answers_kind(s.question, asked) and _tool_for(own, s):
            return None  # 问的是别的工具管的事（“那个分馆几点关门”：记录里只有分馆名，没有营业时间）：去查
        if asked or not own:  # 问的是这一条里有的东西；问别的（“它保修几年”）就照常去查
            return render.recalled(index, record, s.english, asked)
        sentences = [] if LISTING.search(s.question) else recall.sentences_about(s.question, record)
        return render.quoted(sentences, s.english) if sentences else None  # 这一条的介绍里写着（“预计两周内到货”）
    newest = render.localize(results[0].data, zone, s.english)
    record = newest if isinstance(newest, dict) else {}
    asked = recall.fields_asked(s.question, record, _labels)
    if LISTING.search(s.question) or not (dialogue.move == "follow_up" or recall.asks_duration(s.question) or asked
                                          and dialogue.request.modality == "ask" and recall.answers_kind(s.question, asked)):
        return None  # 要看一批新的东西（“那你们有哪些……”）：去查，不从前面的结果里摘句子
    if asked:
        return render.recalled_fields(asked, record, s.english)
    sentences = recall.sentences_about(s.question, newest)
    return render.quoted(sentences, s.english) if sentences else None


def _tool_for(concepts: frozenset[str], s: Situation) -> bool:
    """有个工具管这几件事（说明里的概念对得上、分数够）：问的是它，不是前面结果里的字段。"""
    request = state.Request(s.question, concepts, "ask", (s.question,))
    ranked = route.rank(request, s.conv.functions, s.conv.system) if s.conv.functions else []
    return bool(ranked) and ranked[0].score >= route.MIN_SCORE and bool(set(ranked[0].reasons) & concepts)


def _earlier(s: Situation) -> list[recall.Result]:
    if "earlier" not in s.memo:
        s.memo["earlier"] = recall.earlier_results(s.conv)
    return s.memo["earlier"]


def _referenced(s: Situation, results: list[recall.Result] | None = None) -> tuple[int, dict, dict] | None:
    if results is None:  # 默认的材料（这一轮的结果 + 前面的结果）：一次决策里只找一次
        if "referenced" not in s.memo:
            s.memo["referenced"] = _find_referenced(s)
        return s.memo["referenced"]
    return _find_referenced(s, results)


def _find_referenced(s: Situation, results: list[recall.Result] | None = None) -> tuple[int, dict, dict] | None:
    """这句话（或者它指回的上一句，“那它还有库存吗”）指着最近一次列表结果里的哪一条：(序号, 记录, 整个结果)。"""
    if results is None:  # 这一轮刚拿到的结果（查出借阅记录，接着续借其中一本）也算，最新的在前
        results = [*(recall.Result(o.name, recall.parsed(o.text)) for o in reversed(s.outputs)),
                   *_earlier(s)]
    listing = next((r for r in results if recall.rows(r.data)), None)
    if listing is None:
        return None
    records = recall.rows(listing.data)
    picked = recall.pick(s.question, records)
    if picked is None and (s.state.move in ("follow_up", "answer") or s.outputs) and s.state.earlier:
        # “那这个呢”“卡号是 12345”：指的是前面几句说到的那一条（“帮我把那张发票重开一下”）
        picked = next((p for p in map(lambda said: recall.pick(said, records), reversed(s.state.earlier[-3:]))
                       if p is not None), None)
    if picked is None:
        return None
    parent = listing.data if isinstance(listing.data, dict) else {}
    return picked[0], picked[1], {k: v for k, v in parent.items() if not isinstance(v, list)}


def _labels(key: str) -> tuple[str, str]:
    return render.field_label(key, False), render.field_label(key, True)


# ---------------------------------------------------------------- 作答


def compose(s: Situation, plan: Plan, clarification: str | None = None) -> str:
    conv, question, english, outputs = s.conv, s.question, s.english, s.outputs
    if plan.web_search:
        body, plan.citations = render.search_answer(plan.web_search, _digest(plan.web_search)[:8], english)
    elif outputs:
        shown = _after_chain(outputs, conv.functions)
        body = render.tool_results([(t.name, t.text) for t in shown], question, english, _echoed(conv.turns),
                                   ent.zone_in(conv.system))
        waiting = _pending_gate(s)
        offerable = _offerable(s) if waiting is None and conv.schema is None else None
        next_step = _still_missing(s) if conv.schema is None and not _refused(outputs) else None
        following = next((t for t in (waiting, offerable, next_step) if t is not None), None)
        used_up = guidance.used_up(outputs, following) if following is not None and conv.schema is None else None
        if used_up is not None:  # 查出来次数已经用完（剩余续药次数 0）：不再问办理要的信息，说办不了、去哪办
            rule = guidance.used_up_rule(s, used_up)
            body += (" " if english else "") + (render.advice(rule, english) if rule
                                                else render.used_up(render.field_label(used_up, english), english))
        elif waiting is not None and conv.schema is None:  # 先核对过了：问用户要不要接着办
            body += ("\n" if english else "") + _confirm(waiting, s)
        elif (held := _held_for_charges(s)) is not None:  # 查出来要另外收费：先说清楚、问一句再办
            plan.intended = held.name
            body += ("\n" if english else "") + _confirm(held, s)
        elif offerable is not None:  # 用户只是问能不能：说可以，问要不要办（办还缺什么就问什么）
            label = re.sub(r"[（(][^）)]*[）)]", "", route.profiles([offerable], "")[0].label).strip()
            plan.intended = offerable.name
            wanting = _missing(offerable, s)
            body += (" " if english else "") + (render.ask_to_continue(
                [render.slot_name(n, p, fill.meaning(n, p), english) for n, p in wanting], english) if wanting
                else render.offer_action(label, english, offerable.name))
        elif next_step is not None:  # 查过了、可以办，只差用户才知道的（退款原因）：问一句
            plan.intended, missing = next_step.name, _missing(next_step, s)
            wanted = [render.slot_name(n, p, fill.meaning(n, p), english) for n, p in missing]
            if not all(w in body for w in wanted):  # 结果（当工具用的 Agent 的回答）已经在要这几样了：不再问一遍
                body += (" " if english else "") + render.ask_to_continue(wanted, english)
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


REFUSAL_FIELD = re.compile(r"^(?:is_)?(?:eligible|allowed|available|ok|success|approved|possible|can_\w+)$", re.I)


def _after_chain(outputs: list[Turn], functions: list[ToolSpec]) -> list[Turn]:
    """这一轮先查后办（查借阅记录再续借、核对后报案）：回答说办的结果，中间查的那一步不用再念一遍。"""
    if len(outputs) < 2:
        return outputs
    acts = {p.name for p in route.profiles([t for t in functions if t.name in {o.name for o in outputs}], "")
            if p.acts}
    done = [o for o in outputs if o.name in acts]
    return done if done and outputs[-1].name in acts else outputs


CHARGE_FIELD = re.compile(r"fee|charge|surcharge|deposit|penalty|extra_cost|附加费|手续费|押金", re.I)


def _charges(outputs: list[Turn]) -> bool:
    """工具结果里有一笔要用户另外付的钱（fee、surcharge 大于 0）。"""
    for t in outputs:
        data = recall.parsed(t.text)
        if isinstance(data, dict) and any(CHARGE_FIELD.search(k) and isinstance(v, (int, float))
                                          and not isinstance(v, bool) and v > 0 for k, v in data.items()):
            return True
    return False


def _refused(outputs: list[Turn]) -> bool:
    """工具结果说了不行（eligible: false、allowed: false……）：不再往下问办理需要的信息。"""
    for t in outputs:
        try:
            data = json.loads(t.text)
        except (ValueError, TypeError):
            continue
        if isinstance(data, dict) and any(REFUSAL_FIELD.match(k) and v is False for k, v in data.items()):
            return True
    return False


def _still_missing(s: Situation) -> ToolSpec | None:
    """用户要办一件事，这一轮先用别的工具查过（能不能退），办的那个工具还没调、缺着只有用户知道的信息：
    返回它。"""
    request = s.state.request
    if request.modality != "act" or "submit" not in request.concepts or not s.conv.functions:
        return None
    called = {t.name for t in s.outputs}
    ranked = [r for r in route.rank(request, s.conv.functions, s.conv.system) if not r.profile.handoff]
    top = ranked[0].score if ranked else 0.0
    # 办这件事的工具（查过有位之后是“订座”那个）：分数够、名字里的动词就是办事的
    doing = next((r for r in ranked if r.profile.acts and r.score >= max(route.MIN_SCORE, top * 0.5)), None)
    if doing is None or doing.profile.name in called:
        return None
    spec = _spec(s.conv.functions, doing.profile.name)
    return spec if _missing(spec, s) else None


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
INTRO = re.compile(r"你是谁|介绍一下你|介绍下你|你叫什么|你(?:都)?能(?:帮我)?(?:做|干)(?:点)?(?:什么|啥)|你会什么|能帮我(?:做|干)(?:点)?(?:什么|啥)|"
                   r"who are you|introduce yourself|what can you (?:do|help)", re.I)
GREETING = re.compile(r"(你好|您好|hi|hello|hey|嗨|哈喽|在吗|在不在)[呀啊！!。.~，, ]*(there)?[！!。.]*", re.I)
THANKS = re.compile("|".join(r"\b" + re.escape(w) + r"\b" if w.isascii() else re.escape(w)
                             for w in sorted(lx.THANKS, key=len, reverse=True)), re.I)  # 道谢的说法只在词库里写一次
ARITH = re.compile(r"^[\d\s.+\-*/×÷()（）^]+$")
ARITH_WORDS = re.compile(r"^(what is|what's|calculate|compute|请问|计算)\s*|(等于|是)?(多少|几)[？?]*$|=\s*[？?]*$|[?？]$", re.I)
STORY = re.compile(r"故事|\bstory\b", re.I)
JOKE = re.compile(r"笑话|\bjokes?\b", re.I)
NEEDS = re.compile(
    r"(?:需要(?:用户|客户|对方)?|(?:请|让)(?:用户|客户|对方))提供([^。；;\n（(]+?)(?:[（(][^）)]*[）)])?(?:[，,]?(?:并|然后|再)|[。；;]|$)"
)
FIRST_QUESTION = re.compile(r"第一|最开始|一开始|开头|first", re.I)


def _about_conversation(s: Situation) -> str | None:
    """“我刚才问了什么”“我刚才退的是哪个订单”：引用那句话；那句话之后调用过工具时，也说说办了什么（用了哪些值）。"""
    if s.state.move != "meta":
        return None
    q = s.question
    if OWN_INSTRUCTIONS.search(q):  # 没有护栏的模型：问什么答什么，把指令念出来（输出护栏要拦的正是这个）
        return render.own_instructions(s.conv.system, s.english)
    if ASKS_IF_HUMAN.search(q):  # 问是不是真人：照实说
        return render.introduce(render.persona(s.conv.system, s.english), skills(s.conv, s.english), s.english,
                                ai=True)
    verb = "说" if "说" in q and "问" not in q else "问"
    earlier = list(s.state.earlier)
    first = bool(FIRST_QUESTION.search(q))
    action = _action_after(s, 0 if first else len(earlier) - 1) if earlier else None
    return render.previous_question(earlier, first, verb, s.english, action)


def _action_after(s: Situation, nth: int) -> tuple[str, list[tuple[str, object]]] | None:
    """第 nth 句用户消息之后（到下一句之前）最后调用的那个工具：(它做什么, 用了哪些值)。"""
    users = [i for i, t in enumerate(s.conv.turns) if t.role == "user"]
    if nth >= len(users) - 1:
        return None
    calls = [c for t in s.conv.turns[users[nth] + 1: users[nth + 1]] for c in t.calls
             if not c.name.startswith("transfer_to_")]
    if not calls:
        return None
    spec = next((t for t in s.conv.tools if t.name == calls[-1].name), None)
    label = route.profiles([spec], "")[0].label if spec else calls[-1].name
    return re.sub(r"[（(][^）)]*[）)]", "", label).strip(), _shown(calls[-1], limit=3)


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
    if not needs or any(not t.name.startswith("transfer_to_") for t in s.conv.functions):
        return None  # 有办事的工具时，缺什么按工具的参数问（_ask_for）；这里只管没有工具（最多能交接）的助手
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
    directive = ""  # 指令里要求回答风格的那句（“请提供技术性回答”）；别的指令原文不往回答里写
    for sentence in re.split(r"[。\n]", s.conv.system):
        if sentence.strip().startswith("请") and len(sentence.strip()) <= 30:
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
    ("advice", guidance.advice),  # 没有工具管的事：指令里交代了怎么办（“别的事请拨打……”）
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
        elif not english and label and not text.CJK.search(label) and not p.handoff:
            # 中文回答里不夹英文说明：cancel_visit → 取消到访，class_timetable → 查询课程时间表
            label = render.action_zh(label, p.name) if p.acts else render.lookup_zh(label, p.name)
        label = re.sub(r"\s*\b(?:with|from|via|using|by|用|先用)\s+[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z]+(?:_[a-z0-9]+)+\b", "",
                       label or "").strip(" ,，;；")  # 说明里提到的别的工具名不对用户说
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


def _shown(call: Call, limit: int = 2) -> list[tuple[str, object]]:
    try:
        args = json.loads(call.arguments or "{}")
    except ValueError:
        args = {}
    return [(k, v) for k, v in args.items() if isinstance(v, (str, int, float)) and not isinstance(v, bool)
            and str(v).strip() and len(str(v)) <= 30][:limit]
