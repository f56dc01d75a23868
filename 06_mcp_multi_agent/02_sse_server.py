"""用 SSE（HTTP + Server-Sent Events）连接 MCP 服务：服务是一个独立运行的 HTTP 进程。

和 stdio 不同，HTTP 传输的服务可以部署在别的机器上、被很多 Agent 共用。课程 4.1 节 3.2 的
写法 `MCPServerSse(params={"url": ".../sse", "headers": {...}})` 在 SDK 里是真的；不对的是它的
`ModelSettings(model="gpt-4o")`：模型要放在 `Agent(model=...)` 上（本课用工厂的 get_chat_model()）。

注意：MCP 规范（2025-03-26 版起）已经弃用 HTTP+SSE 传输，改用 streamable HTTP（见 03 课）。
SDK 仍支持 SSE，用来连接还没升级的老服务；新写的服务请用 streamable HTTP。

手动演示（两个终端）:
    python 06_mcp_multi_agent/servers/enterprise_server.py --transport sse --port 8001
    python 06_mcp_multi_agent/02_sse_server.py --url http://127.0.0.1:8001/sse
运行: python 06_mcp_multi_agent/02_sse_server.py   （不带 --url：脚本自己在空闲端口启动服务，结束时停掉）

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    【MCP】SSE 服务已在子进程中启动：http://127.0.0.1:.../sse（pid ...）
    【MCP】SSE 已连接：服务自报 enterprise-tools 1.0.0，协议版本 ...
    ⚠ HTTP+SSE 传输已被 MCP 规范弃用，新服务请用 streamable HTTP（03_streamable_http_headers.py）
    用户：东京现在的天气怎么样？
    工具调用: get_weather {"city": "东京"}
    最终回答: 东京：天气：晴，气温：22℃。
    【MCP】已断开；服务进程已停止
"""

import argparse
import asyncio

from agents import Agent, Runner
from agents.items import ToolCallItem
from agents.mcp import MCPServerSse
from servers.launch import ENTERPRISE, serve

from shared.factory import get_chat_model, print_provider


async def main(url: str | None) -> None:
    print_provider()
    async with serve(ENTERPRISE, "sse", url=url) as srv:
        if srv.proc:
            print(f"【MCP】SSE 服务已在子进程中启动：{srv.url}（pid {srv.pid}）")
        async with MCPServerSse(
            name="SSE Python Server",
            params={
                "url": srv.url,
                # 请求头随每个 HTTP 请求发给服务（03 课让服务把它读出来）
                "headers": {"X-Workspace": "demo-workspace"},
                "timeout": 5,  # 单个 HTTP 请求的超时（秒）
            },
            cache_tools_list=True,  # 工具清单只取一次（04 课量一量省了多少）
        ) as server:
            info = server.session.server_info
            print(f"【MCP】SSE 已连接：服务自报 {info.name} {info.version}，"
                  f"协议版本 {server.session.protocol_version}")
            print("⚠ HTTP+SSE 传输已被 MCP 规范弃用，新服务请用 streamable HTTP"
                  "（03_streamable_http_headers.py）")

            agent = Agent(
                name="智能助手",
                instructions="使用提供的工具回答用户问题。",
                model=get_chat_model(),
                mcp_servers=[server],
            )
            question = "东京现在的天气怎么样？"
            print(f"\n用户：{question}")
            result = await Runner.run(agent, question)
            for item in result.new_items:
                if isinstance(item, ToolCallItem):
                    print(f"工具调用: {item.raw_item.name} {item.raw_item.arguments}")
            print(f"最终回答: {result.final_output}")
    # 先断开客户端、再停服务：反过来的话，客户端会看到连接被掐断的报错。
    print("\n【MCP】已断开；服务进程已停止" if not url else "\n【MCP】已断开（你启动的服务仍在运行）")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="连接你手动启动的 SSE 服务，例如 http://127.0.0.1:8001/sse")
    asyncio.run(main(parser.parse_args().url))
