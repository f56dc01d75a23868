"""动态指令：`instructions` 传一个函数 `(context, agent) -> str`，每次运行按上下文现生成。

同一个 Agent 要对开发者讲技术细节、对业务人员讲商业价值，不必建三个 Agent：
把用户信息放进运行上下文（`Runner.run(..., context=...)`），指令函数从
`context.context` 里读出来拼提示词。上下文只在你的代码里流转，不会发给模型。

Runner 每一轮调用模型前都会执行 `await agent.get_system_prompt(run_context)`：
字符串原样返回；函数就检查它恰好有 2 个参数，再调用它（是协程就 await）。
下面先手动调用这一步把生成的指令打出来，再真正运行一次。

运行: python 03_agents/11_dynamic_instructions.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    === user_role=developer ===
    指令: 你是智能客服，一个智能助手。请提供技术性回答，包含代码示例。
    回答: 关于「...」：（按照指令“请提供技术性回答，包含代码示例”作答）...
    === user_role=business ===
    指令: 你是智能客服，一个智能助手。请关注商业价值和实际应用。
    回答: 关于「...」：（按照指令“请关注商业价值和实际应用”作答）...
    === user_role=general ===
    指令: 你是智能客服，一个智能助手。
    回答: 关于「...」：我是智能客服...
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from agents import Agent, RunContextWrapper, Runner

from shared.factory import get_chat_model, print_provider


@dataclass
class UserContext:
    """运行上下文：你自己定义的任意对象（课程原文用 dict，效果一样）。"""

    user_role: str = "general"  # developer / business / general


def adaptive_instructions(context: RunContextWrapper[UserContext], agent: Agent[UserContext]) -> str:
    base = f"你是{agent.name}，一个智能助手。"
    if context.context.user_role == "developer":
        base += "请提供技术性回答，包含代码示例。"
    elif context.context.user_role == "business":
        base += "请关注商业价值和实际应用。"
    return base


async def main() -> None:
    print_provider()
    agent = Agent[UserContext](
        name="智能客服",
        instructions=adaptive_instructions,
        model=get_chat_model(),
    )

    for role in ["developer", "business", "general"]:
        print(f"=== user_role={role} ===")
        user = UserContext(user_role=role)
        prompt = await agent.get_system_prompt(RunContextWrapper(context=user))
        print(f"指令: {prompt}")
        result = await Runner.run(agent, "如何判断订单接口返回的数据是否正确？", context=user)
        print(f"回答: {result.final_output}")


if __name__ == "__main__":
    asyncio.run(main())
