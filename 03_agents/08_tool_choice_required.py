"""`ModelSettings(tool_choice="required")`：强制模型先调用工具，哪怕问题根本用不上。

上一课问“你好”时模型没调工具（tool_choice 默认是 "auto"，由模型决定）。这里把它改成
"required"，同一个问题也必须先调一次工具。"none" 则相反，禁止调用；也可以写工具名，指定调哪个。

强制之后为什么不会无限调用？`Agent.reset_tool_choice` 默认为 True：SDK 在调用过工具之后，
把下一次请求的 tool_choice 重置为 None（源码 agents/run_internal/tool_execution.py 的
`maybe_reset_tool_choice`），模型才有机会给出文字回答。把它设为 False，模型每一轮都被迫调工具，
直到 `max_turns` 用完抛出 MaxTurnsExceeded——下面第二段演示。

不是每个提供方都照办 "required"：百炼只接受 auto / none（会返回 400），DeepSeek 思考模式下也不行，
Ollama、硅基流动的文档里没有这个参数（会被忽略）。这时脚本先说明，再跳过强制调用的演示。

运行: python 03_agents/08_tool_choice_required.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    === tool_choice="required"，reset_tool_choice=True（默认）===
    工具调用: get_weather {"city": "..."}
    工具结果: 天气信息: ... 是晴天
    最终回答: 天气信息: ... 是晴天
    === tool_choice="required"，reset_tool_choice=False，max_turns=3 ===
    MaxTurnsExceeded: Max turns (3) exceeded
    停下之前已调用工具 3 次
提供方预期输出（bailian、deepseek）:
    ⚠ 当前提供方 ...不接受 tool_choice="required"：请求会被 400 拒绝。
    本段“强制调用”的演示跳过。...
提供方预期输出（siliconflow、ollama）:
    ⚠ 当前提供方 ...的文档里没有 tool_choice 参数：它会被悄悄忽略，模型照常自己决定调不调工具。
"""

from __future__ import annotations

import asyncio

from agents import (
    Agent,
    MaxTurnsExceeded,
    ModelSettings,
    Runner,
    RunResult,
    ToolCallItem,
    ToolCallOutputItem,
    function_tool,
)

from shared.factory import explain_tool_choice_required, get_chat_model, print_provider


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
    if not explain_tool_choice_required():  # 提供方拒绝或忽略 "required"：说明后跳过
        return
    agent = Agent(
        name="天气助手",
        instructions="你是一个天气助手，你只能回答关于天气的问题。",
        model=get_chat_model(),
        tools=[get_weather],
        model_settings=ModelSettings(tool_choice="required"),
    )

    print('=== tool_choice="required"，reset_tool_choice=True（默认）===')
    # “你好”里没有城市，模型被迫调用时只能自己编一个参数：强制调用要慎用。
    show_run(await Runner.run(agent, "你好"))

    print('=== tool_choice="required"，reset_tool_choice=False，max_turns=3 ===')
    looping = agent.clone(reset_tool_choice=False)
    try:
        await Runner.run(looping, "你好", max_turns=3)
    except MaxTurnsExceeded as exc:
        print(f"MaxTurnsExceeded: {exc}")
        calls = [i for i in exc.run_data.new_items if isinstance(i, ToolCallItem)] if exc.run_data else []
        print(f"停下之前已调用工具 {len(calls)} 次")


if __name__ == "__main__":
    asyncio.run(main())
