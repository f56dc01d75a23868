"""按运行上下文开关工具：`@function_tool(is_enabled=...)`，VIP 用户才看得到退款工具。

同一个客服 Agent，不同用户能用的工具不同。与其为每种用户建一个 Agent，不如让工具自己说
“这次运行我可用吗”：`is_enabled` 可以是布尔值（整体开关，比如功能未上线），也可以是函数
`(ctx, agent) -> bool`（按上下文判断，也可以是 async def）。

Runner 每一轮调用模型前执行 `await agent.get_all_tools(run_context)`（课程时序图场景二）：
先取 MCP 工具，再并发检查每个 FunctionTool 的 is_enabled，只把启用的工具发给模型。
被禁用的工具对模型完全不可见——不是“调了被拒绝”，而是根本不知道它存在。

运行: python 03_agents/14_tool_is_enabled.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    === 用户 u100（VIP=True）===
    get_all_tools: ['get_order_status', 'apply_refund']
    工具调用: apply_refund {"order_id": "A1001", "reason": "..."}
    最终回答: 订单 A1001 的退款已受理（原因：...）
    === 用户 u200（VIP=False）===
    get_all_tools: ['get_order_status']
    工具调用: get_order_status {"order_id": "A1001"}
    最终回答: 订单 A1001 已发货，预计明天送达
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from agents import (
    Agent,
    AgentBase,
    RunContextWrapper,
    Runner,
    RunResult,
    ToolCallItem,
    function_tool,
)

from shared.factory import get_chat_model, print_provider


@dataclass
class CustomerContext:
    user_id: str
    is_vip: bool


def vip_only(ctx: RunContextWrapper[CustomerContext], agent: AgentBase) -> bool:
    return ctx.context.is_vip


@function_tool
def get_order_status(order_id: str) -> str:
    """查询订单状态"""
    return f"订单 {order_id} 已发货，预计明天送达"


@function_tool(is_enabled=vip_only)
def apply_refund(order_id: str, reason: str) -> str:
    """为订单申请退款（仅 VIP 客户可直接办理）"""
    return f"订单 {order_id} 的退款已受理（原因：{reason}）"


@function_tool(is_enabled=False)  # 功能还没上线：对所有人关闭
def export_all_orders() -> str:
    """导出全部订单"""
    return "orders.csv"


def show_run(result: RunResult) -> None:
    for item in result.new_items:
        if isinstance(item, ToolCallItem):
            print(f"工具调用: {item.raw_item.name} {item.raw_item.arguments}")
    print(f"最终回答: {result.final_output}")


async def main() -> None:
    print_provider()
    agent = Agent[CustomerContext](
        name="客服助手",
        instructions="你是电商客服助手，负责订单查询和售后。",
        model=get_chat_model(),
        tools=[get_order_status, apply_refund, export_all_orders],
    )

    for customer in [CustomerContext("u100", is_vip=True), CustomerContext("u200", is_vip=False)]:
        print(f"=== 用户 {customer.user_id}（VIP={customer.is_vip}）===")
        tools = await agent.get_all_tools(RunContextWrapper(context=customer))
        print(f"get_all_tools: {[tool.name for tool in tools]}")
        result = await Runner.run(agent, "订单A1001我要退款，因为质量有问题", context=customer)
        show_run(result)


if __name__ == "__main__":
    asyncio.run(main())
