"""函数工具：商品搜索、政策查询、退款资格、提交退款（超额需主管审批）、创建工单。

工具本身不碰数据库：每个工具都通过 `business.call(...)` 调用业务服务（mcp_server.py，经 MCP 长连接），
真正读写业务库的代码在 shop/（数据层）。所以几个 worker 同时跑这些工具，守规则的始终是业务服务里的事务和唯一索引。

- 工具的“说明书”就是函数名、文档字符串和参数说明：模型（包括内置模拟模型）靠它们决定
  调哪个工具、传什么参数，所以写得像给新同事的交接说明。
- `make_tools(business)` 每个 worker 调一次：工具闭包里拿着这个 worker 的业务服务客户端。
- **顾客是谁不是参数**：订单、退款、工单类工具从运行上下文 `ctx.context.customer_id`（context.py，服务器按
  会话的主人填的）取顾客编号，交给业务服务（`business.call(..., customer=...)`，放在 MCP 请求的 `_meta` 里）；
  业务服务只开放这位顾客自己的订单。工具的参数表里没有顾客，模型想冒充也无处可填。
- 有副作用的工具（提交退款、建工单）先 `await ctx.context.input_cleared()`：输入护栏和 Agent 并行跑，
  护栏放行之前不动业务库（拦下时这一轮被取消，这些调用从没发生）。
- 写操作带幂等键 `会话 id:工具调用 id`：同一次调用被重试（worker 中途挂了、别的 worker 接手重跑），
  业务服务返回第一次的结果，不会退两次款、建两张工单。
- `failure_error_function=None`：业务服务不可用时让这一轮失败（报 `mcp_unavailable`），而不是把
  报错文字交给模型，让它对着一条报错编答案。
- `request_refund` 用 SDK 的工具审批：`needs_approval` 问业务服务“这笔要不要审批”，要的话这次调用
  不执行，运行暂停在 `result.interruptions` 上，等客服主管在后台批准或拒绝。
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from agents import FunctionTool, RunContextWrapper, function_tool
from agents.tool_context import ToolContext

from its_service.business import Business
from its_service.context import RunContext

Context = ToolContext[RunContext]

def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def idempotency_key(ctx: Context) -> str:
    return f"{ctx.context.session_id}:{ctx.tool_call_id}"


@dataclass
class Tools:
    search_products: FunctionTool
    lookup_policy: FunctionTool
    check_refund_eligibility: FunctionTool
    request_refund: FunctionTool
    open_ticket: FunctionTool
    # 只给压测地板用：没有 MCP 时，订单专员用这两个同名函数工具代替 MCP 工具
    get_order: FunctionTool
    track_shipment: FunctionTool


def make_tools(business: Business) -> Tools:
    @function_tool(failure_error_function=None)
    async def search_products(keyword: str) -> str:
        """搜索商城在售商品，返回名称、价格、库存和简介。用户想买东西、问有没有某类商品、比较价格时使用。

        Args:
            keyword: 商品关键词，例如“蓝牙耳机”“跑鞋”“笔记本电脑”。
        """
        products = await business.call("search_products", keyword=keyword, limit=5)
        if not products:
            return _json({"keyword": keyword, "products": [], "note": "没有找到相关商品"})
        return _json({"keyword": keyword, "products": products})

    @function_tool(failure_error_function=None)
    async def lookup_policy(topic: str) -> str:
        """查询商城的服务政策原文：退货退款规则、退款到账时间、运费、保修、发票、价格保护。

        Args:
            topic: 想查的政策主题，例如“退货”“运费”“保修”。
        """
        return _json({"topic": topic, "policies": await business.call("find_policies", topic=topic)})

    @function_tool(failure_error_function=None)
    async def check_refund_eligibility(ctx: Context, order_id: str) -> str:
        """检查一个订单现在能不能退款、可退金额多少、是否需要人工审批。只查询，不提交。

        Args:
            order_id: 订单号，例如 A1001。
        """
        result = await business.call("refund_eligibility", customer=ctx.context.customer_id, order_id=order_id)
        if result.get("eligible"):
            result["needs_human_approval"] = result.pop("needs_approval", False)
        return _json(result)

    async def refund_needs_approval(ctx: RunContextWrapper[RunContext], params: dict[str, Any],
                                    call_id: str) -> bool:
        """业务服务说“符合条件、但金额超过审批门槛”时，先暂停等主管审批。不符合条件的申请（包括别人的
        订单）不用审批：工具照常执行，业务服务会如实返回不能退的原因。"""
        check = await business.call("refund_eligibility", customer=ctx.context.customer_id,
                                    order_id=str(params.get("order_id", "")))
        return bool(check.get("eligible") and check.get("needs_approval"))

    @function_tool(needs_approval=refund_needs_approval, failure_error_function=None)
    async def request_refund(ctx: Context, order_id: str, reason: str) -> str:
        """为订单提交退款申请（整单退款，原路退回）。会先复核退款条件；金额较大时需要人工审批后才执行。

        Args:
            order_id: 订单号，例如 A1001。
            reason: 用户说明的退款原因。
        """
        # 主管批准后接着运行时，chat.py 把“调用 id → 审批单”放进上下文；业务服务会核对审批单
        # 确实已批准、订单对得上，才创建超额退款。
        await ctx.context.input_cleared()
        approval_id = ctx.context.approvals.get(ctx.tool_call_id, "")
        return _json(await business.call("create_refund", customer=ctx.context.customer_id,
                                         order_id=order_id, reason=reason,
                                         idempotency_key=idempotency_key(ctx),
                                         approval_id=approval_id))

    @function_tool(failure_error_function=None)
    async def open_ticket(
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
        await ctx.context.input_cleared()
        return _json(await business.call("open_ticket", customer=ctx.context.customer_id,
                                         category=category, description=description,
                                         order_id=order_id, idempotency_key=idempotency_key(ctx)))

    @function_tool(failure_error_function=None)
    async def get_order(ctx: Context, order_id: str) -> str:
        """查询订单详情：订单状态、金额、下单时间、购买的商品明细。

        Args:
            order_id: 订单号，例如 A1001
        """
        return _json(await business.call("get_order", customer=ctx.context.customer_id, order_id=order_id))

    @function_tool(failure_error_function=None)
    async def track_shipment(ctx: Context, order_id: str) -> str:
        """查询订单的物流：快递公司、运单号、最新动态和轨迹、预计送达时间（快递到哪了）。

        Args:
            order_id: 订单号，例如 A1001
        """
        return _json(await business.call("track_shipment", customer=ctx.context.customer_id, order_id=order_id))

    return Tools(search_products, lookup_policy, check_refund_eligibility, request_refund,
                 open_ticket, get_order, track_shipment)
