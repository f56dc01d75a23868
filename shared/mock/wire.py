"""线上格式：把两种 API 的请求整理成 `Conversation`，再把 `Plan` 写成官方客户端能解析的 JSON。

- Chat Completions：`chat.completion` 对象；流式为 `chat.completion.chunk`，最后是 `data: [DONE]`。
- Responses：`response` 对象；流式为带类型的事件，从 `response.created` 到 `response.completed`。
"""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

from shared.content import content_text
from shared.mock.conversation import Call, Conversation, Plan, ToolSpec, Turn


class BadRequest(Exception):
    """请求不合法：按 OpenAI 的格式回 400。"""

    def __init__(self, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.param = param
        self.code = code


def estimate_tokens(value: str) -> int:
    """按字数估算 token：汉字一个算一个，其余四个字符算一个。量级合理，不精确。"""
    cjk = len(re.findall(r"[\u4e00-\u9fff]", value))
    return cjk + math.ceil((len(value) - cjk) / 4)


HOSTED_TYPES = {"web_search", "web_search_preview", "web_search_2025_08_26", "file_search",
                "code_interpreter", "image_generation", "computer_use_preview", "mcp", "local_shell"}
REASONING_MODEL = re.compile(r"reason|think|r1\b|o\d", re.I)


def _tool_output_text(output: Any) -> str:
    return output if isinstance(output, str) else content_text(output) or json.dumps(output, ensure_ascii=False)


def _schema_of(fmt: dict | None) -> tuple[dict | None, bool]:
    if not isinstance(fmt, dict):
        return None, False
    if fmt.get("type") == "json_schema":
        schema = fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema")
        return (schema if isinstance(schema, dict) else {"type": "object"}), False
    return None, fmt.get("type") == "json_object"


TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def _check_tool_name(name: str, index: int) -> None:
    """OpenAI 只接受 ASCII 工具名：课程原文的 "订票专家" 会被拒绝。"""
    if not TOOL_NAME.match(name or ""):
        raise BadRequest(
            f"Invalid 'tools[{index}].function.name': string does not match pattern. "
            "Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
            f"tools[{index}].function.name", "invalid_value",
        )


def _check_tool_choice(choice: Any, tools: list[ToolSpec]) -> None:
    """指定了不存在的工具：和 OpenAI 一样回 400，而不是悄悄改成 auto。"""
    if choice not in ("auto", "none", "required") and not any(t.name == choice for t in tools):
        raise BadRequest(
            f"Invalid value for 'tool_choice': function '{choice}' is not in 'tools'.",
            "tool_choice", "invalid_value",
        )


# ---------------------------------------------------------------- Chat Completions


def chat_conversation(body: dict) -> Conversation:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' is a required property and must be a non-empty array.", "messages")
    system, turns = [], []
    names_by_id: dict[str, str] = {}
    for m in messages:
        if not isinstance(m, dict) or "role" not in m:
            raise BadRequest("Each message must be an object with a 'role'.", "messages")
        role = m["role"]
        if role in ("system", "developer"):
            system.append(content_text(m.get("content")))
        elif role == "user":
            turns.append(Turn("user", content_text(m.get("content"))))
        elif role == "assistant":
            calls = []
            for tc in m.get("tool_calls") or []:
                fn = tc.get("function") or {}
                calls.append(Call(fn.get("name", ""), fn.get("arguments", ""), tc.get("id", "")))
                names_by_id[tc.get("id", "")] = fn.get("name", "")
            turns.append(Turn("assistant", content_text(m.get("content")), calls))
        elif role == "tool":
            cid = m.get("tool_call_id", "")
            turns.append(Turn("tool", _tool_output_text(m.get("content")), call_id=cid,
                              name=names_by_id.get(cid, "")))
        else:
            raise BadRequest(f"Invalid value for 'role': {role!r}.", "messages")

    tools = []
    for t in body.get("tools") or []:
        if not isinstance(t, dict) or t.get("type") != "function":
            kind = t.get("type") if isinstance(t, dict) else t
            raise BadRequest(
                f"Invalid value: '{kind}'. Supported values are: 'function' and 'custom'. "
                "（托管工具如 web_search 只能通过 Responses API 使用）",
                "tools[0].type", "invalid_value",
            )
        fn = t.get("function") or {}
        _check_tool_name(fn.get("name", ""), len(tools))
        tools.append(ToolSpec(fn.get("name", ""), fn.get("description") or "", fn.get("parameters") or {}))

    choice = body.get("tool_choice", "auto")
    if isinstance(choice, dict):
        choice = (choice.get("function") or {}).get("name") or "required"
    _check_tool_choice(choice or "auto", tools)
    schema, json_mode = _schema_of(body.get("response_format"))
    reasoning = bool(body.get("reasoning_effort")) or bool(REASONING_MODEL.search(str(body.get("model", ""))))
    return Conversation(
        system="\n".join(system), turns=turns, tools=tools, tool_choice=choice or "auto",
        parallel=body.get("parallel_tool_calls", True) is not False, schema=schema,
        json_mode=json_mode, reasoning=reasoning,
    )


def _usage_numbers(conv: Conversation, plan: Plan, body: dict) -> tuple[int, int, int]:
    prompt = estimate_tokens(json.dumps(body.get("messages") or body.get("input") or "", ensure_ascii=False))
    prompt += estimate_tokens(json.dumps(body.get("tools") or [], ensure_ascii=False)) // 2
    prompt += estimate_tokens(conv.system)
    reasoning = estimate_tokens(plan.reasoning or "")
    completion = estimate_tokens(plan.text or "") + sum(
        estimate_tokens(c.name + c.arguments) + 5 for c in plan.calls
    ) + reasoning
    return prompt + 8, max(completion, 1), reasoning


def chat_response(body: dict, conv: Conversation, plan: Plan,
                  reasoning_field: str = "reasoning_content") -> dict:
    prompt, completion, reasoning = _usage_numbers(conv, plan, body)
    message: dict[str, Any] = {"role": "assistant", "content": plan.text, "refusal": None}
    if plan.calls:
        message["tool_calls"] = [
            {"id": c.call_id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in plan.calls
        ]
    if plan.reasoning:
        message[reasoning_field] = plan.reasoning  # DeepSeek / Qwen 风格的推理字段（Ollama 叫 reasoning）
    return {
        "id": "chatcmpl-" + uuid.uuid4().hex[:24],
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "mock-model"),
        "system_fingerprint": "fp_mock",
        "choices": [{
            "index": 0, "message": message, "logprobs": None,
            "finish_reason": "tool_calls" if plan.calls else "stop",
        }],
        "usage": _chat_usage(prompt, completion, reasoning),
    }


def _chat_usage(prompt: int, completion: int, reasoning: int) -> dict:
    return {
        "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": reasoning},
    }


CHUNK = re.compile(r"[A-Za-z0-9_']+\s*|\s+|.", re.S)


def pieces(text: str, size: int = 3) -> Iterator[str]:
    """把文本切成流式小片：中文 `size` 个字一片，英文按词。"""
    tokens = CHUNK.findall(text)
    for i in range(0, len(tokens), size):
        yield "".join(tokens[i : i + size])


def chat_stream(body: dict, conv: Conversation, plan: Plan,
                reasoning_field: str = "reasoning_content") -> Iterator[str]:
    """逐个产出 `data: {...}` 行（不含 [DONE]，由调用方补上）。"""
    cid = "chatcmpl-" + uuid.uuid4().hex[:24]
    created = int(time.time())
    model = body.get("model", "mock-model")

    def chunk(delta: dict, finish: str | None = None) -> str:
        payload = {
            "id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
            "system_fingerprint": "fp_mock",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        return json.dumps(payload, ensure_ascii=False)

    yield chunk({"role": "assistant", "content": ""})
    for piece in pieces(plan.reasoning or ""):
        yield chunk({reasoning_field: piece})
    for piece in pieces(plan.text or ""):
        yield chunk({"content": piece})
    for index, c in enumerate(plan.calls):
        yield chunk({"tool_calls": [{
            "index": index, "id": c.call_id, "type": "function",
            "function": {"name": c.name, "arguments": ""},
        }]})
        for piece in pieces(c.arguments, 6):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    yield chunk({}, "tool_calls" if plan.calls else "stop")
    if (body.get("stream_options") or {}).get("include_usage"):
        prompt, completion, reasoning = _usage_numbers(conv, plan, body)
        yield json.dumps({
            "id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
            "system_fingerprint": "fp_mock", "choices": [],
            "usage": _chat_usage(prompt, completion, reasoning),
        })


# ---------------------------------------------------------------- Responses


def responses_turns(items: Any, system: list[str]) -> list[Turn]:
    if isinstance(items, str):
        return [Turn("user", items)]
    if not isinstance(items, list):
        raise BadRequest("'input' must be a string or an array of input items.", "input")
    turns: list[Turn] = []
    names_by_id: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict):
            raise BadRequest("Each input item must be an object.", "input")
        kind = item.get("type", "message")
        if kind == "message" or (kind is None and "role" in item):
            role = item.get("role", "user")
            text = content_text(item.get("content"))
            if role in ("system", "developer"):
                system.append(text)
            elif role == "assistant":
                turns.append(Turn("assistant", text))
            else:
                turns.append(Turn("user", text))
        elif kind == "function_call":
            call = Call(item.get("name", ""), item.get("arguments", ""), item.get("call_id", ""))
            names_by_id[call.call_id] = call.name
            if turns and turns[-1].role == "assistant" and not turns[-1].text:
                turns[-1].calls.append(call)
            else:
                turns.append(Turn("assistant", "", [call]))
        elif kind == "function_call_output":
            cid = item.get("call_id", "")
            turns.append(Turn("tool", _tool_output_text(item.get("output")), call_id=cid,
                              name=names_by_id.get(cid, "")))
    return turns


def responses_conversation(body: dict, history: list[Turn]) -> Conversation:
    if "input" not in body:
        raise BadRequest("Missing required parameter: 'input'.", "input")
    system = [body["instructions"]] if isinstance(body.get("instructions"), str) else []
    prompt = body.get("prompt")
    if isinstance(prompt, dict):  # 存储的 prompt：模拟模型没有它的正文，只能看到变量
        variables = prompt.get("variables") or {}
        system.append(" ".join(f"{k}: {content_text(v) if not isinstance(v, str) else v}" for k, v in variables.items()))
    turns = history + responses_turns(body["input"], system)
    tools = []
    for t in body.get("tools") or []:
        kind = t.get("type")
        if kind == "function":
            _check_tool_name(t.get("name", ""), len(tools))
            tools.append(ToolSpec(t.get("name", ""), t.get("description") or "", t.get("parameters") or {}))
        elif kind in ("web_search", "web_search_preview", "web_search_2025_08_26"):
            tools.append(ToolSpec("web_search", "搜索互联网上的最新信息", {}, hosted=True))
        elif kind not in HOSTED_TYPES:
            raise BadRequest(f"Invalid value: '{kind}'.", "tools[0].type", "invalid_value")
    choice = body.get("tool_choice", "auto")
    if isinstance(choice, dict):
        choice = choice.get("name") or ("required" if choice.get("type") else "auto")
    _check_tool_choice(choice or "auto", tools)
    schema, json_mode = _schema_of((body.get("text") or {}).get("format"))
    return Conversation(
        system="\n".join(system), turns=turns, tools=tools, tool_choice=choice or "auto",
        parallel=body.get("parallel_tool_calls", True) is not False, schema=schema,
        json_mode=json_mode, reasoning=bool(body.get("reasoning")),
    )


def output_items(plan: Plan) -> list[dict]:
    items: list[dict] = []
    if plan.reasoning:
        items.append({
            "id": "rs_" + uuid.uuid4().hex[:24], "type": "reasoning", "status": "completed",
            "summary": [{"type": "summary_text", "text": plan.reasoning}],
        })
    if plan.web_search:
        items.append({
            "id": "ws_" + uuid.uuid4().hex[:24], "type": "web_search_call", "status": "completed",
            "action": {"type": "search", "query": plan.web_search},
        })
    for c in plan.calls:
        items.append({
            "id": "fc_" + uuid.uuid4().hex[:24], "type": "function_call", "status": "completed",
            "call_id": c.call_id, "name": c.name, "arguments": c.arguments,
        })
    if plan.text is not None:
        items.append({
            "id": "msg_" + uuid.uuid4().hex[:24], "type": "message", "role": "assistant",
            "status": "completed",
            "content": [{
                "type": "output_text", "text": plan.text, "logprobs": [],
                "annotations": _annotations(plan),
            }],
        })
    return items


def _annotations(plan: Plan) -> list[dict]:
    notes = []
    for title, url in plan.citations:
        start = (plan.text or "").find(title)
        if start >= 0:
            notes.append({"type": "url_citation", "title": title, "url": url,
                          "start_index": start, "end_index": start + len(title)})
    return notes


def response_object(body: dict, conv: Conversation, plan: Plan, rid: str, items: list[dict],
                    status: str = "completed") -> dict:
    prompt, completion, reasoning = _usage_numbers(conv, plan, body)
    return {
        "id": rid, "object": "response", "created_at": int(time.time()), "status": status,
        "model": body.get("model") or "mock-model", "output": items if status == "completed" else [],
        "parallel_tool_calls": conv.parallel, "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [], "instructions": body.get("instructions"),
        "previous_response_id": body.get("previous_response_id"),
        "conversation": {"id": conversation_id(body)} if conversation_id(body) else None,
        "temperature": body.get("temperature"), "top_p": body.get("top_p"),
        "text": body.get("text") or {"format": {"type": "text"}},
        "reasoning": body.get("reasoning"), "metadata": body.get("metadata") or {},
        "error": None, "incomplete_details": None,
        "usage": {
            "input_tokens": prompt, "output_tokens": completion, "total_tokens": prompt + completion,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": reasoning},
        } if status == "completed" else None,
    }


def responses_stream(body: dict, conv: Conversation, plan: Plan, rid: str,
                     items: list[dict]) -> Iterator[tuple[str, str]]:
    """产出 (事件名, JSON)；顺序和字段与 OpenAI 的 Responses 流一致。"""
    seq = 0

    def event(kind: str, **fields: Any) -> tuple[str, str]:
        nonlocal seq
        payload = {"type": kind, "sequence_number": seq, **fields}
        seq += 1
        return kind, json.dumps(payload, ensure_ascii=False)

    yield event("response.created", response=response_object(body, conv, plan, rid, items, "in_progress"))
    yield event("response.in_progress", response=response_object(body, conv, plan, rid, items, "in_progress"))
    for index, item in enumerate(items):
        kind, iid = item["type"], item["id"]
        if kind == "reasoning":
            text = item["summary"][0]["text"]
            yield event("response.output_item.added", output_index=index,
                        item={**item, "summary": [], "status": "in_progress"})
            part = {"type": "summary_text", "text": ""}
            yield event("response.reasoning_summary_part.added", item_id=iid, output_index=index,
                        summary_index=0, part=part)
            for piece in pieces(text):
                yield event("response.reasoning_summary_text.delta", item_id=iid, output_index=index,
                            summary_index=0, delta=piece)
            yield event("response.reasoning_summary_text.done", item_id=iid, output_index=index,
                        summary_index=0, text=text)
            yield event("response.reasoning_summary_part.done", item_id=iid, output_index=index,
                        summary_index=0, part={"type": "summary_text", "text": text})
        elif kind == "web_search_call":
            yield event("response.output_item.added", output_index=index,
                        item={**item, "status": "in_progress"})
            for stage in ("in_progress", "searching", "completed"):
                yield event(f"response.web_search_call.{stage}", item_id=iid, output_index=index)
        elif kind == "function_call":
            yield event("response.output_item.added", output_index=index,
                        item={**item, "arguments": "", "status": "in_progress"})
            for piece in pieces(item["arguments"], 6):
                yield event("response.function_call_arguments.delta", item_id=iid,
                            output_index=index, delta=piece)
            yield event("response.function_call_arguments.done", item_id=iid, output_index=index,
                        name=item["name"], arguments=item["arguments"])
        elif kind == "message":
            part = item["content"][0]
            yield event("response.output_item.added", output_index=index,
                        item={**item, "content": [], "status": "in_progress"})
            yield event("response.content_part.added", item_id=iid, output_index=index, content_index=0,
                        part={"type": "output_text", "text": "", "annotations": [], "logprobs": []})
            for piece in pieces(part["text"]):
                yield event("response.output_text.delta", item_id=iid, output_index=index,
                            content_index=0, delta=piece, logprobs=[])
            for n, note in enumerate(part["annotations"]):
                yield event("response.output_text.annotation.added", item_id=iid, output_index=index,
                            content_index=0, annotation_index=n, annotation=note)
            yield event("response.output_text.done", item_id=iid, output_index=index, content_index=0,
                        text=part["text"], logprobs=[])
            yield event("response.content_part.done", item_id=iid, output_index=index,
                        content_index=0, part=part)
        yield event("response.output_item.done", output_index=index, item=item)
    yield event("response.completed", response=response_object(body, conv, plan, rid, items))


def conversation_id(body: dict) -> str | None:
    """`conversation` 可以是 id 字符串，也可以是 {"id": ...}。"""
    value = body.get("conversation")
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def input_items(body: dict) -> list[dict]:
    """这次请求的输入条目（追加进会话用）：字符串输入就是一条用户消息。"""
    value = body.get("input")
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": value}]
    return [i for i in value or [] if isinstance(i, dict)]


def history_after(conv: Conversation, items: list[dict]) -> list[Turn]:
    """存起来给 previous_response_id 用：本次输入加本次输出。"""
    turns = list(conv.turns)
    calls = [Call(i["name"], i["arguments"], i["call_id"]) for i in items if i["type"] == "function_call"]
    text = "".join(i["content"][0]["text"] for i in items if i["type"] == "message")
    if calls or text:
        turns.append(Turn("assistant", text, calls))
    return turns
