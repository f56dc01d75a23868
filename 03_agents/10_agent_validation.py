"""创建 Agent 时 SDK 检查什么：`Agent.__post_init__` 拦下的错，和它拦不下的错。

`Agent` 是一个 dataclass。构造时先由 dataclass 填字段（缺 name 在这一步报错），再进
`__post_init__`（agents/agent.py）逐项检查类型：name、handoff_description、tools、mcp_servers、
mcp_config、instructions、prompt、handoffs、model、model_settings、input/output_guardrails、
output_type、hooks、tool_use_behavior、reset_tool_choice。类型不对立刻抛 TypeError，
报错信息写明是哪个字段、收到了什么类型——这比跑到一半才出错好查得多。

但它只查“类型”，不查“内容”：下面第二部分的几种错误，构造时一声不吭，运行时才暴露，
有一种甚至永远不报错。

运行: python 03_agents/10_agent_validation.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    === 一、构造时就被拦下 ===
    ✗ 漏写 name → TypeError: Agent.__init__() missing 1 required positional argument: 'name'
    ✗ name=123 → TypeError: Agent name must be a string, got int
    ✗ tools=get_weather（忘了方括号） → TypeError: Agent tools must be a list, got FunctionTool
    ✗ instructions=[...]（列表） → TypeError: Agent instructions must be a string, callable, or None, got list
    ✗ model=get_chat_model（忘了括号） → TypeError: Agent model must be a string, Model, or None, got function
    ✗ model_settings="fast" → TypeError: Agent model_settings must be a ModelSettings instance or a dict, got str
    ✗ model_settings={"model": ...} → TypeError: Unknown model settings: model
    ✗ ModelSettings(temperature="高") → ValidationError: 1 validation error for ModelSettings
    ✗ output_type="WeatherResult"（字符串） → TypeError: Agent output_type must be a type, AgentOutputSchemaBase, or None, got str
    ✗ tool_use_behavior="stop" → TypeError: Agent tool_use_behavior must be 'run_llm_again', 'stop_on_first_tool', StopAtTools dict, or callable, got str
    === 二、构造时不报错 ===
    ModelSettings(model="gpt-4o", tool_choice="required") 构造成功，model 被悄悄丢弃: hasattr = False
    tools=[普通函数]（忘了 @function_tool）构造成功，运行时 → UserError: Hosted tools are not supported with the ChatCompletions API. Got tool type: <class 'function'>
    instructions=lambda ctx: ...（少一个参数）构造成功，运行时 → TypeError: 'instructions' callable must accept exactly 2 arguments (context, agent), but got 1: ['ctx']
    model="mock-modle"（拼错）构造成功：模型名只有提供方认得，要到请求时才报错（OpenAI 404，DeepSeek、硅基流动 400）
    === 三、__post_init__ 还会按模型名补默认 ModelSettings ===
    model='gpt-5' → reasoning.effort=... verbosity=low
    model='mock-model' → reasoning=None verbosity=None
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from agents import Agent, ModelSettings, Runner, UserError, function_tool
from pydantic import BaseModel, ValidationError

from shared.factory import get_chat_model, get_settings, print_provider


class WeatherResult(BaseModel):
    """下面故意把它的名字当字符串传给 output_type。"""

    city: str
    condition: str


@function_tool
def get_weather(city: str) -> str:
    """获取指定城市的天气信息"""
    return f"天气信息: {city} 是晴天"


def get_weather_plain(city: str) -> str:
    """和上面一样，只是忘了加 @function_tool"""
    return f"天气信息: {city} 是晴天"


def first_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


def try_build(label: str, build: Callable[[], Any]) -> None:
    try:
        build()
    except (TypeError, ValidationError) as exc:
        print(f"✗ {label} → {first_line(exc)}")
    else:
        print(f"✓ {label} 构造成功")


async def main() -> None:
    print_provider()

    print("=== 一、构造时就被拦下 ===")
    # 每一项都是故意写错的（编辑器的类型检查也会标出来），看 SDK 怎么报错。
    mistakes: list[tuple[str, Callable[[], Any]]] = [
        ("漏写 name", lambda: Agent(instructions="你是客服")),
        ("name=123", lambda: Agent(name=123)),
        ("tools=get_weather（忘了方括号）", lambda: Agent(name="a", tools=get_weather)),
        ("instructions=[...]（列表）", lambda: Agent(name="a", instructions=["你是客服", "要礼貌"])),
        ("model=get_chat_model（忘了括号）", lambda: Agent(name="a", model=get_chat_model)),
        ('model_settings="fast"', lambda: Agent(name="a", model_settings="fast")),
        # 0.24 允许 model_settings 传 dict，而且检查键名：model 不是 ModelSettings 的字段。
        ('model_settings={"model": ...}', lambda: Agent(name="a", model_settings={"model": "gpt-4o"})),
        # ModelSettings 是 pydantic dataclass：字段类型由 pydantic 校验，报的是 ValidationError。
        ('ModelSettings(temperature="高")', lambda: ModelSettings(temperature="高")),
        ('output_type="WeatherResult"（字符串）', lambda: Agent(name="a", output_type="WeatherResult")),
        ('tool_use_behavior="stop"', lambda: Agent(name="a", tool_use_behavior="stop")),
    ]
    for label, build in mistakes:
        try_build(label, build)

    print("=== 二、构造时不报错 ===")
    # 课程 MCP 一节的写法。pydantic dataclass 默认忽略未知参数：不报错，model 直接消失，
    # Agent 会落回 SDK 的默认模型——最难发现的一种错。模型要写在 Agent(model=...) 上。
    settings = ModelSettings(model="gpt-4o", tool_choice="required")
    print(
        'ModelSettings(model="gpt-4o", tool_choice="required") 构造成功，'
        f"model 被悄悄丢弃: hasattr = {hasattr(settings, 'model')}"
    )

    plain = Agent(name="a", model=get_chat_model(), tools=[get_weather_plain])
    try:
        await Runner.run(plain, "武汉的天气")
    except UserError as exc:
        # 报错信息说的是“托管工具”：SDK 不认识的工具对象都被当成托管工具，容易看糊涂。
        message = str(exc).split(", tool:")[0]
        print(f"tools=[普通函数]（忘了 @function_tool）构造成功，运行时 → UserError: {message}")

    wrong_arity = Agent(name="a", instructions=lambda ctx: "你是客服", model=get_chat_model())
    try:
        await Runner.run(wrong_arity, "你好")
    except TypeError as exc:
        print(f"instructions=lambda ctx: ...（少一个参数）构造成功，运行时 → {first_line(exc)}")

    Agent(name="a", model="mock-modle")
    print('model="mock-modle"（拼错）构造成功：模型名只有提供方认得，要到请求时才报错'
          '（OpenAI 404，DeepSeek、硅基流动 400）')

    print("=== 三、__post_init__ 还会按模型名补默认 ModelSettings ===")
    # 课程时序图里的“模型兼容性检查”：GPT-5 系列默认带 reasoning / verbosity，其它模型名不带。
    for name in ["gpt-5", get_settings().model]:  # 后一个是你当前配置的模型
        ms = Agent(name="a", model=name).model_settings
        if ms.reasoning:
            print(f"model={name!r} → reasoning.effort={ms.reasoning.effort} verbosity={ms.verbosity}")
        else:
            print(f"model={name!r} → reasoning=None verbosity={ms.verbosity}")


if __name__ == "__main__":
    asyncio.run(main())
