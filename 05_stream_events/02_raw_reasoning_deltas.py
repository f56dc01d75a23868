"""RawResponsesStreamEvent 里的推理增量：模型“边想边说”时，想的部分以哪种事件到达。

推理增量只有推理模型才发。两条路都试一次，并打印实际收到的事件类型（不是照抄文档）：
  1. Chat Completions：DeepSeek / Qwen 这类接口在 `reasoning_content` 字段里流式返回推理过程，
     Agents SDK 把它转成 ResponseReasoningSummaryTextDeltaEvent（推理“摘要”增量）。
     若接口用的是 `reasoning` 字段（OpenRouter、vLLM 等），SDK 转成 ResponseReasoningTextDeltaEvent。
  2. Responses API：`ModelSettings(reasoning=Reasoning(effort="low", summary="auto"))`，
     推理摘要以 ResponseReasoningSummaryTextDeltaEvent 到达。
课程原文的 ResponseReasoningDeltaEvent 在 openai 3.x 里不存在。

内置模拟模型：模型名里含 reason（本课用 mock-reasoner）就像 DeepSeek 那样返回 reasoning_content。
真实提供方：第 1 段用预设里的推理模型（百炼 qwq-plus、DeepSeek deepseek-v4-pro、硅基流动 DeepSeek-R1、
Ollama deepseek-r1:7b；OPENAI_REASONING_MODEL 可换），第 2 段只在支持 Responses API 的提供方上运行。

运行: python 05_stream_events/02_raw_reasoning_deltas.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    == 1. Chat Completions，推理模型 mock-reasoner  用户：A1001 和 A1002 两个订单哪个先到？
    [think] 这里没有可用的工具，查不到「A1001 和 A1002 两个订单哪个先到？」需要的实时数据。我按指令直接回答，说清楚能帮什么。
    [text ] 关于「A1001 和 A1002 两个订单哪个先到」：...
    推理增量的事件类型：ResponseReasoningSummaryTextDeltaEvent ×...
    == 2. Responses API，Reasoning(effort="low", summary="auto")  用户：A1001 和 A1002 两个订单哪个先到？
    [think] 这里没有可用的工具，查不到「A1001 和 A1002 两个订单哪个先到？」需要的实时数据。我按指令直接回答，说清楚能帮什么。
    [text ] 关于「A1001 和 A1002 两个订单哪个先到」：...
    推理增量的事件类型：ResponseReasoningSummaryTextDeltaEvent ×...
提供方预期输出（bailian、deepseek、siliconflow）:
    == 1. Chat Completions，推理模型 ...  用户：A1001 和 A1002 两个订单哪个先到？
    [think] 这里没有可用的工具，查不到「A1001 和 A1002 两个订单哪个先到？」需要的实时数据。我按指令直接回答，说清楚能帮什么。
    推理增量的事件类型：ResponseReasoningSummaryTextDeltaEvent ×...
    ⚠ 当前提供方 ...不支持 推理摘要流（reasoning summary）：...
提供方预期输出（ollama）:
    == 1. Chat Completions，推理模型 deepseek-r1:7b  用户：A1001 和 A1002 两个订单哪个先到？
    [think] 这里没有可用的工具，查不到「A1001 和 A1002 两个订单哪个先到？」需要的实时数据。我按指令直接回答，说清楚能帮什么。
    推理增量的事件类型：ResponseReasoningTextDeltaEvent ×...
    ⚠ 当前提供方 ...不支持 推理摘要流（reasoning summary）：...
"""

from __future__ import annotations

import asyncio
from collections import Counter

from agents import Agent, ModelSettings, Runner
from openai.types.responses import (
    ResponseReasoningSummaryTextDeltaEvent,
    ResponseReasoningTextDeltaEvent,
    ResponseTextDeltaEvent,
)
from openai.types.shared import Reasoning

from shared.factory import (
    get_chat_model,
    get_responses_model,
    print_provider,
    require_responses_api,
)

QUESTION = "A1001 和 A1002 两个订单哪个先到？"
REASONING_DELTAS = (ResponseReasoningSummaryTextDeltaEvent, ResponseReasoningTextDeltaEvent)


class Console:
    """投影用的控制台：每类输出一个对齐的前缀，增量文字接在同一行后面（打字机）。"""

    def __init__(self) -> None:
        self.open: str | None = None  # 正在续写的那一行的前缀

    def stream(self, tag: str, delta: str) -> None:
        if self.open != tag:
            self.close()
            print(f"[{tag:<5}] ", end="")
            self.open = tag
        print(delta.replace("\n", "\n        "), end="", flush=True)

    def close(self) -> None:
        if self.open:
            print()
            self.open = None


async def stream_and_count(agent: Agent) -> None:
    console = Console()
    seen: Counter[str] = Counter()
    result = Runner.run_streamed(agent, QUESTION)
    async for event in result.stream_events():
        if event.type != "raw_response_event":
            continue
        if isinstance(event.data, REASONING_DELTAS):
            seen[type(event.data).__name__] += 1
            console.stream("think", event.data.delta)
        elif isinstance(event.data, ResponseTextDeltaEvent):
            console.stream("text", event.data.delta)
    console.close()
    if seen:
        kinds = "、".join(f"{name} ×{count}" for name, count in seen.items())
        print(f"推理增量的事件类型：{kinds}")
    else:
        print("没有收到推理增量：这个模型不流式返回推理过程（换成推理模型再试）。")


async def main() -> None:
    settings = print_provider()

    # 模拟模型看模型名决定要不要“推理”；真实提供方就用 .env 里配置的模型。
    reasoner = settings.reasoning_model  # 各提供方的推理模型见 shared/config.py（模拟模型：mock-reasoner）
    print(f"== 1. Chat Completions，推理模型 {reasoner}  用户：{QUESTION}")
    chat_agent = Agent(name="小智", instructions="你是ITS智能客服。", model=get_chat_model(reasoner))
    await stream_and_count(chat_agent)

    settings = require_responses_api("推理摘要流（reasoning summary）")
    print(f'== 2. Responses API，Reasoning(effort="low", summary="auto")  用户：{QUESTION}')
    responses_agent = Agent(
        name="小智",
        instructions="你是ITS智能客服。",
        model=get_responses_model(settings.reasoning_model),  # 只有推理模型接受 reasoning 参数
        # summary="auto" 才会流式返回可读的推理摘要；只设 effort 时推理在服务端进行，看不到过程。
        model_settings=ModelSettings(reasoning=Reasoning(effort="low", summary="auto")),
    )
    await stream_and_count(responses_agent)


if __name__ == "__main__":
    asyncio.run(main())
