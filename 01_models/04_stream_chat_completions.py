"""Chat Completions 流式输出：`stream=True` 后逐块（chunk）收到回答，像打字机一样打印。

不开流式时，模型写完整段回答才返回，用户要干等；开了流式，服务端每生成几个字就推一块
`chat.completion.chunk`（HTTP 上是 SSE 的 `data: {...}` 行，最后一行 `data: [DONE]` 由 SDK 吃掉）。
每块的文字在 `choices[0].delta.content`；最后一块带 `finish_reason`；
加上 `stream_options={"include_usage": True}` 后，还会多一块 `choices=[]`、只带 `usage` 的用量块。
脚本先打字机式打印回答，再把收到的 chunk 序列压缩打印出来（连续的同类块合并成一行）。
会思考的模型（DeepSeek 默认开着思考模式，硅基流动的 Qwen3 也是）先推一串推理块：推理文字不在 `content`，
而在 OpenAI 没有定义的扩展字段 `delta.reasoning_content` 里（Ollama 叫 `delta.reasoning`），
SDK 的类型里没有它，要从 `delta.model_extra` 取。

运行: python 01_models/04_stream_chat_completions.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    → chat.completions.create(stream=True, stream_options={"include_usage": True})
    从前，有一个小狐狸住在云朵后面的小山谷里。...晚安。
    首个文字在 ... 秒后到达，全部收完用了 ... 秒
    收到的 chunk 序列（共 ... 块，连续同类已合并）：
    #1 delta.role='assistant' delta.content=''
    #2-... delta.content × ...
    #... delta={} finish_reason='stop'
    #... choices=[] usage：prompt_tokens=... completion_tokens=... total_tokens=...
提供方预期输出（deepseek、siliconflow）:
    从前，有一个小狐狸住在云朵后面的小山谷里。...晚安。
    思考过程（delta.reasoning_content，共 ... 字）：...
    #1 delta.role='assistant' delta.content=''
    #2-... delta.reasoning_content × ...
    #...-... delta.content × ...
    #... delta={} finish_reason='stop'
    #... choices=[] usage：prompt_tokens=... completion_tokens=... total_tokens=...
"""

from __future__ import annotations

import time

from openai.types.chat import ChatCompletionChunk

from shared.factory import get_client, print_provider

MESSAGES = [
    {"role": "system", "content": "你是一个会讲故事的助手"},
    {"role": "user", "content": "写一个关于小狐狸的睡前小故事"},
]


REASONING_FIELDS = ("reasoning_content", "reasoning")  # DeepSeek / Qwen 叫前者，Ollama 叫后者


def reasoning_delta(chunk: ChatCompletionChunk) -> tuple[str, str]:
    """(字段名, 推理文字)：扩展字段不在 SDK 的类型里，放在 model_extra。"""
    if not chunk.choices:
        return "", ""
    extra = chunk.choices[0].delta.model_extra or {}
    for name in REASONING_FIELDS:
        if extra.get(name):
            return name, extra[name]
    return "", ""


def describe(chunk: ChatCompletionChunk) -> str:
    """一块 chunk 的“种类”：连续种类相同的块会合并成一行。"""
    if not chunk.choices:  # 只有 include_usage 时才有这一块，放在 finish_reason 之后
        u = chunk.usage
        if u is None:
            return "choices=[]"
        return (
            f"choices=[] usage：prompt_tokens={u.prompt_tokens} "
            f"completion_tokens={u.completion_tokens} total_tokens={u.total_tokens}"
        )
    choice = chunk.choices[0]
    delta = choice.delta
    parts = []
    if delta.role:
        parts.append(f"delta.role={delta.role!r}")
        parts.append(f"delta.content={delta.content!r}")
    elif delta.content:
        parts.append("delta.content")
    elif reasoning_delta(chunk)[0]:
        parts.append(f"delta.{reasoning_delta(chunk)[0]}")
    if delta.tool_calls:
        parts.append("delta.tool_calls")
    if choice.finish_reason:
        parts.append(f"{'' if parts else 'delta={} '}finish_reason={choice.finish_reason!r}")
    return " ".join(parts) or "delta={}"


def print_sequence(kinds: list[str]) -> None:
    print(f"收到的 chunk 序列（共 {len(kinds)} 块，连续同类已合并）：")
    start = 0
    while start < len(kinds):
        end = start
        while end + 1 < len(kinds) and kinds[end + 1] == kinds[start]:
            end += 1
        if end == start:
            print(f"  #{start + 1} {kinds[start]}")
        else:
            print(f"  #{start + 1}-{end + 1} {kinds[start]} × {end - start + 1}")
        start = end + 1


def main() -> None:
    settings = print_provider()
    client = get_client()

    print('→ chat.completions.create(stream=True, stream_options={"include_usage": True})')
    began = time.perf_counter()
    first_text: float | None = None
    kinds: list[str] = []
    thinking: list[str] = []
    field = ""
    stream = client.chat.completions.create(
        model=settings.model,
        messages=MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
    )
    for chunk in stream:
        kinds.append(describe(chunk))
        name, thought = reasoning_delta(chunk)
        if thought:  # 推理块：先攒着，回答打印完再显示
            field = name
            thinking.append(thought)
        text = chunk.choices[0].delta.content if chunk.choices else None
        if text:
            if first_text is None:
                first_text = time.perf_counter() - began
            print(text, end="", flush=True)  # flush：不等换行，收到就显示
    print()
    if thinking:
        thought = "".join(thinking)
        print(f"思考过程（delta.{field}，共 {len(thought)} 字）：{thought}")
    total = time.perf_counter() - began
    print(f"首个文字在 {first_text or 0:.2f} 秒后到达，全部收完用了 {total:.2f} 秒")
    print_sequence(kinds)


if __name__ == "__main__":
    main()
