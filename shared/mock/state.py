"""读整段对话：对话状态（dialogue state）。

真实模型每次都读完整段对话再回答；模拟模型也一样：`read(conv)` 从头读到尾，算出

- 这句话和前文是什么关系（`move`）：问对话本身、道谢、拒绝、确认、回答助手刚问的问题、追问（指回前面说过的
  东西）、还是一件新事；
- 这句话要办的事（`Request`）：选工具用的概念和问 / 办，以及取参数值的原文（先看这句话，再看它接着的那几句）；
- 助手上一句话问过什么、提议过什么。

每一轮用户消息都按同一张有序的规则表（`MOVES`）归类，前一轮的结果是后一轮的上下文，所以“我要退货 →
（请提供订单号）→ A1010，颜色不喜欢 → 那 A1009 呢”一路接得上。handoff 之后的专员、被当成工具问话的
专家，拿到的都是 SDK 传来的完整历史，读出来的状态一样。
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from shared.mock import entities as ent
from shared.mock import lexicon as lx
from shared.mock import text
from shared.mock.conversation import Conversation, Turn


@dataclass(frozen=True)
class Request:
    """要办的事。选工具看 `concepts`、`modality` 和 `text` 里的词；填参数按 `sources` 的顺序取原文。"""

    text: str  # 选工具时读词的文字：这句话，追问和回答时接上它接着的那句
    concepts: frozenset[str]
    modality: str  # ask（问）/ act（办）
    sources: tuple[str, ...]  # 取参数值的原文，先看前面的
    move: str = "new"
    own: frozenset[str] = frozenset()  # 最后这句话自己说到的概念（不含从上文带来的）
    focus: frozenset[str] = frozenset()  # 问句焦点上的概念（情态词后面问的那件事），打分时更重

    @property
    def has_intent(self) -> bool:
        return bool(self.concepts - lx.OBJECTS - {"greet", "lookup"})

    def but(self, sources: tuple[str, ...] | None = None, move: str | None = None) -> Request:
        """换掉取值的原文或关系的副本（比 dataclasses.replace 快得多：每个请求都要用两三次）。"""
        return Request(self.text, self.concepts, self.modality, self.sources if sources is None else sources,
                       self.move if move is None else move, self.own, self.focus)


@dataclass(frozen=True)
class DialogueState:
    question: str  # 最后一句用户消息
    users: tuple[str, ...]  # 所有用户消息，从早到晚
    move: str
    request: Request
    previous_answer: str  # 这句话之前助手说的最后一段话
    offer: str | None  # 助手上一句话提议要办的事（“需要我为您提交退款申请吗？” → 提交退款申请）
    recent_args: tuple[str, ...] = ()  # 这句话之前最近一次工具调用用的值（“另一个呢”要换一个）

    @property
    def earlier(self) -> tuple[str, ...]:
        return self.users[:-1]

    @property
    def continuing(self) -> bool:
        """这句话接着前文说（回答、确认、追问、问对话本身……），不是另起一件事。"""
        return self.move not in ("new",)


# ---------------------------------------------------------------- 读一句话本身


@lru_cache(maxsize=8192)
def own_request(message: str) -> Request:
    """只看这句话本身：概念、问还是办。祈使句说了要办的事 → 加上“提交”；带订单号又问钱 → 问的是已有订单；
    有数量又有价钱 → 要计算。"""
    found = set(text.concepts(message))
    modality = "ask" if text.intent_modality(message) == {"ask"} else "act"
    if modality == "ask" and found & (lx.ACTIONS - {"refund"}) and _POLITE.search(message):
        modality = "act"  # 客气地请对方办（“能帮我预约一下吗”“Can I at least extend it?”“could you reserve it”）
    if _CHOICE.search(message.strip()):  # 挑定了一样（“就 14:30 那个吧”）：是要办
        modality = "act"
        found.add("submit")
    if modality == "act" and found & lx.ACTIONS and "lookup" not in found:  # “查一下航班”是查，不是办
        found.add("submit")
    if "lookup" in found and _SEEK_PERSON.search(message):  # “我要找你们主管”：找的是人，不是查东西
        found.discard("lookup")
    if _ORDER_NUMBER.search(message) and found - {"greet"} and not found & lx.OTHER_RECORDS:
        # 带着订单号（A1009）说了要做什么：说的是已经下的单，“买”说的是买过的，不是要买新的。
        # 只给了一个编号（“就是 B2001”“那 A1003 呢”）不算：接着上一件事办
        found.discard("shop")
        found.add("order")
    counts = [c[0] for c in ent.counted(message)]
    if counts and "shop" in found and any(n not in counts for n in ent.numbers(message)):
        found.add("math")
    return Request(message, frozenset(found), modality, (message,), own=frozenset(found), focus=_focus(message))


_MODAL = re.compile(lx.MODALS, re.I)


@lru_cache(maxsize=4096)
def _focus(message: str) -> frozenset[str]:
    """问句焦点上的概念：最后一个问句里、情态词后面的那段（“买笔记本电脑能开发票吗” → 发票 → policy）。"""
    clauses = [c for c in re.split(r"[，,。.;；!！?？]", message) if c.strip()]
    asking = [c for c in clauses if text.intent_modality(c) == {"ask"}]
    if not asking:
        return frozenset()
    tail = _MODAL.split(asking[-1])
    if len(tail) > 1 and tail[-1].strip():
        return text.concepts(tail[-1])
    # 几个分句里最后问的那句（“寄到新疆能发货吗？运费怎么算”→ 运费）
    return text.concepts(asking[-1]) if len(clauses) > 1 and asking[-1] == clauses[-1] else frozenset()


# ---------------------------------------------------------------- 这句话和前文的关系（有序的规则表）


@dataclass
class _Context:
    """归类一句话时可用的上文。"""

    message: str
    previous_answer: str  # 助手在这句话之前说的最后一段话
    last: Request | None  # 上一件要办的事
    offer: str | None


_PUNCT = re.compile(r"[,，.。!！?？~～、;；…]+")
_PARTICLES = re.compile(r"(?:吧|啊|呀|哈|嘛|哦|呢|了|的)+$")
_ANAPHORA = re.compile(lx.ANAPHORA, re.I)
_CHOICE = re.compile(lx.CHOICE, re.I)
_SEEK_PERSON = re.compile(r"找.{0,3}(?:主管|领导|经理|人工|真人|客服|负责人|老板)|\b(?:find|get) (?:me )?(?:a |your )?"
                          r"(?:manager|supervisor|human|person)\b", re.I)
_CORRECTION = re.compile(lx.CORRECTION, re.I)
_ABOUT = re.compile(lx.ABOUT_CONVERSATION, re.I)
_ASKS_FOR = re.compile(lx.ASKS_FOR, re.I)
_OFFER = re.compile(lx.OFFER, re.I)


@lru_cache(maxsize=4096)
def _chunks(message: str) -> tuple[str, ...]:
    return tuple(" ".join(p.split()) for p in _PUNCT.split(message.lower().strip()) if p.strip())


_LEADING = re.compile(r"^(?:那就|那么|那|就|嗯|哦|哈|噢|oh|ah|hmm|well|so)\s*")
_EN_FILLER = re.compile(r"^(?:please|then|so|well|oh|ah|hmm|right)\b\s*|\s*\b(?:please|then|now|thanks|thank you)$")
_DECLINE_PATTERN = re.compile(lx.DECLINE_PATTERN)
# 像订单号的编号：字母打头的（A1009），或者写明是订单的数字（“订单 20231”“order 5512”）；学号、工号这种纯数字不算
_ORDER_NUMBER = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,3}-?\d{3,}(?![A-Za-z0-9])|(?:订单|单号|order)\s*(?:号|#|no\.?)?\s*\d{3,}",
                           re.I)
_POLITE = re.compile(lx.POLITE_REQUEST, re.I)
_OWN_PLAN = re.compile(lx.OWN_PLAN, re.I)
_POSTPONE = re.compile(lx.POSTPONE, re.I)


@lru_cache(maxsize=64)
def _vocabulary(*vocab: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for v in vocab for w in v)


@lru_cache(maxsize=16384)
def _covered(chunk: str, words: frozenset[str]) -> bool:
    """这个分句能不能整个切成这些说法（中间的空格、句尾语气词、句首的“那就 / oh”、英文的 please / then 不算）：
    “好的谢谢”“ok never mind then”“yes please go ahead”“就这么办”。"""
    joined = frozenset(w.replace(" ", "") for w in words)
    forms = {chunk, _LEADING.sub("", chunk).strip()}
    forms |= {_EN_FILLER.sub("", f).strip() for f in list(forms)}
    forms |= {_PARTICLES.sub("", f) for f in list(forms)}
    if any(f and _segment(f.replace(" ", ""), joined) for f in forms):
        return True
    return "不" in joined and any(_DECLINE_PATTERN.fullmatch(f) for f in forms)


@lru_cache(maxsize=16384)
def _segment(value: str, words: frozenset[str]) -> bool:
    if not value:
        return True
    return any(value.startswith(w) and _segment(value[len(w):], words) for w in words if w)


def _only(message: str, *vocab: tuple[str, ...]) -> bool:
    """整句话只由这些说法组成（“好的，那就办吧”“yes please, go ahead”“谢谢啦”）。"""
    chunks = _chunks(message)
    words = _vocabulary(*vocab)
    return bool(chunks) and all(_covered(chunk, words) for chunk in chunks)


def _has(message: str, vocab: tuple[str, ...]) -> bool:
    """有一个分句整个是这组说法里的。"""
    words = _vocabulary(vocab)
    return any(_covered(chunk, words) for chunk in _chunks(message))


def _mentions(message: str, vocab: tuple[str, ...]) -> bool:
    """说到了这组说法里的某一个（“好的谢谢”里有“谢谢”；英文按整词）。"""
    return bool(_vocab_pattern(vocab).search(message.lower()))


@lru_cache(maxsize=64)
def _vocab_pattern(vocab: tuple[str, ...]) -> re.Pattern:
    words = sorted(vocab, key=len, reverse=True)
    return re.compile("|".join(r"\b" + re.escape(w) + r"\b" if w.isascii() else re.escape(w) for w in words))


def _starts_with(message: str, vocab: tuple[str, ...]) -> tuple[bool, str]:
    """第一个分句是这组说法里的：(是不是, 剩下的话)。“好吧，那我回头再看” → (True, 那我回头再看)。"""
    chunks = _chunks(message)
    if not chunks or not _covered(chunks[0], _vocabulary(vocab)):
        return False, message
    return True, "，".join(chunks[1:])


_QUESTION = re.compile(r"[?？吗]\s*$|什么|怎么|多少|多久|多长时间|何时|几[个天点号次]|哪|为什么|^(?:what|how|when|where|why|which|who|"
                       r"can|could|is|are|do|does|will|would|should)\b", re.I)


def _plain(rest: str) -> bool:
    """剩下的话只是陈述，不提新的要求：没有要办的事、没有编号、不是问句。"""
    return not rest or bool(_POSTPONE.search(rest) or _OWN_PLAN.search(rest)) or (
        not own_request(rest).has_intent and not _entities(rest) and not _QUESTION.search(rest))


_DECLINE_WORDS = (*lx.DECLINE, "不")  # “不”让 DECLINE_PATTERN（“不退了”）也算进来


def filler(message: str) -> bool:
    """整句只是应答、道谢、“办吧”、“算了”这类话，没有别的内容（不能当原因、关键词用）。
    “不想要了”这种说自己为什么的不算。"""
    return _only(message, lx.ACKNOWLEDGE, lx.PROCEED, lx.THANKS, lx.DECLINE, lx.GOODBYE)


def is_request_to_act(clause: str) -> bool:
    """一个分句只是在说要办 / 不办（“这个申请删了吧”“算了”“that's fine, do it”）：不是在讲原因。"""
    own = own_request(clause)
    asks = bool(_ASKS_TO.search(clause)) or len(clause.strip()) <= 4  # “搅拌机漏水”说的是出了什么事，不是让办
    return (own.modality == "act" and bool(own.concepts & lx.ACTIONS) and len(clause) <= 10 and asks) or filler(clause)


_ASKS_TO = re.compile(r"帮|请|要|办|申请|提交|给我|麻烦|取消|删|退|改|换|订|[吧啊]$|\b(?:please|want|need|go ahead|do it|"
                      r"cancel|book|refund|send|submit)\b", re.I)


_ASKS_HELP = re.compile(r"帮我|给我|请你|麻烦|我想|我要|能不能帮|可以帮|\b(?:please|i'?d like|i would like|i want|can you|could you|"
                        r"would you)\b", re.I)


def asks_for_something(message: str) -> bool:
    """这句话在请助手做点什么（“帮我……”“I'd like to …”），而不只是在说一件事（“这张卡上个月已经挂失了”）。"""
    return bool(_ASKS_HELP.search(message))


def corrects(message: str) -> bool:
    """纠正前面说的（“不对，是 A1003”“Sorry, I meant savings”）。"""
    return bool(_CORRECTION.search(message))


def is_about_conversation(c: _Context) -> bool:
    return bool(_ABOUT.search(c.message))


def is_closing(c: _Context) -> bool:
    """道谢、道别：整句都是这类话，或者带着“谢谢 / 就这些”、别的话也没提新的要求（“行，那我再等等，多谢”）。"""
    if not (_mentions(c.message, lx.THANKS) or _mentions(c.message, lx.GOODBYE)):
        return False
    rest = [chunk for chunk in _chunks(c.message) if not _covered(chunk, _vocabulary(
        lx.THANKS, lx.GOODBYE, lx.ACKNOWLEDGE))]
    return all(_plain(chunk) for chunk in rest)


def is_decline(c: _Context) -> bool:
    """不用了、算了、不退了：说了拒绝，别的分句也没提新的要求（“算了，不退了，自己留着用”“Hmm, too expensive.
    Never mind, thanks.”）。助手刚提议了一件事，用户说先往后推（“好吧，我先问问领导再说”“I'll think about it”）也是不办。"""
    said = _vocabulary(_DECLINE_WORDS, lx.THANKS, lx.ACKNOWLEDGE)
    chunks = _chunks(c.message)
    if (c.offer or c.previous_answer) and _POSTPONE.search(c.message) and all(
            _covered(chunk, said) or _POSTPONE.search(chunk) or _plain(chunk) or _NOT_YET.search(chunk)
            for chunk in chunks):  # “读数我还没拍，周末再报行不行”：还没准备好，往后推
        return True
    # “算了我叫她自己打电话问”“never mind, I'll ask him to call”：先说算了，后面只是自己的打算
    chunks = tuple(part for chunk in chunks for part in _after_decline(chunk))
    if not any(_covered(chunk, _vocabulary(_DECLINE_WORDS)) or _covered(chunk, said) and _mentions(chunk, lx.DECLINE)
               for chunk in chunks):
        return False
    return all(_covered(chunk, said) or _plain(chunk) for chunk in chunks)


_NOT_YET = re.compile(r"还没|还不|没来得及|\bhaven'?t\b|\bnot yet\b|\bnot ready\b", re.I)
_DECLINE_HEAD = re.compile(r"^(算了|不用了|never mind|forget it|nevermind)\s*(.+)$", re.I)


def _after_decline(chunk: str) -> tuple[str, ...]:
    head = _DECLINE_HEAD.match(chunk)
    return (head.group(1), head.group(2)) if head else (chunk,)


def is_confirmation(c: _Context) -> bool:
    """应一声或说“办吧”。助手刚提议了要办的事，或者明说“办吧”而上文有要办的事，才是确认。
    助手刚提议了一件事，用户用很短的话把那件事说一遍（“确定，删吧”“yes, do it”）也是确认。"""
    if not _only(c.message, lx.ACKNOWLEDGE, lx.PROCEED):
        # 助手刚提议了一件事：复述一遍（“确定，删吧”），或者先答应、再补一句细节（“可以，下个月开始就行”）。
        # “好吧，那我先问问领导再说”“ok, I'll think about it”是往后推，不是答应
        if not c.offer or _POSTPONE.search(c.message) or _mentions(c.message, lx.DECLINE):
            return False
        first, rest = _starts_with(c.message, (*lx.ACKNOWLEDGE, *lx.PROCEED))
        return _echoes_offer(c.message) or first and not _QUESTION.search(rest)
    return bool(c.offer) or (_has(c.message, lx.PROCEED) and (c.last is not None or bool(c.previous_answer)))


_ECHO = re.compile(r"^[\u4e00-\u9fff]{1,3}(?:吧|了吧|掉吧|掉|了)$|^(?:book|cancel|do|renew|extend|reserve|order|buy|switch|"
                   r"withdraw|submit|confirm)(?: it| that| them)?$", re.I)


def _echoes_offer(message: str) -> bool:
    words = _vocabulary(lx.ACKNOWLEDGE, lx.PROCEED, lx.THANKS)
    rest = [chunk for chunk in _chunks(message) if not _covered(chunk, words)]
    if len(rest) != 1 or not _ECHO.match(rest[0].strip()):
        return False
    return True  # 提议之后一句“买吧 / book it”：就是同意（“算了吧”这类在前面已经算作拒绝）


def is_acknowledgement(c: _Context) -> bool:
    """应一声（“好的”“嗯，收到了就行”“好吧，那我回头再看”）：应答开头、后面只是陈述。"""
    first, rest = _starts_with(c.message, lx.ACKNOWLEDGE)
    return first and all(_plain(chunk) for chunk in _chunks(rest))


def _entities(message: str) -> bool:
    return any(ent.find(kind, message) for kind in ("order_id", "ident", "date", "month", "money", "quantity", "email",
                                                     "phone", "city", "country", "last4"))


def answers_question(c: _Context) -> bool:
    """助手刚问了用户要什么（订单号、原因……），这句话给了，而且没有另起一件事。"""
    if c.last is None or not c.previous_answer or not (
            _ASKS_FOR.search(c.previous_answer) or c.previous_answer.rstrip().endswith(("？", "?"))):
        return False
    own = own_request(c.message)
    new_intent = (own.concepts & (lx.STRONG | lx.ACTIONS)) - c.last.concepts
    if new_intent:
        return False  # 换了件事：“算了，我想买耳机”
    return _entities(c.message) or (len(c.message) <= 30 and not text.intent_modality(c.message) == {"ask"})


def refers_back(c: _Context) -> bool:
    """追问：指回前面说过的东西（“它里面有什么”“那 A1003 呢”“the other one?”），或者纠正（“不对，是 A1003”），
    或者只给了一个编号、自己没说要办什么，或者一句很短、什么也没说的追问（“为啥不可以”“多久能处理”）。
    护栏看到的对话只有“上一句回答 + 这句话”，没有上一件事，也照样算追问。"""
    if c.last is None and not c.previous_answer:
        return False
    own = own_request(c.message)
    if _ANAPHORA.search(c.message) or _CORRECTION.search(c.message):
        return True
    # 只给了编号、城市、日期（“Tuesday then, same time”：不是问句时，说到时间不算另提一件事；“what time …?”是问）
    timeless = {"time"} if own.modality != "ask" else set()
    entity_only = not (own.concepts - lx.OBJECTS - {"greet", "lookup"} - timeless) and any(
        ent.find(k, c.message) for k in ("order_id", "ident", "city", "date"))
    return entity_only or (not own.concepts and len(c.message) <= 12)


# (关系, 判断)：按顺序，第一条成立的就是。
MOVES: tuple[tuple[str, Callable[[_Context], bool]], ...] = (
    ("meta", is_about_conversation),  # 问这段对话本身：从历史里答
    ("closing", is_closing),  # 道谢、道别：收尾
    ("decline", is_decline),  # 不用了、算了
    ("confirm", is_confirmation),  # 同意助手提议的事 / 明说“办吧”
    ("acknowledge", is_acknowledgement),  # 只是应一声
    ("answer", answers_question),  # 回答助手刚问的
    ("follow_up", refers_back),  # 追问、纠正
    ("new", lambda c: True),
)
SILENT = frozenset({"meta", "closing", "decline", "acknowledge"})  # 这几种不用办事，不调工具


def classify(c: _Context) -> str:
    return next(name for name, rule in MOVES if rule(c))


def request_for(move: str, c: _Context) -> Request:
    """按关系拼出要办的事。"""
    own = own_request(c.message)
    last = c.last
    if move in SILENT or move == "new" or (last is None and not (move == "confirm" and c.offer)):
        return own.but(move=move)
    if move == "confirm":
        if c.offer:  # 助手提议的那件事：“需要我为您提交退款申请吗？”
            offered = own_request(c.offer)
            concepts = (offered.concepts | (last.concepts & lx.OBJECTS if last else frozenset())) \
                - lx.QUESTION_CONCEPTS
            sources = (c.message, c.offer, *(last.sources if last else ()))
            return Request(f"{c.offer} {last.text if last else ''}".strip(), concepts | {"submit"}, "act",
                           sources, move, own.concepts)
        return Request(last.text, _as_action(last.concepts), "act", (c.message, *last.sources), move, own.concepts)
    if move == "answer":  # 回答助手的问题：这句话是内容（原因、编号），要办的还是上一件事
        if own.modality == "ask" and _QUESTION.search(c.message) and own.concepts - {"greet", "lookup"}:
            # 用一个问题来回答（助手问“要开工单还是退款”，用户问“钱退到哪”）：先答这个问题，不替他办
            return Request(c.message, own.concepts | (last.concepts & lx.OBJECTS), "ask",
                           (c.message, *last.sources), move, own.concepts, own.focus)
        if "submit" in own.concepts:  # 没给要的信息，只说“那帮我办了吧”：接着办上一件事
            return Request(last.text, _as_action(last.concepts), "act", (c.message, *last.sources), move,
                           own.concepts, last.focus)
        return Request(last.text, last.concepts, last.modality, (c.message, *last.sources), move, own.concepts,
                       last.focus)
    # follow_up：自己说了点什么（“它里面有几样东西”“它什么时候到”），就只从上文带宾语（订单、商品）；
    # 什么都没说（“那 A1003 呢”“也帮我查一下”）或者是纠正（“我是说 A2003 那双跑鞋”），就接着办上一件事
    if own.concepts - {"greet", "lookup", "submit"} and not _CORRECTION.search(c.message):  # 只挑了一个（“the later one”）不算
        objects = last.concepts & lx.OBJECTS
        return Request(c.message, own.concepts | objects, own.modality, (c.message, *last.sources), move,
                       own.concepts)
    if last.modality == "act" and _QUESTION.search(c.message) and c.previous_answer:
        return own.but(sources=(c.message, *last.sources), move=move)  # 办完之后问一句（“多久能处理”）：不再办一次
    modality = "act" if "submit" in own.concepts else last.modality  # 挑定了一个（“那要早一点的那个”）：是要办了
    return Request(f"{last.text} {c.message}", last.concepts | own.concepts, modality,
                   (c.message, *last.sources), move, own.concepts)


def _as_action(concepts: frozenset[str]) -> frozenset[str]:
    """“能退吗”→“退吧”：去掉问句的概念，加上提交。"""
    return (concepts - lx.QUESTION_CONCEPTS) | {"submit"}


# ---------------------------------------------------------------- 读整段对话


def offered(answer: str) -> str | None:
    """助手提议要办的事：“需要我为您提交退款申请吗？” → 提交退款申请。"""
    m = _OFFER.search(answer or "")
    return next((g for g in m.groups() if g), None) if m else None


@lru_cache(maxsize=4096)
def _step(message: str, answer: str, last: Request | None) -> tuple[str, Request]:
    """一句用户的话和它的上文 → (关系, 要办的事)。同一段对话每来一个新请求，前面的每一轮都要重读一遍，
    而它们的结果只由这几样决定：缓存起来，每个请求只真正读最后一句。"""
    c = _Context(message, answer, last, offered(answer))
    move = classify(c)
    return move, request_for(move, c)


def read(conv: Conversation) -> DialogueState:
    users: list[str] = []
    last: Request | None = None
    request: Request | None = None
    answer = ""
    move = "new"
    args: list[str] = []  # 工具调用里用过的值（取编号时也算前文）
    recent: list[str] = []
    for turn in conv.turns:
        if turn.role == "assistant":
            if turn.text.strip():
                answer = turn.text
            called = _argument_values(turn)
            args += called
            recent = called or recent
            continue
        if turn.role != "user":
            continue
        move, request = _step(turn.text, answer, last)
        users.append(turn.text)
        recent_before = tuple(recent)
        if request.concepts - {"greet"} and move not in SILENT:  # 查一下也是一件事，追问可以接着它
            last = request
        answer_before, answer = answer, ""
    if request is None:
        request = Request("", frozenset(), "ask", ())
        answer_before, recent_before = answer, ()
    earlier = tuple(reversed(users[:-1]))
    sources = tuple(dict.fromkeys((*request.sources, *earlier, *reversed(args))))
    request = request.but(sources=sources)
    return DialogueState(users[-1] if users else "", tuple(users), move, request, answer_before,
                         offered(answer_before), recent_before)


def _argument_values(turn: Turn) -> list[str]:
    values = []
    for call in turn.calls:
        if call.name.startswith("transfer_to_"):
            continue
        try:
            data = json.loads(call.arguments or "{}")
        except ValueError:
            continue
        if isinstance(data, dict):
            values += [v for v in data.values() if isinstance(v, str) and v and len(v) <= 40]
    return values


def mentioned(kind: str, state: DialogueState) -> list[str]:
    """这段对话里说到过的这一种实体，最近的在前（这句话里的最先）。"""
    found: list[str] = []
    for source in state.request.sources:
        found += [v for v in ent.values(kind, source) if v not in found]
    return found
