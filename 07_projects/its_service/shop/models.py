"""业务库的表：每张表在这里声明一次（SQLAlchemy 2 的 ORM，`Mapped[...]` 写法）。

    customers ─┬─< orders ─┬─< order_items >── products          policies
               │           ├── shipments ──< logistics_events
               │           ├─< refunds ────── approvals >── pauses
               │           └─< tickets
               └（会话的主人、审批单的申请人都记的是 customer_id）

**业务规则放在数据库里**（下面 `__table_args__` 里的部分唯一索引，SQLite 和 PostgreSQL 都支持）：

| 规则 | 怎么守 |
|---|---|
| 一张订单最多一张有效的退款单（approved / refunded） | `one_live_refund_per_order` |
| 一张订单最多一张待审批的退款审批单 | `one_pending_refund_approval_per_order` |
| 一张订单、一个类别最多一张未关闭的工单 | `one_open_ticket_per_order_category` |
| 同一次工具调用（幂等键）只建一张退款单 / 一张工单 | `idempotency_key` 唯一 |

应用代码在事务里“先复核再写”，但真正的保证是这些索引：两个请求同时通过了复核，第二个 INSERT 也会撞上
索引（`IntegrityError`），数据层接住它、返回先到的那一张（见 refunds.py、tickets.py）。

**时间只有一种写法**：带时区的 UTC（`UtcDateTime`）。PostgreSQL 里是 `timestamptz`；SQLite 没有时间类型，
存成 UTC 的 `YYYY-MM-DD HH:MM:SS.ffffff` 字符串（同一种格式，按字符串比较就是按时间比较），读出来一律是
带 `tzinfo=UTC` 的 `datetime`。对外（JSON）一律写成 ISO 8601（`iso()`），页面按浏览器的时区显示。

改了这里的表，要写一个迁移：`python -m its_service db revision -m "说明"`（Alembic 按这里的声明和数据库的
差别自动生成，检查后提交），部署时 `python -m its_service db upgrade`。
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

UTC = timezone.utc


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    """对外的时间：ISO 8601，UTC，精确到秒（`2026-12-02T02:00:00+00:00`）。"""
    return value.astimezone(UTC).isoformat(timespec="seconds") if value is not None else None


class UtcDateTime(TypeDecorator[datetime]):
    """带时区的 UTC 时间：写入时换算成 UTC（不接受不带时区的 datetime），读出来一律带 tzinfo=UTC。"""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"时间必须带时区（收到 {value!r}）：用 datetime.now(timezone.utc)")
        value = value.astimezone(UTC)
        # SQLite 存不了时区：存 UTC 的“墙上时间”，读的时候再补上 UTC
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# 约束和索引的名字有固定的规则：迁移里按名字删改它们，两种数据库上的名字一样。
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def partial_unique(name: str, *columns: str, where: str) -> Index:
    """部分唯一索引：只对满足 where 的行唯一（两种数据库写法相同）。"""
    return Index(name, *columns, unique=True, sqlite_where=text(where), postgresql_where=text(where))


# ---------------------------------------------------------------- 顾客、商品、政策


class Customer(Base):
    """演示顾客：页面上“选择顾客”列出的就是他们；订单、工单、审批单都指向这里。"""

    __tablename__ = "customers"

    customer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(Text)            # 已打码：138****0001
    city: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text, default="")  # 默认收货地址（个人信息）


class Product(Base):
    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(Text)
    price: Mapped[float] = mapped_column(Float)
    stock: Mapped[int] = mapped_column(Integer)
    returnable: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(Text, default="")


class Policy(Base):
    __tablename__ = "policies"

    topic: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[str] = mapped_column(Text)


# ---------------------------------------------------------------- 订单与物流


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_customer_id", "customer_id"),)

    order_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.customer_id"))  # 订单属于谁
    customer: Mapped[str] = mapped_column(Text)         # 下单顾客的名字（后台显示用）
    phone: Mapped[str] = mapped_column(Text)
    city: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text, default="")  # 收货地址
    status: Mapped[str] = mapped_column(Text)           # 待发货 / 已发货 / 已签收 / 已取消
    total_amount: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OrderItem(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"))
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    name: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[float] = mapped_column(Float)


class Shipment(Base):
    __tablename__ = "shipments"

    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), primary_key=True)
    carrier: Mapped[str] = mapped_column(Text)
    tracking_no: Mapped[str] = mapped_column(Text)
    eta: Mapped[datetime | None] = mapped_column(UtcDateTime)           # 预计送达
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # 签收时间


class LogisticsEvent(Base):
    __tablename__ = "logistics_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"))
    event_time: Mapped[datetime] = mapped_column(UtcDateTime)
    location: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)


# ---------------------------------------------------------------- 退款与审批


class Refund(Base):
    __tablename__ = "refunds"
    __table_args__ = (
        partial_unique("one_live_refund_per_order", "order_id", where="status IN ('approved', 'refunded')"),
    )

    refund_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"))
    amount: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)       # approved（退款中）/ refunded（已退回）/ void（作废）
    approved_by: Mapped[str] = mapped_column(Text)  # auto（没超过审批门槛）/ staff（主管批准，见 approval_id）
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    approval_id: Mapped[str | None] = mapped_column(ForeignKey("approvals.approval_id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)  # 哪一次工具调用建的


class Pause(Base):
    """一次暂停：运行停在一个或几个要审批的工具调用上（每个调用一张审批单）。审批单都决定了以后，
    由某个 worker 占下租约、接着运行、把结果写回对话——进度记在这一行上（一次暂停一行，占租约是对这一行
    的一次带条件的 UPDATE，两种数据库上都是原子的）。"""

    __tablename__ = "pauses"

    pause_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_owner: Mapped[str | None] = mapped_column(Text)                # 正在接着运行的 worker
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)    # 过期后别的 worker 可以接手
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime)     # 结果写回对话的时间
    outcome: Mapped[str | None] = mapped_column(Text)                    # completed / paused_again / refused / gave_up


class Approval(Base):
    """审批单：谁在什么对话里要做什么（工具、参数、金额、Agent 的说明），主管的决定（谁、什么时候、备注）。"""

    __tablename__ = "approvals"
    __table_args__ = (
        partial_unique("one_pending_refund_approval_per_order", "order_id",
                       where="status = 'pending' AND kind = 'refund'"),
        Index("ix_approvals_pause_id", "pause_id"),
        Index("ix_approvals_status", "status"),
    )

    approval_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    pause_id: Mapped[str] = mapped_column(ForeignKey("pauses.pause_id"))
    session_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str | None] = mapped_column(String(32))  # 发起申请的顾客（会话的主人）
    call_id: Mapped[str | None] = mapped_column(Text)            # 哪一次工具调用（页面把卡片画在它后面）
    kind: Mapped[str] = mapped_column(Text)                      # refund / other
    tool_name: Mapped[str] = mapped_column(Text)
    arguments: Mapped[str] = mapped_column(Text)                 # 工具参数（JSON 文字）
    order_id: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[float | None] = mapped_column(Float)
    customer: Mapped[str | None] = mapped_column(Text)           # 订单上的顾客名字（后台显示用）
    agent: Mapped[str] = mapped_column(Text)                     # 发起调用的 Agent（显示名）
    message: Mapped[str] = mapped_column(Text)                   # 给主管和顾客看的说明
    request: Mapped[str] = mapped_column(Text)                   # 顾客这一轮的原话
    status: Mapped[str] = mapped_column(Text, default="pending")  # pending / approved / rejected
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(Text)


# ---------------------------------------------------------------- 工单


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        partial_unique("one_open_ticket_per_order_category", "order_id", "category",
                       where="status = 'open' AND order_id IS NOT NULL"),
    )

    ticket_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    order_id: Mapped[str | None] = mapped_column(String(32))
    customer_id: Mapped[str | None] = mapped_column(String(32))  # 谁开的工单
    category: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="open")    # open / closed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
