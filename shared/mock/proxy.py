"""录制 / 回放代理：套在内置模拟模型外面的一层 ASGI 应用。

四种模式（`mode`）：

| 模式 | 录像里有这个请求 | 录像里没有 |
|---|---|---|
| `record` | —（每个请求都转发给上游，回答存进录像；同一课重录时覆盖旧的） | 转发并录下 |
| `replay` | 照录下的回答回放（流式按录下的节奏，`speed` 倍速） | 交给内置模拟模型回答，stderr 打印一行提示 |
| `strict` | 回放 | 回一个错误（404，`cassette_miss`），说明是哪个请求没录到 |
| `record-on-miss` | 回放 | 转发给上游并录下（有网络时补录） |

只处理 `/v1/` 下的请求；`/health`、`/mock/...` 照旧交给模拟模型。转发用 `httpx2`（`openai` 客户端自己用的
HTTP 库）；上游的 Key 由代理加在请求头里，课程脚本发给代理的 Key 不转发、也不存。

- 进程内：`.env` 里写 `MOCK_CASSETTE=录像文件` 时，`shared.config.get_settings()` 调 `ensure_cassette_server()`，
  在本进程后台线程里起一个带这层代理的模拟模型（和没有 Key 时的内置模拟模型一样，不用另开进程）。
- 单独运行：`python -m shared.mock --record 录像 --upstream deepseek` / `--replay 录像`（见 classroom.py）。
"""

from __future__ import annotations

import asyncio
import atexit
import codecs
import hashlib
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from shared.mock.cassette import (
    Cassette,
    CassetteError,
    Entry,
    Scrubber,
    clean_url,
    normalise,
    request_key,
    summarise,
)

__all__ = ["MODES", "CassetteApp", "Upstream", "ensure_cassette_server", "replay_speed"]

MODES = ("replay", "strict", "record", "record-on-miss")
FORWARDING = ("record", "record-on-miss")
LESSON_HEADER = "x-course-lesson"  # shared.factory 在发给本机地址的请求上加的：这个请求来自哪一课
# 不转发给上游的请求头：逐跳头、长度（httpx 重算）、压缩（让上游回明文，录像里才读得懂）、本课程自己的头。
_HOP = frozenset({"host", "connection", "keep-alive", "transfer-encoding", "content-length", "upgrade",
                  "accept-encoding", "authorization", "api-key", "x-api-key", "cookie", "proxy-authorization",
                  LESSON_HEADER})
# 不回给客户端的响应头（代理已经解压、重新分块）。
_DROP_RESPONSE = frozenset({"content-length", "content-encoding", "transfer-encoding", "connection",
                            "keep-alive", "set-cookie"})
# 这些状态是临时的或者和 Key 有关（限流、服务器错误、Key 无效）：回给客户端，但不录（录下来就永远失败）。
_NOT_RECORDED = frozenset({401, 403, 408, 409, 429})

Send = Callable[[dict], Awaitable[None]]
Receive = Callable[[], Awaitable[dict]]


def replay_speed() -> float:
    """回放倍速：`MOCK_REPLAY_SPEED`，1（默认）= 录制时的节奏，2 = 快一倍，0 = 不等待。"""
    raw = os.environ.get("MOCK_REPLAY_SPEED", "").strip()
    try:
        return max(0.0, float(raw)) if raw else 1.0
    except ValueError:
        return 1.0


def _notice(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@dataclass
class Upstream:
    """录制时转发到哪里：真实提供方的 base_url 和 Key（和课程脚本一样由 shared.config 从 .env 读出）。"""

    base_url: str
    api_key: str = ""

    def url(self, path: str, query: bytes = b"") -> str:
        # 客户端请求的是 <代理>/v1/chat/completions，上游的 base_url 已经含版本前缀（…/v1、…/compatible-mode/v1）；
        # base_url 自己带查询串（有的网关把 Key 放在 ?key=... 里）时，和客户端的查询串拼在一起。
        base = urlsplit(self.base_url)
        rest = path[len("/v1"):] if path.startswith("/v1/") else path
        queries = [q for q in (base.query, query.decode("latin-1")) if q]
        return urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + rest, "&".join(queries), ""))


class _SSEParser:
    """把上游的字节流切成 SSE 事件：{"event": 名字（可选）, "data": JSON 或原文}。"""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._buffer = ""

    def feed(self, chunk: bytes) -> list[dict]:
        self._buffer += self._decoder.decode(chunk).replace("\r\n", "\n").replace("\r", "\n")
        *blocks, self._buffer = self._buffer.split("\n\n")
        return [e for e in map(_parse_event, blocks) if e is not None]

    def close(self) -> list[dict]:
        rest, self._buffer = self._buffer + self._decoder.decode(b"", final=True), ""
        event = _parse_event(rest)
        return [event] if event else []


def _parse_event(block: str) -> dict | None:
    name, data = None, []
    for line in block.split("\n"):
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
    if not data:
        return None  # 注释（: keep-alive）或空块
    text = "\n".join(data)
    try:
        parsed: Any = json.loads(text)
    except ValueError:
        parsed = text
    return {"event": name, "data": parsed} if name else {"data": parsed}


def _factor_common(events: list[dict]) -> dict:
    """每个事件都一样的字段（chat 流里每块都重复的 id、object、created、model……）只存一次，放在 `common` 里。

    录像小一半，读起来也只剩每块不同的部分；回放时合并回去。
    """
    datas = [e["data"] for e in events if isinstance(e.get("data"), dict)]
    common = dict(datas[0]) if len(datas) > 1 else {}
    for data in datas[1:]:
        common = {k: v for k, v in common.items() if k in data and data[k] == v}
    if not common:
        return {"events": events}
    slim = [{**e, "data": {k: v for k, v in e["data"].items() if k not in common}}
            if isinstance(e.get("data"), dict) else e for e in events]
    return {"common": common, "events": slim}


def _sse_bytes(event: dict) -> bytes:
    data = event.get("data")
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    head = f"event: {event['event']}\n" if event.get("event") else ""
    return (head + "".join(f"data: {line}\n" for line in text.split("\n")) + "\n").encode("utf-8")


async def _read_body(receive: Receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _send_json(send: Send, status: int, payload: Any) -> None:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


class CassetteApp:
    """ASGI 应用：`/v1/` 下的请求按模式录制 / 回放，其余（以及回放没录到时）交给 `fallback`（内置模拟模型）。"""

    def __init__(self, fallback: Callable, cassette: Cassette, mode: str = "replay",
                 upstream: Upstream | None = None, speed: float = 1.0, lesson: str = "",
                 header: dict | None = None, secrets: tuple[str, ...] = (),
                 notify: Callable[[str], None] = _notice) -> None:
        if mode not in MODES:
            raise ValueError(f"录像模式 {mode!r} 不认识，可选：{' / '.join(MODES)}")
        if mode in FORWARDING and upstream is None:
            raise ValueError(f"{mode} 模式需要上游（upstream）")
        self.fallback = fallback
        self.cassette = cassette
        self.mode = mode
        self.upstream = upstream
        self.speed = speed
        self.lesson = lesson  # 请求没带 X-Course-Lesson 时算哪一课（进程内：就是本进程运行的脚本）
        self.scrubber = Scrubber((*secrets, upstream.api_key if upstream else ""))
        header = dict(header or {})
        if header.get("upstream"):
            header["upstream"] = clean_url(str(header["upstream"]))
        self.header = self.scrubber.value(header)
        self.notify = notify
        self.known = cassette.known_ids()
        self.counts: Counter[tuple[str, str]] = Counter()  # (课, key) → 这一课第几次发出这个请求
        self.stats: Counter[str] = Counter()  # hit / miss / recorded / forwarded
        self._warned: set[str] = set()
        self._client: Any = None
        self._lock = threading.Lock()
        self._inflight = 0  # 正在转发、还没写进录像的请求

    def wait_idle(self, timeout: float = 30.0) -> None:
        """等正在转发的请求写进录像。进程内录制时在退出前调用：课程脚本读到最后一块就结束了，
        而代理还要等上游把流关上、再写文件——不等的话，后台线程会随进程一起消失，这一条就丢了。"""
        deadline = time.monotonic() + timeout
        while self._inflight and time.monotonic() < deadline:
            time.sleep(0.01)

    async def __call__(self, scope: dict, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.fallback(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return  # 客户端没发完就走了
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        lesson = unquote(headers.get(LESSON_HEADER, "")) or self.lesson
        try:
            payload: Any = json.loads(body) if body else None
        except ValueError:
            payload = {"原始请求体 sha256": hashlib.sha256(body).hexdigest()}
        request = normalise(scope["method"], scope["path"], payload, self.known, self.scrubber)
        key = request_key(request)
        with self._lock:
            seq = self.counts[(lesson, key)]
            self.counts[(lesson, key)] += 1

        if self.mode != "record":
            entry = self.cassette.find(key, lesson, seq)
            if entry is not None:
                self.stats["hit"] += 1
                await self._play(entry, send)
                return
            self.stats["miss"] += 1
            if self.mode == "strict":
                message = (f"录像 {self.cassette.path.name} 里没有这个请求：{summarise(request)}（key {key}，"
                           f"来自 {lesson or '未知课程'}）。用 --record 重新录制这一课，"
                           "或去掉 --strict / MOCK_CASSETTE_MODE=strict，让内置模拟模型代答。")
                self.notify(f"✗ {message}")
                await _send_json(send, 404, {"error": {"message": message, "type": "cassette_miss",
                                                       "param": None, "code": "cassette_miss"}})
                return
            if self.mode == "replay":
                if key not in self._warned:
                    self._warned.add(key)
                    self.notify(f"⚠ 录像里没有这个请求，由内置模拟模型代答：{summarise(request)}（key {key}）")
                await self.fallback(scope, _replay_receive(body, receive), send)
                return
        await self._forward(scope, body, headers, request, lesson, seq, send)

    # ---- 回放

    async def _play(self, entry: Entry, send: Send) -> None:
        response = entry.response
        start = time.perf_counter()
        ctype = str(response.get("content_type") or "application/json")
        if entry.stream:
            await send({"type": "http.response.start", "status": entry.status,
                        "headers": [(b"content-type", ctype.encode("latin-1")), (b"cache-control", b"no-cache")]})
            common = response.get("common") or {}
            for event in response["events"]:
                await self._wait_until(start, float(event.get("t") or 0))
                if common and isinstance(event.get("data"), dict):
                    event = {**event, "data": {**common, **event["data"]}}
                await send({"type": "http.response.body", "body": _sse_bytes(event), "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        await self._wait_until(start, float(response.get("elapsed") or 0))
        body = response.get("body")
        data = body.encode("utf-8") if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": entry.status,
                    "headers": [(b"content-type", ctype.encode("latin-1")),
                                (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})

    async def _wait_until(self, start: float, t: float) -> None:
        if self.speed <= 0:
            return
        delay = start + t / self.speed - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)

    # ---- 转发与录制

    def _http(self) -> Any:
        if self._client is None:
            import httpx2

            # 读超时按最慢的推理模型留足；连不上时 10 秒内报错。
            self._client = httpx2.AsyncClient(timeout=httpx2.Timeout(600.0, connect=10.0))
        return self._client

    async def _forward(self, scope: dict, body: bytes, headers: dict[str, str], request: dict,
                       lesson: str, seq: int, send: Send) -> None:
        assert self.upstream is not None
        self.stats["forwarded"] += 1
        with self._lock:
            self._inflight += 1
        try:
            await self._relay(scope, body, headers, request, lesson, seq, send)
        finally:
            with self._lock:
                self._inflight -= 1

    async def _relay(self, scope: dict, body: bytes, headers: dict[str, str], request: dict,
                     lesson: str, seq: int, send: Send) -> None:
        assert self.upstream is not None
        url = self.upstream.url(scope["path"], scope.get("query_string") or b"")
        out = {k: v for k, v in headers.items() if k not in _HOP and not k.startswith("x-mock-")}
        key = self.upstream.api_key or headers.get("authorization", "").removeprefix("Bearer ").strip()
        if key:
            out["authorization"] = f"Bearer {key}"
        start = time.perf_counter()
        client = self._http()
        try:
            upstream = await client.send(client.build_request(scope["method"], url, content=body, headers=out),
                                         stream=True)
        except Exception as exc:  # noqa: BLE001  # 连不上、超时……：告诉客户端，不录
            message = self.scrubber.text(f"录制代理连不上上游 {clean_url(url)}：{type(exc).__name__}: {exc}")
            self.notify(f"✗ {message}")
            await _send_json(send, 424, {"error": {"message": message, "type": "upstream_unreachable",
                                                   "param": None, "code": "upstream_unreachable"}})
            return
        status = upstream.status_code
        ctype = upstream.headers.get("content-type", "application/json")
        response: dict[str, Any] = {"status": status, "content_type": ctype}
        complete = False
        try:
            await send({"type": "http.response.start", "status": status, "headers": [
                (k.encode("latin-1"), v.encode("latin-1")) for k, v in upstream.headers.items()
                if k.lower() not in _DROP_RESPONSE]})
            if "text/event-stream" in ctype:
                events: list[dict] = []
                parser = _SSEParser()
                async for chunk in upstream.aiter_bytes():
                    now = round(time.perf_counter() - start, 3)
                    events += [{"t": now, **e} for e in parser.feed(chunk)]
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                now = round(time.perf_counter() - start, 3)
                events += [{"t": now, **e} for e in parser.close()]
                response.update(_factor_common(events))
                await send({"type": "http.response.body", "body": b""})
            else:
                data = await upstream.aread()
                response["elapsed"] = round(time.perf_counter() - start, 3)
                try:
                    response["body"] = json.loads(data) if data else None
                except ValueError:
                    response["body"] = data.decode("utf-8", "replace")
                await send({"type": "http.response.body", "body": data})
            complete = True
        finally:
            await upstream.aclose()
        if complete and status not in _NOT_RECORDED and status < 500:
            self._record(Entry(request, self.scrubber.value(response), lesson, seq))

    def _record(self, entry: Entry) -> None:
        with self._lock:
            try:
                self.cassette.ensure_header(self.header)
            except CassetteError as exc:
                self.notify(f"✗ {exc}")
                return
            self.cassette.add(entry)
            self.known.update({rid: entry.reference for rid in entry.returned_ids()})
            self.stats["recorded"] += 1


def _replay_receive(body: bytes, receive: Receive) -> Receive:
    """把已经读出来的请求体再交给下一层应用（之后的 receive 照旧：断开连接的通知）。"""
    sent = False

    async def again() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


# ---------------------------------------------------------------- 进程内的录像服务


_lock = threading.Lock()
_server: Any = None


def preferred_port(path: Path) -> int:
    """按录像的文件名固定一个端口（20000–29999）：录制和回放时课程打印的地址一样，输出才能逐字节相同。"""
    digest = hashlib.sha256(path.name.encode("utf-8")).hexdigest()
    return 20000 + int(digest, 16) % 10000


def cassette_header(settings: Any) -> dict:
    """录像的文件头：回放时按它发出和录制时一样的请求（提供方、模型、是否走 Responses API）。"""
    return {"provider": settings.provider, "model": settings.model, "reasoning_model": settings.reasoning_model,
            "supports_responses": settings.supports_responses, "upstream": clean_url(settings.upstream)}


def ensure_cassette_server(settings: Any) -> str:
    """本进程的录像服务（`MOCK_CASSETTE`）：第一次调用时启动，之后复用。返回 base_url。"""
    global _server
    from shared.config import ConfigError, current_lesson, known_secrets, resolve_path
    from shared.mock import MockServer
    from shared.mock.profiles import PROFILES

    with _lock:
        if _server is not None:
            return _server.base_url
        path = resolve_path(settings.cassette)
        try:
            cassette = Cassette.load(path)
        except CassetteError as exc:
            raise ConfigError(f"MOCK_CASSETTE={settings.cassette}：{exc}") from None
        mode = settings.cassette_mode
        upstream = Upstream(settings.upstream, settings.upstream_key) if mode in FORWARDING else None
        app: dict[str, CassetteApp] = {}

        def wrap(inner: Callable) -> CassetteApp:
            app["cassette"] = CassetteApp(inner, cassette, mode, upstream, replay_speed(), current_lesson(),
                                          cassette_header(settings), known_secrets())
            return app["cassette"]

        profile = settings.provider if settings.provider in PROFILES else None
        try:
            server = MockServer(port=preferred_port(path), profile=profile, wrap=wrap)
        except OSError:  # 端口被占（比如同一个录像同时开着两课）：随便一个空闲端口，只是打印的地址会不同
            server = MockServer(port=0, profile=profile, wrap=wrap)
        _server = server.start()
        _server.cassette_app = app["cassette"]
        if mode in FORWARDING:
            atexit.register(app["cassette"].wait_idle)
            _notice(f"● 录像 {settings.cassette}：{'录制' if mode == 'record' else '回放，没录到的转发并补录'}，"
                    f"上游 {clean_url(settings.upstream)}")
        else:
            miss = "没录到的请求报错" if mode == "strict" else "没录到的请求由内置模拟模型代答"
            _notice(f"▶ 回放录像 {settings.cassette}（{len(cassette.entries)} 个条目，{miss}）")
        return _server.base_url
