"""演示数据：把 `its_service/seed.json` 写进业务库，以及“新建一个带演示数据的库”。

    create_database(url)              升级到最新的表结构；库里还没有商品时写入演示数据（重复运行不会重复写）
    create_database(url, reset=True)  先删掉库里的所有表，再从头建、写入演示数据（seed --reset）

`python -m its_service seed [--reset]` 就是它；业务服务用默认的 SQLite 库启动时也调用它（不带 reset）。
测试、压测和评测要一份全新的演示数据时，给一个临时文件的地址调用 `create_database(url, reset=True)`。

seed.json 里的时间是相对的（`days_ago`、`hours_ago`、`eta_days`）：相对写入的这一刻换算成 UTC，
所以演示数据永远是“最近”的（A1005 永远签收了 20 天、超过退货期限）。
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from its_service.shop.database import drop_everything, make_engine, upgrade
from its_service.shop.models import (
    Customer,
    LogisticsEvent,
    Order,
    OrderItem,
    Policy,
    Product,
    Refund,
    Shipment,
    utcnow,
)

SEED_PATH = Path(__file__).resolve().parent.parent / "seed.json"


def create_database(url: str, *, reset: bool = False, seed_path: Path = SEED_PATH) -> bool:
    """建好（或升级）业务库并写入演示数据。返回这次是否写了演示数据（已经有数据时不动，返回 False）。"""
    if reset:
        drop_everything(url)
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            try:
                with session.begin():
                    return seed(session, json.loads(seed_path.read_text(encoding="utf-8")))
            except IntegrityError:  # 另一个进程同时在写同一份演示数据，它先写完了
                return False
    finally:
        engine.dispose()


def seed(session: Session, data: dict[str, Any]) -> bool:
    """库里还没有商品时写入演示数据；返回是否写了。"""
    if session.scalar(select(Product.sku).limit(1)) is not None:
        return False
    base = utcnow().replace(second=0, microsecond=0)

    def ago(days: float = 0, hours: float = 0) -> Any:
        return base - timedelta(days=days, hours=hours)

    customers = {c["customer_id"]: c for c in data.get("customers", [])}
    session.add_all(Customer(**c) for c in customers.values())
    prices = {p["sku"]: (p["name"], p["price"]) for p in data["products"]}
    session.add_all(Product(sku=p["sku"], name=p["name"], category=p["category"], price=p["price"],
                            stock=p["stock"], returnable=bool(p.get("returnable", True)),
                            description=p.get("description", "")) for p in data["products"])
    session.flush()  # 订单的外键指向顾客和商品：先写它们（PostgreSQL 立即检查外键）
    for o in data["orders"]:
        who = customers[o["customer_id"]]
        session.add(Order(order_id=o["order_id"], customer_id=who["customer_id"], customer=who["name"],
                          phone=who["phone"], city=who["city"], address=o.get("address") or who["address"],
                          status=o["status"], created_at=ago(days=o["days_ago"], hours=3),
                          total_amount=sum(prices[i["sku"]][1] * i["quantity"] for i in o["items"])))
    session.flush()
    for o in data["orders"]:
        for i in o["items"]:
            name, price = prices[i["sku"]]
            session.add(OrderItem(order_id=o["order_id"], sku=i["sku"], name=name, quantity=i["quantity"],
                                  unit_price=price))
        ship = o.get("shipment")
        if ship:
            session.add(Shipment(
                order_id=o["order_id"], carrier=ship["carrier"], tracking_no=ship["tracking_no"],
                eta=base + timedelta(days=ship["eta_days"]) if "eta_days" in ship else None,
                delivered_at=ago(days=ship["delivered_days_ago"]) if "delivered_days_ago" in ship else None))
            session.add_all(LogisticsEvent(order_id=o["order_id"], event_time=ago(hours=e["hours_ago"]),
                                           location=e["location"], description=e["description"])
                            for e in ship["events"])
    session.add_all(Refund(refund_id=r["refund_id"], order_id=r["order_id"], amount=r["amount"],
                           reason=r["reason"], status=r["status"], approved_by=r["approved_by"],
                           created_at=ago(days=r["days_ago"])) for r in data.get("refunds", []))
    session.add_all(Policy(topic=p["topic"], content=p["content"]) for p in data.get("policies", []))
    session.flush()
    return True

