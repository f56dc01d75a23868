"""方式二：`ModelProvider` 放进 `RunConfig`，由这一次运行决定模型名解析成哪个模型。

Agent 上仍然只写模型名（字符串）；`Runner.run(..., run_config=RunConfig(model_provider=...))`
运行时，SDK 调用 `provider.get_model(agent.model)` 拿到真正的 Model。不改全局状态，
同一份 Agent 定义换一个 provider 就能换一家模型服务（测试、A/B、按租户选模型）。

`get_model_provider()` 在工厂里做的事，相当于课程原文的这几行：

    set_tracing_disabled(True)            # 非 OpenAI 提供方
    client = AsyncOpenAI(base_url=..., api_key=...)

    class CustomModelProvider(ModelProvider):
        def get_model(self, model_name: str | None) -> Model:
            # 直接返回 Chat Completions 模型，所以不需要 set_default_openai_api(...)
            return OpenAIChatCompletionsModel(model=model_name or "默认模型名", openai_client=client)

    return CustomModelProvider()

运行: python 03_agents/02_model_provider.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    Agent.model = 'mock-model'（str：运行时由 RunConfig 里的 provider 解析）
    provider.get_model('mock-model') -> OpenAIChatCompletionsModel
    春风拂柳绿丝长，
    燕子归来觅旧梁。
    细雨无声润万物，
    桃花笑对好时光。
提供方预期输出（deepseek、siliconflow）:
    provider.get_model(...) -> JsonObjectChatCompletionsModel
    （JsonObjectChatCompletionsModel 是 OpenAIChatCompletionsModel 的子类：这个提供方不接受 json_schema，...）
    春风拂柳绿丝长，
"""

from __future__ import annotations

import asyncio

from agents import Agent, RunConfig, Runner

from shared.factory import get_model_provider, get_settings, print_provider


async def main() -> None:
    print_provider()
    provider = get_model_provider()

    agent = Agent(
        name="Assistant",
        instructions="你只会用七言绝句回应",
        model=get_settings().model,
    )
    print(f"Agent.model = {agent.model!r}（str：运行时由 RunConfig 里的 provider 解析）")
    # Runner 内部做的就是这一步；手动调一次，看清字符串变成了什么。
    resolved = provider.get_model(agent.model)
    print(f"provider.get_model({agent.model!r}) -> {type(resolved).__name__}")
    if type(resolved).__name__ != "OpenAIChatCompletionsModel":  # 工厂按提供方的差异换了子类
        print(f"（{type(resolved).__name__} 是 OpenAIChatCompletionsModel 的子类：这个提供方不接受 "
              "json_schema，结构化输出改用 json_object，见 shared/factory.py）")

    result = await Runner.run(
        agent,
        "给我写一首关于春天的七言绝句",
        run_config=RunConfig(model_provider=provider),
    )
    print(result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
