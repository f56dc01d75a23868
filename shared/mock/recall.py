"""读：前面的工具结果里已经有什么。

真实模型读整段对话时，也读前面工具返回过的东西：“第二款多少钱”“评分最高的那家”“14:30 那个”“把台灯关了”
指的是前面列出来的某一条记录；“湿度呢”“主治医生是谁来着”“为什么不行”问的是上一次结果里的某个字段；
“那几时能到货”的答案就在上一次结果的某段文字里。这里按有序的规则表把这些指代认出来：

- `pick(question, rows)`：指着列表里的哪一条——序号、最便宜 / 最贵 / 最大 / 评分最高 / 最早 / 最晚、上午 / 晚上那班、
  或者直接说出了那一条独有的值（“14:30”“MU523”“台灯”）；
- `fields_asked(question, data)`：问的是记录里的哪几个字段（字段名的叫法出现在问题里，或者“为什么 / 多久 / 多少钱”
  对上原因、时长、金额一类的字段）；
- `sentences_about(question, data)`：结果文字里说到问题关键词的那一句。

决策（brain.py）用它们从上下文直接作答，或者把指到的那条记录交给填参数（fill.py）：订这一班、取消这一个。
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from shared.mock import entities as ent
from shared.mock import lexicon as lx
from shared.mock import text
from shared.mock.conversation import Conversation


@dataclass(frozen=True)
class Result:
    tool: str
    data: Any
    raw: str = ""  # 工具返回的原文（当作取值材料时不用再把 data 序列化一遍）


def earlier_results(conv: Conversation) -> list[Result]:
    """最后一句用户消息之前的工具结果（不含交接），最新的在前。"""
    last_user = max((i for i, t in enumerate(conv.turns) if t.role == "user"), default=-1)
    found = []
    for turn in reversed(conv.turns[:last_user]):
        if turn.role == "tool" and not turn.name.startswith("transfer_to_"):
            try:
                data = json.loads(turn.text)
            except (ValueError, TypeError):
                data = turn.text
            found.append(Result(turn.name, data, turn.text))
    return found


def parsed(raw: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, TypeError):
        return raw


def rows(data: Any) -> list[dict]:
    """结果里的记录列表：结果本身是列表，或者对象里唯一的一个记录列表字段。"""
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list) and v and all(isinstance(r, dict) for r in v)]
        data = lists[0] if len(lists) == 1 else []
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []


# ---------------------------------------------------------------- 指着哪一条

_ZH_ORD = "|".join(k for k in sorted(lx.ORDINALS, key=len, reverse=True) if text.CJK.search(k))
_EN_ORD = "|".join(k for k in sorted(lx.ORDINALS, key=len, reverse=True) if not text.CJK.search(k))
ORDINAL = re.compile(r"(" + _ZH_ORD + r")\s*(?:" + lx.ORDINAL_NOUNS + r")|\bthe\s+(" + _EN_ORD + r")\b|\b(" + _EN_ORD
                     + r")\s+(?:" + lx.ORDINAL_NOUNS + r")\b", re.I)
INTERROGATIVES = re.compile(lx.INTERROGATIVES, re.I)
NEGATED_PART = re.compile(r"\bnot\s+[^,.;!?]+|(?:不是|而不是|别用)[^，。,;；！？!?]+", re.I)
ASKS_DURATION = re.compile(lx.ASKS_DURATION, re.I)
DURATION = re.compile(lx.DURATION, re.I)
SUPERLATIVES = tuple((re.compile(pattern, re.I), fields, best) for pattern, fields, best in lx.SUPERLATIVES)
DAYPARTS = tuple((re.compile(pattern, re.I), lo, hi) for pattern, lo, hi in lx.DAYPARTS)
CLOCK = re.compile(r"(\d{1,2}):(\d{2})")


def pick(question: str, records: list[dict]) -> tuple[int, dict] | None:
    """问题指着这组记录里的哪一条；指不出来返回 None。按顺序：独有的值、序号、最值、时段。"""
    if not records:
        return None
    for rule in (_by_value, _by_ordinal, _by_superlative, _by_daypart):
        index = rule(question, records)
        if index is not None:
            return index, records[index]
    return None


def _by_value(question: str, records: list[dict]) -> int | None:
    """问题里原样出现了某一条独有的值（“14:30 那个”“MU523”“台灯”“墨影 14”）。“I meant X, not Y”“是 X 不是 Y”
    里被否定的那个不算。"""
    low = NEGATED_PART.sub(" ", question.lower())
    hits = set()
    for i, record in enumerate(records):
        for value in record.values():
            if isinstance(value, str) and len(value) >= 2 and value.lower() in low and sum(
                    value in r.values() for r in records) == 1:
                hits.add(i)
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 10 and re.search(
                    r"(?<![\d.])" + re.escape(_plain(value)) + r"(?![\d.])", low) and sum(
                    value in r.values() for r in records) == 1:  # “99 那个”：只有这一条有这个数
                hits.add(i)
    if not hits:  # “星河 X20 怎么买”：说了名字的开头几个词（星河 X20 手机），只有这一条这样开头
        for i, record in enumerate(records):
            for value in record.values():
                head = _name_head(value, low)
                if head and sum(isinstance(v, str) and v.lower().startswith(head) for r in records
                                for v in r.values()) == 1:
                    hits.add(i)
    if not hits:  # “the 6 month one”“六个月那个”：小的数要带着单位，而且正是这一条那个字段的单位
        for n, kind, _ in ent.counted(question):
            for i, record in enumerate(records):
                for key, value in record.items():
                    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == n and any(
                            text.stem(w.lower()).startswith(kind[:4]) for w in text.split_identifier(key)) and sum(
                            value in r.values() for r in records) == 1:
                        hits.add(i)
    return hits.pop() if len(hits) == 1 else None


def _name_head(value: object, question: str) -> str | None:
    """名字（有空格分开的几段）开头的一段或几段出现在问题里，而且至少 3 个字符：返回那一段（小写）。"""
    if not isinstance(value, str) or " " not in value.strip():
        return None
    parts = value.lower().split()
    for n in range(len(parts) - 1, 0, -1):
        head = " ".join(parts[:n])
        if len(head) >= 3 and head in question:
            return head
    return None


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _by_ordinal(question: str, records: list[dict]) -> int | None:
    m = ORDINAL.search(question)
    if not m:
        return None
    index = lx.ORDINALS[next(g for g in m.groups() if g).lower()]
    return index % len(records) if -len(records) <= index < len(records) else None


def _by_superlative(question: str, records: list[dict]) -> int | None:
    for pattern, fields, best in SUPERLATIVES:
        if not pattern.search(question):
            continue
        for field in fields:
            valued = [(_sortable(r.get(k)), i) for i, r in enumerate(records) for k in r
                      if re.search(field, k, re.I) and _sortable(r.get(k)) is not None]
            if valued:
                return (max if best == "max" else min)(valued)[1]
    return None


def _sortable(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return abs(float(value))
    if isinstance(value, str):
        m = CLOCK.fullmatch(value.strip())
        if m:
            return int(m.group(1)) * 60 + int(m.group(2))
    return None


def _by_daypart(question: str, records: list[dict]) -> int | None:
    for pattern, lo, hi in DAYPARTS:
        if not pattern.search(question):
            continue
        for i, record in enumerate(records):
            times = [CLOCK.fullmatch(v.strip()) for k, v in record.items() if isinstance(v, str)
                     and re.search(r"time|start|depart|时间", k, re.I)]
            if any(m and lo <= int(m.group(1)) < hi for m in times):
                return i
    return None


# ---------------------------------------------------------------- 问的是哪个字段、哪句话


def fields_asked(question: str, data: Any, label) -> list[tuple[str, Any]]:
    """问题问的是这条记录的哪几个字段。`label(key)` 给出字段在两种语言里的叫法。"""
    if not isinstance(data, dict):
        return []
    low = question.lower()
    # “订单”“商品”这类宾语词不算问到了哪个字段（“这个订单里面买的是啥”问的不是订单状态）
    q_words = {w for w in text.words(question) if len(w) >= 2 and not text.concepts(w) & lx.OBJECTS}
    either = set(re.findall(r"([\u4e00-\u9fff])不\1", question))  # 正反问“辣不辣”问的是“辣度”
    asked = []
    for key, value in data.items():
        if isinstance(value, (dict, list)) and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            continue
        if value in (None, "", []):
            continue
        said = " ".join(label(key))
        names = {w for w in text.words(said) if len(w) >= 2} | {
            w.lower() for w in text.split_identifier(key) if len(w) >= 4}
        kind = next((k for pattern, k in lx.ASKS_ABOUT if re.search(pattern, low)), None)
        if names & q_words or (kind and re.search(kind, key, re.I)) or either & set(said):
            asked.append((key, value))
    return asked


def answers_kind(question: str, asked: list[tuple[str, Any]]) -> bool:
    """问法（多少钱、几点、多久）对得上取出来的字段；问法说不出是哪一类时也算对得上。"""
    low = question.lower()
    kinds = [key for pattern, key in lx.ASKS_ABOUT if re.search(pattern, low)]
    return not kinds or any(re.search(key, k, re.I) for key in kinds for k, _ in asked)


def asks_duration(question: str) -> bool:
    return bool(ASKS_DURATION.search(question))


def sentences_about(question: str, data: Any) -> list[str]:
    """结果里的文字，说到了问题的关键词（“那几时能到货” → “目前缺货，预计两周内到货。”）。"""
    content = INTERROGATIVES.sub(" ", question.strip())
    keys = {w for w in text.words(content) if len(w) >= 2 and not text.TOKEN_ID.fullmatch(w)}
    # 问多久：说了一段时长、又没说到别的事的句子也算（问保修期时不拿“续航 14 天”作答）
    duration = bool(ASKS_DURATION.search(question))
    topic = text.concepts(content) - {"lookup", "greet", "status", "time"}
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str) and len(node) > 6:
            for sentence in re.split(r"(?<=[。！!；;])|(?<=\.)\s", node):
                if sentence.strip() and (any(k in sentence for k in keys) or duration and DURATION.search(sentence)
                                         and (not topic or topic & text.concepts(sentence))):
                    found.append(sentence.strip())

    walk(data)
    return list(dict.fromkeys(found))[:2]
