"""跑场景：对着谁跑（进程内的团队，或者 `--url` 指向的正在运行的服务）、几个一起跑、遇到限流怎么退避。

两种“对象”给出同样的东西——每一轮的 SSE 事件（带上距离发出这句话的毫秒数），打分只看这些事件：

- `InProcessTarget`：本进程里照服务的样子建几个 worker（adapter.InProcessService，一个并发位置一个，
  各有一份演示业务库）。每个场景开始前把业务库恢复原样，所以场景之间互不影响、跑几遍都一样；
- `HttpTarget`：正在运行的服务（`python 07_projects/app.py`），像浏览器一样 `POST /api/login` 选顾客、
  `POST /api/chat/sse` 发消息、读 SSE。数据是那个服务自己的业务库，评测会真的退款、建工单。

限流（模型 429，或服务回 429）：所有并发位置一起停一会儿（2、4、8…秒，最多 60 秒），这个场景从头重跑，
最多试 5 次；还不行就照实记下 `rate_limited` 错误。
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import adapter
from scenarios import Scenario

MAX_ATTEMPTS = 5
RATE_LIMIT_CODES = {"rate_limited"}
WARMUP = ("C001", "你好")  # 进程内评测开始前，每个并发位置先问的一句（不计入结果）
Raw = list[dict[str, Any]]  # 一个场景的各轮：{"user", "events": [[毫秒, 事件名, data], ...]}


class RateLimited(Exception):
    """这个场景撞上了限流：退避之后从头重跑。"""


class Backoff:
    """所有并发位置共用的“先别发”时刻：一个位置撞上 429，大家一起等。"""

    def __init__(self, base: float = 2.0, cap: float = 60.0) -> None:
        self.base, self.cap = base, cap
        self.until = 0.0
        self.events = 0

    async def wait(self) -> None:
        while (delay := self.until - time.monotonic()) > 0:
            await asyncio.sleep(delay)

    def hit(self, attempt: int) -> float:
        self.events += 1
        delay = min(self.cap, self.base * 2 ** (attempt - 1))
        self.until = max(self.until, time.monotonic() + delay)
        return delay


def _elapsed(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def _rate_limited(events: list[list[Any]]) -> bool:
    return any(name == "error" and data.get("code") in RATE_LIMIT_CODES for _, name, data in events)


# ---------------------------------------------------------------- 进程内


class InProcessTarget:
    """本进程里的 N 个客服 worker（N = 并发数），共用同一个模型客户端（`.env` 里配置的）。"""

    mode = "in-process"

    def __init__(self, concurrency: int, weaken: str | None = None) -> None:
        self.concurrency = concurrency
        self.weaken = weaken
        self.workdir = adapter.new_workdir()
        self.slots: asyncio.Queue[adapter.InProcessService] = asyncio.Queue()
        self.services: list[adapter.InProcessService] = []
        self.team: dict[str, Any] = {}

    def describe(self) -> dict[str, Any]:
        from shared.factory import get_settings

        s = get_settings()
        return {"mode": self.mode, "provider": s.provider, "label": s.label, "model": s.model,
                "url": None, "weaken": self.weaken}

    async def start(self) -> None:
        pristine = self.workdir / "pristine_shop.db"
        adapter.seed_demo_db(pristine)
        self.services = [adapter.InProcessService(self.workdir / f"worker{i}", pristine, self.weaken)
                         for i in range(self.concurrency)]
        # 一个一个启动：每个都要拉起一个业务服务子进程，同时起会把 2 核机器挤满、谁都慢。
        # 每个先问一句预热（不计入结果）：第一次调用模型要建连接、加载分词词典，不该算在第一个场景的延迟上。
        for service in self.services:
            await service.start()
            async with contextlib.aclosing(service.ask(WARMUP[0], WARMUP[1], None)) as stream:
                async for _ in stream:
                    pass
            self.slots.put_nowait(service)
        self.team = self.services[0].team_card()

    async def converse(self, scenario: Scenario) -> Raw:
        service = await self.slots.get()
        try:
            await service.reset()
            turns: Raw = []
            session: str | None = None
            for turn in scenario.turns:
                start = time.perf_counter()
                events: list[list[Any]] = []
                async with contextlib.aclosing(service.ask(scenario.customer, turn.user, session)) as stream:
                    async for name, data in stream:
                        events.append([_elapsed(start), name, data])
                        if name == "session":
                            session = data.get("session_id")
                turns.append({"user": turn.user, "events": events})
                if _rate_limited(events):
                    raise RateLimited
            return turns
        finally:
            self.slots.put_nowait(service)

    async def close(self) -> None:
        for service in self.services:
            with contextlib.suppress(Exception):
                await service.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


# ---------------------------------------------------------------- 正在运行的服务


def parse_sse_line(line: str, state: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """按 SSE 规范逐行解析：空行结束一个事件；`event:`、多行 `data:`；冒号开头是注释（心跳）。"""
    if line == "":
        data, state["data"] = state.get("data", []), []
        name, state["event"] = state.get("event", "message"), "message"
        return (name, json.loads("\n".join(data))) if data else None
    if line.startswith(":"):
        return None
    field, _, value = line.partition(":")
    value = value[1:] if value.startswith(" ") else value
    if field == "event":
        state["event"] = value
    elif field == "data":
        state.setdefault("data", []).append(value)
    return None


class HttpTarget:
    """`--url`：像浏览器一样用服务的 HTTP/SSE 接口。`staff_token` 给了的话，场景里提交的审批单评测完就拒绝掉
    （否则同一订单的下一次申请会被“已有一笔在等审核”挡住）。"""

    mode = "url"

    def __init__(self, url: str, staff_token: str = "", timeout: float = 180.0) -> None:
        import httpx2

        self.url = url.rstrip("/")
        self.staff_token = staff_token
        self.timeout = httpx2.Timeout(timeout, connect=10.0)
        self.health: dict[str, Any] = {}
        self.team: dict[str, Any] = {}
        self.pending_approvals: list[str] = []

    def describe(self) -> dict[str, Any]:
        from shared.config import PRESETS

        provider = self.health.get("provider", "")
        label = PRESETS[provider].label if provider in PRESETS else provider
        return {"mode": self.mode, "provider": provider, "label": label, "model": self.health.get("model", ""),
                "url": self.url, "weaken": None}

    async def start(self) -> None:
        import httpx2

        async with httpx2.AsyncClient(base_url=self.url, timeout=self.timeout) as client:
            try:
                health = await client.get("/healthz")
                team = await client.get("/api/team")
            except httpx2.HTTPError as exc:
                raise ConnectionError(f"连不上 {self.url}（{exc}）：服务启动了吗？（python 07_projects/app.py）") from None
            if health.status_code != 200 or team.status_code != 200:
                raise ConnectionError(f"{self.url} 不像 ITS 客服服务：/healthz 回 {health.status_code}，"
                                      f"/api/team 回 {team.status_code}")
            self.health, self.team = health.json(), team.json()

    async def converse(self, scenario: Scenario) -> Raw:
        import httpx2

        async with httpx2.AsyncClient(base_url=self.url, timeout=self.timeout) as client:
            login = await client.post("/api/login", json={"customer_id": scenario.customer})
            if login.status_code == 429:
                raise RateLimited
            login.raise_for_status()
            turns: Raw = []
            session: str | None = None
            for turn in scenario.turns:
                body = {"query": turn.user, **({"session_id": session} if session else {})}
                start = time.perf_counter()
                events: list[list[Any]] = []
                async with client.stream("POST", "/api/chat/sse", json=body) as response:
                    if response.status_code == 429:
                        raise RateLimited
                    if response.status_code != 200:
                        text = (await response.aread()).decode("utf-8", "replace")[:300]
                        events.append([_elapsed(start), "error", {"code": f"http_{response.status_code}",
                                                                  "message": text}])
                    else:
                        state: dict[str, Any] = {}
                        async for line in response.aiter_lines():
                            parsed = parse_sse_line(line, state)
                            if parsed is None:
                                continue
                            events.append([_elapsed(start), *parsed])
                            if parsed[0] == "session":
                                session = parsed[1].get("session_id")
                            if parsed[0] in ("run_completed", "approval_required", "error"):
                                break
                turns.append({"user": turn.user, "events": events})
                for _, name, data in events:
                    if name == "approval_required" and data.get("approval_id"):
                        await self._dismiss(client, data["approval_id"])
                if _rate_limited(events):
                    raise RateLimited
            return turns

    async def _dismiss(self, client: Any, approval_id: str) -> None:
        if not self.staff_token:
            self.pending_approvals.append(approval_id)
            return
        await client.post(f"/api/staff/approvals/{approval_id}",
                          headers={"Authorization": f"Bearer {self.staff_token}"},
                          json={"decision": "reject", "note": "评测脚本自动拒绝：只检查有没有提交审批"})

    async def close(self) -> None:
        pass


# ---------------------------------------------------------------- 并发、退避、进度


class Progress:
    """进度条（写 stderr）：终端里是一行不断刷新的条；输出被重定向时每完成约 10% 打一行。"""

    def __init__(self, total: int, label: str = "场景", stream: Any = None) -> None:
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() and os.environ.get("TERM") != "dumb"
        self.done = self.failed = 0
        self.started = time.perf_counter()
        self._last_line = -1

    def advance(self, passed: bool | None = None) -> None:
        self.done += 1
        self.failed += passed is False
        elapsed = time.perf_counter() - self.started
        if self.tty:
            width = 28
            filled = int(width * self.done / max(1, self.total))
            bar = "█" * filled + "░" * (width - filled)
            extra = f" · 没通过 {self.failed}" if passed is not None else ""
            self.stream.write(f"\r{bar} {self.done}/{self.total} {self.label}{extra} · {elapsed:.0f}s ")
            self.stream.flush()
        else:
            step = max(1, self.total // 10)
            if self.done == self.total or self.done // step != self._last_line:
                self._last_line = self.done // step
                self.stream.write(f"进度：{self.done}/{self.total} {self.label}（{elapsed:.0f}s）\n")
                self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


async def run_jobs(target: Any, jobs: list[tuple[Scenario, int]], concurrency: int,
                   on_done: Callable[[Scenario, int, Raw, int], None], backoff: Backoff | None = None) -> Backoff:
    """N 个并发位置从队列里取 (场景, 第几次重复) 来跑；每跑完一个调 `on_done(场景, 第几次, 各轮, 试了几次)`。
    被取消（Ctrl+C）时正在跑的场景直接丢掉，已经完成的都已经交给 on_done 了。"""
    queue: asyncio.Queue[tuple[Scenario, int]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    backoff = backoff or Backoff()

    async def worker() -> None:
        while not queue.empty():
            scenario, repeat = queue.get_nowait()
            raw: Raw = []
            attempts = 0
            for attempts in range(1, MAX_ATTEMPTS + 1):  # noqa: B007  试到第几次，交给 on_done
                await backoff.wait()
                try:
                    raw = await target.converse(scenario)
                    break
                except RateLimited:
                    if attempts == MAX_ATTEMPTS:
                        raw = [{"user": t.user, "events": [[0.0, "error", {
                            "code": "rate_limited", "message": f"限流，重试 {MAX_ATTEMPTS} 次后放弃"}]]}
                            for t in scenario.turns[:1]]
                        break
                    delay = backoff.hit(attempts)
                    print(f"\n限流（429）：所有并发位置暂停 {delay:.0f} 秒，场景 {scenario.id} 稍后重跑"
                          f"（第 {attempts + 1} 次）", file=sys.stderr, flush=True)
            on_done(scenario, repeat, raw, attempts)

    workers = [asyncio.create_task(worker(), name=f"eval-worker-{i}") for i in range(concurrency)]
    try:
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    return backoff


def default_out_dir(provider: str, model: str) -> Path:
    """默认的输出文件夹：data/evals/<时间>-<提供方>-<模型>（data/ 已被 git 忽略，ITS_DATA_DIR 可改）。"""
    from shared.factory import data_path

    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in f"{provider}-{model}")
    return data_path("evals") / f"{time.strftime('%Y%m%d-%H%M%S')}-{safe}"
