"""选工具：读懂每个工具是干什么的、用户要办什么事（state.Request），给每个候选打分。

每个工具（含 handoff 的 `transfer_to_*`、agent-as-tool）的“画像”（`ToolProfile`）来自四处证据：
1. 名字：get_order_status → order、status 两个概念；名字开头的动词说明它是“办”还是“查”；
2. 描述和参数描述（handoff 的描述就是目标 Agent 的 handoff_description）；
3. 指令里点名它的那一行：“- 退款、退货、售后问题，交给 refund_agent；”“用户投诉……时，用 open_ticket”。
   这是最有力的证据（指令写明了分工），这些概念记为“指令分派”，命中时额外加分；
4. 参数的含义：要订单号的工具、要城市的工具……（只用来在几乎打平时分先后）。

打分规则（`rank`）：
- 概念对上：按概念的意图权重（“退款”“投诉”比“查询”更能说明要办什么）× 区分度；
- 词对上：按区分度（IDF：只在一个候选里出现的词比处处都有的词重要）；
- 订单号、城市这类实体只能打破平局，不能单独决定——订单号几乎每个工具都收；
- 用户在问（“还有几天调休”），而候选里既有“办”的工具又有“查”的工具：办的那个打折扣。
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from shared.mock import entities as ent
from shared.mock import fill, text
from shared.mock import lexicon as lx
from shared.mock.state import Request

MIN_SCORE = 1.0  # 低于它：问题和工具不相关，不调用
ROUTED_BONUS = 0.6  # 指令里写明“X 交给某工具”，命中 X 时在概念分上再加的比例
PARAM_ONLY = 0.3  # 只在参数里出现的概念（参数 date → “时间”）：说明要填什么，不说明工具管什么
CLOSE = 0.85  # 第二名的分数达到第一名的这个比例，算“难分高下”
GENERIC_ACTIONS = frozenset({"change", "submit"})  # set_、update_、create_ 这类动词什么事都能办，不算“另一件事”
OTHER_ACTION = 0.4  # 用户要办的事和工具名里的动词不是一回事（要下单 ↔ cancel_order）
SAME_ACTION = 1.5  # 工具名里的动词正是用户要办的事
WORDS_ONLY_ACT = 0.3  # 用户在问，办事类工具只撞上几个字（没对上任何一件事）：多半不是要办它
ASKING_DISCOUNT = 0.6  # 用户在问、候选里又有查询类工具时，办事类工具的分数乘以它
OPTION_WEIGHT = 1.2  # 说到一个参数选项加的分
OWN_BONUS = 1.25  # 概念出现在工具自己的名字或说明里时乘的系数
FOCUS_BONUS = 1.6  # 问句焦点上的概念（“……能开发票吗”的发票）乘的系数
HANDBACK_WEIGHT = 2.0  # 这句话要办的事专员的工具都管不了时，交回前台的那个 handoff 每个概念加的分（× 意图权重）
ASK_RULE = re.compile(r"意图不(清|明)|不清楚|不明确|问清|确认用户|澄清|clarif|unclear|ambiguous|not (yet )?clear", re.I)
HANDBACK = re.compile(r"不归|不属于|不负责|不是你|以外|之外|其他问题|其它问题|交回|交接回|转回|无法回答|答不了|无关|"
                      r"outside|not your|unrelated|"
                      r"(hand|transfer|send|route) (it |them |the customer )?back|cannot answer|can't answer|unable to", re.I)
CATCH_ALL = re.compile(r"answer(s|ing)? (any |general |common |customer |the user'?s? )?questions|"
                       r"frequently asked|\bfaq\b|常见问题|答疑|解答.{0,4}问题|回答.{0,6}问题", re.I)
OWNED = re.compile(r"(?:我的|我那个|我那|我这个|我之前的|我上次的|\bmy\b|\bour\b)\s*([\u4e00-\u9fff]{2,4}|[A-Za-z]{3,})", re.I)
LINE_SPLIT = re.compile(r"[\n。；;]|(?<=[.!?])\s")
TOPIC = re.compile(r"^\s*[-•*]?\s*[^：:，,。.]{1,24}[：:]")
CONJUNCTION = re.compile(r"[\s,，、/]*(?:和|与|及|或|以及|and|or)?[\s,，、/]*", re.I)
# 指令里说“不归它管”的那一段（“和退款无关的问题”“unrelated to refunds”）：这些话题不是分派给它的
NOT_FOR = re.compile(r"(?:和|与|跟)[^，,。；;]{1,12}?(?:无关|不相关|没关系)|(?:unrelated to|not related to|not about|"
                     r"other than|outside(?: of)?)\s+[\w\s-]{1,30}", re.I)


@dataclass(frozen=True)
class ToolProfile:
    """一个工具的画像（和 profiles.py 的提供方配置无关）。"""

    name: str
    handoff: bool
    concepts: frozenset[str]
    words: frozenset[str]
    routed: frozenset[str]  # 指令点名分派给它的概念
    routed_words: frozenset[str]
    slots: frozenset[str]  # 参数的含义：order_id、city……
    label: str  # 给用户看的一句话说明（澄清问题里用）
    handback: bool = False  # 指令说“不归你管的问题交回它”（专员交回前台的那个 handoff）
    catch_all: bool = False  # 描述说它回答一般问题（FAQ、答疑）：别的都不对口时，信息类问题交给它
    param_concepts: frozenset[str] = frozenset()  # 只在参数里出现的概念：算得很轻
    options: frozenset[str] = frozenset()  # 参数的枚举选项（眼科、living room……）：用户说到了就是很具体的证据
    described: frozenset[str] = frozenset()  # 工具自己的名字和说明里的概念（比只在指令里被提到更有说服力）
    id_shapes: frozenset[str] = frozenset()  # 参数说明里举例的编号长什么样（“例如 AP-3321” → AA-9999）
    acts: bool = False  # 名字 / 描述开头的动词是“办”（apply、create、申请、提交……）
    queries: bool = False  # 名字 / 描述开头的动词是“查”（get、check、查询……）
    action: frozenset[str] = frozenset()  # 名字里那个动词办的是哪件事（cancel_order → 取消）


@dataclass
class Ranked:
    score: float
    profile: ToolProfile
    reasons: list[str] = field(default_factory=list)


def aliases(tool_name: str) -> set[str]:
    """指令里可能怎样提到这个工具：open_ticket、transfer_to_refund_agent、refund_agent、refund agent。"""
    names = {tool_name.lower()}
    target = tool_name.removeprefix("transfer_to_")
    if target != tool_name:
        names |= {target.lower(), target.replace("_", " ").lower()}
    return {n for n in names if len(n) > 2}


def route_lines(system: str, tool_names: list[str]) -> dict[str, tuple[str, ...]]:
    return _route_lines(system or "", tuple(tool_names))


@lru_cache(maxsize=1024)
def _route_lines(system: str, tool_names: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """指令里点名某个工具的行 → 那一行里描述“什么情况用它”的部分。

    一行点名了几个工具时，按位置切开：每个工具分到它前面（到上一个工具为止）的那段文字，
    适合“X 交给 A；Y 交给 B”这种写法；只点名一个工具的行整行都算它的。
    """
    found: dict[str, list[str]] = {n: [] for n in tool_names}
    alias_map = {n: sorted(aliases(n), key=len, reverse=True) for n in tool_names}
    for line in LINE_SPLIT.split(system):
        low = line.lower()
        hits: list[tuple[int, int, str]] = []
        for name, names in alias_map.items():
            for a in names:
                m = re.search(r"(?<![a-z0-9_])" + re.escape(a) + r"(?![a-z0-9_])", low)
                if m:
                    hits.append((m.start(), m.end(), name))
                    break
        if not hits:
            continue
        hits.sort()
        if len({h[2] for h in hits}) == 1:
            found[hits[0][2]].append(_strip_names(line, alias_map[hits[0][2]]))
            continue
        # 一行点名了几个工具：行首的话题（“取消：”“Transfers:”）归每一个；其余按位置，每个工具分到它前面
        # （到上一个工具为止）的那段；只隔着“和 / and / 、”的工具（“get_balance and list_transactions”）共用前一段
        topic = TOPIC.match(line)
        prefix = topic.group(0) if topic and topic.end() <= hits[0][0] else ""
        start, previous = len(prefix), ""
        for begin, end, name in hits:
            segment = line[start:begin]
            if CONJUNCTION.fullmatch(segment):
                segment = previous
            found[name].append(prefix + segment if segment != prefix else segment)
            previous, start = segment, end
    return {name: tuple(lines) for name, lines in found.items()}


def _strip_names(line: str, names: list[str]) -> str:
    for a in names:
        line = re.sub(re.escape(a), " ", line, flags=re.I)
    return line


def _verb_kind(name: str, description: str) -> tuple[bool, bool]:
    """(办, 查)：工具名的第一个词是动词（apply_leave、get_balance），或者中文描述以动词开头（申请请假、查询余额）。"""
    words = [w.lower() for w in text.split_identifier(name)] or [""]
    first = words[0]
    if len(words) > 1 and words[-1] in lx.RECORD_NOUNS:  # order_status、refund_history：名词 + 状态，是查
        return False, True
    if first in lx.ACT_VERBS:
        return True, False
    if first in lx.QUERY_VERBS:
        return False, True
    head = description.strip()[:4]
    if head.startswith(lx.ACT_VERBS_ZH):
        return True, False
    if head.startswith(lx.QUERY_VERBS_ZH):
        return False, True
    return False, False


@lru_cache(maxsize=4096)
def _profile(name: str, description: str, params_key: str, lines: tuple[str, ...]) -> ToolProfile:
    params = ast.literal_eval(params_key) if params_key else {}  # 只在缓存没命中时解析一次
    handoff = name.startswith("transfer_to_")
    name_text = " ".join(text.split_identifier(name.removeprefix("transfer_to_")))
    desc = description
    if handoff:  # SDK 默认描述“Handoff to the X agent to handle the request.”不说明用途
        desc = re.sub(r"Handoff to the .*? agent to handle the request\.?", " ", desc)
    param_text: list[str] = []
    options: list[str] = []
    slots = set()
    for pname, prop in (params.get("properties") or {}).items():
        if isinstance(prop, dict):
            param_text.append(prop.get("description") or "")
            param_text.append(" ".join(text.split_identifier(pname)))
            options.extend(str(o) for o in prop.get("enum") or [])  # 枚举的选项算这个工具的词，不算概念
            slots.add(fill.meaning(pname, prop))
    own = " ".join([name_text, desc, *param_text])
    routed_text = NOT_FOR.sub(" ", " ".join(lines))
    concepts = text.concepts(own) | text.concepts(routed_text)
    # 只从参数名、参数说明来的概念（reserve_room 的 date → “时间”）说的是要填什么，不是这个工具管什么
    from_params = concepts - text.concepts(f"{name_text} {desc}") - text.concepts(routed_text)
    words = set(text.words(own)) | set(text.words(routed_text)) | set(text.words(" ".join(options)))
    words |= {g for w in list(words) for g in text.subgrams(w)}
    routed_words = set(text.words(routed_text))
    handback = handoff and bool(HANDBACK.search(routed_text))
    catch_all = bool(CATCH_ALL.search(f"{name_text} {desc} {routed_text}"))
    acts, queries = (False, False) if handoff else _verb_kind(name, description)
    return ToolProfile(name, handoff, frozenset(concepts), frozenset(words), text.concepts(routed_text),
                       frozenset(routed_words), frozenset(slots), _label(name, description, handoff), handback,
                       catch_all, frozenset(from_params), options=frozenset(o.lower() for o in options if len(o) >= 2),
                       acts=acts, queries=queries, described=text.concepts(f"{name_text} {desc}"),
                       action=(text.concepts((text.split_identifier(name) or [""])[0]) & lx.ACTIONS) - GENERIC_ACTIONS
                       if acts else frozenset(),
                       id_shapes=frozenset(id_shape(v) for v in ent.values("ident", " ".join([desc, *param_text]))))


def id_shape(value: str) -> str:
    """编号的样子：字母换成 A、数字换成 9（AP-3321 → AA-9999，SK523LW → AA999AA）。"""
    return re.sub(r"\d", "9", re.sub(r"[A-Za-z]", "A", value))


def _label(name: str, description: str, handoff: bool) -> str:
    """一句话说明：handoff 描述冒号后面的部分（“订单物流专员：查询订单……”），或工具描述的第一句。"""
    desc = re.sub(r"Handoff to the .*? agent to handle the request\.?\s*", "", description or "").strip()
    if "：" in desc[:20]:
        desc = desc.split("：", 1)[1 if handoff else 0]
    first = re.split(r"[。!！\n]|\.(?:\s|$)", desc)[0].strip()
    if len(first) > 80:
        first = first[:80].rsplit(" ", 1)[0] if " " in first[:80] else first[:80]
    return first or " ".join(text.split_identifier(name.removeprefix("transfer_to_")))


def profiles(tools: list, system: str) -> list[ToolProfile]:
    lines = route_lines(system, [t.name for t in tools])
    return [_profile(t.name, t.description or "", _params_key(t.parameters), lines[t.name]) for t in tools]


def _params_key(parameters: dict | None) -> str:
    """画像缓存的键：参数表的文字形式（repr 比排序后的 JSON 快得多；同一个程序发来的参数表每次顺序一样）。"""
    return repr(parameters or {})


def rank(request: Request, tools: list, system: str, candidates: list | None = None) -> list[Ranked]:
    """给候选工具打分，从高到低。区分度按全部工具算（`tools`），只给 `candidates` 打分。"""
    everyone = profiles(tools, system)
    allowed = {t.name for t in (candidates if candidates is not None else tools)}
    n = len(everyone)

    seen: dict[tuple[str, str], float] = {}

    def idf(key: str, kind: str) -> float:
        if (key, kind) not in seen:  # 一次打分里同一个词对每个候选都要算一遍：只算一次
            df = sum(1 for p in everyone if key in (p.concepts if kind == "c" else p.words)) or 1
            seen[key, kind] = 1.0 + math.log(n / df)
        return seen[key, kind]

    implied = {c for c, (by, _) in lx.IMPLIED.items() if by in request.concepts and c not in request.concepts}
    q_concepts = request.concepts | implied
    own_words = set(text.words(request.text))
    q_words = own_words | {g for w in own_words for g in text.subgrams(w)}
    q_slots = ent.slots(request.text)
    # 专员自己的工具管得了的事（只出现在参数说明里的概念不算：护照号参数不等于管签证）
    covered = set().union(*(p.concepts - p.param_concepts for p in everyone if not p.handoff)) if everyone else set()
    # 自己的工具都管不了的事：只看这句话自己说的（从上文带来的事，本来就是这位在办的）
    uncovered = (request.own & lx.STRONG) - covered
    # 在问，或者让查一下（“查一下我的预约”）而没说要办：查询类工具在前
    asking = (request.modality == "ask" or "lookup" in q_concepts) and "submit" not in q_concepts
    said = request.text.lower() + " " + " ".join(text.in_chinese_terms(request.text))
    shapes = {id_shape(v) for v in ent.values("ident", request.text)}
    orders = "order" in q_concepts and bool(ent.find("order_id", request.text))
    owned = {m.group(1).lower() for m in OWNED.finditer(request.text)}
    ranked = []
    for order, p in enumerate(everyone):
        if p.name not in allowed:
            continue
        total, reasons = 0.0, []
        for c in q_concepts & p.concepts:
            gain = lx.INTENT_WEIGHT.get(c, 1.0) * idf(c, "c") * (lx.IMPLIED[c][1] if c in implied else 1.0)
            if c in p.routed:
                gain *= 1 + ROUTED_BONUS
            if c in p.described and c not in implied:
                gain *= OWN_BONUS
            if c in request.focus:
                gain *= FOCUS_BONUS
            if c in p.param_concepts:
                gain *= PARAM_ONLY
            total += gain
            reasons.append(c)
        for w in q_words & p.words:
            if text.TOKEN_ID.fullmatch(w):
                continue
            # 单个汉字（选、课、号）和拆出来的两字片段撞上了，说明的不多
            weight = 0.3 if len(w) == 2 and w not in own_words or len(w) == 1 and text.CJK.match(w) else 0.8
            total += weight * idf(w, "w") * (1.3 if w in p.routed_words else 1.0)
            reasons.append(w)
        if p.handback and uncovered - p.concepts:  # 不归自己管：交回前台
            total += HANDBACK_WEIGHT * sum(lx.INTENT_WEIGHT.get(c, 1.0) for c in uncovered - p.concepts)
            reasons += sorted(uncovered - p.concepts)
        about = {c for c in q_concepts & p.concepts if c not in p.param_concepts and c not in GENERIC_ACTIONS} or {
            w for w in q_words & p.words if not text.TOKEN_ID.fullmatch(w)}  # 只给了一个编号：不算说到了这件事
        if about and shapes & p.id_shapes:  # 用户给的编号和参数说明里举的例子一个样子（AP-5510 ↔ 例如 AP-3321）
            total += OPTION_WEIGHT
            reasons.append("id")
        elif p.handoff and orders and "order" in p.concepts:  # 给了订单号：说明里管订单的那位专员
            total += OPTION_WEIGHT
            reasons.append("id")
        if owned and p.queries and p.id_shapes and any(o in p.label.lower() for o in owned):
            total += OPTION_WEIGHT  # “我那个预约”“my booking”：已有的那一条，查它要编号的那个工具（不是去搜新的号源）
            reasons.append("owned")
        named = {o for o in p.options if o in said}  # 说到了参数的某个选项（“眼科”“dermatologist” → 皮肤科）
        if not named and q_concepts:  # 按意思说到了某个选项（“少儿编程” → coding，“画画” → art）
            named = {o for o in p.options if text.concepts(o) & q_concepts - GENERIC_ACTIONS - lx.OBJECTS}
        if named:
            total += OPTION_WEIGHT * len(named)
            reasons += sorted(named)
        total += 0.05 * len(q_slots & p.slots)  # 实体只打破平局
        ranked.append([total, -order, Ranked(round(total, 3), p, reasons), bool(q_concepts & p.concepts)])
    actions = q_concepts & lx.ACTIONS
    acting = "submit" in q_concepts and bool(actions - GENERIC_ACTIONS)
    for r in ranked:
        profile = r[2].profile
        # 名字里的动词是泛泛的（submit_refund、create_ticket）：办的是说明里那件事
        verb = profile.action or (profile.described & lx.ACTIONS - GENERIC_ACTIONS if profile.acts else frozenset())
        if verb and actions and "submit" in q_concepts and not verb & q_concepts:
            r[0] *= OTHER_ACTION  # 要办的是另一件事（要订座，工具是取消订座）：退后
        elif profile.action & q_concepts and "submit" in q_concepts:  # 名字里的动词就是要办的这件事（撤销 ↔ revoke_permit）：往前
            r[0] *= SAME_ACTION
        elif acting and r[2].profile.queries and not actions & r[2].profile.concepts:
            r[0] *= ASKING_DISCOUNT  # 要办一件事（想理赔），只能查别的（查保单）的工具退后
        r[2].score = round(r[0], 3)
    # 要办的事这位 Agent 自己没有办事的工具能办，交接的那位（说明里管这件事）能办：交接往前、只能查的工具退后
    if acting and not any(r[2].profile.acts and actions & r[2].profile.concepts for r in ranked if not r[2].profile.handoff):
        for r in ranked:
            if r[2].profile.handoff and actions & r[2].profile.concepts:
                r[0] *= SAME_ACTION
            elif not r[2].profile.acts and not r[2].profile.handoff and actions & r[2].profile.concepts:
                r[0] *= ASKING_DISCOUNT  # 只是说到了这件事（课程信息里有“候补人数”），办不了它
            r[2].score = round(r[0], 3)
    querying = any(r[2].profile.queries and r[0] > 0 for r in ranked)
    if asking:
        for r in ranked:  # 在问：有查询类工具时，办事类工具退后；只撞上几个字、没对上事的办事工具也退后
            if r[2].profile.acts and (querying or not r[3]):
                r[0] *= ASKING_DISCOUNT if r[3] else WORDS_ONLY_ACT
                r[2].score = round(r[0], 3)
    ranked.sort(key=lambda x: (x[0], x[1]), reverse=True)
    if orders and len(ranked) >= 2 and ranked[1][0] >= ranked[0][0] * CLOSE \
            and "order" in ranked[1][2].profile.concepts and "order" not in ranked[0][2].profile.concepts:
        ranked[0], ranked[1] = ranked[1], ranked[0]  # 难分高下时，给了订单号就是说已有的订单：管订单的那位在前
    return [r[2] for r in ranked]


SEVERAL = re.compile(r"顺便|另外|还有|同时|以及|并且|再帮我|[；;]|\b(also|as well as|plus)\b", re.I)
CLAUSES = re.compile(r"顺便|另外|还有|同时|以及|并且|再帮我|[；;，,。.!！?？]|\b(?:also|as well as|plus)\b", re.I)


def several_requests(question: str) -> bool:
    """这句话是不是要了几样东西：“顺便”“另外”“；”“also”连起来的几个分句，而且分开后每一边都说了
    自己要办的事（“A1001 状态，顺便查下物流”）。“A1001 还有多久到”“另外一个订单 A1002 到哪了”
    里的“还有”“另外”只是普通的词，只有一件事：一个意图只调一个工具。"""
    if not SEVERAL.search(question):
        return False
    asks = [part for part in CLAUSES.split(question)
            if part and text.concepts(part) - {"greet", "lookup", "user", "order", "product"}]
    return len(asks) >= 2


def mentioned_at(question: str, ranked: Ranked) -> int:
    """这个工具的依据最早出现在问题的哪个位置（并行调用按用户说的先后排）。"""
    low = question.lower()
    spots = [low.find(w.lower()) for w in ranked.reasons if w.lower() in low]
    for c in ranked.reasons:
        spots += [low.find(t.lower()) for t in lx.CONCEPTS.get(c, "").split() if t.lower() in low]
    return min(spots, default=len(question))


def coordinated(question: str, best: Ranked, other: Ranked) -> bool:
    """“in Spanish and French”“北京和上海”：两个工具各自的词被“和 / and / 、”并列在一起，两个都要。"""
    low = question.lower()
    mine = [w for w in set(best.reasons) - set(other.reasons) if w.lower() in low]
    theirs = [w for w in set(other.reasons) - set(best.reasons) if w.lower() in low]
    joint = r"\s*(?:and|&|or|和|与|及|跟|、|,|，)\s*"
    return any(re.search(re.escape(a.lower()) + joint + re.escape(b.lower()), low)
               or re.search(re.escape(b.lower()) + joint + re.escape(a.lower()), low) for a in mine for b in theirs)


def distinct(best: Ranked, other: Ranked) -> bool:
    """两个工具各有对方没有的依据：用户一句话要了两样东西，可以并行都调。"""
    return bool(set(other.reasons) - set(best.reasons)) and bool(set(best.reasons) - set(other.reasons))


def catch_all(ranked: list[Ranked], question: str) -> Ranked | None:
    """没有对口的工具、用户问的是个信息类问题：交给说明里写着“回答问题 / FAQ”的那个。"""
    if not ranked or ranked[0].score >= MIN_SCORE or text.intent_modality(question) != {"ask"}:
        return None
    if not (set(text.words(question)) - {w for w in text.words(question) if text.TOKEN_ID.fullmatch(w)}):
        return None
    return next((r for r in ranked if r.profile.catch_all), None)


LOOKUP_FIRST = r"(?:先用|先调用|先查|都先用|一律先用|first (?:use|call|check|look (?:it )?up (?:in|with))|always (?:use|call|check))\s*`?"
ANSWER_FROM = re.compile(r"回答|作答|答复|答|answer|reply|respond", re.I)


def lookup_first(ranked: list[Ranked], system: str, question: str) -> Ranked | None:
    """没有对口的工具、用户问的是个信息类问题，而指令要求“先用 X 查资料，再根据资料回答”：用 X 查。"""
    if not ranked or ranked[0].score >= MIN_SCORE or "ask" not in text.intent_modality(question):
        return None
    for r in ranked:
        if r.profile.handoff:
            continue
        pattern = re.compile(LOOKUP_FIRST + re.escape(r.profile.name) + r"(?![A-Za-z0-9_])", re.I)
        if any(pattern.search(line) and ANSWER_FROM.search(line) for line in re.split(r"\n", system or "")):
            return r
    return None


def should_ask(ranked: list[Ranked], system: str, question: str = "") -> bool:
    """两个候选难分高下、其中有 handoff（不能同时交给两个人）、而且指令说了意图不清时要问清。
    最后一个分句是要办的事、只有第一名管（“A1004 还没发货吧？那我不要了，直接给我退款”）：不用问。"""
    if len(ranked) < 2 or not ASK_RULE.search(system or ""):
        return False
    first, second = ranked[0], ranked[1]
    if first.score < MIN_SCORE or second.score < first.score * CLOSE:
        return False
    if not set(second.reasons) & lx.CONCEPTS.keys():  # 第二名只撞上几个字，没对上任何一件事：不算难分
        return False
    if ent.find("order_id", question or "") and "order" in first.profile.concepts \
            and "order" not in second.profile.concepts:  # 给了订单号：说的是已有的订单，管订单的那位就是
        return False
    last = [c for c in CLAUSES.split(question or "") if c and c.strip()][-1:]
    wanted = text.concepts(last[0]) - {"lookup", "order", "user", "greet"} if last else frozenset()
    if wanted and text.intent_modality(last[0]) == {"act"} and wanted & first.profile.concepts \
            and not wanted & second.profile.concepts:
        return False
    return first.profile.handoff or second.profile.handoff
