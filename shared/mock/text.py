"""读字：分词、语言判断、词形还原、概念、名词短语。词表都在 lexicon.py，这里只有读法。

- 分词：中文用 rjieba（jieba 的 Rust 实现，自带词典）。加载词典约 0.2 秒，所以第一次需要时才加载；
  预先 fork 子进程的服务可以在父进程里调用 `preload()`，子进程就不用再付这笔钱。
- 概念（`concepts()`）：用 lexicon.CONCEPTS 把“查 / 查查 / 到哪了 / where is”这类说法归到同一个概念上。
  用户的话和工具的名字、描述、指令都用同一个函数读，两边落到同一个概念就算对上了。
- 英文词形只有一个还原函数（`stem`）：用户的话、工具的描述、概念的触发词都经过它，同一个词的几种
  形式（crash / crashes / crashing）落到一起。
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from shared.mock import lexicon as lx

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z']+")
TOKEN_ID = re.compile(r"[A-Za-z]*[-_]?\d[A-Za-z0-9_-]*")  # A1001、user456、12A：编号，不是单词

_lock = threading.Lock()
_jieba = None


def preload() -> None:
    """加载分词词典（幂等）。fork 子进程之前在父进程里调用一次，子进程直接共享。"""
    _segmenter()


def _segmenter():
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import rjieba

                for word in lx.EXTRA_WORDS:
                    rjieba.add_word(word, None, None)
                _jieba = rjieba
    return _jieba


@lru_cache(maxsize=8192)
def cut(text: str) -> tuple[str, ...]:
    return tuple(_segmenter().cut(text))


@lru_cache(maxsize=8192)
def tag(text: str) -> tuple[tuple[str, str], ...]:
    """(词, 词性)：n 名词、ns 地名、v 动词……（jieba 的词性标注）。"""
    return tuple(_segmenter().tag(text))


# ---------------------------------------------------------------- 语言


def is_english(text: str) -> bool:
    """这句话是英文吗：有英文单词，没有汉字。"""
    return not CJK.search(text) and len(LATIN_WORD.findall(text)) >= 1


# 看用户用什么语言的条件句（“客人说英文就用英文”“if the customer writes in Chinese, reply in Chinese”）：
# 说的是跟着用户，不是规定一种语言
_CONDITIONAL_LANGUAGE = re.compile(
    r"[^，。；;,.\n]*(?:说|讲|写|用)\s*(?:英文|英语|中文|汉语)(?:的话)?\s*[，,]?\s*就[^，。；;\n）)]*|"
    r"\bif (?:the |a )?(?:user|customer|patron|guest|client|they|he|she)\b[^.\n]{0,40}\b(?:english|chinese)\b[^.\n]*",
    re.I)


def _mandates(instructions: str) -> str:
    return _CONDITIONAL_LANGUAGE.sub(" ", instructions or "")


@lru_cache(maxsize=1024)
def wants_english(instructions: str) -> bool:
    """指令要求用英文回答（条件句“客人说英文就用英文”不算）。"""
    return bool(re.search(
        r"(用|以|使用|只会用|只用|只能用)\s*英[文语]|英[文语](回答|回复|作答)|"
        r"\b(respond|reply|answer|speak|write)\b[^.\n]{0,30}\bin english\b|english only|only (speak|respond in) english",
        _mandates(instructions), re.I))


@lru_cache(maxsize=1024)
def wants_chinese(instructions: str) -> bool:
    return bool(re.search(r"(用|以|使用|只会用|只用)\s*(中文|汉语)|(中文|汉语)(回答|回复)|in chinese",
                          _mandates(instructions), re.I))


# ---------------------------------------------------------------- 词


_EN_PHRASES = tuple((re.compile(pattern, re.I), word) for pattern, word in lx.EN_PHRASES)


_ERHUA = re.compile(r"(?<=[哪这那])儿")


def normalize_english(text: str) -> str:
    """英文里几个词合起来才是一个意思（log in → login）：先合成一个词。中文的儿化（到哪儿了 → 到哪了）去掉。"""
    text = _ERHUA.sub("", text)
    if not LATIN_WORD.search(text):
        return text
    for pattern, word in _EN_PHRASES:
        text = pattern.sub(word, text)
    return text


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """够用的英文词干：crashes / crashing / crashed → crash，charged / charges → charg，logging → log，
    raining → rain，bags → bag。两边用同一个函数，词干不必是真正的单词，只要同一个词的几种形式落到一起。"""
    w = word.lower()
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith(("ies", "ied")) and len(w) > 4:
        return w[:-3] + "y"
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "lsz":  # shipped → ship，logging → log
                w = w[:-1]
            return _drop_e(w)
    if w.endswith("es") and len(w) > 4 and w[-3] in "sxzh":  # crashes → crash，boxes → box
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return _drop_e(w)


def _drop_e(w: str) -> str:
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


def split_identifier(name: str) -> list[str]:
    """get_weather → get, weather；queryOrder → query, Order；transfer-to-x → transfer, to, x；card_last4 → card, last4。"""
    return list(_split_identifier(name))


@lru_cache(maxsize=8192)
def _split_identifier(name: str) -> tuple[str, ...]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ")
    return tuple(re.findall(r"[A-Za-z][A-Za-z']+\d*", spaced))


_ID_SPAN = re.compile(r"[A-Za-z]{1,6}[-_]?\d[A-Za-z0-9_-]*|\d+[A-Za-z][A-Za-z0-9_-]*")


def _tokens(value: str) -> list[str]:
    """分词，但编号（AP-3321、SK523LW、A1001）整个算一个词，不被切成“AP”“3321”。"""
    out, start = [], 0
    for m in _ID_SPAN.finditer(value):
        out += cut(value[start:m.start()]) if m.start() > start else []
        out.append(m.group(0))
        start = m.end()
    return out + (list(cut(value[start:])) if start < len(value) else [])


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """切成词：中文按词，英文按单词（小写、还原词形），编号（A1001、user456、AP-3321）整个保留；去掉停用词和标点。"""
    out: list[str] = []
    for token in _tokens(normalize_english(text)):
        token = token.strip()
        if not token or token.lower() in lx.STOP:
            continue
        if CJK.search(token):
            out.append(token)
        elif TOKEN_ID.fullmatch(token):
            out.append(token)
        else:
            out += [stem(w) for w in split_identifier(token) if len(w) > 1 and w.lower() not in lx.STOP]
    return tuple(out)


def subgrams(word: str) -> list[str]:
    """长的中文词再拆成相邻两字：“电热水壶”也能和“热水”对上。"""
    if len(word) < 3 or not CJK.match(word):
        return []
    return [word[i : i + 2] for i in range(len(word) - 1)]


# ---------------------------------------------------------------- 概念

_SINGLE: dict[str, set[str]] = {}
_MULTI: list[tuple[str, str]] = []
_ENGLISH: dict[str, set[str]] = {}
for _name, _triggers in lx.CONCEPTS.items():
    for _t in _triggers.split():
        if CJK.search(_t):
            if len(_t) == 1:
                _SINGLE.setdefault(_t, set()).add(_name)
            else:
                _MULTI.append((_t, _name))
        else:
            _ENGLISH.setdefault(stem(_t), set()).add(_name)
CJK_TRIGGERS = frozenset(_SINGLE) | {t for t, _ in _MULTI}
ITEM_WORDS = frozenset(lx.CONCEPTS["item"].split())
_PHRASES = tuple((re.compile(r"\b" + phrase + r"\b"), name) for phrase, name in lx.PHRASES.items())
_ZH_PATTERNS = tuple((re.compile(pattern), name) for pattern, name in lx.ZH_PATTERNS)
_FALSE_FRIENDS = re.compile("|".join(lx.FALSE_FRIENDS))
_AFFIXES = re.compile(lx.TOKEN_AFFIXES)
_NEGATED = re.compile("(" + "|".join(lx.NEGATION_PREFIX) + ")$")


_NUMBER_OF = re.compile(r"的?(?:尾号|号码|号|后四位|末四位)")


def _occurrences(word: str, text: str):
    """word 在 text 里每一处（不重叠）的 (起, 止)。触发词是字面量，用 str.find：几百个触发词各编一个正则，
    会把 re 模块只有 512 项的缓存挤爆，每个新进程的头几个请求都在反复编译正则。"""
    start = text.find(word)
    while start >= 0:
        yield start, start + len(word)
        start = text.find(word, start + len(word))


@lru_cache(maxsize=8192)
def concepts(text: str) -> frozenset[str]:
    """这段文字说到了哪些概念。规则：

    - 否定：“不提交”“无需退款”“don't refund” 不算；
    - 正反问：“卖不卖”“热不热” 按动词 / 形容词本身算；
    - 已经买了：“买了 / 买的 / 购买的 / 花了” 说的是已有的订单，不是想购物；
    - 表示人的词：“快递员态度差”里的“快递”说的是人，不是物流；
    - 英文：整词、词形还原（raining → rain）、几个固定短语（how much、do you have）。
    """
    found: set[str] = set()
    text = normalize_english(text)
    low = text.lower()
    raw_tokens = cut(text)
    inside = _inside_longer_word(raw_tokens)
    false_friends = [m.span() for m in _FALSE_FRIENDS.finditer(text)]
    for trigger, name in _MULTI:
        for start, end in _occurrences(trigger, text):
            if _NEGATED.search(text[max(0, start - 2) : start]):
                continue
            if inside(start, end, lx.PERSON_SUFFIX if name != "item" else lx.PERSON_SUFFIX + "号"):
                continue  # “快递员”里的“快递”说的是人；“手机号”说的是号码，不是手机
            if trigger in lx.PAST_VERBS and text[end : end + 1] in lx.PAST:
                continue
            if name == "item" and _NUMBER_OF.match(text, end):
                continue  # “登记手机的尾号”“手机号码”说的是号码，不是手机这件商品
            if any(a < end and start < b and not (start <= a and end >= b) for a, b in false_friends):
                continue  # “多久到账”的“多久到”被“到账”截断了：说的是钱，不是快递；“工单号”的“单号”不是订单号
            found.add(name)
            break
    for m in re.finditer(r"([\u4e00-\u9fff])不\1", text):  # 正反问：卖不卖、热不热、有没有
        found |= _SINGLE.get(m.group(1), set())
    for pattern, name in _PHRASES:
        if pattern.search(low):
            found.add(name)
    for pattern, name in _ZH_PATTERNS:
        if pattern.search(text):
            found.add(name)
    tokens = [t.strip().lower() for t in raw_tokens]
    for i, token in enumerate(tokens):
        before = [t for t in tokens[max(0, i - 2) : i] if t]
        if before and before[-1] in lx.NEGATORS:  # “不提交”“无需退款”“don't refund”：说的是不要
            continue
        if token == "buy" and "did" in tokens[max(0, i - 4) : i]:  # what did I buy：已经买了
            found.add("order")
        elif token in lx.PAST_VERBS and i + 1 < len(tokens) and tokens[i + 1][:1] in lx.PAST:
            found.add("order")
        elif token in _SINGLE:
            found |= _SINGLE[token]
        elif CJK.search(token) and len(token) == 2 and _AFFIXES.sub("", token) in _SINGLE:
            found |= _SINGLE[_AFFIXES.sub("", token)]  # “就订”“关了”
        elif token in lx.NOUN_PLURALS:
            continue  # books 是“书”，不是“预订”（book a flight）
        elif not CJK.search(token) and not TOKEN_ID.fullmatch(token):
            for w in split_identifier(token):  # snake_case / camelCase 名字里的单词，以及常见词形
                found |= _ENGLISH.get(stem(w), set())
    found |= {lx.BROADER[c] for c in found if c in lx.BROADER}
    return frozenset(found)


def _inside_longer_word(tokens: tuple[str, ...]):
    """[start, end) 是不是一个表示人的词的一部分（快递员、客服小哥）：说的是人，不是那件事。"""
    spans, pos = [], 0
    for token in tokens:
        spans.append((pos, pos + len(token), token))
        pos += len(token)

    def inside(start: int, end: int, suffixes: str = lx.PERSON_SUFFIX) -> bool:
        for a, b, token in spans:
            if a <= start < b:
                return end <= b and b - a > end - start and token[-1] in suffixes
        return False

    return inside


_ASKING = re.compile(lx.ASKING_MARKS, re.I)


def intent_modality(text: str) -> set[str]:
    """问句还是请求：“能退吗 / can I” 是在问，“帮我退了 / please refund” 是要办。"""
    return {"ask"} if _ASKING.search(text) else {"act"}


def nouns(text: str) -> list[str]:
    """文中的名词短语：相邻名词合并，前面紧挨着的修饰词（“降噪”“轻薄”）也算进去。
    “有卖台灯吗” → 台灯；“想买个蓝牙耳机” → 蓝牙耳机；“有没有轻薄笔记本” → 轻薄笔记本。"""
    out, run, modifier = [], "", ""
    for word, pos in tag(_DEMONSTRATIVE.sub("，", text)):
        content = (word.strip() and word not in lx.STOP and word not in lx.GENERIC_NOUNS and CJK.search(word)
                   and (word not in CJK_TRIGGERS or word in ITEM_WORDS)  # 品类名词（耳机、跑鞋）正是要找的
                   and not _ASKING_WORD.search(word))  # “哪几个”“什么”是在问，不是东西
        # 名词，以及分词器标成习用语的三字以上的词（线性代数、数据结构）
        if content and (pos.startswith(("n", "vn", "nz", "j")) or pos == "l" and len(word) >= 3):
            if run and modifier:  # 名 + 动 + 名连着（机器 学习 导论）：是一个词组
                run += modifier
            run = (modifier + run + word) if not run else run + word
            modifier = ""
            continue
        if content and run and pos.startswith(("v", "a")) and len(word) >= 2 and not modifier:
            modifier = word  # 先记着：后面紧跟名词就并进来，否则另起
            continue
        if run:
            out.append(run)
            run = ""
        modifier = word if content and pos.startswith(("v", "a", "b")) and len(word) >= 2 else ""
    if run:
        out.append(run)
    return out


# ---------------------------------------------------------------- 名词短语：搜索词、商品关键词

_DEMONSTRATIVE = re.compile(lx.ZH_DEMONSTRATIVE)
_ASKING_WORD = re.compile(r"哪|什么|啥|几|多少|谁|怎么")
_EN_LEAD = re.compile(r"^(?:(?:" + lx.EN_LEAD_WORDS + r")\b[\s,]*)+", re.I)
_EN_TAIL = re.compile(r"(?:\s+(?:" + lx.EN_TAIL_WORDS + r"))+$", re.I)
_ZH_LEAD = re.compile(r"^(?:" + lx.ZH_LEAD + r")+")
_ZH_FILLER = re.compile(lx.ZH_FILLER)


def keyword(value: str) -> str:
    """去掉“帮我查一下……吗”“recommend a …”之类的口头语，留下要找的东西（网页搜索词、一般的关键词参数）。"""
    value = value.strip()
    if is_english(value):
        core = _EN_TAIL.sub("", _EN_LEAD.sub("", value.strip(" ?!.")).strip(" ?!.,")).strip(" ?!.,")
        return core or value
    core = _ZH_FILLER.sub("", _ZH_LEAD.sub("", value)).strip(" ，,。.？?！!")
    core = re.sub(r"^(?:的|有|了|个|款|一款|一个)+", "", core)
    return core or value


_TITLE = re.compile(r"(?<![\w'’])((?:The |A |An )?[A-Z][\w'’-]*(?:\s+(?:of|the|and|in|on|a|an|to|for|with|[A-Z][\w'’-]*))*"
                    r"(?<=[\w'’-]))")
_NOT_TITLE = frozenset("i is are was were can could would will do does did hi hello hey yes no ok okay sure please "
                       "and or but so oh great perfect thanks thank sorry what which where when who how why "
                       "my your it this that".split())


_LOWER_TAIL = frozenset({"of", "the", "and", "in", "on", "a", "an", "to", "for", "with"})


def title_span(value: str) -> str | None:
    """英文里大写开头的专名（书名、片名、品牌）：“Is The Old Man and the Sea in stock?” → The Old Man and the Sea，
    “order Moby Dick” → Moby Dick，“renew Emma” → Emma。句首的普通词（Is、Could、And）不算；没有返回 None。"""
    best = None
    for m in _TITLE.finditer(value):
        words = m.group(1).split()
        initial = m.start() == 0 or bool(re.search(r"[.!?]\s*$", value[:m.start()]))
        while words and words[0].lower() in _NOT_TITLE:
            words, initial = words[1:], False
        if initial and len(words) > 2 and words[1] in _LOWER_TAIL:  # 句首大写的动词（Looking for The Great Gatsby）
            words, initial = words[1:], False
            while words and words[0] in _LOWER_TAIL:
                words = words[1:]
        while words and words[-1] in _LOWER_TAIL:
            words = words[:-1]
        if not words or len(words) == 1 and (words[0].lower() in _NOT_TITLE or len(words[0]) < 3 or initial):
            continue
        span = " ".join(words)
        if best is None or len(span) > len(best):
            best = span
    return best


_TOPIC_ZH = re.compile(r"^关于\s*([\u4e00-\u9fff]{2,12})\s*[：:]|^([\u4e00-\u9fff]{2,12}?)(?:还)?(?:有没有|没有吗|有吗|在吗|还有吗|在不在|有货吗|在架上吗)|"
                       r"([\u4e00-\u9fff]{2,4})(?:的书|写的|的作品|的小说)|"
                       # 句首说的那样东西，后面问它能不能怎样（“布洛芬能空腹吃吗”“维生素 C 可以和牛奶一起喝吗”）
                       r"^(?:关于|请问|问一下)?([\u4e00-\u9fff]{2,10}?)(?:可以|可不可以|能不能|能|会不会|要不要|是不是|"
                       r"怎么|一天|每天|饭前|饭后|和|跟|与)")


def _boundaries(value: str) -> set[int]:
    """分词后每个词的结尾位置。"""
    ends, pos = set(), 0
    for token in cut(value):
        pos += len(token)
        ends.add(pos)
    return ends


_PRONOUN_LEAD = re.compile(r"^(?:我|你|您|他|她|它|我们|你们|他们|那|这|那个|这个|那么|如果|要是|现在|今天|明天|"
                           r"昨天|一般|平时|为什么|请问|麻烦|帮我|可以|能不能)")


def has_item_word(phrase: str) -> bool:
    return any(w in phrase for w in ITEM_WORDS if CJK.search(w))


def topic(value: str) -> str | None:
    """中文里说在前头的那样东西：“围城还有吗” → 围城，“我想借鲁迅的书” → 鲁迅。"""
    said = re.sub(r"^(?:你好|您好)[，,]?\s*|^(?:我想借|想借|我想要|我想找|想找|找一下|借)", "", value.strip())
    m = _TOPIC_ZH.search(said)
    if not m:
        return None
    if m.group(1):  # “关于布洛芬：……”
        return m.group(1)
    found = _DEMONSTRATIVE.sub("", re.sub(r"^(?:我想借|想借|我想|借|找)", "", m.group(2) or m.group(3) or m.group(4)))
    if m.group(4) and (not nouns(found) and not has_item_word(found) or _PRONOUN_LEAD.match(found)
                       or m.end(4) not in _boundaries(said)):
        return None  # “那一般…”“我能…”：句首不是东西；“智能手表”里的“能”不是情态词
    return found if len(found) >= 2 else None


def _labels_a_value(phrase: str, value: str) -> bool:
    """这个名词是紧跟着的编号的叫法（“学号2023011458”“工号 10293”“订单A1001”）：说的是编号，不是要找的东西。"""
    return bool(re.search(re.escape(phrase) + r"\s*(?:是|为|[:：])?\s*[A-Za-z]{0,3}-?\d{3,}", value))


_VALUE_WITH_LABEL = re.compile(r"[\u4e00-\u9fff]{1,4}\s*(?:是|为|[:：])?\s*[A-Za-z]{0,3}-?\d{4,}|"
                               r"\b(?:[A-Za-z]+\s+){1,2}(?:id|no\.?|number|#)\s*(?:is\s+)?[A-Za-z]{0,3}-?\d{4,}\b", re.I)


def without_values(value: str) -> str:
    """去掉带叫法的编号（“学号2023011458”“student id 2023011458”），剩下的分句重新连起来：关键词参数里不该有它们。"""
    rest = _VALUE_WITH_LABEL.sub(" ", value)
    parts = [p.strip() for p in re.split(r"[，,;；]", rest) if p.strip(" ，,;；。.")]
    return ("，" if CJK.search(value) else ", ").join(parts)


def noun_phrase(value: str) -> str | None:
    """要找的东西：句子里最后一个名词短语（“有卖台灯吗” → 台灯）；英文先看大写开头的专名（书名），再去掉口头语
    （“Recommend a wireless mouse” → wireless mouse）。找不到返回 None。"""
    if is_english(value):
        titled = title_span(value)
        if titled and re.search(r"[A-Z].*\s|[A-Z][a-z]+[A-Z']", titled):  # 两个词以上的专名（The Old Man and the Sea）
            return titled
        core = keyword(value)
        return core if core and core.lower() != value.strip(" ?!.").lower() or len(core.split()) <= 4 else None
    found = [p for p in nouns(value) if not re.fullmatch(r"[A-Za-z]{1,3}-?\d{3,}", p) and not _labels_a_value(p, value)]
    # 说到了品类（耳机、手表、充电器）的短语就是要找的东西，取最先说的那个（后面的多半是在问它的属性：
    # “智能手表能刷公交卡吗”“充电器能给笔记本充电吗”）；没有品类词时取最后一个
    items = [p for p in found if has_item_word(p)]
    if items:
        return items[0]
    whole = [p for p in found if len(p) >= 2]  # 单个字（“有 42 码吗”的码）多半是量词，不是要找的东西
    return (whole or found)[-1] if found else None


def clip(value: str, limit: int = 24) -> str:
    """一小段摘录：第一行、去掉引号里的长内容，超长截断。"""
    first = value.strip().splitlines()[0] if value.strip() else ""
    first = re.sub(r"[「“\"][^」”\"]{12,}[」”\"]", "…", first)
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


_ITEM_ZH = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(lx.ITEM_ZH, key=len, reverse=True)) + r")(?:e?s)?\b",
                      re.I)


def to_chinese_keyword(phrase: str) -> str | None:
    """英文的商品说法换成中文（wireless earbuds → 无线耳机）：认得出的词照原来的顺序换掉，认不出的词不要；
    一个都认不出返回 None。"""
    found = [lx.ITEM_ZH[m.group(1).lower()] for m in _ITEM_ZH.finditer(phrase)]
    return "".join(found) if found else None


_TERMS = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(lx.TERMS_ZH, key=len, reverse=True)) + r")s?\b", re.I)


def in_chinese_terms(value: str) -> list[str]:
    """英文里说到的房间、科室这类说法的中文（living room → 客厅，dermatologist → 皮肤科）。"""
    return [lx.TERMS_ZH[m.group(1).lower()] for m in _TERMS.finditer(value)] if not CJK.search(value) else []
