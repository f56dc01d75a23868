"""`cache_tools_list=True` 省掉了什么：实测 N 次 list_tools，不缓存 vs 缓存。

Runner 每一轮（每次调模型之前）都要拿 Agent 的全部工具，对每个 MCP 服务调用一次
`list_tools()`。不缓存时这就是一次 tools/list 网络往返；一次带工具调用的运行至少两轮，
十个服务就是二十次往返。`cache_tools_list=True` 只在第一次真正请求，之后直接用内存里的清单。

代价：服务端工具变了（上线新工具）客户端不知道。调用 `invalidate_tools_cache()` 让下一次
重新请求（例如收到服务端的 tools/list_changed 通知，或者定时刷新）。

“发没发请求”不靠猜：`count_requests()` 给 MCP 客户端会话的 `list_tools` 包一层计数，每次真正的
tools/list 往返都数到，打印的次数都是这次运行数出来的。

运行: python 06_mcp_multi_agent/04_cache_tools_list.py [--calls 200]

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    【MCP】streamable HTTP 服务：http://127.0.0.1:.../mcp
    cache_tools_list=False：100 次 list_tools 共 ...ms，每次 ...ms，发出 100 次 tools/list 请求
    cache_tools_list=True ：100 次 list_tools 共 ...ms，每次 ...ms，发出 0 次 tools/list 请求（返回的是深拷贝，所以不是 0ms）
    缓存后每次调用快了约 ... 倍
    invalidate_tools_cache() 之后第 1 次：...ms，发出 1 次 tools/list 请求
    一次 Runner.run（模型调用 2 次）：不缓存发出 2 次 tools/list 请求，缓存（已取过一次）发出 0 次
"""

import argparse
import asyncio
import time

from agents import Agent, Runner
from agents.mcp import MCPServerStreamableHttp
from servers.launch import ENTERPRISE, serve

from shared.factory import get_chat_model, print_provider


def count_requests(server: MCPServerStreamableHttp) -> list[int]:
    """数这个客户端真正发出的 tools/list 请求：给会话的 list_tools 包一层计数（返回的列表里是累计次数）。"""
    sent = [0]
    original = server.session.list_tools

    async def counting(*args, **kwargs):
        sent[0] += 1
        return await original(*args, **kwargs)

    server.session.list_tools = counting
    return sent


async def time_calls(server: MCPServerStreamableHttp, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        await server.list_tools()
    return (time.perf_counter() - start) * 1000


async def main(calls: int) -> None:
    print_provider()
    async with serve(ENTERPRISE, "streamable-http") as srv:
        print(f"【MCP】streamable HTTP 服务：{srv.url}")
        params = {"url": srv.url}
        async with (
            MCPServerStreamableHttp(params=params, cache_tools_list=False) as uncached,
            MCPServerStreamableHttp(params=params, cache_tools_list=True) as cached,
        ):
            await uncached.list_tools()  # 预热：建立 HTTP 连接，不算在里面
            await cached.list_tools()  # 第 1 次：真正请求服务，填进缓存
            sent = {"uncached": count_requests(uncached), "cached": count_requests(cached)}

            def delta(name: str, before: dict[str, int]) -> int:
                return sent[name][0] - before[name]

            before = {name: n[0] for name, n in sent.items()}
            slow = await time_calls(uncached, calls)
            fast = await time_calls(cached, calls)
            print(f"cache_tools_list=False：{calls} 次 list_tools 共 {slow:.1f}ms，"
                  f"每次 {slow / calls:.3f}ms，发出 {delta('uncached', before)} 次 tools/list 请求")
            print(f"cache_tools_list=True ：{calls} 次 list_tools 共 {fast:.1f}ms，"
                  f"每次 {fast / calls:.3f}ms，发出 {delta('cached', before)} 次 tools/list 请求"
                  "（返回的是深拷贝，所以不是 0ms）")
            print(f"缓存后每次调用快了约 {slow / max(fast, 1e-6):.0f} 倍")

            cached.invalidate_tools_cache()
            before = {name: n[0] for name, n in sent.items()}
            refreshed = await time_calls(cached, 1)
            print(f"invalidate_tools_cache() 之后第 1 次：{refreshed:.2f}ms，"
                  f"发出 {delta('cached', before)} 次 tools/list 请求")

            # Runner 每一轮（每次调模型之前）都会列一次工具：同一个问题，两个 Agent 各跑一次。
            question = "订单 A1001 现在是什么状态？"
            counts = {}
            for name, server in (("uncached", uncached), ("cached", cached)):
                agent = Agent(name="企业助手", instructions="使用企业工具回答用户问题。",
                              model=get_chat_model(), mcp_servers=[server])
                before = {n: c[0] for n, c in sent.items()}
                result = await Runner.run(agent, question)
                counts[name] = (result.context_wrapper.usage.requests, delta(name, before))
            print(f"一次 Runner.run（模型调用 {counts['uncached'][0]} 次）：不缓存发出 {counts['uncached'][1]} 次 "
                  f"tools/list 请求，缓存（已取过一次）发出 {counts['cached'][1]} 次")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100, help="每种方式调用 list_tools 的次数")
    asyncio.run(main(parser.parse_args().calls))
