"""SSE 响应：把 `Event` 写成 `text/event-stream`，空闲时发心跳，顾客断开就停下生成器。

两条流都用它：POST /api/chat/sse（routes/chat.py）和 GET /api/sessions/{id}/updates（routes/sessions.py）。
编码用 FastAPI 的 `format_sse_event`，写出来的字节和 FastAPI 自带的 `EventSourceResponse` 一样
（`event: 名字` + `data: JSON`，空行结束；心跳是注释行 `: ping`），页面和 `curl -N` 看不出区别。

**为什么不直接用 `EventSourceResponse`**：它为每条流开两个 anyio 任务组、四个任务、两条内存流，
每个事件要经过三次任务切换（为了让同步生成器、心跳计时和取消都通用）。一条流多花约 0.5 ms CPU，
平时看不出来；可 200 个顾客同时发来第一句时，一个 worker 的事件循环要把 200 条流都搭好，
才轮得到发出排在最后的那个 `session` 事件。load_test.py 的“框架地板”（什么都不做的 FastAPI SSE 接口，
200 个第一句同时到达）在同一台 2 核机器上：`EventSourceResponse` 每个请求 1.1 ms CPU、首个事件 p99 193 ms；
换成这里的响应 0.55 ms、112 ms。服务的首个事件 p99 跟着从 294 ms 降到 247 ms（07_projects/README.md）。

这里每条流只多开两个小任务：

- **写**：逐个取事件、编码、`send` 出去（Starlette `StreamingResponse.stream_response`）；
- **看**：等 `receive()`。收到 `http.disconnect` 就停——顾客关了页面，或者响应已经发完
  （ASGI 规定响应发完之后 `receive()` 也返回它）；`PING_SECONDS` 秒没写过东西，就发一个 `: ping`，
  代理（nginx 默认 60 秒）和浏览器不会把一条安静的流当成死连接（等主管审批的更新流可能安静好几分钟）。

谁先结束，另一个就被取消：顾客断开时，生成器在它正在等的地方收到取消，`aclosing` 让它的
清理代码跑完（对话流的后台任务不受影响，这一轮照样跑完、照样存进历史）。
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi.sse import KEEPALIVE_COMMENT, format_sse_event
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from its_service.events import Event

PING_SECONDS = 15.0


def frame(event: Event) -> bytes:
    # 自己编码 JSON（ensure_ascii=False）：用 curl -N 看原始事件流时，中文是中文而不是 \uXXXX。
    return format_sse_event(event=event.name, data_str=json.dumps(event.data, ensure_ascii=False))


def openapi_responses(*names: str) -> dict[int | str, dict[str, Any]]:
    """给路由的 `responses=`：/docs 里写明这条流是一串 SSE 事件、会有哪些事件名（OpenAPI 3.2 的
    `itemSchema`，FastAPI 自带的 SSE 接口也这样描述）。每个事件的字段见 07_projects/README.md 的事件表。"""
    item = {"type": "object", "required": ["event", "data"],
            "properties": {"event": {"type": "string", "enum": list(names)},
                           "data": {"type": "string", "contentMediaType": "application/json"}}}
    return {200: {"description": "SSE 事件流：每个事件是 `event: 名字` + `data: JSON`，空行隔开；"
                                 "安静时有 `: ping` 心跳注释",
                  "content": {"text/event-stream": {"itemSchema": item}}}}


class EventStreamResponse(StreamingResponse):
    """路由返回 `EventStreamResponse(事件的异步生成器)`；也用作路由的 `response_class`（文档里显示
    `text/event-stream`）。"""

    media_type = "text/event-stream"

    def __init__(self, events: AsyncIterator[Event], *, status_code: int = 200, ping: float = PING_SECONDS) -> None:
        # status_code 这个参数 FastAPI 生成 /docs 时要看（默认状态码从 __init__ 的签名里读）。
        # X-Accel-Buffering: no —— 放在 nginx 后面时，别把事件攒起来再一起发。
        super().__init__(self._frames(events), status_code=status_code,
                         headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        self.ping = ping
        self.last_write = 0.0

    async def _frames(self, events: AsyncIterator[Event]) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        async with contextlib.aclosing(events):
            async for event in events:
                self.last_write = loop.time()
                yield frame(event)

    async def _write(self, send: Send) -> None:
        # 不管怎么结束（发完、被取消、send 出错），生成器都在这里关掉，清理代码马上跑
        async with contextlib.aclosing(self.body_iterator):
            try:
                await self.stream_response(send)
            except OSError:  # 按 ASGI 2.4 实现的服务器，顾客断开后 send 会抛 OSError：和收到 http.disconnect 一样
                pass

    async def _watch(self, receive: Receive, send: Send) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                message = await asyncio.wait_for(receive(), self.ping)
            except asyncio.TimeoutError:  # Python 3.10 里它还不是内置的 TimeoutError
                if loop.time() - self.last_write >= self.ping:
                    self.last_write = loop.time()
                    await send({"type": "http.response.body", "body": KEEPALIVE_COMMENT, "more_body": True})
                continue
            if message["type"] == "http.disconnect":
                return

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.last_write = asyncio.get_running_loop().time()
        writer = asyncio.create_task(self._write(send))
        watcher = asyncio.create_task(self._watch(receive, send))
        try:
            await asyncio.wait((writer, watcher), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (watcher, writer):
                task.cancel()
            for task in (watcher, writer):
                with contextlib.suppress(asyncio.CancelledError):
                    await task  # 写的那一半自己出了错：在这里抛出，uvicorn 记日志、关连接
