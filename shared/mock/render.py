"""模拟模型的“说话”部分：把工具结果、搜索结果、寒暄和兜底回答写成一个客服会说的句子。

中文和英文两套说法，由 brain 按对话语言选。工具结果的念法（`tool_results`）：
- 有人话字段（message / summary / note / 说明……）就先说它；出错（error……）就如实转告；
- 字段用词典里的叫法（order_status → 订单状态；不认识的字段把下划线换成空格），金额带“元”，
  布尔值说成“是 / 否”或词典里的说法，列表念前三项，嵌套的记录展开；
- 和问题有关的字段排在前面，重复参数的字段、内部时间戳不念，最多念六项。
"""

from __future__ import annotations

import json
import re
from typing import Any

from shared.mock import judge, text

NOTE_ZH = "（这是内置模拟模型的确定性示例回答：它不联网、也不做真正的推理；在 .env 里配置真实模型即可得到真正的回答。）"
NOTE_EN = ("(This is a deterministic sample answer from the built-in mock model: no network, no real reasoning. "
           "Configure a real model in .env for a real answer.)")
_NOTES = re.compile(r"（这是内置模拟模型的确定性示例回答[^）]*）|\(This is a deterministic sample answer from the "
                    r"built-in mock model[^)]*\)")

BOOLS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {  # 字段 → ((真, 假) 中文, (真, 假) English)
    "in_stock": (("有货", "缺货"), ("in stock", "out of stock")),
    "available": (("有货", "暂无"), ("available", "not available")),
    "eligible": (("符合条件", "不符合条件"), ("eligible", "not eligible")),
    "refundable": (("可以退款", "不能退款"), ("refundable", "not refundable")),
    "returnable": (("支持退货", "不支持退货"), ("returnable", "not returnable")),
    "paid": (("已付款", "未付款"), ("paid", "not paid")),
    "created": (("已创建", "未创建"), ("created", "not created")),
    "success": (("成功", "失败"), ("succeeded", "failed")),
    "ok": (("成功", "失败"), ("succeeded", "failed")),
    "needs_human_approval": (("需要人工审批", "无需人工审批"), ("needs human approval", "no approval needed")),
}
LEAD = ("message", "msg", "summary", "note", "notes", "answer", "说明", "备注", "提示", "detail", "details", "result")
ERRORS = ("error", "errors", "error_message", "err", "错误", "failure")
SUBJECTS = ("order_id", "order_no", "ticket_id", "refund_id", "city", "user_id", "id", "sku")
MONEY_FIELD = re.compile(r"amount|price|total|cost|fee|fare|balance|subtotal|paid|refund(?!_id)|金额|价格|费用", re.I)
NOT_MONEY = re.compile(r"points|score|count|qty|quantity|minutes|hours|days|nights|percent|tickets|stock|rate$", re.I)
ECHO_KEYS = re.compile(r"keyword|query|^q$|search|term|description|content|text|body|comment|note|question", re.I)
TIME_META = re.compile(r"^(created|updated|modified)(_at|_time)?$|timestamp", re.I)
MAX_FACTS = 6
PERSONAL = {"customer", "customer_name", "phone", "email", "address", "city", "user_id", "name"}  # 排在后面念


# ---------------------------------------------------------------- 工具结果


def tool_results(outputs: list[tuple[str, str]], question: str, english: bool,
                 echoed: dict[str, set[str]] | None = None) -> str:
    """outputs：[(工具名, 结果文字)]。每个结果一段，合起来就是回答。"""
    parts, noted = [], False
    for name, raw in outputs:
        body, had_note = _strip_note(raw)
        noted |= had_note
        parts.append(tool_result(name, body, question, english, (echoed or {}).get(name, set())))
    answer = "\n".join(p for p in parts if p)
    if noted:
        answer += "\n" + (NOTE_EN if english else NOTE_ZH)
    return answer


def _strip_note(raw: str) -> tuple[str, bool]:
    cleaned = _NOTES.sub("", raw)
    return cleaned.strip(), cleaned != raw


def tool_result(name: str, raw: str, question: str, english: bool, echoed: set[str] | None = None) -> str:
    data = _parse(raw)
    if isinstance(data, str):
        return _relay(data, english)
    if isinstance(data, dict):
        return _record(data, question, english, echoed or set())
    if isinstance(data, list):
        label = _label(name.split("_")[-1], english) if name else ("results" if english else "结果")
        return _list_sentence(label, data, english)
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
    return text.field_label(key, english)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _is_money(key: str) -> bool:
    return bool(MONEY_FIELD.search(key)) and not NOT_MONEY.search(key)


def _value(key: str, value: Any, english: bool, currency: str | None = None) -> str:
    if isinstance(value, bool):
        words = BOOLS.get(key.lower())
        if words:
            return words[1 if english else 0][0 if value else 1]
        done = text.participle(key, value, english)
        if done:
            return done
        return ("yes" if value else "no") if english else ("是" if value else "否")
    if isinstance(value, (int, float)) and _is_money(key):
        if currency:
            return f"{_number(value)} {currency}"
        return f"¥{_number(value)}" if english else f"{_number(value)} 元"
    if isinstance(value, (int, float)):
        unit = text.field_unit(key, english)
        shown = _number(value) if isinstance(value, float) else str(value)
        return f"{shown} {unit}" if unit and unit != "%" else f"{shown}{unit or ''}"
    if isinstance(value, str):
        if not english and value.lower() in text.VALUES_ZH:
            return text.VALUES_ZH[value.lower()]
        if english and value in text.VALUES_EN:  # 英文回答里，工具给的中文状态词换回英文
            return text.VALUES_EN[value]
        return _to_user(value, english)
    if isinstance(value, dict):
        return ("，" if not english else ", ").join(
            _value(k, v, english) for k, v in value.items() if v not in (None, "", [], {})
            and not re.search(r"_?id$|sku", k, re.I))
    if isinstance(value, list):
        return _list_items(value, english)
    return str(value)


def _bare(key: str, value: Any) -> bool:
    """不用带字段名就能念的值：in_stock → 有货，confirmed → 已确认（单个词的过去分词）。"""
    if not isinstance(value, bool):
        return False
    return key.lower() in BOOLS or (len(text.split_identifier(key)) == 1 and text.participle(key, value, False)
                                    is not None)


def _list_items(values: list, english: bool, limit: int = 3) -> str:
    if not values:
        return "none" if english else "无"
    if len(values) == 1 and isinstance(values[0], dict):
        return _entry(values[0], english)
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


def _entry(item: dict, english: bool) -> str:
    """列表里的一条记录：名字打头，再带数量、价格、状态这几样，长描述截短。"""
    head = next((item[k] for k in ("name", "title", "label", "product", "item", "description", "content")
                 if isinstance(item.get(k), str)), None)
    parts = [head[:40] + ("…" if len(head) > 40 else "")] if head else []
    for key, value in item.items():
        if value in (None, "", [], {}) or (head is not None and value == head):
            continue
        low = key.lower()
        if re.search(r"sku|_id$|^id$|description|content", low) and head is not None:
            continue
        if low in ("quantity", "qty", "count") and parts:
            parts[0] += f" ×{_number(value)}" if isinstance(value, (int, float)) else f" ×{value}"
        elif low == "stock" and "in_stock" in item:
            continue
        elif _bare(key, value):
            parts.append(_value(key, value, english))
        elif isinstance(value, (int, float)) and _is_money(low) or head is None or low in (
                "status", "location", "time", "event_time", "stock"):
            parts.append(_value(key, value, english) if head is not None or isinstance(value, (int, float))
                         else str(value))
        if len(parts) >= 4:
            break
    return (", " if english else "，").join(p for p in parts if p)


def _list_sentence(label: str, values: list, english: bool) -> str:
    if not values:
        return f"No {label} found." if english else f"没有找到{label}。"
    return (f"Found {len(values)} {label}: {_list_items(values, english)}." if english
            else f"共找到 {len(values)} 项{label}：{_list_items(values, english)}。")


def _record(data: dict, question: str, english: bool, echoed: set[str]) -> str:
    """一个 JSON 对象 → 一两句话。"""
    data = {k: v for k, v in data.items() if v not in (None, "")}
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
    if failed or (not lead_keys and "reason" in data and isinstance(data["reason"], str)):
        lead_keys = ["reason", *lead_keys] if "reason" in data else lead_keys
    leads = [_to_user(data[k], english).rstrip("。.") for k in lead_keys]
    foreign = english and any(text.CJK.search(x) for x in leads)  # 英文回答里，工具给的中文说明放到最后引用
    lead = "" if foreign else " ".join(x + ("." if english else "。") for x in leads)

    facts = _facts(data, question, english, echoed, skip={subject_key, *lead_keys}, currency=currency,
                   quiet_success=bool(lead))
    lists = [(k, v) for k, v in data.items() if isinstance(v, list) and k not in (subject_key, *lead_keys)]
    if len(facts) == 1 and len(lists) == 1 and lists[0][1]:  # 结果就是一个列表：“找到 2 项商品：……”
        facts = [_list_sentence(_label(lists[0][0], english), lists[0][1], english).rstrip("。.")]
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
    acted = any(isinstance(v, bool) and text.participle(k, v, False) for k, v in data.items())
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
        thing = text.field_label("_".join(thing_words), english)
        if english:
            return f"{thing[:1].upper()}{thing[1:]} {value}"
        if text.CJK.search(thing):
            return f"{thing} {value}"
    return str(value)


def _facts(data: dict, question: str, english: bool, echoed: set[str], skip: set, currency: str | None,
           quiet_success: bool) -> list[str]:
    q_words = set(text.words(question))
    q_concepts = text.concepts(question)
    asks_time = bool(re.search(r"时间|什么时候|几点|哪天|when|time|date", question, re.I))
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
        scored.append((-relevance, position, key, value, label))
    scored.sort()
    facts = []
    for _, _, key, value, label in scored[:MAX_FACTS]:
        shown = _value(key, value, english, currency)
        if _bare(key, value):
            facts.append(shown)
        else:
            facts.append(f"{label}: {shown}" if english else f"{label}：{shown}")
    return facts


# ---------------------------------------------------------------- 搜索、兜底与寒暄


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
    from shared.mock import extract

    core = extract.keyword(q.strip().splitlines()[0] if q.strip() else "")
    core = re.sub(r"^(?:about|regarding)\s+", "", core, flags=re.I)
    if text.is_english(core) and len(core) > limit:  # 英文按词截断，长度放宽一些
        cut = core[: limit * 2]
        return core if len(core) <= limit * 2 else cut.rsplit(" ", 1)[0] + "…"
    return judge.short(core, limit)


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
