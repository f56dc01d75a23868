"""方式一：全局设置模型客户端，之后 `Agent(model="模型名字符串")` 就能直接用。

整个项目只用一个模型时最省事：启动时注册一次客户端，所有 Agent 共用它。
代价是“全局状态”：同一进程里想让不同 Agent 走不同提供方，就得换方式二或方式三。

`use_global_client()` 在工厂里做的事，相当于课程原文的这几行：

    client = AsyncOpenAI(base_url=..., api_key=...)   # 必须是异步客户端
    set_default_openai_client(client, use_for_tracing=False)
    set_default_openai_api("chat_completions")        # SDK 默认走 Responses API，兼容接口多半没有
    set_tracing_disabled(True)                        # 非 OpenAI 提供方：不上报 trace，免得 401
    return "模型名"                                   # 交给 Agent(model=...)

模型名带 “/” 的提供方（硅基流动的 Qwen/Qwen3-32B）要写成 "openai/Qwen/Qwen3-32B"：Runner 默认把
“xxx/” 当成提供方前缀（不认识就报 Unknown prefix: Qwen），“openai/” 才表示“交给全局客户端”。

运行: python 03_agents/01_global_client.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    Agent.model = 'mock-model'（str：只是名字，由全局客户端去请求）
    春风拂柳绿丝长，
    燕子归来觅旧梁。
    细雨无声润万物，
    桃花笑对好时光。
提供方预期输出（siliconflow）:
    Agent.model = 'openai/Qwen/Qwen3-32B'（str：只是名字，由全局客户端去请求）
    春风拂柳绿丝长，
"""

from __future__ import annotations

import asyncio

from agents import Agent, Runner

from shared.factory import print_provider, use_global_client


async def main() -> None:
    print_provider()
    # 全局注册要在第一次运行 Agent 之前做；返回值就是 .env 里配置的模型名。
    model_name = use_global_client()

    agent = Agent(
        name="Assistant",
        instructions="你只会用七言绝句回应",
        model=model_name,
    )
    print(f"Agent.model = {agent.model!r}（str：只是名字，由全局客户端去请求）")

    result = await Runner.run(agent, "给我写一首关于春天的七言绝句")
    print(result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
