"""指令函数签名写错会怎样：构造 Agent 时不报错，运行时、第一次请求模型之前抛 TypeError。

`Agent.__post_init__` 只检查 instructions 是字符串、可调用对象或 None，不看参数。
参数个数在运行时由 `Agent.get_system_prompt()` 检查（agents/agent.py）：
`inspect.signature` 数出来的参数不是恰好 2 个，就抛
`TypeError: 'instructions' callable must accept exactly 2 arguments (context, agent), ...`。
Runner 不包装这个异常，它原样到达你的 `await Runner.run(...)`。
带默认值的第 3 个参数也算一个；两个参数写反了顺序则根本查不出来。

运行: python 03_agents/13_instructions_signature.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    === 只有 1 个参数: def one_arg(context) ===
    构造 Agent: 成功
    运行: TypeError: 'instructions' callable must accept exactly 2 arguments (context, agent), but got 1: ['context']
    本次运行请求模型的次数: 0
    === 多一个带默认值的参数: def with_lang(context, agent, lang="中文") ===
    构造 Agent: 成功
    运行: TypeError: 'instructions' callable must accept exactly 2 arguments (context, agent), but got 3: ['context', 'agent', 'lang']
    本次运行请求模型的次数: 0
    === 参数顺序写反: def swapped(agent, context) ===
    构造 Agent: 成功
    运行: AttributeError: 'RunContextWrapper' object has no attribute 'name'
    本次运行请求模型的次数: 0
    === 改正：用闭包把额外参数固定下来，剩下 (context, agent) ===
    构造 Agent: 成功
    运行: 成功，回答: 您好！我是智能客服（用中文回答），有什么可以帮您？
    本次运行请求模型的次数: 1
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from agents import Agent, RunContextWrapper, RunHooks, Runner

from shared.factory import get_chat_model, print_provider


class CountLLMCalls(RunHooks):
    """只数一数 Runner 真正请求了几次模型。"""

    def __init__(self) -> None:
        self.calls = 0

    async def on_llm_start(self, context, agent, system_prompt, input_items) -> None:
        self.calls += 1


def one_arg(context: RunContextWrapper) -> str:
    return "你是智能客服。"


def with_lang(context: RunContextWrapper, agent: Agent, lang: str = "中文") -> str:
    return f"你是{agent.name}（用{lang}回答）。"


def swapped(agent: Agent, context: RunContextWrapper) -> str:
    return f"你是{agent.name}。"  # agent 这里其实收到的是 RunContextWrapper


def make_instructions(lang: str) -> Callable[[RunContextWrapper, Agent], str]:
    def instructions(context: RunContextWrapper, agent: Agent) -> str:
        return with_lang(context, agent, lang)

    return instructions


async def attempt(title: str, instructions: Callable[..., Any]) -> None:
    print(f"=== {title} ===")
    agent = Agent(name="智能客服", instructions=instructions, model=get_chat_model())
    print("构造 Agent: 成功")
    hooks = CountLLMCalls()
    try:
        result = await Runner.run(agent, "你好", hooks=hooks)
    except (TypeError, AttributeError) as exc:
        print(f"运行: {type(exc).__name__}: {exc}")
    else:
        print(f"运行: 成功，回答: {result.final_output}")
    print(f"本次运行请求模型的次数: {hooks.calls}")


async def main() -> None:
    print_provider()
    await attempt("只有 1 个参数: def one_arg(context)", one_arg)
    await attempt('多一个带默认值的参数: def with_lang(context, agent, lang="中文")', with_lang)
    await attempt("参数顺序写反: def swapped(agent, context)", swapped)
    await attempt("改正：用闭包把额外参数固定下来，剩下 (context, agent)", make_instructions("中文"))


if __name__ == "__main__":
    asyncio.run(main())
