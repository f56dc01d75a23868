"""手写 Function Calling：工具 schema → 模型返回 tool_calls → 执行 Python 函数 → 结果发回 → 最终回答。

模型不会执行任何代码。它读了工具的 JSON Schema 后，只会回一句“请用这些参数调用 query_order”
（`message.tool_calls`，`finish_reason="tool_calls"`）。真正查订单的是你的 Python 函数；
再把函数结果作为一条 `role="tool"` 消息（用 `tool_call_id` 对上是哪一次调用）追加到对话里，
第二次请求模型，它才根据结果作答。这一来一回，就是 03 课 Agents SDK 的 Runner 自动替你做的循环。

运行: python 02_tools/03_function_calling_by_hand.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    【第 1 步】把问题和工具 schema 一起发给模型
    用户：帮我查一下订单 A1001 现在到哪了？
    工具：query_order（根据订单号查询订单状态和物流信息）参数 schema：{"type": "object", "properties": {"order_id": ...}, "required": ["order_id"]}
    【第 2 步】模型没有回答，而是要求调用工具
    finish_reason=tool_calls  content=None
    tool_calls[0]：id=call_...  function.name=query_order  function.arguments={"order_id": "A1001"}
    【第 3 步】我们在本地执行 Python 函数
    query_order(order_id='A1001') → {"order_id": "A1001", "status": "已发货", ...}
    【第 4 步】把结果作为 role=tool 消息发回（tool_call_id 对上调用）
    messages：user → assistant(tool_calls) → tool(tool_call_id=call_...)
    【第 5 步】模型根据工具结果作答
    finish_reason=stop
    订单 A1001：物流：顺丰 SF1234567890，已到达武汉转运中心，预计送达：明天，状态：已发货。
"""

from __future__ import annotations

import json

from shared.factory import get_client, print_provider

QUESTION = "帮我查一下订单 A1001 现在到哪了？"

# 演示用的假数据；真实系统里这里是查数据库或调订单服务。
ORDERS = {
    "A1001": {
        "status": "已发货",
        "logistics": "顺丰 SF1234567890，已到达武汉转运中心",
        "eta": "明天",
    },
    "A1002": {"status": "待发货", "logistics": "仓库拣货中", "eta": "3 天内"},
}


def query_order(order_id: str) -> dict:
    """模型“调用”的就是这个普通 Python 函数。"""
    order = ORDERS.get(order_id.strip().upper())
    if order is None:
        return {"order_id": order_id, "error": "没有找到这个订单，请核对订单号"}
    return {"order_id": order_id, **order}


# 工具 schema：模型只看得到这些文字，描述写得越清楚，模型越会用。
QUERY_ORDER_TOOL = {
    "type": "function",  # Chat Completions 只接受 function（见 02 号脚本）
    "function": {
        "name": "query_order",  # 只能用英文、数字、_、-
        "description": "根据订单号查询订单状态和物流信息",
        "parameters": {
            "type": "object",
            "properties": {
                "order_id": {"type": "string", "description": "订单号，例如 A1001"},
            },
            "required": ["order_id"],
        },
    },
}


def label(message: dict) -> str:
    if message.get("tool_calls"):
        return "assistant(tool_calls)"
    if message["role"] == "tool":
        return f"tool(tool_call_id={message['tool_call_id']})"
    return message["role"]


def main() -> None:
    settings = print_provider()
    client = get_client()

    print("【第 1 步】把问题和工具 schema 一起发给模型")
    messages: list[dict] = [{"role": "user", "content": QUESTION}]
    fn = QUERY_ORDER_TOOL["function"]
    print(f"  用户：{QUESTION}")
    print(
        f"  工具：{fn['name']}（{fn['description']}）参数 schema："
        f"{json.dumps(fn['parameters'], ensure_ascii=False)}"
    )
    first = client.chat.completions.create(
        model=settings.model, messages=messages, tools=[QUERY_ORDER_TOOL]
    )
    message = first.choices[0].message

    if not message.tool_calls:  # 真实模型也可能觉得不需要工具
        print(f"模型没有调用工具，直接回答：{message.content}")
        return

    print("\n【第 2 步】模型没有回答，而是要求调用工具")
    print(f"  finish_reason={first.choices[0].finish_reason}  content={message.content!r}")
    for i, call in enumerate(message.tool_calls):
        print(
            f"  tool_calls[{i}]：id={call.id}  function.name={call.function.name}  "
            f"function.arguments={call.function.arguments}"
        )

    # 模型的这条消息（带 tool_calls）必须放回历史，后面的 tool 消息才有“上文”。
    assistant: dict = {
        "role": "assistant",
        "content": message.content,
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.function.name, "arguments": call.function.arguments},
            }
            for call in message.tool_calls
        ],
    }
    # 推理模型（DeepSeek 思考模式等）还会返回 reasoning_content：调用了工具的这一轮，
    # DeepSeek 要求把它原样带回去，否则第二次请求返回 400。没有这个字段的提供方就不带。
    reasoning = (message.model_extra or {}).get("reasoning_content")
    if reasoning is not None:
        assistant["reasoning_content"] = reasoning
    messages.append(assistant)

    print("\n【第 3 步】我们在本地执行 Python 函数")
    for call in message.tool_calls:
        args = json.loads(call.function.arguments)  # arguments 是 JSON 字符串，不是 dict
        result = query_order(**args)
        print(
            f"  query_order(order_id={args['order_id']!r}) → {json.dumps(result, ensure_ascii=False)}"
        )
        messages.append(
            {
                "role": "tool",
                "tool_call_id": call.id,
                "content": json.dumps(result, ensure_ascii=False),
            }
        )

    print("\n【第 4 步】把结果作为 role=tool 消息发回（tool_call_id 对上调用）")
    print(f"  messages：{' → '.join(label(m) for m in messages)}")
    final = client.chat.completions.create(
        model=settings.model, messages=messages, tools=[QUERY_ORDER_TOOL]
    )

    print("\n【第 5 步】模型根据工具结果作答")
    print(f"  finish_reason={final.choices[0].finish_reason}")
    print(f"  {final.choices[0].message.content}")


if __name__ == "__main__":
    main()
