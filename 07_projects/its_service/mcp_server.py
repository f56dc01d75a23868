"""订单 / 物流 MCP 服务：把“查订单”“查物流”两个工具放进一个独立进程，通过 MCP 提供给 Agent。

和第 06 课的 MCP 服务是同一个做法（`mcp.server.mcpserver.MCPServer` + `@server.tool()`），
区别是数据来自真实的 SQLite 业务库（与主服务读同一个文件），以及它由主服务自己拉起和停止：

    主服务（lifespan）──启动子进程──▶ python -m its_service mcp --db data/its_shop.db --port 0
                        ◀──标准输出一行── MCP_READY http://127.0.0.1:PORT/mcp
    每一轮对话 ──MCPServerStreamableHttp──▶ POST /mcp（tools/list、tools/call）

- 端口 0：子进程自己向系统要一个空闲端口，再把地址打印出来，不会和别的程序抢端口。
- 无状态的 streamable HTTP（`stateless_http=True`）：服务重启后客户端不用恢复会话，
  下一轮对话直接连新进程即可。
- 父进程没了（被 kill -9）子进程也自己退出，不留孤儿进程。

手动单独运行（在 07_projects 目录下）：

    python -m its_service mcp --db ../data/its_shop.db --port 8201
    python -m its_service mcp --list-tools

然后设置 `ITS_MCP_URL=http://127.0.0.1:8201/mcp`，主服务就连它而不自己启动。
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Annotated

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from its_service.db import ShopDB

NAME = "its-orders"
READY_PREFIX = "MCP_READY "


def build_server(db_path: str | Path) -> MCPServer:
    """一个 MCP 服务实例：两个工具，都只读业务库。"""
    shop = ShopDB(db_path)
    server = MCPServer(
        NAME,
        title="ITS 订单与物流服务",
        instructions="ITS 商城的订单系统和物流系统：按订单号查询订单详情和物流轨迹。",
        version="1.0.0",
        log_level="WARNING",
    )

    @server.tool(structured_output=False)
    def get_order(
        order_id: Annotated[str, Field(description="订单号，例如 A1001")],
    ) -> str:
        """查询订单详情：订单状态、金额、下单时间、购买的商品明细。"""
        order = shop.get_order(order_id)
        if order is None:
            order = {"order_id": order_id, "error": "没有找到这个订单，请向用户确认订单号（形如 A1001）"}
        return json.dumps(order, ensure_ascii=False)

    @server.tool(structured_output=False)
    def track_shipment(
        order_id: Annotated[str, Field(description="订单号，例如 A1001")],
    ) -> str:
        """查询订单的物流：快递公司、运单号、最新动态和轨迹、预计送达时间（快递到哪了）。"""
        shipment = shop.track_shipment(order_id)
        if shipment is None:
            shipment = {"order_id": order_id, "error": "没有找到这个订单，请向用户确认订单号（形如 A1001）"}
        return json.dumps(shipment, ensure_ascii=False)

    return server


def list_tools(db_path: str | Path) -> list[str]:
    """和客户端 tools/list 看到的是同一份清单（命令行 --list-tools 用）。"""
    tools = asyncio.run(build_server(db_path).list_tools())
    return [f"{t.name}({', '.join(t.input_schema.get('properties', {}))})：{t.description}"
            for t in tools]


def _exit_with_parent(parent_pid: int) -> None:
    """主服务进程没了（包括被 kill -9），本进程也退出。"""

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 0,
          parent_pid: int | None = None) -> None:
    """用 streamable HTTP 提供服务；就绪后往标准输出打印一行 `MCP_READY <url>`。"""
    import uvicorn

    if parent_pid:
        _exit_with_parent(parent_pid)
    server = build_server(db_path)
    app = server.streamable_http_app(stateless_http=True, json_response=True, host=host)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    url = f"http://{host}:{sock.getsockname()[1]}/mcp"
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    uv = uvicorn.Server(config)

    async def run() -> None:
        task = asyncio.create_task(uv.serve(sockets=[sock]))
        while not uv.started and not task.done():
            await asyncio.sleep(0.02)
        if uv.started:
            print(f"{READY_PREFIX}{url}", flush=True)
            print(f"[{NAME}] 订单/物流 MCP 服务已就绪：{url}（业务库 {db_path}）",
                  file=sys.stderr, flush=True)
        await task

    asyncio.run(run())
