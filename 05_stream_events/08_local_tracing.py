"""本地 tracing：自己写一个 `TracingProcessor`，把一次运行的 span 树打印出来，并写成 JSONL 文件。

事件流（前几课）是“运行时边跑边看”；trace 是“跑完以后回头查”：一次运行是一个 trace，里面每一步是一个
span——agent（哪个 Agent 在干活）、generation（一次模型调用，带用量）、function（一次工具调用，带参数和结果）、
handoff（谁交给了谁）、guardrail（护栏判了什么），每个 span 有开始、结束时间和父 span。
0.24 还多了两层：task（一次 `Runner.run`，带整轮用量）和 turn（一轮：一次模型调用和随后的工具 / handoff）。

SDK 默认把 trace 批量上报到 OpenAI 的后台（用 OPENAI_API_KEY）。用百炼、DeepSeek 等提供方的 Key 时上报会 401
（SDK issue #135、#535），所以 `shared.factory` 平时对它们关掉了 tracing，学员就什么都看不到。
`set_trace_processors([...])` 可以**换掉全部处理器**：默认的上报处理器不再收到任何 span，什么都不会上传，
于是对任何提供方都能放心打开。工厂的 `use_local_tracing(处理器)` 就做这两件事。

处理器的接口：`on_trace_start` / `on_trace_end`、`on_span_start` / `on_span_end`（同步调用，要快，不能抛异常）、
`shutdown`、`force_flush`。本课的 `SpanTreePrinter` 在 span 结束时收集，trace 结束时按父子关系打印成树，
并把 trace 和每个 span 的 `export()`（与上报的格式相同）追加到 `data/traces.jsonl`。

运行: python 05_stream_events/08_local_tracing.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    tracing：本地处理器 SpanTreePrinter 替换了上报 OpenAI 的默认处理器（不上传，任何提供方都不会 401）
    用户：我的订单 A1001 到哪了？
    trace「ITS 客服工作流」 ... ms，... 个 span
    └─ task Agent workflow ... ms  requests=3 tokens=...
       ├─ agent triage_agent ... ms  handoffs=['order_agent']
       │  └─ turn 1 ... ms  agent=triage_agent
       │     ├─ guardrail order_topic_rule ... ms  triggered=False
       │     ├─ generation ... ms  model=mock-model in=... out=...
       │     └─ handoff ... ms  triage_agent → order_agent
       └─ agent order_agent ... ms  tools=['track_shipment']
          ├─ turn 2 ... ms  agent=order_agent
          │  ├─ generation ... ms  model=mock-model in=... out=...
          │  └─ function track_shipment ... ms  input={"order_id": "A1001"} output=订单 A1001：已到达武汉转运中心，预计明天送达
          └─ turn 3 ... ms  agent=order_agent
             └─ generation ... ms  model=mock-model in=... out=...
    span 类型：task=1 agent=2 turn=3 guardrail=1 generation=3 handoff=1 function=1
    JSONL：追加了 13 行（1 个 trace + 12 个 span）到 .../traces.jsonl
    回答：...
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from agents import (
    Agent,
    GuardrailFunctionOutput,
    Runner,
    function_tool,
    input_guardrail,
    trace,
)
from agents.tracing import Span, Trace, TracingProcessor

from shared.factory import data_path, get_chat_model, print_provider, use_local_tracing


class SpanTreePrinter(TracingProcessor):
    """收集一个 trace 的所有 span，trace 结束时打印成树，并追加写入 JSONL。"""

    def __init__(self, jsonl: Path) -> None:
        self.jsonl = jsonl
        self.spans: dict[str, list[Span[Any]]] = defaultdict(list)
        self.lock = threading.Lock()  # 处理器可能被多个线程调用

    def on_trace_start(self, trace: Trace) -> None:
        pass

    def on_span_start(self, span: Span[Any]) -> None:
        pass

    def on_span_end(self, span: Span[Any]) -> None:
        with self.lock:
            self.spans[span.trace_id].append(span)

    def on_trace_end(self, trace: Trace) -> None:
        with self.lock:
            spans = sorted(self.spans.pop(trace.trace_id, []), key=lambda s: s.started_at or "")
        children: dict[str | None, list[Span[Any]]] = defaultdict(list)
        for span in spans:
            children[span.parent_id].append(span)
        total = sum(ms(s) for s in children[None])
        print(f"trace「{trace.name}」 {total:.0f} ms，{len(spans)} 个 span")
        self.print_tree(children, None, "")
        counts = Counter(s.span_data.type for s in spans)
        print("span 类型：" + " ".join(f"{kind}={n}" for kind, n in counts.items()))
        lines = [trace.export()] + [s.export() for s in spans]
        with self.jsonl.open("a", encoding="utf-8") as f:
            for line in lines:
                f.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
        print(f"JSONL：追加了 {len(lines)} 行（1 个 trace + {len(spans)} 个 span）到 {self.jsonl}")

    def print_tree(self, children: dict[str | None, list[Span[Any]]], parent: str | None,
                   indent: str) -> None:
        kids = children.get(parent, [])
        for i, span in enumerate(kids):
            last = i == len(kids) - 1
            print(f"{indent}{'└─' if last else '├─'} {describe(span)}")
            self.print_tree(children, span.span_id, indent + ("   " if last else "│  "))

    def shutdown(self) -> None:
        pass

    def force_flush(self) -> None:
        pass


def ms(span: Span[Any]) -> float:
    if not span.started_at or not span.ended_at:
        return 0.0
    delta = datetime.fromisoformat(span.ended_at) - datetime.fromisoformat(span.started_at)
    return delta.total_seconds() * 1000


def describe(span: Span[Any]) -> str:
    """每种 span 一行：类型、名字、耗时，再挑最有用的字段。"""
    data = span.span_data
    took = f"{ms(span):.0f} ms"
    if data.type == "task":  # 0.24：一次 Runner.run 是一个 task，带整轮用量
        usage = data.usage or {}
        line = f"task {data.name} {took}  requests={usage.get('requests')} tokens={usage.get('total_tokens')}"
    elif data.type == "turn":  # 0.24：每轮（一次模型调用 + 随后的工具 / handoff）一个 turn
        line = f"turn {data.turn} {took}  agent={data.agent_name}"
    elif data.type == "agent":
        line = f"agent {data.name} {took}  " + (
            f"handoffs={data.handoffs}" if data.handoffs else f"tools={data.tools}")
    elif data.type == "generation":
        usage = data.usage or {}
        line = (f"generation {took}  model={data.model} "
                f"in={usage.get('input_tokens')} out={usage.get('output_tokens')}")
    elif data.type == "function":
        line = f"function {data.name} {took}  input={data.input} output={data.output}"
    elif data.type == "handoff":
        line = f"handoff {took}  {data.from_agent} → {data.to_agent}"
    elif data.type == "guardrail":
        line = f"guardrail {data.name} {took}  triggered={data.triggered}"
    else:  # response（Responses API）、mcp_tools、custom……
        line = f"{data.type} {took}  {json.dumps(data.export(), ensure_ascii=False, default=str)[:80]}"
    if span.error:
        line += f"  error={span.error.get('message')}"
    return line


@function_tool
def track_shipment(order_id: str) -> str:
    """查询包裹的物流轨迹。

    Args:
        order_id: 订单号，例如 A1001
    """
    return f"订单 {order_id}：已到达武汉转运中心，预计明天送达"


@input_guardrail(run_in_parallel=False)  # 先审后答：span 的先后顺序固定，树也就固定
def order_topic_rule(ctx, agent, user_input) -> GuardrailFunctionOutput:  # noqa: ANN001
    """一个不调模型的规则护栏：这里只为了在 trace 里看到 guardrail span。"""
    banned = any(word in str(user_input) for word in ("写诗", "作业"))
    return GuardrailFunctionOutput(output_info=None, tripwire_triggered=banned)


async def main() -> None:
    print_provider()
    use_local_tracing(SpanTreePrinter(data_path("traces.jsonl")))
    print("tracing：本地处理器 SpanTreePrinter 替换了上报 OpenAI 的默认处理器（不上传，任何提供方都不会 401）")
    order_agent = Agent(
        name="order_agent",
        handoff_description="订单专员：查订单、查物流",
        instructions="你是订单专员，用 track_shipment 查询物流轨迹。",
        model=get_chat_model(),
        tools=[track_shipment],
    )
    triage = Agent(
        name="triage_agent",
        instructions="你是ITS客服分诊台。订单、物流问题转给 order_agent。",
        model=get_chat_model(),
        handoffs=[order_agent],
        input_guardrails=[order_topic_rule],
    )
    question = "我的订单 A1001 到哪了？"
    print(f"用户：{question}")
    with trace("ITS 客服工作流"):  # 不写也有 trace（名字是 "Agent workflow"）；多轮运行可以包进同一个 trace
        result = await Runner.run(triage, question)
    print(f"回答：{result.final_output}")


if __name__ == "__main__":
    asyncio.run(main())
