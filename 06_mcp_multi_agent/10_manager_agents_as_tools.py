"""Manager 模式（Agents as Tools）：前台客服把订票、退款专家当工具调用，始终自己回答用户。

`specialist.as_tool(tool_name=..., tool_description=...)` 把一个 Agent 包成函数工具。经理调用
这个工具时，SDK 用工具参数里的 `input` 作为输入，为专家**单独跑一次 Runner.run**（独立的
对话历史、独立的轮次），跑完把结果变成字符串交还给经理。控制权始终在经理手里。

本课能看到的三件事：
1. 工具名必须是 ASCII：课程原文的 `tool_name="订票专家"`，SDK 本地不检查，OpenAI 接口会以
   400 拒绝（只允许 `^[a-zA-Z0-9_-]+$`）。中文写在 tool_description 里。
2. `custom_output_extractor`：决定专家的哪部分结果交给经理。原文的提取器读
   `result.new_items[-1].content`，但 RunItem 没有 `.content`；真实写法见 refund_summary()。
3. 每次工具调用都是专家的一次独立运行：专家身上的 AgentHooks 每次都触发 on_start，
   而外层 Runner.run(hooks=...) 的 RunHooks 只看到经理自己（嵌套运行不继承外层 hooks）。
   模型调用也这样数：外层 RunHooks 的 on_llm_start 数经理的，专家的 AgentHooks 数专家的，
   最后和 `result.context_wrapper.usage.requests` 对一对——嵌套运行的用量是不是记在同一个 usage 里，由这次运行说了算。

运行: python 06_mcp_multi_agent/10_manager_agents_as_tools.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    课程原文的工具名 '订票专家' 合法吗？False → OpenAI 会返回 400；本课用 'booking_expert'、'refund_expert'
    用户：帮我订票：两张明天去上海的机票，经济舱；另外订单 A1001 我要退款，因为耳机有杂音
    [外层 RunHooks] on_agent_start：Customer-facing agent
    [专家 AgentHooks] Booking agent 开始一次独立的 run（第 1 次）
    [专家 AgentHooks] Refund agent 开始一次独立的 run（第 1 次）
    [custom_output_extractor] 专家 Refund agent 的结构化结果 → 交给经理一句话
    经理调用的工具：booking_expert、refund_expert
    最终回答（经理说的）：
    好的，我来帮您处理订票。...
    【退款专家】订单 A1001，原因：耳机有杂音。...
    说话的始终是：Customer-facing agent（result.last_agent）
    hooks 数到的模型调用：经理 2 次 + Booking agent 1 次 + Refund agent 1 次 = 4 次
    usage.requests = 4：和 hooks 数到的一样，嵌套运行的用量记在同一个 usage 里
    专家运行次数：Booking agent 1 次，Refund agent 1 次
"""

import asyncio
import re
from collections import Counter

from agents import (
    Agent,
    AgentHooks,
    ItemHelpers,
    MessageOutputItem,
    RunHooks,
    Runner,
    RunResult,
)
from agents.items import ToolCallItem
from pydantic import BaseModel

from shared.factory import get_chat_model, print_provider

TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")  # OpenAI 对函数名的要求


class RefundDecision(BaseModel):
    order_id: str
    reason: str
    summary: str


class SpecialistRuns(AgentHooks):
    """挂在专家 Agent 上：不管谁、在哪次运行里启动了它，都会触发。"""

    def __init__(self) -> None:
        self.count: Counter[str] = Counter()
        self.llm_calls: Counter[str] = Counter()

    async def on_start(self, context, agent) -> None:
        self.count[agent.name] += 1
        print(f"[专家 AgentHooks] {agent.name} 开始一次独立的 run（第 {self.count[agent.name]} 次）")

    async def on_llm_start(self, context, agent, system_prompt, input_items) -> None:
        self.llm_calls[agent.name] += 1


class OuterRun(RunHooks):
    """传给外层 Runner.run(hooks=...)：只管这一次运行里启动的 Agent（数它们的模型调用）。"""

    def __init__(self) -> None:
        self.llm_calls: Counter[str] = Counter()

    async def on_agent_start(self, context, agent) -> None:
        print(f"[外层 RunHooks] on_agent_start：{agent.name}")

    async def on_llm_start(self, context, agent, system_prompt, input_items) -> None:
        self.llm_calls[agent.name] += 1


async def refund_summary(result: RunResult) -> str:
    """custom_output_extractor：参数是专家那次运行的 RunResult，返回交给经理的字符串。"""
    decision = result.final_output
    if isinstance(decision, RefundDecision):
        print(f"[custom_output_extractor] 专家 {result.last_agent.name} 的结构化结果 → 交给经理一句话")
        return f"【退款专家】订单 {decision.order_id}，原因：{decision.reason}。{decision.summary}"
    # 兜底：最后一条消息的文字。RunItem 没有 .content（课程原文的写法会 AttributeError）。
    for item in reversed(result.new_items):
        if isinstance(item, MessageOutputItem):
            return ItemHelpers.text_message_output(item)
    return str(decision)


async def main() -> None:
    print_provider()
    print(f"课程原文的工具名 '订票专家' 合法吗？{bool(TOOL_NAME.match('订票专家'))} → OpenAI 会返回 400；"
          "本课用 'booking_expert'、'refund_expert'")

    model = get_chat_model()
    hooks = SpecialistRuns()
    booking_agent = Agent(name="Booking agent", model=model, hooks=hooks,
                          instructions="你负责订票：需要用户提供日期、人数、舱位。")
    refund_agent = Agent(name="Refund agent", model=model, hooks=hooks,
                         instructions="你负责退款：需要用户提供订单号、原因，并解释规则。",
                         output_type=RefundDecision)
    customer_facing_agent = Agent(
        name="Customer-facing agent",
        instructions="处理所有与用户的直接沟通。当需要专门知识时，调用相关工具。",
        model=model,
        tools=[
            booking_agent.as_tool(
                tool_name="booking_expert",
                tool_description="订票专家：处理所有预订请求（机票、酒店）。",
            ),
            refund_agent.as_tool(
                tool_name="refund_expert",
                tool_description="退款专家：处理所有退款请求（需要订单号和原因）。",
                custom_output_extractor=refund_summary,
            ),
        ],
    )

    question = "帮我订票：两张明天去上海的机票，经济舱；另外订单 A1001 我要退款，因为耳机有杂音"
    print(f"\n用户：{question}")
    outer = OuterRun()
    result = await Runner.run(customer_facing_agent, question, hooks=outer)

    calls = [i.raw_item.name for i in result.new_items if isinstance(i, ToolCallItem)]
    print(f"经理调用的工具：{'、'.join(calls)}")
    print(f"最终回答（经理说的）：\n{result.final_output}")
    print(f"说话的始终是：{result.last_agent.name}（result.last_agent）")
    counted = {**{"经理" if name == customer_facing_agent.name else name: n
                  for name, n in outer.llm_calls.items()}, **hooks.llm_calls}
    total = sum(counted.values())
    print("hooks 数到的模型调用：" + " + ".join(f"{name} {n} 次" for name, n in counted.items()) + f" = {total} 次")
    requests = result.context_wrapper.usage.requests
    verdict = ("和 hooks 数到的一样，嵌套运行的用量记在同一个 usage 里" if requests == total
               else f"和 hooks 数到的 {total} 次不一样：usage 只记了其中一部分")
    print(f"usage.requests = {requests}：{verdict}")
    print("专家运行次数：" + "，".join(f"{name} {n} 次" for name, n in hooks.count.items()))


if __name__ == "__main__":
    asyncio.run(main())
