"""业务服务：业务库的主人，用 MCP（streamable HTTP）对外提供全部业务操作。

为什么业务数据要经过“业务服务”：客服进程（worker）可以开很多个、放在好几台机器上，它们不直接连业务库，
只调用这里的工具；业务规则（唯一索引、事务）都在业务服务和它背后的数据库里执行：

    worker A ─┐                       ┌─ get_order / track_shipment        （直接交给订单专员 Agent）
    worker B ─┼─ MCP（长连接）──▶ 业务服务 ─┼─ refund_eligibility / create_refund / open_ticket /
    worker C ─┘                       │   search_products / find_policies  （worker 的函数工具调用）
                                      └─ open_approval / decide_approval / claim_resume …（审批单）
                                              │
                                              ▼
                              业务库（shop/：SQLite 文件，或 PostgreSQL）

- 默认的 SQLite：一台机器、一个业务服务。用 PostgreSQL（`ITS_SHOP_DB_URL=postgresql+psycopg://…`）时，
  每台机器都可以跑自己的业务服务，连同一个库——规则照样由数据库守住（两个业务服务同时退同一张订单，
  也只建成一张退款单，测试在真的 PostgreSQL 上验证）。
- 选 MCP 而不是另写一套 REST 接口：订单专员本来就通过 MCP 用 get_order / track_shipment（第 06 课的
  做法），把退款、工单、审批单也放进同一个服务，worker 只需要一种客户端、一组长连接。给 Agent 的只有两个
  查询工具（客户端用 tool_filter 过滤），其余是“后台操作”，只由 worker 的代码调用，模型看不到。
- 无状态的 streamable HTTP（`stateless_http=True`）：服务重启后 worker 重连即可，不用恢复会话。
- **顾客身份不是工具参数**：订单、物流、退款、工单这些操作只对“这位顾客自己的订单”生效，顾客是谁由
  worker 放在 MCP 请求的 `_meta`（键 `its/customer_id`，见 business.py）里带过来，模型看不到、也填不了。

**从不对外敞开**：它能做主管才能做的事（`decide_approval`、接着运行的租约、顾客名单），所以每个请求都要带
`Authorization: Bearer <ITS_MCP_TOKEN>`，没带或不对一律 401（常量时间比较）：
- 由 app.py 自己拉起时：父进程每次生成一个新的随机令牌，经标准输入交给它（不进环境变量、不出现在命令行）；
- 单独运行时：没有设 ITS_MCP_TOKEN 就拒绝启动，除非加 `--local-dev`（只许听 127.0.0.1，本机开发用）；
- 另外打开 MCP SDK 的 DNS 重绑定防护：Host 必须是允许的名字（本机，加上 ITS_MCP_ALLOWED_HOSTS），
  带 Origin 的请求（浏览器发来的）一律拒绝——浏览器里的网页碰不到它。

运行（在 07_projects 目录下；主服务不设 ITS_MCP_URL 时会自己拉起它）：

    ITS_MCP_TOKEN=换成你的令牌 python -m its_service mcp --port 8201
    python -m its_service mcp --local-dev --port 8201        （本机开发：不要令牌，只听 127.0.0.1）
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
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import Field

from its_service.business import AGENT_TOOLS, CUSTOMER_META, NAME, READY_PREFIX
from its_service.shop import Shop
from its_service.shop.database import shown

OrderId = Annotated[str, Field(description="订单号，例如 A1001")]
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def customer_of(ctx: Context) -> str | None:
    """这次请求代表哪位顾客：只看 _meta，不看参数。"""
    meta = ctx.request_context.meta or {}
    value = meta.get(CUSTOMER_META) if isinstance(meta, dict) else None
    return str(value) if value else None


def build_server(shop: Shop) -> MCPServer:
    """一个业务服务实例：订单/物流查询给 Agent，退款、工单、商品、政策、审批单给 worker。"""
    server = MCPServer(
        NAME,
        title="ITS 业务服务",
        instructions="ITS 商城的业务系统：订单、物流、商品、政策、退款、工单、审批单。",
        version="3.0.0",
        log_level="WARNING",
    )
    tool = server.tool(structured_output=False)

    # ---------------------------------------------------------------- 给 Agent 的查询工具

    @tool
    async def get_order(order_id: OrderId, ctx: Context) -> str:
        """查询订单详情：订单状态、金额、下单时间、购买的商品明细。"""
        return _json(await shop.get_order(order_id, customer_of(ctx)))

    @tool
    async def track_shipment(order_id: OrderId, ctx: Context) -> str:
        """查询订单的物流：快递公司、运单号、最新动态和轨迹、预计送达时间（快递到哪了）。"""
        return _json(await shop.track_shipment(order_id, customer_of(ctx)))

    # ---------------------------------------------------------------- worker 调用的业务操作

    @tool
    async def search_products(keyword: str, limit: int = 5) -> str:
        """按关键词搜索在售商品。"""
        return _json(await shop.search_products(keyword, limit))

    @tool
    async def categories() -> str:
        """在售商品的品类列表。"""
        return _json(await shop.categories())

    @tool
    async def find_policies(topic: str) -> str:
        """按主题查服务政策原文。"""
        return _json(await shop.find_policies(topic))

    @tool
    async def refund_eligibility(order_id: OrderId, ctx: Context) -> str:
        """按规则判断订单能否退款、可退金额、是否需要主管审批（只看这位顾客自己的订单）。"""
        return _json(await shop.refund_eligibility(order_id, customer_of(ctx)))

    @tool
    async def create_refund(order_id: OrderId, reason: str, ctx: Context, idempotency_key: str = "",
                            approval_id: str = "") -> str:
        """创建退款单（同一订单最多一张有效退款单；同一幂等键返回同一张）。"""
        return _json(await shop.create_refund(order_id, reason, idempotency_key, approval_id, customer_of(ctx)))

    @tool
    async def open_ticket(category: str, description: str, ctx: Context, order_id: str = "",
                          idempotency_key: str = "") -> str:
        """创建人工客服工单（同一订单同一类别不重复建；只能挂这位顾客自己的订单）。"""
        return _json(await shop.open_ticket(category, description, order_id, idempotency_key, customer_of(ctx)))

    @tool
    async def customers() -> str:
        """演示顾客列表（登录页用）。"""
        return _json(await shop.customers())

    @tool
    async def disclosures(text: str, ctx: Context) -> str:
        """一段文字里出现了哪些别的顾客的个人信息（输出护栏用）。"""
        return _json(await shop.disclosures(text, customer_of(ctx)))

    @tool
    async def open_approval(approval_id: str, pause_id: str, session_id: str, tool_name: str,
                            arguments: str, agent: str, request: str, call_id: str = "",
                            customer_id: str = "") -> str:
        """为暂停中的工具调用建一张待审批单。"""
        return _json(await shop.open_approval(approval_id, pause_id, session_id, tool_name, arguments,
                                              agent, request, call_id, customer_id))

    @tool
    async def decide_approval(approval_id: str, decision: str, staff: str, note: str = "") -> str:
        """主管批准或拒绝（只能决定一次）。"""
        return _json(await shop.decide_approval(approval_id, decision, staff, note))

    @tool
    async def list_approvals(status: str = "pending", session_id: str = "", limit: int = 100) -> str:
        """列出审批单：pending / decided / all。"""
        return _json(await shop.list_approvals(status, session_id, limit))

    @tool
    async def claim_resume(worker: str, lease_seconds: float, pause_id: str = "") -> str:
        """占下一次已决定、待写回对话的暂停（租约过期可被别的 worker 接手）。"""
        return _json(await shop.claim_resume(worker, lease_seconds, pause_id))

    @tool
    async def renew_resume(pause_id: str, worker: str, lease_seconds: float) -> str:
        """续租。"""
        return _json(await shop.renew_resume(pause_id, worker, lease_seconds))

    @tool
    async def release_resume(pause_id: str, worker: str, retry_in: float,
                             count_attempt: bool = True) -> str:
        """放开租约，稍后重试。"""
        return _json(await shop.release_resume(pause_id, worker, retry_in, count_attempt))

    @tool
    async def finish_resume(pause_id: str, worker: str, outcome: str) -> str:
        """结果已写回对话。"""
        return _json(await shop.finish_resume(pause_id, worker, outcome))

    return server


def list_tools() -> list[str]:
    """和客户端 tools/list 看到的是同一份清单（命令行 --list-tools 用；不连数据库）。"""
    tools = asyncio.run(build_server(Shop("sqlite://")).list_tools())
    return [f"{t.name}({', '.join(t.input_schema.get('properties', {}))})"
            f"{'  ← Agent 工具' if t.name in AGENT_TOOLS else ''}：{t.description}"
            for t in tools]


class BearerToken:
    """ASGI 中间件：没有正确令牌的请求一律 401（常量时间比较）。"""

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
                                        (b"content-length", str(len(body)).encode()),
                                        (b"www-authenticate", b"Bearer")]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def transport_security(host: str, extra_hosts: tuple[str, ...]) -> TransportSecuritySettings:
    """DNS 重绑定防护：Host 只认本机的名字、监听的地址和 ITS_MCP_ALLOWED_HOSTS；不认任何 Origin
    （worker 不发 Origin，带 Origin 的只可能是浏览器里的网页）。"""
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    if host not in LOOPBACK and host not in ("0.0.0.0", "::"):
        hosts.append(f"[{host}]:*" if ":" in host else f"{host}:*")
    if host in ("0.0.0.0", "::"):  # 听所有网卡：本机的名字也算（别的机器用主机名连过来）
        hosts += [f"{name}:*" for name in {socket.gethostname(), socket.getfqdn()} if name]
    hosts += [h if ":" in h else f"{h}:*" for h in extra_hosts]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                     allowed_origins=[])


def _exit_with_parent(parent_pid: int) -> None:
    """拉起本进程的主服务没了（包括被 kill -9），本进程也退出。"""

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def serve(shop: Shop, token: str, host: str = "127.0.0.1", port: int = 0, parent_pid: int | None = None,
          allowed_hosts: tuple[str, ...] = ()) -> None:
    """用 streamable HTTP 提供服务；就绪后往标准输出打印一行 `MCP_READY <url>`。
    `token` 为空只在 --local-dev 时允许（调用方已经检查过）。"""
    import uvicorn

    if parent_pid:
        _exit_with_parent(parent_pid)
    server = build_server(shop)
    app = server.streamable_http_app(stateless_http=True, json_response=True, host=host,
                                     transport_security=transport_security(host, allowed_hosts))
    if token:
        app = BearerToken(app, token)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM,
                         socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{sock.getsockname()[1]}/mcp"
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_keep_alive=60)
    uv = uvicorn.Server(config)

    async def run() -> None:
        task = asyncio.create_task(uv.serve(sockets=[sock]))
        while not uv.started and not task.done():
            await asyncio.sleep(0.02)
        if uv.started:
            print(f"{READY_PREFIX}{url}", flush=True)
            guard = "要令牌" if token else "本机开发模式，不要令牌"
            print(f"[{NAME}] 业务服务已就绪：{url}（{guard}；业务库 {shown(shop.url)}，"
                  f"退款审批门槛 {shop.rules.approval_threshold:g} 元）", file=sys.stderr, flush=True)
        try:
            await task
        finally:
            await shop.aclose()

    asyncio.run(run())
