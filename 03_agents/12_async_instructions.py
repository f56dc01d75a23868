"""异步动态指令：`async def instructions(context, agent) -> str`，生成指令前可以先查库。

上一课的角色直接放在上下文里。真实系统里上下文往往只有用户 id，角色、会员等级要去数据库 /
用户中心查——这是 I/O，应当 await。指令函数写成 `async def` 即可：SDK 调用它拿到协程后会 await
（`get_system_prompt` 里是 `result = self.instructions(...)`，`if inspect.isawaitable(result): await`）。
签名要求不变：仍然恰好 2 个参数。
注意输出里每个用户查了两次资料：一次是下面手动调用，一次是 Runner 调模型前。指令函数在每一轮
模型调用前都会执行（有工具调用时一次运行会有好几轮），慢的查询要自己做缓存。

运行: python 03_agents/12_async_instructions.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    === user_id=u001 ===
    （查询用户资料: u001）
    指令: 你是智能客服，正在为张工（developer）服务。请提供技术性回答，包含代码示例。
    （查询用户资料: u001）
    回答: 关于「...」：（按照指令“请提供技术性回答，包含代码示例”作答）...
    === user_id=u002 ===
    （查询用户资料: u002）
    指令: 你是智能客服，正在为李经理（business）服务。请关注商业价值和实际应用。
    （查询用户资料: u002）
    回答: 关于「...」：（按照指令“请关注商业价值和实际应用”作答）...
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from agents import Agent, RunContextWrapper, Runner

from shared.factory import get_chat_model, print_provider

# 假装是用户中心的数据；真实项目里是一次数据库或 HTTP 查询。
PROFILES = {
    "u001": {"name": "张工", "role": "developer"},
    "u002": {"name": "李经理", "role": "business"},
}

STYLE_BY_ROLE = {
    "developer": "请提供技术性回答，包含代码示例。",
    "business": "请关注商业价值和实际应用。",
}


@dataclass
class UserContext:
    user_id: str


async def fetch_profile(user_id: str) -> dict[str, str]:
    print(f"（查询用户资料: {user_id}）")
    await asyncio.sleep(0.01)  # 模拟一次网络 / 数据库往返
    return PROFILES.get(user_id, {"name": "用户", "role": "general"})


async def adaptive_instructions(
    context: RunContextWrapper[UserContext], agent: Agent[UserContext]
) -> str:
    profile = await fetch_profile(context.context.user_id)
    base = f"你是{agent.name}，正在为{profile['name']}（{profile['role']}）服务。"
    return base + STYLE_BY_ROLE.get(profile["role"], "")


async def main() -> None:
    print_provider()
    agent = Agent[UserContext](
        name="智能客服",
        instructions=adaptive_instructions,
        model=get_chat_model(),
    )

    for user_id in ["u001", "u002"]:
        print(f"=== user_id={user_id} ===")
        user = UserContext(user_id=user_id)
        prompt = await agent.get_system_prompt(RunContextWrapper(context=user))
        print(f"指令: {prompt}")
        result = await Runner.run(agent, "如何判断订单接口返回的数据是否正确？", context=user)
        print(f"回答: {result.final_output}")


if __name__ == "__main__":
    asyncio.run(main())
