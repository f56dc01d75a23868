"""内置模拟模型的 HTTP 服务（ASGI / Starlette）：OpenAI 兼容的 /v1 接口。

路由：
    GET  /v1/models                 模型列表
    POST /v1/chat/completions       Chat Completions（stream 可选）
    POST /v1/responses              Responses（stream 可选，支持 previous_response_id 和 conversation）
    /v1/conversations…              Conversations API（内存里，见 conversations.py）
    GET  /health                    最简单的端点，基准测试用作“地板”
    GET  /mock/stats                收到的请求数（按接口统计）
    POST /mock/faults               预约故障：{"mode": "500", "count": 1}；DELETE 清除

故障注入（三种方式，任选其一）：
    请求头   X-Mock-Fault: 401 | 429 | 500 | timeout | break | moderation | ...
    模型名   mock-fault-401 / mock-fault-429 / ...
    预约     POST /mock/faults，让接下来 count 个模型请求失败

提供方差异：`create_app(profile="bailian")`（或 `python -m shared.mock --profile bailian`）让接口表面
按该提供方的文档回应，决策逻辑不变。见 profiles.py。
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections import Counter, OrderedDict

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from shared.mock import brain, profiles, wire
from shared.mock.conversations import ConversationStore
from shared.mock.conversations import routes as conversation_routes

FAULT_MODES = ("401", "402", "403", "404", "429", "500", "503", "moderation", "timeout", "break")
MODELS = ("mock-model", "mock-reasoner") + tuple(f"mock-fault-{m}" for m in FAULT_MODES)


class BrokenStream(Exception):
    """故意中断连接（故障模式 break）。"""


class MockState:
    def __init__(self) -> None:
        self.responses: OrderedDict[str, list[brain.Turn]] = OrderedDict()
        self.armed: list[str] = []  # 预约的故障，按顺序消耗
        self.stats: Counter[str] = Counter()
        self.conversations = ConversationStore()

    def remember(self, rid: str, turns: list[brain.Turn]) -> None:
        self.responses[rid] = turns
        while len(self.responses) > 2000:
            self.responses.popitem(last=False)


def stream_delay() -> float:
    """流式分片之间的间隔（秒）：MOCK_STREAM_DELAY，默认 0.02，测试里设 0。"""
    try:
        return max(0.0, float(os.environ.get("MOCK_STREAM_DELAY", "0.02")))
    except ValueError:
        return 0.02


def latency() -> float:
    """每次回答前等多久（秒）：MOCK_LATENCY 是毫秒数，默认 0。讲课时想要接近真实模型的节奏
    （比如 MOCK_LATENCY=800：每次调用先“想” 0.8 秒），就设它；流式回答在第一个分片之前等。"""
    raw = os.environ.get("MOCK_LATENCY", "").strip()
    if not raw:
        return 0.0
    try:
        return max(0.0, float(raw)) / 1000
    except ValueError:
        return 0.0


def error_body(status: int, message: str, kind: str, code: str | None = None,
               param: str | None = None) -> JSONResponse:
    headers = {"retry-after": os.environ.get("MOCK_RETRY_AFTER", "1")} if status == 429 else None
    return JSONResponse(
        {"error": {"message": message, "type": kind, "param": param, "code": code}},
        status_code=status, headers=headers,
    )


FAULTS = {
    "401": (401, "Incorrect API key provided: mock-key.（模拟故障 401：Key 无效）", "invalid_request_error", "invalid_api_key"),
    "403": (403, "You are not allowed to use this model.（模拟故障 403）", "invalid_request_error", "permission_denied"),
    "404": (404, "The model does not exist or you do not have access to it.（模拟故障 404）", "invalid_request_error", "model_not_found"),
    "429": (429, "Rate limit reached. Please try again in 1s.（模拟故障 429：限流）", "requests", "rate_limit_exceeded"),
    "500": (500, "The server had an error while processing your request.（模拟故障 500）", "server_error", None),
    "503": (503, "The engine is currently overloaded.（模拟故障 503）", "server_error", None),
    "402": (429, "You exceeded your current quota, please check your plan and billing details.（模拟故障 402：额度不足）", "insufficient_quota", "insufficient_quota"),
    "moderation": (400, "Invalid prompt: your prompt was flagged as potentially violating our usage policy.（模拟故障 moderation：内容审核）", "invalid_request_error", "invalid_prompt"),
}


def create_app(profile: str | None = None) -> Starlette:
    """`profile`：按哪个提供方的接口表面回应（None / "openai" 为默认，见 profiles.py）。"""
    state = MockState()
    surface = profiles.get_profile(profile)

    def fault_for(request: Request, body: dict) -> str | None:
        header = request.headers.get("x-mock-fault", "").strip().lower()
        if header:
            return header
        model = str(body.get("model", ""))
        if model.startswith("mock-fault-"):
            return model.removeprefix("mock-fault-")
        if state.armed:
            return state.armed.pop(0)
        return None

    async def hang(request: Request) -> Response:
        limit = float(os.environ.get("MOCK_HANG_SECONDS", "120"))
        waited = 0.0
        while waited < limit and not await request.is_disconnected():
            await asyncio.sleep(0.05)
            waited += 0.05
        return error_body(504, "Mock timeout elapsed.（模拟故障 timeout）", "timeout")

    async def read_body(request: Request) -> dict:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            raise wire.BadRequest("We could not parse the JSON body of your request.") from None
        if not isinstance(body, dict):
            raise wire.BadRequest("The request body must be a JSON object.")
        if not body.get("model") and not body.get("prompt"):  # 带存储的 prompt 时模型可以由 prompt 决定
            raise wire.BadRequest("Missing required parameter: 'model'.", "model")
        return body

    async def paced_sse(frames, fault: str | None, done: bool) -> object:
        """按节奏发送 SSE 帧；fault == "break" 时发到一半把连接掐断。"""
        frames = list(frames)
        cut = len(frames) // 2 if fault == "break" else None
        delay = stream_delay()
        for i, frame in enumerate(frames):
            if i == cut:
                raise BrokenStream()
            yield frame
            if delay:
                await asyncio.sleep(delay)
        if done:
            yield "data: [DONE]\n\n"

    async def model_call(request: Request, api: str) -> Response:
        state.stats[api] += 1
        try:
            body = await read_body(request)
            fault = fault_for(request, body)
            if fault == "moderation" and not surface.moderation:
                fault = None  # 这个提供方没有内容审核（本地 Ollama）：照常回答
            provider_fault = surface.fault(fault, str(body["model"])) if fault else None
            if provider_fault is not None:  # 提供方自己的错误体（profile）
                return provider_fault.response()
            if fault in FAULTS:
                return error_body(*FAULTS[fault])
            if fault == "timeout":
                return await hang(request)
            if fault and fault != "break":
                raise wire.BadRequest(f"Unknown X-Mock-Fault {fault!r}; use one of {', '.join(FAULT_MODES)}.")
            pause = latency()
            if pause:
                await asyncio.sleep(pause)
            stream = bool(body.get("stream"))
            if api == "chat":
                if not surface.is_default:  # profile：按提供方文档检查 / 改写请求
                    body = surface.chat_body(body)
                conv = wire.chat_conversation(body)
                _profile_conversation(surface, conv, body)
                plan = brain.decide(conv)
                field = surface.reasoning_field
                if not stream:
                    return _maybe_broken(wire.chat_response(body, conv, plan, field), fault)
                frames = (f"data: {data}\n\n" for data in wire.chat_stream(body, conv, plan, field))
                return _sse(paced_sse(frames, fault, done=True))

            body = profiles.check_responses(surface, body)
            history: list[brain.Turn] = []
            previous = body.get("previous_response_id")
            thread = wire.conversation_id(body)
            if previous and thread:
                return error_body(400, "Cannot use both 'previous_response_id' and 'conversation'.",
                                  "invalid_request_error", None, "conversation")
            if previous:
                if previous not in state.responses:
                    return error_body(400, f"Previous response with id '{previous}' not found.",
                                      "invalid_request_error", "previous_response_not_found",
                                      "previous_response_id")
                history = state.responses[previous]
            if thread:  # Conversations API：会话里已有的条目接在输入前面
                stored = state.conversations.get(thread) if surface.is_default else None
                if stored is None:
                    return error_body(404, f"Conversation with id '{thread}' not found.",
                                      "invalid_request_error", None, "conversation")
                history = wire.responses_turns(stored["items"], [])
            conv = wire.responses_conversation(body, history)
            _profile_conversation(surface, conv, body)
            plan = brain.decide(conv)
            rid = "resp_" + uuid.uuid4().hex[:24]
            items = wire.output_items(plan)
            state.remember(rid, wire.history_after(conv, items))
            if thread:  # 这次的输入和输出追加进会话
                state.conversations.append(thread, wire.input_items(body) + items)
            if not stream:
                return _maybe_broken(wire.response_object(body, conv, plan, rid, items), fault)
            frames = (
                f"event: {name}\ndata: {data}\n\n"
                for name, data in wire.responses_stream(body, conv, plan, rid, items)
            )
            return _sse(paced_sse(frames, fault, done=False))
        except wire.BadRequest as exc:
            if not surface.is_default:
                return surface.bad_request(str(exc), exc.param, exc.code).response()
            return error_body(400, str(exc), "invalid_request_error", exc.code, exc.param)
        except profiles.ProviderError as exc:
            return exc.response()
        except ClientDisconnect:  # 客户端没发完请求就走了（运行被取消）：没人听回答，也不是错误
            return Response(status_code=499)

    async def chat_completions(request: Request) -> Response:
        return await model_call(request, "chat")

    async def responses(request: Request) -> Response:
        if not surface.responses_endpoint:
            state.stats["responses"] += 1
            return _response(surface.no_responses())
        return await model_call(request, "responses")

    async def models(request: Request) -> Response:
        names = tuple(surface.models) or MODELS
        return JSONResponse({"object": "list", "data": [
            {"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "its-mock"} for m in names
        ]})

    async def health(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    async def stats(request: Request) -> Response:
        return JSONResponse({"requests": dict(state.stats), "armed_faults": list(state.armed)})

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            state.armed.clear()
            return JSONResponse({"armed_faults": []})
        try:
            spec = json.loads(await request.body() or b"{}")
            mode, count = str(spec["mode"]), int(spec.get("count", 1))
        except (ValueError, KeyError, TypeError):
            return error_body(400, 'Body must be {"mode": "500", "count": 1}.', "invalid_request_error")
        if mode not in FAULT_MODES:
            return error_body(400, f"mode must be one of {', '.join(FAULT_MODES)}.", "invalid_request_error")
        state.armed.extend([mode] * count)
        return JSONResponse({"armed_faults": list(state.armed)})

    app = Starlette(routes=[
        *conversation_routes(state.conversations, lambda: surface.is_default, lambda: _response(surface.no_responses())),
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        Route("/v1/responses", responses, methods=["POST"]),
        Route("/v1/models", models, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/mock/stats", stats, methods=["GET"]),
        Route("/mock/faults", faults, methods=["POST", "DELETE"]),
    ])
    app.state.mock = state
    app.state.profile = surface
    return app


def _profile_conversation(surface: profiles.Profile, conv: brain.Conversation, body: dict) -> None:
    """profile 的两处小改动：思考模式由提供方规则决定；json_object 时照指令里的 JSON Schema 输出。"""
    if not surface.is_default and "messages" in body:
        conv.reasoning = surface.thinking(str(body["model"]), body)
    if conv.json_mode and conv.schema is None:
        conv.schema = profiles.adopt_schema_from_instructions(conv.system)


def _response(answer: Response | profiles.ProviderError) -> Response:
    return answer.response() if isinstance(answer, profiles.ProviderError) else answer


def _sse(frames) -> StreamingResponse:
    return StreamingResponse(frames, media_type="text/event-stream",
                             headers={"cache-control": "no-cache", "x-accel-buffering": "no"})


def _maybe_broken(payload: dict, fault: str | None) -> Response:
    data = json.dumps(payload, ensure_ascii=False).encode()
    if fault != "break":
        return Response(data, media_type="application/json")

    async def half():
        yield data[: len(data) // 2]
        raise BrokenStream()

    # 声明完整长度，只发一半就断开：客户端会看到连接中途断开。
    return StreamingResponse(half(), media_type="application/json",
                             headers={"content-length": str(len(data))})
