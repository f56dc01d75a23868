"""综合案例的 SSE 响应（its_service/sse.py）：编码、空闲心跳、顾客断开、生成器出错。

不起服务，直接按 ASGI 调用 `EventStreamResponse`：`Channel` 扮演 uvicorn——记下发出的每条消息，
`receive()` 一直等到顾客断开或者响应发完（ASGI 规定发完之后 receive 返回 `http.disconnect`）。
经过真服务的对话流和断开，test_capstone_api.py 里另有测试。
"""

from __future__ import annotations

import asyncio
import importlib
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import tests.capstone  # noqa: F401  把 07_projects 放进 sys.path，才能 import its_service

Event = importlib.import_module("its_service.events").Event
EventStreamResponse = importlib.import_module("its_service.sse").EventStreamResponse

PING = b": ping\n\n"


class Channel:
    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.complete = asyncio.Event()
        self.gone = asyncio.Event()  # 顾客断开

    async def send(self, message: dict) -> None:
        assert not self.complete.is_set(), "响应发完之后又发了消息"
        self.sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            self.complete.set()

    async def receive(self) -> dict:
        waiters = [asyncio.ensure_future(self.complete.wait()), asyncio.ensure_future(self.gone.wait())]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        return {"type": "http.disconnect"}

    def bodies(self) -> list[bytes]:
        return [m["body"] for m in self.sent if m["type"] == "http.response.body" and m["body"]]


async def serve(response: EventStreamResponse, channel: Channel) -> None:
    await response({"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}},
                   channel.receive, channel.send)


def test_events_are_encoded_as_standard_sse_and_the_stream_ends() -> None:
    async def events() -> AsyncIterator[Event]:
        yield Event("session", {"session_id": "s1"})
        yield Event("text_delta", {"text": "您好，订单已发货"})
        yield Event("run_completed", {"final_output": "您好，订单已发货"})

    channel = Channel()
    asyncio.run(serve(EventStreamResponse(events()), channel))

    start = channel.sent[0]
    assert start["type"] == "http.response.start" and start["status"] == 200
    headers = dict(start["headers"])
    assert headers[b"content-type"].startswith(b"text/event-stream")
    assert headers[b"cache-control"] == b"no-cache" and headers[b"x-accel-buffering"] == b"no"
    assert b"content-length" not in headers
    assert channel.bodies() == [
        b'event: session\ndata: {"session_id": "s1"}\n\n',
        'event: text_delta\ndata: {"text": "您好，订单已发货"}\n\n'.encode(),  # 中文不转义成 \uXXXX
        'event: run_completed\ndata: {"final_output": "您好，订单已发货"}\n\n'.encode(),
    ]
    assert channel.sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


def test_a_quiet_stream_gets_pings_and_a_busy_one_does_not() -> None:
    async def events() -> AsyncIterator[Event]:
        for i in range(5):                       # 忙：每 20ms 一个事件，比心跳间隔短
            yield Event("text_delta", {"text": str(i)})
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.35)                # 安静：等主管审批那样
        yield Event("run_completed", {"final_output": "01234"})

    channel = Channel()
    asyncio.run(serve(EventStreamResponse(events(), ping=0.1), channel))

    bodies = channel.bodies()
    assert PING not in bodies[:5]                # 事件接连不断时不插心跳
    quiet = bodies[5:-1]
    assert 2 <= len(quiet) <= 4 and set(quiet) == {PING}
    assert bodies[-1].startswith(b"event: run_completed")


def test_disconnect_stops_the_generator_and_runs_its_cleanup() -> None:
    cleaned: list[str] = []

    async def events() -> AsyncIterator[Event]:
        try:
            yield Event("session", {"session_id": "s1"})
            await asyncio.Event().wait()         # 模型还在想……
            yield Event("text_delta", {"text": "永远发不出来"})
        finally:
            cleaned.append("closed")

    async def scenario() -> float:
        channel = Channel()
        serving = asyncio.create_task(serve(EventStreamResponse(events()), channel))
        await asyncio.sleep(0.05)
        channel.gone.set()                       # 顾客关了页面
        started = time.perf_counter()
        await asyncio.wait_for(serving, 2)
        assert channel.bodies() == [b'event: session\ndata: {"session_id": "s1"}\n\n']
        return time.perf_counter() - started

    assert asyncio.run(scenario()) < 0.5
    assert cleaned == ["closed"]


def test_a_failing_generator_surfaces_at_once_instead_of_hanging() -> None:
    async def events() -> AsyncIterator[Event]:
        yield Event("session", {"session_id": "s1"})
        raise RuntimeError("boom")

    async def scenario() -> None:
        channel = Channel()
        # 心跳间隔 10 秒：要是“看”的那一半不知道“写”的那一半已经死了，这里会等满 10 秒
        await asyncio.wait_for(serve(EventStreamResponse(events(), ping=10), channel), 2)

    with pytest.raises(RuntimeError, match="boom"):
        asyncio.run(scenario())


def test_a_send_that_fails_because_the_client_left_is_a_disconnect_not_an_error() -> None:
    """按 ASGI 2.4 实现的服务器：顾客断开后 send 抛 OSError（而不是悄悄丢掉），receive 可能还没醒。"""
    cleaned: list[str] = []

    class Gone(Channel):
        async def send(self, message: dict) -> None:
            if self.sent:
                raise OSError("connection reset by peer")
            await super().send(message)

    async def events() -> AsyncIterator[Event]:
        try:
            yield Event("session", {"session_id": "s1"})
            await asyncio.sleep(5)
        finally:
            cleaned.append("closed")

    async def scenario() -> list[str]:
        await asyncio.wait_for(serve(EventStreamResponse(events()), Gone()), 2)
        return list(cleaned)  # 生成器在响应结束时就关了，不是等事件循环收尾时才被回收

    assert asyncio.run(scenario()) == ["closed"]


def test_docs_list_the_events_the_readme_tables_list() -> None:
    """/docs 里两条流的事件名（`openapi_responses`）和 07_projects/README.md 的两张事件表一致：
    加了事件、忘了写进文档的一边，这里会发现。"""
    chat = importlib.import_module("its_service.routes.chat")
    sessions = importlib.import_module("its_service.routes.sessions")
    readme = (Path(__file__).resolve().parents[1] / "07_projects" / "README.md").read_text(encoding="utf-8")

    def table_after(marker: str) -> set[str]:
        """marker 之后第一张表，每行第一格里反引号括起来的事件名。"""
        rows = readme[readme.index(marker):].split("\n\n| 事件 |", 1)[1].split("\n\n", 1)[0].splitlines()
        return {name for row in rows[2:] for name in re.findall(r"`([a-z_]+)`", row.split("|")[1])}

    def documented(responses: dict) -> set[str]:
        return set(responses[200]["content"]["text/event-stream"]["itemSchema"]["properties"]["event"]["enum"])

    chat_table = table_after("`POST /api/chat/sse`，JSON 体")
    updates_table = table_after("**等审批结果**")
    updates_route = next(r for r in sessions.router.routes if r.path.endswith("/updates"))
    chat_route = next(r for r in chat.router.routes if r.path == "/api/chat/sse" and "POST" in r.methods)
    assert {"session", "text_delta", "run_completed", "approval_required", "error"} <= chat_table
    assert {"approval_decided", "notice", "idle"} <= updates_table
    assert documented(chat_route.responses) == chat_table
    assert documented(updates_route.responses) == chat_table | updates_table  # “上表的 …”：对话流的事件都可能出现
