"""压测：N 个对话同时通过 SSE 和客服服务聊天，检查一个事件都不丢，并量出 SSE 转发的开销。

这不是单元测试，是一把尺子：课程要求“200 个并发对话 → 0 错误、0 丢失事件”。脚本会
1. 自己在本机空闲端口上把服务（app.py）作为子进程拉起来（也可以用 --url 指向已经在运行的服务），
   数据放在临时目录，跑完就删；
2. 同时开 --concurrency 个对话（默认 200），每个对话问 --turns 轮（默认 2），问题轮流取自
   订单、商品、门槛以下的退款；每一轮都用真正的 SSE 解析器（httpx2.EventSource）读完整条流；
3. 核对每条流：第一个事件是 session，最后一个是 run_completed，之后流正常结束，
   所有 text_delta 拼起来 == run_completed.final_output。少一条、多一条、断在半路都算“丢失事件”；
4. 打印完成数、错误数、丢失数、首个事件 / 完成耗时的 p50 和 p99、服务进程的内存（/proc/<pid>/status）；
5. 再在本进程里不经 HTTP、直接调用同一个服务层（ChatService.chat：同样的 Agent 团队、Runner、
   会话库、MCP）跑同样的问题，两者相比就是 SSE 转发（HTTP + 编码 + 解析）的开销。

要量转发开销，请让模拟模型不等待：MOCK_STREAM_DELAY=0（否则两边都主要在等模拟模型“打字”）。

运行: LLM_PROVIDER=mock MOCK_STREAM_DELAY=0 python 07_projects/load_test.py
      python 07_projects/load_test.py --concurrency 50 --turns 3
      python 07_projects/load_test.py --url http://127.0.0.1:8200   （压一个已经在运行的服务）
      python 07_projects/load_test.py --quick                        （10 个对话，冒烟测试用）

测试参数: --quick
测试超时: 150
预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    服务：http://127.0.0.1:...（子进程 pid ...，数据在临时目录）
    并发对话：10 个，每个 2 轮，共 20 个请求（模拟模型流式间隔 MOCK_STREAM_DELAY=0）
    【经 HTTP + SSE】
    完成请求：20/20
    错误：0
    丢失事件：0
    首个事件耗时：p50=...ms  p99=...ms
    完成耗时：p50=...ms  p99=...ms
    吞吐：... 轮/秒（总耗时 ...s）
    服务内存（RSS）：压测前 ...MB，峰值 ...MB，压测后 ...MB；MCP 子进程 ...MB
    服务 CPU：...s，平均每轮 ...ms（含同进程里的模拟模型；本机 ... 核）
    【进程内直接调用 ChatService（无 HTTP）】
    完成请求：20/20
    错误：0
    丢失事件：0
    完成耗时：p50=...ms  p99=...ms
    吞吐：... 轮/秒（总耗时 ...s）
    SSE 转发开销：平均完成耗时 ...ms → ...ms（×...），吞吐 ×...
    结论：通过（0 错误，0 丢失事件）
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
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

from shared.factory import print_provider

HERE = Path(__file__).resolve().parent
APP = HERE / "app.py"

# 轮流使用的问题：订单和物流（MCP 工具）、商品（函数工具 + 售前导购）、
# 门槛（500 元）以下或不符合条件的退款（不会触发人工审批，流一定以 run_completed 结束）。
QUESTIONS = [
    "订单 A1001 现在到哪了？",
    "有哪些蓝牙耳机？",
    "订单 A1002 申请退款，因为尺码不合适",
    "帮我查一下订单 A1004 的详情",
    "有没有跑鞋推荐？",
    "订单 A1006 能退款吗？",
    "订单 A1003 的快递到哪了？",
    "笔记本电脑多少钱？",
    "订单 A1007 申请退款，因为买错了",
    "订单 A1005 签收多久了，能退吗？",
]


@dataclass
class TurnResult:
    ok: bool = False            # 以 run_completed 正常结束、事件完整
    error: str = ""             # 错误：HTTP 失败、error 事件、意外的 approval_required、异常
    lost: str = ""              # 丢失事件：没有 run_completed 就断了、文本对不上、流结束后还有事件
    first_event: float | None = None
    done: float | None = None
    events: Counter = field(default_factory=Counter)


def check_events(events: list[tuple[str, dict]], result: TurnResult) -> None:
    """核对一条流的事件序列（HTTP 和进程内两种方式共用同一套规则）。"""
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
    result.ok = True


# ---------------------------------------------------------------- 经 HTTP + SSE


async def http_turn(client: httpx2.AsyncClient, query: str, session_id: str | None,
                    ) -> tuple[TurnResult, str | None]:
    result = TurnResult()
    events: list[tuple[str, dict]] = []
    params = {"query": query, **({"session_id": session_id} if session_id else {})}
    start = time.perf_counter()
    try:
        async with client.stream("GET", "/api/chat/sse", params=params) as response:
            if response.status_code != 200:
                result.error = f"HTTP {response.status_code}"
                return result, session_id
            async for sse in httpx2.EventSource(response):
                if result.first_event is None:
                    result.first_event = time.perf_counter() - start
                events.append((sse.event, json.loads(sse.data) if sse.data else {}))
            result.done = time.perf_counter() - start
    except (httpx2.HTTPError, ValueError) as exc:
        if events:  # 已经收到一部分事件：这条流断在了半路
            result.lost = f"流中途出错：{type(exc).__name__}: {exc}"
        else:
            result.error = f"{type(exc).__name__}: {exc}"
        return result, session_id
    check_events(events, result)
    if events and events[0][0] == "session":
        session_id = events[0][1].get("session_id") or session_id
    return result, session_id


async def http_conversation(client: httpx2.AsyncClient, index: int, turns: int) -> list[TurnResult]:
    results, session_id = [], None
    for turn in range(turns):
        question = QUESTIONS[(index + turn * 3) % len(QUESTIONS)]
        result, session_id = await http_turn(client, question, session_id)
        results.append(result)
    return results


async def run_http(base_url: str, concurrency: int, turns: int) -> tuple[list[TurnResult], float]:
    limits = httpx2.Limits(max_connections=concurrency + 10, max_keepalive_connections=concurrency)
    timeout = httpx2.Timeout(300, connect=30)
    async with httpx2.AsyncClient(base_url=base_url, limits=limits, timeout=timeout) as client:
        start = time.perf_counter()
        batches = await asyncio.gather(*(http_conversation(client, i, turns)
                                         for i in range(concurrency)))
        elapsed = time.perf_counter() - start
    return [r for batch in batches for r in batch], elapsed


# ---------------------------------------------------------------- 进程内，不经 HTTP


async def inprocess_conversation(chat, index: int, turns: int) -> list[TurnResult]:
    results, session_id = [], None
    for turn in range(turns):
        question = QUESTIONS[(index + turn * 3) % len(QUESTIONS)]
        result, events = TurnResult(), []
        start = time.perf_counter()
        try:
            async for event in chat.chat(question, session_id):
                if result.first_event is None:
                    result.first_event = time.perf_counter() - start
                # 服务层自己把 data 编码成 JSON 放在 raw_data 里（见 events.py 的 sse()）
                data = json.loads(event.raw_data) if event.raw_data is not None else event.data
                events.append((event.event, data))
            result.done = time.perf_counter() - start
            check_events(events, result)
            if events and events[0][0] == "session":
                session_id = events[0][1]["session_id"]
        except Exception as exc:  # 进程内直接暴露的异常也算错误，照样统计
            result.error = f"{type(exc).__name__}: {exc}"
        results.append(result)
    return results


async def run_inprocess(data_dir: Path, concurrency: int, turns: int
                        ) -> tuple[list[TurnResult], float]:
    """和 main.py 的 lifespan 做同样的准备（业务库、会话库、MCP 子进程），然后直接调 ChatService。"""
    from its_service.chat import ChatService
    from its_service.db import ShopDB
    from its_service.mcp_client import McpSupervisor
    from its_service.sessions import SessionStore
    from its_service.settings import load_settings

    # 和 app.py 一样记 INFO 日志（服务子进程的日志也写在文件里），两边的条件才一样。
    logging.basicConfig(filename=data_dir / "inprocess.log", level=logging.INFO,
                        format="%(levelname)s:     %(message)s")
    settings = load_settings(shop_db=data_dir / "its_shop.db",
                             conversations_db=data_dir / "its_conversations.db")
    ShopDB(settings.shop_db).init()
    store = SessionStore(settings.conversations_db)
    store.init()
    mcp = McpSupervisor(settings)
    await mcp.start()
    chat = ChatService(settings, store, mcp)
    try:
        start = time.perf_counter()
        batches = await asyncio.gather(*(inprocess_conversation(chat, i, turns)
                                         for i in range(concurrency)))
        elapsed = time.perf_counter() - start
    finally:
        await chat.shutdown()
        await mcp.stop()
    return [r for batch in batches for r in batch], elapsed


# ---------------------------------------------------------------- 服务子进程和内存


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int, key: str = "VmRSS") -> float | None:
    """/proc/<pid>/status 里的 VmRSS（当前常驻内存）或 VmHWM（峰值），单位 MB。"""
    with suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return None


def cpu_seconds(pid: int) -> float | None:
    """/proc/<pid>/stat 的 utime + stime：这个进程到目前为止用掉的 CPU 秒数。"""
    with suppress(OSError, ValueError, IndexError):
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return None


def children(pid: int) -> list[int]:
    with suppress(OSError):
        found = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
        return found
    return []


def start_server(data_dir: Path) -> tuple[subprocess.Popen, str, Path]:
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "ITS_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    log = data_dir / "server.log"
    with open(log, "w", encoding="utf-8") as out:
        # 服务的日志写进文件，不用管道：几百个并发请求的日志会把管道写满、卡住服务。
        proc = subprocess.Popen([sys.executable, str(APP), "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"服务没能启动，日志：\n{log.read_text(encoding='utf-8')[-3000:]}")
        with suppress(httpx2.HTTPError):
            if httpx2.get(base + "/healthz", timeout=2).json().get("status") == "ok":
                return proc, base, log
        if time.monotonic() > deadline:
            stop_server(proc)
            raise SystemExit(f"服务 60 秒内没有就绪，日志：\n{log.read_text(encoding='utf-8')[-3000:]}")
        time.sleep(0.2)


def stop_server(proc: subprocess.Popen) -> None:
    """像 Ctrl+C 一样停服务（它会停掉自己拉起的 MCP 子进程），超时再强制结束整个进程组。"""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


# ---------------------------------------------------------------- 报告


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def ms(values: list[float]) -> str:
    return f"p50={percentile(values, 50) * 1000:.0f}ms  p99={percentile(values, 99) * 1000:.0f}ms"


def report(results: list[TurnResult], elapsed: float, *, first_event: bool = True) -> tuple[int, int]:
    errors = [r for r in results if r.error]
    lost = [r for r in results if r.lost]
    print(f"完成请求：{sum(r.ok for r in results)}/{len(results)}")
    print(f"错误：{len(errors)}")
    for reason, count in Counter(r.error for r in errors).most_common(5):
        print(f"    ×{count} {reason}")
    print(f"丢失事件：{len(lost)}")
    for reason, count in Counter(r.lost for r in lost).most_common(5):
        print(f"    ×{count} {reason}")
    if first_event:
        print(f"首个事件耗时：{ms([r.first_event for r in results if r.first_event is not None])}")
    print(f"完成耗时：{ms([r.done for r in results if r.ok])}")
    print(f"吞吐：{len(results) / elapsed:.1f} 轮/秒（总耗时 {elapsed:.1f}s）")
    return len(errors), len(lost)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="ITS 客服服务的 SSE 压测")
    parser.add_argument("--concurrency", type=int, default=200, help="同时进行的对话数（默认 200）")
    parser.add_argument("--turns", type=int, default=2, help="每个对话问几轮（默认 2）")
    parser.add_argument("--quick", action="store_true", help="只开 10 个对话（冒烟测试用）")
    parser.add_argument("--url", help="压一个已经在运行的服务，例如 http://127.0.0.1:8200")
    parser.add_argument("--skip-inprocess", action="store_true", help="不做进程内的对照测量")
    args = parser.parse_args()
    if args.quick:
        args.concurrency = 10
    return args


async def main() -> int:
    args = parse_args()
    print_provider()
    data_dir = Path(tempfile.mkdtemp(prefix="its_load_"))
    proc, server_log = None, None
    try:
        if args.url:
            base = args.url.rstrip("/")
            print(f"服务：{base}（已在运行；不知道它的进程，不测内存）")
        else:
            proc, base, server_log = await asyncio.to_thread(start_server, data_dir / "server")
            print(f"服务：{base}（子进程 pid {proc.pid}，数据在临时目录）")
        total = args.concurrency * args.turns
        delay = os.environ.get("MOCK_STREAM_DELAY", "0.02（默认）")
        print(f"并发对话：{args.concurrency} 个，每个 {args.turns} 轮，共 {total} 个请求"
              f"（模拟模型流式间隔 MOCK_STREAM_DELAY={delay}）")

        print("【经 HTTP + SSE】")
        before = rss_mb(proc.pid) if proc else None
        cpu_before = cpu_seconds(proc.pid) if proc else None
        http_results, http_elapsed = await run_http(base, args.concurrency, args.turns)
        errors, lost = report(http_results, http_elapsed)
        if proc:
            mcp = sum(rss_mb(child) or 0 for child in children(proc.pid))
            print(f"服务内存（RSS）：压测前 {before:.0f}MB，峰值 {rss_mb(proc.pid, 'VmHWM'):.0f}MB，"
                  f"压测后 {rss_mb(proc.pid):.0f}MB；MCP 子进程 {mcp:.0f}MB")
            cpu = cpu_seconds(proc.pid) - cpu_before
            print(f"服务 CPU：{cpu:.1f}s，平均每轮 {cpu / total * 1000:.0f}ms"
                  f"（含同进程里的模拟模型；本机 {os.cpu_count()} 核）")
            stop_server(proc)  # 先停掉服务，进程内的对照测量不和它抢 CPU
            proc = None

        if not args.skip_inprocess:
            print("【进程内直接调用 ChatService（无 HTTP）】")
            (data_dir / "inprocess").mkdir()
            local_results, local_elapsed = await run_inprocess(data_dir / "inprocess",
                                                               args.concurrency, args.turns)
            local_errors, local_lost = report(local_results, local_elapsed, first_event=False)
            errors, lost = errors + local_errors, lost + local_lost
            http_mean = mean([r.done for r in http_results if r.ok])
            local_mean = mean([r.done for r in local_results if r.ok])
            print(f"SSE 转发开销：平均完成耗时 {local_mean * 1000:.0f}ms → {http_mean * 1000:.0f}ms"
                  f"（×{http_mean / local_mean:.2f}），"
                  f"吞吐 ×{(total / http_elapsed) / (total / local_elapsed):.2f}")

        if errors or lost:
            if server_log:  # 临时目录马上要删：把服务日志里的警告和错误留在输出里
                problems = [line for line in server_log.read_text(encoding="utf-8").splitlines()
                            if line.startswith(("WARNING", "ERROR", "CRITICAL", "Traceback"))]
                print(f"服务日志里的警告和错误（共 {len(problems)} 条，最后 10 条）：")
                for line in problems[-10:]:
                    print(f"    {line[:300]}")
            print(f"结论：未通过（{errors} 个错误，{lost} 个丢失事件）")
            return 1
        print("结论：通过（0 错误，0 丢失事件）")
        return 0
    finally:
        if proc:
            stop_server(proc)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
