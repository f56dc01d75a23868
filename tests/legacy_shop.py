"""一个“旧格式”的演示业务库：Alembic 之前 db.py 手写 SQL 建的那种（PRAGMA user_version = 3）。

建表语句原样抄自那一版的 db.py（SCHEMA + INVARIANTS），数据按它当时的写法：时间是本地时间的字符串
（订单、物流、退款、工单精确到分钟，审批单精确到秒），租约是 epoch 秒数，租约字段在每张审批单上。
测试用它验证 `python -m its_service db upgrade` 把这样的库升到最新、一行不丢。不提交 .db 文件：每次现建。
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

SCHEMA_V3 = """
CREATE TABLE IF NOT EXISTS products (
    sku         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    category    TEXT NOT NULL,
    price       REAL NOT NULL,
    stock       INTEGER NOT NULL,
    returnable  INTEGER NOT NULL DEFAULT 1,
    description TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS customers (
    customer_id TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL,
    city        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS orders (
    order_id     TEXT PRIMARY KEY,
    customer     TEXT NOT NULL,
    phone        TEXT NOT NULL,
    city         TEXT NOT NULL,
    status       TEXT NOT NULL,
    total_amount REAL NOT NULL,
    created_at   TEXT NOT NULL,
    customer_id  TEXT REFERENCES customers(customer_id),
    address      TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS order_items (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id   TEXT NOT NULL REFERENCES orders(order_id),
    sku        TEXT NOT NULL REFERENCES products(sku),
    name       TEXT NOT NULL,
    quantity   INTEGER NOT NULL,
    unit_price REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS shipments (
    order_id     TEXT PRIMARY KEY REFERENCES orders(order_id),
    carrier      TEXT NOT NULL,
    tracking_no  TEXT NOT NULL,
    eta          TEXT,
    delivered_at TEXT
);
CREATE TABLE IF NOT EXISTS logistics_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id    TEXT NOT NULL REFERENCES orders(order_id),
    event_time  TEXT NOT NULL,
    location    TEXT NOT NULL,
    description TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS refunds (
    refund_id       TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL REFERENCES orders(order_id),
    amount          REAL NOT NULL,
    reason          TEXT NOT NULL,
    status          TEXT NOT NULL,
    approved_by     TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    approval_id     TEXT REFERENCES approvals(approval_id),
    idempotency_key TEXT UNIQUE
);
CREATE TABLE IF NOT EXISTS tickets (
    ticket_id       TEXT PRIMARY KEY,
    order_id        TEXT,
    category        TEXT NOT NULL,
    description     TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open',
    created_at      TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    customer_id     TEXT
);
CREATE TABLE IF NOT EXISTS policies (
    topic   TEXT PRIMARY KEY,
    content TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS approvals (
    approval_id  TEXT PRIMARY KEY,
    pause_id     TEXT NOT NULL,
    session_id   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    tool_name    TEXT NOT NULL,
    arguments    TEXT NOT NULL,
    order_id     TEXT,
    amount       REAL,
    customer     TEXT,
    agent        TEXT NOT NULL,
    message      TEXT NOT NULL,
    request      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',
    requested_at TEXT NOT NULL,
    decided_by   TEXT,
    decided_at   TEXT,
    note         TEXT,
    lease_owner  TEXT,
    lease_until  REAL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    applied_at   TEXT,
    outcome      TEXT,
    call_id      TEXT,
    customer_id  TEXT
);
CREATE INDEX IF NOT EXISTS idx_approvals_pause ON approvals (pause_id);
CREATE INDEX IF NOT EXISTS idx_approvals_status ON approvals (status, applied_at);
CREATE UNIQUE INDEX IF NOT EXISTS one_live_refund_per_order
    ON refunds (order_id) WHERE status IN ('approved', 'refunded');
CREATE UNIQUE INDEX IF NOT EXISTS one_open_ticket_per_order_category
    ON tickets (order_id, category) WHERE status = 'open' AND order_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS one_pending_refund_approval_per_order
    ON approvals (order_id) WHERE status = 'pending' AND kind = 'refund';
CREATE INDEX IF NOT EXISTS idx_orders_customer ON orders (customer_id);
PRAGMA user_version = 3;
"""

# 旧库里的“现在”：本地时间，和旧代码的 datetime.now() 一样不带时区
NOW = datetime(2026, 11, 20, 15, 30)
MINUTE, SECOND = "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"


def create_legacy_shop(path: Path) -> dict[str, int]:
    """建一个旧格式的库，写几行有代表性的数据。返回每张表的行数（升级后要一样多）。"""
    ago = lambda **kw: (NOW - timedelta(**kw)).strftime(MINUTE)  # noqa: E731
    with sqlite3.connect(path) as conn:
        conn.executescript(SCHEMA_V3)
        conn.executemany("INSERT INTO customers VALUES (?, ?, ?, ?, ?)", [
            ("C001", "张三", "138****0001", "武汉", "湖北省武汉市洪山区珞喻路1037号3栋402室"),
            ("C002", "李四", "139****0002", "上海", "上海市浦东新区张江路88弄6号1201室")])
        conn.executemany("INSERT INTO products VALUES (?, ?, ?, ?, ?, ?, ?)", [
            ("EP-AIR3", "声动 Air3 真无线蓝牙耳机", "蓝牙耳机", 299, 120, 1, "入耳式"),
            ("PH-X20", "星河 X20 智能手机 256GB", "手机", 3299, 18, 1, "6.7 英寸"),
            ("GC-500", "电子礼品卡 500 元", "虚拟商品", 500, 999, 0, "虚拟商品")])
        conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            ("A1001", "张三", "138****0001", "武汉", "已发货", 299, ago(days=2, hours=3), "C001", "湖北省武汉市"),
            ("A1003", "李四", "139****0002", "上海", "已签收", 3299, ago(days=5, hours=3), "C002", "上海市浦东新区"),
            ("A1006", "张三", "138****0001", "武汉", "已签收", 299, ago(days=9), "C001", "湖北省武汉市")])
        conn.executemany("INSERT INTO order_items (order_id, sku, name, quantity, unit_price) VALUES (?, ?, ?, ?, ?)",
                         [("A1001", "EP-AIR3", "声动 Air3", 1, 299), ("A1003", "PH-X20", "星河 X20", 1, 3299),
                          ("A1006", "EP-AIR3", "声动 Air3", 1, 299)])
        conn.executemany("INSERT INTO shipments VALUES (?, ?, ?, ?, ?)", [
            ("A1001", "顺丰速运", "SF1400012345", (NOW + timedelta(days=1)).strftime("%Y-%m-%d"), None),
            ("A1003", "京东物流", "JD0012345678", None, ago(days=2))])
        conn.executemany("INSERT INTO logistics_events (order_id, event_time, location, description)"
                         " VALUES (?, ?, ?, ?)", [("A1001", ago(hours=40), "深圳", "快件已揽收"),
                                                  ("A1001", ago(hours=2), "武汉洪山区", "派送中")])
        conn.execute("INSERT INTO policies VALUES ('退货退款', '签收后 15 天内可申请退货退款。')")
        # 一次暂停两张审批单：都已决定、已写回对话，租约字段在每张单子上（一样的值）
        lease = (NOW - timedelta(minutes=5)).timestamp()
        for approval_id, order_id, status in (("AP1", "A1003", "approved"), ("AP2", None, "rejected")):
            conn.execute(
                "INSERT INTO approvals VALUES (?, 'P1', 'S1', ?, 'request_refund', '{}', ?, 3299, '李四', '售后退款专员',"
                " '说明', '原话', ?, ?, 'alice', ?, '属实', 'worker-1', ?, 2, ?, 'completed', ?, 'C002')",
                (approval_id, "refund" if order_id else "other", order_id, status,
                 (NOW - timedelta(hours=1)).strftime(SECOND), (NOW - timedelta(minutes=30)).strftime(SECOND),
                 lease, (NOW - timedelta(minutes=20)).strftime(SECOND), f"call-{approval_id}"))
        # 另一次暂停：还在等主管
        conn.execute("INSERT INTO approvals (approval_id, pause_id, session_id, kind, tool_name, arguments, order_id,"
                     " amount, agent, message, request, requested_at, customer_id)"
                     " VALUES ('AP3', 'P2', 'S2', 'refund', 'request_refund', '{}', 'A1006', 299, '售后退款专员',"
                     " '说明', '原话', ?, 'C001')", ((NOW - timedelta(minutes=3)).strftime(SECOND),))
        conn.executemany("INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            ("R0001", "A1006", 299, "壶盖关不严", "refunded", "auto", ago(days=6), None, None),
            ("R0002", "A1003", 3299, "屏幕坏点", "approved", "staff", ago(minutes=20), "AP1", "S1:call-AP1")])
        conn.execute("INSERT INTO tickets VALUES ('T0001', 'A1001', '投诉', '快递太慢', 'open', ?, 'S3:call-9', 'C001')",
                     (ago(hours=1),))
        counts = {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                  for table in ("customers", "products", "orders", "order_items", "shipments", "logistics_events",
                                "policies", "approvals", "refunds", "tickets")}
    return counts
