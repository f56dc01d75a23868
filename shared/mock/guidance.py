"""指令和工具说明里写给用户的“指引”：照着说，或者照着不办。

brain.py 决定这一轮调不调工具；这里是它要查的几类规矩，都从文字里读出来，不认识任何具体领域：
- 没有工具管的事：指令里“别的事请拨打……”“这些你没有工具的事……”“不收……”那一行（`advice`）；
- 说明某个工具的那一行里，“什么情况不能办、去哪办”的分句（`_blocking_clause`，`advice` 在用户说的正是那个情况时用它）；
- 问办一件事收多少钱：说明里的价钱（按月 / 按晚的乘上份数），或者有专门查价钱的工具就去查（`fee_asked`、`price_lookup`）；
- 查出来次数已经用完（`refills_left: 0`）：不再问办理要的信息（`used_up`、`used_up_rule`）；
- 指令要先把查到的某几项念给用户核对：确认时带上这几项（`read_back`）。
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from shared.mock import entities as ent
from shared.mock import lexicon as lx
from shared.mock import recall, render, route, state, text
from shared.mock.conversation import ToolSpec, Turn

if TYPE_CHECKING:
    from shared.mock.brain import Situation

REFERRAL = re.compile(lx.REFERRAL, re.I)
FIRM_REFERRAL = re.compile(r"不能|不可以|办不了|无法|查不到|不收|不接|不提供|不支持|\bdo(?:n'?t| not) accept\b|\bnot accepted\b|\bcannot\b|\bcan'?t\b|\bcan not\b|\d{3,}[- ]\d{3,}|\d{5,}", re.I)
PERSONA_LINE = re.compile(r"^(?:你是|您是|you are\b|#)|agents sdk|transfer", re.I)
CATCH_ALL_LINE = re.compile(lx.CATCH_ALL_LINE, re.I)
NO_TOOL_LINE = re.compile(lx.NO_TOOL_LINE, re.I)
REFERRAL_PLACE = re.compile(r"请|到|去|拨打|致电|联系|\b(?:call|visit|go to|contact|ask (?:them|the \w+) to)\b", re.I)
READ_BACK = re.compile(r"告诉|念给|读给|说给|核对|\bread (?:\w+ )?back\b|\btell (?:them|the \w+)\b|"
                       r"\brepeat\b", re.I)
_NAMES_A_TOOL = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
MONEY_AFTER = r"(?:[¥$￥]\s*)?\d+(?:\.\d+)?\s*(?:元|块|美元|dollars?|USD|CNY|RMB)|[¥$￥]\s*\d+(?:\.\d+)?"
FEE_QUESTION = re.compile(r"怎么收费|收费吗|收不收费|要钱吗|多少钱|几块钱|什么价|费用|手续费|加急费|要收.{0,4}费|免费吗|"
                          r"\bhow much\b|\bfees?\b|\bcharge[sd]?\b|\bcosts?\b|\bprice\b|\bfor free\b", re.I)
FEE_CONTEXT = re.compile(r"\bfees?\b|\bcharge|\bcosts?\b|\bprice|\bper\b|\beach\b|收|费|价|每", re.I)
THRESHOLD = re.compile(r"\s*(?:or (?:more|above|higher|less|below|under)|and (?:up|above)|\+|及?以上|及?以下|起)", re.I)
PRICE_TOOL = re.compile(r"prices?|pricing|fares?|fees?|costs?|quotes?|tariffs?|rates?", re.I)  # 工具名里的一个词
_PER = re.compile(r"\s*(?:/\s*|per\s+|a\s+|每)(month|night|day|hour|week|year|kg|item|person|月|晚|天|小时|周|年|公斤|件|人)"
                  r"|\s*(?:一个?|每个?)?(月|晚|天)", re.I)
_PER_KIND = {"month": "month", "月": "month", "night": "night", "晚": "night", "day": "day", "天": "day",
             "hour": "hour", "小时": "hour", "week": "week", "周": "week", "year": "year", "年": "year",
             "person": "person", "人": "person", "item": "item", "件": "item"}
_LEFT_FIELD = re.compile(r"(?:^|_)(?:left|remaining)(?:_|$)", re.I)
_USED_UP = re.compile(r"用完|用光|没有了|没了|已满|\bran out\b|\brun out\b|\bnone left\b|\bno \w+ left\b|\bused up\b",
                      re.I)


def lines_naming(spec: ToolSpec, s: Situation) -> list[str]:
    return [line for line in re.split(r"\n", s.conv.system or "") if spec.name in line or
            any(w in line for w in text.words(route.profiles([spec], "")[0].label) if len(w) >= 2)]


@lru_cache(maxsize=256)
def _tool_words(tools: tuple[tuple[str, str], ...]) -> frozenset[str]:
    return frozenset(w for name, desc in tools for w in text.words(f"{' '.join(text.split_identifier(name))} {desc}"))


@lru_cache(maxsize=256)
def _shared_tool_words(tools: tuple[tuple[str, str], ...]) -> frozenset[str]:
    """不止一个工具的名字或说明里都有的词（payment、account）：泛泛的词，点不出是哪件事。"""
    seen: dict[str, int] = {}
    for name, desc in tools:
        for w in set(text.words(f"{' '.join(text.split_identifier(name))} {desc}")):
            seen[w] = seen.get(w, 0) + 1
    return frozenset(w for w, n in seen.items() if n > 1)


def advice(s: Situation, strict: bool = False) -> str | None:
    """指令里有一行指引说到了这件事（“罚款在服务台交，不能减免”“营业厅的事请拨打 10086-5”），而没有工具管它：
    照那一行回答。strict：只认说到了这句话里的词、而这个词又不在任何工具说明里的那一行；否则没有对口的行时，
    用兜底的那一行（“别的事请打 800-555-0142”）。"""
    names = [t.name for t in s.conv.tools]
    if not REFERRAL.search(s.conv.system or ""):
        return None  # 指令里没有任何指引
    described = tuple((t.name, t.description or "") for t in s.conv.functions)
    tool_words, shared_words = _tool_words(described), _shared_tool_words(described)
    asked = {w for w in text.words(s.question) if (len(w) >= 3 or text.CJK.search(w) and len(w) >= 2)
             and not text.TOKEN_ID.fullmatch(w) and w not in lx.STOP}
    best, fallback = None, None
    for line in re.split(r"\n+", s.conv.system or ""):
        if not REFERRAL.search(line) or any(n in line for n in names) or PERSONA_LINE.match(line.strip()):
            continue
        if strict and not FIRM_REFERRAL.search(line) and not NO_TOOL_LINE.search(line):  # 没人问到兜底行时，只认明说“不能 / 打这个电话”的那一行
            continue
        words = set(text.words(line))
        # 明说没有工具管的事（autopay）：就算某一个工具的说明里也有这个词，点到名就算；几个工具都有的泛泛的词不算
        said = asked - shared_words if NO_TOOL_LINE.search(line) else asked - tool_words
        hits = {w for w in said if w in words and (text.CJK.search(w) or len(w) >= 4 or w.upper() in s.question)}
        if hits and (best is None or len(hits) > best[0]):
            best = (len(hits), _sentence_with(line, hits))
        if fallback is None and CATCH_ALL_LINE.search(line):
            fallback = line
    if best is None and strict and not state.asks_for_something(s.question):  # 说的是情况，不是在请助手办事
        blocking = _blocking_clause(s, names, tool_words)
        if blocking is not None:
            return render.advice(blocking, s.english)
    if best is not None:
        return render.advice(best[1], s.english)
    if not strict and fallback is not None:
        return render.advice(fallback, s.english)
    return None


def _sentence_with(line: str, hits: set[str]) -> str:
    """一行里有几句各自的指引（“停电打 0100。别的事打 0177。”）：只留说到了用户那件事的那一句。"""
    sentences = [x for x in re.split(r"(?<=[。；;])|(?<=[.!?])\s+", line) if x.strip()]
    referrals = [x for x in sentences if REFERRAL.search(x)]
    if len(referrals) < 2 or not all(re.search(r"\d{3,}", x) for x in referrals):
        return line  # 只有一处指引，或后一句接着前一句说（“在服务台交。不能减免。”）：整行照说
    own = [x for x in referrals if hits & set(text.words(x))]
    return " ".join(own) if own and len(own) < len(referrals) else line


def _blocking_clause(s: Situation, names: list[str], tool_words: frozenset[str]) -> str | None:
    """说明某个工具的那一行里，常有一个分句交代“什么情况下不能办、改去哪办”（“登记的手机已经不用了的不能在线重置，
    请他到 3 楼办理”）。用户说的正是那个情况（“这个手机号我早就不用了”）：照那个分句回答，不再往下办。
    用户的话里至少两个不是在说这件事本身（工具说明里的词）的词和分句对得上（词可以互相包含：手机 / 手机号），
    分句里要有“不能”和去处，本身不点工具的名字。"""
    clauses = _blocking_clauses(s.conv.system or "", tuple(names))
    if not clauses:
        return None
    said = [w for w in text.words(s.question) if (text.CJK.search(w) and len(w) >= 2 or len(w) >= 4)
            and w not in tool_words]
    best = None
    for clause, words in clauses:
        hits = {w for w in said if any(w in x or x in w for x in words if len(x) >= 2)}
        if len(hits) >= 2 and (best is None or len(hits) > best[0]):
            best = (len(hits), clause)
    return best[1] if best else None


@lru_cache(maxsize=256)
def _blocking_clauses(system: str, names: tuple[str, ...]) -> tuple[tuple[str, frozenset[str]], ...]:
    """说明工具的那几行里，交代“不能办、去哪办”的分句和它的词（每份指令只算一次）。"""
    found = []
    for line in re.split(r"\n+", system):
        if not any(n in line for n in names):
            continue
        for clause in re.split(r"[；;。]|(?<=[.!?])\s+", line):
            if _NAMES_A_TOOL.search(clause) or not FIRM_REFERRAL.search(clause) or not REFERRAL_PLACE.search(clause):
                continue
            found.append((clause.strip(" -•·，,"), frozenset(text.words(clause))))
    return tuple(found)


def fee_asked(ranked: list[route.Ranked], functions: list[ToolSpec], s: Situation, asked_for: str | None) \
        -> tuple[ToolSpec, tuple[str, str | None, str | None]] | None:
    """用户只是问办一件事收不收费、收多少（“冻结怎么收费”“冻三个月要多少钱”）：排在前面的办事工具里，说明或
    指令写着价钱的那个，和 (价钱, 按什么计, 用户说的份数合计)。问句才算；用户是在要办（“帮我冻结”）不算。
    这句话没说是哪件事（“冻三个月的话要多少钱”）时，看助手上一轮在为哪件事要信息。"""
    if s.state.request.modality != "ask" or not FEE_QUESTION.search(s.question):
        return None
    top = ranked[0].score if ranked else 0.0
    if price_lookup(ranked, s) is not None:
        return None  # 有专门查价钱的工具（ticket_prices、get_quote）：去查，不照说明答
    # 说到了这件事本身（冻结、续期这类要办的事），不只是“交钱”“账户”这种泛泛的词（“这个月要交多少钱”问的是账单）
    names = [r.profile.name for r in ranked if r.profile.acts and set(r.reasons) & lx.ACTIONS and r.score >= max(
        route.MIN_SCORE, top * 0.5)] + [n for n in (asked_for,) if n]
    for name in dict.fromkeys(names):
        spec = next((f for f in functions if f.name == name), None)
        fee = _fee_of(spec, s) if spec is not None else None
        if fee is not None:
            return spec, fee
    # 没说是哪件事，但说了几个月 / 几晚：按月 / 按晚收费的办事工具只有一个，问的就是它
    counted = {k for _, k, _ in ent.counted(s.question)}
    priced = [(f, fee) for f in functions if route.profiles([f], "")[0].acts
              and (fee := _fee_of(f, s)) is not None and fee[1] in counted]
    return priced[0] if len(priced) == 1 else None


def price_lookup(ranked: list[route.Ranked], s: Situation) -> route.Ranked | None:
    """问多少钱，而有专门查价钱的工具（harbour_fares、get_quote），这句话也说到了它管的东西：就是它。"""
    if s.state.request.modality != "ask" or not FEE_QUESTION.search(s.question):
        return None
    return next((r for r in ranked if not r.profile.acts and not r.profile.handoff and r.reasons and any(
        PRICE_TOOL.fullmatch(w.lower()) for w in text.split_identifier(r.profile.name))), None)


def _fee_of(spec: ToolSpec, s: Situation) -> tuple[str, str | None, str | None] | None:
    rules = " ".join([spec.description or "", *lines_naming(spec, s)])
    prices = [m for m in re.finditer(MONEY_AFTER, rules) if FEE_CONTEXT.search(rules[max(0, m.start() - 24):m.end() + 16])
              and not THRESHOLD.match(rules, m.end())]  # “余额 $100 以上才能分期”是门槛，不是收费
    if not prices:
        return None
    said = set(text.words(s.question))  # 几档价钱（“$12 per adult, $6 per child”）：用户说到的那一档
    found = next((m for m in prices if set(text.words(rules[m.end():m.end() + 16])) & said), prices[0])
    per = _PER.match(rules, found.end())
    unit = next((g for g in per.groups() if g), None) if per else None
    total = None
    kind = _PER_KIND.get(unit.lower()) if unit else None
    count = next((n for n, k, _ in ent.counted(s.question) if k == kind), None) if kind else None
    amount = re.search(r"\d+(?:\.\d+)?", found.group(0))
    if count and count > 1 and amount:  # “冻三个月”：按月计的价钱乘上三
        total = found.group(0).replace(amount.group(0), f"{float(amount.group(0)) * count:g}", 1).strip()
    return found.group(0).strip(), kind, total


def used_up(outputs: list[Turn], spec: ToolSpec) -> str | None:
    """结果里“剩余 X”是 0，而接下来要办的正是用掉一次 X 的事（refills_left: 0 → request_refill）：返回那个字段名。"""
    doing = {text.stem(w.lower()) for w in text.split_identifier(spec.name)}
    for turn in outputs:
        data = recall.parsed(turn.text)
        if not isinstance(data, dict):
            continue
        for key, value in data.items():
            if value == 0 and not isinstance(value, bool) and _LEFT_FIELD.search(key):
                words = {text.stem(w.lower()) for w in text.split_identifier(key)} - {"left", "remain"}
                if any(a.startswith(b) or b.startswith(a) for a in words for b in doing if min(len(a), len(b)) >= 4):
                    return key  # renewals_left ↔ renew_loan
    return None


def used_up_rule(s: Situation, key: str) -> str | None:
    """指令里说“用完了不能办、改去哪办”的那个分句（“次数用完了不能续，请顾客找开药医生重新开处方”）。"""
    label = render.field_label(key, False) + " " + render.field_label(key, True)
    best = None
    for clause in re.split(r"[；;。\n·•]|(?<=[.!?])\s+", s.conv.system or ""):
        if not _USED_UP.search(clause) or not REFERRAL.search(clause) or _NAMES_A_TOOL.search(clause):
            continue
        shared = sum(1 for w in text.words(clause) if len(w) >= 2 and w in label)
        if best is None or shared > best[0]:
            best = (shared, clause.strip(" -，,"))
    return best[1] if best else None


def read_back(rules: str, shown: list[tuple[str, object]], results: list[recall.Result]) -> list[tuple[str, object]]:
    """指令要先把查到的某几项念给用户核对（“把姓名和登记手机的尾号告诉对方，请他确认”“read back the total”）：
    从刚查到的结果里找出这几项，一起说。"""
    if not results or not isinstance(results[0].data, dict):
        return []
    rules = " ".join(c for c in re.split(r"[；;。，,]|(?<=[.!?])\s+", rules) if READ_BACK.search(c))
    if not rules:
        return []
    low, have = rules.lower(), {k for k, _ in shown}
    found = []
    for key, value in results[0].data.items():
        if key in have or isinstance(value, (dict, list, bool)) or value in (None, ""):
            continue
        zh, en = render.field_label(key, False), render.field_label(key, True).lower()
        named = (zh and text.CJK.search(zh) and (zh in rules or len(zh) >= 3 and zh[-2:] in rules)
                 or len(en) >= 4 and re.search(r"\b" + re.escape(en) + r"\b", low))
        if named:
            found.append((key, value))
    return found[:3]
