"""执行层 vs 传输层：从对象本身打印 `type(item)` → `type(item.raw_item)`，而不是背一张对照表。

课程说“ResponseXXX 是厂商协议，XXXOutputItem 是 Agent 执行事实”。这句话可以直接验证：
每个输出项（agents.items 里的类，执行层）都包着一个 raw_item（openai.types.responses 里的类
或一个 dict，传输层）。本课把三次真实运行里出现的每一对都打印出来，附上模块名、继承链（MRO），
并检查 raw_item 是不是 `ResponseOutputItem` 的成员——它其实是一个按 `type` 字段区分的联合类型
（Union），不是父类。最后打开一条消息的 content，看看最小的文本单元 ResponseOutputText。

没有 Responses API 的提供方，推理项来自 Chat Completions 推理模型的 reasoning_content：SDK 把它包成同一个
ResponseReasoningItem（Ollama 的 reasoning 字段放在 content 里，不在 summary）——传输层的类不看来源。

运行: python 04_output_items/03_execution_vs_transport.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    执行层 type(item)   传输层 type(item.raw_item)            raw_item 的模块                                      属于 ResponseOutputItem？
    ToolCallItem        ResponseFunctionToolCall              openai.types.responses.response_function_tool_call   是
    ToolCallOutputItem  dict（type=function_call_output）     builtins                                             否：发回模型的输入项
    MessageOutputItem   ResponseOutputMessage                 openai.types.responses.response_output_message       是
    HandoffCallItem     ResponseFunctionToolCall              openai.types.responses.response_function_tool_call   是
    HandoffOutputItem   dict（type=function_call_output）     builtins                                             否：发回模型的输入项
    == 继承链：执行层和传输层是两套互不相干的类
    MessageOutputItem.__mro__      agents.items.MessageOutputItem → agents.items.RunItemBase → typing.Generic → abc.ABC → builtins.object
    ResponseOutputMessage.__mro__  openai.types.responses.response_output_message.ResponseOutputMessage → ... → pydantic.main.BaseModel → builtins.object
    ResponseOutputItem 是 typing.Annotated[typing.Union[...]]：按 type 字段区分的 ... 种输出项，不是父类
    ResponseOutputItem in ResponseOutputMessage.__mro__ → False
    ResponseOutputMessage 是 ResponseOutputItem 的成员 → True
    == 一条消息里面：ResponseOutputMessage.content
    content[0]  ResponseOutputText  type=output_text  annotations=[]  text=天气信息: 武汉 是晴天
    == 推理项（Responses API）
    ReasoningItem       ResponseReasoningItem                 openai.types.responses.response_reasoning_item       是
    summary[0]  Summary  type=summary_text  text=这里没有可用的工具，查不到「...」需要的实时数据。我按指令直接回答，说清楚能帮什么。
提供方预期输出（bailian、deepseek、siliconflow、ollama）:
    ToolCallItem        ResponseFunctionToolCall              openai.types.responses.response_function_tool_call   是
    MessageOutputItem   ResponseOutputMessage                 openai.types.responses.response_output_message       是
    ResponseOutputMessage 是 ResponseOutputItem 的成员 → True
    == 推理项（Chat Completions 的推理模型 ...）
    ReasoningItem       ResponseReasoningItem                 openai.types.responses.response_reasoning_item       是
    ...  type=..._text  text=这里没有可用的工具，查不到「A1001 和 A1002 两个订单哪个先到？」需要的实时数据。我按指令直接回答，说清楚能帮什么。
"""

from __future__ import annotations

import asyncio
import typing
import unicodedata

from agents import (
    Agent,
    MessageOutputItem,
    ModelSettings,
    ReasoningItem,
    RunItem,
    Runner,
    function_tool,
)
from openai.types.responses import ResponseOutputItem, ResponseOutputMessage
from openai.types.shared import Reasoning

from shared.factory import (
    get_chat_model,
    get_responses_model,
    get_settings,
    print_provider,
)


def union_members(alias: object) -> tuple[type, ...]:
    """ResponseOutputItem = Annotated[Union[A, B, ...], 判别字段]：取出联合里的各个类。"""
    inner = typing.get_args(alias)[0]  # 去掉 Annotated 外壳
    return typing.get_args(inner)


OUTPUT_ITEM_CLASSES = union_members(ResponseOutputItem)


@function_tool
def get_weather(city: str) -> str:
    """获取指定城市的天气信息"""
    return f"天气信息: {city} 是晴天"


def cell(text: str, width: int) -> str:
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 1)


def mro(cls: type) -> str:
    return " → ".join(f"{c.__module__}.{c.__qualname__}" for c in cls.__mro__)


def print_pair(item: RunItem) -> None:
    raw = item.raw_item
    if isinstance(raw, dict):
        # 工具结果、交接结果是 SDK 自己拼出来、下一轮发回模型的“输入项”（TypedDict），不是模型的输出。
        raw_name, member = f"dict（type={raw.get('type')}）", "否：发回模型的输入项"
    else:
        raw_name = type(raw).__name__
        member = "是" if isinstance(raw, OUTPUT_ITEM_CLASSES) else "否"
    print(
        cell(type(item).__name__, 20)
        + cell(raw_name, 38)
        + cell(type(raw).__module__, 53)
        + member
    )


async def main() -> None:
    print_provider()
    weather = Agent(
        name="天气助手",
        instructions="你是一个天气助手，你只能回答关于天气的问题。",
        model=get_chat_model(),
        tools=[get_weather],
    )
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
    tool_run = await Runner.run(weather, "武汉的天气")
    handoff_run = await Runner.run(triage, "订单 A1001 买的耳机坏了，我要退款")

    print(
        cell("执行层 type(item)", 20)
        + cell("传输层 type(item.raw_item)", 38)
        + cell("raw_item 的模块", 53)
        + "属于 ResponseOutputItem？"
    )
    shown: set[tuple[str, str]] = set()
    for item in tool_run.new_items + handoff_run.new_items:
        key = (type(item).__name__, type(item.raw_item).__name__)
        if key not in shown:  # 同一对只打印一次
            shown.add(key)
            print_pair(item)

    print("== 继承链：执行层和传输层是两套互不相干的类")
    print(f"MessageOutputItem.__mro__      {mro(MessageOutputItem)}")
    print(f"ResponseOutputMessage.__mro__  {mro(ResponseOutputMessage)}")
    outer, (inner, info) = typing.get_origin(ResponseOutputItem), typing.get_args(ResponseOutputItem)
    print(
        f"ResponseOutputItem 是 {outer.__module__}.{outer.__name__}[{typing.get_origin(inner)}[...]]："
        f"按 {info.discriminator} 字段区分的 {len(OUTPUT_ITEM_CLASSES)} 种输出项，不是父类"
    )
    print(f"ResponseOutputItem in ResponseOutputMessage.__mro__ → "
          f"{ResponseOutputItem in ResponseOutputMessage.__mro__}")
    print(f"ResponseOutputMessage 是 ResponseOutputItem 的成员 → "
          f"{ResponseOutputMessage in OUTPUT_ITEM_CLASSES}")

    print("== 一条消息里面：ResponseOutputMessage.content")
    message = next(i for i in tool_run.new_items if isinstance(i, MessageOutputItem))
    for n, part in enumerate(message.raw_item.content):
        # 一条消息可以有多个分片（文字、拒答……）；流式时每个文字分片由一串 ResponseTextDeltaEvent 拼成。
        extra = (f"annotations={part.annotations}  text={part.text}"
                 if part.type == "output_text" else "")
        print(f"content[{n}]  {type(part).__name__}  type={part.type}  {extra}")

    settings = get_settings()
    question = "A1001 和 A1002 两个订单哪个先到？"
    if settings.supports_responses:
        print("== 推理项（Responses API）")
        thinker = Agent(
            name="推理客服",
            instructions="你是ITS智能客服。",
            model=get_responses_model(settings.reasoning_model),  # 只有推理模型接受 reasoning 参数
            model_settings=ModelSettings(reasoning=Reasoning(effort="low", summary="auto")),
        )
        reasoning_run = await Runner.run(thinker, question)
        items = reasoning_run.new_items
    else:
        # 没有 Responses API：推理模型的 reasoning_content（Ollama：reasoning）被 SDK 包成同一个
        # ResponseReasoningItem——传输层的类和 Responses API 的一样，这正是“两层”的意义。
        print(f"== 推理项（Chat Completions 的推理模型 {settings.reasoning_model}）")
        thinker = Agent(name="推理客服", instructions="你是ITS智能客服。",
                        model=get_chat_model(settings.reasoning_model))
        streamed = Runner.run_streamed(thinker, question)  # 百炼的推理模型只能流式调用
        async for _ in streamed.stream_events():
            pass
        items = streamed.new_items
    for item in items:
        if isinstance(item, ReasoningItem):
            print_pair(item)
            for n, part in enumerate(item.raw_item.summary):
                print(f"summary[{n}]  {type(part).__name__}  type={part.type}  text={part.text}")
            for n, part in enumerate(item.raw_item.content or []):  # Ollama 的 reasoning 字段在这里
                print(f"content[{n}]  {type(part).__name__}  type={part.type}  text={part.text}")

if __name__ == "__main__":
    asyncio.run(main())
