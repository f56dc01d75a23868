"""企业工具 MCP 服务：客服常用的天气、订单状态、物流查询，一个文件就是一个独立的服务。

工具不再写在 Agent 的代码里，而是由这个独立进程通过 MCP 协议“提供”：Agent 启动时连上来，
问一句 tools/list 就知道有哪些工具、各要什么参数。数据写死在本文件里，方便学员阅读和修改。

课程原文的 `from agents.mcp import MCPServer` + `@tool` + `app.mount("/mcp", ...)` 在真实的
SDK 里都不存在：服务端用的是 mcp 包的 `mcp.server.mcpserver.MCPServer`（mcp 1.x 叫 FastMCP），
工具用 `@server.tool()` 注册，`server.run(transport=...)` 选传输方式。

运行（三种传输方式，任选其一）:
    python 06_mcp_multi_agent/servers/enterprise_server.py --transport streamable-http --port 8000
        → 客户端连 http://127.0.0.1:8000/mcp    （MCPServerStreamableHttp）
    python 06_mcp_multi_agent/servers/enterprise_server.py --transport sse --port 8001
        → 客户端连 http://127.0.0.1:8001/sse    （MCPServerSse，规范已弃用）
    python 06_mcp_multi_agent/servers/enterprise_server.py --transport stdio
        → 一般不手动运行：由 MCPServerStdio 作为子进程拉起，通过标准输入/输出通信
    python 06_mcp_multi_agent/servers/enterprise_server.py --list-tools
        → 只打印工具清单就退出（冒烟测试用这个，否则 stdio 模式会一直等输入）
    加 --stateless：streamable-http 无状态模式（每个请求独立，不保存会话，适合多副本部署）

测试参数: --list-tools
预期输出（--list-tools，不需要模型）:
    【MCP 服务】enterprise-tools（企业工具服务）共 5 个工具：
    - get_weather(city)：查询城市的实时天气（演示数据）。
    - get_order_status(order_id)：查询订单状态：商品、金额、发货状态。
    - track_logistics(order_id)：查询订单的物流轨迹（快递公司、运单号、最新动态）。
    - get_workspace()：返回本次请求所在的工作区（来自请求头 X-Workspace）。
    - service_info()：返回本服务的名称、版本、传输方式和进程号（运维自检用）。
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from pydantic import Field

NAME = "enterprise-tools"
VERSION = "1.0.0"

# ---------------------------------------------------------------- 演示数据（真实系统里是数据库 / 内部 API）

WEATHER = {
    "北京": ("晴", 26), "上海": ("多云", 28), "武汉": ("小雨", 24), "广州": ("雷阵雨", 31),
    "深圳": ("多云", 30), "杭州": ("阴", 25), "成都": ("阴", 23), "东京": ("晴", 22),
}
ORDERS = {
    "A1001": {"item": "无线降噪耳机", "amount": 899.0, "status": "已发货", "tracking_no": "SF1234567890"},
    "A1002": {"item": "机械键盘", "amount": 459.0, "status": "待发货", "tracking_no": None},
    "A1003": {"item": "电热水壶", "amount": 129.0, "status": "已签收", "tracking_no": "YT9876543210"},
    "123456": {"item": "登山背包", "amount": 328.0, "status": "已发货", "tracking_no": "ZT123456"},
}
LOGISTICS = {
    "SF1234567890": ("顺丰速运", ["06-01 09:12 已揽收（深圳）", "06-02 07:40 到达武汉转运中心", "06-02 15:05 派送中"]),
    "YT9876543210": ("圆通速递", ["05-28 10:00 已揽收（杭州）", "05-30 11:20 已签收"]),
    "ZT123456": ("中通快递", ["06-03 18:30 已揽收（广州）", "06-04 06:10 运输中"]),
}

server = MCPServer(
    NAME,
    title="企业工具服务",
    instructions="客服系统的企业内部工具：天气、订单、物流。",
    version=VERSION,
    # uvicorn 的访问日志会刷屏；只留警告以上。
    log_level="WARNING",
)
transport_in_use = "stdio"


def log(message: str) -> None:
    # stdio 模式下标准输出是协议通道：日志只能写到 stderr，写到 stdout 会把客户端搞坏。
    print(f"[{NAME}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- 工具：函数签名就是参数 schema，文档字符串就是描述


@server.tool()
def get_weather(city: Annotated[str, Field(description="城市名，例如 北京、武汉")]) -> dict[str, Any]:
    """查询城市的实时天气（演示数据）。"""
    log(f"调用 get_weather city={city}")
    if city not in WEATHER:
        return {"city": city, "weather": "暂无数据", "temperature": None}
    weather, temperature = WEATHER[city]
    return {"city": city, "weather": weather, "temperature": f"{temperature}℃"}


@server.tool()
def get_order_status(
    order_id: Annotated[str, Field(description="订单号，例如 A1001")],
) -> dict[str, Any]:
    """查询订单状态：商品、金额、发货状态。"""
    log(f"调用 get_order_status order_id={order_id}")
    order = ORDERS.get(order_id)
    if order is None:
        return {"order_id": order_id, "status": "订单不存在"}
    return {"order_id": order_id, **order}


@server.tool()
def track_logistics(
    order_id: Annotated[str, Field(description="订单号，例如 A1001")],
) -> dict[str, Any]:
    """查询订单的物流轨迹（快递公司、运单号、最新动态）。"""
    log(f"调用 track_logistics order_id={order_id}")
    order = ORDERS.get(order_id)
    if order is None or not order["tracking_no"]:
        return {"order_id": order_id, "logistics": "暂无物流信息（订单不存在或尚未发货）"}
    carrier, events = LOGISTICS[order["tracking_no"]]
    return {"order_id": order_id, "carrier": carrier, "tracking_no": order["tracking_no"],
            "latest": events[-1]}


@server.tool()
def get_workspace(ctx: Context) -> dict[str, Any]:
    """返回本次请求所在的工作区（来自请求头 X-Workspace）。"""
    # 参数里声明 Context 就能拿到请求上下文；它不会出现在工具的参数 schema 里。
    headers = ctx.headers  # HTTP 传输才有请求头；stdio 没有，是 None
    workspace = headers.get("x-workspace") if headers is not None else None
    log(f"收到请求头 X-Workspace={workspace}（传输方式 {transport_in_use}）")
    return {"workspace": workspace or "（没有收到 X-Workspace 请求头）",
            "transport": transport_in_use}


@server.tool()
def service_info() -> dict[str, Any]:
    """返回本服务的名称、版本、传输方式和进程号（运维自检用）。"""
    return {"service": NAME, "version": VERSION, "transport": transport_in_use, "pid": os.getpid()}


# ---------------------------------------------------------------- 启动


def print_tools(mcp_server: MCPServer) -> None:
    """和客户端 tools/list 看到的是同一份清单。"""
    tools = asyncio.run(mcp_server.list_tools())
    print(f"【MCP 服务】{mcp_server.name}（{mcp_server.title}）共 {len(tools)} 个工具：")
    for tool in tools:
        params = ", ".join(tool.input_schema.get("properties", {}))
        print(f"- {tool.name}({params})：{tool.description}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="企业工具 MCP 服务")
    parser.add_argument("--transport", choices=["stdio", "sse", "streamable-http"], default="stdio")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stateless", action="store_true",
                        help="streamable-http 无状态模式：不保存会话，每个请求独立处理")
    parser.add_argument("--list-tools", action="store_true", help="打印工具清单后退出")
    return parser.parse_args(argv)


def main() -> None:
    global transport_in_use
    args = parse_args()
    if args.list_tools:
        print_tools(server)
        return
    transport_in_use = args.transport
    if args.transport == "stdio":
        if sys.stdin.isatty():
            log("stdio 模式：等待客户端从标准输入发来 MCP 消息（通常由 MCPServerStdio 拉起）。"
                "手动演示请用 --transport streamable-http --port 8000，Ctrl+C 退出。")
        server.run("stdio")
    elif args.transport == "sse":
        log(f"SSE 传输：http://{args.host}:{args.port}/sse （Ctrl+C 退出）")
        server.run("sse", host=args.host, port=args.port)
    else:
        log(f"streamable HTTP 传输：http://{args.host}:{args.port}/mcp"
            f"{'（无状态）' if args.stateless else ''}（Ctrl+C 退出）")
        server.run("streamable-http", host=args.host, port=args.port,
                   stateless_http=args.stateless)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl+C 是正常的停止方式，不打印 traceback
        pass
