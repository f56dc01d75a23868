"""业务数据层：ITS 商城的 SQLite 业务库（订单、物流、商品、政策、退款、工单、审批单）。

**工具碰数据库的地方都在这个文件里。** 业务库只有一个主人——业务服务（mcp_server.py，独立进程，
MCP over streamable HTTP）；客服进程（worker）不打开这个文件，而是通过 MCP 调用业务服务，
业务服务再调用这里 `ShopDB` 的方法。所以不管开几个 worker、放在几台机器上，业务数据只有一份。

业务规则由数据库自己守住，而不是靠“先查再写”的应用代码（那样两个并发请求都会查到“没有”）：
- 同一订单最多一张进行中或已完成的退款单：`refunds` 上的部分唯一索引 + `BEGIN IMMEDIATE` 事务里
  先复核再插入；同一次工具调用重试（幂等键）返回第一次的结果，不会再退一次。
- 同一订单同一类别最多一张未关闭的工单；同一次工具调用重试返回同一张工单。
- 同一订单最多一张待审批的退款审批单；审批单的状态只能 pending → approved / rejected 变一次
  （`UPDATE ... WHERE status = 'pending'`），两位主管同时点，只有一位生效。
- 超过审批门槛的退款，没有“已批准、订单对得上”的审批单就不能创建——审批不是只靠 worker 自觉。
- 库存：目前没有工具改库存（只查询），所以没有要守的库存规则。

返回值都是可以直接 `json.dumps` 的 dict / list，字段名就是给模型和后台页面看的名字。
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

SEED_PATH = Path(__file__).with_name("seed.json")
ORDER_ID = re.compile(r"^[A-Z]{1,4}-?\d{3,12}$")
TIME_FORMAT = "%Y-%m-%d %H:%M"

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    sku         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    category    TEXT NOT NULL,
    price       REAL NOT NULL,
    stock       INTEGER NOT NULL,
    returnable  INTEGER NOT NULL DEFAULT 1,
    description TEXT NOT NULL DEFAULT ''
);
-- 顾客：订单、工单都指向这里。演示里“登录”就是选一位顾客（页面上的 customer_id）。
CREATE TABLE IF NOT EXISTS customers (
    customer_id TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL,           -- 已打码：138****0001
    city        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '' -- 默认收货地址（完整的街道门牌：个人信息）
);
CREATE TABLE IF NOT EXISTS orders (
    order_id     TEXT PRIMARY KEY,
    customer     TEXT NOT NULL,          -- 下单顾客的名字（和 customers.name 相同，方便后台显示）
    phone        TEXT NOT NULL,
    city         TEXT NOT NULL,
    status       TEXT NOT NULL,          -- 待发货 / 已发货 / 已签收 / 已取消
    total_amount REAL NOT NULL,
    created_at   TEXT NOT NULL,
    customer_id  TEXT REFERENCES customers(customer_id),  -- 订单属于谁：订单类操作只对本人开放
    address      TEXT NOT NULL DEFAULT ''                 -- 收货地址
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
    status          TEXT NOT NULL,       -- approved（已批准，退款中）/ refunded（已退回）/ void（作废）
    approved_by     TEXT NOT NULL,       -- auto（未超过审批门槛）/ staff（主管批准，见 approval_id）
    created_at      TEXT NOT NULL,
    approval_id     TEXT REFERENCES approvals(approval_id),
    idempotency_key TEXT UNIQUE          -- 哪一次工具调用创建的：重试返回同一张
);
CREATE TABLE IF NOT EXISTS tickets (
    ticket_id       TEXT PRIMARY KEY,
    order_id        TEXT,
    category        TEXT NOT NULL,
    description     TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open',
    created_at      TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    customer_id     TEXT                 -- 谁开的工单
);
CREATE TABLE IF NOT EXISTS policies (
    topic   TEXT PRIMARY KEY,
    content TEXT NOT NULL
);
-- 审批单：谁在什么对话里要做什么（request_refund 的参数、金额、Agent 的说明），主管的决定
-- （谁、什么时候、备注），以及决定之后“接着运行”的进度（哪个 worker 在处理、租约到期时间、
-- 试了几次、什么时候写回了对话）。一次暂停（pause_id）可能包含几张审批单。
CREATE TABLE IF NOT EXISTS approvals (
    approval_id  TEXT PRIMARY KEY,
    pause_id     TEXT NOT NULL,
    session_id   TEXT NOT NULL,
    kind         TEXT NOT NULL,          -- refund / other
    tool_name    TEXT NOT NULL,
    arguments    TEXT NOT NULL,
    order_id     TEXT,
    amount       REAL,
    customer     TEXT,
    agent        TEXT NOT NULL,          -- 发起调用的 Agent（显示名）
    message      TEXT NOT NULL,          -- 给主管和用户看的说明
    request      TEXT NOT NULL,          -- 用户这一轮的原话
    status       TEXT NOT NULL DEFAULT 'pending',   -- pending / approved / rejected
    requested_at TEXT NOT NULL,
    decided_by   TEXT,
    decided_at   TEXT,
    note         TEXT,
    lease_owner  TEXT,
    lease_until  REAL,                   -- time.time()；过期后别的 worker 可以接手
    attempts     INTEGER NOT NULL DEFAULT 0,
    applied_at   TEXT,                   -- 决定的结果写回对话的时间
    outcome      TEXT,                   -- completed / paused_again / gave_up
    call_id      TEXT,                   -- 哪一次工具调用（刷新页面时，审批卡片画在这个工具标签后面）
    customer_id  TEXT                    -- 发起申请的顾客（会话的主人）
);
CREATE INDEX IF NOT EXISTS idx_approvals_pause ON approvals (pause_id);
CREATE INDEX IF NOT EXISTS idx_approvals_status ON approvals (status, applied_at);
"""

# 业务不变量：放在数据库里，任何并发交错都绕不过去。
INVARIANTS = """
CREATE UNIQUE INDEX IF NOT EXISTS one_live_refund_per_order
    ON refunds (order_id) WHERE status IN ('approved', 'refunded');
CREATE UNIQUE INDEX IF NOT EXISTS one_open_ticket_per_order_category
    ON tickets (order_id, category) WHERE status = 'open' AND order_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS one_pending_refund_approval_per_order
    ON approvals (order_id) WHERE status = 'pending' AND kind = 'refund';
CREATE INDEX IF NOT EXISTS idx_orders_customer ON orders (customer_id);
"""
SCHEMA_VERSION = 3


def now() -> datetime:
    return datetime.now().replace(second=0, microsecond=0)


def normalize_order_id(order_id: str) -> str | None:
    """“a1001”“#A1001 ”都认作 A1001；不像订单号的返回 None（模型可能传“未提供”）。"""
    value = (order_id or "").strip().lstrip("#").upper()
    return value if ORDER_ID.match(value) else None


def search_terms(keyword: str) -> list[str]:
    """把“适合跑步的蓝牙耳机”拆成可以匹配的小片段：英文/数字单词 + 中文双字词。"""
    terms: list[str] = []
    for run in re.findall(r"[A-Za-z0-9]+|[\u4e00-\u9fff]+", keyword or ""):
        if run.isascii():
            terms.append(run.lower())
        elif len(run) <= 2:
            terms.append(run)
        else:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    stop = {"有没", "没有", "哪些", "什么", "推荐", "一下", "一款", "一个", "适合", "我想", "想买"}
    return [t for t in dict.fromkeys(terms) if t not in stop]


@dataclass(frozen=True)
class RefundRules:
    """退款规则：审批门槛（元）和签收后可退款的天数。业务服务启动时从配置读入。"""

    approval_threshold: float = 500.0
    window_days: int = 15


class ShopDB:
    """ITS 商城业务库。每个线程一条长连接（业务服务在线程池里执行工具），用完不关。

    写操作都在 `transaction()` 里：`BEGIN IMMEDIATE` 一开始就拿到写锁，事务内的“复核再插入”
    不会和别的连接交错；唯一索引再兜底一次。
    """

    def __init__(self, path: str | Path, rules: RefundRules | None = None) -> None:
        self.path = Path(path)
        self.rules = rules or RefundRules()
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # isolation_level=None：自己写 BEGIN / COMMIT，读操作不开隐式事务
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 10000")
            self._local.conn = conn
        return conn

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """只读操作用：本线程的连接（自动提交模式）。"""
        yield self._conn()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """写操作用：BEGIN IMMEDIATE … COMMIT，出错回滚。"""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # ------------------------------------------------------------ 建库

    def init(self, seed_path: Path = SEED_PATH, *, reset: bool = False) -> bool:
        """建表（旧版本的库就地升级）；库是空的（或 reset=True）时填入种子数据。返回这次是否填了种子。"""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if reset and self.path.exists():
            self.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        conn = self._conn()
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(SCHEMA)  # 都是 IF NOT EXISTS：几个进程同时建也没关系
        seed = json.loads(seed_path.read_text(encoding="utf-8"))
        with self.transaction() as tx:
            self._upgrade(tx, seed)
            for statement in filter(str.strip, INVARIANTS.split(";")):
                tx.execute(statement)
            tx.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if tx.execute("SELECT COUNT(*) FROM products").fetchone()[0]:
                return False
            self._seed(tx, seed)
        return True

    @staticmethod
    def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
        return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}

    @classmethod
    def _upgrade(cls, conn: sqlite3.Connection, seed: dict[str, Any]) -> None:
        """上一版的库就地升级：补列（审批单、幂等键、顾客）；按新规则重复的退款单只留最早的一张，其余作废；
        订单按下单人的名字认领到演示顾客名下（没有顾客表的那一版）。"""
        for table, column, kind in (("orders", "customer_id", "TEXT"), ("orders", "address", "TEXT NOT NULL DEFAULT ''"),
                                    ("tickets", "customer_id", "TEXT"), ("approvals", "call_id", "TEXT"),
                                    ("approvals", "customer_id", "TEXT")):
            if column not in cls._columns(conn, table):
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        has_orders = conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
        if has_orders and not conn.execute("SELECT COUNT(*) FROM customers").fetchone()[0]:
            for c in seed.get("customers", []):
                conn.execute("INSERT INTO customers VALUES (:customer_id, :name, :phone, :city, :address)", c)
                conn.execute("UPDATE orders SET customer_id = ?, address = ? WHERE customer = ? AND customer_id IS NULL",
                             (c["customer_id"], c["address"], c["name"]))
        columns = cls._columns(conn, "refunds")
        if "approval_id" not in columns:
            conn.execute("ALTER TABLE refunds ADD COLUMN approval_id TEXT")
        if "idempotency_key" not in columns:
            conn.execute("ALTER TABLE refunds ADD COLUMN idempotency_key TEXT")
            conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS refunds_idempotency"
                         " ON refunds (idempotency_key)")
        if "idempotency_key" not in cls._columns(conn, "tickets"):
            conn.execute("ALTER TABLE tickets ADD COLUMN idempotency_key TEXT")
            conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS tickets_idempotency"
                         " ON tickets (idempotency_key)")
        conn.execute(
            "UPDATE refunds SET status = 'void' WHERE status IN ('approved', 'refunded') AND rowid NOT IN"
            " (SELECT MIN(rowid) FROM refunds WHERE status IN ('approved', 'refunded') GROUP BY order_id)"
        )
        conn.execute(
            "UPDATE tickets SET status = 'merged' WHERE status = 'open' AND order_id IS NOT NULL"
            " AND rowid NOT IN (SELECT MIN(rowid) FROM tickets WHERE status = 'open'"
            " AND order_id IS NOT NULL GROUP BY order_id, category)"
        )

    @staticmethod
    def _seed(conn: sqlite3.Connection, seed: dict[str, Any]) -> None:
        base = now()

        def ago(days: float = 0, hours: float = 0) -> str:
            return (base - timedelta(days=days, hours=hours)).strftime(TIME_FORMAT)

        customers = {}
        for c in seed.get("customers", []):
            customers[c["customer_id"]] = c
            conn.execute("INSERT INTO customers VALUES (:customer_id, :name, :phone, :city, :address)", c)
        prices = {}
        for p in seed["products"]:
            prices[p["sku"]] = (p["name"], p["price"])
            conn.execute(
                "INSERT INTO products VALUES (?, ?, ?, ?, ?, ?, ?)",
                (p["sku"], p["name"], p["category"], p["price"], p["stock"],
                 int(p.get("returnable", True)), p.get("description", "")),
            )
        for o in seed["orders"]:
            total = sum(prices[i["sku"]][1] * i["quantity"] for i in o["items"])
            who = customers[o["customer_id"]]
            conn.execute(
                "INSERT INTO orders (order_id, customer, phone, city, status, total_amount, created_at,"
                " customer_id, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (o["order_id"], who["name"], who["phone"], who["city"], o["status"], total,
                 ago(days=o["days_ago"], hours=3), who["customer_id"], o.get("address") or who["address"]),
            )
            for i in o["items"]:
                name, price = prices[i["sku"]]
                conn.execute(
                    "INSERT INTO order_items (order_id, sku, name, quantity, unit_price)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (o["order_id"], i["sku"], name, i["quantity"], price),
                )
            ship = o.get("shipment")
            if ship:
                eta = (base + timedelta(days=ship["eta_days"])).strftime("%Y-%m-%d") \
                    if "eta_days" in ship else None
                delivered = ago(days=ship["delivered_days_ago"]) \
                    if "delivered_days_ago" in ship else None
                conn.execute(
                    "INSERT INTO shipments VALUES (?, ?, ?, ?, ?)",
                    (o["order_id"], ship["carrier"], ship["tracking_no"], eta, delivered),
                )
                for e in ship["events"]:
                    conn.execute(
                        "INSERT INTO logistics_events (order_id, event_time, location, description)"
                        " VALUES (?, ?, ?, ?)",
                        (o["order_id"], ago(hours=e["hours_ago"]), e["location"], e["description"]),
                    )
        for r in seed.get("refunds", []):
            conn.execute(
                "INSERT INTO refunds (refund_id, order_id, amount, reason, status, approved_by,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (r["refund_id"], r["order_id"], r["amount"], r["reason"], r["status"],
                 r["approved_by"], ago(days=r["days_ago"])),
            )
        for p in seed.get("policies", []):
            conn.execute("INSERT INTO policies VALUES (?, ?)", (p["topic"], p["content"]))

    # ------------------------------------------------------------ 顾客

    def customers(self) -> list[dict[str, Any]]:
        """演示顾客（登录页列出的就是他们）：编号、名字、城市、打码的手机号、订单号。"""
        with self.connect() as conn:
            rows = conn.execute("SELECT customer_id, name, city, phone FROM customers ORDER BY customer_id").fetchall()
            orders = conn.execute("SELECT customer_id, order_id FROM orders WHERE customer_id IS NOT NULL"
                                  " ORDER BY order_id").fetchall()
        owned: dict[str, list[str]] = {}
        for o in orders:
            owned.setdefault(o["customer_id"], []).append(o["order_id"])
        return [{**dict(r), "orders": owned.get(r["customer_id"], [])} for r in rows]

    def get_customer(self, customer_id: str) -> dict[str, Any] | None:
        return next((c for c in self.customers() if c["customer_id"] == customer_id), None)

    def _own_order(self, conn: sqlite3.Connection, order_id: str, customer_id: str | None) -> sqlite3.Row | None:
        """这个顾客名下的这张订单；订单不存在、不是他的、没说是谁，一律 None（调用方回同一句话，不泄露订单在不在）。"""
        oid = normalize_order_id(order_id)
        if oid is None or not customer_id:
            return None
        return conn.execute("SELECT * FROM orders WHERE order_id = ? AND customer_id = ?",
                            (oid, customer_id)).fetchone()

    def disclosures(self, text: str, customer_id: str | None) -> list[dict[str, str]]:
        """一段文字（Agent 的回答）里出现了哪些**别的顾客**的个人信息：姓名、手机号、收货地址、运单号。
        输出护栏用它（见 guardrails.py）。演示数据很小，直接逐条比对；真实的商城会先从文字里抽出
        手机号、运单号这类候选，再按索引查它们属于谁。"""
        found: list[dict[str, str]] = []
        with self.connect() as conn:
            people = conn.execute("SELECT name, phone, address FROM customers WHERE customer_id != ?",
                                  (customer_id or "",)).fetchall()
            parcels = conn.execute("SELECT s.tracking_no, o.address FROM shipments s JOIN orders o"
                                   " ON o.order_id = s.order_id WHERE COALESCE(o.customer_id, '') != ?",
                                   (customer_id or "",)).fetchall()
        for kind, value in ([("姓名", p["name"]) for p in people] + [("手机号", p["phone"]) for p in people]
                            + [("地址", p["address"]) for p in people] + [("运单号", p["tracking_no"]) for p in parcels]
                            + [("地址", p["address"]) for p in parcels]):
            if value and value in text and {"kind": kind, "value": value} not in found:
                found.append({"kind": kind, "value": value})
        return found

    # ------------------------------------------------------------ 订单与物流（订单专员的 MCP 工具）

    def get_order(self, order_id: str, customer_id: str | None = None) -> dict[str, Any]:
        with self.connect() as conn:
            order = self._own_order(conn, order_id, customer_id)
            if order is None:
                return not_found(order_id)
            items = conn.execute(
                "SELECT name, sku, quantity, unit_price FROM order_items WHERE order_id = ?",
                (order["order_id"],),
            ).fetchall()
        return {
            "order_id": order["order_id"],
            "status": order["status"],
            "total_amount": order["total_amount"],
            "created_at": order["created_at"],
            "customer": order["customer"],
            "city": order["city"],
            "shipping_address": order["address"],
            "items": [dict(i) for i in items],
        }

    def track_shipment(self, order_id: str, customer_id: str | None = None) -> dict[str, Any]:
        with self.connect() as conn:
            order = self._own_order(conn, order_id, customer_id)
            if order is None:
                return not_found(order_id)
            oid = order["order_id"]
            ship = conn.execute("SELECT * FROM shipments WHERE order_id = ?", (oid,)).fetchone()
            events = conn.execute(
                "SELECT event_time, location, description FROM logistics_events"
                " WHERE order_id = ? ORDER BY event_time DESC",
                (oid,),
            ).fetchall()
        if ship is None:
            note = "还没有发货，暂无物流信息" if order["status"] == "待发货" else "没有物流信息"
            return {"order_id": oid, "order_status": order["status"], "note": note}
        return {
            "order_id": oid,
            "order_status": order["status"],
            "carrier": ship["carrier"],
            "tracking_no": ship["tracking_no"],
            "latest": dict(events[0]) if events else None,
            "eta": ship["eta"],
            "delivered_at": ship["delivered_at"],
            "events": [dict(e) for e in events],
        }

    # ------------------------------------------------------------ 商品与政策

    def search_products(self, keyword: str, limit: int = 5) -> list[dict[str, Any]]:
        terms = search_terms(keyword)
        with self.connect() as conn:
            rows = conn.execute("SELECT * FROM products").fetchall()
        scored = []
        for row in rows:
            text = f"{row['name']} {row['category']} {row['description']} {row['sku']}".lower()
            score = sum(3 if t in row["category"] else 2 if t in row["name"] else 1
                        for t in terms if t in text)
            if score:
                scored.append((score, row))
        scored.sort(key=lambda x: (-x[0], x[1]["price"]))
        if scored:  # 只留和最佳结果差不多相关的：“蓝牙耳机”不该带出“支持蓝牙的键盘”
            scored = [(s, r) for s, r in scored if s * 2 >= scored[0][0]]
        return [
            {"sku": r["sku"], "name": r["name"], "category": r["category"], "price": r["price"],
             "stock": r["stock"], "in_stock": r["stock"] > 0, "description": r["description"]}
            for _, r in scored[:limit]
        ]

    def categories(self) -> list[str]:
        with self.connect() as conn:
            rows = conn.execute("SELECT DISTINCT category FROM products ORDER BY category")
            return [r[0] for r in rows]

    def find_policies(self, topic: str) -> list[dict[str, str]]:
        terms = search_terms(topic)
        with self.connect() as conn:
            rows = conn.execute("SELECT topic, content FROM policies").fetchall()
        scored = [(sum(t in f"{r['topic']} {r['content']}" for t in terms), r) for r in rows]
        hits = [dict(r) for s, r in sorted(scored, key=lambda x: -x[0]) if s]
        return hits[:3] or [dict(r) for r in rows]

    # ------------------------------------------------------------ 退款

    def refund_eligibility(self, order_id: str, customer_id: str | None = None) -> dict[str, Any]:
        """按商城规则判断能否退款、可退多少、要不要主管审批（也是给模型看的）。只看这位顾客自己的订单。"""
        with self.connect() as conn:
            return self._eligibility(conn, order_id, customer_id)

    def _eligibility(self, conn: sqlite3.Connection, order_id: str, customer_id: str | None) -> dict[str, Any]:
        order = self._own_order(conn, order_id, customer_id)
        if order is None:
            return {"order_id": order_id, "eligible": False, "reason": not_found(order_id)["error"]}
        oid = order["order_id"]
        result = {"order_id": oid, "order_status": order["status"],
                  "refundable_amount": order["total_amount"]}
        existing = conn.execute(
            "SELECT refund_id, status, amount, approved_by FROM refunds"
            " WHERE order_id = ? AND status IN ('approved', 'refunded')", (oid,)
        ).fetchone()
        if existing is not None:
            return {**result, "eligible": False, "existing_refund": dict(existing),
                    "reason": f"这个订单已经有退款单 {existing['refund_id']}（{existing['status']}），不能重复申请。"}
        waiting = conn.execute(
            "SELECT approval_id, requested_at FROM approvals"
            " WHERE order_id = ? AND kind = 'refund' AND status = 'pending'", (oid,)
        ).fetchone()
        if waiting is not None:
            return {**result, "eligible": False, "pending_approval": waiting["approval_id"],
                    "reason": f"这个订单已有一笔退款申请在等待客服主管审核（提交于 {waiting['requested_at']}），"
                              "审核结果出来之前不能重复申请。"}
        if order["status"] == "已取消":
            return {**result, "eligible": False, "reason": "订单已取消，款项已原路退回，无需再申请退款。"}
        locked = conn.execute(
            "SELECT p.name FROM order_items i JOIN products p ON p.sku = i.sku"
            " WHERE i.order_id = ? AND p.returnable = 0", (oid,)
        ).fetchall()
        if locked:
            names = "、".join(r["name"] for r in locked)
            return {**result, "eligible": False, "reason": f"{names} 是虚拟商品，售出后不支持退款。"}
        if order["status"] == "已发货":
            return {**result, "eligible": False,
                    "reason": "订单正在运输途中：可以拒收（退回仓库后自动退款），或签收后再申请退货退款。"}
        if order["status"] == "已签收":
            ship = conn.execute("SELECT delivered_at FROM shipments WHERE order_id = ?",
                                (oid,)).fetchone()
            delivered = ship["delivered_at"] if ship and ship["delivered_at"] else order["created_at"]
            days = (now() - datetime.strptime(delivered, TIME_FORMAT)).days
            window = self.rules.window_days
            if days > window:
                return {**result, "eligible": False,
                        "reason": f"已签收 {days} 天，超过 {window} 天的退货期限；质量问题可以开工单走保修。"}
        threshold = self.rules.approval_threshold
        needs = order["total_amount"] > threshold
        return {**result, "eligible": True, "needs_approval": needs, "approval_threshold": threshold,
                "reason": (f"符合退款条件；金额超过 {threshold:g} 元，提交后要客服主管审核。"
                           if needs else "符合退款条件，可以为用户提交退款申请。")}

    def create_refund(self, order_id: str, reason: str, idempotency_key: str = "",
                      approval_id: str = "", customer_id: str | None = None) -> dict[str, Any]:
        """提交退款。在一个写事务里：同一次调用（幂等键）重试 → 返回第一次的结果；按规则复核；
        超过门槛要有已批准的审批单；插入。唯一索引保证同一订单不会有第二张有效退款单。"""
        key = idempotency_key or None
        with self.transaction() as tx:
            if key:
                row = tx.execute("SELECT * FROM refunds WHERE idempotency_key = ?", (key,)).fetchone()
                if row is not None:
                    return {"created": True, "refund": _refund_public(row), "note": REFUND_NOTE}
            check = self._eligibility(tx, order_id, customer_id)
            if not check["eligible"]:
                out = {"created": False, "reason": check["reason"]}
                if check.get("existing_refund"):
                    out["refund"] = check["existing_refund"]
                return out
            approved_by = "auto"
            if check["needs_approval"]:
                approval = tx.execute("SELECT status, order_id FROM approvals WHERE approval_id = ?",
                                      (approval_id or "",)).fetchone()
                if approval is None or approval["status"] != "approved" \
                        or approval["order_id"] != check["order_id"]:
                    return {"created": False, "needs_approval": True,
                            "reason": f"金额 {check['refundable_amount']:g} 元超过 "
                                      f"{self.rules.approval_threshold:g} 元，需要客服主管审批通过后才能退款。"}
                approved_by = "staff"
            refund = {
                "refund_id": "R" + uuid.uuid4().hex[:8].upper(),
                "order_id": check["order_id"],
                "amount": check["refundable_amount"],
                "reason": (reason or "").strip()[:200] or "未说明",
                "status": "approved",
                "approved_by": approved_by,
                "created_at": now().strftime(TIME_FORMAT),
                "approval_id": approval_id if approved_by == "staff" else None,
                "idempotency_key": key,
            }
            try:
                tx.execute("INSERT INTO refunds (refund_id, order_id, amount, reason, status,"
                           " approved_by, created_at, approval_id, idempotency_key) VALUES"
                           " (:refund_id, :order_id, :amount, :reason, :status, :approved_by,"
                           " :created_at, :approval_id, :idempotency_key)", refund)
            except sqlite3.IntegrityError:  # 事务已经排除了这种情况；唯一索引是最后一道闸
                return {"created": False, "reason": "这个订单已经有退款单，不能重复申请。"}
        return {"created": True, "refund": _refund_public(refund), "note": REFUND_NOTE}

    def refunds(self, order_id: str | None = None) -> list[dict[str, Any]]:
        with self.connect() as conn:
            if order_id:
                rows = conn.execute("SELECT * FROM refunds WHERE order_id = ? ORDER BY created_at",
                                    (normalize_order_id(order_id),))
            else:
                rows = conn.execute("SELECT * FROM refunds ORDER BY created_at")
            return [dict(r) for r in rows]

    # ------------------------------------------------------------ 工单

    def open_ticket(self, category: str, description: str, order_id: str | None = None,
                    idempotency_key: str = "", customer_id: str | None = None) -> dict[str, Any]:
        """建工单。同一次调用重试返回同一张；同一订单同一类别已有未关闭的工单时不再新建；
        带了订单号就必须是这位顾客自己的订单（别人的订单不能挂到自己的工单上）。"""
        key = idempotency_key or None
        oid = normalize_order_id(order_id or "")
        with self.transaction() as tx:
            if oid and self._own_order(tx, oid, customer_id) is None:
                return {"created": False, **not_found(order_id or "")}
            if key:
                row = tx.execute("SELECT * FROM tickets WHERE idempotency_key = ?", (key,)).fetchone()
                if row is not None:
                    return {**_ticket_public(row), "note": TICKET_NOTE}
            if oid:
                row = tx.execute("SELECT * FROM tickets WHERE order_id = ? AND category = ?"
                                 " AND status = 'open'", (oid, category)).fetchone()
                if row is not None:
                    return {**_ticket_public(row), "existing": True,
                            "note": f"这个订单已有一张未关闭的{category}工单 {row['ticket_id']}，"
                                    "人工客服会按这张工单联系用户，不再重复创建。"}
            ticket = {
                "ticket_id": "T" + uuid.uuid4().hex[:8].upper(),
                "order_id": oid,
                "category": category,
                "description": (description or "").strip()[:500] or "（用户未描述）",
                "status": "open",
                "created_at": now().strftime(TIME_FORMAT),
                "idempotency_key": key,
                "customer_id": customer_id or None,
            }
            tx.execute("INSERT INTO tickets (ticket_id, order_id, category, description, status,"
                       " created_at, idempotency_key, customer_id) VALUES (:ticket_id, :order_id, :category,"
                       " :description, :status, :created_at, :idempotency_key, :customer_id)", ticket)
        return {**_ticket_public(ticket), "note": TICKET_NOTE}

    def tickets(self, order_id: str | None = None) -> list[dict[str, Any]]:
        with self.connect() as conn:
            if order_id:
                rows = conn.execute("SELECT * FROM tickets WHERE order_id = ? ORDER BY created_at",
                                    (normalize_order_id(order_id),))
            else:
                rows = conn.execute("SELECT * FROM tickets ORDER BY created_at")
            return [dict(r) for r in rows]

    # ------------------------------------------------------------ 审批单

    def open_approval(self, approval_id: str, pause_id: str, session_id: str, tool_name: str,
                      arguments: str, agent: str, request: str, call_id: str = "",
                      customer_id: str = "") -> dict[str, Any]:
        """运行暂停在一个要审批的工具调用上：建一张 pending 审批单。同一订单已有待审批的退款时
        不建（部分唯一索引），返回 created=False 和原因，worker 据此直接拒绝这次调用。"""
        try:
            args = json.loads(arguments or "{}")
        except ValueError:
            args = {}
        args = args if isinstance(args, dict) else {}
        kind = "refund" if tool_name == "request_refund" else "other"
        with self.transaction() as tx:
            order_id = normalize_order_id(str(args.get("order_id", ""))) if kind == "refund" else None
            amount = customer = None
            message = f"{tool_name} 需要客服主管审核后才会执行。"
            if order_id:
                order = tx.execute("SELECT customer, total_amount FROM orders WHERE order_id = ?",
                                   (order_id,)).fetchone()
                if order is not None:
                    amount, customer = order["total_amount"], order["customer"]
                    message = (f"订单 {order_id} 申请退款 {amount:g} 元（原因：{args.get('reason') or '未说明'}），"
                               f"超过 {self.rules.approval_threshold:g} 元的审批门槛，需要客服主管审核。")
            row = {
                "approval_id": approval_id, "pause_id": pause_id, "session_id": session_id,
                "kind": kind, "tool_name": tool_name, "arguments": arguments or "{}",
                "order_id": order_id, "amount": amount, "customer": customer, "agent": agent,
                "message": message, "request": request, "status": "pending",
                "requested_at": stamp(), "call_id": call_id or None, "customer_id": customer_id or None,
            }
            try:
                tx.execute("INSERT INTO approvals (approval_id, pause_id, session_id, kind, tool_name,"
                           " arguments, order_id, amount, customer, agent, message, request, status,"
                           " requested_at, call_id, customer_id) VALUES (:approval_id, :pause_id, :session_id,"
                           " :kind, :tool_name, :arguments, :order_id, :amount, :customer, :agent, :message,"
                           " :request, :status, :requested_at, :call_id, :customer_id)", row)
            except sqlite3.IntegrityError:
                other = tx.execute("SELECT * FROM approvals WHERE order_id = ? AND kind = 'refund'"
                                   " AND status = 'pending'", (order_id,)).fetchone()
                if other is None:  # 主键冲突：同一张审批单重复提交
                    other = tx.execute("SELECT * FROM approvals WHERE approval_id = ?",
                                       (approval_id,)).fetchone()
                    return {"created": True, "approval": _approval_public(other)}
                return {"created": False, "conflict": _approval_public(other),
                        "reason": f"订单 {order_id} 已有一笔退款申请在等待客服主管审核"
                                  f"（提交于 {other['requested_at']}），不能重复提交。"}
        return {"created": True, "approval": _approval_public(row)}

    def decide_approval(self, approval_id: str, decision: str, staff: str,
                        note: str = "") -> dict[str, Any]:
        """主管的决定：pending → approved / rejected，只能变一次。两位主管同时点，
        `WHERE status = 'pending'` 只让一条 UPDATE 生效，另一位得到 already_decided。"""
        status = {"approve": "approved", "reject": "rejected"}.get(decision)
        if status is None:
            return {"ok": False, "error": "bad_decision"}
        with self.transaction() as tx:
            changed = tx.execute(
                "UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, note = ?"
                " WHERE approval_id = ? AND status = 'pending'",
                (status, staff, stamp(), (note or "").strip()[:500], approval_id),
            ).rowcount
            row = tx.execute("SELECT * FROM approvals WHERE approval_id = ?",
                             (approval_id,)).fetchone()
        if row is None:
            return {"ok": False, "error": "not_found"}
        if not changed:
            return {"ok": False, "error": "already_decided", "approval": _approval_public(row)}
        return {"ok": True, "approval": _approval_public(row)}

    def get_approval(self, approval_id: str) -> dict[str, Any] | None:
        with self.connect() as conn:
            row = conn.execute("SELECT * FROM approvals WHERE approval_id = ?",
                               (approval_id,)).fetchone()
        return _approval_public(row) if row else None

    def list_approvals(self, status: str = "pending", session_id: str = "",
                       limit: int = 100) -> list[dict[str, Any]]:
        """status：pending（待审批）/ decided（已决定）/ all。"""
        where, params = [], []
        if status == "pending":
            where.append("status = 'pending'")
        elif status == "decided":
            where.append("status != 'pending'")
        if session_id:
            where.append("session_id = ?")
            params.append(session_id)
        sql = "SELECT * FROM approvals" + (" WHERE " + " AND ".join(where) if where else "")
        order = " ORDER BY requested_at" if status == "pending" else " ORDER BY decided_at DESC"
        with self.connect() as conn:
            rows = conn.execute(sql + order + " LIMIT ?", (*params, max(1, min(limit, 500))))
            return [_approval_public(r) for r in rows]

    # ------------------------------------------------------------ 决定之后：接着运行的租约

    def claim_resume(self, worker: str, lease_seconds: float, pause_id: str = "") -> dict[str, Any]:
        """找一次“审批单都已决定、还没写回对话、没人在处理（或租约已过期）”的暂停，占下它。
        租约过期（处理它的 worker 死了）后，别的 worker 会在这里再次占到它。"""
        clock = time.time()
        with self.transaction() as tx:
            sql = ("SELECT pause_id FROM approvals WHERE applied_at IS NULL"
                   + (" AND pause_id = ?" if pause_id else "")
                   + " GROUP BY pause_id HAVING SUM(status = 'pending') = 0"
                   " AND MAX(COALESCE(lease_until, 0)) < ? ORDER BY MIN(decided_at) LIMIT 1")
            row = tx.execute(sql, (pause_id, clock) if pause_id else (clock,)).fetchone()
            if row is None:
                return {"pause_id": None}
            tx.execute("UPDATE approvals SET lease_owner = ?, lease_until = ?, attempts = attempts + 1"
                       " WHERE pause_id = ?", (worker, clock + lease_seconds, row["pause_id"]))
            rows = tx.execute("SELECT * FROM approvals WHERE pause_id = ? ORDER BY requested_at",
                              (row["pause_id"],)).fetchall()
        return {"pause_id": row["pause_id"], "approvals": [_approval_public(r) for r in rows],
                "attempts": max(r["attempts"] for r in rows)}

    def renew_resume(self, pause_id: str, worker: str, lease_seconds: float) -> bool:
        with self.transaction() as tx:
            return tx.execute("UPDATE approvals SET lease_until = ? WHERE pause_id = ?"
                              " AND lease_owner = ? AND applied_at IS NULL",
                              (time.time() + lease_seconds, pause_id, worker)).rowcount > 0

    def release_resume(self, pause_id: str, worker: str, retry_in: float,
                       count_attempt: bool = True) -> bool:
        """这次没做成（模型出错、会话正忙）：放开租约，retry_in 秒后再试。"""
        with self.transaction() as tx:
            return tx.execute(
                "UPDATE approvals SET lease_owner = NULL, lease_until = ?,"
                " attempts = attempts - ? WHERE pause_id = ? AND lease_owner = ? AND applied_at IS NULL",
                (time.time() + retry_in, 0 if count_attempt else 1, pause_id, worker),
            ).rowcount > 0

    def finish_resume(self, pause_id: str, worker: str, outcome: str) -> bool:
        """结果已经写回对话：这次暂停处理完了（只记一次）。"""
        with self.transaction() as tx:
            return tx.execute(
                "UPDATE approvals SET applied_at = ?, outcome = ?, lease_owner = NULL"
                " WHERE pause_id = ? AND applied_at IS NULL", (stamp(), outcome, pause_id),
            ).rowcount > 0


REFUND_NOTE = "退款已受理，1-3 个工作日原路退回。"
TICKET_NOTE = "工单已创建，人工客服会在 24 小时内联系用户。"
APPROVAL_FIELDS = ("approval_id", "pause_id", "session_id", "kind", "tool_name", "arguments",
                   "order_id", "amount", "customer", "agent", "message", "request", "status",
                   "requested_at", "decided_by", "decided_at", "note", "applied_at", "outcome",
                   "call_id", "customer_id")


def not_found(order_id: str) -> dict[str, Any]:
    """订单不存在、不是这位顾客的：同一句话。不说“这是别人的订单”，也就不泄露这个订单号存在。"""
    shown = normalize_order_id(order_id) or (order_id or "").strip()[:20] or "（未提供）"
    return {"order_id": shown,
            "error": f"在您的账户下没有找到订单 {shown}。请核对订单号（形如 A1001）；"
                     "如果是家人或朋友的订单，请让下单的账户登录后查询。"}


def stamp() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def _refund_public(row: Any) -> dict[str, Any]:
    data = dict(row)
    data.pop("idempotency_key", None)
    return data


def _ticket_public(row: Any) -> dict[str, Any]:
    data = dict(row)
    data.pop("idempotency_key", None)
    data.pop("customer_id", None)
    return data


def _approval_public(row: Any) -> dict[str, Any]:
    data = dict(row)
    return {k: data.get(k) for k in APPROVAL_FIELDS}
