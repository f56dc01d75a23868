"""运行方式二：`await Runner.run()`，异步调用，Web 后端首选。

和上一课只差两处：`main` 变成 `async def`，调用前加 `await`。等模型回复时事件循环可以去服务
别的请求；几件互不相关的事还能用 `asyncio.gather` 同时跑——下面同时写春、秋两首诗。
SDK 里没有课程原文提到的 `Runner.run_async`，异步版本就叫 `Runner.run`。

运行: python 03_agents/05_run_async.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    返回类型: RunResult
    春风拂柳绿丝长，
    燕子归来觅旧梁。
    细雨无声润万物，
    桃花笑对好时光。
    --- 用 asyncio.gather 同时运行两次 ---
    西风送爽雁南飞，
    丹桂飘香染客衣。
    满地黄花堆锦绣，
    登高望远话依依。
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

    result = await Runner.run(agent, "给我写一首关于春天的七言绝句")
    print(f"返回类型: {type(result).__name__}")
    print(result.final_output)

    print("--- 用 asyncio.gather 同时运行两次 ---")
    # 同一个 Agent 可以并发运行：它只是配置，每次运行的状态都在各自的 RunResult 里。
    spring, autumn = await asyncio.gather(
        Runner.run(agent, "再写一首春天的"),
        Runner.run(agent, "写一首秋天的"),
    )
    print(spring.final_output)
    print(autumn.final_output)


if __name__ == "__main__":
    asyncio.run(main())
