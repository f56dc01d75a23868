"""运行方式三：`Runner.run_streamed()`，流式调用，做出“打字机效果”。

模型每生成几个字就推一个事件过来，边收边打印，用户不用干等整段回答（SSE 接口就靠它）。
`run_streamed()` 本身不是协程：它立刻返回 `RunResultStreaming`，真正的运行发生在
`async for event in result.stream_events()` 里。

要点：`raw_response_event` 不只有文本增量。第一个事件是 `ResponseCreatedEvent`，它没有
`.delta`——课程原文 `delta = event.data.delta` 在第一个事件上就报 AttributeError（下面先演示）。
正确做法是先判断 `isinstance(event.data, ResponseTextDeltaEvent)`。

运行: python 03_agents/06_run_streamed.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    --- 课程原文的写法 ---
    AttributeError: 'ResponseCreatedEvent' object has no attribute 'delta'
    --- 先判断事件类型 ---
    返回类型: RunResultStreaming
    春风拂柳绿丝长，
    燕子归来觅旧梁。
    细雨无声润万物，
    桃花笑对好时光。
    收到 ... 个文本增量（ResponseTextDeltaEvent），另有 ... 个其它 raw_response_event
    增量拼起来与 final_output 相同: True
"""

from __future__ import annotations

import asyncio

from agents import Agent, Runner
from openai.types.responses import ResponseTextDeltaEvent

from shared.factory import get_chat_model, print_provider

QUESTION = "给我写一首关于春天的七言绝句"


async def course_snippet(agent: Agent) -> None:
    """课程原文的循环，原样照抄。"""
    streaming_result = Runner.run_streamed(agent, QUESTION)
    try:
        async for event in streaming_result.stream_events():
            if event.type == "raw_response_event":
                delta = event.data.delta  # 第一个事件 ResponseCreatedEvent 没有 delta
                print(delta, end="", flush=True)
    except AttributeError as exc:
        print(f"AttributeError: {exc}")
        streaming_result.cancel()  # 不再消费的流要取消，后台任务才会结束


async def main() -> None:
    print_provider()
    agent = Agent(
        name="Assistant",
        instructions="你只会用七言绝句回应",
        model=get_chat_model(),
    )

    print("--- 课程原文的写法 ---")
    await course_snippet(agent)

    print("--- 先判断事件类型 ---")
    result = Runner.run_streamed(agent, QUESTION)
    print(f"返回类型: {type(result).__name__}")
    pieces: list[str] = []
    other_raw = 0
    async for event in result.stream_events():
        if event.type != "raw_response_event":
            continue  # run_item_stream_event / agent_updated_stream_event 是更高层的事件，见 05_stream_events
        if isinstance(event.data, ResponseTextDeltaEvent):
            pieces.append(event.data.delta)
            print(event.data.delta, end="", flush=True)
        else:
            other_raw += 1
    print()

    # 流结束后，完整结果照样在 final_output 里。
    print(f"收到 {len(pieces)} 个文本增量（ResponseTextDeltaEvent），另有 {other_raw} 个其它 raw_response_event")
    print(f"增量拼起来与 final_output 相同: {''.join(pieces) == result.final_output}")


if __name__ == "__main__":
    asyncio.run(main())
