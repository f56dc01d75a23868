"""用 stdio 连接 MCP 服务：Agent 启动时自动发现服务提供的工具，代码里一个工具也不写。

MCPServerStdio 把 servers/enterprise_server.py 作为子进程拉起，通过它的标准输入/输出交换
MCP 消息：本机、无需端口，适合开发调试和桌面应用。连上后 `list_tools()` 拿到每个工具的
名字、描述和参数 JSON Schema；把服务交给 `Agent(mcp_servers=[...])`，每次运行时 SDK 都会
这样问一遍，再把工具交给模型。

课程原文的 `MCPClient(server_url=...)` 不存在：客户端是 agents.mcp 里按传输方式区分的三个类
（MCPServerStdio / MCPServerSse / MCPServerStreamableHttp），名字里的 "Server" 指“对端那个服务”。

运行: python 06_mcp_multi_agent/01_stdio_server.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    【MCP】stdio 已连接：enterprise-tools（子进程：python .../enterprise_server.py --transport stdio）
    发现 5 个工具：
    - get_weather：查询城市的实时天气（演示数据）。
    参数：{"properties": {"city": {"description": "城市名，例如 北京、武汉", "title": "City", "type": "string"}}, "required": ["city"], "title": "get_weatherArguments", "type": "object"}
    - get_order_status：查询订单状态：商品、金额、发货状态。
    - track_logistics：查询订单的物流轨迹（快递公司、运单号、最新动态）。
    用户：帮我查一下订单123456的状态
    工具调用: get_order_status {"order_id": "123456"}
    工具结果: ..."status": "已发货"...
    最终回答: 订单 123456：状态：已发货，运单号：ZT123456，商品：登山背包，金额：328 元。
    用户：武汉今天天气怎么样？
    工具调用: get_weather {"city": "武汉"}
    最终回答: 武汉：天气：小雨，气温：24℃。
    【MCP】已断开，服务子进程已结束
"""

import asyncio
import json

from agents import Agent, ItemHelpers, Runner
from agents.items import ToolCallItem, ToolCallOutputItem
from agents.mcp import MCPServerStdio
from servers.launch import ENTERPRISE, stdio_params

from shared.factory import get_chat_model, print_provider

QUESTIONS = ["帮我查一下订单123456的状态", "武汉今天天气怎么样？"]


def output_text(output) -> str:
    """MCP 工具的结果到了 SDK 这边是内容块（{"type": "text", "text": ...}），取出文字。"""
    if isinstance(output, dict) and "text" in output:
        output = output["text"]
    try:  # 服务返回的 JSON 带缩进，压成一行好看些
        return json.dumps(json.loads(output), ensure_ascii=False)
    except (TypeError, ValueError):
        return str(output)


def print_run(result) -> None:
    for item in result.new_items:
        if isinstance(item, ToolCallItem):
            print(f"工具调用: {item.raw_item.name} {item.raw_item.arguments}")
        elif isinstance(item, ToolCallOutputItem):
            print(f"工具结果: {output_text(item.output)}")
    print(f"最终回答: {ItemHelpers.text_message_outputs(result.new_items) or result.final_output}")


async def main() -> None:
    print_provider()
    params = stdio_params(ENTERPRISE)
    # async with = connect() + cleanup()：退出时关闭会话并结束子进程，出错也一样。
    async with MCPServerStdio(name="enterprise-tools", params=params) as server:
        script = ENTERPRISE.relative_to(ENTERPRISE.parents[2]).as_posix()
        print(f"【MCP】stdio 已连接：{server.name}（子进程：python {script} --transport stdio）")

        tools = await server.list_tools()  # 工具发现：一次 tools/list 请求
        print(f"发现 {len(tools)} 个工具：")
        for tool in tools:
            print(f"- {tool.name}：{tool.description}")
            print(f"  参数：{json.dumps(tool.input_schema, ensure_ascii=False, sort_keys=True)}")

        agent = Agent(
            name="企业助手",
            instructions="你可以使用企业系统提供的各种工具来帮助用户解决问题。",
            model=get_chat_model(),
            mcp_servers=[server],  # 关键：工具来自 MCP 服务，而不是 tools=[...]
        )
        for question in QUESTIONS:
            print(f"\n用户：{question}")
            print_run(await Runner.run(agent, question))
    print("\n【MCP】已断开，服务子进程已结束")


if __name__ == "__main__":
    asyncio.run(main())
