"""业务数据层：ITS 商城的 SQLite 业务库（订单、订单明细、物流、商品、退款、工单、政策）。

**工具碰数据库的地方都在这个文件里。** 函数工具（tools.py）和订单/物流 MCP 服务
（mcp_server.py，独立进程）都只调用 `ShopDB` 的方法，不写 SQL。

- 第一次启动时 `init_db()` 建表，并用同目录的 `seed.json` 填入演示数据；库文件放在
  `data/`（已被 git 忽略），仓库里只提交 JSON 种子，不提交二进制数据库。
- 每个方法开一个短连接、用完就关：函数工具在线程池里执行，MCP 服务在另一个进程里，
  短连接 + WAL 模式让它们可以同时读写同一个文件。
- 返回值都是可以直接 `json.dumps` 的 dict / list，字段名就是给模型看的名字。
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
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
CREATE TABLE IF NOT EXISTS orders (
    order_id     TEXT PRIMARY KEY,
    customer     TEXT NOT NULL,
    phone        TEXT NOT NULL,
    city         TEXT NOT NULL,
    status       TEXT NOT NULL,          -- 待发货 / 已发货 / 已签收 / 已取消
    total_amount REAL NOT NULL,
    created_at   TEXT NOT NULL
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
    refund_id   TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES orders(order_id),
    amount      REAL NOT NULL,
    reason      TEXT NOT NULL,
    status      TEXT NOT NULL,           -- approved（已批准，退款中）/ refunded（已退回）
    approved_by TEXT NOT NULL,           -- auto（未超过审批门槛）/ human（人工批准）
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tickets (
    ticket_id   TEXT PRIMARY KEY,
    order_id    TEXT,
    category    TEXT NOT NULL,
    description TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open',
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS policies (
    topic   TEXT PRIMARY KEY,
    content TEXT NOT NULL
);
"""


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


class ShopDB:
    """ITS 商城业务库。`ShopDB(path)` 很便宜：不持有连接，每次操作开一个短连接。"""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=5)) as conn:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            yield conn

    # ------------------------------------------------------------ 建库

    def init(self, seed_path: Path = SEED_PATH, *, reset: bool = False) -> bool:
        """建表；库是空的（或 reset=True）时填入种子数据。返回这次是否填了种子。"""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if reset and self.path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        with self.connect() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(SCHEMA)
            if conn.execute("SELECT COUNT(*) FROM products").fetchone()[0]:
                return False
            self._seed(conn, json.loads(seed_path.read_text(encoding="utf-8")))
            conn.commit()
        return True

    @staticmethod
    def _seed(conn: sqlite3.Connection, seed: dict[str, Any]) -> None:
        base = now()

        def ago(days: float = 0, hours: float = 0) -> str:
            return (base - timedelta(days=days, hours=hours)).strftime(TIME_FORMAT)

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
            conn.execute(
                "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?)",
                (o["order_id"], o["customer"], o["phone"], o["city"], o["status"], total,
                 ago(days=o["days_ago"], hours=3)),
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
                "INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?, ?)",
                (r["refund_id"], r["order_id"], r["amount"], r["reason"], r["status"],
                 r["approved_by"], ago(days=r["days_ago"])),
            )
        for p in seed.get("policies", []):
            conn.execute("INSERT INTO policies VALUES (?, ?)", (p["topic"], p["content"]))

    # ------------------------------------------------------------ 订单与物流（MCP 服务用）

    def get_order(self, order_id: str) -> dict[str, Any] | None:
        oid = normalize_order_id(order_id)
        if oid is None:
            return None
        with self.connect() as conn:
            order = conn.execute("SELECT * FROM orders WHERE order_id = ?", (oid,)).fetchone()
            if order is None:
                return None
            items = conn.execute(
                "SELECT name, sku, quantity, unit_price FROM order_items WHERE order_id = ?",
                (oid,),
            ).fetchall()
        return {
            "order_id": order["order_id"],
            "status": order["status"],
            "total_amount": order["total_amount"],
            "created_at": order["created_at"],
            "customer": order["customer"],
            "city": order["city"],
            "items": [dict(i) for i in items],
        }

    def track_shipment(self, order_id: str) -> dict[str, Any] | None:
        oid = normalize_order_id(order_id)
        if oid is None:
            return None
        with self.connect() as conn:
            order = conn.execute("SELECT status FROM orders WHERE order_id = ?", (oid,)).fetchone()
            if order is None:
                return None
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

    def refund_eligibility(self, order_id: str, window_days: int) -> dict[str, Any]:
        """按商城规则判断能否退款，返回结论和原因（也是给模型看的）。"""
        oid = normalize_order_id(order_id)
        order = self.get_order(order_id) if oid else None
        if order is None:
            return {"order_id": order_id, "eligible": False,
                    "reason": f"没有找到订单「{order_id}」，请向用户确认订单号（形如 A1001）。"}
        result = {"order_id": oid, "order_status": order["status"],
                  "refundable_amount": order["total_amount"]}
        with self.connect() as conn:
            existing = conn.execute(
                "SELECT refund_id, status, amount FROM refunds WHERE order_id = ?", (oid,)
            ).fetchone()
            ship = conn.execute(
                "SELECT delivered_at FROM shipments WHERE order_id = ?", (oid,)
            ).fetchone()
            skus = [i["sku"] for i in order["items"]]
            marks = ",".join("?" * len(skus))
            locked = conn.execute(
                f"SELECT name FROM products WHERE returnable = 0 AND sku IN ({marks})", skus
            ).fetchall()
        if existing is not None:
            return {**result, "eligible": False, "existing_refund": dict(existing),
                    "reason": f"这个订单已经有退款单 {existing['refund_id']}（{existing['status']}），不能重复申请。"}
        if order["status"] == "已取消":
            return {**result, "eligible": False, "reason": "订单已取消，款项已原路退回，无需再申请退款。"}
        if locked:
            names = "、".join(r["name"] for r in locked)
            return {**result, "eligible": False, "reason": f"{names} 是虚拟商品，售出后不支持退款。"}
        if order["status"] == "已发货":
            return {**result, "eligible": False,
                    "reason": "订单正在运输途中：可以拒收（退回仓库后自动退款），或签收后再申请退货退款。"}
        if order["status"] == "已签收":
            delivered = ship["delivered_at"] if ship and ship["delivered_at"] else order["created_at"]
            days = (now() - datetime.strptime(delivered, TIME_FORMAT)).days
            if days > window_days:
                return {**result, "eligible": False,
                        "reason": f"已签收 {days} 天，超过 {window_days} 天的退货期限；质量问题可以开工单走保修。"}
        return {**result, "eligible": True, "reason": "符合退款条件，可以为用户提交退款申请。"}

    def create_refund(self, order_id: str, reason: str, *, approved_by: str,
                      window_days: int) -> dict[str, Any]:
        """提交退款：先按规则复核；同一订单只会有一张退款单（重复提交返回已有的那张）。"""
        check = self.refund_eligibility(order_id, window_days)
        if not check["eligible"]:
            existing = check.get("existing_refund")
            if existing:
                return {"created": False, "refund": existing, "reason": check["reason"]}
            return {"created": False, "reason": check["reason"]}
        refund = {
            "refund_id": "R" + uuid.uuid4().hex[:8].upper(),
            "order_id": check["order_id"],
            "amount": check["refundable_amount"],
            "reason": (reason or "").strip()[:200] or "未说明",
            "status": "approved",
            "approved_by": approved_by,
            "created_at": now().strftime(TIME_FORMAT),
        }
        with self.connect() as conn:
            conn.execute("INSERT INTO refunds VALUES (:refund_id, :order_id, :amount, :reason,"
                         " :status, :approved_by, :created_at)", refund)
            conn.commit()
        return {"created": True, "refund": refund,
                "note": "退款已受理，1-3 个工作日原路退回。"}

    def refunds(self, order_id: str | None = None) -> list[dict[str, Any]]:
        with self.connect() as conn:
            if order_id:
                rows = conn.execute("SELECT * FROM refunds WHERE order_id = ? ORDER BY created_at",
                                    (normalize_order_id(order_id),))
            else:
                rows = conn.execute("SELECT * FROM refunds ORDER BY created_at")
            return [dict(r) for r in rows]

    # ------------------------------------------------------------ 工单

    def open_ticket(self, category: str, description: str, order_id: str | None) -> dict[str, Any]:
        ticket = {
            "ticket_id": "T" + uuid.uuid4().hex[:8].upper(),
            "order_id": normalize_order_id(order_id or ""),
            "category": category,
            "description": (description or "").strip()[:500] or "（用户未描述）",
            "status": "open",
            "created_at": now().strftime(TIME_FORMAT),
        }
        with self.connect() as conn:
            conn.execute("INSERT INTO tickets VALUES (:ticket_id, :order_id, :category,"
                         " :description, :status, :created_at)", ticket)
            conn.commit()
        return {**ticket, "note": "工单已创建，人工客服会在 24 小时内联系用户。"}
