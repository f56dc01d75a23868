"""MCP 服务没启动 / 连不上：给出一句说清楚“哪个服务、哪个地址、怎么了”的中文提示，有时间上限。

工具在另一个进程里，就要面对“那个进程不在”的情况。SDK 连不上时抛 `UserError`
（“Failed to connect to MCP server ...: Could not reach the server.”），只有服务名没有地址；
我们把它翻译成带 URL 的中文提示。再用 `asyncio.wait_for` 给连接加一个总的时间上限：
服务“在但不响应”时也不会无限等下去（服务卡死的情况见 09 课）。

两种用法：
- 默认（课堂演示）：先连一个没人监听的端口，捕获错误、解释；再启动服务，同样的代码连上了。退出码 0。
- `--server-down`：像真实程序一样，连不上就打印中文错误并以退出码 1 结束（测试用它检查这条路径）。

运行: python 06_mcp_multi_agent/08_server_down.py
      python 06_mcp_multi_agent/08_server_down.py --server-down     （演示失败退出，退出码 1）

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    ① 服务没启动：连接 http://127.0.0.1:.../mcp（这个端口上没有服务在监听）
    ✗ MCP 服务「enterprise-tools」（http://127.0.0.1:.../mcp）不可用：连不上，端口上没有服务在监听（服务没启动或已退出）。用时 ... 秒（上限 5 秒）
    （已捕获：真实程序里这里应该提示用户稍后再试，或者不带这个服务的工具继续运行）
    ② 启动服务之后，同样的代码：
    ✓ 已连接 enterprise-tools（http://127.0.0.1:.../mcp），5 个工具
    用户：订单 A1003 到了吗？
    最终回答: 订单 A1003：...状态：已签收。
"""

import argparse
import asyncio
import sys
import time

from agents import Agent, Runner, UserError
from agents.mcp import MCPServerStreamableHttp
from servers.launch import ENTERPRISE, free_port, serve

from shared.factory import get_chat_model, print_provider

CONNECT_TIMEOUT = 5.0  # 秒：连接 + 握手的总上限


class MCPUnavailable(Exception):
    """MCP 服务不可用；消息是给人看的中文说明。"""


async def connect(url: str) -> MCPServerStreamableHttp:
    server = MCPServerStreamableHttp(
        name="enterprise-tools",
        params={"url": url, "timeout": CONNECT_TIMEOUT},  # 单个 HTTP 请求的超时
        client_session_timeout_seconds=CONNECT_TIMEOUT,  # 等一条 MCP 响应的超时
    )
    start = time.perf_counter()
    try:
        await asyncio.wait_for(server.connect(), CONNECT_TIMEOUT)  # 总上限，防止任何一步卡住
    except (UserError, OSError, asyncio.TimeoutError) as exc:
        await server.cleanup()
        if isinstance(exc, asyncio.TimeoutError):
            reason = f"{CONNECT_TIMEOUT:g} 秒内没有完成握手（服务卡住了？）"
        elif "Could not reach" in str(exc) or isinstance(exc, OSError):
            reason = "连不上，端口上没有服务在监听（服务没启动或已退出）"
        else:
            reason = str(exc)
        raise MCPUnavailable(
            f"MCP 服务「{server.name}」（{url}）不可用：{reason}。"
            f"用时 {time.perf_counter() - start:.2f} 秒（上限 {CONNECT_TIMEOUT:g} 秒）"
        ) from exc
    return server


async def main(server_down: bool) -> None:
    print_provider()
    closed = f"http://127.0.0.1:{free_port()}/mcp"  # 刚要来的空闲端口：保证没人监听
    print(f"① 服务没启动：连接 {closed}（这个端口上没有服务在监听）")
    try:
        await connect(closed)
    except MCPUnavailable as exc:
        if server_down:
            print(f"✗ {exc}", file=sys.stderr)
            raise SystemExit(1) from None
        print(f"✗ {exc}")
        print("（已捕获：真实程序里这里应该提示用户稍后再试，或者不带这个服务的工具继续运行）")

    print("\n② 启动服务之后，同样的代码：")
    async with serve(ENTERPRISE, "streamable-http") as srv:
        server = await connect(srv.url)
        try:
            print(f"✓ 已连接 {server.name}（{srv.url}），{len(await server.list_tools())} 个工具")
            agent = Agent(name="企业助手", instructions="使用企业工具回答用户问题。",
                          model=get_chat_model(), mcp_servers=[server])
            print("用户：订单 A1003 到了吗？")
            result = await Runner.run(agent, "订单 A1003 到了吗？")
            print(f"最终回答: {result.final_output}")
        finally:
            await server.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-down", action="store_true",
                        help="服务连不上时像真实程序一样报错退出（退出码 1）")
    asyncio.run(main(parser.parse_args().server_down))
