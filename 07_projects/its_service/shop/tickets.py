"""工单：投诉、转人工、超出自动处理范围的问题。

同一次工具调用重试（幂等键）返回同一张；同一订单同一类别已有未关闭的工单时不再新建（部分唯一索引
`one_open_ticket_per_order_category`，并发的两个请求也只建成一张）；带了订单号就必须是这位顾客自己的订单。
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from its_service.shop.database import insert_or_lose
from its_service.shop.models import Ticket, iso, utcnow
from its_service.shop.orders import normalize_order_id, not_found, own_order

TICKET_NOTE = "工单已创建，人工客服会在 24 小时内联系用户。"


def open_ticket(session: Session, category: str, description: str, order_id: str | None = None,
                idempotency_key: str = "", customer_id: str | None = None) -> dict[str, Any]:
    key = idempotency_key or None
    oid = normalize_order_id(order_id or "")
    if oid and own_order(session, oid, customer_id) is None:
        return {"created": False, **not_found(order_id or "")}
    ticket = Ticket(ticket_id="T" + uuid.uuid4().hex[:8].upper(), order_id=oid, category=category,
                    description=(description or "").strip()[:500] or "（用户未描述）", status="open",
                    created_at=utcnow(), idempotency_key=key, customer_id=customer_id or None)
    existing = _existing(session, key, oid, category)
    if existing is None and insert_or_lose(session, ticket):
        return {**ticket_public(ticket), "note": TICKET_NOTE}
    existing = existing or _existing(session, key, oid, category)  # 插入时撞上了：读出先到的那一张
    if existing is None:
        raise RuntimeError("工单既没建成，也找不到先建的那一张")
    if key and existing.idempotency_key == key:
        return {**ticket_public(existing), "note": TICKET_NOTE}
    return {**ticket_public(existing), "existing": True,
            "note": f"这个订单已有一张未关闭的{category}工单 {existing.ticket_id}，"
                    "人工客服会按这张工单联系用户，不再重复创建。"}


def _existing(session: Session, key: str | None, order_id: str | None, category: str) -> Ticket | None:
    """同一次调用建过的那张，或者同一订单同一类别未关闭的那张。"""
    if key and (same := session.scalar(select(Ticket).where(Ticket.idempotency_key == key))) is not None:
        return same
    if order_id:
        return session.scalar(select(Ticket).where(Ticket.order_id == order_id, Ticket.category == category,
                                                   Ticket.status == "open"))
    return None


def ticket_public(ticket: Ticket) -> dict[str, Any]:
    return {"ticket_id": ticket.ticket_id, "order_id": ticket.order_id, "category": ticket.category,
            "description": ticket.description, "status": ticket.status, "created_at": iso(ticket.created_at)}
