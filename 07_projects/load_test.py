"""压测：一个 worker（开 / 关护栏）、两个 worker（共用 Redis）、两个 worker 连 PostgreSQL 业务库和“地板”
在同一台机器上并排比较，检查一个事件都不丢，并量出护栏每轮的代价。

这不是单元测试，是一把尺子。脚本在本机空闲端口上自己拉起所有东西（数据放临时目录，跑完删掉）：
1. 一个模拟模型进程（`python -m shared.mock`，MOCK_STREAM_DELAY=0：模型不“打字”，耗时全是开销）、
   一个 redis-server（不落盘；没装 redis-server 时退回 SQLite 会话库并注明）、一个业务服务
   （`python -m its_service mcp`，SQLite 业务库，带令牌）。前三组测量共用它们。
2. 【一个 worker】`app.py`，ITS_REDIS_URL + ITS_MCP_URL 指向上面的 Redis 和业务服务，护栏全开（默认）；
   --concurrency 个对话（默认 200）同时开始，每个对话是一位演示顾客（先 POST /api/login 拿到签名 cookie），
   每个问 --turns 轮（默认 2，第二轮带上 session_id），`POST /api/chat/sse`；问题取自这位顾客自己的订单物流
   （MCP 工具）、商品、审批门槛以下或不符合条件的退款；每条流都完整读完、逐个事件解析。压测客户端只用
   asyncio 流手写 HTTP/1.1 + SSE（每个对话一条 keep-alive 连接，像浏览器的一个标签页）：它和服务挤在
   同样两个核上，客户端自己慢，量到的首个事件就是尺子的时间（见下面 SseConnection 前的说明）。
3. 【一个 worker，不挂护栏】同上，ITS_GUARDRAILS=0。和第 2 组的差就是护栏每轮的代价：
   多几次模型请求、多少 token、多少服务 CPU、首个字晚了多少（护栏和 Agent 并行跑，首字只该多等一点点）。
4. 【两个 worker】`app.py --workers 2`，护栏全开，其余和第 2 组相同。
5. 【两个 worker，业务库 PostgreSQL】同第 4 组，但业务服务换成连 PostgreSQL 的那一个（temp_postgres.py 在临时
   目录里起一个 PostgreSQL，建表、写入演示数据）：多台机器的部署就是这样连业务库的。和第 4 组比吞吐、
   每轮 CPU（另列 PostgreSQL 自己的 CPU）和首个事件。装不了 PostgreSQL 的机器上跳过并注明。
6. 【框架地板】一个什么都不做的 FastAPI SSE 接口（和 /api/chat/sse 同样的请求体、依赖和 SSE 响应），
   同样多的对话同时发来第一句：FastAPI + uvicorn 在这台机器上发出首个事件至少要多久。首个事件的 p99
   和它并排打印——200 个请求同时到达时，光是框架本身就要一两百毫秒。
7. 【地板】同样的 Agent 团队和问题（不挂护栏），在本进程里直接 `Runner.run_streamed`，连同一个模拟模型；
   没有 HTTP、SSE、MCP、会话存储（工具经 LocalBusiness 直接调本进程的 Shop，历史放在内存的列表里）。
   这是“只跑 Agent”的最低开销，服务的开销和它比（和同样不挂护栏的第 3 组比才公平）。

核对每条流：第一个事件是 session，最后一个是 run_completed，之后流正常结束，所有 text_delta 拼起来
== run_completed.final_output。少一条、多一条、断在半路都算“丢失事件”；error 事件、意外的
approval_required、HTTP 失败算“错误”。

打印：完成数、错误、丢失、吞吐、首个事件 / 首个字 / 完成耗时的 p50 和 p99、每轮的服务 CPU（worker 进程，
不含模拟模型；另列业务服务和 Redis）、CPU 都花在哪（每个 worker、模拟模型、业务服务、Redis、压测客户端）、
内存，以及比值：两个 worker ÷ 一个 worker 的吞吐（目标 ≥1.4）、每轮服务 CPU ÷ 地板（不挂护栏那组，
目标 ≤1.5）、首个事件 p99（目标 <300ms，旁边是框架地板和倍数）、PostgreSQL ÷ SQLite 业务库的吞吐（两个 worker）；
新对话的第一句和接着问的首个事件分开列；最后是护栏的代价（开 − 关：每轮模型请求、token、CPU、首个字）。

运行: python 07_projects/load_test.py                      （200 个对话 × 2 轮，六组；空闲机器上约 3–5 分钟）
      python 07_projects/load_test.py --concurrency 50 --turns 3
      python 07_projects/load_test.py --quick              （10 个对话，只测一个 worker 和地板；冒烟测试用）

测试参数: --quick
测试超时: 150
预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    模拟模型：http://127.0.0.1:.../v1（独立进程 pid ...，MOCK_STREAM_DELAY=0）
    会话存储：...
    业务服务：http://127.0.0.1:.../mcp（独立进程 pid ...，SQLite 业务库）
    并发对话：10 个，每个 2 轮，共 20 轮
    【一个 worker】
    完成：20/20  错误：0  丢失事件：0
    吞吐：... 轮/秒（总耗时 ...s）
    首个事件：p50=...ms  p99=...ms   首个字：p50=...ms  p99=...ms   完成：p50=...ms  p99=...ms
    首个事件：新对话的第一句 p50=...ms  p99=...ms   接着问 p50=...ms  p99=...ms
    CPU 去向：...
    服务 CPU：每轮 ...ms（worker）；加上业务服务和会话存储 ...ms
    内存：...
    【地板：进程内 Runner.run_streamed，无 HTTP/SSE/MCP/存储】
    完成：20/20  错误：0  丢失事件：0
    吞吐：... 轮/秒（总耗时 ...s）
    首个事件：p50=...ms  p99=...ms   首个字：p50=...ms  p99=...ms   完成：p50=...ms  p99=...ms
    首个事件：新对话的第一句 p50=...ms  p99=...ms   接着问 p50=...ms  p99=...ms
    CPU：每轮 ...ms（本进程）；模拟模型 ...s
    【比较】
    首个事件 p99（一个 worker）：...ms（目标 <300ms）
    （--quick 没有测“不挂护栏”的一组：每轮服务 CPU ÷ 地板、护栏的代价看完整运行）
    结论：通过（0 错误，0 丢失事件）
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
APP = HERE / "app.py"

# 第 i 个对话是第 i % 5 位演示顾客，问的都是他自己的订单：订单和物流（MCP 工具）、商品（函数工具 +
# 售前导购）、门槛（500 元）以下或不符合条件的退款（不会触发人工审批，流一定以 run_completed 结束）。
WARMUP = 10  # 每组正式测量前先跑的对话数（不计入）
QUESTIONS = {
    "C001": ["订单 A1001 现在到哪了？", "订单 A1002 申请退款，因为尺码不合适", "有哪些蓝牙耳机？"],
    "C002": ["订单 A1003 的快递到哪了？", "订单 A1005 签收多久了，能退吗？", "笔记本电脑多少钱？"],
    "C003": ["帮我查一下订单 A1004 的详情", "订单 A1007 申请退款，因为买错了", "有没有跑鞋推荐？"],
    "C004": ["订单 A1006 能退款吗？", "订单 A1008 现在是什么状态？", "有哪些蓝牙耳机？"],
    "C005": ["订单 A1009 到哪了？", "订单 A1010 里买了什么？", "有没有跑鞋推荐？"],
}
CUSTOMERS = list(QUESTIONS)


def customer_of(conversation: int) -> str:
    return CUSTOMERS[conversation % len(CUSTOMERS)]


def question(conversation: int, turn: int) -> str:
    asked = QUESTIONS[customer_of(conversation)]
    return asked[(conversation // len(CUSTOMERS) + turn) % len(asked)]


@dataclass
class TurnResult:
    turn: int = 0               # 对话里的第几轮（0 = 新对话的第一句）
    ok: bool = False            # 以 run_completed 正常结束、事件完整
    error: str = ""             # 错误：HTTP 失败、error 事件、意外的 approval_required、异常
    lost: str = ""              # 丢失事件：没有 run_completed 就断了、文本对不上、流结束后还有事件
    first_event: float | None = None
    first_text: float | None = None   # 首个字（第一个 text_delta）
    done: float | None = None
    events: Counter = field(default_factory=Counter)
    requests: int = 0                 # 这一轮的模型请求（Agent 的，不含护栏 Agent）
    guard_requests: int = 0           # 护栏 Agent 的模型请求
    guard_tokens: int = 0
    tripped: bool = False             # 被护栏拦下（固定的拒绝也以 run_completed 结束）


@dataclass
class Phase:
    name: str
    results: list[TurnResult]
    elapsed: float
    cpu: dict[str, float] = field(default_factory=dict)     # 进程名 → CPU 秒
    worker_cpu: float = 0.0
    backend_cpu: float = 0.0                                 # 业务服务 + 会话存储
    memory: str = ""

    @property
    def turns(self) -> int:
        return len(self.results)

    @property
    def throughput(self) -> float:
        return self.turns / self.elapsed


def check_events(events: list[tuple[str, dict]], result: TurnResult) -> None:
    """核对一条流的事件序列。"""
    names = [name for name, _ in events]
    result.events.update(names)
    errors = [data for name, data in events if name == "error"]
    if errors:  # 校验失败的流只有一个 error 事件、没有 session，也算错误而不是丢失
        result.error = f"error 事件 [{errors[0].get('code')}] {errors[0].get('message')}"
        return
    if not names or names[0] != "session":
        result.lost = f"第一个事件不是 session：{names[:1]}"
        return
    if "approval_required" in names:
        result.error = "意外的 approval_required（问题都在审批门槛以下）"
        return
    if "run_completed" not in names:
        result.lost = f"流在 run_completed 之前结束（最后一个事件 {names[-1]}）"
        return
    if names[-1] != "run_completed" or names.count("run_completed") != 1:
        result.lost = f"run_completed 之后还有事件：{names[names.index('run_completed'):]}"
        return
    text = "".join(data.get("text", "") for name, data in events if name == "text_delta")
    final = events[-1][1].get("final_output")
    if isinstance(final, str) and text != final:
        result.lost = f"text_delta 拼起来（{len(text)} 字）≠ final_output（{len(final)} 字）"
        return
    usage = events[-1][1].get("usage") or {}
    result.requests = int(usage.get("requests") or 0)
    result.guard_requests = int((usage.get("guardrails") or {}).get("requests") or 0)
    result.guard_tokens = int((usage.get("guardrails") or {}).get("total_tokens") or 0)
    result.tripped = "guardrail_tripped" in names
    result.ok = True


# ---------------------------------------------------------------- 经 HTTP + SSE
#
# 压测客户端自己要足够便宜：它和服务挤在同一台机器的两个核上，客户端每个请求多花 1ms，200 个同时
# 开始的对话里最后一个就晚 200ms 才发出去——量到的是尺子自己。httpx2 每个请求的开销（连接池、
# anyio、请求对象、SSE 解析）在这里实测约 2ms：200 个请求打一个什么都不做的服务，最后一个首个事件
# 也要 ~440ms；下面这个只用 asyncio 流、手写 HTTP/1.1 + SSE 的客户端是 ~60ms（做压测工具的 wrk、hey
# 用 C 写也是这个道理）。每个对话一条 keep-alive 连接，像浏览器的一个标签页；登录这类不计时的请求
# 还用 httpx2。


class SseConnection:
    """一条 HTTP/1.1 keep-alive 连接：POST JSON，读 SSE 流（分块传输），流结束后连接留着给下一轮。"""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with suppress(OSError):
                await self.writer.wait_closed()
            self.reader = self.writer = None

    async def post_sse(self, path: str, body: dict, cookie: str):  # noqa: ANN201  异步生成器：(事件名, 数据)
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)
        payload = json.dumps(body, ensure_ascii=False).encode()
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nCookie: {cookie}\r\n"
            f"Content-Type: application/json\r\nAccept: text/event-stream\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)
        reader = self.reader
        status = (await reader.readline()).split(b" ", 2)
        if len(status) < 2 or not status[1].isdigit():
            raise ConnectionError(f"不是 HTTP 响应：{status!r}")
        headers = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if int(status[1]) != 200:
            raise HttpStatusError(int(status[1]))
        if headers.get("transfer-encoding") != "chunked":
            raise ConnectionError(f"SSE 响应不是分块传输：{headers}")
        pending = ""
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()  # 最后一个空块后的空行：这条流结束，连接可以再用
                break
            chunk = await reader.readexactly(size + 2)
            pending += chunk[:-2].decode("utf-8").replace("\r\n", "\n")
            *blocks, pending = pending.split("\n\n")
            for block in blocks:
                event, data = "message", []
                for field_line in block.split("\n"):
                    if field_line.startswith("event:"):
                        event = field_line[6:].strip()
                    elif field_line.startswith("data:"):
                        data.append(field_line[5:].removeprefix(" "))
                if data:  # 只有注释（": ping" 心跳）的块不是事件
                    yield event, "\n".join(data)
        if headers.get("connection", "").lower() == "close":
            await self.close()


class HttpStatusError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


async def http_turn(conn: SseConnection, cookie: str, query: str, session_id: str | None,
                    ) -> tuple[TurnResult, str | None]:
    """一轮：计时从发请求（第一轮还包括建连接）开始，到读完 run_completed 后流结束。"""
    result = TurnResult()
    events: list[tuple[str, dict]] = []
    body = {"query": query, **({"session_id": session_id} if session_id else {})}
    start = time.perf_counter()
    try:
        async for name, data in conn.post_sse("/api/chat/sse", body, cookie):
            now = time.perf_counter() - start
            if result.first_event is None:
                result.first_event = now
            if result.first_text is None and name == "text_delta":
                result.first_text = now
            events.append((name, json.loads(data) if data else {}))
        result.done = time.perf_counter() - start
    except HttpStatusError as exc:
        result.error = str(exc)
        await conn.close()
        return result, session_id
    except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
        await conn.close()
        if events:  # 已经收到一部分事件：这条流断在了半路
            result.lost = f"流中途出错：{type(exc).__name__}: {exc}"
        else:
            result.error = f"{type(exc).__name__}: {exc}"
        return result, session_id
    check_events(events, result)
    if events and events[0][0] == "session":
        session_id = events[0][1].get("session_id") or session_id
    return result, session_id


async def http_conversation(host: str, port: int, cookie: str, index: int, turns: int) -> list[TurnResult]:
    conn = SseConnection(host, port)
    results, session_id = [], None
    try:
        for turn in range(turns):
            result, session_id = await http_turn(conn, cookie, question(index, turn), session_id)
            result.turn = turn
            results.append(result)
    finally:
        await conn.close()
    return results


async def login_cookies(base_url: str) -> dict[str, str]:
    """每位演示顾客登录一次（POST /api/login），记下签名 cookie；之后每个请求自己带上（Cookie 头）。"""
    cookies = {}
    async with httpx2.AsyncClient(base_url=base_url, timeout=30) as client:
        for customer in CUSTOMERS:
            response = await client.post("/api/login", json={"customer_id": customer})
            response.raise_for_status()
            cookies[customer] = "; ".join(f"{k}={v}" for k, v in response.cookies.items())
            client.cookies.clear()
    return cookies


async def run_http(base_url: str, concurrency: int, turns: int) -> tuple[list[TurnResult], float]:
    cookies = await login_cookies(base_url)
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    start = time.perf_counter()
    batches = await asyncio.gather(*(http_conversation(host, int(port), cookies[customer_of(i)], i, turns)
                                     for i in range(concurrency)))
    elapsed = time.perf_counter() - start
    return [r for batch in batches for r in batch], elapsed


# ---------------------------------------------------------------- 地板：进程内，不经 HTTP


def floor_team(data_dir: Path):  # noqa: ANN201
    """同样的 Agent 团队，订单专员用同名函数工具代替 MCP 工具；工具经 LocalBusiness 直接调本进程的 Shop。"""
    from its_service.agents import build_team
    from its_service.settings import load_settings
    from its_service.shop import LocalBusiness, RefundRules, Shop, create_database
    from its_service.shop.catalog import categories
    from its_service.tools import make_tools

    settings = load_settings()
    url = f"sqlite:///{data_dir / 'floor_shop.db'}"
    create_database(url)
    shop = Shop(url, RefundRules(settings.refund_approval_threshold, settings.refund_window_days))
    team = build_team(make_tools(LocalBusiness(shop)), None, categories=shop.transaction(categories),
                      refund_approval_threshold=settings.refund_approval_threshold)
    return team, settings.max_turns, shop


async def run_floor(team, max_turns: int, concurrency: int, turns: int  # noqa: ANN001
                    ) -> tuple[list[TurnResult], float]:
    """同样的问题，直接 Runner.run_streamed；历史放在内存的列表里。"""
    from agents import RawResponsesStreamEvent, Runner
    from its_service.agents import TRIAGE
    from its_service.context import RunContext
    from openai.types.responses import ResponseTextDeltaEvent

    async def conversation(index: int) -> list[TurnResult]:
        results, history, agent_name = [], [], TRIAGE
        for turn in range(turns):
            result, parts = TurnResult(turn=turn), []
            start = time.perf_counter()
            try:
                asked = question(index, turn)
                run = Runner.run_streamed(team.get(agent_name),
                                          [*history, {"role": "user", "content": asked}],
                                          max_turns=max_turns,
                                          context=RunContext(f"floor-{index}", customer_of(index), asked))
                async for event in run.stream_events():
                    if result.first_event is None:
                        result.first_event = time.perf_counter() - start
                    if isinstance(event, RawResponsesStreamEvent) and \
                            isinstance(event.data, ResponseTextDeltaEvent):
                        if result.first_text is None:
                            result.first_text = time.perf_counter() - start
                        parts.append(event.data.delta)
                result.done = time.perf_counter() - start
                if run.interruptions:
                    result.error = "意外的审批暂停"
                elif "".join(parts) != run.final_output:
                    result.lost = "文本增量拼起来 ≠ final_output"
                else:
                    result.ok = True
                    result.requests = run.context_wrapper.usage.requests
                history, agent_name = run.to_input_list(), run.last_agent.name
            except Exception as exc:
                result.error = f"{type(exc).__name__}: {exc}"
            results.append(result)
        return results

    start = time.perf_counter()
    batches = await asyncio.gather(*(conversation(i) for i in range(concurrency)))
    elapsed = time.perf_counter() - start
    return [r for batch in batches for r in batch], elapsed


# ---------------------------------------------------------------- 进程、CPU、内存


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int, key: str = "VmRSS") -> float:
    """/proc/<pid>/status 里的 VmRSS（当前常驻内存）或 VmHWM（峰值），单位 MB。"""
    with suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int, reaped: bool = False) -> float:
    """/proc/<pid>/stat 的 utime + stime：这个进程到目前为止用掉的 CPU 秒数。
    reaped=True 再加上它已经收走的子进程用掉的（cutime + cstime）。"""
    with suppress(OSError, ValueError, IndexError):
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if reaped else 0)
        return ticks / os.sysconf("SC_CLK_TCK")
    return 0.0


def tree_cpu(pid: int) -> float:
    """一个进程和它所有后代的 CPU 秒数（PostgreSQL：主进程 + 每条连接一个的后端进程，包括已经退出的）。"""
    return sum(cpu_seconds(p, reaped=True) for p in {pid, *descendants(pid)})


def children(pid: int) -> list[int]:
    found = []
    with suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def wait_http(url: str, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"进程没能启动，日志：\n{log.read_text(encoding='utf-8')[-3000:]}")
        with suppress(httpx2.HTTPError):
            if httpx2.get(url, timeout=2).status_code == 200:
                return
        if time.monotonic() > deadline:
            raise SystemExit(f"{seconds:.0f} 秒内没有就绪，日志：\n{log.read_text(encoding='utf-8')[-3000:]}")
        time.sleep(0.1)


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for child in children(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def wait_workers(base: str, proc: subprocess.Popen, workers: int, seconds: float = 90) -> list[int]:
    """多 worker：app.py 主进程的后代进程里（worker 由 forkserver 进程 fork 出来，是主进程的孙子），
    回答 /healthz 的就是 worker；每个新连接落到哪个 worker 由内核决定，问到 N 个 worker 都回答过为止。"""
    deadline = time.monotonic() + seconds
    seen: set[int] = set()
    while time.monotonic() < deadline:
        with suppress(httpx2.HTTPError, ValueError):
            seen.add(httpx2.get(base + "/healthz", timeout=2).json()["pid"])
        ours = sorted(seen & descendants(proc.pid))
        if len(ours) >= workers:
            return ours
        time.sleep(0.05)
    raise SystemExit(f"{workers} 个 worker 在 {seconds:.0f} 秒内没有全部就绪（回答过的：{sorted(seen)}）")


class Processes:
    """本次压测拉起的所有进程：结束时按 Ctrl+C 的方式停掉，再清理整个进程组。"""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.procs: list[subprocess.Popen] = []

    def start(self, name: str, cmd: list[str], env: dict[str, str], cwd: Path = REPO) -> tuple[subprocess.Popen, Path]:
        log = self.data_dir / f"{name}.log"
        with open(log, "w", encoding="utf-8") as out:
            # 日志写进文件，不用管道：几百个并发请求的日志会把管道写满、卡住服务。
            proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(proc)
        return proc, log

    @staticmethod
    def stop(proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            self.stop(proc)


def start_mock(procs: Processes, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc, log = procs.start("mock", [sys.executable, "-m", "shared.mock", "--port", str(port),
                                     "--log-level", "warning"], {**env, "MOCK_STREAM_DELAY": "0"})
    wait_http(f"http://127.0.0.1:{port}/health", proc, log)
    return proc, f"http://127.0.0.1:{port}/v1"


def start_redis(procs: Processes) -> tuple[subprocess.Popen | None, str]:
    server = shutil.which("redis-server")
    if not server:
        return None, ""
    port = free_port()
    folder = procs.data_dir / "redis"
    folder.mkdir()
    proc, log = procs.start("redis", [server, "--port", str(port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--dir", str(folder)],
                            dict(os.environ))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return proc, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    raise SystemExit(f"redis-server 没能启动：{log.read_text()[-2000:]}")


def start_business(procs: Processes, env: dict[str, str], url: str,
                   name: str = "business") -> tuple[subprocess.Popen, str]:
    """单独运行的业务服务（要 ITS_MCP_TOKEN，env 里带着）。"""
    port = free_port()
    proc, log = procs.start(name, [sys.executable, "-m", "its_service", "mcp", "--url", url, "--port", str(port)],
                            env, cwd=HERE)
    url = f"http://127.0.0.1:{port}/mcp"
    deadline = time.monotonic() + 60
    while "MCP_READY" not in log.read_text(encoding="utf-8"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"业务服务没能启动：{log.read_text(encoding='utf-8')[-2000:]}")
        time.sleep(0.05)
    return proc, url


def start_postgres_business(procs: Processes, env: dict[str, str]):  # noqa: ANN201
    """临时的 PostgreSQL（建表、写入演示数据）和连它的业务服务。装不了时返回 (None, 原因, "")。"""
    from its_service.shop import create_database
    from temp_postgres import TempPostgres

    reason = TempPostgres.unavailable()
    if reason:
        return None, reason, ""
    postgres = TempPostgres().start()
    url = postgres.create_database("its_shop")
    create_database(url)  # 部署的人做的那一步：升级到最新、写入演示数据
    proc, business_url = start_business(procs, env, url, name="business-pg")
    return postgres, proc, business_url


# 框架地板：一个什么都不做的 FastAPI 接口，和 /api/chat/sse 同样的形状（pydantic 请求体、读 cookie 的
# async 依赖、服务自己的 SSE 响应 its_service/sse.py），收到就发 session 和 run_completed。同样多的对话同时发来第一句时，
# 它的首个事件就是“FastAPI + uvicorn 在这台机器上至少要花的时间”，服务的首个事件不可能比它快。
FRAMEWORK_APP = '''
import sys
import uvicorn
from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel

from its_service.events import Event
from its_service.sse import EventStreamResponse

app = FastAPI()

class ChatRequest(BaseModel):
    query: str | None = None
    session_id: str | None = None

async def customer(request: Request) -> str:
    return request.cookies.get("its_customer", "")

@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}

async def nothing():
    yield Event("session", {"session_id": "s"})
    yield Event("run_completed", {"final_output": ""})

@app.post("/api/chat/sse", response_class=EventStreamResponse)
async def chat(body: ChatRequest, who: str = Depends(customer)) -> EventStreamResponse:
    return EventStreamResponse(nothing())

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
'''


async def measure_framework(procs: Processes, env: dict[str, str], args: argparse.Namespace) -> Phase:
    port = free_port()
    proc, log = procs.start("framework", [sys.executable, "-c", FRAMEWORK_APP, str(port)], env)
    await asyncio.to_thread(wait_http, f"http://127.0.0.1:{port}/healthz", proc, log)

    async def first_turn(index: int) -> TurnResult:
        conn, result = SseConnection("127.0.0.1", port), TurnResult()
        start = time.perf_counter()
        try:
            async for name, _ in conn.post_sse("/api/chat/sse", {"query": question(index, 0)},
                                               f"its_customer={customer_of(index)}"):
                if result.first_event is None:
                    result.first_event = time.perf_counter() - start
                result.ok = name == "run_completed"
            result.done = time.perf_counter() - start
        except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
            result.error = f"{type(exc).__name__}: {exc}"
        finally:
            await conn.close()
        if not result.ok and not result.error:
            result.lost = "没有 run_completed"
        return result

    await asyncio.gather(*(first_turn(i) for i in range(args.warmup)))
    before = cpu_seconds(proc.pid)
    start = time.perf_counter()
    results = await asyncio.gather(*(first_turn(i) for i in range(args.concurrency)))
    phase = Phase("框架地板", list(results), time.perf_counter() - start,
                  {"框架进程": cpu_seconds(proc.pid) - before})
    procs.stop(proc)
    return phase


async def measure_service(name: str, workers: int, procs: Processes, env: dict[str, str],
                          others: dict[str, int], args: argparse.Namespace, guardrails: bool = True,
                          trees: dict[str, int] | None = None) -> Phase:
    """`others`：一起记 CPU 的别的进程；`trees`：按整棵进程树记 CPU 的（PostgreSQL）。"""
    port = free_port()
    cmd = [sys.executable, str(APP), "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    proc, log = procs.start(name, cmd, {**env, "ITS_GUARDRAILS": "1" if guardrails else "0"})
    base = f"http://127.0.0.1:{port}"
    await asyncio.to_thread(wait_http, base + "/healthz", proc, log)
    worker_pids = [proc.pid]
    if workers > 1:  # app.py 的主进程 + N 个 worker 子进程：等每个 worker 都能回答 /healthz
        worker_pids = await asyncio.to_thread(wait_workers, base, proc, workers)
    pids = {f"worker{i + 1}": pid for i, pid in enumerate(worker_pids)}
    if workers > 1:
        pids["主进程"] = proc.pid
    await run_http(base, args.warmup, 1)  # 预热：第一次调用要建 JSON schema、连接池等，不计入
    watched, trees = {**pids, **others}, trees or {}
    before = {k: cpu_seconds(p) for k, p in watched.items()}
    before.update({k: tree_cpu(p) for k, p in trees.items()})
    client_before = time.process_time()
    results, elapsed = await run_http(base, args.concurrency, args.turns)
    cpu = {k: cpu_seconds(p) - before[k] for k, p in watched.items()}
    cpu.update({k: tree_cpu(p) - before[k] for k, p in trees.items()})
    cpu["压测客户端"] = time.process_time() - client_before
    memory = "，".join(f"{k} 峰值 {rss_mb(p, 'VmHWM'):.0f}MB" for k, p in pids.items() if k != "主进程")
    phase = Phase(name, results, elapsed, cpu,
                  worker_cpu=sum(v for k, v in cpu.items() if k in pids),
                  backend_cpu=sum(cpu.get(k, 0.0) for k in ("业务服务", "Redis", "PostgreSQL")),
                  memory=memory)
    procs.stop(proc)
    if not all(r.ok for r in results):
        problems = [line for line in log.read_text(encoding="utf-8").splitlines()
                    if line.startswith(("WARNING", "ERROR", "CRITICAL", "Traceback"))]
        phase.memory += f"\n服务日志里的警告和错误（共 {len(problems)} 条，最后 5 条）：\n" + \
            "\n".join(f"    {line[:300]}" for line in problems[-5:])
    return phase


# ---------------------------------------------------------------- 报告


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def ms(values: list[float]) -> str:
    return f"p50={percentile(values, 50) * 1000:.0f}ms  p99={percentile(values, 99) * 1000:.0f}ms"


def report(phase: Phase) -> tuple[int, int]:
    results = phase.results
    errors = [r for r in results if r.error]
    lost = [r for r in results if r.lost]
    print(f"完成：{sum(r.ok for r in results)}/{len(results)}  错误：{len(errors)}  丢失事件：{len(lost)}")
    for reason, count in Counter(r.error or r.lost for r in errors + lost).most_common(5):
        print(f"    ×{count} {reason}")
    print(f"吞吐：{phase.throughput:.1f} 轮/秒（总耗时 {phase.elapsed:.1f}s）")
    print(f"首个事件：{ms([r.first_event for r in results if r.first_event is not None])}   "
          f"首个字：{ms([r.first_text for r in results if r.first_text is not None])}   "
          f"完成：{ms([r.done for r in results if r.ok])}")
    if any(r.turn for r in results):  # 同一刻开始的新对话 vs 对话里接着问的，分开看
        print(f"首个事件：新对话的第一句 {ms([r.first_event for r in results if r.first_event is not None and not r.turn])}"
              f"   接着问 {ms([r.first_event for r in results if r.first_event is not None and r.turn])}")
    return len(errors), len(lost)


def report_service(phase: Phase) -> tuple[int, int]:
    errors, lost = report(phase)
    print(f"CPU 去向：{'  '.join(f'{k} {v:.1f}s' for k, v in phase.cpu.items())}")
    print(f"服务 CPU：每轮 {per_turn(phase.worker_cpu, phase.turns):.1f}ms（worker）；"
          f"加上业务服务和会话存储 {per_turn(phase.worker_cpu + phase.backend_cpu, phase.turns):.1f}ms")
    print(f"内存：{phase.memory}")
    return errors, lost


def per_turn(seconds: float, turns: int) -> float:
    return seconds / max(turns, 1) * 1000


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def guardrail_cost(on: Phase, off: Phase) -> None:
    """开护栏 − 关护栏：每轮多几次模型请求、多少 token、多少服务 CPU、首个字晚了多少。"""
    print("【护栏的代价（一个 worker：开 − 关）】")
    done_on = [r for r in on.results if r.ok]
    done_off = [r for r in off.results if r.ok]
    req_on = mean([r.requests + r.guard_requests for r in done_on])
    req_off = mean([r.requests for r in done_off])
    print(f"模型请求：每轮 {req_off:.1f} 次 → {req_on:.1f} 次（护栏 Agent 每轮 "
          f"{mean([r.guard_requests for r in done_on]):.1f} 次，{mean([r.guard_tokens for r in done_on]):.0f} token）")
    cpu_on, cpu_off = per_turn(on.worker_cpu, on.turns), per_turn(off.worker_cpu, off.turns)
    print(f"服务 CPU：每轮 {cpu_off:.1f}ms → {cpu_on:.1f}ms（{cpu_on - cpu_off:+.1f}ms，"
          f"{(cpu_on / cpu_off - 1) * 100 if cpu_off else 0:+.0f}%）")
    first_on = [r.first_text for r in on.results if r.first_text is not None]
    first_off = [r.first_text for r in off.results if r.first_text is not None]
    print(f"首个字：p50 {percentile(first_off, 50) * 1000:.0f}ms → {percentile(first_on, 50) * 1000:.0f}ms，"
          f"p99 {percentile(first_off, 99) * 1000:.0f}ms → {percentile(first_on, 99) * 1000:.0f}ms")
    tripped = sum(r.tripped for r in on.results)
    print(f"护栏拦下：{tripped} 轮（问题都是正常的客服问题）")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="ITS 客服服务的 SSE 压测：一个 worker（开 / 关护栏）、两个 worker、地板")
    parser.add_argument("--concurrency", type=int, default=200, help="同时进行的对话数（默认 200）")
    parser.add_argument("--turns", type=int, default=2, help="每个对话问几轮（默认 2）")
    parser.add_argument("--quick", action="store_true",
                        help="10 个对话，只测一个 worker（开护栏）和地板，预热 2 个对话（冒烟测试用）")
    parser.add_argument("--skip-two", action="store_true", help="不测两个 worker")
    parser.add_argument("--skip-floor", action="store_true", help="不测地板")
    parser.add_argument("--skip-framework", action="store_true", help="不测框架地板（什么都不做的 FastAPI SSE 接口）")
    parser.add_argument("--skip-bare", action="store_true", help="不测“不挂护栏”的那组（也就不算护栏的代价）")
    parser.add_argument("--skip-postgres", action="store_true", help="不测业务库换成 PostgreSQL 的那组")
    args = parser.parse_args()
    args.warmup = WARMUP
    if args.quick:
        args.concurrency, args.skip_two, args.skip_bare, args.skip_framework, args.warmup = 10, True, True, True, 2
        args.skip_postgres = True
    return args


async def main() -> int:
    args = parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="its_load_"))
    procs = Processes(data_dir)
    postgres = None
    try:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("MOCK_", "ITS_"))}
        base_env.update(LLM_PROVIDER="mock", ITS_DOTENV="0", PYTHONUNBUFFERED="1",
                        OPENAI_AGENTS_DISABLE_TRACING="1", ITS_DATA_DIR=str(data_dir),
                        ITS_MCP_TOKEN=secrets.token_urlsafe(24),  # 业务服务和 worker 用同一个
                        PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])))
        (mock, mock_url), (redis, redis_url), (business, business_url) = await asyncio.gather(
            asyncio.to_thread(start_mock, procs, base_env), asyncio.to_thread(start_redis, procs),
            asyncio.to_thread(start_business, procs, base_env, f"sqlite:///{data_dir / 'its_shop.db'}"))
        # 本进程（地板）和服务都连这个模拟模型
        os.environ.update(LLM_PROVIDER="mock", MOCK_BASE_URL=mock_url, ITS_DOTENV="0",
                          OPENAI_AGENTS_DISABLE_TRACING="1")
        from shared.factory import print_provider

        print_provider()
        print(f"模拟模型：{mock_url}（独立进程 pid {mock.pid}，MOCK_STREAM_DELAY=0）")
        others = {"模拟模型": mock.pid, "业务服务": business.pid}
        env = {**base_env, "MOCK_BASE_URL": mock_url, "ITS_MCP_URL": business_url,
               "ITS_STAFF_TOKEN": "load-test"}
        if redis is not None:
            env["ITS_REDIS_URL"] = redis_url
            others["Redis"] = redis.pid
            print(f"会话存储：Redis {redis_url}（独立进程 pid {redis.pid}，不落盘）")
        else:
            print("会话存储：SQLite（没有找到 redis-server；两个 worker 共用一个 SQLite 文件）")
        print(f"业务服务：{business_url}（独立进程 pid {business.pid}，SQLite 业务库）")
        total = args.concurrency * args.turns
        print(f"并发对话：{args.concurrency} 个，每个 {args.turns} 轮，共 {total} 轮")

        phases: list[Phase] = []
        errors = lost = 0
        for name, workers, guarded in (("一个 worker", 1, True), ("一个 worker，不挂护栏", 1, False),
                                       ("两个 worker", 2, True)):
            if (workers == 2 and args.skip_two) or (not guarded and args.skip_bare):
                continue
            print(f"【{name}】")
            phase = await measure_service(name, workers, procs, env, others, args, guardrails=guarded)
            e, lost_here = report_service(phase)
            errors, lost = errors + e, lost + lost_here
            phases.append(phase)

        if not args.skip_postgres:
            print("【两个 worker，业务库 PostgreSQL】")
            postgres, pg_business, pg_url = await asyncio.to_thread(start_postgres_business, procs, base_env)
            if postgres is None:
                print(f"（跳过：{pg_business}）")
            else:
                print(f"业务库：PostgreSQL 127.0.0.1:{postgres.port}（临时目录，进程 pid {postgres.server_pid}）；"
                      f"业务服务：{pg_url}（独立进程 pid {pg_business.pid}）")
                phase = await measure_service("两个 worker，业务库 PostgreSQL", 2, procs, {**env, "ITS_MCP_URL": pg_url},
                                              {**others, "业务服务": pg_business.pid}, args,
                                              trees={"PostgreSQL": postgres.server_pid})
                e, lost_here = report_service(phase)
                errors, lost = errors + e, lost + lost_here
                phases.append(phase)

        framework = None
        if not args.skip_framework:
            print("【框架地板：什么都不做的 FastAPI SSE 接口，同样多的对话同时发来第一句】")
            framework = await measure_framework(procs, base_env, args)
            done = [r for r in framework.results if r.ok]
            print(f"完成：{len(done)}/{framework.turns}  首个事件：{ms([r.first_event for r in done])}   "
                  f"完成：{ms([r.done for r in done])}")
            print(f"CPU：每个请求 {per_turn(framework.cpu['框架进程'], framework.turns):.2f}ms（框架进程）")

        floor = None
        if not args.skip_floor:
            print("【地板：进程内 Runner.run_streamed，无 HTTP/SSE/MCP/存储】")
            team, max_turns, shop = floor_team(data_dir)
            await run_floor(team, max_turns, args.warmup, 1)  # 预热，不计入
            mock_before = cpu_seconds(mock.pid)
            cpu_before = time.process_time()
            results, elapsed = await run_floor(team, max_turns, args.concurrency, args.turns)
            shop.close()
            floor = Phase("地板", results, elapsed, {"本进程": time.process_time() - cpu_before,
                                                     "模拟模型": cpu_seconds(mock.pid) - mock_before})
            floor.worker_cpu = floor.cpu["本进程"]
            e, lost_here = report(floor)
            errors, lost = errors + e, lost + lost_here
            print(f"CPU：每轮 {per_turn(floor.worker_cpu, floor.turns):.1f}ms（本进程）；"
                  f"模拟模型 {floor.cpu['模拟模型']:.1f}s")

        print("【比较】")
        named = {phase.name: phase for phase in phases}
        one, bare, two = named.get("一个 worker"), named.get("一个 worker，不挂护栏"), named.get("两个 worker")
        on_pg = named.get("两个 worker，业务库 PostgreSQL")
        missed: list[str] = []
        if one and two:
            ratio = two.throughput / one.throughput
            print(f"吞吐：两个 worker ÷ 一个 worker = ×{ratio:.2f}（目标 ≥1.4；"
                  f"{one.throughput:.1f} → {two.throughput:.1f} 轮/秒）")
            if ratio < 1.4:
                missed.append("两个 worker 的吞吐比")
        if two and on_pg:  # 同样两个 worker，只换业务库：多台机器的部署多花多少
            print(f"吞吐：业务库 PostgreSQL ÷ SQLite（两个 worker）= ×{on_pg.throughput / two.throughput:.2f}"
                  f"（{two.throughput:.1f} → {on_pg.throughput:.1f} 轮/秒）；每轮业务服务 + 数据库 CPU "
                  f"{per_turn(two.cpu.get('业务服务', 0.0), two.turns):.1f}ms → "
                  f"{per_turn(on_pg.cpu.get('业务服务', 0.0) + on_pg.cpu.get('PostgreSQL', 0.0), on_pg.turns):.1f}ms")
        for phase in phases:
            p99 = percentile([r.first_event for r in phase.results if r.first_event is not None], 99)
            bound = ""
            if framework is not None:  # 什么都不做的 FastAPI 接口同样的一批请求要多久：比它快是不可能的
                fw99 = percentile([r.first_event for r in framework.results if r.ok], 99)
                bound = f"；框架地板 {fw99 * 1000:.0f}ms，×{p99 / fw99:.2f}"
            print(f"首个事件 p99（{phase.name}）：{p99 * 1000:.0f}ms（目标 <300ms{bound}）")
            if p99 >= 0.3:
                missed.append(f"首个事件 p99（{phase.name}）")
        if floor and bare:  # 地板不挂护栏：和同样不挂护栏的那组比，才是“服务本身”的开销
            floor_turn = per_turn(floor.worker_cpu, floor.turns)
            mine = per_turn(bare.worker_cpu, bare.turns)
            full = per_turn(bare.worker_cpu + bare.backend_cpu, bare.turns)
            print(f"每轮服务 CPU ÷ 地板（{bare.name}）：{mine:.1f}ms ÷ {floor_turn:.1f}ms = "
                  f"×{mine / floor_turn:.2f}（目标 ≤1.5）；含业务服务和会话存储 ×{full / floor_turn:.2f}")
            if mine / floor_turn > 1.5:
                missed.append(f"每轮服务 CPU（{bare.name}）")
        if one and bare:
            guardrail_cost(one, bare)
        elif args.quick:
            print("（--quick 没有测“不挂护栏”的一组：每轮服务 CPU ÷ 地板、护栏的代价看完整运行）")
        print(f"速度目标：{'全部达到' if not missed else '没有达到 ' + '、'.join(missed)}"
              f"（本机 {os.cpu_count()} 核，负载均值 {os.getloadavg()[0]:.1f}：别的程序也在用 CPU 时这几项会偏差）")
        if errors or lost:
            print(f"结论：未通过（{errors} 个错误，{lost} 个丢失事件）")
            return 1
        print("结论：通过（0 错误，0 丢失事件）")
        return 0
    finally:
        procs.stop_all()
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(asyncio.run(main()))
