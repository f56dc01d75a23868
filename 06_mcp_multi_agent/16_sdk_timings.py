"""基准脚本：在本机实测 Agent 模块各环节的耗时，和课程时序文档 7.1 节的“关键性能指标”对照。

课程声称：代理初始化 <10ms，工具聚合 50-200ms，指令生成 1-5ms，代理工具化 <1ms，代理切换 20-50ms。
这些数字没有说明在什么条件下测的。本脚本在本机、内置模拟模型（MOCK_STREAM_DELAY=0，
也就是模型本身不花时间）上，每项重复很多次，报告中位数和 p10–p90，并给出结论。

- 工具聚合 = `agent.get_all_tools(run_context)`，也就是 Runner 每一轮调模型前做的事：
  只有函数工具；1 个 / 3 个 MCP 服务（streamable HTTP，本机回环），缓存与不缓存。
- 指令生成 = `agent.get_system_prompt(ctx)`：字符串、同步函数、异步函数三种 instructions。
- 代理切换 = 一次完整的 Runner.run：分流 Agent 调模型 → 交接 → 退款专家调模型（2 次模型请求）。

这不是单元测试：数字随机器和负载变化。完整版约半分钟到一分钟；`--quick` 每项只跑几次（冒烟测试用）。

运行: python 06_mcp_multi_agent/16_sdk_timings.py           （完整版，README 里的表就是它的输出）
      python 06_mcp_multi_agent/16_sdk_timings.py --quick

测试参数: --quick
测试超时: 120
预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    【环境】Python ...，openai-agents ...，mcp ...，CPU ... 核，负载 ...
    【MCP】3 个 streamable HTTP 服务已启动
    【MCP】服务进程已停止
    | 场景 | 课程声称 | 实测中位数 | p10–p90 | 次数 | 结论 |
    | 代理初始化 Agent(...) | <10ms | ... |
    | 工具聚合：5 个函数工具 | 50-200ms | ... |
    | 工具聚合：1 个 MCP 服务，不缓存 | 50-200ms | ... |
    | 工具聚合：1 个 MCP 服务，缓存 | 50-200ms | ... |
    | 工具聚合：3 个 MCP 服务，不缓存 | 50-200ms | ... |
    | 工具聚合：3 个 MCP 服务，缓存 | 50-200ms | ... |
    | 指令生成：字符串 | 1-5ms | ... |
    | 指令生成：同步函数 | 1-5ms | ... |
    | 指令生成：异步函数 | 1-5ms | ... |
    | 代理工具化 as_tool() | <1ms | ... |
    | 代理切换：一次 triage→专家 的 Runner.run | 20-50ms | ... |
    | 参照：一次模型请求往返（openai 客户端直连，不经 SDK） | — | ... | — |
    | 代理切换，扣除 2 次模型往返 = SDK 自身开销 | 20-50ms | ... |
"""

import argparse
import asyncio
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from importlib.metadata import version

from agents import Agent, RunContextWrapper, Runner, function_tool
from agents.mcp import MCPServerStreamableHttp
from servers.launch import ENTERPRISE, FINANCE, serve

from shared.factory import get_async_client, get_chat_model, print_provider

# 课程 7.1 的数字：(说法, 下限 ms, 上限 ms)
CLAIMS = {
    "init": ("<10ms", 0.0, 10.0),
    "tools": ("50-200ms", 50.0, 200.0),
    "instructions": ("1-5ms", 1.0, 5.0),
    "as_tool": ("<1ms", 0.0, 1.0),
    "handoff": ("20-50ms", 20.0, 50.0),
}


@function_tool
def get_weather(city: str) -> str:
    """查询城市天气。"""
    return city


@function_tool
def get_order_status(order_id: str) -> str:
    """查询订单状态。"""
    return order_id


@function_tool(is_enabled=lambda ctx, agent: True)  # 动态启用：每次聚合都要调用一次
def track_logistics(order_id: str) -> str:
    """查询物流。"""
    return order_id


@function_tool
def create_ticket(title: str) -> str:
    """创建工单。"""
    return title


@function_tool
def get_invoice(order_id: str) -> str:
    """查询发票。"""
    return order_id


FUNCTION_TOOLS = [get_weather, get_order_status, track_logistics, create_ticket, get_invoice]


def sync_instructions(ctx: RunContextWrapper, agent: Agent) -> str:
    return f"你是{agent.name}，用户是 {ctx.context['user']}。"


async def async_instructions(ctx: RunContextWrapper, agent: Agent) -> str:
    return f"你是{agent.name}，用户是 {ctx.context['user']}。"


async def measure(fn: Callable[[], Awaitable[object] | object], n: int, warmup: int) -> list[float]:
    """返回 n 次的耗时（毫秒）；前 warmup 次不计（首次导入、建连接、填缓存）。"""
    samples = []
    for i in range(warmup + n):
        start = time.perf_counter()
        out = fn()
        if asyncio.iscoroutine(out):
            await out
        if i >= warmup:
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def verdict(median: float, lo: float, hi: float) -> str:
    if median > hi:
        return f"不成立：更慢（{median / hi:.1f}× 上限）"
    if lo <= median:
        return "成立"
    if lo == 0:
        return f"成立（只用了上限的 {median / hi:.1%}）"
    ratio = lo / max(median, 1e-9)
    if ratio < 2:
        return "大致成立：略低于声称的下限"
    return f"不成立：实际快得多（约为下限的 1/{ratio:.0f}）"


def fmt(ms: float) -> str:
    return f"{ms * 1000:.1f}µs" if ms < 1 else f"{ms:.2f}ms"


async def main(quick: bool) -> None:
    settings = print_provider()
    micro, mcp_n, runs = (30, 10, 3) if quick else (3000, 300, 100)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"【环境】Python {platform.python_version()}，openai-agents {version('openai-agents')}，"
          f"mcp {version('mcp')}，CPU {os.cpu_count()} 核，负载 {load:.2f}"
          f"{'（--quick：次数很少，数字只看个大概）' if quick else ''}")
    model = get_chat_model(settings.model)
    ctx = RunContextWrapper({"user": "u1"})
    rows: list[tuple[str, str, list[float]]] = []

    def add(label: str, claim: str, samples: list[float]) -> None:
        rows.append((label, claim, samples))

    booking = Agent(name="Booking agent", instructions="你负责订票。", model=model)
    refund = Agent(name="Refund agent", instructions="你负责退款：需要用户提供订单号、原因。", model=model)

    add("代理初始化 Agent(...)", "init", await measure(
        lambda: Agent(name="Triage agent", instructions="你负责分流。", model=model,
                      tools=FUNCTION_TOOLS, handoffs=[booking, refund]), micro, 10))

    with_functions = Agent(name="f", instructions="x", model=model, tools=FUNCTION_TOOLS)
    add("工具聚合：5 个函数工具", "tools",
        await measure(lambda: with_functions.get_all_tools(ctx), micro, 10))

    async with AsyncExitStack() as stack:
        procs = await asyncio.gather(*(stack.enter_async_context(serve(s))
                                       for s in (ENTERPRISE, FINANCE, ENTERPRISE)))
        print(f"【MCP】{len(procs)} 个 streamable HTTP 服务已启动")
        servers = {}
        for cached in (False, True):
            servers[cached] = [
                await stack.enter_async_context(MCPServerStreamableHttp(
                    name=f"s{i}", params={"url": p.url}, cache_tools_list=cached))
                for i, p in enumerate(procs)
            ]
        for count in (1, 3):
            for cached in (False, True):
                # 3 个服务里有同名工具（service_info 等），必须加服务名前缀
                agent = Agent(name="m", instructions="x", model=model, tools=FUNCTION_TOOLS,
                              mcp_servers=servers[cached][:count],
                              mcp_config={"include_server_in_tool_names": count > 1})
                label = f"工具聚合：{count} 个 MCP 服务，{'缓存' if cached else '不缓存'}"
                add(label, "tools", await measure(lambda a=agent: a.get_all_tools(ctx), mcp_n, 5))
        # 离开 async with：先断开客户端，再停服务进程
    print("【MCP】服务进程已停止")

    for label, instructions in (("字符串", "你负责分流。"), ("同步函数", sync_instructions),
                                ("异步函数", async_instructions)):
        agent = Agent(name="Triage agent", instructions=instructions, model=model)
        add(f"指令生成：{label}", "instructions",
            await measure(lambda a=agent: a.get_system_prompt(ctx), micro, 10))

    add("代理工具化 as_tool()", "as_tool", await measure(
        lambda: refund.as_tool(tool_name="refund_expert", tool_description="退款"), micro, 10))

    triage = Agent(name="Triage agent", model=model, handoffs=[booking, refund],
                   instructions="你负责分流。如果用户问退款 -> 交接给 refund_agent。")

    async def handoff_turn() -> None:
        result = await Runner.run(triage, "我要退款，订单号 A1001")
        assert result.last_agent is refund

    handoff = await measure(handoff_turn, runs, 3)
    add("代理切换：一次 triage→专家 的 Runner.run", "handoff", handoff)

    # 参照：不经过 SDK，直接用 openai 客户端向模拟模型发一次请求。代理切换里有 2 次这样的往返，
    # 扣掉它们才是 SDK 自己（交接、组装输入、解析输出）花的时间。
    client = get_async_client()
    roundtrip = await measure(lambda: client.chat.completions.create(
        model=settings.model, messages=[{"role": "user", "content": "我要退款，订单号 A1001"}]),
        runs, 3)
    add("参照：一次模型请求往返（openai 客户端直连，不经 SDK）", "", roundtrip)
    net = statistics.median(handoff) - 2 * statistics.median(roundtrip)

    print("\n| 场景 | 课程声称 | 实测中位数 | p10–p90 | 次数 | 结论 |")
    print("|---|---|---|---|---|---|")
    for label, key, samples in rows:
        claim, lo, hi = CLAIMS.get(key, ("—", 0.0, 0.0))
        median = statistics.median(samples)
        deciles = statistics.quantiles(samples, n=10)
        print(f"| {label} | {claim} | {fmt(median)} | {fmt(deciles[0])}–{fmt(deciles[-1])} "
              f"| {len(samples)} | {verdict(median, lo, hi) if key else '—'} |")
    claim, lo, hi = CLAIMS["handoff"]
    print(f"| 代理切换，扣除 2 次模型往返 = SDK 自身开销 | {claim} | {fmt(max(net, 0.0))} | — | — "
          f"| {verdict(max(net, 0.0), lo, hi)} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="每项只跑几次（冒烟测试用）")
    asyncio.run(main(parser.parse_args().quick))
