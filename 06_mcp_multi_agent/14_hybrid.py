"""混合模式：分流用 handoff，专家手里既有 MCP 工具，也有“当工具用的 Agent”。

真实的客服系统很少只用一种模式：
- 分流 Agent 用 **handoff** 把对话交给售后专家或订票专家（去中心化，专家直接面对用户）；
- 售后专家自己是个小经理：订单、物流用 **MCP 工具**（企业工具服务），
  退款判断交给 **退款专家（as_tool）**；
- 退款专家又用另一个 **MCP 服务**（财务服务）查付款状态。

一个 RunHooks 同时传给外层运行和 as_tool 的嵌套运行，按缩进打印谁启动、谁交接、调了什么工具。

运行: python 06_mcp_multi_agent/14_hybrid.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    【MCP】enterprise-tools、finance-service 已通过 stdio 连接
    用户：订单 A1001 的快递到哪了？
    ▶ Triage agent
    ⇢ handoff：Triage agent → After-sales agent
    ▶ After-sales agent
    🔧 After-sales agent 调用 track_logistics（MCP 工具）
    回答（After-sales agent）：订单 A1001：快递公司：顺丰速运，...派送中。
    用户：订单 A1001 能退款吗？
    ▶ Triage agent
    ⇢ handoff：Triage agent → After-sales agent
    ▶ After-sales agent
    🔧 After-sales agent 调用 refund_expert（Agent 工具）
    ▶ Refund agent
    🔧 Refund agent 调用 get_payment_status（MCP 工具）
    回答（After-sales agent）：订单 A1001：可以退款，已付款：899 元，方式：微信支付。
"""

import asyncio

from agents import Agent, RunHooks, Runner
from agents.mcp import MCPServerStdio, create_static_tool_filter
from servers.launch import ENTERPRISE, FINANCE, stdio_params

from shared.factory import get_chat_model, print_provider


class Trace(RunHooks):
    """外层运行和嵌套运行共用：嵌套的 Agent 工具运行缩进一级。"""

    def __init__(self, agent_tools: set[str]) -> None:
        self.agent_tools = agent_tools
        self.depth = 0

    def say(self, text: str) -> None:
        print("  " * self.depth + text)

    async def on_agent_start(self, context, agent) -> None:
        self.say(f"▶ {agent.name}")

    async def on_handoff(self, context, from_agent, to_agent) -> None:
        self.say(f"⇢ handoff：{from_agent.name} → {to_agent.name}")

    async def on_tool_start(self, context, agent, tool) -> None:
        kind = "Agent 工具" if tool.name in self.agent_tools else "MCP 工具"
        self.say(f"🔧 {agent.name} 调用 {tool.name}（{kind}）")
        if tool.name in self.agent_tools:
            self.depth += 1

    async def on_tool_end(self, context, agent, tool, result) -> None:
        if tool.name in self.agent_tools:
            self.depth -= 1


async def main() -> None:
    print_provider()
    model = get_chat_model()
    order_tools = create_static_tool_filter(
        allowed_tool_names=["get_order_status", "track_logistics"])
    async with (
        MCPServerStdio(name="enterprise-tools", params=stdio_params(ENTERPRISE),
                       cache_tools_list=True, tool_filter=order_tools) as enterprise,
        MCPServerStdio(name="finance-service", params=stdio_params(FINANCE),
                       cache_tools_list=True) as finance,
    ):
        print(f"【MCP】{enterprise.name}、{finance.name} 已通过 stdio 连接")
        trace = Trace(agent_tools={"refund_expert"})

        refund_agent = Agent(
            name="Refund agent", model=model, mcp_servers=[finance],
            instructions="你是退款专家：先查付款状态，再说明能否退款。",
        )
        after_sales = Agent(
            name="After-sales agent", model=model, mcp_servers=[enterprise],
            handoff_description="售后专家：订单、物流、退款问题",
            instructions="你是售后专家。订单和物流用工具查询；能否退款交给 refund_expert。",
            tools=[refund_agent.as_tool(
                tool_name="refund_expert",
                tool_description="退款专家：判断订单能不能退款、办理退款（需要订单号）。",
                hooks=trace,  # 嵌套运行默认不继承外层 hooks，要显式传
            )],
        )
        booking = Agent(name="Booking agent", model=model, handoff_description="订票专家",
                        instructions="你负责订票：需要用户提供日期、人数、舱位。")
        triage = Agent(
            name="Triage agent", model=model, handoffs=[after_sales, booking],
            instructions=("你负责分流。"
                          "如果用户问订单、快递、物流、退款 -> 交接给 after_sales_agent。"
                          "如果用户问订票 -> 交接给 booking_agent。"),
        )

        for question in ("订单 A1001 的快递到哪了？", "订单 A1001 能退款吗？"):
            print(f"\n用户：{question}")
            result = await Runner.run(triage, question, hooks=trace)
            print(f"回答（{result.last_agent.name}）：{result.final_output}")


if __name__ == "__main__":
    asyncio.run(main())
