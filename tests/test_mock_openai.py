"""模拟模型的一致性测试：用官方 `openai` 客户端访问，线上 JSON 还要通过 openai 类型的严格校验。

openai 客户端解析响应时不做校验（model_construct），所以这里另外用 httpx 取原始 JSON，
再用 `Model.model_validate` 严格校验：字段缺了、类型错了都会在这里暴露。
"""

from __future__ import annotations

import json
import time

import httpx2
import openai
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import BaseModel, TypeAdapter

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "获取指定城市的天气信息",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "城市名"}},
            "required": ["city"],
        },
    },
}
ORDER = {
    "type": "function",
    "function": {
        "name": "query_order",
        "description": "根据订单号查询订单状态",
        "parameters": {
            "type": "object",
            "properties": {"order_id": {"type": "string", "description": "订单号"}},
            "required": ["order_id"],
        },
    },
}
PRICE = {
    "type": "function",
    "function": {
        "name": "calculate_price",
        "description": "计算商品总价（含折扣）",
        "parameters": {
            "type": "object",
            "properties": {
                "unit_price": {"type": "number", "description": "单价（元）"},
                "quantity": {"type": "integer", "description": "数量"},
                "member_level": {"type": "string", "enum": ["normal", "vip", "svip"]},
                "coupon": {"type": "string", "description": "优惠券代码"},
            },
            "required": ["unit_price", "quantity", "member_level"],
        },
    },
}


def as_responses_tool(tool: dict) -> dict:
    return {"type": "function", **tool["function"]}


@pytest.fixture(scope="module")
def client(mock_server):
    return openai.OpenAI(base_url=mock_server.base_url, api_key="test", max_retries=0)


@pytest.fixture(scope="module")
def raw(mock_server):
    with httpx2.Client(base_url=mock_server.base_url, timeout=10) as http:
        yield http


def sse_data(text: str) -> list[tuple[str | None, str]]:
    """最小的 SSE 解析：返回 (event, data) 列表。"""
    frames = []
    for block in text.split("\n\n"):
        event, data = None, []
        for line in block.splitlines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if data:
            frames.append((event, "\n".join(data)))
    return frames


# ---------------------------------------------------------------- Chat Completions


def test_models_endpoint(client):
    ids = [m.id for m in client.models.list()]
    assert "mock-model" in ids and "mock-fault-500" in ids


def test_chat_non_streaming_is_valid_chat_completion(raw):
    body = {"model": "mock-model", "messages": [{"role": "user", "content": "你好"}]}
    payload = raw.post("/chat/completions", json=body).json()
    completion = ChatCompletion.model_validate(payload)
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].message.content
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens


def test_chat_stream_chunks_valid_and_equal_non_stream(raw, client):
    messages = [{"role": "system", "content": "你只会用七言绝句回应"},
                {"role": "user", "content": "写一首关于秋天的诗"}]
    text = raw.post("/chat/completions", json={"model": "mock-model", "messages": messages, "stream": True,
                                               "stream_options": {"include_usage": True}}).text
    frames = sse_data(text)
    assert frames[-1][1] == "[DONE]"
    chunks = [ChatCompletionChunk.model_validate(json.loads(d)) for _, d in frames[:-1]]
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None  # include_usage 的最后一块
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    whole = client.chat.completions.create(model="mock-model", messages=messages).choices[0].message.content
    assert streamed == whole
    lines = whole.splitlines()
    assert len(lines) == 4 and all(len(line) == 8 for line in lines)  # 七个字加一个标点


def test_chat_tool_call_and_answer_from_result(client):
    first = client.chat.completions.create(
        model="mock-model", messages=[{"role": "user", "content": "武汉的天气怎么样？"}], tools=[WEATHER, ORDER]
    )
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "武汉"}
    second = client.chat.completions.create(model="mock-model", tools=[WEATHER], messages=[
        {"role": "user", "content": "武汉的天气怎么样？"},
        choice.message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "武汉：晴，26℃"},
    ])
    assert second.choices[0].finish_reason == "stop"
    assert "武汉：晴，26℃" in second.choices[0].message.content


def test_chat_streamed_tool_call_arguments_accumulate(client):
    stream = client.chat.completions.create(
        model="mock-model", messages=[{"role": "user", "content": "查一下订单 A10086"}],
        tools=[WEATHER, ORDER], stream=True,
    )
    name, args, finish = "", "", None
    for chunk in stream:
        for tc in chunk.choices[0].delta.tool_calls or []:
            name += tc.function.name or ""
            args += tc.function.arguments or ""
        finish = chunk.choices[0].finish_reason or finish
    assert (name, json.loads(args), finish) == ("query_order", {"order_id": "A10086"}, "tool_calls")


def test_tool_choice_modes(client):
    ask = [{"role": "user", "content": "讲个笑话"}]
    auto = client.chat.completions.create(model="mock-model", messages=ask, tools=[WEATHER])
    assert auto.choices[0].message.tool_calls is None  # 不相关的问题不调用工具
    required = client.chat.completions.create(model="mock-model", messages=ask, tools=[WEATHER],
                                              tool_choice="required")
    assert required.choices[0].message.tool_calls[0].function.name == "get_weather"
    named = client.chat.completions.create(
        model="mock-model", messages=[{"role": "user", "content": "武汉天气"}], tools=[WEATHER, ORDER],
        tool_choice={"type": "function", "function": {"name": "query_order"}},
    )
    assert named.choices[0].message.tool_calls[0].function.name == "query_order"
    none = client.chat.completions.create(model="mock-model", tool_choice="none", tools=[WEATHER],
                                          messages=[{"role": "user", "content": "武汉天气"}])
    assert none.choices[0].message.tool_calls is None


def test_non_ascii_tool_names_rejected_like_openai(client):
    tool = {"type": "function", "function": {"name": "订票专家", "parameters": {"type": "object"}}}
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="mock-model", messages=[{"role": "user", "content": "订票"}],
                                       tools=[tool])


def test_named_tool_choice_must_exist(client):
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(
            model="mock-model", messages=[{"role": "user", "content": "武汉天气"}], tools=[WEATHER],
            tool_choice={"type": "function", "function": {"name": "get_wether"}})


def test_parallel_calls_and_opt_out(client):
    ask = [{"role": "user", "content": "北京和上海的天气怎么样"}]
    both = client.chat.completions.create(model="mock-model", messages=ask, tools=[WEATHER])
    cities = [json.loads(c.function.arguments)["city"] for c in both.choices[0].message.tool_calls]
    assert cities == ["北京", "上海"]
    one = client.chat.completions.create(model="mock-model", messages=ask, tools=[WEATHER],
                                         parallel_tool_calls=False)
    assert len(one.choices[0].message.tool_calls) == 1


def test_arguments_follow_schema_types_and_enums(client):
    reply = client.chat.completions.create(
        model="mock-model", tools=[PRICE],
        messages=[{"role": "user", "content": "我是vip，单价199元买3件，帮我计算一下总价"}],
    )
    args = json.loads(reply.choices[0].message.tool_calls[0].function.arguments)
    assert args["unit_price"] == 199.0 and args["quantity"] == 3 and args["member_level"] == "vip"
    assert "coupon" not in args  # 选填且文本里没有：不瞎编


def test_structured_output_chat(client):
    class Ticket(BaseModel):
        order_id: str
        city: str
        priority: str
        summary: str

    schema = Ticket.model_json_schema()
    schema["properties"]["priority"]["enum"] = ["low", "high"]
    reply = client.chat.completions.create(
        model="mock-model", messages=[{"role": "user", "content": "订单 B2002 在深圳丢件了"}],
        response_format={"type": "json_schema", "json_schema": {"name": "ticket", "schema": schema, "strict": True}},
    )
    ticket = Ticket.model_validate_json(reply.choices[0].message.content)
    assert (ticket.order_id, ticket.city, ticket.priority) == ("B2002", "深圳", "high")  # 丢件是严重问题
    assert ticket.summary.startswith("订单 B2002：") and "丢件" in ticket.summary


def test_chat_reasoning_content_when_requested(raw):
    body = {"model": "mock-model", "reasoning_effort": "low", "messages": [{"role": "user", "content": "1+2等于几"}]}
    message = raw.post("/chat/completions", json=body).json()["choices"][0]["message"]
    assert message["reasoning_content"] and message["content"] == "1+2 = 3"


def test_hosted_tool_rejected_on_chat(client):
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model="mock-model", messages=[{"role": "user", "content": "新闻"}],
                                       tools=[{"type": "web_search"}])
    assert "function" in str(info.value)


def test_history_questions_answered_from_messages(client):
    reply = client.chat.completions.create(model="mock-model", messages=[
        {"role": "user", "content": "武汉的天气怎么样？"},
        {"role": "assistant", "content": "晴"},
        {"role": "user", "content": "我刚刚问了你什么问题？"},
    ])
    assert "武汉的天气怎么样？" in reply.choices[0].message.content


@pytest.mark.parametrize(("system", "expected"), [
    ("你负责退款：需要用户提供订单号、原因，并解释规则。", "还需要您提供：原因。"),
    ("用户没给订单号时，先请用户提供订单号（形如 A1001）。", "还需要您提供：订单号。"),
])
def test_asks_for_the_details_the_instructions_require(client, system, expected):
    reply = client.chat.completions.create(model="mock-model", messages=[
        {"role": "system", "content": system}, {"role": "user", "content": "我要退款，订单 A1002"
                                                if "原因" in system else "我想退货"}])
    assert reply.choices[0].message.content.endswith(expected)


def test_instructions_to_the_assistant_are_not_questions_for_the_user(client):
    reply = client.chat.completions.create(model="mock-model", messages=[
        {"role": "system", "content": "你是智能客服。请提供技术性回答，包含代码示例。"},
        {"role": "user", "content": "如何判断接口返回的数据是否正确"}])
    assert "还需要您提供" not in reply.choices[0].message.content


def test_bad_requests_get_openai_style_400(raw):
    assert raw.post("/chat/completions", json={"messages": []}).status_code == 400
    bad = raw.post("/chat/completions", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 400 and "error" in bad.json()


# ---------------------------------------------------------------- Responses


def test_responses_non_stream_valid(raw, client):
    payload = raw.post("/responses", json={"model": "mock-model", "input": "你好"}).json()
    response = Response.model_validate(payload)
    assert response.status == "completed" and response.output[0].type == "message"
    assert client.responses.create(model="mock-model", input="你好").output_text == response.output_text


def test_responses_stream_events_valid_and_ordered(raw, client):
    body = {"model": "mock-model", "input": "武汉的天气", "stream": True,
            "tools": [as_responses_tool(WEATHER)], "reasoning": {"effort": "low", "summary": "auto"}}
    frames = sse_data(raw.post("/responses", json=body).text)
    adapter = TypeAdapter(ResponseStreamEvent)
    events = [adapter.validate_python(json.loads(d)) for _, d in frames]
    assert all(name == e.type for (name, _), e in zip(frames, events, strict=True))
    types = [e.type for e in events]
    assert types[0] == "response.created" and types[-1] == "response.completed"
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert types.index("response.reasoning_summary_text.delta") < types.index("response.function_call_arguments.delta")
    args = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
    done = next(e for e in events if e.type == "response.function_call_arguments.done")
    assert args == done.arguments and json.loads(args) == {"city": "武汉"}
    final = events[-1].response
    assert [o.type for o in final.output] == ["reasoning", "function_call"]


def test_responses_stream_text_equals_non_stream(client):
    stream = client.responses.create(model="mock-model", input="给我讲一个关于小熊的故事", stream=True)
    text = "".join(e.delta for e in stream if e.type == "response.output_text.delta")
    assert text == client.responses.create(model="mock-model", input="给我讲一个关于小熊的故事").output_text


def test_responses_structured_output(client):
    class Weather(BaseModel):
        city: str
        condition: str

    response = client.responses.create(
        model="mock-model", input="杭州天气",
        text={"format": {"type": "json_schema", "name": "weather", "schema": Weather.model_json_schema(),
                         "strict": True}},
    )
    assert Weather.model_validate_json(response.output_text).city == "杭州"


def test_web_search_hosted_tool(client):
    response = client.responses.create(model="mock-model", input="今天有什么积极的新闻吗?",
                                       tools=[{"type": "web_search"}])
    assert [o.type for o in response.output] == ["web_search_call", "message"]
    notes = response.output[1].content[0].annotations
    assert notes and all(n.type == "url_citation" for n in notes)
    for note in notes:
        assert response.output_text[note.start_index : note.end_index] == note.title


def test_previous_response_id_carries_history(client):
    first = client.responses.create(model="mock-model", input="订单 A1001 什么时候发货？")
    second = client.responses.create(model="mock-model", input="我刚刚问了你什么问题？",
                                     previous_response_id=first.id)
    assert "订单 A1001 什么时候发货？" in second.output_text
    with pytest.raises(openai.BadRequestError):
        client.responses.create(model="mock-model", input="x", previous_response_id="resp_missing")


def test_responses_function_call_output_round_trip(client):
    tools = [as_responses_tool(ORDER)]
    first = client.responses.create(model="mock-model", input="订单 A1001 到哪了", tools=tools)
    call = first.output[0]
    assert call.type == "function_call"
    second = client.responses.create(model="mock-model", tools=tools, previous_response_id=first.id, input=[
        {"type": "function_call_output", "call_id": call.call_id, "output": json.dumps({"status": "已发货"})}
    ])
    assert "已发货" in second.output_text


# ---------------------------------------------------------------- 故障注入与节奏


@pytest.mark.parametrize(("mode", "error"), [
    ("401", openai.AuthenticationError),
    ("429", openai.RateLimitError),
    ("500", openai.InternalServerError),
])
def test_fault_header_status_codes(client, mode, error):
    with pytest.raises(error):
        client.with_options(default_headers={"X-Mock-Fault": mode}).chat.completions.create(
            model="mock-model", messages=[{"role": "user", "content": "你好"}])


def test_fault_429_has_retry_after(raw):
    reply = raw.post("/chat/completions", headers={"X-Mock-Fault": "429"},
                     json={"model": "mock-model", "messages": [{"role": "user", "content": "x"}]})
    assert reply.status_code == 429 and reply.headers["retry-after"] == "1"


def test_fault_by_model_name(client):
    with pytest.raises(openai.InternalServerError):
        client.responses.create(model="mock-fault-500", input="你好")


def test_fault_timeout(client):
    start = time.perf_counter()
    with pytest.raises(openai.APITimeoutError):
        client.with_options(timeout=0.5, default_headers={"X-Mock-Fault": "timeout"}).chat.completions.create(
            model="mock-model", messages=[{"role": "user", "content": "你好"}])
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("stream", [True, False])
def test_fault_break_cuts_the_connection(client, stream):
    broken = client.with_options(default_headers={"X-Mock-Fault": "break"})
    with pytest.raises(openai.APIConnectionError):
        result = broken.chat.completions.create(
            model="mock-model", stream=stream,
            messages=[{"role": "user", "content": "写一个关于月亮的睡前故事"}])
        if stream:
            for _ in result:
                pass


def test_armed_faults_are_consumed_in_order(mock_server, client):
    root = mock_server.base_url.removesuffix("/v1")
    httpx2.post(f"{root}/mock/faults", json={"mode": "500", "count": 2}).raise_for_status()
    ask = {"model": "mock-model", "messages": [{"role": "user", "content": "你好"}]}
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            client.chat.completions.create(**ask)
    assert client.chat.completions.create(**ask).choices[0].message.content
    assert httpx2.get(f"{root}/mock/stats").json()["armed_faults"] == []


def test_in_process_server_is_not_slowed_by_nagle(raw):
    raw.get("/health")
    start = time.perf_counter()
    for _ in range(20):
        raw.post("/chat/completions", json={"model": "mock-model", "messages": [{"role": "user", "content": "你好"}]})
    # 没有 TCP_NODELAY 时每个请求要等约 40 ms 的延迟确认；正常情况下只要一两毫秒。
    assert (time.perf_counter() - start) / 20 < 0.02


def test_stream_delay_paces_chunks(client, monkeypatch):
    monkeypatch.setenv("MOCK_STREAM_DELAY", "0.02")
    start = time.perf_counter()
    chunks = list(client.chat.completions.create(
        model="mock-model", stream=True, messages=[{"role": "user", "content": "写一个关于月亮的睡前故事"}]))
    assert time.perf_counter() - start >= 0.02 * (len(chunks) - 2)


def test_mock_latency_paces_every_response(client, monkeypatch):
    """MOCK_LATENCY（毫秒）：讲课时想要真实模型的节奏就设它；默认 0，不等。只断言下限：机器再忙也不会更快。"""
    monkeypatch.setenv("MOCK_LATENCY", "300")
    started = time.perf_counter()
    reply = client.chat.completions.create(model="mock-model", messages=[{"role": "user", "content": "你好"}])
    assert time.perf_counter() - started >= 0.3 and reply.choices[0].message.content
    started = time.perf_counter()
    chunks = list(client.chat.completions.create(model="mock-model", stream=True,
                                                 messages=[{"role": "user", "content": "你好"}]))
    assert time.perf_counter() - started >= 0.3 and chunks
    monkeypatch.setenv("MOCK_LATENCY", "not-a-number")  # 写错了就当 0，不让课程跑不起来
    assert client.chat.completions.create(model="mock-model", messages=[{"role": "user", "content": "你好"}])
