"""运行方式一：`Runner.run_sync()`，同步调用，最简单。

普通脚本、命令行工具里用它：不用写 async/await，一行拿到 `RunResult`。
它在内部自己开一个事件循环，所以不能在已经运行的事件循环里调用
（FastAPI 的 async 路由、Jupyter 里会报 RuntimeError），那种场合用 `await Runner.run()`。

运行: python 03_agents/04_run_sync.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    返回类型: RunResult
    春风拂柳绿丝长，
    燕子归来觅旧梁。
    细雨无声润万物，
    桃花笑对好时光。
"""

from __future__ import annotations

from agents import Agent, Runner

from shared.factory import get_chat_model, print_provider


def main() -> None:
    print_provider()
    agent = Agent(
        name="Assistant",
        instructions="你只会用七言绝句回应",
        model=get_chat_model(),
    )

    result = Runner.run_sync(agent, "给我写一首关于春天的七言绝句")
    print(f"返回类型: {type(result).__name__}")
    print(result.final_output)


if __name__ == "__main__":
    main()
