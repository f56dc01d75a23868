"""Handoff 模式（去中心化）：分流 Agent 把对话整个交给订票 / 退款专家，专家直接回答用户。

和 Manager 模式相反：`Agent(handoffs=[...])` 里的每个 Agent 在模型眼里是一个 `transfer_to_<名字>`
工具。模型调用它，SDK 就把**控制权**交过去：后面的轮次由专家带着完整对话历史来跑，
`result.last_agent` 是最后说话的那位。

流式运行时能看到交接的全过程（RunItemStreamEvent 的 name）：
- `handoff_requested`：模型发起交接，item 是 HandoffCallItem（raw_item.name = transfer_to_...）
- `handoff_occured`：交接完成（SDK 里就是这个拼写），item 是 HandoffOutputItem，
  `item.source_agent` / `item.target_agent` 在 item 本身上 —— 课程原文写成 `item.raw_item.source_agent`，
  那样会 AttributeError，被它的 try/except 吞掉了。
- AgentUpdatedStreamEvent：当前 Agent 换人。

运行: python 06_mcp_multi_agent/11_handoff_events.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    用户：我要退款，订单号 A1001
    [agent_updated_stream_event] 当前 Agent：Triage agent
    [handoff_requested] 模型调用 transfer_to_refund_agent
    [handoff_occured] Triage agent → Refund agent
    [agent_updated_stream_event] 当前 Agent：Refund agent
    [message_output_created] Refund agent：好的，我来帮您处理退款。您已提供：订单号 A1001。还需要您提供：原因。
    result.last_agent = Refund agent
    用户：我想订两张明天去上海的机票
    [handoff_occured] Triage agent → Booking agent
    [message_output_created] Booking agent：好的，我来帮您处理订票。您已提供：日期 明天、人数 2。还需要您提供：舱位。
    result.last_agent = Booking agent
"""

import asyncio

from agents import (
    Agent,
    AgentUpdatedStreamEvent,
    HandoffCallItem,
    HandoffOutputItem,
    ItemHelpers,
    MessageOutputItem,
    RunItemStreamEvent,
    Runner,
)

from shared.factory import get_chat_model, print_provider


def build_agents() -> Agent:
    model = get_chat_model()
    booking_agent = Agent(name="Booking agent", model=model,
                          instructions="你负责订票：需要用户提供日期、人数、舱位。")
    refund_agent = Agent(name="Refund agent", model=model,
                         instructions="你负责退款：需要用户提供订单号、原因，并解释规则。")
    return Agent(
        name="Triage agent",
        model=model,
        instructions=(
            "你负责分流。"
            "如果用户问订票 -> 交接给 booking_agent。"
            "如果用户问退款 -> 交接给 refund_agent。"
        ),
        handoffs=[booking_agent, refund_agent],
    )


async def ask(triage: Agent, question: str) -> None:
    print(f"\n用户：{question}")
    result = Runner.run_streamed(triage, question)
    async for event in result.stream_events():
        if isinstance(event, AgentUpdatedStreamEvent):
            print(f"[{event.type}] 当前 Agent：{event.new_agent.name}")
        elif isinstance(event, RunItemStreamEvent):
            item = event.item
            if event.name == "handoff_requested" and isinstance(item, HandoffCallItem):
                print(f"[handoff_requested] 模型调用 {item.raw_item.name}")
            elif event.name == "handoff_occured" and isinstance(item, HandoffOutputItem):
                print(f"[handoff_occured] {item.source_agent.name} → {item.target_agent.name}")
            elif event.name == "message_output_created" and isinstance(item, MessageOutputItem):
                print(f"[message_output_created] {item.agent.name}：{ItemHelpers.text_message_output(item)}")
    print(f"result.last_agent = {result.last_agent.name}")


async def main() -> None:
    print_provider()
    triage = build_agents()
    await ask(triage, "我要退款，订单号 A1001")
    await ask(triage, "我想订两张明天去上海的机票")


if __name__ == "__main__":
    asyncio.run(main())
