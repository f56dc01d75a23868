"""方式三：把模型对象 `OpenAIChatCompletionsModel` 直接绑定到单个 Agent。

Agent 自带模型，不依赖全局设置，也不依赖运行时传什么：客服 Agent 用一家、分析 Agent 用另一家，
各自写在自己身上。本课后面的脚本都用这种方式（它在所有兼容 OpenAI 的提供方上都能用）。

`get_chat_model()` 在工厂里做的事，相当于课程原文的这几行：

    set_tracing_disabled(True)                        # 非 OpenAI 提供方
    client = AsyncOpenAI(base_url=..., api_key=...)
    return OpenAIChatCompletionsModel(model="模型名", openai_client=client)

运行: python 03_agents/03_agent_model.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    Agent.model = OpenAIChatCompletionsModel（模型对象：自带客户端，不看全局设置）
    春风拂柳绿丝长，
    燕子归来觅旧梁。
    细雨无声润万物，
    桃花笑对好时光。
提供方预期输出（deepseek、siliconflow）:
    Agent.model = JsonObjectChatCompletionsModel（模型对象：自带客户端，不看全局设置）
    （JsonObjectChatCompletionsModel 是 OpenAIChatCompletionsModel 的子类：这个提供方不接受 json_schema，...）
    春风拂柳绿丝长，
"""

from __future__ import annotations

import asyncio

from agents import Agent, Runner

from shared.factory import get_chat_model, print_provider


async def main() -> None:
    print_provider()

    agent = Agent(
        name="Assistant",
        instructions="你只会用七言绝句回应",
        model=get_chat_model(),
    )
    print(f"Agent.model = {type(agent.model).__name__}（模型对象：自带客户端，不看全局设置）")
    if type(agent.model).__name__ != "OpenAIChatCompletionsModel":  # 工厂按提供方的差异换了子类
        print(f"（{type(agent.model).__name__} 是 OpenAIChatCompletionsModel 的子类：这个提供方不接受 "
              "json_schema，结构化输出改用 json_object，见 shared/factory.py）")

    result = await Runner.run(agent, "给我写一首关于春天的七言绝句")
    print(result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
