"""顾客、订单与物流：订单专员的两个 MCP 工具（get_order、track_shipment）、登录页的顾客名单、
输出护栏要的“回答里有没有别的顾客的个人信息”。

**只看这位顾客自己的订单**：每个查询都带着顾客编号（业务服务从 MCP 请求的 `_meta` 里取，不是模型给的参数）；
订单不存在、不是他的、没说是谁，一律 `not_found()`——同一句话，不泄露这个订单号存不存在。

每个函数的第一个参数是数据库会话（`Session`），事务由调用方（service.py 的 `Shop`）开和提交；
返回值都是能直接 `json.dumps` 的 dict / list，字段名就是给模型和页面看的名字，时间是 ISO 8601（UTC）。
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from its_service.shop.models import Customer, LogisticsEvent, Order, OrderItem, Shipment, iso

ORDER_ID = re.compile(r"^[A-Z]{1,4}-?\d{3,12}$")


def normalize_order_id(order_id: str) -> str | None:
    """“a1001”“#A1001 ”都认作 A1001；不像订单号的返回 None（模型可能传“未提供”）。"""
    value = (order_id or "").strip().lstrip("#").upper()
    return value if ORDER_ID.match(value) else None


def not_found(order_id: str) -> dict[str, Any]:
    """订单不存在、不是这位顾客的：同一句话。不说“这是别人的订单”，也就不泄露这个订单号存在。"""
    shown = normalize_order_id(order_id) or (order_id or "").strip()[:20] or "（未提供）"
    return {"order_id": shown,
            "error": f"在您的账户下没有找到订单 {shown}。请核对订单号（形如 A1001）；"
                     "如果是家人或朋友的订单，请让下单的账户登录后查询。"}


def own_order(session: Session, order_id: str, customer_id: str | None) -> Order | None:
    """这位顾客名下的这张订单；不存在、不是他的、没说是谁，一律 None（调用方回 not_found）。"""
    oid = normalize_order_id(order_id)
    if oid is None or not customer_id:
        return None
    return session.scalar(select(Order).where(Order.order_id == oid, Order.customer_id == customer_id))


# ---------------------------------------------------------------- 顾客


def customers(session: Session) -> list[dict[str, Any]]:
    """演示顾客（登录页列出的就是他们）：编号、名字、城市、打码的手机号、订单号。"""
    owned: dict[str, list[str]] = {}
    for customer_id, order_id in session.execute(
            select(Order.customer_id, Order.order_id).where(Order.customer_id.is_not(None))
            .order_by(Order.order_id)):
        owned.setdefault(customer_id, []).append(order_id)
    return [{"customer_id": c.customer_id, "name": c.name, "city": c.city, "phone": c.phone,
             "orders": owned.get(c.customer_id, [])}
            for c in session.scalars(select(Customer).order_by(Customer.customer_id))]


def disclosures(session: Session, text: str, customer_id: str | None) -> list[dict[str, str]]:
    """一段文字（Agent 的回答）里出现了哪些**别的顾客**的个人信息：姓名、手机号、收货地址、运单号。
    输出护栏用它（guardrails.py）。演示数据很小，直接逐条比对；真实的商城会先从文字里抽出手机号、
    运单号这类候选，再按索引查它们属于谁。"""
    others = session.scalars(select(Customer).where(Customer.customer_id != (customer_id or ""))).all()
    parcels = session.execute(
        select(Shipment.tracking_no, Order.address).join(Order, Order.order_id == Shipment.order_id)
        .where(Order.customer_id.is_distinct_from(customer_id or ""))).all()
    candidates = ([("姓名", c.name) for c in others] + [("手机号", c.phone) for c in others]
                  + [("地址", c.address) for c in others] + [("运单号", p.tracking_no) for p in parcels]
                  + [("地址", p.address) for p in parcels])
    found: list[dict[str, str]] = []
    for kind, value in candidates:
        if value and value in text and {"kind": kind, "value": value} not in found:
            found.append({"kind": kind, "value": value})
    return found


# ---------------------------------------------------------------- 订单与物流


def get_order(session: Session, order_id: str, customer_id: str | None = None) -> dict[str, Any]:
    order = own_order(session, order_id, customer_id)
    if order is None:
        return not_found(order_id)
    items = session.scalars(select(OrderItem).where(OrderItem.order_id == order.order_id)
                            .order_by(OrderItem.id))
    return {
        "order_id": order.order_id,
        "status": order.status,
        "total_amount": order.total_amount,
        "created_at": iso(order.created_at),
        "customer": order.customer,
        "city": order.city,
        "shipping_address": order.address,
        "items": [{"name": i.name, "sku": i.sku, "quantity": i.quantity, "unit_price": i.unit_price}
                  for i in items],
    }


def track_shipment(session: Session, order_id: str, customer_id: str | None = None) -> dict[str, Any]:
    order = own_order(session, order_id, customer_id)
    if order is None:
        return not_found(order_id)
    ship = session.get(Shipment, order.order_id)
    if ship is None:
        note = "还没有发货，暂无物流信息" if order.status == "待发货" else "没有物流信息"
        return {"order_id": order.order_id, "order_status": order.status, "note": note}
    events = [{"event_time": iso(e.event_time), "location": e.location, "description": e.description}
              for e in session.scalars(select(LogisticsEvent).where(LogisticsEvent.order_id == order.order_id)
                                       .order_by(LogisticsEvent.event_time.desc()))]
    return {
        "order_id": order.order_id,
        "order_status": order.status,
        "carrier": ship.carrier,
        "tracking_no": ship.tracking_no,
        "latest": events[0] if events else None,
        "eta": iso(ship.eta),
        "delivered_at": iso(ship.delivered_at),
        "events": events,
    }
