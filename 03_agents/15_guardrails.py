"""输入 / 输出护栏（guardrails）：审核 Agent 给出结构化判定，越界就拉响绊线（tripwire）。

客服 Agent 只该处理店里的事，也不该把顾客的完整手机号说出去。护栏就是挂在 Agent 上的检查：
- **输入护栏**（`@input_guardrail`）检查用户输入。这里让一个小的“相关性审核”Agent 读用户的话，
  `output_type=ScopeVerdict` 给出结构化判定（属于哪类业务 + 理由），护栏函数据此返回
  `GuardrailFunctionOutput(tripwire_triggered=...)`。绊线一响，Runner 抛 `InputGuardrailTripwireTriggered`。
- **输出护栏**（`@output_guardrail`）检查最终回答：含完整手机号就抛 `OutputGuardrailTripwireTriggered`。
  被拦下的回答不会交给用户，由你的代码换成一句安全的话。

输入护栏默认与主 Agent **并行**（`run_in_parallel=True`）：正常请求不多等，但绊线响之前主 Agent 已经
开始调用模型（白花 token；它若已经调了工具，副作用可能已经发生）；`run_in_parallel=False` 先审后答：被拦的请求
主 Agent 一次模型都不调，正常请求多等一次审核。最后一段两种方式各跑一遍，打印实测耗时和主 Agent 的模型调用次数。

运行: python 03_agents/15_guardrails.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    === 问：我的订单 A1001 到哪了？ ===
    相关性审核：topic=订单 → 放行
    工具调用: track_shipment {"order_id": "A1001"}
    回答：...
    === 问：帮我写一首关于春天的诗 ===
    相关性审核：topic=无关 → 拉响绊线
    InputGuardrailTripwireTriggered：护栏 relevance_check 拦下了输入
    回复用户：抱歉，我只能处理订单、物流、退款和商品相关的问题。
    === 问：订单 A1001 的收货电话是多少？ ===
    相关性审核：topic=订单 → 放行
    工具调用: get_order_contact {"order_id": "A1001"}
    OutputGuardrailTripwireTriggered：护栏 no_phone_number 拦下了回答（发现手机号 138****5678）
    回复用户：出于隐私保护，不能在对话里提供完整手机号。
    === 并行 vs 阻塞：同一个护栏，两种时机 ===
    并行 run_in_parallel=True   正常问题：耗时 ... ms（审核 ... ms），主 Agent 调用模型 2 次
    并行 run_in_parallel=True   无关问题：耗时 ... ms（审核 ... ms），主 Agent 调用模型 1 次 → 被拦下
    阻塞 run_in_parallel=False  正常问题：耗时 ... ms（审核 ... ms），主 Agent 调用模型 2 次
    阻塞 run_in_parallel=False  无关问题：耗时 ... ms（审核 ... ms），主 Agent 调用模型 0 次 → 被拦下
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import time
from typing import Any, Literal

from agents import (
    Agent,
    GuardrailFunctionOutput,
    InputGuardrailResult,
    InputGuardrailTripwireTriggered,
    OutputGuardrailTripwireTriggered,
    RunContextWrapper,
    RunHooks,
    Runner,
    ToolCallItem,
    TResponseInputItem,
    function_tool,
    input_guardrail,
    output_guardrail,
)
from pydantic import BaseModel, Field

from shared.factory import get_chat_model, print_provider

PHONE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
OUT_OF_SCOPE_REPLY = "抱歉，我只能处理订单、物流、退款和商品相关的问题。"
PRIVACY_REPLY = "出于隐私保护，不能在对话里提供完整手机号。"


class ScopeVerdict(BaseModel):
    """审核 Agent 的结构化判定：比一个裸的 True/False 多说明了“属于哪类”，方便审计和分流。"""

    topic: Literal["无关", "订单", "物流", "退款", "商品"] = Field(
        description="用户消息属于哪类电商客服业务；与电商客服无关时为“无关”"
    )
    reasoning: str = Field(description="一句话说明判断依据")


def scope_checker() -> Agent[Any]:
    return Agent(
        name="相关性审核",
        instructions=(
            "你是电商客服的入口审核员。判断用户消息属于订单、物流、退款、商品中的哪一类；"
            "写诗、闲聊、编程、作业等与电商客服无关的消息判为“无关”。"
        ),
        model=get_chat_model(),
        output_type=ScopeVerdict,
    )


@input_guardrail(name="relevance_check")
async def relevance_check(
    ctx: RunContextWrapper[Any], agent: Agent[Any], user_input: str | list[TResponseInputItem]
) -> GuardrailFunctionOutput:
    """让审核 Agent 下判定；与客服无关就拉响绊线。判定对象放进 output_info，异常里拿得到。"""
    start = time.perf_counter()
    result = await Runner.run(scope_checker(), user_input, context=ctx.context)
    verdict = result.final_output_as(ScopeVerdict)
    if isinstance(ctx.context, dict):
        ctx.context["guardrail_ms"] = (time.perf_counter() - start) * 1000
    return GuardrailFunctionOutput(output_info=verdict, tripwire_triggered=verdict.topic == "无关")


@output_guardrail(name="no_phone_number")
async def no_phone_number(
    ctx: RunContextWrapper[Any], agent: Agent[Any], output: Any
) -> GuardrailFunctionOutput:
    """最终回答里出现完整的手机号就拦下。纯规则，不用再问一次模型。"""
    found = PHONE.search(str(output))
    masked = f"{found.group(1)}****{found.group(3)}" if found else None
    return GuardrailFunctionOutput(output_info={"phone": masked}, tripwire_triggered=found is not None)


@function_tool
def track_shipment(order_id: str) -> str:
    """查询订单的物流轨迹（包裹现在到哪了）。

    Args:
        order_id: 订单号，例如 A1001
    """
    return json.dumps({"order_id": order_id, "物流": "已到达武汉转运中心，预计明天送达"}, ensure_ascii=False)


@function_tool
def get_order_contact(order_id: str) -> str:
    """查询订单的收货人姓名和联系电话。

    Args:
        order_id: 订单号，例如 A1001
    """
    return json.dumps({"order_id": order_id, "收货人": "张三", "电话": "13812345678"}, ensure_ascii=False)


class CountLLMCalls(RunHooks):
    """数主 Agent 调了几次模型（RunHooks 见 19 课）。护栏里的审核 Agent 是另一次运行，不算在内。"""

    def __init__(self) -> None:
        self.calls = 0

    async def on_llm_start(self, context, agent, system_prompt, input_items) -> None:  # noqa: ANN001
        self.calls += 1


def show_verdict(results: list[InputGuardrailResult]) -> None:
    for guardrail_result in results:
        verdict = guardrail_result.output.output_info
        if isinstance(verdict, ScopeVerdict):
            action = "拉响绊线" if guardrail_result.output.tripwire_triggered else "放行"
            print(f"相关性审核：topic={verdict.topic} → {action}")
            print(f"  理由：{verdict.reasoning}")


async def ask(agent: Agent[Any], question: str) -> None:
    print(f"=== 问：{question} ===")
    try:
        result = await Runner.run(agent, question, context={})
    except InputGuardrailTripwireTriggered as exc:
        show_verdict([exc.guardrail_result])
        print(f"InputGuardrailTripwireTriggered：护栏 {exc.guardrail_result.guardrail.get_name()} 拦下了输入")
        print(f"回复用户：{OUT_OF_SCOPE_REPLY}")
        return
    except OutputGuardrailTripwireTriggered as exc:
        show_verdict(exc.run_data.input_guardrail_results if exc.run_data else [])
        for item in exc.run_data.new_items if exc.run_data else []:
            if isinstance(item, ToolCallItem):
                print(f"工具调用: {item.raw_item.name} {item.raw_item.arguments}")
        phone = exc.guardrail_result.output.output_info["phone"]
        print(f"OutputGuardrailTripwireTriggered：护栏 {exc.guardrail_result.guardrail.get_name()} "
              f"拦下了回答（发现手机号 {phone}）")
        print(f"回复用户：{PRIVACY_REPLY}")
        return
    show_verdict(result.input_guardrail_results)
    for item in result.new_items:
        if isinstance(item, ToolCallItem):
            print(f"工具调用: {item.raw_item.name} {item.raw_item.arguments}")
    print(f"回答：{result.final_output}")


async def timed(agent: Agent[Any], question: str) -> str:
    hooks = CountLLMCalls()
    context: dict[str, float] = {}
    start = time.perf_counter()
    try:
        await Runner.run(agent, question, context=context, hooks=hooks)
        outcome = ""
    except InputGuardrailTripwireTriggered:
        outcome = " → 被拦下"
    elapsed = (time.perf_counter() - start) * 1000
    return (f"耗时 {elapsed:.0f} ms（审核 {context.get('guardrail_ms', 0):.0f} ms），"
            f"主 Agent 调用模型 {hooks.calls} 次{outcome}")


async def main() -> None:
    print_provider()
    agent = Agent(
        name="客服助手",
        instructions="你是电商客服，用工具查询订单物流和收货信息。",
        model=get_chat_model(),
        tools=[track_shipment, get_order_contact],
        input_guardrails=[relevance_check],
        output_guardrails=[no_phone_number],
    )
    for question in ["我的订单 A1001 到哪了？", "帮我写一首关于春天的诗", "订单 A1001 的收货电话是多少？"]:
        await ask(agent, question)

    print("=== 并行 vs 阻塞：同一个护栏，两种时机 ===")
    blocking = dataclasses.replace(relevance_check, run_in_parallel=False)
    for label, guardrail in [("并行 run_in_parallel=True ", relevance_check),
                             ("阻塞 run_in_parallel=False", blocking)]:
        variant = agent.clone(input_guardrails=[guardrail], output_guardrails=[])
        for kind, question in [("正常问题", "我的订单 A1001 到哪了？"), ("无关问题", "帮我写一首关于春天的诗")]:
            print(f"{label}  {kind}：{await timed(variant, question)}")


if __name__ == "__main__":
    asyncio.run(main())
