"""工具结果要不要再交给模型：`tool_use_behavior` 的三种写法，以及各自省下几次模型调用。

默认（`"run_llm_again"`）：工具执行完，结果交回模型，模型再写一段话作为最终回答——多一次模型调用。
很多时候工具的结果本身就是答案（退款回执、查询结果要原样展示、下游程序要的是结构化数据），
再让模型复述一遍既慢又可能改错数字。这时可以让 Runner 直接把工具结果当 `final_output`：
- `"stop_on_first_tool"`：第一个工具的结果就是最终回答；
- `StopAtTools(stop_at_tool_names=["issue_refund"])`：只有调用了名单里的工具才停，其它工具照常回到模型；
- 也可以传一个函数 `(ctx, tool_results) -> ToolsToFinalOutputResult`，自己决定停不停、返回什么。

运行: python 03_agents/22_tool_use_behavior.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    === tool_use_behavior="run_llm_again"（默认） | 订单A1001到哪了 ===
    工具调用: get_order_status {"order_id": "A1001"}
    模型调用 2 次，final_output: ...
    === tool_use_behavior="stop_on_first_tool" | 订单A1001到哪了 ===
    工具调用: get_order_status {"order_id": "A1001"}
    模型调用 1 次，final_output: 订单 A1001 已发货，预计明天送达
    === StopAtTools(["issue_refund"]) | 订单A1001到哪了 ===
    工具调用: get_order_status {"order_id": "A1001"}
    模型调用 2 次，final_output: ...
    === StopAtTools(["issue_refund"]) | 订单A1001退款200元 ===
    工具调用: issue_refund {"order_id": "A1001", "amount": 200.0}
    模型调用 1 次，final_output: 已为订单 A1001 退款 200 元（退款单号 R-A1001）
"""

from __future__ import annotations

import asyncio

from agents import Agent, Runner, StopAtTools, ToolCallItem, function_tool

from shared.factory import get_chat_model, print_provider


@function_tool
def get_order_status(order_id: str) -> str:
    """查询订单状态和物流。

    Args:
        order_id: 订单号，例如 A1001
    """
    return f"订单 {order_id} 已发货，预计明天送达"


@function_tool
def issue_refund(order_id: str, amount: float) -> str:
    """给订单办理退款，原路退回。

    Args:
        order_id: 订单号，例如 A1001
        amount: 退款金额（元）
    """
    return f"已为订单 {order_id} 退款 {amount:g} 元（退款单号 R-{order_id}）"


async def main() -> None:
    print_provider()
    base = Agent(
        name="客服",
        instructions="你是电商客服：用 get_order_status 查订单，用 issue_refund 办理退款。",
        model=get_chat_model(),
        tools=[get_order_status, issue_refund],
    )
    cases = [
        ('tool_use_behavior="run_llm_again"（默认）', "run_llm_again", "订单A1001到哪了"),
        ('tool_use_behavior="stop_on_first_tool"', "stop_on_first_tool", "订单A1001到哪了"),
        ('StopAtTools(["issue_refund"])', StopAtTools(stop_at_tool_names=["issue_refund"]), "订单A1001到哪了"),
        ('StopAtTools(["issue_refund"])', StopAtTools(stop_at_tool_names=["issue_refund"]), "订单A1001退款200元"),
    ]
    for label, behavior, question in cases:
        print(f"=== {label} | {question} ===")
        agent = base.clone(tool_use_behavior=behavior)
        result = await Runner.run(agent, question)
        for item in result.new_items:
            if isinstance(item, ToolCallItem):
                print(f"工具调用: {item.raw_item.name} {item.raw_item.arguments}")
        print(f"模型调用 {result.context_wrapper.usage.requests} 次，final_output: {result.final_output}")


if __name__ == "__main__":
    asyncio.run(main())
