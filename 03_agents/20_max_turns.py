"""轮数上限：`max_turns` 和 `MaxTurnsExceeded`，以及用 `error_handlers` 把超限变成一句体面的回答。

Agent 的循环里，**每调用一次模型算一轮**（turn）：调工具、拿结果、再问模型，又是一轮。
`Runner.run(..., max_turns=N)` 限制一轮运行最多问模型几次（默认 `DEFAULT_MAX_TURNS` = 10），
防止模型反复调工具停不下来、把 token 和时间烧光。超过上限时：
- 默认抛 `MaxTurnsExceeded`。`exc.run_data` 里有已经发生的一切（`new_items`：已经执行过的工具调用！）；
- 传 `error_handlers={"max_turns": handler}` 则不抛：handler 收到 `RunErrorHandlerInput`（错误、上下文、
  `run_data`），返回 `RunErrorHandlerResult(final_output=...)`，这句话就是本轮的 `final_output`。
  同样可以接管的还有 `model_refusal`（模型拒答）和 `invalid_final_output`（结构化输出不合法）。

注意：上限是“问模型的次数”，不是“工具调用次数”——一轮里模型可以并行调用好几个工具。

运行: python 03_agents/20_max_turns.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    默认 max_turns = 10
    === max_turns=3：够用 ===
    工具调用: get_order_status {"order_id": "A1001"}
    工具调用: get_order_status {"order_id": "A1002"}
    工具调用: get_order_status {"order_id": "A1003"}
    用了 2 轮（模型调用 2 次），回答：...
    === max_turns=1：不够用 → MaxTurnsExceeded ===
    MaxTurnsExceeded: Max turns (1) exceeded
    超限前已经执行的工具调用：3 个（副作用已经发生）；最后的 Agent：订单助手
    === max_turns=1 + error_handlers["max_turns"] ===
    error_handler 收到：MaxTurnsExceeded，已有 3 个工具结果
    final_output：这个问题一次处理不完（查了 3 个订单），已转人工客服继续跟进。
    异常没有抛出；这句话进了历史：True
"""

from __future__ import annotations

import asyncio

from agents import (
    Agent,
    MaxTurnsExceeded,
    RunErrorHandlerInput,
    RunErrorHandlerResult,
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    function_tool,
)
from agents.run_config import DEFAULT_MAX_TURNS

from shared.factory import get_chat_model, print_provider

QUESTION = "查询订单A1001、A1002、A1003的状态"


@function_tool
def get_order_status(order_id: str) -> str:
    """查询订单状态和物流。

    Args:
        order_id: 订单号，例如 A1001
    """
    return f"订单 {order_id} 已发货"


def hand_over_to_human(data: RunErrorHandlerInput) -> RunErrorHandlerResult:
    """超限时不崩：说明情况、转人工。`run_data.new_items` 是已经做了的事。"""
    done = [item for item in data.run_data.new_items if isinstance(item, ToolCallOutputItem)]
    print(f"error_handler 收到：{type(data.error).__name__}，已有 {len(done)} 个工具结果")
    return RunErrorHandlerResult(
        final_output=f"这个问题一次处理不完（查了 {len(done)} 个订单），已转人工客服继续跟进。",
        include_in_history=True,  # 这句话也写进对话历史（用 session 时下一轮看得到）
    )


async def main() -> None:
    print_provider()
    print(f"默认 max_turns = {DEFAULT_MAX_TURNS}")
    agent = Agent(
        name="订单助手",
        instructions="你是电商客服，用 get_order_status 查询订单。",
        model=get_chat_model(),
        tools=[get_order_status],
    )

    print("=== max_turns=3：够用 ===")
    result = await Runner.run(agent, QUESTION, max_turns=3)
    for item in result.new_items:
        if isinstance(item, ToolCallItem):
            print(f"工具调用: {item.raw_item.name} {item.raw_item.arguments}")
    turns = result.context_wrapper.usage.requests
    print(f"用了 {turns} 轮（模型调用 {turns} 次），回答：{result.final_output}")

    print("=== max_turns=1：不够用 → MaxTurnsExceeded ===")
    try:
        await Runner.run(agent, QUESTION, max_turns=1)
    except MaxTurnsExceeded as exc:
        print(f"MaxTurnsExceeded: {exc.message}")
        executed = [i for i in exc.run_data.new_items if isinstance(i, ToolCallOutputItem)] if exc.run_data else []
        last = exc.run_data.last_agent.name if exc.run_data else "?"
        effect = "副作用已经发生" if executed else "还没有副作用"
        print(f"超限前已经执行的工具调用：{len(executed)} 个（{effect}）；最后的 Agent：{last}")

    print('=== max_turns=1 + error_handlers["max_turns"] ===')
    result = await Runner.run(agent, QUESTION, max_turns=1,
                              error_handlers={"max_turns": hand_over_to_human})
    print(f"final_output：{result.final_output}")
    in_history = any(result.final_output in str(item) for item in result.to_input_list())
    print(f"异常没有抛出；这句话进了历史：{in_history}")


if __name__ == "__main__":
    asyncio.run(main())
