"""函数工具：商品搜索、政策查询、退款资格、提交退款（超额需人工审批）、创建工单。

订单和物流两个工具不在这里：它们由独立的 MCP 服务提供（mcp_server.py）。

- 工具的“说明书”就是函数名、文档字符串和参数说明：模型（包括内置模拟模型）靠它们决定
  调哪个工具、传什么参数，所以写得像给新同事的交接说明。
- 工具不自己连数据库路径：从运行上下文 `ctx.context`（一个 dict，见 chat.py 的
  `run_context()`）里拿业务库位置和业务参数，换库、换门槛都不用改工具。
- 返回 JSON 字符串（ensure_ascii=False）：模型读得懂，页面上的工具卡片也能直接展示。
- `request_refund` 用 SDK 的工具审批：`needs_approval` 是一个函数，金额超过门槛时返回 True，
  这次调用就不会执行，整轮运行暂停在 `result.interruptions` 上，等人批准或拒绝。
"""

from __future__ import annotations

import json
from typing import Any, Literal

from agents import RunContextWrapper, function_tool

from its_service.db import ShopDB

Context = RunContextWrapper[dict[str, Any]]


def _shop(ctx: Context) -> ShopDB:
    return ShopDB(ctx.context["shop_db"])


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@function_tool
def search_products(ctx: Context, keyword: str) -> str:
    """搜索商城在售商品，返回名称、价格、库存和简介。用户想买东西、问有没有某类商品、比较价格时使用。

    Args:
        keyword: 商品关键词，例如“蓝牙耳机”“跑鞋”“笔记本电脑”。
    """
    products = _shop(ctx).search_products(keyword)
    if not products:
        return _json({"keyword": keyword, "products": [], "note": "没有找到相关商品"})
    return _json({"keyword": keyword, "products": products})


@function_tool
def lookup_policy(ctx: Context, topic: str) -> str:
    """查询商城的服务政策原文：退货退款规则、退款到账时间、运费、保修、发票、价格保护。

    Args:
        topic: 想查的政策主题，例如“退货”“运费”“保修”。
    """
    return _json({"topic": topic, "policies": _shop(ctx).find_policies(topic)})


@function_tool
def check_refund_eligibility(ctx: Context, order_id: str) -> str:
    """检查一个订单现在能不能退款、可退金额多少、是否需要人工审批。只查询，不提交。

    Args:
        order_id: 订单号，例如 A1001。
    """
    result = _shop(ctx).refund_eligibility(order_id, ctx.context["refund_window_days"])
    if result.get("eligible"):
        threshold = ctx.context["refund_approval_threshold"]
        result["needs_human_approval"] = result["refundable_amount"] > threshold
    return _json(result)


async def refund_needs_approval(ctx: Context, params: dict[str, Any], call_id: str) -> bool:
    """金额超过门槛（默认 500 元）的退款，先暂停等人工审批。不符合条件的申请不用审批。"""
    check = _shop(ctx).refund_eligibility(params.get("order_id", ""),
                                          ctx.context["refund_window_days"])
    return bool(check.get("eligible")) and (
        check["refundable_amount"] > ctx.context["refund_approval_threshold"]
    )


@function_tool(needs_approval=refund_needs_approval)
def request_refund(ctx: Context, order_id: str, reason: str) -> str:
    """为订单提交退款申请（整单退款，原路退回）。会先复核退款条件；金额较大时需要人工审批后才执行。

    Args:
        order_id: 订单号，例如 A1001。
        reason: 用户说明的退款原因。
    """
    shop = _shop(ctx)
    window = ctx.context["refund_window_days"]
    check = shop.refund_eligibility(order_id, window)
    # 能走到这里、金额又超过门槛，说明 needs_approval 已经拦下过、并且有人批准了。
    over = check.get("eligible") and check["refundable_amount"] > ctx.context["refund_approval_threshold"]
    return _json(shop.create_refund(order_id, reason, approved_by="human" if over else "auto",
                                    window_days=window))


@function_tool
def open_ticket(
    ctx: Context,
    category: Literal["投诉", "售后", "咨询", "其他"],
    description: str,
    order_id: str,
) -> str:
    """创建人工客服工单：用户投诉、要求转人工、或者问题超出自动处理范围时使用。

    Args:
        category: 工单类别。
        description: 问题描述，尽量包含用户的原话。
        order_id: 相关订单号，例如 A1001；没有就填空字符串。
    """
    return _json(_shop(ctx).open_ticket(category, description, order_id))
