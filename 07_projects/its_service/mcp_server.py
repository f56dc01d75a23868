"""业务服务：业务库唯一的主人，用 MCP（streamable HTTP）对外提供全部业务操作。

为什么业务数据要有“一个主人”：客服进程（worker）可以开很多个、放在好几台机器上，如果每个 worker
都直接打开 SQLite 文件，多台机器就没法共享，同一台机器上“先查再写”的规则也守不住。所以：

    worker A ─┐                       ┌─ get_order / track_shipment        （直接交给订单专员 Agent）
    worker B ─┼─ MCP（长连接）──▶ 业务服务 ─┼─ refund_eligibility / create_refund / open_ticket /
    worker C ─┘                       │   search_products / find_policies  （worker 的函数工具调用）
                                      └─ open_approval / decide_approval / claim_resume …（审批单）
                                              │
                                              ▼
                                     SQLite 业务库（db.py，唯一写 SQL 的地方）

- 选 MCP 而不是另写一套 REST 接口：订单专员本来就通过 MCP 用 get_order / track_shipment（第 06 课的
  做法），把退款、工单、审批单也放进同一个服务，worker 只需要一种客户端、一条长连接；业务规则
  （唯一索引、事务）都在这一个进程里执行。给 Agent 的只有两个查询工具（客户端用 tool_filter 过滤），
  其余是“后台操作”，只由 worker 的代码调用，模型看不到。
- 工具函数写成 async、直接调用 ShopDB：SQLite 操作在毫秒以内，放在事件循环里顺序执行，
  省掉线程切换，所有写操作天然排队；数据库事务和唯一索引仍然是真正的保证。
- 无状态的 streamable HTTP（`stateless_http=True`）：服务重启后 worker 重连即可，不用恢复会话。
- `ITS_MCP_TOKEN` 设置时，每个请求都要带 `Authorization: Bearer <token>`（服务放到别的机器上时用）。
- **顾客身份不是工具参数**：订单、物流、退款、工单这些操作只对“这位顾客自己的订单”生效，顾客是谁由
  worker 放在 MCP 请求的 `_meta`（键 `its/customer_id`，见 `CUSTOMER_META`）里带过来——它来自服务器给
  这次对话绑定的顾客（运行上下文），模型看不到、也填不了（工具的参数表里没有它）。别人的订单和不存在的
  订单得到同一句礼貌的“在您的账户下没有找到”，不泄露那个订单在不在。

运行（在 07_projects 目录下；主服务不设 ITS_MCP_URL 时会自己拉起它）：

    python -m its_service mcp --db ../data/its_shop.db --port 8201
    python -m its_service mcp --list-tools
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from pydantic import Field

from its_service.db import RefundRules, ShopDB

NAME = "its-business"
READY_PREFIX = "MCP_READY "
CUSTOMER_META = "its/customer_id"  # MCP 请求 _meta 里的顾客编号（由 worker 按会话的主人填）
# 给订单专员 Agent 的工具；其余工具只由 worker 的代码调用（mcp_client.py 里用 tool_filter 过滤）。
AGENT_TOOLS = ("get_order", "track_shipment")

OrderId = Annotated[str, Field(description="订单号，例如 A1001")]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def customer_of(ctx: Context) -> str | None:
    """这次请求代表哪位顾客：只看 _meta，不看参数。"""
    meta = ctx.request_context.meta or {}
    value = meta.get(CUSTOMER_META) if isinstance(meta, dict) else None
    return str(value) if value else None


def build_server(shop: ShopDB) -> MCPServer:
    """一个业务服务实例：订单/物流查询给 Agent，退款、工单、商品、政策、审批单给 worker。"""
    server = MCPServer(
        NAME,
        title="ITS 业务服务",
        instructions="ITS 商城的业务系统：订单、物流、商品、政策、退款、工单、审批单。",
        version="2.0.0",
        log_level="WARNING",
    )
    tool = server.tool(structured_output=False)

    # ---------------------------------------------------------------- 给 Agent 的查询工具

    @tool
    async def get_order(order_id: OrderId, ctx: Context) -> str:
        """查询订单详情：订单状态、金额、下单时间、购买的商品明细。"""
        return _json(shop.get_order(order_id, customer_of(ctx)))

    @tool
    async def track_shipment(order_id: OrderId, ctx: Context) -> str:
        """查询订单的物流：快递公司、运单号、最新动态和轨迹、预计送达时间（快递到哪了）。"""
        return _json(shop.track_shipment(order_id, customer_of(ctx)))

    # ---------------------------------------------------------------- worker 调用的业务操作

    @tool
    async def search_products(keyword: str, limit: int = 5) -> str:
        """按关键词搜索在售商品。"""
        return _json(shop.search_products(keyword, limit))

    @tool
    async def categories() -> str:
        """在售商品的品类列表。"""
        return _json(shop.categories())

    @tool
    async def find_policies(topic: str) -> str:
        """按主题查服务政策原文。"""
        return _json(shop.find_policies(topic))

    @tool
    async def refund_eligibility(order_id: OrderId, ctx: Context) -> str:
        """按规则判断订单能否退款、可退金额、是否需要主管审批（只看这位顾客自己的订单）。"""
        return _json(shop.refund_eligibility(order_id, customer_of(ctx)))

    @tool
    async def create_refund(order_id: OrderId, reason: str, ctx: Context, idempotency_key: str = "",
                            approval_id: str = "") -> str:
        """创建退款单（事务 + 唯一索引：同一订单最多一张有效退款单；同一幂等键返回同一张）。"""
        return _json(shop.create_refund(order_id, reason, idempotency_key, approval_id, customer_of(ctx)))

    @tool
    async def open_ticket(category: str, description: str, ctx: Context, order_id: str = "",
                          idempotency_key: str = "") -> str:
        """创建人工客服工单（同一订单同一类别不重复建；只能挂这位顾客自己的订单）。"""
        return _json(shop.open_ticket(category, description, order_id, idempotency_key, customer_of(ctx)))

    @tool
    async def customers() -> str:
        """演示顾客列表（登录页用）。"""
        return _json(shop.customers())

    @tool
    async def disclosures(text: str, ctx: Context) -> str:
        """一段文字里出现了哪些别的顾客的个人信息（输出护栏用）。"""
        return _json(shop.disclosures(text, customer_of(ctx)))

    @tool
    async def open_approval(approval_id: str, pause_id: str, session_id: str, tool_name: str,
                            arguments: str, agent: str, request: str, call_id: str = "",
                            customer_id: str = "") -> str:
        """为暂停中的工具调用建一张待审批单。"""
        return _json(shop.open_approval(approval_id, pause_id, session_id, tool_name, arguments,
                                        agent, request, call_id, customer_id))

    @tool
    async def decide_approval(approval_id: str, decision: str, staff: str, note: str = "") -> str:
        """主管批准或拒绝（只能决定一次）。"""
        return _json(shop.decide_approval(approval_id, decision, staff, note))

    @tool
    async def get_approval(approval_id: str) -> str:
        """读一张审批单。"""
        return _json(shop.get_approval(approval_id))

    @tool
    async def list_approvals(status: str = "pending", session_id: str = "", limit: int = 100) -> str:
        """列出审批单：pending / decided / all。"""
        return _json(shop.list_approvals(status, session_id, limit))

    @tool
    async def claim_resume(worker: str, lease_seconds: float, pause_id: str = "") -> str:
        """占下一次已决定、待写回对话的暂停（租约过期可被别的 worker 接手）。"""
        return _json(shop.claim_resume(worker, lease_seconds, pause_id))

    @tool
    async def renew_resume(pause_id: str, worker: str, lease_seconds: float) -> str:
        """续租。"""
        return _json(shop.renew_resume(pause_id, worker, lease_seconds))

    @tool
    async def release_resume(pause_id: str, worker: str, retry_in: float,
                             count_attempt: bool = True) -> str:
        """放开租约，稍后重试。"""
        return _json(shop.release_resume(pause_id, worker, retry_in, count_attempt))

    @tool
    async def finish_resume(pause_id: str, worker: str, outcome: str) -> str:
        """结果已写回对话。"""
        return _json(shop.finish_resume(pause_id, worker, outcome))

    return server


def list_tools(db_path: str | Path) -> list[str]:
    """和客户端 tools/list 看到的是同一份清单（命令行 --list-tools 用）。"""
    tools = asyncio.run(build_server(ShopDB(db_path)).list_tools())
    return [f"{t.name}({', '.join(t.input_schema.get('properties', {}))})"
            f"{'  ← Agent 工具' if t.name in AGENT_TOOLS else ''}：{t.description}"
            for t in tools]


class BearerToken:
    """ASGI 中间件：设置了 ITS_MCP_TOKEN 时，没有正确 token 的请求一律 401（常量时间比较）。"""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or ()).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                body = b'{"error": "unauthorized"}'
                await send({"type": "http.response.start", "status": 401,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def _exit_with_parent(parent_pid: int) -> None:
    """拉起本进程的主服务没了（包括被 kill -9），本进程也退出。"""

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 0,
          parent_pid: int | None = None, rules: RefundRules | None = None) -> None:
    """用 streamable HTTP 提供服务；就绪后往标准输出打印一行 `MCP_READY <url>`。"""
    import uvicorn

    if parent_pid:
        _exit_with_parent(parent_pid)
    shop = ShopDB(db_path, rules)
    server = build_server(shop)
    app = server.streamable_http_app(stateless_http=True, json_response=True, host=host)
    token = os.environ.get("ITS_MCP_TOKEN", "").strip()
    if token:
        app = BearerToken(app, token)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    url = f"http://{host}:{sock.getsockname()[1]}/mcp"
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                            timeout_keep_alive=60)
    uv = uvicorn.Server(config)

    async def run() -> None:
        task = asyncio.create_task(uv.serve(sockets=[sock]))
        while not uv.started and not task.done():
            await asyncio.sleep(0.02)
        if uv.started:
            print(f"{READY_PREFIX}{url}", flush=True)
            print(f"[{NAME}] 业务服务已就绪：{url}（业务库 {db_path}，"
                  f"退款审批门槛 {shop.rules.approval_threshold:g} 元）", file=sys.stderr, flush=True)
        await task

    asyncio.run(run())
