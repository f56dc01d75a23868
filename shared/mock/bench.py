"""模拟模型的基准测试：python -m shared.mock.bench [--seconds 3] [--concurrency 16] [--against 另一份检出]

在独立子进程里启动模拟模型（MOCK_STREAM_DELAY=0），从本进程用 httpx 打压，打印：
- 非流式 Chat Completions / Responses 的每秒请求数；
- 流式 Chat Completions 的每秒分片数；
- 单请求延迟（p50 / p99），与同一服务器上最简单的 ASGI 端点 GET /health 并排，
  差值就是模拟模型自己（解析请求、读对话、决策、生成 JSON）增加的开销。一轮带工具的单句请求，
  和一段四轮的对话（历史里有工具调用和结果，模拟模型要从头读一遍）各测一次。

`--against DIR`：同一次运行里，再从另一份仓库检出（比如改动之前的提交：`git worktree add /tmp/old <提交>`）
启动它的模拟模型，两边交替测延迟，打印各自的增加量和比值——改动前后的对比不受机器当时快慢的影响。
不是单元测试：数字随机器而变，只打印不判定。
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time

import httpx2

CHAT = {"model": "mock-model", "messages": [
    {"role": "system", "content": "你是一个天气助手。"},
    {"role": "user", "content": "武汉的天气怎么样？"},
], "tools": [{"type": "function", "function": {
    "name": "get_weather", "description": "获取指定城市的天气信息",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}}]}
STORY = {"model": "mock-model", "messages": [{"role": "user", "content": "讲一个关于月亮的睡前故事"}]}
RESPONSES = {"model": "mock-model", "input": "你好，介绍一下你自己"}
# 四轮对话：问订单 → 工具结果 → 追问里面有什么 → 回答 → 问能不能退 → 回答 → 确认办理
_ORDER_TOOLS = [{"type": "function", "function": {
    "name": name, "description": desc,
    "parameters": {"type": "object", "properties": {"order_id": {"type": "string", "description": "订单号"}},
                   "required": ["order_id"]}}} for name, desc in (
    ("track_shipment", "查询订单的物流：快递公司、运单号、最新动态"), ("get_order", "查询订单详情：状态、金额、商品明细"),
    ("check_refund_eligibility", "检查订单能不能退款、可退金额；只查询，不提交"), ("request_refund", "为订单提交退款申请"))]
DIALOGUE = {"model": "mock-model", "tools": _ORDER_TOOLS, "messages": [
    {"role": "system", "content": "你是 ITS 商城的客服，查订单用 get_order，查物流用 track_shipment，退款先查再提交。"},
    {"role": "user", "content": "订单 A1002 到哪了"},
    {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {
        "name": "track_shipment", "arguments": "{\"order_id\": \"A1002\"}"}}]},
    {"role": "tool", "tool_call_id": "c1", "content": "{\"order_id\": \"A1002\", \"order_status\": \"已签收\"}"},
    {"role": "assistant", "content": "订单 A1002：已签收。"},
    {"role": "user", "content": "它里面有几样东西"},
    {"role": "assistant", "content": "订单 A1002：商品：跑鞋 ×1。"},
    {"role": "user", "content": "这个能退吗"},
    {"role": "assistant", "content": "订单 A1002：符合条件，可退金额：399 元。"},
    {"role": "user", "content": "好的，那就办吧"},
]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def throughput(client: httpx2.AsyncClient, method: str, path: str, body: dict | None,
                     seconds: float, concurrency: int, stream: bool = False) -> tuple[float, float]:
    """在 seconds 秒内以 concurrency 路并发请求；返回 (每秒请求数, 每秒 SSE 分片数)。"""
    deadline = time.perf_counter() + seconds
    done = chunks = 0

    async def worker() -> None:
        nonlocal done, chunks
        while time.perf_counter() < deadline:
            if stream:
                async with client.stream(method, path, json=body) as response:
                    async for line in response.aiter_lines():
                        chunks += line.startswith("data:")
            else:
                response = await client.request(method, path, json=body)
                response.raise_for_status()
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    return done / elapsed, chunks / elapsed


async def latency(client: httpx2.AsyncClient, method: str, path: str, body: dict | None,
                  count: int) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        (await client.request(method, path, json=body)).raise_for_status()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


async def measure(base: str, seconds: float, concurrency: int, samples: int) -> None:
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await latency(client, "POST", "/v1/chat/completions", CHAT, 20)  # 预热

        print(f"吞吐（{concurrency} 路并发，各 {seconds:g} 秒）")
        rows = [
            ("GET /health（ASGI 地板）", "GET", "/health", None, False),
            ("POST /v1/chat/completions 非流式", "POST", "/v1/chat/completions", CHAT, False),
            ("POST /v1/responses 非流式", "POST", "/v1/responses", RESPONSES, False),
            ("POST /v1/chat/completions 流式", "POST", "/v1/chat/completions", {**STORY, "stream": True}, True),
        ]
        for label, method, path, body, stream in rows:
            rps, cps = await throughput(client, method, path, body, seconds, concurrency, stream)
            extra = f"，{cps:8.0f} 分片/秒" if stream else ""
            print(f"  {label:<34} {rps:8.0f} 请求/秒{extra}")

        print(f"单请求延迟（顺序发送 {samples} 次，毫秒）")
        floor, chat, dialogue = await _latencies(client, samples)
        for label, values in (("GET /health（地板）", floor), ("chat.completions 带工具", chat),
                              ("四轮对话（带历史）", dialogue)):
            print(f"  {label:<26} p50 {statistics.median(values):6.2f}   p99 {percentile(values, 0.99):6.2f}")
        print(f"模拟模型在地板之上增加的中位延迟：单句 {_added(chat, floor):.2f} ms，四轮对话 {_added(dialogue, floor):.2f} ms")


async def _latencies(client: httpx2.AsyncClient, samples: int) -> tuple[list[float], list[float], list[float]]:
    floor = await latency(client, "GET", "/health", None, samples)
    chat = await latency(client, "POST", "/v1/chat/completions", CHAT, samples)
    dialogue = await latency(client, "POST", "/v1/chat/completions", DIALOGUE, samples)
    return floor, chat, dialogue


def _added(values: list[float], floor: list[float]) -> float:
    return statistics.median(values) - statistics.median(floor)


async def compare(bases: dict[str, str], samples: int, rounds: int = 3) -> None:
    """两份检出的模拟模型逐个请求交替测延迟：每一步两边各发一次地板、单句、四轮对话，顺序每步轮换。
    机器忽快忽慢（虚拟机上很常见）时两边受的影响一样，比一块一块地测稳得多。"""
    names = list(bases)
    collected = {name: ([], [], []) for name in names}
    requests = (("GET", "/health", None), ("POST", "/v1/chat/completions", CHAT),
                ("POST", "/v1/chat/completions", DIALOGUE))
    clients = {name: httpx2.AsyncClient(base_url=base, timeout=30) for name, base in bases.items()}
    try:
        for client in clients.values():
            await latency(client, "POST", "/v1/chat/completions", DIALOGUE, 50)  # 预热
        for step in range(rounds * samples):
            order = names if step % 2 == 0 else names[::-1]
            for bucket, (method, path, body) in enumerate(requests):
                for name in order:
                    collected[name][bucket].append((await latency(clients[name], method, path, body, 1))[0])
    finally:
        for client in clients.values():
            await client.aclose()
    print(f"对比（逐个请求交替，每边每种 {rounds * samples} 次，毫秒，中位数）")
    added = {}
    for name, (floor, chat, dialogue) in collected.items():
        added[name] = (_added(chat, floor), _added(dialogue, floor))
        print(f"  {name:<40} 地板 {statistics.median(floor):5.2f}  单句 +{added[name][0]:5.2f}  四轮对话 +{added[name][1]:5.2f}")
    this, other = names
    print(f"  比值（{this} ÷ {other}）：单句 ×{added[this][0] / added[other][0]:.2f}，"
          f"四轮对话 ×{added[this][1] / added[other][1]:.2f}")


def start(cwd: str | None) -> tuple[subprocess.Popen, str]:
    """在子进程里启动一份检出的模拟模型（cwd 决定 `import shared` 找到哪一份）。"""
    port = free_port()
    env = {**os.environ, "MOCK_STREAM_DELAY": "0"}
    if cwd:
        env["PYTHONPATH"] = cwd
    server = subprocess.Popen([sys.executable, "-m", "shared.mock", "--port", str(port), "--log-level", "warning"],
                              env=env, stdout=subprocess.DEVNULL, cwd=cwd)
    base = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            httpx2.get(base + "/health", timeout=0.2)
            break
        except httpx2.HTTPError:
            time.sleep(0.05)
    return server, base


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.mock.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="每项吞吐测试的时长（秒）")
    parser.add_argument("--concurrency", type=int, default=16, help="并发连接数")
    parser.add_argument("--samples", type=int, default=300, help="延迟测试的请求次数")
    parser.add_argument("--against", metavar="DIR", help="另一份仓库检出：同一次运行里交替测两边的延迟并比较")
    args = parser.parse_args()

    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    server, base = start(here)
    servers = [server]
    try:
        print(f"模拟模型基准（服务进程 pid {server.pid}，{os.cpu_count()} 核，Python {sys.version.split()[0]}）")
        asyncio.run(measure(base, args.seconds, args.concurrency, args.samples))
        if args.against:
            other, other_base = start(os.path.abspath(args.against))
            servers.append(other)
            asyncio.run(compare({f"这份（{here}）": base, f"对照（{args.against}）": other_base}, args.samples))
    finally:
        for s in servers:
            s.terminate()
            s.wait(10)


if __name__ == "__main__":
    main()
