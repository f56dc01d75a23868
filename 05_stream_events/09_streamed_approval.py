"""流式运行里的人工审批：`run_streamed` 停在审批上，批准后用同一个状态再开一段流，接着往下走。

03/17 在 `Runner.run` 里审批；聊天界面用的是流式：用户要看到字一个个出来，也要看到“这笔退款等主管批”。
流式运行遇到需要审批的工具调用时：
- 事件照常发：`agent_updated`、工具参数的 raw 增量、`tool_called`……然后**流正常结束**（不是报错）；
- 结束后 `result.is_complete` 为 True，但 `final_output` 是 None，`result.interruptions` 里是待审批的调用；
- `state = result.to_state()`，`state.approve(item)` / `reject(item)`，再 `Runner.run_streamed(agent, state)`
  开**第二段流**：先是工具结果 `tool_output`，然后模型据此作答的文字增量和 `message_output_created`。
两段流之间可以隔很久、换进程（`to_state().to_string()` 存起来，见 03/18）。07 综合案例的 SSE 接口就是这样：
第一段流以“等待审批”事件结束，主管在页面上批准后，新的请求接着跑第二段。

运行: python 05_stream_events/09_streamed_approval.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    === 第一段流：Runner.run_streamed(agent, "订单A1002退款800元") ===
    [agent] refund_agent
    [args ] {"order_id": "A1002", "amount": 800.0}
    [item ] tool_called  issue_refund {"order_id": "A1002", "amount": 800.0}
    流结束：is_complete=True final_output=None interruptions=1 → 停在审批上
      待审批: issue_refund {"order_id": "A1002", "amount": 800.0}
    退款执行了吗？False
    主管批准了 1 项 → Runner.run_streamed(agent, state)
    === 第二段流：从暂停处继续 ===
    [agent] refund_agent
    [item ] tool_output  已为订单 A1002 退款 800 元
    [text ] ...
    [item ] message_output_created
    流结束：is_complete=True interruptions=0 final_output=...
    退款执行了吗？True
"""

from __future__ import annotations

import asyncio
from typing import Any

from agents import (
    Agent,
    RunContextWrapper,
    Runner,
    RunResultStreaming,
    ToolCallItem,
    ToolCallOutputItem,
    function_tool,
)
from openai.types.responses import ResponseFunctionCallArgumentsDeltaEvent, ResponseTextDeltaEvent

from shared.factory import get_chat_model, print_provider

executed: list[str] = []


async def over_500(ctx: RunContextWrapper[Any], params: dict[str, Any], call_id: str) -> bool:
    return float(params.get("amount", 0)) > 500


@function_tool(needs_approval=over_500)
def issue_refund(order_id: str, amount: float | int) -> str:
    """给订单办理退款，原路退回。

    Args:
        order_id: 订单号，例如 A1001
        amount: 退款金额（元）
    """
    executed.append(order_id)
    return f"已为订单 {order_id} 退款 {amount:g} 元"


async def show_stream(result: RunResultStreaming) -> None:
    """打印一段流：参数增量和文字增量各拼成一行，其它事件一行一个。"""
    pending: tuple[str, list[str]] | None = None  # 正在拼接的增量：(前缀, 片段)

    def flush() -> None:
        nonlocal pending
        if pending:
            print(f"{pending[0]} {''.join(pending[1])}")
            pending = None

    async for event in result.stream_events():
        if event.type == "raw_response_event":
            data = event.data
            prefix = ("[args ]" if isinstance(data, ResponseFunctionCallArgumentsDeltaEvent)
                      else "[text ]" if isinstance(data, ResponseTextDeltaEvent) else None)
            if prefix:
                if pending and pending[0] != prefix:
                    flush()
                pending = pending or (prefix, [])
                pending[1].append(data.delta)
            continue
        flush()
        if event.type == "agent_updated_stream_event":
            print(f"[agent] {event.new_agent.name}")
        elif isinstance(event.item, ToolCallItem):
            print(f"[item ] {event.name}  {event.item.raw_item.name} {event.item.raw_item.arguments}")
        elif isinstance(event.item, ToolCallOutputItem):
            print(f"[item ] {event.name}  {event.item.output}")
        else:
            print(f"[item ] {event.name}")
    flush()


async def main() -> None:
    print_provider()
    agent = Agent(
        name="refund_agent",
        instructions="你是电商售后客服，用 issue_refund 为用户办理退款。",
        model=get_chat_model(),
        tools=[issue_refund],
    )
    request = "订单A1002退款800元"
    print(f'=== 第一段流：Runner.run_streamed(agent, "{request}") ===')
    result = Runner.run_streamed(agent, request)
    await show_stream(result)
    paused = bool(result.interruptions)
    verdict = "停在审批上" if paused else "没有停下：这次没有需要审批的调用（模型没调 issue_refund，或金额不超过 500）"
    print(f"流结束：is_complete={result.is_complete} final_output={result.final_output} "
          f"interruptions={len(result.interruptions)} → {verdict}")
    state = result.to_state()
    for item in result.interruptions:
        print(f"  待审批: {item.tool_name} {item.raw_item.arguments}")
        state.approve(item)
    print(f"退款执行了吗？{bool(executed)}")
    if not paused:
        print("没有待审批的调用，不需要第二段流。")
        return
    print(f"主管批准了 {len(result.interruptions)} 项 → Runner.run_streamed(agent, state)")

    print("=== 第二段流：从暂停处继续 ===")
    result = Runner.run_streamed(agent, state)
    await show_stream(result)
    print(f"流结束：is_complete={result.is_complete} interruptions={len(result.interruptions)} "
          f"final_output={result.final_output}")
    print(f"退款执行了吗？{bool(executed)}")


if __name__ == "__main__":
    asyncio.run(main())
