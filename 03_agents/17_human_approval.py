"""人工审批（human in the loop）：超过 500 元的退款，工具先不执行，整轮运行停下来等人批准。

`@function_tool(needs_approval=...)` 可以是 True（每次都要批），也可以是一个按参数判断的函数
`(ctx, params, call_id) -> bool`：这里金额超过 500 元才要审批，小额退款照常自动办。

需要审批时，Runner 不执行这次调用，运行**暂停**：`result.interruptions` 列出待审批的
`ToolApprovalItem`（工具名、参数），`result.final_output` 是 None。人做出决定后：

    state = result.to_state()
    state.approve(item)                                  # 或 state.reject(item, rejection_message="理由")
    result = await Runner.run(agent, state)              # 从暂停处继续，不重新问模型要不要退款

批准：工具执行，模型据结果作答。拒绝：工具不执行，模型收到拒绝理由（作为这次调用的结果），据此作答。
下一课把暂停的运行存成文件，换一个进程再批。

运行: python 03_agents/17_human_approval.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    === 订单A1001退款200元（主管：批准）===
    needs_approval：issue_refund 金额 200 元 → 不需要审批
    工具结果: 已为订单 A1001 退款 200 元
    回答: ...
    === 订单A1002退款800元，因为质量问题（主管：批准）===
    needs_approval：issue_refund 金额 800 元 → 需要审批
    运行暂停：final_output=None，待审批 1 项
      待审批: issue_refund {"order_id": "A1002", "amount": 800.0}
    主管批准 → Runner.run(agent, state) 继续
    工具结果: 已为订单 A1002 退款 800 元
    回答: ...
    === 订单A1003退款1200元（主管：拒绝）===
    needs_approval：issue_refund 金额 1200 元 → 需要审批
    运行暂停：final_output=None，待审批 1 项
      待审批: issue_refund {"order_id": "A1003", "amount": 1200.0}
    主管拒绝 → Runner.run(agent, state) 继续
    工具结果: 主管拒绝了这笔退款：已超过 30 天退货期
    回答: ...
    真正执行过的退款: ['A1001', 'A1002']
"""

from __future__ import annotations

import asyncio
from typing import Any

from agents import (
    Agent,
    RunContextWrapper,
    Runner,
    RunResult,
    ToolCallOutputItem,
    function_tool,
)

from shared.factory import get_chat_model, print_provider

APPROVAL_THRESHOLD = 500
executed: list[str] = []


async def over_threshold(ctx: RunContextWrapper[Any], params: dict[str, Any], call_id: str) -> bool:
    """只看这次调用的参数：金额超过门槛才需要人批。"""
    needed = float(params.get("amount", 0)) > APPROVAL_THRESHOLD
    print(f"needs_approval：issue_refund 金额 {params.get('amount', 0):g} 元 → "
          f"{'需要审批' if needed else '不需要审批'}")
    return needed


# 金额写成 float | int：模型常把 800 写成整数。只写 float 时，800 要被转换成 800.0，SDK 认为参数被改动过，
# 就不调用上面的判断函数、一律要求审批（宁可多批，不可漏批）——小额退款也会停下来。
@function_tool(needs_approval=over_threshold)
def issue_refund(order_id: str, amount: float | int) -> str:
    """给订单办理退款，原路退回。

    Args:
        order_id: 订单号，例如 A1001
        amount: 退款金额（元）
    """
    executed.append(order_id)
    return f"已为订单 {order_id} 退款 {amount:g} 元"


def show_outcome(result: RunResult) -> None:
    for item in result.new_items:
        if isinstance(item, ToolCallOutputItem):
            print(f"工具结果: {item.output}")
    print(f"回答: {result.final_output}")


async def handle(agent: Agent, request: str, approve: bool) -> None:
    print(f"=== {request}（主管：{'批准' if approve else '拒绝'}）===")
    result = await Runner.run(agent, request)
    while result.interruptions:  # 恢复后模型可能又发起需要审批的调用：循环到没有为止
        print(f"运行暂停：final_output={result.final_output}，待审批 {len(result.interruptions)} 项")
        state = result.to_state()
        for item in result.interruptions:
            print(f"  待审批: {item.tool_name} {item.raw_item.arguments}")
            if approve:
                state.approve(item)
            else:
                state.reject(item, rejection_message="主管拒绝了这笔退款：已超过 30 天退货期")
        print(f"主管{'批准' if approve else '拒绝'} → Runner.run(agent, state) 继续")
        result = await Runner.run(agent, state)
    show_outcome(result)


async def main() -> None:
    print_provider()
    agent = Agent(
        name="退款专员",
        instructions="你是电商售后客服，用 issue_refund 为用户办理退款。",
        model=get_chat_model(),
        tools=[issue_refund],
    )
    await handle(agent, "订单A1001退款200元", approve=True)
    await handle(agent, "订单A1002退款800元，因为质量问题", approve=True)
    await handle(agent, "订单A1003退款1200元", approve=False)
    print(f"真正执行过的退款: {executed}")


if __name__ == "__main__":
    asyncio.run(main())
