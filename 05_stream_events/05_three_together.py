"""三类事件合在一起：一条可以直接投影给学员看的执行轨迹。

RawResponsesStreamEvent 给你“模型在吐字”，RunItemStreamEvent 给你“系统在执行什么”，
AgentUpdatedStreamEvent 给你“现在是谁在处理”。同一个 `async for` 里按 `event.type` 分三路处理，
每类事件一个对齐的前缀，推理和回答用打字机效果续写在同一行，最后打印 final_output。
场景同上一课：分诊台把物流问题交给订单专员，订单专员调用 track_shipment；用推理模型，推理增量也看得到。

运行: python 05_stream_events/05_three_together.py
（投影演示时在 .env 里设 MOCK_STREAM_DELAY=0.05，打字机会慢下来）

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    图例：[agent] AgentUpdatedStreamEvent  [think]/[text ] RawResponsesStreamEvent  [item ] RunItemStreamEvent
    用户：我的订单 A1001 到哪了？
    [agent] triage_agent
    [think] 「我的订单 A1001 到哪了？」应该由 order_agent 处理（查订单、查物流），我把对话转过去，由它来回答。
    [item ] reasoning_item_created  ReasoningItem
    [item ] handoff_requested       HandoffCallItem     transfer_to_order_agent
    [item ] handoff_occured         HandoffOutputItem   triage_agent → order_agent
    [agent] order_agent
    [think] ...
    [item ] reasoning_item_created  ReasoningItem
    [item ] tool_called             ToolCallItem        track_shipment {"order_id": "A1001"}
    [item ] tool_output             ToolCallOutputItem  订单 A1001：已到达武汉转运中心，预计明天送达
    [think] track_shipment 已经返回了需要的信息。我挑出和问题相关的部分，用一两句话告诉用户，不照搬原始数据。
    [text ] 订单 A1001：已到达武汉转运中心，预计明天送达
    [item ] reasoning_item_created  ReasoningItem
    [item ] message_output_created  MessageOutputItem   role=assistant
    final_output: 订单 A1001：已到达武汉转运中心，预计明天送达
提供方预期输出（siliconflow、ollama）:
    ⚠ 当前提供方 ...的推理模型 ... 不支持工具调用，本课需要...
"""

from __future__ import annotations

import asyncio
import unicodedata

from agents import (
    Agent,
    HandoffCallItem,
    HandoffOutputItem,
    MessageOutputItem,
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    function_tool,
)
from agents.stream_events import RunItemStreamEvent
from openai.types.responses import (
    ResponseReasoningSummaryTextDeltaEvent,
    ResponseReasoningTextDeltaEvent,
    ResponseTextDeltaEvent,
)

from shared.factory import get_chat_model, print_provider, require_reasoning_tools


@function_tool
def track_shipment(order_id: str) -> str:
    """查询包裹的物流轨迹。

    Args:
        order_id: 订单号，例如 A1001
    """
    return f"订单 {order_id}：已到达武汉转运中心，预计明天送达"


def cell(text: str, width: int) -> str:
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 1)


class Console:
    """投影用的控制台：每类事件一个对齐的前缀；增量文字接在同一行后面（打字机）。"""

    def __init__(self) -> None:
        self.open: str | None = None  # 正在续写的那一行的前缀

    def line(self, tag: str, text: str) -> None:
        self.close()
        print(f"[{tag:<5}] {text}".rstrip())

    def stream(self, tag: str, delta: str) -> None:
        if self.open != tag:
            self.close()
            print(f"[{tag:<5}] ", end="")
            self.open = tag
        print(delta.replace("\n", "\n        "), end="", flush=True)

    def close(self) -> None:
        if self.open:
            print()
            self.open = None


def item_detail(event: RunItemStreamEvent) -> str:
    item = event.item
    if isinstance(item, ToolCallItem):
        return f"{item.raw_item.name} {item.raw_item.arguments}"
    if isinstance(item, ToolCallOutputItem):
        return str(item.output)
    if isinstance(item, HandoffCallItem):
        return item.raw_item.name
    if isinstance(item, HandoffOutputItem):
        # 交接双方在输出项自己身上，不在 raw_item 里（课程原文读 raw_item.source_agent，会出错）。
        return f"{item.source_agent.name} → {item.target_agent.name}"
    if isinstance(item, MessageOutputItem):
        return f"role={item.raw_item.role}"
    return ""  # 推理内容已经在 [think] 行里逐字显示过了


async def main() -> None:
    settings = print_provider()
    # 推理模型要带工具 / handoff：Ollama 的 deepseek-r1、硅基流动的 DeepSeek-R1 不支持，说明后退出。
    require_reasoning_tools("“推理 + 交接 + 工具”一起出现")
    reasoner = settings.reasoning_model  # 各提供方的推理模型见 shared/config.py（模拟模型：mock-reasoner）
    order_agent = Agent(
        name="order_agent",
        handoff_description="订单专员：查订单、查物流",
        instructions="你是订单专员，用 track_shipment 查询物流轨迹。",
        model=get_chat_model(reasoner),
        tools=[track_shipment],
    )
    triage = Agent(
        name="triage_agent",
        instructions="你是ITS客服分诊台。订单、物流问题转给 order_agent。",
        model=get_chat_model(reasoner),
        handoffs=[order_agent],
    )
    print("图例：[agent] AgentUpdatedStreamEvent  [think]/[text ] RawResponsesStreamEvent"
          "  [item ] RunItemStreamEvent")
    question = "我的订单 A1001 到哪了？"
    print(f"用户：{question}")

    console = Console()
    result = Runner.run_streamed(triage, question)
    async for event in result.stream_events():
        # 1) RawResponsesStreamEvent：先判断 data 的类型，只有增量事件才有 delta。
        if event.type == "raw_response_event":
            if isinstance(event.data, ResponseTextDeltaEvent):
                console.stream("text", event.data.delta)
            elif isinstance(
                event.data, (ResponseReasoningSummaryTextDeltaEvent, ResponseReasoningTextDeltaEvent)
            ):
                console.stream("think", event.data.delta)
        # 2) RunItemStreamEvent：执行过程中的结构化节点。
        elif event.type == "run_item_stream_event":
            console.line("item", cell(event.name, 24) + cell(type(event.item).__name__, 20)
                         + item_detail(event))
        # 3) AgentUpdatedStreamEvent：换人了。
        elif event.type == "agent_updated_stream_event":
            console.line("agent", event.new_agent.name)
    console.close()
    print(f"final_output: {result.final_output}")


if __name__ == "__main__":
    asyncio.run(main())
