"""一个 Agent 同时连多个 MCP 服务，以及两个服务提供同名工具时 SDK 怎么办。

课程 3.3 节：`Agent(mcp_servers=[weather_mcp, order_mcp, finance_mcp])`。每一轮 SDK 把所有服务的
工具汇总成一张清单交给模型；模型只看工具名，所以名字必须唯一。两个服务都按公司规范提供了
自检工具 `service_info`，撞名了。实测本机 SDK（openai-agents 0.24）的行为：

1. 两个 MCP 服务同名：汇总工具时直接抛 `UserError`（agents/mcp/util.py），还没调用模型。
   解决：`mcp_config={"include_server_in_tool_names": True}` 给工具名加上服务名前缀；
   或者用 tool_filter 滤掉其中一个。
2. 本地函数工具和 MCP 工具同名：由 `RunConfig(tool_name_collision_policy=...)` 决定。
   默认 "warn"：记一条警告，只留一个（列表里靠后的本地函数工具胜出）；"error"：抛 UserError。

手动演示：两个终端各启动一个服务（见 servers/ 下文件开头），再运行
    python 06_mcp_multi_agent/07_multiple_servers.py --urls http://127.0.0.1:8000/mcp http://127.0.0.1:8002/mcp
运行: python 06_mcp_multi_agent/07_multiple_servers.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    【MCP】enterprise-tools：http://127.0.0.1:.../mcp
    【MCP】finance-service：http://127.0.0.1:.../mcp
    ① 两个服务直接交给一个 Agent：
    ✗ UserError：Duplicate tool names found across MCP servers: 'service_info'. ...
    → 两个服务都有 service_info：SDK 汇总工具时就报错，模型调用了 0 次
    ② mcp_config={"include_server_in_tool_names": True}：工具名带上服务名前缀
    mcp_enterprise-tools__get_weather
    mcp_finance-service__service_info
    用户：订单 A1001 的物流到哪了？
    工具调用: mcp_enterprise-tools__track_logistics {"order_id": "A1001"}
    最终回答: 订单 A1001：运单号：SF1234567890，快递公司：顺丰速运，最新动态：... 派送中。
    用户：订单 A1001 付款了吗？能退款吗？
    工具调用: mcp_finance-service__get_payment_status {"order_id": "A1001"}
    最终回答: 订单 A1001：可以退款，已付款：899 元，方式：微信支付。
    ③ 或者用 tool_filter 滤掉一个 service_info（工具名保持原样）：
    共 8 个工具，service_info 来自 finance-service
    ④ 本地函数工具 service_info 和 MCP 工具同名：
    tool_name_collision_policy="warn"（默认）：只保留一个，调用结果来自 本地函数工具
    SDK 的警告：Tool name collision detected. ...（默认不记录工具细节，所以没写是哪个名字）
    tool_name_collision_policy="error"：✗ UserError：Ambiguous function tool configuration: ...
"""

import argparse
import asyncio
import json
import logging
from contextlib import AsyncExitStack

from agents import Agent, RunConfig, RunContextWrapper, RunHooks, Runner, UserError, function_tool
from agents.items import ToolCallItem, ToolCallOutputItem
from agents.mcp import MCPServerStreamableHttp, create_static_tool_filter
from servers.launch import ENTERPRISE, FINANCE, serve

from shared.factory import get_chat_model, print_provider


@function_tool
def service_info() -> dict:
    """返回本服务的名称、版本、传输方式和进程号（运维自检用）。"""
    return {"service": "本地函数工具", "version": "local"}


def service_of(result) -> str:
    """service_info 的结果里写着它来自哪个服务（MCP 结果是内容块，本地函数工具是原样的 dict）。"""
    output = next(i.output for i in result.new_items if isinstance(i, ToolCallOutputItem))
    data = json.loads(output["text"]) if "text" in output else output
    return data["service"]


class CountModelCalls(RunHooks):
    """数这次运行里请求了几次模型。"""

    def __init__(self) -> None:
        self.calls = 0

    async def on_llm_start(self, context, agent, system_prompt, input_items) -> None:
        self.calls += 1


class WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def first_line(exc: Exception) -> str:
    return str(exc).split("\n")[0]


async def main(urls: list[str]) -> None:
    print_provider()
    model = get_chat_model()
    async with AsyncExitStack() as stack:
        procs = [await stack.enter_async_context(serve(script, url=url))
                 for script, url in zip((ENTERPRISE, FINANCE), urls or (None, None), strict=True)]
        enterprise, finance = [
            await stack.enter_async_context(
                MCPServerStreamableHttp(name=name, params={"url": p.url}, cache_tools_list=True))
            for name, p in zip(("enterprise-tools", "finance-service"), procs, strict=True)
        ]
        for server, proc in zip((enterprise, finance), procs, strict=True):
            print(f"【MCP】{server.name}：{proc.url}")

        print("\n① 两个服务直接交给一个 Agent：")
        plain = Agent(name="全能助手", instructions="你可以使用公司的所有系统工具来解决问题。",
                      model=model, mcp_servers=[enterprise, finance])
        counter = CountModelCalls()
        try:
            await Runner.run(plain, "订单 A1001 的发票开了吗？", hooks=counter)
        except UserError as exc:
            print(f"  ✗ UserError：{first_line(exc)[:90]}...")
            print(f"  → 两个服务都有 service_info：SDK 汇总工具时就报错，模型调用了 {counter.calls} 次")

        print('\n② mcp_config={"include_server_in_tool_names": True}：工具名带上服务名前缀')
        prefixed = plain.clone(mcp_config={"include_server_in_tool_names": True})
        for tool in await prefixed.get_all_tools(RunContextWrapper(None)):
            print(f"  {tool.name}")
        for question in ("订单 A1001 的物流到哪了？", "订单 A1001 付款了吗？能退款吗？"):
            print(f"用户：{question}")
            result = await Runner.run(prefixed, question)
            for item in result.new_items:
                if isinstance(item, ToolCallItem):
                    print(f"工具调用: {item.raw_item.name} {item.raw_item.arguments}")
            print(f"最终回答: {result.final_output}")

        print("\n③ 或者用 tool_filter 滤掉一个 service_info（工具名保持原样）：")
        # tool_filter 是 MCP 服务对象的属性，构造时传入；这里为了少连一次服务，直接设置。
        enterprise.tool_filter = create_static_tool_filter(blocked_tool_names=["service_info"])
        tools = await plain.get_all_tools(RunContextWrapper(None))
        result = await Runner.run(plain, "查一下服务的版本和进程号")
        print(f"  共 {len(tools)} 个工具，service_info 来自 {service_of(result)}")

        print("\n④ 本地函数工具 service_info 和 MCP 工具同名：")
        mixed = Agent(name="自检助手", instructions="回答运维自检问题。", model=model,
                      mcp_servers=[finance], tools=[service_info])
        # 默认 "warn"：SDK 往 openai.agents 日志里写一条警告。接住它，打印出来看看。
        warnings = WarningCollector()
        logging.getLogger("openai.agents").addHandler(warnings)
        result = await Runner.run(mixed, "查一下服务的版本和进程号")
        print(f'  tool_name_collision_policy="warn"（默认）：只保留一个，调用结果来自 {service_of(result)}')
        print(f"  SDK 的警告：{warnings.messages[0][:60]}...（默认不记录工具细节，所以没写是哪个名字）")
        try:
            await Runner.run(mixed, "查一下服务的版本和进程号",
                             run_config=RunConfig(tool_name_collision_policy="error"))
        except UserError as exc:
            print(f'  tool_name_collision_policy="error"：✗ UserError：{first_line(exc)[:70]}...')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", nargs=2, metavar=("ENTERPRISE_URL", "FINANCE_URL"),
                        help="连接你手动启动的两个 streamable HTTP 服务")
    asyncio.run(main(parser.parse_args().urls))
