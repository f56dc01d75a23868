"""Responses API 流式输出：带类型的事件流，从 `response.created` 到 `response.completed`。

Chat Completions 的流只有一种 chunk，要自己看 delta 里有什么；Responses 的流是一串
**有名字的事件**：`response.created` → `response.output_item.added` → `response.output_text.delta`（很多个）
→ `response.output_text.done` → `response.output_item.done` → `response.completed`。
文字增量在 `response.output_text.delta` 事件的 `delta` 字段，用量在最后的 `response.completed` 里。
05 课 Agents SDK 的 `raw_response_event` 包着的就是这些事件，先在这里认识它们。
不支持 Responses API 的提供方：发请求前说明原因并正常退出。

运行: python 01_models/05_stream_responses.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    → responses.create(stream=True)
    从前，有一个小狐狸住在云朵后面的小山谷里。...晚安。
    收到的事件序列（共 ... 个，连续同类已合并）：
    #0 response.created（status=in_progress）
    #1 response.in_progress
    #2 response.output_item.added（item.type=message）
    #3 response.content_part.added
    #4-... response.output_text.delta × ...
    #... response.output_text.done
    #... response.content_part.done
    #... response.output_item.done（item.type=message）
    #... response.completed（status=completed，input_tokens=...，output_tokens=...）
提供方预期输出（bailian、deepseek、siliconflow、ollama）:
    ⚠ 当前提供方 ...不支持 Responses API...
    课程在这个提供方上只走 Chat Completions，需要它的演示到此结束。
"""

from __future__ import annotations

from openai.types.responses import ResponseStreamEvent

from shared.factory import get_client, print_provider, require_responses_api

INSTRUCTIONS = "你是一个会讲故事的助手"
QUESTION = "写一个关于小狐狸的睡前小故事"


def describe(event: ResponseStreamEvent) -> str:
    """事件的类型，加上最有用的一两个字段；增量事件只留类型，方便合并。"""
    kind = event.type
    if kind == "response.created":
        return f"{kind}（status={event.response.status}）"
    if kind in ("response.output_item.added", "response.output_item.done"):
        return f"{kind}（item.type={event.item.type}）"
    if kind == "response.completed":
        usage = event.response.usage
        tokens = (
            f"，input_tokens={usage.input_tokens}，output_tokens={usage.output_tokens}"
            if usage
            else ""
        )
        return f"{kind}（status={event.response.status}{tokens}）"
    return kind


def print_sequence(events: list[tuple[int, str]]) -> None:
    """events: (sequence_number, 描述)。连续描述相同的合并成一行。"""
    print(f"收到的事件序列（共 {len(events)} 个，连续同类已合并）：")
    i = 0
    while i < len(events):
        j = i
        while j + 1 < len(events) and events[j + 1][1] == events[i][1]:
            j += 1
        first, label = events[i]
        if i == j:
            print(f"  #{first} {label}")
        else:
            print(f"  #{first}-{events[j][0]} {label} × {j - i + 1}")
        i = j + 1


def main() -> None:
    print_provider()
    settings = require_responses_api("Responses API 的流式事件")
    client = get_client()

    print("→ responses.create(stream=True)")
    events: list[tuple[int, str]] = []
    stream = client.responses.create(
        model=settings.model, instructions=INSTRUCTIONS, input=QUESTION, stream=True
    )
    for event in stream:
        events.append((event.sequence_number, describe(event)))
        # 按事件类型分支，而不是假设每个事件都有 delta：response.created 就没有。
        if event.type == "response.output_text.delta":
            print(event.delta, end="", flush=True)
    print()
    print_sequence(events)


if __name__ == "__main__":
    main()
