"""说话：**模拟模型说出口的每一句话都在这个文件里写。**

brain.py 决定说哪一种话（据工具结果作答、问清楚、要缺的信息、寒暄、兜底……），fill.py / judge.py 要用句子
填的值（摘要、理由）也来这里要。中文和英文两套说法，由调用方按对话语言选。几条守则：

- **只说请求里有的东西**：工具结果、对话、指令、工具说明。没有现成的代码示例、百科知识或编出来的数据。
- **不替工具说话**：没有工具结果说“已办好 / 正在办 / 已记下”时，回答里就不能这么说（`honest()` 最后把关）；
  缺信息就问缺的那一样。
- **不念字段名**：工具结果的字段用词典里的叫法（order_status → 订单状态，temp_low → 最低气温），认不全的
  字段换成这种语言的说法，不把 `snake_case` 原样交给用户。
"""

from __future__ import annotations

import json
import re
from typing import Any

from shared.mock import entities as ent
from shared.mock import lexicon as lx
from shared.mock import text

NOTE_ZH = "（这是内置模拟模型的确定性示例回答：它不联网、也不做真正的推理；在 .env 里配置真实模型即可得到真正的回答。）"
NOTE_EN = ("(This is a deterministic sample answer from the built-in mock model: no network, no real reasoning. "
           "Configure a real model in .env for a real answer.)")
_NOTES = re.compile(r"（这是内置模拟模型的确定性示例回答[^）]*）|\(This is a deterministic sample answer from the "
                    r"built-in mock model[^)]*\)")
_CLAIMS = re.compile(lx.CLAIMS, re.I)

# ================================================================ 字段的叫法


def _expand(words: list[str]) -> list[str]:
    """缩写换成全称（temp → temperature），修饰词排到前面（temp_low → low temperature）。"""
    low = [w.lower() for w in words]
    full = [("temporary" if w == "temp" and len(low) > 1 and not lx.TEMPERATURE_COMPANIONS & set(low) else
             lx.ABBREVIATIONS.get(w, w)) for w in low]
    if len(full) > 1:
        modifiers = [w for w in full if w in lx.MODIFIERS]
        if modifiers and len(modifiers) < len(full):
            full = modifiers + [w for w in full if w not in lx.MODIFIERS]
    return full


def field_label(key: str, english: bool) -> str:
    """字段名 → 给人看的叫法：词典里的常见字段；不认识的按单词逐个翻译；单位词（minutes、nights）不进叫法，
    由数值带上。中文里有认不出的词时，只用认得出的那几个词；一个都认不出，返回空字符串（由调用方换个说法）。"""
    low = key.lower()
    if low in lx.FIELDS:
        return lx.FIELDS[low][1 if english else 0]
    if text.CJK.search(key):
        return "" if english else key
    words = text.split_identifier(key) or [key]
    unit_of = {f: u for u in lx.UNITS.values() for f in u.fields}
    if len(words) > 1 and words[-1].lower() in unit_of:
        words = words[:-1]
    elif len(words) == 1 and low in unit_of:
        return unit_of[low].label_en if english else unit_of[low].label_zh
    if len(words) > 1 and words[0].lower() in ("is", "has", "contains"):  # is_jailbreak → 越狱尝试
        words = words[1:]
    full = _expand(words)
    if english:
        return " ".join(full)
    if len(full) > 1 and full[-1] in lx.PARTICIPLES:  # insurance_included → 保险
        full = full[:-1]
    english_words, front = " ".join(full), ""
    if len(full) > 2 and "_".join(full[-2:]) in lx.ZH_PERIODS:  # freezes_left_this_year → 今年……
        front, full = lx.ZH_PERIODS["_".join(full[-2:])], full[:-2]
    left = next((w for w in full if w in lx.ZH_FRONT), None) if len(full) > 1 else None
    if left is not None:  # seats_left → 剩余座位，remaining_days → 剩余天数
        front, full = front + lx.ZH_FRONT[left], [w for w in full if w != left]
    said = _zh_label(full)
    # 有认不出的词：只拼认得出的那几个会说错意思（contract_until → “至”），照英文原词念（contract until）
    return front + said if said else english_words


def _zh_label(full: list[str]) -> str | None:
    """已经换成全称、排好修饰词的字段词 → 中文叫法；有认不出的实词时返回 None。"""
    if "at" in full[1:-1]:  # first_must_change_at_login → 登录时首次须修改
        cut = full.index("at")
        after, before = _zh_label(full[cut + 1:]), _zh_label(full[:cut])
        if after and before:
            return after + "时" + before
    joined = "_".join(full)
    if joined in lx.FIELDS:
        return lx.FIELDS[joined][0]
    if len(full) == 1 and full[0] in lx.PARTICIPLES:  # completed: [课程……] → 已完成
        return "已" + lx.PARTICIPLES[full[0]]
    tail = "_".join(full[-2:])
    if len(full) > 2 and tail in lx.FIELDS:  # new_due_date → 新的 + 到期日
        head = [_word_zh(w) for w in full[:-2]]
        if all(head):
            return "".join(head) + lx.FIELDS[tail][0]  # type: ignore[arg-type]
    zh = [_word_zh(w, last=i == len(full) - 1) for i, w in enumerate(full)]
    if len(full) > 1 and full[-1].lower() == "name" and full[-2].lower() in lx.PERSON_WORDS:
        zh[-1] = "姓名"  # patient_name → 就诊人姓名（商品、课程的 name 才是“名称”）
    if all(zh):
        if len(full) > 1 and full[-1] in lx.ING_ADJECTIVES:
            return zh[-1] + "的" + "".join(zh[:-1])  # points_expiring → 即将到期的积分
        return "".join(zh)  # type: ignore[arg-type]
    # 认不出的只是虚词（lights_on 的 on）时，念认得出的
    if all(z or w.lower() in lx.FUNCTION_WORDS for z, w in zip(zh, full, strict=True)):
        return "".join(z for z in zh if z) or None
    return None


def _word_zh(word: str, last: bool = False) -> str | None:
    """字段名里一个英文词的中文：先查原形，再查词干（expiring → expire、channels → channel）。"""
    w = word.lower()
    if last and w in lx.LAST_WORDS:
        return lx.LAST_WORDS[w]
    if w in lx.WORDS:
        return lx.WORDS[w]
    base = text.stem(w)
    return next((zh for en, zh in lx.WORDS.items() if text.stem(en) == base), None)


def field_unit(key: str, english: bool) -> str | None:
    """字段名带单位（delay_minutes → 分钟）或名词本身带单位（temp_low → 度）：数值后面加上它。"""
    words = [lx.ABBREVIATIONS.get(w.lower(), w.lower()) for w in text.split_identifier(key) or [key]]
    last = words[-1]
    for unit in lx.UNITS.values():
        if last in unit.fields:
            return unit.en if english else unit.zh
    kind = next((lx.NOUN_UNITS[w] for w in words if w in lx.NOUN_UNITS), None)
    if kind:
        unit = lx.UNITS[kind]
        return unit.en if english else unit.zh
    return None


def participle(key: str, value: bool, english: bool) -> str | None:
    """confirmed=True → 已确认；insurance_included=False → 未包含（English: included / not included）。"""
    last = (text.split_identifier(key) or [key])[-1].lower()
    if last not in lx.PARTICIPLES:
        return None
    if english:
        return last if value else f"not {last}"
    return ("已" if value else "未") + lx.PARTICIPLES[last]


def zh_aliases(name: str) -> list[str]:
    """参数 / 字段名在中文里的叫法（restaurant → 餐厅，priority → 优先级），用来在中文原文里找它。"""
    label = field_label(name, english=False)
    return [label] if text.CJK.search(label) else []


# ================================================================ 工具结果念成句子

_CODE = re.compile(r"[a-z]+(?:_[a-z]+)+")
LEAD = ("message", "msg", "summary", "note", "notes", "answer", "说明", "备注", "提示", "detail", "details", "result")
ERRORS = ("error", "errors", "error_message", "err", "错误", "failure")
SUBJECTS = ("order_id", "order_no", "ticket_id", "refund_id", "city", "user_id", "id", "sku")
MONEY_FIELD = re.compile(r"amount|price|total|cost|fee|fare|balance|subtotal|paid|refund(?!_id)|金额|价格|费用", re.I)
NOT_MONEY = re.compile(r"points|score|count|qty|quantity|minutes|hours|days|nights|percent|tickets|stock|rate$", re.I)
ECHO_KEYS = re.compile(r"keyword|query|^q$|search|term|description|content|text|body|comment|note|question", re.I)
TIME_META = re.compile(r"^(created|updated|modified)(_at|_time)?$|timestamp", re.I)
MAX_FACTS = 6
PERSONAL = {"customer", "customer_name", "phone", "email", "address", "city", "user_id", "name"}  # 排在后面念


def tool_results(outputs: list[tuple[str, str]], question: str, english: bool,
                 echoed: dict[str, set[str]] | None = None, zone: tuple[int, str, str] | None = None) -> str:
    """outputs：[(工具名, 结果文字)]。每个结果一段，合起来就是回答。zone：指令写明的时区（见 entities.zone_in）。"""
    parts, noted = [], False
    for name, raw in outputs:
        body, had_note = _strip_note(raw)
        noted |= had_note
        parts.append(tool_result(name, body, question, english, (echoed or {}).get(name, set()), zone))
    answer = "\n".join(p for p in parts if p)
    if noted:
        answer += "\n" + (NOTE_EN if english else NOTE_ZH)
    return answer


def localize(data: Any, zone: tuple[int, str, str] | None, english: bool) -> Any:
    """结果里带时区的 ISO 时间换成念给人听的样子（按指令的时区换算，见 entities.readable_time）。"""
    if isinstance(data, dict):
        return {k: localize(v, zone, english) for k, v in data.items()}
    if isinstance(data, list):
        return [localize(v, zone, english) for v in data]
    if isinstance(data, str):
        return ent.readable_time(data, zone, english) or data
    return data


def _strip_note(raw: str) -> tuple[str, bool]:
    cleaned = _NOTES.sub("", raw)
    return cleaned.strip(), cleaned != raw


def tool_result(name: str, raw: str, question: str, english: bool, echoed: set[str] | None = None,
                zone: tuple[int, str, str] | None = None) -> str:
    data = localize(_parse(raw), zone, english)
    if isinstance(data, str):
        return _relay(data, english)
    if isinstance(data, dict):
        return _record(data, question, english, echoed or set())
    if isinstance(data, list):
        label = _label(name.split("_")[-1], english) if name else ("results" if english else "结果")
        return _list_sentence(label or ("results" if english else "结果"), data, english)
    return (f"The result is {_value('', data, english)}." if english else f"结果是 {_value('', data, english)}。")


def _parse(raw: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, TypeError):
        pass
    pairs = re.findall(r"(\w+)=(?:'([^']*)'|\"([^\"]*)\"|([^\s,]+))", raw)  # pydantic 的 repr：city='Tokyo' ...
    if len(pairs) >= 2 and re.fullmatch(r"\s*(\w+=(?:'[^']*'|\"[^\"]*\"|[^\s,]+)[\s,]*)+", raw):
        return {k: a or b or c for k, a, b, c in pairs}
    return raw


def _relay(value: str, english: bool) -> str:
    """纯文字结果：原样转告；看得出是错误的，说明是出错了。"""
    value = _to_user(value.strip(), english)
    if not value:
        return "The tool returned nothing." if english else "工具没有返回内容。"
    if re.match(r"(error|an error occurred|exception|failed|错误|出错|失败)", value, re.I):
        return (f"Sorry, the tool reported an error: {value}" if english else f"抱歉，工具出错了：{value}")
    return value


def _to_user(value: str, english: bool) -> str:
    """工具写给助手的话，转成对用户说的话：“请向用户确认订单号” → “请您确认订单号”。"""
    if english:
        return re.sub(r"\b(ask|tell) the user\b", "please", value, flags=re.I)
    value = re.sub(r"请?向用户(确认|核实)", r"请您\1", value)
    return re.sub(r"(联系|通知|告诉|为)用户", r"\1您", value).replace("请用户", "请您")


def _label(key: str, english: bool) -> str:
    return field_label(key, english)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _money_figure(value: float) -> str:
    """金额的数字：有分就写到分（$36.07、$5），整数不带小数。"""
    return _number(value) if float(value).is_integer() else f"{value:.2f}"


def _is_money(key: str) -> bool:
    return bool(MONEY_FIELD.search(key)) and not NOT_MONEY.search(key) or _CURRENCY_SUFFIX.search(key) is not None


_CURRENCY_SUFFIX = re.compile(r"_(?:usd|cny|rmb|eur|gbp|jpy|yuan|dollars)$", re.I)


def _value(key: str, value: Any, english: bool, currency: str | None = None) -> str:
    if isinstance(value, bool):
        words = lx.BOOLS.get(key.lower())
        if words:
            return words[1 if english else 0][0 if value else 1]
        done = participle(key, value, english)
        if done:
            return done
        return ("yes" if value else "no") if english else ("是" if value else "否")
    if isinstance(value, (int, float)) and _is_money(key):
        unit = field_unit(key, english)  # total_usd → USD，price_cny → 元：字段名写明了币种就用它
        if english and (currency or unit or "").upper() == "USD":  # 英文里美元写在前面：$5、$62.13
            return f"${_money_figure(value)}"
        if currency or unit:
            return f"{_number(value)} {currency or unit}"
        return f"¥{_number(value)}" if english else f"{_number(value)} 元"
    if isinstance(value, (int, float)):
        unit = field_unit(key, english)
        if unit == "%" and isinstance(value, float) and 0 < value < 1:  # 0.4 → 40%
            value = round(value * 100, 1)
        shown = _number(value) if isinstance(value, float) else str(value)
        if unit in ("%", "°C"):
            return f"{shown}{unit}"
        return f"{shown} {unit}" if unit else shown
    if isinstance(value, str):
        if not english and value.lower() in lx.VALUES_ZH:
            return lx.VALUES_ZH[value.lower()]
        if english and value in lx.VALUES_EN:  # 英文回答里，工具给的中文状态词换回英文
            return lx.VALUES_EN[value]
        if _CODE.fullmatch(value):  # suspicious_activity 这类代码值：念成词（中文认得出就翻译）
            return field_label(value, english) or value.replace("_", " ")
        return _to_user(value, english)
    if isinstance(value, dict):
        own = _currency_of(value)
        return ("，" if not english else ", ").join(
            _value(k, v, english, own) for k, v in value.items() if v not in (None, "", [], {})
            and not re.search(r"_?id$|sku", k, re.I) and not (own and k.lower() == "currency"))
    if isinstance(value, list):
        return _list_items(value, english)
    return str(value)


def _currency_of(record: dict) -> str | None:
    """记录自己写明的币种（currency: USD）：金额跟着它念，不再套人民币符号。"""
    value = record.get("currency")
    return value if isinstance(value, str) and value.strip() else None


def _bare(key: str, value: Any) -> bool:
    """不用带字段名就能念的值：in_stock → 有货，confirmed → 已确认（单个词的过去分词）。"""
    if not isinstance(value, bool):
        return False
    return key.lower() in lx.BOOLS or (len(text.split_identifier(key)) == 1
                                       and participle(key, value, False) is not None)


def _list_items(values: list, english: bool, limit: int = 3) -> str:
    if not values:
        return "none" if english else "无"
    if len(values) == 1 and isinstance(values[0], dict):  # 只有一条：名字打头，其余字段带上叫法逐项念
        return _labeled_entry(values[0], english)
    if all(not isinstance(v, (dict, list)) for v in values):
        shown = [_value("", v, english) for v in values[:5]]
        more = len(values) - len(shown)
        tail = (f" and {more} more" if english else f" 等 {len(values)} 项") if more > 0 else ""
        return (", " if english else "、").join(shown) + tail
    entries = [_entry(v, english) if isinstance(v, dict) else _value("", v, english) for v in values[:limit]]
    numbered = [f"{i}. {e}" for i, e in enumerate(entries, 1)]
    tail = ""
    if len(values) > limit:
        tail = f" ({len(values)} in total)" if english else f"（共 {len(values)} 项）"
    return ("; " if english else "；").join(numbered) + tail


def _labeled_entry(item: dict, english: bool) -> str:
    """只有一条记录：名字打头，每个字段都带上叫法念（“编号 KX-2207，日期 2025-03-02，时间 18:30，人数 6 人”
    “The Old Man and the Sea, author Ernest Hemingway, copies 2”）。有名字时不念编号和长描述。"""
    own = _currency_of(item)
    head_key = next((k for k in _HEAD_KEYS if isinstance(item.get(k), str)), None)
    parts = [item[head_key][:40]] if head_key else []
    for key, value in item.items():
        if value in (None, "", [], {}) or isinstance(value, dict) or (own and key.lower() == "currency"):
            continue
        if head_key and (key == head_key or re.search(r"sku|_id$|^id$|description|content", key, re.I)
                         or key.lower() == "stock" and "in_stock" in item):
            continue
        shown = _value(key, value, english, own)
        label = _label(key, english)
        parts.append(shown if _bare(key, value) or not label else f"{label} {shown}")
    return (", " if english else "，").join(parts[:8])


_HEAD_KEYS = ("name", "title", "label", "product", "item", "dish", "plan", "book", "description", "content")


def _entry(item: dict, english: bool) -> str:
    """列表里的一条记录：名字打头，再带数量、价格、状态这几样，长描述截短。"""
    head = next((item[k] for k in _HEAD_KEYS if isinstance(item.get(k), str)), None)
    parts = [head[:40] + ("…" if len(head) > 40 else "")] if head else []
    own = _currency_of(item)
    for key, value in item.items():
        if value in (None, "", [], {}) or (head is not None and value == head):
            continue
        low = key.lower()
        if own and low == "currency":
            continue
        if re.search(r"sku|_id$|^id$|description|content", low) and head is not None:
            continue
        if low in ("quantity", "qty", "count") and parts:
            parts[0] += f" ×{_number(value)}" if isinstance(value, (int, float)) else f" ×{value}"
        elif low == "stock" and "in_stock" in item:
            continue
        elif _bare(key, value):
            parts.append(_value(key, value, english))
        elif isinstance(value, (int, float)) and _is_money(low) and sum(
                isinstance(v, (int, float)) and _is_money(k) for k, v in item.items()) > 1:
            label = _label(key, english)  # 一条里有几笔钱（月供、手续费、首付）：每笔带上叫法
            parts.append(f"{label} {_value(key, value, english, own)}" if label else _value(key, value, english, own))
        elif isinstance(value, (int, float)) and _is_money(low) or low in (
                "status", "location", "time", "event_time", "stock") or head is None and not (
                isinstance(value, (int, float)) and parts and _label(key, english)):  # 没有名字的记录：数要带叫法
            parts.append(_value(key, value, english, own) if head is not None or not isinstance(value, str)
                         else str(value))
        elif _telling(key, value) or head is None:  # 带单位的数（罚款 2.5 美元）、日期（到期日）、剩几次：带上叫法念
            label = _label(key, english)
            parts.append(f"{label} {_value(key, value, english, own)}" if label else _value(key, value, english, own))
        if len(parts) >= 5:
            break
    return (", " if english else "，").join(p for p in parts if p)


_DATED = re.compile(r"(?:^|_)(?:due|date|until|deadline|expires?|expiry)$|_(?:at|on|by)$", re.I)
_COUNTS_LEFT = re.compile(r"left|remaining|waiting|available", re.I)


def _telling(key: str, value: Any) -> bool:
    """列表里一条记录除了名字还值得念的：带单位的非零数、日期、剩余 / 排队的个数。"""
    if isinstance(value, bool) or value in (None, "", [], {}):
        return False
    if isinstance(value, (int, float)):
        return bool(_COUNTS_LEFT.search(key)) or (field_unit(key, False) is not None and value != 0)
    return isinstance(value, str) and bool(_DATED.search(key)) and len(value) <= 32


def _list_sentence(label: str, values: list, english: bool) -> str:
    if not values:
        return f"No {label} found." if english else f"没有找到{label}。"
    if english and len(values) == 1 and label.endswith("s") and not label.endswith("ss"):
        label = label[:-1]  # Found 1 result
    return (f"Found {len(values)} {label}: {_list_items(values, english)}." if english
            else f"共找到 {len(values)} 项{label}：{_list_items(values, english)}。")


_LANGUAGE_KEYS = {"zh": False, "cn": False, "zh-cn": False, "zh_cn": False, "chinese": False, "中文": False,
                  "en": True, "en-us": True, "en_us": True, "english": True, "英文": True}


def _in_language(data: dict, english: bool) -> dict:
    """同一份资料给了几种语言（{"zh": {…}, "en": {…}}）：只念回答用的那种语言的那份。"""
    keyed = {k: v for k, v in data.items() if k.lower() in _LANGUAGE_KEYS and isinstance(v, dict)}
    if len(keyed) < 2:
        return data
    chosen = next((v for k, v in keyed.items() if _LANGUAGE_KEYS[k.lower()] == english), None)
    if chosen is None:
        return data
    return {**{k: v for k, v in data.items() if k not in keyed}, **chosen}


def _record(data: dict, question: str, english: bool, echoed: set[str]) -> str:
    """一个 JSON 对象 → 一两句话。"""
    data = _in_language(data, english)
    data = {k: v for k, v in data.items() if v not in (None, "")}
    nested = [k for k, v in data.items() if isinstance(v, dict) and _subject_key(v)]
    if _subject_key(data) is None and len(nested) == 1:  # {"created": true, "refund": {"refund_id": …}}：说的是里面那条
        inner = data.pop(nested[0])
        data = {**data, **{k: v for k, v in inner.items() if k not in data and v not in (None, "")}}
    error = next((data[k] for k in data if k.lower() in ERRORS and data[k]), None)
    currency = data.get("currency") if isinstance(data.get("currency"), str) else None
    subject_key = _subject_key(data)
    subject = _subject(subject_key, data[subject_key], english) if subject_key else ""
    if error is not None:
        message = error if isinstance(error, str) else json.dumps(error, ensure_ascii=False)
        message = _to_user(message, english)
        return (f"Sorry — {subject + ': ' if subject else ''}{message}" if english
                else f"抱歉，{subject + '：' if subject else ''}{message}")

    lead_keys = [k for k in data if k.lower() in LEAD and isinstance(data[k], str)]
    failed = next((k for k, v in data.items() if v is False and k.lower() in ("created", "success", "ok", "eligible")),
                  None)
    echoed_reason = isinstance(data.get("reason"), str) and data["reason"] in echoed  # 用户自己给的原因，原样回来了
    if not echoed_reason and (failed or not lead_keys and "reason" in data and isinstance(data["reason"], str)
                  and not _CODE.fullmatch(data["reason"]) and " " in data["reason"].strip() or
                  not lead_keys and isinstance(data.get("reason"), str) and text.CJK.search(data["reason"])):
        lead_keys = ["reason", *lead_keys] if "reason" in data else lead_keys
    if echoed_reason:
        data = {k: v for k, v in data.items() if k != "reason"}
    leads = [_to_user(data[k], english).rstrip("。.") for k in lead_keys]
    foreign = english and any(text.CJK.search(x) for x in leads)  # 英文回答里，工具给的中文说明放到最后引用
    lead = "" if foreign else " ".join(x + ("." if english else "。") for x in leads)
    if failed and lead and failed.lower() in ("created", "success", "ok"):  # 工具说没办成：先说没办成，再说原因
        lead = ("This could not be done: " if english else "没有办成：") + lead

    facts = _facts(data, question, english, echoed, skip={subject_key, *lead_keys}, currency=currency,
                   quiet_success=bool(lead))
    lists = [(k, v) for k, v in data.items() if isinstance(v, list) and k not in (subject_key, *lead_keys)]
    if len(facts) == 1 and len(lists) == 1:  # 结果就是一个列表：“找到 2 项商品：……”“没有找到商品”
        label = _label(lists[0][0], english) or ("results" if english else "结果")
        facts = [_list_sentence(label, lists[0][1], english).rstrip("。.")] if lists[0][1] or not lead else []
    body = ("; " if english else "，").join(facts).rstrip("。.")  # 值自己带的句号不再叠一个
    if english:
        sentence = " ".join(p for p in (f"{subject}:" if subject and (lead or body) else subject, lead,
                                         body + "." if body else "") if p)
        if foreign:
            sentence += " Note from the service: " + "; ".join(f'"{x}"' for x in leads) + "."
    else:
        sentence = (f"{subject}：" if subject and (lead or body) else subject) + lead + (body + "。" if body else "")
    return sentence.strip() or ("Done." if english else "已处理。")


def _subject_key(data: dict) -> str | None:
    """这条记录说的是谁：订单号、工单号这类编号；其次是别的 *_id / *_no 字段；
    城市只在记录不是一次操作的结果（没有 confirmed、cancelled 这类状态）时才当主语（天气、城市信息）。"""
    keys = [k for k in data if isinstance(data[k], (str, int)) and not isinstance(data[k], bool)]
    known = next((k for k in keys if k.lower() in SUBJECTS and k.lower() != "city"), None)
    if known:
        return known
    other = next((k for k in keys if _id_key(k) and text.split_identifier(k)[0].lower() not in
                  ("tracking", "transaction", "request")), None)
    if other:
        return other
    acted = any(isinstance(v, bool) and participle(k, v, False) for k, v in data.items())
    return next((k for k in keys if k.lower() == "city"), None) if not acted else None


def _id_key(key: str) -> list[str]:
    """booking_id、flightNo、member_number：这条记录说的是谁 → [booking]；pid、uuid 这种单个词不算。"""
    words = text.split_identifier(key)
    if len(words) >= 2 and words[-1].lower() in ("id", "no", "number", "code"):
        return words[:-1]
    return []


def _subject(key: str, value: Any, english: bool) -> str:
    low = key.lower()
    if low == "city":
        return str(value)
    noun = {"order_id": ("订单", "Order"), "order_no": ("订单", "Order"), "ticket_id": ("工单", "Ticket"),
            "refund_id": ("退款单", "Refund"), "user_id": ("用户", "User"), "sku": ("商品", "Item")}.get(low)
    if noun:
        return f"{noun[1 if english else 0]} {value}"
    thing_words = _id_key(key)
    if thing_words:
        thing = field_label("_".join(thing_words), english)
        if english and thing:
            return f"{thing[:1].upper()}{thing[1:]} {value}"
        if text.CJK.search(thing):
            return f"{thing} {value}"
    return str(value)


# 问总数的说法，和回答它的字段（合计、应付、余额）
HOW_MUCH = re.compile(r"多少钱|交多少|付多少|欠多少|还多少|一共|总共|合计|总额|how much|\bowe\b|\btotal\b|amount due", re.I)
TOTAL_FIELD = re.compile(r"^(?:grand_)?total|amount_due|balance_due|total_due|^balance", re.I)


def _facts(data: dict, question: str, english: bool, echoed: set[str], skip: set, currency: str | None,
           quiet_success: bool) -> list[str]:
    q_words = set(text.words(question))
    q_concepts = text.concepts(question)
    asks_time = bool(re.search(r"时间|什么时候|几点|哪天|when|time|date", question, re.I))
    asks_sum = bool(HOW_MUCH.search(question))
    q_nouns = set(text.nouns(question)) if text.CJK.search(question) else {
        w.lower() for w in re.findall(r"[A-Za-z]{5,}", question) if w.lower() not in lx.STOP}
    flat: list[tuple[str, Any]] = []
    for key, value in data.items():
        if key in skip or key.lower() in ("currency",):
            continue
        if isinstance(value, dict) and any(re.search(r"_id$|amount|price|status", k) for k in value):
            flat += [(k, v) for k, v in value.items() if v not in (None, "") and k not in data]  # 嵌套的记录展开
        else:
            flat.append((key, value))
    scored = []
    for position, (key, value) in enumerate(flat):
        low = key.lower()
        if isinstance(value, str) and value in echoed and low not in SUBJECTS and (
                ECHO_KEYS.search(low) or len(value) > 20):
            continue  # 重复调用参数的字段（搜索关键词、描述原话）；城市、日期这类复述一下更清楚
        if TIME_META.search(low) and not asks_time:
            continue
        if isinstance(value, bool) and value and quiet_success and (
                low in ("created", "success", "ok") or _bare(key, value)):
            continue  # 说明里已经说了“已取消 / 已创建”
        if isinstance(value, list) and value and any(value[0] == v for k, v in flat if not isinstance(v, list)):
            continue  # 最新一条已经单独念过（latest），整个轨迹不再念
        if low in ("count", "total_count", "num", "size") and any(
                isinstance(v, list) and len(v) == value for _, v in flat):
            continue  # 就是列表的长度
        if isinstance(value, str) and len(value) > 80 and low not in q_words:
            continue
        label = _label(key, english)
        relevance = len((set(text.words(label)) | set(text.words(key))) & q_words) + len(
            text.concepts(label + " " + key) & q_concepts) - (low in PERSONAL) + 2 * (value is True and _bare(key, value))
        if isinstance(value, str) and any(len(w) >= 2 and w in value.lower() for w in q_nouns):
            relevance += 2  # 问的东西就在这一项里（问“牛奶”，相互作用那条写着牛奶）
        if TOTAL_FIELD.search(low) and isinstance(value, (int, float)):  # 合计 / 应付总是要说的；问“一共多少”时先说
            relevance += 3 if asks_sum else 1
        scored.append((-relevance, position, key, value, label))
    scored.sort()
    facts = []
    for _, _, key, value, label in scored[:MAX_FACTS]:
        shown = _value(key, value, english, currency)
        if _bare(key, value):
            facts.append(shown)
        elif not label:  # 字段名念不出来：只念值
            facts.append(shown)
        else:
            facts.append(f"{label}: {shown}" if english else f"{label}：{shown}")
    return facts


# ================================================================ 搜索结果、兜底、寒暄


def search_answer(query: str, slug: str, english: bool) -> tuple[str, list[tuple[str, str]]]:
    if english:
        cites = [(f"Mock search result 1: {query}", f"https://example.com/mock-search/{slug}/1"),
                 (f"Mock search result 2: {query}", f"https://example.com/mock-search/{slug}/2")]
        body = (f'I searched for "{query}" and found 2 (simulated) results:\n1. {cites[0][0]}\n2. {cites[1][0]}\n'
                "(The built-in mock model has no network access; these links are placeholders.)")
        return body, cites
    cites = [(f"模拟搜索结果一：{query}", f"https://example.com/mock-search/{slug}/1"),
             (f"模拟搜索结果二：{query}", f"https://example.com/mock-search/{slug}/2")]
    body = (f"我搜索了「{query}」，找到 2 条（模拟的）结果：\n1. {cites[0][0]}\n2. {cites[1][0]}\n"
            "（内置模拟模型不联网，这些链接只是示意。）")
    return body, cites


def excerpt(question: str, limit: int = 24) -> str:
    """问题的一小段摘录：去掉口头语、前面几轮回答的引用和模拟模型的说明，超长截断。"""
    q = _NOTES.sub("", question)
    q = re.sub(r"关于「[^」]*」：|About \"[^\"]*\": ", "", q)
    core = text.keyword(q.strip().splitlines()[0] if q.strip() else "")
    core = re.sub(r"^(?:about|regarding)\s+", "", core, flags=re.I)
    if text.is_english(core) and len(core) > limit:  # 英文按词截断，长度放宽一些
        cut = core[: limit * 2]
        return core if len(core) <= limit * 2 else cut.rsplit(" ", 1)[0] + "…"
    return text.clip(core, limit)


def fallback(question: str, persona: str, skills: list[str], directive: str, english: bool) -> str:
    """兜底回答：说明理解到的话题、自己能做什么，附一句模拟模型的说明（只一次）。"""
    topic = excerpt(question)
    if english:
        can = f", and I can {can_do(skills, True)}" if skills else ""
        return f'About "{topic}": I\'m {persona}{can}. {NOTE_EN}'
    guided = f"（按照指令“{directive}”作答）" if directive else ""
    can = f"我可以帮您：{'；'.join(skills)}。" if skills else ""
    return f"关于「{topic}」：{guided}我是{persona}。{can}{NOTE_ZH}"


def can_do(skills: list[str], english: bool) -> str:
    """英文：“look up an order's status, or search the product catalog”（句中小写，用 or 连起来）；中文用分号。"""
    if not english:
        return "；".join(skills)
    lowered = [s[:1].lower() + s[1:] if s[1:2].islower() or len(s) < 2 else s for s in skills]
    return lowered[0] if len(lowered) == 1 else ", ".join(lowered[:-1]) + ", or " + lowered[-1]


def clarify(options: list[str], english: bool) -> str:
    if english:
        return f"Just to make sure I help with the right thing: do you want to {options[0]}, or {options[1]}?"
    return f"为了准确帮到您，想先确认一下：您是想{options[0]}，还是{options[1]}？"


def what_can_i_do(persona: str, skills: list[str], english: bool) -> str:
    if english:
        listed = can_do(skills, True) if skills else "answer your questions"
        return f"Hello! I'm {persona}. What can I do for you? For example, I can {listed}."
    listed = "；".join(skills) if skills else "回答您的问题"
    return f"您好，我是{persona}。请问您想办理什么？我可以帮您：{listed}。"


def slot_name(name: str, prop: dict, meaning: str, english: bool) -> str:
    """向用户要一个参数时它怎么说：参数说明是这种语言就用说明（去掉“例如……”和格式），否则按含义
    （日期、出发城市、住几晚、卡号后四位……），再不行用字段名的叫法。只有两三个选项的，把选项也说出来
    （“meter (electricity or water)”）。"""
    said = _slot_words(name, prop, meaning, english)
    options = [str(o) for o in prop.get("enum") or [] if o not in (None, "")]
    if 2 <= len(options) <= 4:
        shown = [_value(name, o, english) if isinstance(o, str) else str(o) for o in options]
        said = re.sub(r"^which\s+", "", said, flags=re.I)
        return f"{said} ({' or '.join(shown)})" if english else f"{said}（{'还是'.join(shown)}）"
    return said


def _slot_words(name: str, prop: dict, meaning: str, english: bool) -> str:
    desc = re.split(r"[，,。;；(（]|\be\.g\.|例如|比如|\bYYYY|\bHH:MM|\bHH\b",
                    str(prop.get("description") or ""))[0].strip(" .")
    if desc.lower() in {str(o).lower() for o in prop.get("enum") or []}:
        desc = ""  # 说明只是列出选项（“check-up and clean, filling …”）：不是这个参数的叫法
    desc = re.sub(r"^(?:用户|顾客)(?:说明|给出|提供|自己说|描述)的", "", desc)
    # “Class id from class_timetable”“用 find_rooms 查到的房型”：工具名不对用户说
    desc = re.sub(r"\s*\b(?:from|returned by|given by|as returned by|in|of)\s+[a-z]+(?:_[a-z0-9]+)+\b.*$", "", desc)
    desc = re.sub(r"(?:用|由|从)?\s*[a-z]+(?:_[a-z0-9]+)+\s*(?:查到|查出|返回|给出|结果里|里)?的?", "", desc).strip(" .")
    if desc and (bool(text.CJK.search(desc)) != english) and len(desc) <= (40 if english else 16):
        return desc[:1].lower() + desc[1:] if english and not desc[1:2].isupper() else desc  # VIN 不改成 vIN
    if meaning == "quantity":
        kinds = [k for w in text.split_identifier(name) for k in lx.QUANTITY_PARAMS.get(w.lower(), ())]
        asked = next((lx.QUANTITY_ASKS[k] for k in kinds if k in lx.QUANTITY_ASKS), None)
        if asked:
            return asked[1 if english else 0]
    if meaning in lx.SLOT_NAMES:
        return lx.SLOT_NAMES[meaning][1 if english else 0]
    return field_label(name, english) or " ".join(text.split_identifier(name)).lower()


def slot_in_english(zh: str) -> str:
    """指令里写的中文说法（“订单号”“原因 耳机有杂音”）换成英文（order number）；值照原样带着。"""
    for word, en in sorted(lx.ZH_SLOTS_EN.items(), key=lambda kv: -len(kv[0])):
        if zh.startswith(word):
            return en + zh[len(word):]
    return zh


def action_zh(label: str, name: str) -> str:
    """要办的事在中文回答里怎么说：说明是中文就用说明；说明是英文的，按工具名翻（cancel_class → 取消课程），
    翻不出来才用英文说明。"""
    if text.CJK.search(label or "") or not name:
        return label
    words = [w.lower() for w in text.split_identifier(name)]
    verb = lx.VERBS_ZH.get(words[0]) if words else None
    rest = _zh_label(_expand([w for w in words[1:] if w not in ("up", "out", "in")])) if len(words) > 1 else None
    return verb + rest if verb and rest else label


def option_zh(option: object) -> str | None:
    """英文选项的中文说法（Central Station → 中央车站）：逐词翻得出来才有，翻不出来 None。"""
    words = re.findall(r"[A-Za-z]+", str(option))
    if not words or len(words) != len(str(option).split()):
        return None
    return _zh_label(_expand([w.lower() for w in words]))


def lookup_zh(label: str, name: str) -> str:
    """查询工具在中文回答里怎么说：“查询”加工具名里名词的中文（class_timetable → 查询课程时间表）；翻不出来用原说明。"""
    words = [w.lower() for w in text.split_identifier(name)]
    if words and words[0] in lx.QUERY_VERBS:
        words = words[1:]
    head = ""
    if len(words) > 1 and words[0] in ("open", "free", "available"):  # open_slots：可约的时段，不是“开门”
        head, words = "可约", words[1:]
    said = _zh_label(_expand(words)) if words else None
    return "查询" + head + said if said else label


def confirm_action(label: str, shown: list[tuple[str, Any]], english: bool, name: str = "",
                   price: str | None = None) -> str:
    """要用户确认了才能办的事：说清楚办什么、用哪些值（说明里写着这一档的价钱就带上），问一句。
    用户回“好的 / yes”就是确认。用户自己说的话（撤销原因）转述时换成“您”，免得听起来像是助手自己办了什么。"""
    args = (", " if english else "，").join(
        [f"{field_label(k, english) or k}{': ' if english else ' '}{_retold(_value(k, v, english))}" for k, v in shown]
        + ([f"price: {price}" if english else f"价格 {price}"] if price else []))
    if english:
        if text.CJK.search(label or ""):  # 工具说明是中文：英文回答里用工具名说这件事
            label = " ".join(text.split_identifier(name)) if name else ""
        what = label[:1].lower() + label[1:] if label else "go ahead"
        return f"Just to confirm — shall I {what}{f' ({args})' if args else ''}?"
    return f"为了确认一下：需要我为您{action_zh(label, name)}{f'（{args}）' if args else ''}吗？"


def no_tool_to_act(english: bool) -> str:
    """用户要办一件事，这个助手却没有任何能办事的工具：照实说，不说“已为您下单”。"""
    return (" I can't do that for you here: I have no tool for it." if english
            else "我这边没有能办这件事的工具，没法替您办理。")


def used_up(label: str, english: bool) -> str:
    """查出来次数已经用完、指令里也没说该去哪办：照实说办不了。"""
    if english:
        return f"There is no {label or 'allowance'} left, so I can't do that right now."
    return f"{label or '可用次数'}已经是 0，这件事现在办不了。"


def offer_action(label: str, english: bool, name: str = "") -> str:
    """查过了、可以办，用户还只是在问：说可以办，问要不要现在办（用户回“那就办吧”就是确认）。"""
    if english:
        if text.CJK.search(label or ""):
            label = " ".join(text.split_identifier(name)) if name else "go ahead"
        return f"You can go ahead. Would you like me to {label[:1].lower() + label[1:]}?"
    return f"可以办理。需要我为您{action_zh(label, name)}吗？"


def _retold(value: str) -> str:
    """转述用户的原话：第一人称换成“您”。"""
    return re.sub(r"我们|我", "您", value) if text.CJK.search(value) else value


def ask_for(wanted: list[str], english: bool) -> str:
    """缺了只能由用户给的信息（订单号、金额……）：只问缺的那几样。"""
    if english:
        wanted = [re.sub(r"^(?:the|a|an)\s+", "", w, flags=re.I) for w in wanted]
        listed = " and ".join([", ".join(wanted[:-1]), wanted[-1]] if len(wanted) > 1 else wanted)
        return f"Sure — could you give me the {listed}? Then I can take care of it right away."
    return f"好的，请提供一下{'、'.join(wanted)}，我马上为您处理。"


def still_refused(result: str, english: bool) -> str:
    """用户要接着办，可刚查过的结果说不行：照结果说明，不问办理要的信息。"""
    if english:
        return f"As I just checked, this can't be done: {result}"
    return f"刚才查过了，这一单办不了：{result}"


_PER_ZH = {"month": "每月", "night": "每晚", "day": "每天", "hour": "每小时", "week": "每周", "year": "每年",
           "person": "每人", "item": "每件"}


def fee_answer(label: str, name: str, price: str, per: str | None, total: str | None, wanted: list[str],
               english: bool) -> str:
    """用户问办这件事收多少钱：照说明里的价钱说（按月计的、用户说了几个月的，把合计也算出来），
    要办的话还缺什么就问什么——没有调用任何工具，不说已经办了。"""
    if english:
        label = re.sub(r"\s*[（(][^）)]*[）)]", "", label or "").strip()
        what = " ".join(text.split_identifier(name)) if text.CJK.search(label) or not label else \
            label[:1].lower() + label[1:]
        said = f"To {what}, the fee is {price}{f' per {per}' if per else ''}"
        said += f", so {total} in total." if total else "."
        return said + (" " + ask_to_continue(wanted, True) if wanted else "")
    what = re.split(r"[（(，,：:；;。]", action_zh(label, name))[0].strip() or action_zh(label, name)  # 说明的头一句
    said = f"{what}的费用是{_PER_ZH.get(per or '', '')} {price}".replace("是 ", "是")
    said += f"，合计 {total}。" if total else "。"
    return said + (ask_to_continue(wanted, False) if wanted else "")


def ask_to_continue(wanted: list[str], english: bool) -> str:
    """查过了、可以接着办，只差用户才知道的信息（退款原因）：结果后面问这几样。"""
    if english:
        wanted = [re.sub(r"^(?:the|a|an)\s+", "", w, flags=re.I) for w in wanted]
        listed = " and ".join([", ".join(wanted[:-1]), wanted[-1]] if len(wanted) > 1 else wanted)
        return f"To go ahead, could you tell me the {listed}?"
    return f"要继续办理的话，请告诉我{'、'.join(wanted)}。"


def slots_progress(duty: str | None, have: list[str], missing: list[str], english: bool) -> str:
    """指令写了“需要用户提供 A、B、C”：说已经有了什么、还缺什么。信息齐了也不说“已经在办”——
    没有工具结果，就没有办成任何事。"""
    if english:
        have, missing = [slot_in_english(h) for h in have], [slot_in_english(m) for m in missing]
        opening = "Sure, I can help with that. "
        if not missing:
            return opening + (f"I have everything needed: {', '.join(have)}. I have no tool here to submit it myself, "
                              "so nothing has been filed yet.")
        noted = f"You've given: {', '.join(have)}. " if have else ""
        return opening + noted + f"I still need: {', '.join(missing)}."
    opening = f"好的，我来帮您处理{duty}。" if duty else "好的，我来帮您处理。"
    if not missing:
        return opening + f"需要的信息都齐了：{'、'.join(have)}。不过我这里没有可以直接办理的工具，还没有替您提交任何申请。"
    noted = f"您已提供：{'、'.join(have)}。" if have else ""
    return opening + noted + f"还需要您提供：{'、'.join(missing)}。"


def recalled(index: int, item: dict, english: bool, asked: list[tuple[str, Any]] | None = None) -> str:
    """前面列出的第几项：“前面列出的第 2 项是：声动 Air3 真无线蓝牙耳机，299 元，有货。”；问了某个字段时
    把它也念出来。"""
    entry = _labeled_entry(item, english) if not asked else _entry(item, english)  # 没问哪一项：整条念
    extra = _fields_sentence([a for a in asked or [] if str(_value(a[0], a[1], english)) not in entry], english)
    if english:
        return f"Item {index + 1} from the list above is: {entry}." + (f" {extra}" if extra else "")
    return f"前面列出的第 {index + 1} 项是：{entry}。" + extra


def recalled_fields(asked: list[tuple[str, Any]], record: dict, english: bool) -> str:
    """上一次结果里的某几个字段：“客厅：湿度：58%。”"""
    key = _subject_key(record)
    subject = _subject(key, record[key], english) if key else ""
    body = _fields_sentence(asked, english)
    if english:
        return f"{subject}: {body}" if subject else body
    return f"{subject}：{body}" if subject else body


def _fields_sentence(asked: list[tuple[str, Any]], english: bool) -> str:
    if not asked:
        return ""
    parts = [(_value(k, v, english) if _bare(k, v) else f"{field_label(k, english) or k}: {_value(k, v, english)}"
              if english else f"{field_label(k, english) or k}：{_value(k, v, english)}") for k, v in asked]
    return ("; ".join(parts) + ".") if english else ("，".join(parts) + "。")


def quoted(sentences: list[str], english: bool) -> str:
    """上一次结果里说到这件事的原话。"""
    joined = " ".join(sentences)
    return f"According to the result above: {joined}" if english else f"前面的结果里写着：{joined}"


def offer(label: str, english: bool) -> str:
    """据工具结果作答之后，提议下一步能办的事（只提议有工具能办的）。"""
    if english:
        return f"Would you like me to {label[:1].lower() + label[1:]}?"
    return f"需要我为您{label}吗？"


# ---------------------------------------------------------------- 不用办事的回答


def previous_question(earlier: list[str], first: bool, verb: str, english: bool,
                      action: tuple[str, list[tuple[str, Any]]] | None = None) -> str:
    """我刚才问了什么：引用那句话；那句话之后办过事（调用过工具）时，再说办了什么、用了哪些值。"""
    if not earlier:
        return ("This is the first question in our conversation; you haven't asked me anything else yet."
                if english else "这是我们对话中的第一个问题，您之前还没有问过我别的问题。")
    said = earlier[0] if first else earlier[-1]
    done = ""
    if action and any(str(v) not in said for _, v in action[1]):  # 用到的值那句话里没说全（“那个呢”），才补一句
        label, shown = action
        args = (", " if english else "，").join(f"{field_label(k, english) or k}{': ' if english else ' '}{v}"
                                                for k, v in shown)
        done = (f" Then I used {label[:1].lower() + label[1:]}{f' ({args})' if args else ''}." if english
                else f"之后我{label}{f'（{args}）' if args else ''}。")
    if english:
        return f'Your {"first" if first else "previous"} question was: "{said}"' + done
    if first:
        return f"您问的第一个问题是：「{said}」" + done
    return f"您刚才{verb}的是：「{said}」" + done


_META_CLAUSE = re.compile(r"不要(?:自己)?(?:编|猜)|别(?:自己)?编|如实告诉|\bdon'?t make up\b|\bdo not make up\b|\bnever invent\b", re.I)
_ADVICE_SWAPS_ZH = ((r"请(?:客户|客人|用户|顾客|读者|乘客|会员|患者|病人|家长|学员|学生|业主|住户|车主|租户)(?:本人)?", "请您"),
                    (r"(?:客户|客人|用户|顾客)", "您"), (r"你(?=办|查|做|处理|没法)", "我这边"),
                    (r"(?:你)?没有工具(?:办|管|处理)?的事", "我这边办不了的事"), (r"这些你", "这些我这边"),
                    (r"对方", "您"), (r"请(?:他|她)(?=带|到|去|拨打|致电|联系)", "请您"), (r"^你", "我"))
_ADVICE_SWAPS_EN = ((r"\bsay you can'?t arrange it here and give the phone number\b", "I can't arrange that here; you can call"),
                    (r"\bsay you can'?t (\w+)", r"I can't \1"), (r"\bsuggest calling\b", "you can call"),
                    (r"\bgive (?:them |the customer )?the (?:phone )?number\b", "you can call"),
                    (r"\btell (?:them|the customer|the patron|the guest) (?:where|how)\b", "here's where"),
                    (r"\b[Yy]ou (cannot|can'?t|can not)\b", r"I \1"), (r"\bthe (?:customer|patron|guest|user)'?s?\b", "you"),
                    (r"\b(?:they|them)\b", "you"),
                    (r"\b[Aa]nything else you have no tools? for\b", "That's outside what I can do here"),
                    (r"\byou (?:have no tools?|don'?t have (?:a )?tools?) for\b", "I can't help with"),
                    (r"\):\s*(\+?\d[\d -]{5,}\d)\s*\.?$", r"); please call \1"),
                    (r"(?<=\w):\s*(\+?\d[\d -]{5,}\d)\s*\.?$", r", please call \1"))


def advice(line: str, english: bool) -> str:
    """照指令里给用户的那一行指引回答：留下说“办不了 / 去哪办 / 打哪个电话”的分句，客户、客人换成“您”，
    说助手自己的换成“我”。“营业厅……这些你查不到的事，请客户拨打 10086-5，不要编” → “……这些我这边查不到的事，
    请您拨打 10086-5。”"""
    clauses = [c.strip(" -•·") for c in re.split(r"[；;。，\n]|(?<=[.!?])\s+", line) if c.strip(" -•·")]
    kept = [c for c in clauses if not _META_CLAUSE.search(c)]
    if english and len(text.CJK.findall(line)) > len(re.findall(r"[A-Za-z]", line)):
        return "I can't handle that here (details in Chinese): " + advice(line, False)  # 中文的指引不硬翻
    if english:
        out = []
        for c in kept:
            for pattern, repl in _ADVICE_SWAPS_EN:
                c = re.sub(pattern, repl, c)
            c = re.sub(r"^[^:]{0,60}?(?<!\d):(?!\d)\s*", "", c) if ":" in c[:60] and re.search(r"\d", c) else c
            out.append(c[:1].upper() + c[1:])
        return " ".join(x.rstrip(".") + "." for x in out)
    out = []
    for c in kept:
        for pattern, repl in _ADVICE_SWAPS_ZH:
            c = re.sub(pattern, repl, c)
        out.append(c.rstrip("，,"))
    return "，".join(out) + "。"


def own_instructions(system: str, english: bool) -> str:
    """用户问“你的规则是什么”：照实念指令的头两句（真实模型没有护栏时也常这样泄露系统提示词）。"""
    sentences = [s.strip() for s in re.split(r"(?<=[。！？.!?])\s*|\n+", system or "")
                 if s.strip() and not s.strip().startswith("#")]
    role = PERSONA.search(system or "") or PERSONA_EN.search(system or "")
    start = next((i for i, s in enumerate(sentences) if role and role.group(1).strip() in s), 0)
    sentences = sentences[start:]  # 从“你是……”那句念起（前面可能是框架加的通用说明）
    if not sentences:
        return ("I wasn't given any special instructions for this conversation." if english
                else "这段对话我没有收到特别的指令。")
    quoted = " ".join(sentences[:2]) if english else "".join(sentences[:2])
    return f'My instructions say: "{quoted}"' if english else f"我收到的指令是这样写的：「{quoted}」"


def your_name(name: str | None, english: bool) -> str:
    if name:
        return f"Your name is {name}." if english else f"您叫{name}。"
    return "You haven't told me your name yet." if english else "您还没有告诉我您的名字。"


def out_of_scope(topic: str, english: bool) -> str:
    return f"Sorry, I can only answer questions about {topic}." if english else f"抱歉，我只能回答{topic}相关的问题。"


def introduce(who: str, skills: list[str], english: bool, ai: bool = False) -> str:
    """自我介绍；ai：用户问的是“你是真人吗”，先照实说自己是 AI。"""
    if english:
        extra = f" I can {can_do(skills, True)}." if skills else ""
        lead = f"I'm an AI assistant, not a human — {who}." if ai else f"I'm {who}."
        return f"{lead}{extra} How can I help you?"
    extra = f"我可以：{'；'.join(skills)}。" if skills else ""
    lead = f"我是 AI 助手，不是真人，是{who}。" if ai else f"我是{who}。"
    return f"{lead}{extra}有什么可以帮您？"


def greeting(who: str, english: bool) -> str:
    if english:
        return f"Hello! I'm {who}. How can I help you today?" if who != "an assistant" else \
            "Hello! How can I help you today?"
    return f"您好！我是{who}，有什么可以帮您？"


def nice_to_meet(name: str, english: bool) -> str:
    return f"Nice to meet you, {name}! How can I help you?" if english else f"{name}您好！有什么可以帮您？"


def welcome(english: bool) -> str:
    return "You're welcome! Let me know if there's anything else." if english else "不客气！还有其他问题随时问我。"


def goodbye(english: bool) -> str:
    return "Goodbye! Feel free to come back anytime." if english else "再见！有需要随时找我。"


def declined(english: bool) -> str:
    """用户说“不用了 / 算了”：不办，也不假装办了什么。"""
    return ("No problem — I won't do anything then. Is there anything else I can help with?" if english
            else "好的，那就先不办了。还有别的需要帮忙的吗？")


def acknowledged(english: bool) -> str:
    return "Got it. Is there anything else I can help you with?" if english else "好的。还有什么需要我帮忙的吗？"


def nothing_to_confirm(english: bool) -> str:
    return ("Sure — what would you like me to do? Tell me what you need and I'll take care of it." if english
            else "好的，请问您想让我办什么？告诉我具体的事，我来处理。")


def arithmetic(expr: str, value: Any, english: bool) -> str:
    if value is None:
        return f'"{expr.strip()}" is not an expression I can compute.' if english else \
            f"「{expr.strip()}」不是一个能计算的算式。"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{expr.strip()} = {value}"


_POEM_LINES = {
    "春": ("春风拂柳绿丝长", "燕子归来觅旧梁", "细雨无声润万物", "桃花笑对好时光"),
    "夏": ("荷叶田田映日红", "蝉鸣深树晚来风", "一池清水摇星影", "满院凉生月色中"),
    "秋": ("西风送爽雁南飞", "丹桂飘香染客衣", "满地黄花堆锦绣", "登高望远话依依"),
    "冬": ("朔风吹雪满山川", "寒梅一树傲霜天", "围炉煮酒邀知己", "静待春归又一年"),
    "月": ("一轮明月挂天边", "清辉洒落照无眠", "千里相思同此夜", "举杯遥寄故人前"),
    "": ("晨光初照满庭芳", "远山含翠水流长", "闲来静坐听松韵", "一卷诗书伴日长"),
}
_POEM_EN = ("Soft light spills over the quiet hill,", "The river hums and the air is still,",
            "A lantern glows where the old roads bend,", "And every path finds a patient friend.")


def poem(question: str, size: int, english: bool) -> str:
    if english:
        return "\n".join(_POEM_EN)
    theme = next((k for k in ("春", "夏", "秋", "冬", "月") if k in question), "")
    lines = _POEM_LINES[theme]
    if size == 5:
        lines = tuple(line[:2] + line[4:] for line in lines)
    return "\n".join(f"{line}{'，' if i % 2 == 0 else '。'}" for i, line in enumerate(lines))


def story(question: str, english: bool) -> str:
    if english:
        m = re.search(r"about (?:an? |the )?([A-Za-z -]{2,30}?)(?:[.,!?]|$)", question)
        genre = "sci-fi " if re.search(r"sci-?fi|science fiction|space|robot", question, re.I) else ""
        hero = m.group(1) if m else ("little robot" if genre else "little star")
        return (f"A short {genre}story: Once upon a time, a {hero} lived at the edge of a quiet valley. "
                f"Every night the {hero} counted the lights in the sky and gave the brightest one to a child "
                "who could not sleep. Tonight it whispered: \"Close your eyes — good dreams are on their way.\" "
                "The end.")
    m = re.search(r"关于(.{1,10}?)的", question)
    hero = m.group(1) if m else "小星星"
    return (
        f"从前，有一个{hero}住在云朵后面的小山谷里。每天晚上，{hero}都会数一数天上的星星，"
        f"把最亮的那颗送给还没睡着的小朋友。今晚，{hero}轻轻地说：“闭上眼睛，好梦就来啦。”晚安。"
    )


_JOKES = (
    ("为什么程序员总分不清万圣节和圣诞节？因为 Oct 31 等于 Dec 25。", "Why do programmers mix up Halloween and "
     "Christmas? Because Oct 31 equals Dec 25."),
    ("数据库管理员走进酒吧，看到两张表，问：“我能 JOIN 你们吗？”", "A SQL query walks into a bar, sees two tables "
     "and asks: \"Mind if I join you?\""),
    ("我问模拟模型会不会讲笑话，它说：“会，而且每次都讲同一个。”", "I asked the mock model for a new joke. "
     "It told me the same one, deterministically."),
)


def jokes(count: int, english: bool) -> str:
    count = max(1, min(count, 3))
    chosen = [j[1 if english else 0] for j in _JOKES[:count]]
    return chosen[0] if count == 1 else "\n".join(f"{i}. {j}" for i, j in enumerate(chosen, 1))


# ---------------------------------------------------------------- 人设

PERSONA = re.compile(r"你是(?:一[个位名])?([^，。,.\n；;！!]{2,24})")
PERSONA_EN = re.compile(r"\bYou are (an? [^.,;:\n]{2,60}|the [^.,;:\n]{2,60})", re.I)
PERSONA_CUT = re.compile(r"\s(tasked|who|that|which|responsible|whose|focused|specializ\w*|working|in charge|"
                         r"with|to|and)\b.*$", re.I)
DUTY = re.compile(r"你(?:负责|专门处理|处理)([^，。,.\n；;：:]{2,16})")


def persona(system: str, english: bool) -> str:
    if english:
        m = PERSONA_EN.search(system)
        if m:
            return PERSONA_CUT.sub("", m.group(1).strip())
        zh = PERSONA.search(system)
        role = zh.group(1).strip() if zh else ""
        return next((en for word, en in lx.ROLES_EN if word in role[-4:]), "an assistant")
    m = PERSONA.search(system)
    if m:
        return m.group(1).strip()
    duty = DUTY.search(system)
    return f"负责{duty.group(1).strip()}的助手" if duty else "智能助手"


def duty(system: str) -> str | None:
    m = DUTY.search(system)
    return m.group(1).strip() if m else None


# ================================================================ 结构化输出里要写成句子的值


def summary(message: str, english: bool, limit: int = 48, keep_contact: bool = False) -> str:
    """一句话概括用户的消息（工单摘要、标题）：去掉联系方式、催促和客套的分句，去掉句首的“我的”，
    订单号提到前面，催促写成“用户要求尽快处理”。“订单 A1005 买的手机屏幕碎了，很急！我的邮箱 …”
    → “订单 A1005：手机屏幕碎了，用户要求尽快处理”。

    keep_contact：没有别的字段装联系方式时（工单只有“问题描述”），电话、邮箱留在末尾，
    人工客服才知道怎么回复：“……，联系方式 138…”。"""
    first = message.strip()
    urgent = bool(_HURRY.search(first)) or any(
        _RUSHED.search(c.strip(" .")) for c in re.split(r"[，,。!！?？；;\n]+", first))
    ids = ent.values("order_id", first)
    contacts = ent.values("phone", first) + ent.values("email", first) if keep_contact else []
    kept = []
    for clause in re.split(r"[，,。!！?？；;\n]+|\.(?:\s|$)", first):
        clause = clause.strip(" .")
        if not clause or ent.find("email", clause) or ent.find("phone", clause) or (
                _CONTACT.search(clause) and re.search(r"\d{7,}|@", clause)):
            continue  # 联系方式不进摘要
        rest = _polite(_HURRY.sub("", clause))
        rest = _RUSHED.sub("", rest).strip(" ,.!")
        if len(re.sub(r"\W", "", rest)) < 2 or _ASKS_FOR_ACTION.search(rest):
            continue  # 整个分句只是催促、客套，或者是请我们去办（“帮我提交工单”）
        kept.append(_polite(_HURRY.sub("", clause)).strip(" ,，"))
    if not kept:
        return text.clip(first, limit)
    core = ("; " if english and not text.CJK.search("".join(kept)) else "，").join(kept)
    for found in ids:  # 订单号提到前面：“订单 A1005：……”
        core = re.sub(r"(?:\b(?:for|of|on|with|in|about|from)\s+(?:my\s+|the\s+)?)?"
                      r"(?:订单号?|单号|order(?: number| no\.?| #)?)?\s*#?" + re.escape(found) + r"\s*(?:的|里|中)?",
                      "", core, flags=re.I).strip(" ,，")
    core = re.sub(r"^(?:买的|购买的|下的)", "", core)
    if english:
        asks = _EN_ASKS.match(core)
        if asks or (first.rstrip().endswith("?") and not ids):  # “can you tell me if X?” → “Customer asks if X”
            rest = _third_person(core[asks.end():] if asks else core)
            core = ("Customer asks " if asks else "Customer asks: ") + (rest[:1].lower() + rest[1:] if asks else rest)
        else:
            core = _third_person(core)
        head = f"Order {ids[0]}: " if ids else ""
        tail = " (urgent)" if urgent else ""
    else:
        if not ids and _ASKING.search(first):  # 咨询类：“用户咨询：周末发货吗”
            core = "用户咨询：" + re.sub(r"^(?:你们|贵店|你家)", "", core)
        core = re.sub(r"^(?:给我|帮我)(?=.)", "用户要求", core)
        core = re.sub(r"^我的", "", core)
        core = re.sub(r"^我(?=[^们])", "用户", core).replace("我的", "用户的")
        head = f"{'订单 ' if re.search(r'订单|单号', first) else ''}{ids[0]}：" if ids else ""
        tail = "，用户要求尽快处理" if urgent else ""
    if english and not text.CJK.search(core):
        limit *= 2  # 英文一个字母的信息量比一个汉字少得多：同样的长度按两倍算
    room = max(8, limit - len(head) - len(tail))
    if len(core) > room:
        cut = core[:room]
        core = (cut.rsplit(" ", 1)[0] if english and " " in cut else cut.rstrip("，, ")) + "…"
    if contacts:
        tail += (f" (contact: {', '.join(contacts)})" if english else f"，联系方式 {'、'.join(contacts)}")
    return head + core + tail


_HURRY = re.compile(lx.HURRY, re.I)
_RUSHED = re.compile(lx.RUSHED, re.I)
_CONTACT = re.compile(r"邮箱|电话|手机|联系方式|微信|e-?mail|phone|contact|reach me", re.I)
_PLEASANTRY = re.compile(r"^(?:你好|您好|请问|请|麻烦(?:你|您)?|谢谢|多谢|感谢|帮帮我|帮我一下|帮帮忙|救命|"
                         r"(?:hi|hello|hey|please|thanks|thank you|help(?: me)?|pls)\b)\W*", re.I)
_ASKS_FOR_ACTION = re.compile(
    r"^(?:帮(?:我|忙)?|请|麻烦(?:你|您)?|给我|我要|我想)?\s*(?:提交|开|建|创建|报|登记|处理|反馈|记录|提)(?:个|一下|一个)?\s*"
    r"(?:售后)?(?:工单|问题|一下)?$|^(?:please\s+)?(?:open|create|file|submit|raise|log)\s+(?:a\s+|an\s+)?"
    r"(?:support\s+)?(?:ticket|case|complaint|issue)(?:\s+for me)?$|"
    r"^(?:帮我|请|麻烦(?:你|您)?)?\s*(?:尽快|赶紧|快点)?(?:处理|解决|看看|弄)(?:一下)?$|"
    r"^(?:please\s+)?(?:fix|sort out|resolve|handle|look into|check)\s+(?:it|this|that)(?:\s+for me)?$", re.I)
_EN_ASKS = re.compile(r"^(?:can|could|would) you (?:please )?(?:tell me|let me know|check|confirm)\s+(?=if\b|whether\b|"
                      r"when\b|where\b|how\b|what\b|which\b|why\b)", re.I)
_ASKING = re.compile(r"^(?:请问|问一下|想问|咨询)|[吗呢？?]\s*$")
EN_THIRD = {"am": "is", "'m": "is", "have": "has", "do": "does", "don't": "doesn't", "haven't": "hasn't"}
EN_KEEP = {"can", "can't", "cannot", "could", "couldn't", "will", "won't", "would", "was", "wasn't", "did", "didn't",
           "should", "must", "might", "may", "just", "also", "still", "already", "never", "really", "got", "paid",
           "bought", "had", "lost", "forgot", "sent", "made", "put", "left", "keep", "think"}


def _polite(clause: str) -> str:
    """去掉句首的客套话（可能连着好几个：“你好，麻烦帮我……”“please help”）。"""
    before = None
    while before != clause:
        before, clause = clause, _PLEASANTRY.sub("", clause).strip(" ,.!")
    return clause


def _third_person(clause: str) -> str:
    """my account got locked → Customer's account got locked；I need a quote → Customer needs a quote。"""
    words = clause.split()
    if not words:
        return clause
    if words[0].lower() == "my":
        words[0] = "Customer's"
    elif words[0].lower() in ("i", "i'm", "im"):
        if words[0].lower() != "i":
            words[0:1] = ["Customer", "is"]
        else:
            words[0] = "Customer"
            if len(words) > 1:
                verb = words[1].lower()
                if verb in EN_THIRD:
                    words[1] = EN_THIRD[verb]
                elif verb.isalpha() and verb not in EN_KEEP and not verb.endswith(("ed", "s")):
                    words[1] = verb + ("es" if verb.endswith(("sh", "ch", "x", "o")) else "s")
    out = " ".join(words)
    out = re.sub(r"\bmy\b", "their", out, flags=re.I)
    out = re.sub(r"\bI\b", "they", out)
    out = re.sub(r"\bme\b", "them", out, flags=re.I)
    return out[:1].upper() + out[1:]


def based_on(message: str, english: bool) -> str:
    excerpt_ = text.clip(message)
    return f'Based on the message "{excerpt_}".' if english else f"依据用户的消息「{excerpt_}」。"


def verdicts(found: list[tuple[str, bool]], message: str, english: bool, state: Any = None) -> str:
    """判断的理由：用这种语言说出每个判断的结论（“这条消息与本店业务相关，不是越狱尝试”），不念字段名。"""
    clip = text.clip(message)
    said = [_verdict(name, value, english) for name, value in found]
    why = ""
    if state is not None and state.move in ("confirm", "answer", "follow_up", "meta"):
        why = (" It continues the conversation above." if english else "它是接着上文说的。")
    if english:
        return f'The message "{clip}" was checked against the instructions: it is {"; it is ".join(said)}.{why}'
    return f"按指令检查了用户消息「{clip}」：{'；'.join(said)}。{why}"


def _verdict(name: str, value: bool, english: bool) -> str:
    words = lx.BOOLS.get(name.lower())
    if words:
        return words[1 if english else 0][0 if value else 1]
    label = field_label(name, english)
    if english:
        label = label or "flagged"
        return label if value else f"not {label}"
    if not label:
        return "判断为是" if value else "判断为否"
    return f"是{label}" if value and not label.startswith(("与", "有", "是", "需要")) else (
        label if value else f"不是{label}" if not label.startswith(("与", "有")) else f"并非{label}")


def angle(value: str, index: int, english: bool) -> str:
    """数组里的第 2、3 个字符串：同一个主题的不同角度，不是同一句话重复三遍。"""
    angles = (("overview", "latest news", "key facts", "risks", "outlook") if english
              else ("概况", "最新动态", "关键数据", "风险", "展望"))
    return f"{value} {angles[(index - 1) % len(angles)]}"


def self_contained(question: str, state: Any) -> str:
    """把问题交给另一个 Agent（agent-as-tool 的输入）时写成自足的一句话：这句话指回前文的订单号时，
    把订单号写进去（“它里面有几样东西” → “订单 A1002：它里面有几样东西”）。"""
    q = question.strip()
    if state is None or not state.continuing:
        return q
    english = text.is_english(q)
    # 最近一次调用里说这件事是什么的值（emergency exam、补牙）：问“那要多少钱”时一起带上
    what = [v for v in getattr(state, "recent_args", ()) if isinstance(v, str) and 2 <= len(v) <= 30
            and not re.search(r"\d", v) and v.lower() not in q.lower()][:2]
    for kind in ("order_id", "ident"):
        if ent.find(kind, q):
            return q
        for source in state.request.sources[1:]:
            value = ent.first(kind, source)
            if value:
                noun = "订单 " if kind == "order_id" and "order" in text.concepts(source) else "关于 "
                extra = f"（{'、'.join(what)}）" if what and not english else f" ({', '.join(what)})" if what else ""
                return f"About {value}{extra}: {q}" if english else f"{noun}{value}{extra}：{q}"
    if not (text.topic(q) or text.noun_phrase(q) if not english else None):  # 这句没说是什么东西：带上前面说的那样
        thing = next((t for t in (text.topic(src) for src in state.request.sources[1:]) if t), None)
        if thing:
            return f"About {thing}: {q}" if english else f"关于{thing}：{q}"
    return q


# ================================================================ 推理摘要


def reasoning_call(topic: str, steps: list[str], english: bool) -> str:
    if english:
        return (f'The user asks "{topic}". I don\'t have that information yet, so I\'ll {" and ".join(steps)}, '
                "then answer from the results.")
    joined = "，再".join(steps) if len(steps) > 1 else steps[0]
    return f"用户问的是「{topic}」。我手头还没有这些信息，先{joined}，拿到结果后再回答。"


def reasoning_handoff(topic: str, target: str, label: str, english: bool) -> str:
    if english:
        why = f" ({label})" if label and not text.CJK.search(label) else ""
        return f'"{topic}" is for {target}{why}, so I\'ll hand the conversation over to them.'
    why = f"（{label}）" if label else ""
    return f"「{topic}」应该由 {target} 处理{why}，我把对话转过去，由它来回答。"


def reasoning_step(name: str, label: str, shown: list[list[tuple[str, Any]]], english: bool) -> str:
    """“用 get_order 查询订单详情（订单号 A1003）”：工具做什么、拿什么去查。shown：每次调用的几个参数。"""
    sep, pair = ("; ", ", ") if english else ("；", "，")
    what = sep.join(pair.join(f"{field_label(k, english) or k}{': ' if english else ' '}{v}" for k, v in pairs)
                    for pairs in shown if pairs)
    label = text.clip(label, 40) if label else ""
    if english:
        doing = f" to {label[:1].lower() + label[1:]}" if label and not text.CJK.search(label) else ""
        return f"use {name}{doing}{' (' + what + ')' if what else ''}"
    doing = label if label and text.CJK.search(label) else ""
    return f"用 {name} {doing}{'（' + what + '）' if what else ''}".replace(" （", "（")


def reasoning(kind: str, topic: str, english: bool, names: str = "") -> str:
    """不调工具、或者据结果作答时的推理摘要。kind：search / results / clarify / greet / arithmetic / no_tools /
    no_fit / continue。"""
    zh = {
        "search": f"这个问题需要最新的信息：我先搜索「{topic}」，再根据搜索结果回答，并注明来源。",
        "results": f"{names} 已经返回了需要的信息。我挑出和问题相关的部分，用一两句话告诉用户，不照搬原始数据。",
        "clarify": "用户的意思还不够明确，或者缺少必要的信息。先简短地问清楚，再动手处理。",
        "greet": "用户在打招呼。我简单问候一下，再说明我能帮什么。",
        "arithmetic": f"「{topic}」是一道简单的算术题，直接算出结果就行，不需要调用工具。",
        "no_tools": f"这里没有可用的工具，查不到「{topic}」需要的实时数据。我按指令直接回答，说清楚能帮什么。",
        "no_fit": f"「{topic}」用不上现有的工具，我按指令直接回答，尽量简短。",
        "continue": f"「{topic}」是接着上文说的，不需要再调用工具，直接回应就好。",
    }
    en = {
        "search": f'This needs up-to-date information, so I\'ll search the web for "{topic}" and answer from the '
                  "results, citing the sources.",
        "results": f"{names} returned what I need. I'll pick out the parts that answer the question and reply in a "
                   "sentence or two instead of pasting the raw data.",
        "clarify": "The request is not clear enough to act on yet, so I'll ask a short question first.",
        "greet": "The user is saying hello. I'll greet them and say briefly what I can help with.",
        "arithmetic": f'"{topic}" is simple arithmetic: I can work it out directly, no tool needed.',
        "no_tools": f'I have no tools here, so I can\'t look anything up for "{topic}". I\'ll answer from my '
                    "instructions and say plainly what I can help with.",
        "no_fit": f'None of my tools fits "{topic}", so I\'ll answer directly, following my instructions.',
        "continue": f'"{topic}" continues the conversation; no tool is needed, I\'ll just reply.',
    }
    return (en if english else zh)[kind]


# ================================================================ 最后把关：不替工具说话


def honest(answer: str, has_result: bool, english: bool) -> str:
    """没有工具结果时，回答里不能说“已提交 / 正在为您办理 / 稍后答复”。这样的句子删掉，换成说清楚没办。"""
    if has_result or not _CLAIMS.search(answer):
        return answer
    sentences = re.split(r"(?<=[。！!？?])|(?<=\.)\s", answer)
    kept = [s for s in sentences if s and not _CLAIMS.search(s)]
    note = (" Nothing has been submitted yet." if english else "目前还没有替您办理任何事。")
    return ("".join(kept) if not english else " ".join(k.strip() for k in kept)).strip() + note
