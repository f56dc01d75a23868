"""交接时传什么：`handoff(...)` 的 on_handoff、input_type 和 input_filter。

课程时序图（场景五）里交接要“收集切换原因和参数、整理对话历史”。SDK 里对应 `handoff()` 的三个参数：

- `input_type`：一个 pydantic 模型。模型调用 transfer_to_... 时必须按它的 schema 填参数
  （这里是订单号和原因），SDK 校验后交给 on_handoff。它不会改变专家看到的对话。
- `on_handoff(ctx, data)`：交接发生时执行。适合记日志、预先查数据、把参数放进 `ctx.context`
  —— 专家的动态 instructions 再从 context 里读出来，这就是“上下文传递”。
- `input_filter(HandoffInputData) -> HandoffInputData`：决定专家看到哪些历史。这里先用 SDK 自带的
  `handoff_filters.remove_all_tools` 去掉之前的工具调用，再只留最近 3 条消息。

运行: python 06_mcp_multi_agent/13_handoff_input.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    第1轮 用户：武汉天气怎么样？
    回答（Triage agent）：武汉：小雨，24℃
    第2轮 用户：你好
    第3轮 用户：订单 A1001 要退款，因为耳机有杂音
    transfer_to_refund_agent 的参数 schema：['order_id', 'reason']
    [on_handoff] 收到交接参数：order_id=A1001，reason=耳机有杂音（已放进 ctx.context）
    [input_filter] 交接前历史 ... 条（含工具调用 2 条）→ 交给专家 3 条：user, assistant, user
    [Refund agent 的 instructions] ...当前工单：订单 A1001，原因：耳机有杂音...
    回答（Refund agent）：好的，我来帮您处理退款。需要的信息都齐了：订单号 A1001、原因 耳机有杂音。不过我这里没有可以直接办理的工具，还没有替您提交任何申请。
"""

import asyncio
from dataclasses import dataclass, field

from agents import (
    Agent,
    HandoffInputData,
    RunContextWrapper,
    Runner,
    function_tool,
    handoff,
)
from agents.extensions import handoff_filters
from pydantic import BaseModel, Field

from shared.factory import get_chat_model, print_provider

KEEP_LAST = 3


class RefundRequest(BaseModel):
    """交接给退款专家时必须带上的参数。"""

    order_id: str = Field(description="要退款的订单号")
    reason: str = Field(description="退款原因")


@dataclass
class SupportContext:
    refund: RefundRequest | None = None
    log: list[str] = field(default_factory=list)


@function_tool
def get_weather(city: str) -> str:
    """查询城市天气。"""
    return f"{city}：小雨，24℃"


async def on_refund_handoff(ctx: RunContextWrapper[SupportContext], data: RefundRequest) -> None:
    ctx.context.refund = data  # 专家的 instructions 会读到它
    print(f"[on_handoff] 收到交接参数：order_id={data.order_id}，reason={data.reason}（已放进 ctx.context）")


def recent_messages_only(data: HandoffInputData) -> HandoffInputData:
    """先去掉工具调用，再只保留最近 KEEP_LAST 条；专家不需要看之前查天气的细节。"""
    history = data.input_history if isinstance(data.input_history, tuple) else ()
    tool_items = sum(1 for item in history if item.get("type") in ("function_call", "function_call_output"))
    cleaned = handoff_filters.remove_all_tools(data)
    kept = tuple(cleaned.input_history)[-KEEP_LAST:]
    roles = ", ".join(str(item.get("role", item.get("type"))) for item in kept)
    print(f"[input_filter] 交接前历史 {len(history)} 条（含工具调用 {tool_items} 条）"
          f"→ 交给专家 {len(kept)} 条：{roles}")
    return cleaned.clone(input_history=kept)


def refund_instructions(ctx: RunContextWrapper[SupportContext], agent: Agent) -> str:
    text = "你负责退款：需要用户提供订单号、原因，并解释规则。"
    if ctx.context.refund:
        r = ctx.context.refund
        text += f"当前工单：订单 {r.order_id}，原因：{r.reason}。"
    print(f"[Refund agent 的 instructions] {text}")
    return text


async def main() -> None:
    print_provider()
    model = get_chat_model()
    refund_agent = Agent(name="Refund agent", model=model, instructions=refund_instructions)
    to_refund = handoff(
        refund_agent,
        on_handoff=on_refund_handoff,
        input_type=RefundRequest,
        input_filter=recent_messages_only,
    )
    triage = Agent(
        name="Triage agent", model=model, tools=[get_weather], handoffs=[to_refund],
        instructions="你负责分流。如果用户问退款 -> 交接给 refund_agent。其他问题你自己用工具回答。",
    )

    context = SupportContext()
    history: list = []
    for n, text in enumerate(["武汉天气怎么样？", "你好", "订单 A1001 要退款，因为耳机有杂音"], 1):
        print(f"\n第{n}轮 用户：{text}")
        if n == 3:
            print(f"transfer_to_refund_agent 的参数 schema：{list(to_refund.input_json_schema['properties'])}")
        result = await Runner.run(triage, history + [{"role": "user", "content": text}],
                                  context=context)
        history = result.to_input_list()  # 下一轮带上完整历史（含工具调用）
        print(f"回答（{result.last_agent.name}）：{result.final_output}")


if __name__ == "__main__":
    asyncio.run(main())
