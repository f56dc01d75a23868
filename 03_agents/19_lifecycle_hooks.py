"""生命周期钩子与用量：`RunHooks` / `AgentHooks` 打出一次运行的时间线，`context_wrapper.usage` 记下花了多少 token。

Runner 在循环的每个关键点回调钩子（全是 async 方法，覆盖你需要的那几个即可）：
- `RunHooks`（`Runner.run(..., hooks=...)`）：整轮运行里**所有** Agent 的事——
  `on_agent_start` / `on_agent_end`、`on_llm_start` / `on_llm_end`、`on_tool_start` / `on_tool_end`、`on_handoff`；
- `AgentHooks`（`Agent(hooks=...)`）：只管**这一个** Agent——`on_start` / `on_end`、`on_handoff`、
  `on_tool_start` / `on_tool_end`、`on_llm_start` / `on_llm_end`。注意 0.24 的 `on_handoff` 是在**交出方**的
  AgentHooks 上调用的（参数 agent=接手方、source=交出方），和它文档字符串说的“被交接过来时”不同。
钩子里做日志、计时、计费、告警；不要在钩子里改 Agent 的工具列表（并发运行共享同一个 Agent）。

用量：每次模型调用的 `response.usage`（在 `on_llm_end` 里拿得到），以及整轮累计的
`result.context_wrapper.usage`：`requests`（调用模型几次）、`input_tokens`、`output_tokens`、`total_tokens`，
`request_usage_entries` 是逐次明细。模拟模型的 token 数按字数估算，量级合理、不精确。

运行: python 03_agents/19_lifecycle_hooks.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    === 问：我的订单 A1001 到哪了？ ===
    [+... ms] agent_start   triage_agent
    [+... ms]   (triage_agent 的 AgentHooks) on_start
    [+... ms] llm_start     triage_agent
    [+... ms] llm_end       triage_agent   输出 transfer_to_order_agent  用量 in=... out=...
    [+... ms] handoff       triage_agent → order_agent
    [+... ms]   (triage_agent 的 AgentHooks) on_handoff(agent=order_agent, source=triage_agent)
    [+... ms] agent_start   order_agent
    [+... ms]   (order_agent 的 AgentHooks) on_start
    [+... ms] llm_start     order_agent
    [+... ms] llm_end       order_agent    输出 track_shipment  用量 in=... out=...
    [+... ms] tool_start    order_agent    track_shipment {"order_id": "A1001"}
    [+... ms] tool_end      order_agent    track_shipment → 订单 A1001：已到达武汉转运中心，预计明天送达
    [+... ms] llm_start     order_agent
    [+... ms] llm_end       order_agent    输出 文字回答  用量 in=... out=...
    [+... ms] agent_end     order_agent
    [+... ms]   (order_agent 的 AgentHooks) on_end
    本轮用量：requests=3 input_tokens=... output_tokens=... total_tokens=...
    逐次明细：[...]
    === 问：你好 ===
    [+... ms] agent_start   triage_agent
    [+... ms]   (triage_agent 的 AgentHooks) on_start
    [+... ms] llm_start     triage_agent
    [+... ms] llm_end       triage_agent   输出 文字回答  用量 in=... out=...
    [+... ms] agent_end     triage_agent
    [+... ms]   (triage_agent 的 AgentHooks) on_end
    本轮用量：requests=1 input_tokens=... output_tokens=... total_tokens=...
    逐次明细：[...]
    两轮合计：requests=4 total_tokens=...
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from agents import (
    Agent,
    AgentHooks,
    ModelResponse,
    RunContextWrapper,
    RunHooks,
    Runner,
    Tool,
    function_tool,
)

from shared.factory import get_chat_model, print_provider


@function_tool
def track_shipment(order_id: str) -> str:
    """查询包裹的物流轨迹。

    Args:
        order_id: 订单号，例如 A1001
    """
    return f"订单 {order_id}：已到达武汉转运中心，预计明天送达"


class Timeline:
    """两种钩子共用一个起点，打印相对时间。"""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def log(self, text: str) -> None:
        print(f"[+{(time.perf_counter() - self.start) * 1000:4.0f} ms] {text}")


def what_came_back(response: ModelResponse) -> str:
    """模型这次返回了什么：调用了哪些工具（handoff 也是工具），还是一段文字。"""
    calls = [item.name for item in response.output if getattr(item, "type", "") == "function_call"]
    return " ".join(calls) if calls else "文字回答"


class TimelineRunHooks(RunHooks):
    def __init__(self, timeline: Timeline) -> None:
        self.t = timeline

    async def on_agent_start(self, context: RunContextWrapper[Any], agent: Agent[Any]) -> None:
        self.t.log(f"agent_start   {agent.name}")

    async def on_llm_start(self, context, agent, system_prompt, input_items) -> None:  # noqa: ANN001
        self.t.log(f"llm_start     {agent.name}")

    async def on_llm_end(self, context: RunContextWrapper[Any], agent: Agent[Any],
                         response: ModelResponse) -> None:
        usage = response.usage
        self.t.log(f"llm_end       {agent.name:<14} 输出 {what_came_back(response)}  "
                   f"用量 in={usage.input_tokens} out={usage.output_tokens}")

    async def on_handoff(self, context: RunContextWrapper[Any], from_agent: Agent[Any],
                         to_agent: Agent[Any]) -> None:
        self.t.log(f"handoff       {from_agent.name} → {to_agent.name}")

    async def on_tool_start(self, context: RunContextWrapper[Any], agent: Agent[Any], tool: Tool) -> None:
        arguments = getattr(context, "tool_arguments", "")  # 函数工具的 context 是 ToolContext
        self.t.log(f"tool_start    {agent.name:<14} {tool.name} {arguments}")

    async def on_tool_end(self, context: RunContextWrapper[Any], agent: Agent[Any], tool: Tool,
                          result: object) -> None:
        self.t.log(f"tool_end      {agent.name:<14} {tool.name} → {result}")

    async def on_agent_end(self, context: RunContextWrapper[Any], agent: Agent[Any], output: Any) -> None:
        self.t.log(f"agent_end     {agent.name}")


class OwnHooks(AgentHooks):
    """挂在某一个 Agent 身上的钩子（缩进打印，标明是谁的钩子）。"""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.t: Timeline | None = None

    def log(self, text: str) -> None:
        if self.t:
            self.t.log(f"  ({self.owner} 的 AgentHooks) {text}")

    async def on_handoff(self, context: RunContextWrapper[Any], agent: Agent[Any],
                         source: Agent[Any]) -> None:
        # 0.24 实际调用的是“交出方”的 on_handoff：agent=接手方，source=交出方（见 README）。
        self.log(f"on_handoff(agent={agent.name}, source={source.name})")

    async def on_start(self, context: RunContextWrapper[Any], agent: Agent[Any]) -> None:
        self.log("on_start")

    async def on_end(self, context: RunContextWrapper[Any], agent: Agent[Any], output: Any) -> None:
        self.log("on_end")


async def main() -> None:
    print_provider()
    own_hooks = [OwnHooks("triage_agent"), OwnHooks("order_agent")]
    order_agent = Agent(
        name="order_agent",
        handoff_description="订单专员：查订单、查物流",
        instructions="你是订单专员，用 track_shipment 查询物流轨迹。",
        model=get_chat_model(),
        tools=[track_shipment],
        hooks=own_hooks[1],
    )
    triage = Agent(
        name="triage_agent",
        instructions="你是ITS客服分诊台。订单、物流问题转给 order_agent；问候直接回答。",
        model=get_chat_model(),
        handoffs=[order_agent],
        hooks=own_hooks[0],
    )

    total_requests = total_tokens = 0
    for question in ["我的订单 A1001 到哪了？", "你好"]:
        print(f"=== 问：{question} ===")
        timeline = Timeline()
        for hooks in own_hooks:
            hooks.t = timeline
        result = await Runner.run(triage, question, hooks=TimelineRunHooks(timeline))
        usage = result.context_wrapper.usage
        print(f"本轮用量：requests={usage.requests} input_tokens={usage.input_tokens} "
              f"output_tokens={usage.output_tokens} total_tokens={usage.total_tokens}")
        print(f"逐次明细：{[entry.total_tokens for entry in usage.request_usage_entries]}")
        total_requests += usage.requests
        total_tokens += usage.total_tokens
    print(f"两轮合计：requests={total_requests} total_tokens={total_tokens}")


if __name__ == "__main__":
    asyncio.run(main())
