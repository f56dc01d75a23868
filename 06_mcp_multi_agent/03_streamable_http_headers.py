"""用 streamable HTTP 连接 MCP 服务，并通过请求头把“工作区”传给服务端。

streamable HTTP 是 MCP 规范推荐的 HTTP 传输：所有消息都 POST 到同一个地址（默认 /mcp），
服务端需要时把响应升级成流。`params["headers"]` 里的请求头随每个请求发送，服务端工具在参数里
声明 `ctx: Context`，用 `ctx.headers` 读出来 —— 多租户 / 多工作区的系统就靠它区分“这是谁的请求”。

服务端的 `--stateless`（无状态模式）不保存会话，适合多副本部署；本机的 mcp 2.3 协商出的协议
版本本来就不使用会话，所以两种模式下这个演示的结果一样。

手动演示（两个终端）:
    python 06_mcp_multi_agent/servers/enterprise_server.py --transport streamable-http --port 8000
    python 06_mcp_multi_agent/03_streamable_http_headers.py --url http://127.0.0.1:8000/mcp --workspace east-china
（HTTP 请求头的值只能是 ASCII：中文工作区名要先编码，或者用英文 / 拼音的 id。）
运行: python 06_mcp_multi_agent/03_streamable_http_headers.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    【MCP】streamable HTTP 服务已在子进程中启动：http://127.0.0.1:.../mcp（pid ...）
    【MCP】已连接 enterprise-tools，每个请求都带请求头 X-Workspace: demo-workspace
    用户：我现在在哪个工作区？
    工具调用: get_workspace {}
    工具结果: {"workspace": "demo-workspace", "transport": "streamable-http"}
    最终回答: 工作区：demo-workspace，传输方式：streamable-http。
    服务端日志（证明服务端真的收到了请求头）：
    [enterprise-tools] 收到请求头 X-Workspace=demo-workspace（传输方式 streamable-http）
"""

import argparse
import asyncio
import json

from agents import Agent, Runner
from agents.items import ToolCallItem, ToolCallOutputItem
from agents.mcp import MCPServerStreamableHttp
from servers.launch import ENTERPRISE, serve

from shared.factory import get_chat_model, print_provider


async def main(url: str | None, workspace: str) -> None:
    print_provider()
    if not workspace.isascii():  # httpx 会在发请求前抛 UnicodeEncodeError
        raise SystemExit(f"✗ HTTP 请求头只能是 ASCII，{workspace!r} 不行：请用英文 / 拼音的工作区 id，"
                         "例如 --workspace east-china（或者先做 URL 编码）")
    async with serve(ENTERPRISE, "streamable-http", url=url) as srv:
        if srv.proc:
            print(f"【MCP】streamable HTTP 服务已在子进程中启动：{srv.url}（pid {srv.pid}）")
        params = {"url": srv.url, "headers": {"X-Workspace": workspace}, "timeout": 5}
        async with MCPServerStreamableHttp(name="enterprise-tools", params=params) as server:
            print(f"【MCP】已连接 {server.name}，每个请求都带请求头 X-Workspace: {workspace}")
            agent = Agent(
                name="企业助手",
                instructions="使用企业工具回答用户问题。",
                model=get_chat_model(),
                mcp_servers=[server],
            )
            question = "我现在在哪个工作区？"
            print(f"\n用户：{question}")
            result = await Runner.run(agent, question)
            for item in result.new_items:
                if isinstance(item, ToolCallItem):
                    print(f"工具调用: {item.raw_item.name} {item.raw_item.arguments}")
                elif isinstance(item, ToolCallOutputItem):
                    data = json.loads(item.output["text"])  # MCP 内容块 {"type": "text", "text": ...}
                    print(f"工具结果: {json.dumps(data, ensure_ascii=False)}")
            print(f"最终回答: {result.final_output}")

        lines = [line for line in srv.log_lines() if "X-Workspace" in line]
        if lines:
            print("\n服务端日志（证明服务端真的收到了请求头）：")
            print("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="连接你手动启动的服务，例如 http://127.0.0.1:8000/mcp")
    parser.add_argument("--workspace", default="demo-workspace", help="X-Workspace 请求头的值")
    args = parser.parse_args()
    asyncio.run(main(args.url, args.workspace))
