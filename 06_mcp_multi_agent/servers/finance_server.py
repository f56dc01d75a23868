"""财务与工单 MCP 服务：发票、付款状态、创建工单。和企业工具服务是两个独立的进程。

企业里不同部门各自维护自己的 MCP 服务：订单物流归业务部门，发票付款归财务部门。
一个 Agent 可以同时连上好几个服务（见 07_multiple_servers.py）。两个服务都按公司规范
提供了自检工具 `service_info`，名字撞车了，那一课演示 SDK 怎么处理。

运行:
    python 06_mcp_multi_agent/servers/finance_server.py --transport streamable-http --port 8002
        → 客户端连 http://127.0.0.1:8002/mcp
    python 06_mcp_multi_agent/servers/finance_server.py --list-tools
        → 只打印工具清单就退出（冒烟测试用）

测试参数: --list-tools
预期输出（--list-tools，不需要模型）:
    【MCP 服务】finance-service（财务与工单服务）共 4 个工具：
    - get_invoice(order_id)：查询订单的发票信息（发票号、抬头、开票状态）。
    - get_payment_status(order_id)：查询订单的付款状态：实付金额、支付方式、能否退款。
    - create_ticket(title, detail, priority)：创建售后工单，转人工跟进；返回工单号。
    - service_info()：返回本服务的名称、版本、传输方式和进程号（运维自检用）。
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import sys
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field

NAME = "finance-service"
VERSION = "2.1.0"

INVOICES = {
    "A1001": {"invoice_no": "INV-2025-0001", "title": "个人", "status": "已开票"},
    "A1003": {"invoice_no": "INV-2025-0003", "title": "某某科技有限公司", "status": "已开票"},
}
PAYMENTS = {
    "A1001": {"paid": 899.0, "method": "微信支付", "refundable": True},
    "A1002": {"paid": 459.0, "method": "支付宝", "refundable": True},
    "A1003": {"paid": 129.0, "method": "银行卡", "refundable": False},
}
_ticket_numbers = itertools.count(1001)

server = MCPServer(NAME, title="财务与工单服务", instructions="发票、付款、工单。",
                   version=VERSION, log_level="WARNING")
transport_in_use = "stdio"


def log(message: str) -> None:
    print(f"[{NAME}] {message}", file=sys.stderr, flush=True)


@server.tool()
def get_invoice(order_id: Annotated[str, Field(description="订单号，例如 A1001")]) -> dict[str, Any]:
    """查询订单的发票信息（发票号、抬头、开票状态）。"""
    log(f"调用 get_invoice order_id={order_id}")
    return {"order_id": order_id, **INVOICES.get(order_id, {"status": "未开票"})}


@server.tool()
def get_payment_status(
    order_id: Annotated[str, Field(description="订单号，例如 A1001")],
) -> dict[str, Any]:
    """查询订单的付款状态：实付金额、支付方式、能否退款。"""
    log(f"调用 get_payment_status order_id={order_id}")
    payment = PAYMENTS.get(order_id)
    if payment is None:
        return {"order_id": order_id, "paid": None, "note": "没有付款记录"}
    return {"order_id": order_id, **payment}


@server.tool()
def create_ticket(
    title: Annotated[str, Field(description="工单标题，一句话概括问题")],
    detail: Annotated[str, Field(description="问题详情")],
    priority: Literal["低", "中", "高"] = "中",
) -> dict[str, Any]:
    """创建售后工单，转人工跟进；返回工单号。"""
    ticket_id = f"T{next(_ticket_numbers)}"
    log(f"调用 create_ticket → {ticket_id}（{priority}）{title}")
    return {"ticket_id": ticket_id, "title": title, "priority": priority, "status": "已受理"}


@server.tool()
def service_info() -> dict[str, Any]:
    """返回本服务的名称、版本、传输方式和进程号（运维自检用）。"""
    return {"service": NAME, "version": VERSION, "transport": transport_in_use, "pid": os.getpid()}


def print_tools(mcp_server: MCPServer) -> None:
    tools = asyncio.run(mcp_server.list_tools())
    print(f"【MCP 服务】{mcp_server.name}（{mcp_server.title}）共 {len(tools)} 个工具：")
    for tool in tools:
        params = ", ".join(tool.input_schema.get("properties", {}))
        print(f"- {tool.name}({params})：{tool.description}")


def main() -> None:
    global transport_in_use
    parser = argparse.ArgumentParser(description="财务与工单 MCP 服务")
    parser.add_argument("--transport", choices=["stdio", "sse", "streamable-http"], default="stdio")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--stateless", action="store_true")
    parser.add_argument("--list-tools", action="store_true", help="打印工具清单后退出")
    args = parser.parse_args()
    if args.list_tools:
        print_tools(server)
        return
    transport_in_use = args.transport
    if args.transport == "stdio":
        server.run("stdio")
    elif args.transport == "sse":
        server.run("sse", host=args.host, port=args.port)
    else:
        log(f"streamable HTTP 传输：http://{args.host}:{args.port}/mcp（Ctrl+C 退出）")
        server.run("streamable-http", host=args.host, port=args.port,
                   stateless_http=args.stateless)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
