"""模拟模型的基准测试：python -m shared.mock.bench [--seconds 3] [--concurrency 16]

在独立子进程里启动模拟模型（MOCK_STREAM_DELAY=0），从本进程用 httpx 打压，打印：
- 非流式 Chat Completions / Responses 的每秒请求数；
- 流式 Chat Completions 的每秒分片数；
- 单请求延迟（p50 / p99），与同一服务器上最简单的 ASGI 端点 GET /health 并排，
  差值就是模拟模型自己（解析请求、决策、生成 JSON）增加的开销。
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
        floor = await latency(client, "GET", "/health", None, samples)
        chat = await latency(client, "POST", "/v1/chat/completions", CHAT, samples)
        for label, values in (("GET /health（地板）", floor), ("chat.completions 带工具", chat)):
            print(f"  {label:<26} p50 {statistics.median(values):6.2f}   p99 {percentile(values, 0.99):6.2f}")
        added = statistics.median(chat) - statistics.median(floor)
        print(f"模拟模型在地板之上增加的中位延迟：{added:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.mock.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="每项吞吐测试的时长（秒）")
    parser.add_argument("--concurrency", type=int, default=16, help="并发连接数")
    parser.add_argument("--samples", type=int, default=300, help="延迟测试的请求次数")
    args = parser.parse_args()

    port = free_port()
    env = {**os.environ, "MOCK_STREAM_DELAY": "0"}
    server = subprocess.Popen([sys.executable, "-m", "shared.mock", "--port", str(port), "--log-level", "warning"],
                              env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx2.get(base + "/health", timeout=0.2)
                break
            except httpx2.HTTPError:
                time.sleep(0.05)
        print(f"模拟模型基准（服务进程 pid {server.pid}，{os.cpu_count()} 核，Python {sys.version.split()[0]}）")
        asyncio.run(measure(base, args.seconds, args.concurrency, args.samples))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
