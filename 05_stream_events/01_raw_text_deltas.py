"""RawResponsesStreamEvent：先看 `event.data` 的类型，再把文字增量拼成打字机效果。

`Runner.run_streamed()` 把模型的原始流式事件原样转给你，包在 RawResponsesStreamEvent 里。
真正有用的是 `event.data` 的类型：只有 ResponseTextDeltaEvent 是“吐字”，带 `delta`；
第一个事件 ResponseCreatedEvent 以及各种 added / done 事件都没有 `delta`。
课程原文对每个 raw 事件都读 `event.data.delta`，第一个事件就会 AttributeError——所以先判断类型。
本课边打字边记下每个 raw 事件的类型，结束后把类型序列打印出来。

运行: python 05_stream_events/01_raw_text_deltas.py
（在 .env 里设 MOCK_STREAM_DELAY=0.05 可以把内置模拟模型的打字速度放慢，方便投影演示）

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    用户：退货后多久能收到退款？
    [text ] 关于「退货后多久能收到退款」：我是ITS智能客服小智。（这是内置模拟模型的确定性示例回答：...）
    == RawResponsesStreamEvent 一共 ... 个，event.data 的类型依次是（相邻同类合并）：
    ResponseCreatedEvent            ×1   没有 delta
    ResponseOutputItemAddedEvent    ×1   没有 delta
    ResponseContentPartAddedEvent   ×1   没有 delta
    ResponseTextDeltaEvent          ×... 有 delta
    ResponseCompletedEvent          ×1   没有 delta
    第一个 raw 事件是 ResponseCreatedEvent：hasattr(event.data, "delta") → False
    打字机拼出的文字与 final_output 相同：True
"""

from __future__ import annotations

import asyncio

from agents import Agent, Runner
from openai.types.responses import ResponseTextDeltaEvent

from shared.factory import get_chat_model, print_provider


async def main() -> None:
    print_provider()
    agent = Agent(name="小智", instructions="你是ITS智能客服小智。", model=get_chat_model())
    question = "退货后多久能收到退款？"
    print(f"用户：{question}")

    result = Runner.run_streamed(agent, question)
    kinds: list[list] = []  # [类型名, 次数, 有没有 delta]，相邻同类合并
    first_data = None
    typed = ""
    print("[text ] ", end="", flush=True)
    async for event in result.stream_events():
        if event.type != "raw_response_event":
            continue  # 另外两类事件（RunItem / AgentUpdated）后面几课再看
        first_data = first_data or event.data
        name = type(event.data).__name__
        if kinds and kinds[-1][0] == name:
            kinds[-1][1] += 1
        else:
            kinds.append([name, 1, hasattr(event.data, "delta")])
        # 先判断类型，再读 delta：只有文字增量事件才是要显示给用户的字。
        if isinstance(event.data, ResponseTextDeltaEvent):
            typed += event.data.delta
            print(event.data.delta.replace("\n", "\n        "), end="", flush=True)
    print()

    total = sum(count for _, count, _ in kinds)
    print(f"== RawResponsesStreamEvent 一共 {total} 个，event.data 的类型依次是（相邻同类合并）：")
    for name, count, has_delta in kinds:
        print(f"{name:<32}×{count:<3} {'有 delta' if has_delta else '没有 delta'}")
    print(
        f"第一个 raw 事件是 {type(first_data).__name__}："
        f'hasattr(event.data, "delta") → {hasattr(first_data, "delta")}'
    )
    print(f"打字机拼出的文字与 final_output 相同：{typed == result.final_output}")


if __name__ == "__main__":
    asyncio.run(main())
