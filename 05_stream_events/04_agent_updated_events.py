"""AgentUpdatedStreamEvent：现在是哪个 Agent 在处理。

多 Agent 场景下，界面常要显示“正在由 XX 为您服务”。每当一个 Agent 开始运行——
包括最开始的那个，以及每次 handoff 之后接手的那个——流里就来一个 AgentUpdatedStreamEvent，
字段只有 `new_agent`。本课：分诊台（triage_agent）把退款问题交给退款专员（refund_agent），
打印 Agent 切换和当时的文字增量，看清楚“谁在说话”。

运行: python 05_stream_events/04_agent_updated_events.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    用户：订单 A1001 买的耳机坏了，我要退款
    [agent] triage_agent  （第 1 个 Agent）
    [agent] refund_agent  （第 2 个 Agent）
    [text ] 好的，我来帮您处理。...
    一共经过 2 个 Agent：triage_agent → refund_agent；result.last_agent = refund_agent
"""

from __future__ import annotations

import asyncio

from agents import Agent, Runner
from openai.types.responses import ResponseTextDeltaEvent

from shared.factory import get_chat_model, print_provider


async def main() -> None:
    print_provider()
    refund = Agent(
        name="refund_agent",
        handoff_description="退款专员：处理退款申请",
        instructions="你是退款专员。办理退款需要用户提供订单号、退款原因。",
        model=get_chat_model(),
    )
    triage = Agent(
        name="triage_agent",
        instructions="你是ITS客服分诊台。用户要退款时，转给 refund_agent。",
        model=get_chat_model(),
        handoffs=[refund],
    )
    question = "订单 A1001 买的耳机坏了，我要退款"
    print(f"用户：{question}")

    result = Runner.run_streamed(triage, question)
    seen: list[str] = []
    mid_line = False  # 是否正在一行里续写文字增量
    async for event in result.stream_events():
        if event.type == "agent_updated_stream_event":
            if mid_line:
                print()
                mid_line = False
            seen.append(event.new_agent.name)
            print(f"[agent] {event.new_agent.name}  （第 {len(seen)} 个 Agent）")
        elif event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
            if not mid_line:
                print("[text ] ", end="")
                mid_line = True
            print(event.data.delta, end="", flush=True)
    if mid_line:
        print()

    print(
        f"一共经过 {len(seen)} 个 Agent：{' → '.join(seen)}；"
        f"result.last_agent = {result.last_agent.name}"
    )


if __name__ == "__main__":
    asyncio.run(main())
