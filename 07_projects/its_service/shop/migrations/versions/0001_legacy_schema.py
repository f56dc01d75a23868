"""起点：Alembic 之前的业务库（db.py 手写 SQL 的最后一版，PRAGMA user_version = 3）

那时的库没有版本表：`database.upgrade()` 认出这种库（有 products 表、user_version = 3）后把它记为这个版本，
再从这里往上升级，所以这一版的建表语句对旧库从不执行；对新库，它和 0002 一起建出今天的表。
时间是三种写法：分钟字符串（本地时间）、秒字符串（本地时间）、租约是 epoch 秒数——0002 统一成 UTC。

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

LEGACY_INDEXES = {
    "idx_approvals_pause": ("approvals", ["pause_id"], None),
    "idx_approvals_status": ("approvals", ["status", "applied_at"], None),
    "one_live_refund_per_order": ("refunds", ["order_id"], "status IN ('approved', 'refunded')"),
    "one_open_ticket_per_order_category": ("tickets", ["order_id", "category"],
                                           "status = 'open' AND order_id IS NOT NULL"),
    "one_pending_refund_approval_per_order": ("approvals", ["order_id"], "status = 'pending' AND kind = 'refund'"),
    "idx_orders_customer": ("orders", ["customer_id"], None),
}


def upgrade() -> None:
    """建出旧版的表。约束的名字写明（PostgreSQL 默认的那种写法）：models.py 的命名规则是 0002 才开始用的，
    两套名字不能撞（PostgreSQL 里主键、唯一约束背后的索引名在整个库里唯一）。"""
    text, real, integer = sa.Text, sa.Float, sa.Integer
    op.create_table(
        "products",
        sa.Column("sku", text, nullable=False),
        sa.Column("name", text, nullable=False),
        sa.Column("category", text, nullable=False),
        sa.Column("price", real, nullable=False),
        sa.Column("stock", integer, nullable=False),
        sa.Column("returnable", integer, nullable=False, server_default="1"),
        sa.Column("description", text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("sku", name="products_pkey"),
    )
    op.create_table(
        "customers",
        sa.Column("customer_id", text, nullable=False),
        sa.Column("name", text, nullable=False),
        sa.Column("phone", text, nullable=False),
        sa.Column("city", text, nullable=False),
        sa.Column("address", text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("customer_id", name="customers_pkey"),
    )
    op.create_table(
        "orders",
        sa.Column("order_id", text, nullable=False),
        sa.Column("customer", text, nullable=False),
        sa.Column("phone", text, nullable=False),
        sa.Column("city", text, nullable=False),
        sa.Column("status", text, nullable=False),
        sa.Column("total_amount", real, nullable=False),
        sa.Column("created_at", text, nullable=False),
        sa.Column("customer_id", text, sa.ForeignKey("customers.customer_id")),
        sa.Column("address", text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("order_id", name="orders_pkey"),
    )
    op.create_table(
        "order_items",
        sa.Column("id", integer, nullable=False, autoincrement=True),
        sa.Column("order_id", text, sa.ForeignKey("orders.order_id"), nullable=False),
        sa.Column("sku", text, sa.ForeignKey("products.sku"), nullable=False),
        sa.Column("name", text, nullable=False),
        sa.Column("quantity", integer, nullable=False),
        sa.Column("unit_price", real, nullable=False),
        sa.PrimaryKeyConstraint("id", name="order_items_pkey"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "shipments",
        sa.Column("order_id", text, sa.ForeignKey("orders.order_id"), nullable=False),
        sa.Column("carrier", text, nullable=False),
        sa.Column("tracking_no", text, nullable=False),
        sa.Column("eta", text),
        sa.Column("delivered_at", text),
        sa.PrimaryKeyConstraint("order_id", name="shipments_pkey"),
    )
    op.create_table(
        "logistics_events",
        sa.Column("id", integer, nullable=False, autoincrement=True),
        sa.Column("order_id", text, sa.ForeignKey("orders.order_id"), nullable=False),
        sa.Column("event_time", text, nullable=False),
        sa.Column("location", text, nullable=False),
        sa.Column("description", text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="logistics_events_pkey"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "approvals",
        sa.Column("approval_id", text, nullable=False),
        sa.Column("pause_id", text, nullable=False),
        sa.Column("session_id", text, nullable=False),
        sa.Column("kind", text, nullable=False),
        sa.Column("tool_name", text, nullable=False),
        sa.Column("arguments", text, nullable=False),
        sa.Column("order_id", text),
        sa.Column("amount", real),
        sa.Column("customer", text),
        sa.Column("agent", text, nullable=False),
        sa.Column("message", text, nullable=False),
        sa.Column("request", text, nullable=False),
        sa.Column("status", text, nullable=False, server_default="pending"),
        sa.Column("requested_at", text, nullable=False),
        sa.Column("decided_by", text),
        sa.Column("decided_at", text),
        sa.Column("note", text),
        sa.Column("lease_owner", text),
        sa.Column("lease_until", real),
        sa.Column("attempts", integer, nullable=False, server_default="0"),
        sa.Column("applied_at", text),
        sa.Column("outcome", text),
        sa.Column("call_id", text),
        sa.Column("customer_id", text),
        sa.PrimaryKeyConstraint("approval_id", name="approvals_pkey"),
    )
    op.create_table(
        "refunds",
        sa.Column("refund_id", text, nullable=False),
        sa.Column("order_id", text, sa.ForeignKey("orders.order_id"), nullable=False),
        sa.Column("amount", real, nullable=False),
        sa.Column("reason", text, nullable=False),
        sa.Column("status", text, nullable=False),
        sa.Column("approved_by", text, nullable=False),
        sa.Column("created_at", text, nullable=False),
        sa.Column("approval_id", text, sa.ForeignKey("approvals.approval_id")),
        sa.Column("idempotency_key", text),
        sa.UniqueConstraint("idempotency_key", name="refunds_idempotency_key_key"),
        sa.PrimaryKeyConstraint("refund_id", name="refunds_pkey"),
    )
    op.create_table(
        "tickets",
        sa.Column("ticket_id", text, nullable=False),
        sa.Column("order_id", text),
        sa.Column("category", text, nullable=False),
        sa.Column("description", text, nullable=False),
        sa.Column("status", text, nullable=False, server_default="open"),
        sa.Column("created_at", text, nullable=False),
        sa.Column("idempotency_key", text),
        sa.UniqueConstraint("idempotency_key", name="tickets_idempotency_key_key"),
        sa.Column("customer_id", text),
        sa.PrimaryKeyConstraint("ticket_id", name="tickets_pkey"),
    )
    op.create_table(
        "policies",
        sa.Column("topic", text, nullable=False),
        sa.Column("content", text, nullable=False),
        sa.PrimaryKeyConstraint("topic", name="policies_pkey"),
    )
    for name, (table, columns, where) in LEGACY_INDEXES.items():
        partial = {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)} if where else {}
        op.create_index(name, table, columns, unique=where is not None, **partial)


def downgrade() -> None:
    for table in ("logistics_events", "shipments", "order_items", "refunds", "tickets", "approvals",
                  "orders", "products", "customers", "policies"):
        op.drop_table(table)
