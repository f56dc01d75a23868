"""给 Agent 一个工具：`@function_tool` 把普通函数变成模型能调用的工具。

函数名成了工具名（只能是 ASCII），docstring 成了工具描述，类型注解成了参数的 JSON Schema。
模型自己决定要不要调用、传什么参数；SDK 执行函数、把结果交回模型，再让模型组织最终回答。
从 `result.new_items` 能看到这一轮里到底发生了什么。

运行: python 03_agents/07_function_tool.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    工具 get_weather 的参数 Schema: {"city": {"title": "City", "type": "string"}}
    === 问：武汉的天气 ===
    工具调用: get_weather {"city": "武汉"}
    工具结果: 天气信息: 武汉 是晴天
    最终回答: 天气信息: 武汉 是晴天
    === 问：你好 ===
    （没有调用工具）
    最终回答: 抱歉，我只能回答天气相关的问题。
"""

from __future__ import annotations

import asyncio
import json

from agents import Agent, Runner, RunResult, ToolCallItem, ToolCallOutputItem, function_tool

from shared.factory import get_chat_model, print_provider


@function_tool
def get_weather(city: str) -> str:
    """获取指定城市的天气信息"""
    return f"天气信息: {city} 是晴天"


def show_run(result: RunResult) -> None:
    called = False
    for item in result.new_items:
        if isinstance(item, ToolCallItem):
            called = True
            print(f"工具调用: {item.raw_item.name} {item.raw_item.arguments}")
        elif isinstance(item, ToolCallOutputItem):
            print(f"工具结果: {item.output}")
    if not called:
        print("（没有调用工具）")
    print(f"最终回答: {result.final_output}")


async def main() -> None:
    print_provider()
    agent = Agent(
        name="天气助手",
        instructions="你是一个天气助手，你只能回答关于天气的问题。",
        model=get_chat_model(),
        tools=[get_weather],  # 必须是列表，哪怕只有一个工具
    )
    schema = get_weather.params_json_schema["properties"]
    print(f"工具 {get_weather.name} 的参数 Schema: {json.dumps(schema, ensure_ascii=False)}")

    for question in ["武汉的天气", "你好"]:
        print(f"=== 问：{question} ===")
        show_run(await Runner.run(agent, question))


if __name__ == "__main__":
    asyncio.run(main())
