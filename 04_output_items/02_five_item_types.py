"""输出项“五剑客”：MessageOutputItem、ToolCallItem、ToolCallOutputItem、HandoffOutputItem、ReasoningItem。

五种输出项都不是凭空列出来的：本课跑三次真实的运行，让每一种都亲自出现一次——
  运行 1  天气助手调用工具     → ToolCallItem、ToolCallOutputItem、MessageOutputItem
  运行 2  分诊台交接给退款专员 → HandoffCallItem、HandoffOutputItem（交接本身也是一次工具调用）
  运行 3  Responses API 推理   → ReasoningItem（推理摘要）
每一行打印：输出项类、产生它的 agent、这一类最有用的字段。最后从实际收集到的输出项里核对五种是否到齐。
运行 3 需要 Responses API：提供方不支持时，本课讲清原因后正常退出。

没有 Responses API 的提供方（百炼、DeepSeek、硅基流动、Ollama），运行 3 改用 Chat Completions 的推理模型：
推理过程在 reasoning_content（Ollama：reasoning）里返回，SDK 同样把它包成 ReasoningItem。
DeepSeek、硅基流动的默认模型默认就开着思考，运行 1、2 里也会出现 ReasoningItem。

运行: python 04_output_items/02_five_item_types.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    == 运行 1：工具调用  用户：武汉的天气
    ToolCallItem        天气助手      调用 get_weather {"city": "武汉"}
    ToolCallOutputItem  天气助手      工具返回 天气信息: 武汉 是晴天
    MessageOutputItem   天气助手      消息 天气信息: 武汉 是晴天
    == 运行 2：handoff  用户：订单 A1001 买的耳机坏了，我要退款
    HandoffCallItem     triage_agent  请求交接 transfer_to_refund_agent
    HandoffOutputItem   triage_agent  交接完成 triage_agent → refund_agent
    MessageOutputItem   refund_agent  消息 好的，我来帮您处理。...
    == 运行 3：推理（Responses API）  用户：A1001 和 A1002 两个订单哪个先到？
    ReasoningItem       推理客服      推理摘要 这里没有可用的工具，查不到「A1001 和 A1002 两个订单哪个先到？」需要的实时数据。我按指令直接回答，说清楚能帮什么。
    MessageOutputItem   推理客服      消息 关于「A1001 和 A1002 两个订单哪个先到」：我是ITS智能客服。（这是内置模拟模型的确定性示例回答：...）
    五剑客核对（来自上面三次运行的 new_items）：
    MessageOutputItem   ✓ 运行 1、2、3
    ToolCallItem        ✓ 运行 1
    ToolCallOutputItem  ✓ 运行 1
    HandoffOutputItem   ✓ 运行 2
    ReasoningItem       ✓ 运行 3
    另外还有 HandoffCallItem（运行 2）：交接前，模型先“调用”了一个 transfer_to_* 工具。
提供方预期输出（bailian、deepseek、siliconflow、ollama）:
    == 运行 1：工具调用  用户：武汉的天气
    ToolCallItem        天气助手      调用 get_weather {"city": "武汉"}
    == 运行 2：handoff  用户：订单 A1001 买的耳机坏了，我要退款
    HandoffOutputItem   triage_agent  交接完成 triage_agent → refund_agent
    ℹ ...按不支持 Responses API 处理：改用 Chat Completions 的推理模型 ...
    == 运行 3：推理（Chat Completions）  用户：A1001 和 A1002 两个订单哪个先到？
    ReasoningItem       推理客服      推理... 这里没有可用的工具，查不到「A1001 和 A1002 两个订单哪个先到？」需要的实时数据。我按指令直接回答，说清楚能帮什么。
    MessageOutputItem   ✓ 运行 ...3
    ToolCallItem        ✓ 运行 1
    HandoffOutputItem   ✓ 运行 2
    ReasoningItem       ✓ 运行 ...3
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
    ModelSettings,
    ReasoningItem,
    RunItem,
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    function_tool,
)
from openai.types.shared import Reasoning

from shared.factory import (
    get_chat_model,
    get_responses_model,
    get_settings,
    print_provider,
)

FIVE = [MessageOutputItem, ToolCallItem, ToolCallOutputItem, HandoffOutputItem, ReasoningItem]


@function_tool
def get_weather(city: str) -> str:
    """获取指定城市的天气信息"""
    return f"天气信息: {city} 是晴天"


def cell(text: str, width: int) -> str:
    """按显示宽度补空格：一个汉字占两列，表格才能对齐。"""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 1)


def describe(item: RunItem) -> str:
    if isinstance(item, ToolCallItem):
        return f"调用 {item.raw_item.name} {item.raw_item.arguments}"
    if isinstance(item, ToolCallOutputItem):
        return f"工具返回 {item.output}"
    if isinstance(item, MessageOutputItem):
        return f"消息 {ItemHelpers.text_message_output(item)}"
    if isinstance(item, HandoffCallItem):
        return f"请求交接 {item.raw_item.name}"
    if isinstance(item, HandoffOutputItem):
        # 交接双方是输出项自己的属性；raw_item 只是一条发回模型的 function_call_output。
        return f"交接完成 {item.source_agent.name} → {item.target_agent.name}"
    if isinstance(item, ReasoningItem):
        summary = " ".join(part.text for part in item.raw_item.summary)
        if summary:
            return f"推理摘要 {summary}"
        # Ollama 的 reasoning 字段：SDK 放进 content（reasoning_text），而不是 summary
        content = " ".join(part.text for part in item.raw_item.content or [])
        return f"推理内容 {content}" if content else "推理（无摘要）"
    return item.type


async def run_and_show(title: str, agent: Agent, question: str, seen: dict[type, list[int]],
                       number: int, stream: bool = False) -> None:
    print(f"== 运行 {number}：{title}  用户：{question}")
    if stream:  # 只能流式调用的模型：run_streamed 跑完，new_items 和 Runner.run 的一样
        result = Runner.run_streamed(agent, question)
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, question)
    for item in result.new_items:
        print(cell(type(item).__name__, 20) + cell(item.agent.name, 14) + describe(item))
        seen.setdefault(type(item), [])
        if number not in seen[type(item)]:
            seen[type(item)].append(number)


async def main() -> None:
    print_provider()
    seen: dict[type, list[int]] = {}  # 输出项类 → 在哪几次运行里出现过

    weather = Agent(
        name="天气助手",
        instructions="你是一个天气助手，你只能回答关于天气的问题。",
        model=get_chat_model(),
        tools=[get_weather],
    )
    await run_and_show("工具调用", weather, "武汉的天气", seen, 1)

    # handoff 会变成名为 transfer_to_<agent 名> 的工具，工具名只允许 ASCII，所以 agent 用英文名。
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
    await run_and_show("handoff", triage, "订单 A1001 买的耳机坏了，我要退款", seen, 2)

    # 推理项由 Responses API 的 reasoning 参数产生；summary="auto" 才会带回可读的推理摘要。
    settings = get_settings()
    question = "A1001 和 A1002 两个订单哪个先到？"
    if settings.supports_responses:
        thinker = Agent(
            name="推理客服",
            instructions="你是ITS智能客服。",
            model=get_responses_model(settings.reasoning_model),  # 只有推理模型接受 reasoning 参数
            model_settings=ModelSettings(reasoning=Reasoning(effort="low", summary="auto")),
        )
        await run_and_show("推理（Responses API）", thinker, question, seen, 3)
    else:
        # 没有 Responses API：推理模型在 Chat Completions 里用 reasoning_content（Ollama 叫 reasoning）
        # 返回推理过程，SDK 同样把它变成 ReasoningItem。百炼的推理模型只能流式调用。
        print(f"ℹ {settings.label} 按不支持 Responses API 处理：改用 Chat Completions 的推理模型 "
              f"{settings.reasoning_model}")
        thinker = Agent(name="推理客服", instructions="你是ITS智能客服。",
                        model=get_chat_model(settings.reasoning_model))
        await run_and_show("推理（Chat Completions）", thinker, question, seen, 3,
                           stream=settings.preset.reasoning_stream_only)

    print("五剑客核对（来自上面三次运行的 new_items）：")
    for cls in FIVE:
        runs = seen.get(cls)
        mark = "✓ 运行 " + "、".join(map(str, runs)) if runs else "✗ 没有出现"
        print(cell(cls.__name__, 20) + mark)
    if HandoffCallItem in seen:
        runs = "、".join(map(str, seen[HandoffCallItem]))
        print(f"另外还有 HandoffCallItem（运行 {runs}）：交接前，模型先“调用”了一个 transfer_to_* 工具。")


if __name__ == "__main__":
    asyncio.run(main())
