"""同一个客户请求，分别走 Manager 模式和 Handoff 模式：谁在说话、调了几次模型、用了多少 token。

课程列了两种模式的优缺点（“Manager 增加了一层调用开销”“Handoff 用户可能感知到换人”），这里量出来：
- 模型调用次数和 token 来自 `result.context_wrapper.usage`（requests / input_tokens / output_tokens）；
  as_tool 的嵌套运行共用同一个 usage，所以 Manager 的数字已经包含专家那次运行。
- `usage.request_usage_entries` 是逐次调用的明细，能看出多出来的那次花在哪。

内置模拟模型的 token 数是按字数估算的，只能比较相对大小；换成真实模型再跑一次，结论一样。

运行: python 06_mcp_multi_agent/15_manager_vs_handoff.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    客户请求：我要退款，订单号 A1001，因为耳机有杂音
    【Manager（as_tool）】参与：Customer-facing agent → Refund agent；对用户说话的：Customer-facing agent
    回答：好的，我来帮您处理退款。...
    【Handoff】参与：Triage agent → Refund agent；对用户说话的：Refund agent
    回答：好的，我来帮您处理退款。...
    | 模式 | 模型调用 | 输入 tokens | 输出 tokens | 合计 |
    | Manager（as_tool） | 3 | ... |
    | Handoff | 2 | ... |
    逐次调用（输入+输出）：
    Manager（as_tool）：...
    Handoff：...
    Manager 多 1 次模型调用、多 ... 个 token：经理先决定调专家，拿到专家的回答后还要自己再说一遍。
"""

import asyncio

from agents import Agent, RunHooks, Runner

from shared.factory import get_chat_model, print_provider

REQUEST = "我要退款，订单号 A1001，因为耳机有杂音"


class WhoRan(RunHooks):
    def __init__(self) -> None:
        self.agents: list[str] = []

    async def on_agent_start(self, context, agent) -> None:
        self.agents.append(agent.name)


def specialists(model) -> tuple[Agent, Agent]:
    booking = Agent(name="Booking agent", model=model,
                    instructions="你负责订票：需要用户提供日期、人数、舱位。")
    refund = Agent(name="Refund agent", model=model,
                   instructions="你负责退款：需要用户提供订单号、原因，并解释规则。")
    return booking, refund


async def run_manager(model) -> tuple:
    booking, refund = specialists(model)
    who = WhoRan()
    manager = Agent(
        name="Customer-facing agent", model=model,
        instructions="处理所有与用户的直接沟通。当需要专门知识时，调用相关工具。",
        tools=[
            booking.as_tool(tool_name="booking_expert", tool_description="订票专家：处理所有预订请求。",
                            hooks=who),
            refund.as_tool(tool_name="refund_expert", tool_description="退款专家：处理所有退款请求。",
                           hooks=who),
        ],
    )
    return await Runner.run(manager, REQUEST, hooks=who), who.agents


async def run_handoff(model) -> tuple:
    booking, refund = specialists(model)
    who = WhoRan()
    triage = Agent(
        name="Triage agent", model=model, handoffs=[booking, refund],
        instructions=("你负责分流。如果用户问订票 -> 交接给 booking_agent。"
                      "如果用户问退款 -> 交接给 refund_agent。"),
    )
    return await Runner.run(triage, REQUEST, hooks=who), who.agents


async def main() -> None:
    print_provider()
    model = get_chat_model()
    print(f"客户请求：{REQUEST}")
    rows = []
    for label, run in (("Manager（as_tool）", run_manager), ("Handoff", run_handoff)):
        result, agents = await run(model)
        print(f"\n【{label}】参与：{' → '.join(agents)}；对用户说话的：{result.last_agent.name}")
        print(f"回答：{result.final_output}")
        rows.append((label, result.context_wrapper.usage))

    print("\n| 模式 | 模型调用 | 输入 tokens | 输出 tokens | 合计 |")
    print("|---|---|---|---|---|")
    for label, u in rows:
        print(f"| {label} | {u.requests} | {u.input_tokens} | {u.output_tokens} | {u.total_tokens} |")
    print("\n逐次调用（输入+输出）：")
    for label, usage in rows:
        steps = "，".join(f"{e.input_tokens}+{e.output_tokens}" for e in usage.request_usage_entries)
        print(f"  {label}：{steps}")

    (_, manager), (_, handoff) = rows
    extra_calls, extra_tokens = manager.requests - handoff.requests, manager.total_tokens - handoff.total_tokens
    if extra_calls > 0:
        print(f"\nManager 多 {extra_calls} 次模型调用、多 {extra_tokens} 个 token："
              "经理先决定调专家，拿到专家的回答后还要自己再说一遍。")
        print("Handoff 更省，但对用户说话的换成了专家：话术统一、二次加工就要靠各个专家自己。")
    else:
        print(f"\n这次 Manager 没有多用模型调用（相差 {extra_calls} 次、{extra_tokens} 个 token）：经理没有先调专家再转述。")


if __name__ == "__main__":
    asyncio.run(main())
