"""RunItemStreamEvent：Run 每新增一个输出项，就立刻广播一个带名字的事件。

上一课的 raw 事件是“模型在吐字”；RunItemStreamEvent 是“系统在执行什么”：
`event.name` 说明发生了什么，`event.item` 就是第 04 课的输出项。本课一次运行触发全部六种：
  reasoning_item_created  ReasoningItem       模型想了一步（推理模型才有）
  handoff_requested       HandoffCallItem     模型决定交接（“调用”了 transfer_to_*）
  handoff_occured         HandoffOutputItem   交接完成（SDK 原样保留了这个拼写错误，不是 occurred）
  tool_called             ToolCallItem        模型决定调用工具
  tool_output             ToolCallOutputItem  工具执行完，结果回来了
  message_output_created  MessageOutputItem   模型说完了一条消息
场景：分诊台（triage_agent）把物流问题交给订单专员（order_agent），订单专员调用 track_shipment。
注意：交接双方是 HandoffOutputItem 自己的属性 `source_agent` / `target_agent`，
raw_item 只是一个 dict；handoff_requested 带的是 HandoffCallItem。课程原文这两处都写错了。

运行: python 05_stream_events/03_run_item_events.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    推理模型：mock-reasoner  用户：我的订单 A1001 到哪了？
    [item ] reasoning_item_created  triage_agent  ReasoningItem       「我的订单 A1001 到哪了？」应该由 order_agent 处理（查订单、查物流），我把对话转过去，由它来回答。
    [item ] handoff_requested       triage_agent  HandoffCallItem     transfer_to_order_agent
    [item ] handoff_occured         triage_agent  HandoffOutputItem   triage_agent → order_agent
    [item ] reasoning_item_created  order_agent   ReasoningItem       ...
    [item ] tool_called             order_agent   ToolCallItem        track_shipment {"order_id": "A1001"}
    [item ] tool_output             order_agent   ToolCallOutputItem  订单 A1001：已到达武汉转运中心，预计明天送达
    [item ] reasoning_item_created  order_agent   ReasoningItem       track_shipment 已经返回了需要的信息。我挑出和问题相关的部分，用一两句话告诉用户，不照搬原始数据。
    [item ] message_output_created  order_agent   MessageOutputItem   订单 A1001：已到达武汉转运中心，预计明天送达
    handoff_occured 的 raw_item 是 dict，有 source_agent 吗？False；event.item.source_agent → triage_agent
    六种事件都出现了：True
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
    ItemHelpers,
    MessageOutputItem,
    ReasoningItem,
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    function_tool,
)
from agents.stream_events import RunItemStreamEvent

from shared.factory import get_chat_model, print_provider, require_reasoning_tools

SIX = {"reasoning_item_created", "handoff_requested", "handoff_occured",
       "tool_called", "tool_output", "message_output_created"}


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


def detail(event: RunItemStreamEvent) -> str:
    """按 event.name 取这一类输出项最有用的字段。"""
    item = event.item
    if event.name == "tool_called" and isinstance(item, ToolCallItem):
        return f"{item.raw_item.name} {item.raw_item.arguments}"
    if event.name == "tool_output" and isinstance(item, ToolCallOutputItem):
        return str(item.output)
    if event.name == "message_output_created" and isinstance(item, MessageOutputItem):
        return ItemHelpers.text_message_output(item)
    if event.name == "reasoning_item_created" and isinstance(item, ReasoningItem):
        return " ".join(part.text for part in item.raw_item.summary) or "（无摘要）"
    if event.name == "handoff_requested" and isinstance(item, HandoffCallItem):
        return item.raw_item.name
    if event.name == "handoff_occured" and isinstance(item, HandoffOutputItem):
        return f"{item.source_agent.name} → {item.target_agent.name}"
    return ""


async def main() -> None:
    settings = print_provider()
    # 推理模型要带工具 / handoff：Ollama 的 deepseek-r1、硅基流动的 DeepSeek-R1 不支持，说明后退出。
    require_reasoning_tools("推理模型交接、调用工具，才能触发全部六种事件")
    # 推理模型才会产生 reasoning_item_created；模拟模型看模型名，真实提供方用 .env 里的模型。
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
    question = "我的订单 A1001 到哪了？"
    print(f"推理模型：{reasoner}  用户：{question}")

    result = Runner.run_streamed(triage, question)
    names: set[str] = set()
    handoff_item: HandoffOutputItem | None = None
    async for event in result.stream_events():
        if event.type != "run_item_stream_event":
            continue
        names.add(event.name)
        if isinstance(event.item, HandoffOutputItem):
            handoff_item = event.item
        print(
            "[item ] "
            + cell(event.name, 24)
            + cell(event.item.agent.name, 14)
            + cell(type(event.item).__name__, 20)
            + detail(event)
        )

    if handoff_item is not None:
        print(
            f"handoff_occured 的 raw_item 是 {type(handoff_item.raw_item).__name__}，"
            f"有 source_agent 吗？{hasattr(handoff_item.raw_item, 'source_agent')}；"
            f"event.item.source_agent → {handoff_item.source_agent.name}"
        )
    print(f"六种事件都出现了：{SIX <= names}")


if __name__ == "__main__":
    asyncio.run(main())
