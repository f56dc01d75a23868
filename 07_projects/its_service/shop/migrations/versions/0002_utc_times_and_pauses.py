"""时间统一成带时区的 UTC；“接着运行”的租约从每张审批单搬到每次暂停（新表 pauses）

- 时间：旧库里是本地时间的分钟字符串（订单、物流、退款、工单）、秒字符串（审批单）和 epoch 秒数（租约），
  现在都是 `UtcDateTime`（PostgreSQL 的 timestamptz；SQLite 里是 UTC 的字符串）。旧的字符串按**运行迁移
  这台机器的时区**换算成 UTC——演示库就是这台机器上的业务服务按它的本地时间写的。
- pauses：一次暂停的几张审批单以前各自带着同样的租约字段（lease_owner、lease_until、attempts、applied_at、
  outcome），占租约要一次改好几行；现在每次暂停一行，占租约是对这一行的一次带条件的 UPDATE。
- 约束和索引的名字按 models.py 的命名规则；外键补全（审批单 → 暂停）。

做法：旧表改名成 _legacy_*，按今天的结构建新表，逐行换算后写进去，再删掉旧表——SQLite 改列类型本来就要
重建表，这样两种数据库走同一条路。整个升级在一个事务里，失败时什么都不变。

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import sqlalchemy as sa
from alembic import op
from its_service.shop.models import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = timezone.utc
# 子表在前：删旧表时先删引用别人的
TABLES = ("logistics_events", "shipments", "order_items", "refunds", "tickets", "approvals", "orders",
          "products", "customers", "policies")
LEGACY_INDEXES = ("idx_approvals_pause", "idx_approvals_status", "one_live_refund_per_order",
                  "one_open_ticket_per_order_category", "one_pending_refund_approval_per_order",
                  "idx_orders_customer", "refunds_idempotency", "tickets_idempotency")


def utc(value: Any) -> datetime | None:
    """旧库的时间 → 带时区的 UTC。字符串按本机时区理解；数字是 epoch 秒；已经是 datetime 的照旧。"""
    if value in (None, "", 0):
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, datetime):
        return value.astimezone(UTC)  # 不带时区的当本地时间
    if isinstance(value, date):
        value = value.isoformat()
    parsed = datetime.fromisoformat(str(value).strip())
    return parsed.astimezone(UTC)


def upgrade() -> None:
    for name in LEGACY_INDEXES:
        op.drop_index(name, if_exists=True)
    for table in TABLES:
        op.rename_table(table, f"_legacy_{table}")
    new = create_tables()
    connection = op.get_bind()

    def rows(table: str) -> list[dict[str, Any]]:
        return [dict(r) for r in connection.execute(sa.text(f"SELECT * FROM _legacy_{table}")).mappings()]

    def copy(table: str, converted: list[dict[str, Any]]) -> None:
        if converted:
            connection.execute(new[table].insert(), converted)

    copy("customers", rows("customers"))
    copy("products", [{**r, "returnable": bool(r["returnable"])} for r in rows("products")])
    copy("policies", rows("policies"))
    copy("orders", [{**r, "created_at": utc(r["created_at"])} for r in rows("orders")])
    copy("order_items", [{k: v for k, v in r.items() if k != "id"} for r in rows("order_items")])
    copy("shipments", [{**r, "eta": utc(r["eta"]), "delivered_at": utc(r["delivered_at"])}
                       for r in rows("shipments")])
    copy("logistics_events", [{**{k: v for k, v in r.items() if k != "id"}, "event_time": utc(r["event_time"])}
                              for r in sorted(rows("logistics_events"), key=lambda r: r["id"])])
    approvals = rows("approvals")
    pauses: dict[str, dict[str, Any]] = {}
    for a in approvals:  # 同一次暂停的几张审批单租约字段一样：取最早的申请时间和最大的其余字段
        p = pauses.setdefault(a["pause_id"], {"pause_id": a["pause_id"], "created_at": utc(a["requested_at"]),
                                              "attempts": 0, "lease_owner": None, "lease_until": None,
                                              "applied_at": None, "outcome": None})
        p["created_at"] = min(p["created_at"], utc(a["requested_at"]))
        p["attempts"] = max(p["attempts"], a["attempts"] or 0)
        for key, value in (("lease_owner", a["lease_owner"]), ("lease_until", utc(a["lease_until"])),
                           ("applied_at", utc(a["applied_at"])), ("outcome", a["outcome"])):
            if value is not None and (p.get(key) is None or value > p[key]):
                p[key] = value
    copy("pauses", list(pauses.values()))
    moved = {"lease_owner", "lease_until", "attempts", "applied_at", "outcome"}
    copy("approvals", [{**{k: v for k, v in a.items() if k not in moved},
                        "requested_at": utc(a["requested_at"]), "decided_at": utc(a["decided_at"])}
                       for a in approvals])
    copy("refunds", [{**r, "created_at": utc(r["created_at"])} for r in rows("refunds")])
    copy("tickets", [{**r, "created_at": utc(r["created_at"])} for r in rows("tickets")])
    for table in TABLES:
        op.drop_table(f"_legacy_{table}")


def create_tables() -> dict[str, sa.Table]:
    """今天的结构（和 models.py 一致；迁移要冻结在写它的那一刻，所以不从 models 导入表）。"""
    text, real, integer, when = sa.Text, sa.Float, sa.Integer, UtcDateTime
    tables: dict[str, sa.Table] = {}

    def table(name: str, *columns: Any, **kw: Any) -> None:
        tables[name] = op.create_table(name, *columns, sa.PrimaryKeyConstraint(*kw.pop("pk"), name=f"pk_{name}"),
                                       **kw)

    def fk(column: str, target: str, table_name: str) -> sa.ForeignKeyConstraint:
        return sa.ForeignKeyConstraint([column], [target],
                                       name=f"fk_{table_name}_{column}_{target.split('.')[0]}")

    table("customers",
          sa.Column("customer_id", sa.String(32), nullable=False),
          sa.Column("name", text, nullable=False),
          sa.Column("phone", text, nullable=False),
          sa.Column("city", text, nullable=False),
          sa.Column("address", text, nullable=False),
          pk=["customer_id"])
    table("products",
          sa.Column("sku", sa.String(32), nullable=False),
          sa.Column("name", text, nullable=False),
          sa.Column("category", text, nullable=False),
          sa.Column("price", real, nullable=False),
          sa.Column("stock", integer, nullable=False),
          sa.Column("returnable", sa.Boolean, nullable=False),
          sa.Column("description", text, nullable=False),
          pk=["sku"])
    table("policies",
          sa.Column("topic", sa.String(64), nullable=False),
          sa.Column("content", text, nullable=False),
          pk=["topic"])
    table("orders",
          sa.Column("order_id", sa.String(32), nullable=False),
          sa.Column("customer_id", sa.String(32)),
          sa.Column("customer", text, nullable=False),
          sa.Column("phone", text, nullable=False),
          sa.Column("city", text, nullable=False),
          sa.Column("address", text, nullable=False),
          sa.Column("status", text, nullable=False),
          sa.Column("total_amount", real, nullable=False),
          sa.Column("created_at", when, nullable=False),
          fk("customer_id", "customers.customer_id", "orders"),
          pk=["order_id"])
    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])
    table("order_items",
          sa.Column("id", integer, nullable=False, autoincrement=True),
          sa.Column("order_id", sa.String(32), nullable=False),
          sa.Column("sku", sa.String(32), nullable=False),
          sa.Column("name", text, nullable=False),
          sa.Column("quantity", integer, nullable=False),
          sa.Column("unit_price", real, nullable=False),
          fk("order_id", "orders.order_id", "order_items"),
          fk("sku", "products.sku", "order_items"),
          pk=["id"])
    table("shipments",
          sa.Column("order_id", sa.String(32), nullable=False),
          sa.Column("carrier", text, nullable=False),
          sa.Column("tracking_no", text, nullable=False),
          sa.Column("eta", when),
          sa.Column("delivered_at", when),
          fk("order_id", "orders.order_id", "shipments"),
          pk=["order_id"])
    table("logistics_events",
          sa.Column("id", integer, nullable=False, autoincrement=True),
          sa.Column("order_id", sa.String(32), nullable=False),
          sa.Column("event_time", when, nullable=False),
          sa.Column("location", text, nullable=False),
          sa.Column("description", text, nullable=False),
          fk("order_id", "orders.order_id", "logistics_events"),
          pk=["id"])
    table("pauses",
          sa.Column("pause_id", sa.String(64), nullable=False),
          sa.Column("created_at", when, nullable=False),
          sa.Column("lease_owner", text),
          sa.Column("lease_until", when),
          sa.Column("attempts", integer, nullable=False),
          sa.Column("applied_at", when),
          sa.Column("outcome", text),
          pk=["pause_id"])
    table("approvals",
          sa.Column("approval_id", sa.String(64), nullable=False),
          sa.Column("pause_id", sa.String(64), nullable=False),
          sa.Column("session_id", sa.String(64), nullable=False),
          sa.Column("customer_id", sa.String(32)),
          sa.Column("call_id", text),
          sa.Column("kind", text, nullable=False),
          sa.Column("tool_name", text, nullable=False),
          sa.Column("arguments", text, nullable=False),
          sa.Column("order_id", sa.String(32)),
          sa.Column("amount", real),
          sa.Column("customer", text),
          sa.Column("agent", text, nullable=False),
          sa.Column("message", text, nullable=False),
          sa.Column("request", text, nullable=False),
          sa.Column("status", text, nullable=False),
          sa.Column("requested_at", when, nullable=False),
          sa.Column("decided_by", text),
          sa.Column("decided_at", when),
          sa.Column("note", text),
          fk("pause_id", "pauses.pause_id", "approvals"),
          pk=["approval_id"])
    op.create_index("ix_approvals_pause_id", "approvals", ["pause_id"])
    op.create_index("ix_approvals_status", "approvals", ["status"])
    partial_unique("one_pending_refund_approval_per_order", "approvals", ["order_id"],
                   "status = 'pending' AND kind = 'refund'")
    table("refunds",
          sa.Column("refund_id", sa.String(32), nullable=False),
          sa.Column("order_id", sa.String(32), nullable=False),
          sa.Column("amount", real, nullable=False),
          sa.Column("reason", text, nullable=False),
          sa.Column("status", text, nullable=False),
          sa.Column("approved_by", text, nullable=False),
          sa.Column("created_at", when, nullable=False),
          sa.Column("approval_id", sa.String(64)),
          sa.Column("idempotency_key", sa.String(200)),
          fk("order_id", "orders.order_id", "refunds"),
          fk("approval_id", "approvals.approval_id", "refunds"),
          sa.UniqueConstraint("idempotency_key", name="uq_refunds_idempotency_key"),
          pk=["refund_id"])
    partial_unique("one_live_refund_per_order", "refunds", ["order_id"], "status IN ('approved', 'refunded')")
    table("tickets",
          sa.Column("ticket_id", sa.String(32), nullable=False),
          sa.Column("order_id", sa.String(32)),
          sa.Column("customer_id", sa.String(32)),
          sa.Column("category", text, nullable=False),
          sa.Column("description", text, nullable=False),
          sa.Column("status", text, nullable=False),
          sa.Column("created_at", when, nullable=False),
          sa.Column("idempotency_key", sa.String(200)),
          sa.UniqueConstraint("idempotency_key", name="uq_tickets_idempotency_key"),
          pk=["ticket_id"])
    partial_unique("one_open_ticket_per_order_category", "tickets", ["order_id", "category"],
                   "status = 'open' AND order_id IS NOT NULL")
    return tables


def partial_unique(name: str, table: str, columns: list[str], where: str) -> None:
    op.create_index(name, table, columns, unique=True, sqlite_where=sa.text(where),
                    postgresql_where=sa.text(where))


def downgrade() -> None:
    raise NotImplementedError("0002 不能降级：旧格式的时间（本地时间字符串）换算回去会丢时区。"
                              "要回到旧版本，请用 seed --reset 重建演示数据。")
