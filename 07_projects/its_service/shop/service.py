"""`Shop`：业务服务能做的每一件事，一个方法一个事务。业务服务（mcp_server.py）把它们做成 MCP 工具；
压测的地板和评测在同一个进程里直接用（`LocalBusiness`）。

    Shop(url, rules)                         连上业务库（url 见 database.py）
    await shop.create_refund(...)            开一个事务 → refunds.create_refund(session, ...) → 提交
    LocalBusiness(shop)                      worker 的 `business.call(名字, customer=..., **参数)`，不经 MCP

每个方法只是“开事务、调用按主题分好的数据函数（orders / catalog / refunds / tickets）、提交”，
规则在那些函数里。数据函数都是普通的同步写法，在哪里执行由数据库决定：
- SQLite：就在事件循环里（本地文件，每个操作在毫秒以内，所有写操作自然排队）；
- PostgreSQL：SQLAlchemy 的 asyncio 引擎（psycopg 3 的异步连接），`AsyncSession.run_sync()` 在一个 greenlet 里
  执行同样的同步函数——每次等数据库回话时让出事件循环，别的请求照常处理。为什么不放线程池：业务服务的事件循环
  一直很忙，线程等到数据库的回复后还要抢 GIL（每次最多等 5ms），一个操作好几次来回，压测里吞吐只剩一半。
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

from its_service.shop import catalog, orders, refunds, tickets
from its_service.shop.database import check_url, make_engine
from its_service.shop.refunds import RefundRules

T = TypeVar("T")


class Shop:
    def __init__(self, url: str, rules: RefundRules | None = None, *, pool_size: int = 8) -> None:
        self.url = check_url(url)
        self.rules = rules or RefundRules()
        self.engine = make_engine(self.url, pool_size=pool_size)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.inline = self.engine.dialect.name == "sqlite"
        self.async_sessions = None
        if not self.inline:  # 连接池和同步引擎一样大小；取连接前先试一下（数据库重启过也不会交出死连接）
            self.async_engine = create_async_engine(self.url, pool_size=pool_size, max_overflow=pool_size,
                                                    pool_pre_ping=True)
            self.async_sessions = async_sessionmaker(self.async_engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    async def aclose(self) -> None:
        if self.async_sessions is not None:
            await self.async_engine.dispose()
        self.close()

    def transaction(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """在一个事务里执行 fn(session, ...)：正常返回就提交，抛异常就回滚。"""
        with self.sessions.begin() as session:
            return fn(session, *args, **kwargs)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """业务服务里用：在一个事务里执行 fn(session, ...)（SQLite 就地执行；PostgreSQL 异步等数据库）。"""
        if self.async_sessions is None:
            return self.transaction(fn, *args, **kwargs)
        async with self.async_sessions() as session, session.begin():
            return await session.run_sync(fn, *args, **kwargs)

    def session(self) -> Session:
        """给脚本和测试用：`with shop.session() as s, s.begin(): ...`。"""
        return self.sessions()

    # ---------------------------------------------------------------- 顾客、订单、物流（只看这位顾客的）

    async def customers(self) -> list[dict[str, Any]]:
        return await self.run(orders.customers)

    async def disclosures(self, text: str, customer_id: str | None = None) -> list[dict[str, str]]:
        return await self.run(orders.disclosures, text, customer_id)

    async def get_order(self, order_id: str, customer_id: str | None = None) -> dict[str, Any]:
        return await self.run(orders.get_order, order_id, customer_id)

    async def track_shipment(self, order_id: str, customer_id: str | None = None) -> dict[str, Any]:
        return await self.run(orders.track_shipment, order_id, customer_id)

    # ---------------------------------------------------------------- 商品与政策

    async def search_products(self, keyword: str, limit: int = 5) -> list[dict[str, Any]]:
        return await self.run(catalog.search_products, keyword, limit)

    async def categories(self) -> list[str]:
        return await self.run(catalog.categories)

    async def find_policies(self, topic: str) -> list[dict[str, str]]:
        return await self.run(catalog.find_policies, topic)

    # ---------------------------------------------------------------- 退款与工单

    async def refund_eligibility(self, order_id: str, customer_id: str | None = None) -> dict[str, Any]:
        return await self.run(refunds.refund_eligibility, self.rules, order_id, customer_id)

    async def create_refund(self, order_id: str, reason: str, idempotency_key: str = "", approval_id: str = "",
                            customer_id: str | None = None) -> dict[str, Any]:
        return await self.run(refunds.create_refund, self.rules, order_id, reason, idempotency_key,
                              approval_id, customer_id)

    async def open_ticket(self, category: str, description: str, order_id: str = "", idempotency_key: str = "",
                          customer_id: str | None = None) -> dict[str, Any]:
        return await self.run(tickets.open_ticket, category, description, order_id, idempotency_key,
                              customer_id)

    # ---------------------------------------------------------------- 审批单与接着运行

    async def open_approval(self, approval_id: str, pause_id: str, session_id: str, tool_name: str,
                            arguments: str, agent: str, request: str, call_id: str = "",
                            customer_id: str = "") -> dict[str, Any]:
        return await self.run(refunds.open_approval, self.rules, approval_id, pause_id, session_id, tool_name,
                              arguments, agent, request, call_id, customer_id)

    async def decide_approval(self, approval_id: str, decision: str, staff: str, note: str = "") -> dict[str, Any]:
        return await self.run(refunds.decide_approval, approval_id, decision, staff, note)

    async def list_approvals(self, status: str = "pending", session_id: str = "",
                             limit: int = 100) -> list[dict[str, Any]]:
        return await self.run(refunds.list_approvals, status, session_id, limit)

    async def claim_resume(self, worker: str, lease_seconds: float, pause_id: str = "") -> dict[str, Any]:
        return await self.run(refunds.claim_resume, worker, lease_seconds, pause_id)

    async def renew_resume(self, pause_id: str, worker: str, lease_seconds: float) -> bool:
        return await self.run(refunds.renew_resume, pause_id, worker, lease_seconds)

    async def release_resume(self, pause_id: str, worker: str, retry_in: float, count_attempt: bool = True) -> bool:
        return await self.run(refunds.release_resume, pause_id, worker, retry_in, count_attempt)

    async def finish_resume(self, pause_id: str, worker: str, outcome: str) -> bool:
        return await self.run(refunds.finish_resume, pause_id, worker, outcome)


class LocalBusiness:
    """和 worker 用的 `BusinessClient.call()` 一样的接口，但直接调用本进程里的 `Shop`（不经 MCP）。
    `customer` 交给按顾客过滤的那些操作（业务服务里它来自 MCP 请求的 `_meta`）。"""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop

    async def call(self, name: str, *, customer: str | None = None, **arguments: Any) -> Any:
        method = getattr(self.shop, name)
        if "customer_id" in inspect.signature(method).parameters:
            arguments.setdefault("customer_id", customer)
        return await method(**arguments)
