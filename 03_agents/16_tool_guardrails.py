"""工具护栏（tool guardrails）：在工具执行前检查参数、执行后检查结果。

上一课的护栏管的是整轮对话的入口和出口；工具护栏挂在单个 `@function_tool` 上，每次调用都检查：
- `tool_input_guardrails`：工具执行**前**看模型给的参数（`data.context.tool_arguments`）；
- `tool_output_guardrails`：工具执行**后**看结果（`data.output`），在模型看到它之前。

护栏函数返回 `ToolGuardrailFunctionOutput` 的三种行为之一：
- `allow()`：照常；
- `reject_content(message)`：这次调用（或这次结果）不交给模型，换成 `message`，**运行继续**，
  模型读到这句话再组织回答——用来拒绝超限的请求，也可以用来把结果打码后再给模型；
- `raise_exception()`：抛 `ToolInputGuardrailTripwireTriggered` / `ToolOutputGuardrailTripwireTriggered`，
  **整轮运行停止**——用在“宁可不答也不能继续”的情况。

运行: python 03_agents/16_tool_guardrails.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    === 订单A1001退款200元 ===
    工具调用: issue_refund {"order_id": "A1001", "amount": 200.0}
    工具输入护栏 refund_limit: allow
    模型看到的工具结果: 已为订单 A1001 退款 200 元
    回答: ...
    === 订单A1001退款8000元 ===
    工具调用: issue_refund {"order_id": "A1001", "amount": 8000.0}
    工具输入护栏 refund_limit: reject_content（工具没有执行）
    模型看到的工具结果: 单笔退款超过 5000 元，不能自动办理，已转人工复核。
    回答: ...
    === 订单123456退款100元 ===
    ToolInputGuardrailTripwireTriggered：护栏 order_id_format 停止了运行，参数 {"order_id": "123456", "amount": 100.0}
    退款工具实际执行次数: 1
    === 查一下订单 A1001 的收货信息 ===
    工具调用: get_receiver_info {"order_id": "A1001"}
    工具输出护栏 mask_phone: reject_content（结果打码后才给模型）
    模型看到的工具结果: {"order_id": "A1001", "收货人": "张三", "电话": "138****5678", "地址": "武汉市洪山区"}
    回答: ...
    === 查一下订单 A1002 的收货信息 ===
    ToolOutputGuardrailTripwireTriggered：护栏 block_id_number 停止了运行（结果里有身份证号）
"""

from __future__ import annotations

import asyncio
import json
import re

from agents import (
    Agent,
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    ToolGuardrailFunctionOutput,
    ToolInputGuardrailData,
    ToolInputGuardrailTripwireTriggered,
    ToolOutputGuardrailData,
    ToolOutputGuardrailTripwireTriggered,
    function_tool,
    tool_input_guardrail,
    tool_output_guardrail,
)

from shared.factory import get_chat_model, print_provider

REFUND_LIMIT = 5000
ORDER_ID = re.compile(r"^[A-Z]\d{4}$")  # 本店的订单号：一个大写字母 + 4 位数字
PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
RECEIVERS = {
    "A1001": {"order_id": "A1001", "收货人": "张三", "电话": "13812345678", "地址": "武汉市洪山区"},
    # 一条录入出错的数据：身份证号被写进了备注。这种结果宁可整轮停下，也不能让模型看到。
    "A1002": {"order_id": "A1002", "收货人": "李四", "电话": "13987654321",
              "备注": "身份证 420102199001011234"},
}
refunds_executed: list[str] = []


@tool_input_guardrail
def refund_limit(data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
    """超过单笔上限：不执行，告诉模型已转人工，让它继续和用户说明。"""
    args = json.loads(data.context.tool_arguments or "{}")
    if float(args.get("amount", 0)) > REFUND_LIMIT:
        return ToolGuardrailFunctionOutput.reject_content(
            f"单笔退款超过 {REFUND_LIMIT} 元，不能自动办理，已转人工复核。", output_info=args
        )
    return ToolGuardrailFunctionOutput.allow(output_info=args)


@tool_input_guardrail
def order_id_format(data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
    """订单号不是本店格式：可能是模型编的，也可能是注入。直接停止整轮运行。"""
    args = json.loads(data.context.tool_arguments or "{}")
    if not ORDER_ID.match(str(args.get("order_id", ""))):
        return ToolGuardrailFunctionOutput.raise_exception(output_info=args)
    return ToolGuardrailFunctionOutput.allow()


@function_tool(tool_input_guardrails=[order_id_format, refund_limit])
def issue_refund(order_id: str, amount: float) -> str:
    """给订单办理退款，原路退回。

    Args:
        order_id: 订单号，例如 A1001
        amount: 退款金额（元）
    """
    refunds_executed.append(order_id)
    return f"已为订单 {order_id} 退款 {amount:g} 元"


@tool_output_guardrail
def block_id_number(data: ToolOutputGuardrailData) -> ToolGuardrailFunctionOutput:
    """结果里出现身份证号：整轮停止（先于打码检查，见 tool_output_guardrails 的顺序）。"""
    if ID_NUMBER.search(str(data.output)):
        return ToolGuardrailFunctionOutput.raise_exception(output_info="身份证号")
    return ToolGuardrailFunctionOutput.allow()


@tool_output_guardrail
def mask_phone(data: ToolOutputGuardrailData) -> ToolGuardrailFunctionOutput:
    """结果里有手机号：把打码后的结果交给模型，原始结果留在你的系统里。"""
    text = str(data.output)
    if PHONE.search(text):
        return ToolGuardrailFunctionOutput.reject_content(PHONE.sub(r"\1****\2", text))
    return ToolGuardrailFunctionOutput.allow()


@function_tool(tool_output_guardrails=[block_id_number, mask_phone])
def get_receiver_info(order_id: str) -> str:
    """查询订单的收货信息（收货人、电话、地址）。

    Args:
        order_id: 订单号，例如 A1001
    """
    return json.dumps(RECEIVERS.get(order_id, {"error": "没有这个订单"}), ensure_ascii=False)


async def ask(agent: Agent, question: str) -> None:
    print(f"=== {question} ===")
    try:
        result = await Runner.run(agent, question)
    except ToolInputGuardrailTripwireTriggered as exc:
        args = json.dumps(exc.output.output_info, ensure_ascii=False)
        print(f"ToolInputGuardrailTripwireTriggered：护栏 {exc.guardrail.get_name()} 停止了运行，参数 {args}")
        print(f"退款工具实际执行次数: {len(refunds_executed)}")
        return
    except ToolOutputGuardrailTripwireTriggered as exc:
        print(f"ToolOutputGuardrailTripwireTriggered：护栏 {exc.guardrail.get_name()} 停止了运行"
              f"（结果里有{exc.output.output_info}）")
        return
    for item in result.new_items:
        if isinstance(item, ToolCallItem):
            print(f"工具调用: {item.raw_item.name} {item.raw_item.arguments}")
            for checked in result.tool_input_guardrail_results:
                behavior = checked.output.behavior["type"]
                if checked.guardrail.get_name() == "refund_limit":
                    note = "（工具没有执行）" if behavior == "reject_content" else ""
                    print(f"工具输入护栏 refund_limit: {behavior}{note}")
            for checked in result.tool_output_guardrail_results:
                behavior = checked.output.behavior["type"]
                if behavior != "allow":
                    print(f"工具输出护栏 {checked.guardrail.get_name()}: {behavior}（结果打码后才给模型）")
        elif isinstance(item, ToolCallOutputItem):
            print(f"模型看到的工具结果: {item.output}")
    print(f"回答: {result.final_output}")


async def main() -> None:
    print_provider()
    refund_agent = Agent(
        name="退款专员",
        instructions="你是电商售后客服，用 issue_refund 为用户办理退款。",
        model=get_chat_model(),
        tools=[issue_refund],
    )
    for question in ["订单A1001退款200元", "订单A1001退款8000元", "订单123456退款100元"]:
        await ask(refund_agent, question)

    lookup_agent = Agent(
        name="订单查询",
        instructions="你是电商客服，用 get_receiver_info 查询订单的收货信息。",
        model=get_chat_model(),
        tools=[get_receiver_info],
    )
    for question in ["查一下订单 A1001 的收货信息", "查一下订单 A1002 的收货信息"]:
        await ask(lookup_agent, question)


if __name__ == "__main__":
    asyncio.run(main())
