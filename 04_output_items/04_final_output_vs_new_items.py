"""为什么 `final_output` 只是最后一条消息：工具做过的事，只记录在 `new_items` 里。

客服 Agent 有两个工具（查订单、查物流）。用户一句话，模型并行调用了两个工具，再据结果作答。
`final_output` 是给用户看的最终回复（对话层的投影）；调用了哪些工具、参数是什么、
工具原样返回了什么，只有 `new_items`（执行层的记录）里有。本课把两者并排打印，再看两个常用帮手：
`ItemHelpers.text_message_outputs()` 只拼接消息文字；`result.to_input_list()` 是下一轮要带上的完整历史。

运行: python 04_output_items/04_final_output_vs_new_items.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    用户：订单 A1001 到哪了，顺便查下物流
    == final_output（类型 str）：
    订单 A1001：蓝牙耳机 ×1，¥199，已发货（顺丰）
    订单 A1001：已到达武汉转运中心，预计明天送达
    == new_items（共 5 条）：
    #  输出项类            call_id（调用与结果靠它配对）  要点
    1  ToolCallItem        call_...  调用 query_order {"order_id": "A1001"}
    2  ToolCallItem        call_...  调用 track_shipment {"order_id": "A1001"}
    3  ToolCallOutputItem  call_...  工具返回 订单 A1001：蓝牙耳机 ×1，¥199，已发货（顺丰）
    4  ToolCallOutputItem  call_...  工具返回 订单 A1001：已到达武汉转运中心，预计明天送达
    5  MessageOutputItem   -                              消息 订单 A1001：蓝牙耳机 ×1，¥199，已发货（顺丰） ↵ 订单 A1001：已到达武汉转运中心，预计明天送达
    final_output 看不到的：调用了 2 次工具（query_order、track_shipment），工具原样返回了 2 条结果
    == ItemHelpers.text_message_outputs(result.new_items)：只拼接 1 条消息的文字
    订单 A1001：蓝牙耳机 ×1，¥199，已发货（顺丰）
    订单 A1001：已到达武汉转运中心，预计明天送达
    和 final_output 相同：True
    == result.to_input_list()：6 条 = 1 条本轮输入 + 5 条 new_items
    message → function_call → function_call → function_call_output → function_call_output → message
提供方预期输出（deepseek、siliconflow）:
    == new_items（共 7 条）：
    1  ReasoningItem       -                              reasoning_item
    2  ToolCallItem        call_...  调用 query_order {"order_id": "A1001"}
    3  ToolCallItem        call_...  调用 track_shipment {"order_id": "A1001"}
    6  ReasoningItem       -                              reasoning_item
    7  MessageOutputItem   -                              消息 订单 A1001：蓝牙耳机 ×1，¥199，已发货（顺丰） ↵ 订单 A1001：已到达武汉转运中心，预计明天送达
    final_output 看不到的：调用了 2 次工具（query_order、track_shipment），工具原样返回了 2 条结果
    和 final_output 相同：True
    == result.to_input_list()：8 条 = 1 条本轮输入 + 7 条 new_items
    message → reasoning → function_call → function_call → function_call_output → function_call_output → reasoning → message
"""

from __future__ import annotations

import asyncio
import unicodedata

from agents import (
    Agent,
    ItemHelpers,
    MessageOutputItem,
    RunItem,
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    function_tool,
)

from shared.factory import get_chat_model, print_provider


@function_tool
def query_order(order_id: str) -> str:
    """查询订单详情：商品、金额、订单状态。

    Args:
        order_id: 订单号，例如 A1001
    """
    return f"订单 {order_id}：蓝牙耳机 ×1，¥199，已发货（顺丰）"


@function_tool
def track_shipment(order_id: str) -> str:
    """查询包裹的物流轨迹。

    Args:
        order_id: 订单号，例如 A1001
    """
    return f"订单 {order_id}：已到达武汉转运中心，预计明天送达"


def cell(text: str, width: int) -> str:
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 1)


def describe(item: RunItem) -> str:
    if isinstance(item, ToolCallItem):
        return f"调用 {item.raw_item.name} {item.raw_item.arguments}"
    if isinstance(item, ToolCallOutputItem):
        return f"工具返回 {item.output}"
    if isinstance(item, MessageOutputItem):
        # 多行消息在表格里压成一行，↵ 表示原文的换行。
        return "消息 " + ItemHelpers.text_message_output(item).replace("\n", " ↵ ")
    return item.type


async def main() -> None:
    print_provider()
    agent = Agent(
        name="客服",
        instructions=(
            "你是电商客服，回答前先查数据。"
            "用户问订单到哪了：先用 query_order 查订单状态，再用 track_shipment 查物流轨迹。"
        ),
        model=get_chat_model(),
        tools=[query_order, track_shipment],
    )
    question = "订单 A1001 到哪了，顺便查下物流"
    print(f"用户：{question}")
    result = await Runner.run(agent, question)

    print(f"== final_output（类型 {type(result.final_output).__name__}）：")
    print(result.final_output)

    print(f"== new_items（共 {len(result.new_items)} 条）：")
    print(cell("#", 3) + cell("输出项类", 20) + cell("call_id（调用与结果靠它配对）", 31) + "要点")
    for i, item in enumerate(result.new_items, start=1):
        call_id = getattr(item, "call_id", None) or "-"
        print(cell(str(i), 3) + cell(type(item).__name__, 20) + cell(call_id, 31) + describe(item))

    calls = [i.raw_item.name for i in result.new_items if isinstance(i, ToolCallItem)]
    outputs = [i for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    print(
        f"final_output 看不到的：调用了 {len(calls)} 次工具（{'、'.join(calls)}），"
        f"工具原样返回了 {len(outputs)} 条结果"
    )

    messages = [i for i in result.new_items if isinstance(i, MessageOutputItem)]
    texts = ItemHelpers.text_message_outputs(result.new_items)
    print(f"== ItemHelpers.text_message_outputs(result.new_items)：只拼接 {len(messages)} 条消息的文字")
    print(texts)
    print(f"和 final_output 相同：{texts == result.final_output}")

    history = result.to_input_list()
    print(
        f"== result.to_input_list()：{len(history)} 条 = "
        f"{len(history) - len(result.new_items)} 条本轮输入 + {len(result.new_items)} 条 new_items"
    )
    # 用户输入是 {"role": "user", "content": ...}，没有 type 字段：按 Responses 协议它就是 message。
    print(" → ".join(str(entry.get("type", "message")) for entry in history))


if __name__ == "__main__":
    asyncio.run(main())
