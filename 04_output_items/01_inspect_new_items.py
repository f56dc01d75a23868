"""逐条查看 `result.new_items`：一次带工具的运行里，Run 到底记录了哪些输出项。

`final_output` 只告诉你“答案是什么”；`new_items` 记录的是“答案怎么来的”：
模型决定调用哪个工具、传了什么参数、工具返回了什么、最后谁说了什么。
每个输出项都有两层：外面是 Agents SDK 的类（ToolCallItem …，执行层），
里面的 `raw_item` 是发给 / 收自模型接口的原始数据（传输层）。本课把两层并排打印成一张表。

运行: python 04_output_items/01_inspect_new_items.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    用户：武汉的天气
    #  输出项类            raw_item 类型              agent     要点
    1  ToolCallItem        ResponseFunctionToolCall   天气助手  调用 get_weather {"city": "武汉"}
    2  ToolCallOutputItem  dict                       天气助手  工具返回 天气信息: 武汉 是晴天
    3  MessageOutputItem   ResponseOutputMessage      天气助手  消息 天气信息: 武汉 是晴天
    共 3 个输出项；final_output 就是最后一条消息的文字：
    天气信息: 武汉 是晴天
提供方预期输出（deepseek、siliconflow）:
    1  ReasoningItem       ResponseReasoningItem      天气助手  reasoning_item
    2  ToolCallItem        ResponseFunctionToolCall   天气助手  调用 get_weather {"city": "武汉"}
    3  ToolCallOutputItem  dict                       天气助手  工具返回 天气信息: 武汉 是晴天
    4  ReasoningItem       ResponseReasoningItem      天气助手  reasoning_item
    5  MessageOutputItem   ResponseOutputMessage      天气助手  消息 天气信息: 武汉 是晴天
    共 5 个输出项；final_output 就是最后一条消息的文字：
"""

from __future__ import annotations

import asyncio
import unicodedata

from agents import (
    Agent,
    ItemHelpers,
    MessageOutputItem,
    RunItem,
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    function_tool,
)

from shared.factory import get_chat_model, print_provider


@function_tool
def get_weather(city: str) -> str:
    """获取指定城市的天气信息"""
    return f"天气信息: {city} 是晴天"


def cell(text: str, width: int) -> str:
    """按显示宽度补空格：一个汉字占两列，表格才能对齐。"""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 1)


def describe(item: RunItem) -> str:
    """每类输出项各有各的“有用字段”，raw_item 的形状也不同（对象或 dict）。"""
    if isinstance(item, ToolCallItem):
        return f"调用 {item.raw_item.name} {item.raw_item.arguments}"
    if isinstance(item, ToolCallOutputItem):
        # output 是工具函数返回的原值；raw_item["output"] 是发回给模型的字符串形式。
        return f"工具返回 {item.output}"
    if isinstance(item, MessageOutputItem):
        return f"消息 {ItemHelpers.text_message_output(item)}"
    return item.type


async def main() -> None:
    print_provider()
    agent = Agent(
        name="天气助手",
        instructions="你是一个天气助手，你只能回答关于天气的问题。",
        model=get_chat_model(),
        tools=[get_weather],
    )
    question = "武汉的天气"
    print(f"用户：{question}")
    result = await Runner.run(agent, question)

    print(cell("#", 3) + cell("输出项类", 20) + cell("raw_item 类型", 27) + cell("agent", 10) + "要点")
    for i, item in enumerate(result.new_items, start=1):
        print(
            cell(str(i), 3)
            + cell(type(item).__name__, 20)
            + cell(type(item.raw_item).__name__, 27)
            + cell(item.agent.name, 10)
            + describe(item)
        )
    messages = [i for i in result.new_items if isinstance(i, MessageOutputItem)]
    last_text = ItemHelpers.text_message_output(messages[-1]) if messages else None
    same = "就是" if last_text == result.final_output else "不是"
    print(f"共 {len(result.new_items)} 个输出项；final_output {same}最后一条消息的文字：")
    print(result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
