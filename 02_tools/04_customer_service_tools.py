"""智能客服的四个工具：query_order / search_product / calculate_price / create_ticket，用一个通用循环跑。

课程“Tool 使用场景”表里的工具，放进同一个客服里：
- 数据查询 `query_order`、`search_product`；计算服务 `calculate_price`；外部操作 `create_ticket`。
- 参数 schema 写清楚：`enum` 限定取值（类目、会员等级、问题类型），`number` / `integer` 带 `minimum`，
  `required` 列出必填项。schema 越严，模型越少乱填，你的函数也越好校验。
上一课手写了一次调用；这里把它写成循环：只要模型还在要工具，就执行（一条消息里可能并行要好几个），
把结果全部发回，再问一次，直到模型给出文字回答。这就是 Agents SDK 的 Runner 替你做的事。
数据是文件里的小字典，只为演示。

运行: python 02_tools/04_customer_service_tools.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    工具：query_order, search_product, calculate_price, create_ticket
    ━━ 顾客：帮我查一下订单 A1001 到哪了？
    第 1 轮 ← 模型要求调用 1 个工具
    query_order {"order_id": "A1001"} → {"order_id": "A1001", "status": "已发货", ...}
    第 2 轮 ← 最终回答：
    订单 A1001：物流：顺丰 SF1234567890，已到达武汉转运中心，状态：已发货，金额：599 元。
    ━━ 顾客：订单 A1001 和 A1002 分别是什么状态？
    第 1 轮 ← 模型要求并行调用 2 个工具
    query_order {"order_id": "A1001"} → ...
    query_order {"order_id": "A1002"} → ...
    第 2 轮 ← 最终回答：
    订单 A1001：状态：已发货，...
    订单 A1002：状态：已签收，...
    ━━ 顾客：有没有降噪耳机？
    search_product {"keyword": "降噪耳机", ...} → {"count": 2, "products": [...]}
    ━━ 顾客：单价 299 元的耳机买 3 件，我是金卡会员，一共多少钱？
    calculate_price {"unit_price": 299.0, "quantity": 3, "member_level": "金卡"} → {..."total": 807.3}
    ━━ 顾客：订单 A1002 的耳机有质量问题，左耳没声音，帮我提交工单
    create_ticket {"order_id": "A1002", "issue_type": "质量问题", ...} → {"ticket_id": "T1001", ...}
    ━━ 顾客：你好
    第 1 轮 ← 最终回答：
    您好！我是ITS智能客服，有什么可以帮您？
    共 6 个问题，模型请求了 6 次工具调用。
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from openai import OpenAI

from shared.factory import get_client, print_provider

INSTRUCTIONS = "你是ITS智能客服，回答要简洁。"
QUESTIONS = [
    "帮我查一下订单 A1001 到哪了？",
    "订单 A1001 和 A1002 分别是什么状态？",
    "有没有降噪耳机？",
    "单价 299 元的耳机买 3 件，我是金卡会员，一共多少钱？",
    "订单 A1002 的耳机有质量问题，左耳没声音，帮我提交工单",
    "你好",
]
MAX_ROUNDS = 5  # 防止模型反复要工具、永远不作答

# ---------------------------------------------------------------- 假数据与工具函数

ORDERS = {
    "A1001": {
        "status": "已发货",
        "logistics": "顺丰 SF1234567890，已到达武汉转运中心",
        "amount": 599.0,
    },
    "A1002": {"status": "已签收", "logistics": "京东快递，已于昨天签收", "amount": 299.0},
}
PRODUCTS = [
    {"sku": "P100", "name": "ITS 降噪耳机 Pro", "category": "耳机", "price": 899.0},
    {"sku": "P101", "name": "ITS 降噪耳机 Lite", "category": "耳机", "price": 299.0},
    {"sku": "P200", "name": "ITS 手机 X", "category": "手机", "price": 3999.0},
    {"sku": "P300", "name": "ITS 快充充电器", "category": "配件", "price": 99.0},
]
# 假数据的“搜索索引”：关键词里出现这些词就算命中（真实系统用搜索引擎或数据库）。
SEARCH_TERMS = {
    "P100": ["降噪耳机", "耳机"],
    "P101": ["降噪耳机", "耳机"],
    "P200": ["手机"],
    "P300": ["充电器", "快充"],
}
DISCOUNTS = {"普通": 1.0, "银卡": 0.95, "金卡": 0.9}
TICKETS: list[dict] = []


def query_order(order_id: str) -> dict:
    order = ORDERS.get(order_id.strip().upper())
    if order is None:
        return {"order_id": order_id, "error": "没有找到这个订单，请核对订单号"}
    return {"order_id": order_id, **order}


def search_product(
    keyword: str, category: str | None = None, max_price: float | None = None
) -> dict:
    hits = [
        p
        for p in PRODUCTS
        if any(term in keyword for term in SEARCH_TERMS[p["sku"]])
        and (category is None or p["category"] == category)
        and (max_price is None or p["price"] <= max_price)
    ]
    return {"count": len(hits), "products": hits}


def calculate_price(unit_price: float, quantity: int, member_level: str, coupon: float = 0) -> dict:
    if member_level not in DISCOUNTS:  # schema 有 enum，但函数仍要自己校验：模型可能不守规矩
        return {"error": f"member_level 只能是 {list(DISCOUNTS)}"}
    subtotal = unit_price * quantity
    total = max(round(subtotal * DISCOUNTS[member_level] - coupon, 2), 0)
    return {
        "subtotal": subtotal,
        "discount": DISCOUNTS[member_level],
        "coupon": coupon,
        "total": total,
    }


def create_ticket(order_id: str, issue_type: str, description: str, priority: str = "中") -> dict:
    ticket = {
        "ticket_id": f"T{1001 + len(TICKETS)}",
        "order_id": order_id,
        "issue_type": issue_type,
        "priority": priority,
        "description": description,
        "status": "已创建，人工客服将在 2 小时内联系您",
    }
    TICKETS.append(ticket)
    return ticket


FUNCTIONS: dict[str, Callable[..., dict]] = {
    f.__name__: f for f in (query_order, search_product, calculate_price, create_ticket)
}

# ---------------------------------------------------------------- 工具 schema


def tool(name: str, description: str, properties: dict, required: list[str]) -> dict:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": properties, "required": required},
        },
    }


TOOLS = [
    tool(
        "query_order",
        "根据订单号查询订单的状态、物流和金额",
        {"order_id": {"type": "string", "description": "订单号，例如 A1001"}},
        ["order_id"],
    ),
    tool(
        "search_product",
        "按关键词搜索在售商品，可按类目和最高价格筛选",
        {
            "keyword": {"type": "string", "description": "商品关键词，例如 降噪耳机"},
            "category": {
                "type": "string",
                "enum": ["手机", "电脑", "耳机", "配件"],
                "description": "商品类目",
            },
            "max_price": {"type": "number", "minimum": 0, "description": "最高价格（元）"},
        },
        ["keyword"],
    ),
    tool(
        "calculate_price",
        "计算购买总价：单价×数量，按会员等级打折，再减去优惠券",
        {
            "unit_price": {"type": "number", "minimum": 0, "description": "商品单价（元）"},
            "quantity": {"type": "integer", "minimum": 1, "description": "购买数量"},
            "member_level": {
                "type": "string",
                "enum": list(DISCOUNTS),
                "description": "会员等级：普通不打折，银卡 95 折，金卡 9 折",
            },
            "coupon": {
                "type": "number",
                "minimum": 0,
                "description": "优惠券金额（元），没有就不填",
            },
        },
        ["unit_price", "quantity", "member_level"],
    ),
    tool(
        "create_ticket",
        "为售后问题创建客服工单，由人工客服跟进",
        {
            "order_id": {"type": "string", "description": "相关订单号"},
            "issue_type": {
                "type": "string",
                "enum": ["退换货", "质量问题", "物流异常", "其他"],
                "description": "问题类型",
            },
            "description": {"type": "string", "description": "问题描述"},
            "priority": {"type": "string", "enum": ["低", "中", "高"], "description": "紧急程度"},
        },
        ["order_id", "issue_type", "description"],
    ),
]

# ---------------------------------------------------------------- 通用的工具循环


def execute(name: str, arguments: str) -> dict:
    """执行一次工具调用。出错时把错误当结果还给模型，让它有机会纠正，而不是让程序崩掉。"""
    function = FUNCTIONS.get(name)
    if function is None:
        return {"error": f"没有叫 {name} 的工具"}
    try:
        return function(**json.loads(arguments or "{}"))
    except (ValueError, TypeError) as exc:  # JSON 不合法、缺参数、多参数
        return {"error": f"参数有误：{exc}"}


def ask(client: OpenAI, model: str, question: str) -> int:
    """一位顾客的一个问题：循环直到模型给出文字回答。返回工具调用次数。"""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": INSTRUCTIONS},
        {"role": "user", "content": question},
    ]
    calls_made = 0
    for round_no in range(1, MAX_ROUNDS + 1):
        response = client.chat.completions.create(model=model, messages=messages, tools=TOOLS)
        message = response.choices[0].message
        if not message.tool_calls:
            print(f"  第 {round_no} 轮 ← 最终回答：")
            for line in (message.content or "").splitlines():
                print(f"    {line}")
            return calls_made

        count = len(message.tool_calls)
        how = f"并行调用 {count} 个工具" if count > 1 else "调用 1 个工具"
        print(f"  第 {round_no} 轮 ← 模型要求{how}")
        assistant: dict[str, Any] = {
            "role": "assistant",
            "content": message.content,
            "tool_calls": [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.function.name, "arguments": c.function.arguments},
                }
                for c in message.tool_calls
            ],
        }
        # DeepSeek 思考模式：调用了工具的这一轮要把 reasoning_content 原样带回去（见 03 号脚本）。
        reasoning = (message.model_extra or {}).get("reasoning_content")
        if reasoning is not None:
            assistant["reasoning_content"] = reasoning
        messages.append(assistant)
        # 并行的几个调用都要各回一条 tool 消息，缺一条下一次请求就会 400。
        for call in message.tool_calls:
            result = execute(call.function.name, call.function.arguments)
            text = json.dumps(result, ensure_ascii=False)
            print(f"    {call.function.name} {call.function.arguments} → {text}")
            messages.append({"role": "tool", "tool_call_id": call.id, "content": text})
            calls_made += 1
    print(f"  超过 {MAX_ROUNDS} 轮仍没有最终回答，停止。")
    return calls_made


def main() -> None:
    settings = print_provider()
    client = get_client()
    print(f"工具：{', '.join(t['function']['name'] for t in TOOLS)}")
    total = 0
    for question in QUESTIONS:
        print(f"\n━━ 顾客：{question}")
        total += ask(client, settings.model, question)
    print(f"\n共 {len(QUESTIONS)} 个问题，模型请求了 {total} 次工具调用。")


if __name__ == "__main__":
    main()
