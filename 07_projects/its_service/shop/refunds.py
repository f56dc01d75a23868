"""退款与审批：退款资格、提交退款、审批单（开、决定、列出），以及审批之后“接着运行”的租约。

**业务规则由数据库守住**，而不是靠“先查再写”（两个并发请求都会查到“没有”）：

- 一张订单最多一张有效的退款单：部分唯一索引 `one_live_refund_per_order`。事务里先复核，再在 SAVEPOINT 里
  插入；撞上索引（另一个请求刚刚抢先插入）就回滚这个 SAVEPOINT、读出先到的那一张（database.py 的
  `insert_or_lose`）。
  同一次工具调用重试（同一个幂等键）返回第一次的结果，不会退两次。
- 超过审批门槛的退款，没有“已批准、订单对得上”的审批单就不建——审批不是只靠 worker 自觉。
- 一张订单最多一张待审批的退款审批单：部分唯一索引 `one_pending_refund_approval_per_order`。
- 审批单的状态只能 pending → approved / rejected 变一次：`UPDATE … WHERE status = 'pending'`，
  两位主管同时点，只有一条 UPDATE 改到了行，另一位得到 already_decided。
- 接着运行的租约：一次暂停一行（`pauses`）；占租约是 `UPDATE … WHERE 没人占或租约已过期`，两个 worker
  同时来占，只有一个改到了行。worker 死了，租约过期后别的 worker 在这里再次占到它。

PostgreSQL（READ COMMITTED）上，第二条 UPDATE / INSERT 会等第一条所在的事务提交，然后按提交后的数据重新判断，
所以上面每一条在两种数据库上都成立；tests/test_capstone_data.py 在两种数据库上并发地验证它们。
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session

from its_service.business import DECISIONS
from its_service.shop.database import insert_or_lose
from its_service.shop.models import (
    Approval,
    OrderItem,
    Pause,
    Product,
    Refund,
    Shipment,
    iso,
    utcnow,
)
from its_service.shop.orders import normalize_order_id, not_found, own_order

LIVE = ("approved", "refunded")
REFUND_NOTE = "退款已受理，1-3 个工作日原路退回。"


@dataclass(frozen=True)
class RefundRules:
    """退款规则：审批门槛（元）和签收后可退款的天数。业务服务启动时从配置读入。"""

    approval_threshold: float = 500.0
    window_days: int = 15


def human(value: Any) -> str:
    """写进给人看的句子里的时间。"""
    return f"{value:%Y-%m-%d %H:%M} UTC" if value is not None else "（未知）"


# ---------------------------------------------------------------- 退款


def refund_eligibility(session: Session, rules: RefundRules, order_id: str,
                       customer_id: str | None = None) -> dict[str, Any]:
    """按商城规则判断能否退款、可退多少、要不要主管审批（也是给模型看的）。只看这位顾客自己的订单。"""
    order = own_order(session, order_id, customer_id)
    if order is None:
        return {"order_id": order_id, "eligible": False, "reason": not_found(order_id)["error"]}
    oid = order.order_id
    result = {"order_id": oid, "order_status": order.status, "refundable_amount": order.total_amount}
    existing = live_refund(session, oid)
    if existing is not None:
        return {**result, "eligible": False,
                "existing_refund": {k: existing[k] for k in ("refund_id", "status", "amount", "approved_by")},
                "reason": f"这个订单已经有退款单 {existing['refund_id']}（{existing['status']}），不能重复申请。"}
    waiting = session.scalar(select(Approval).where(Approval.order_id == oid, Approval.kind == "refund",
                                                    Approval.status == "pending"))
    if waiting is not None:
        return {**result, "eligible": False, "pending_approval": waiting.approval_id,
                "reason": f"这个订单已有一笔退款申请在等待客服主管审核（提交于 {human(waiting.requested_at)}），"
                          "审核结果出来之前不能重复申请。"}
    if order.status == "已取消":
        return {**result, "eligible": False, "reason": "订单已取消，款项已原路退回，无需再申请退款。"}
    locked = session.scalars(select(Product.name).join(OrderItem, OrderItem.sku == Product.sku)
                             .where(OrderItem.order_id == oid, Product.returnable.is_(False))).all()
    if locked:
        return {**result, "eligible": False, "reason": f"{'、'.join(locked)} 是虚拟商品，售出后不支持退款。"}
    if order.status == "已发货":
        return {**result, "eligible": False,
                "reason": "订单正在运输途中：可以拒收（退回仓库后自动退款），或签收后再申请退货退款。"}
    if order.status == "已签收":
        ship = session.get(Shipment, oid)
        delivered = ship.delivered_at if ship is not None and ship.delivered_at else order.created_at
        days = (utcnow() - delivered).days
        if days > rules.window_days:
            return {**result, "eligible": False,
                    "reason": f"已签收 {days} 天，超过 {rules.window_days} 天的退货期限；质量问题可以开工单走保修。"}
    threshold = rules.approval_threshold
    needs = order.total_amount > threshold
    return {**result, "eligible": True, "needs_approval": needs, "approval_threshold": threshold,
            "reason": (f"符合退款条件；金额超过 {threshold:g} 元，提交后要客服主管审核。"
                       if needs else "符合退款条件，可以为用户提交退款申请。")}


def live_refund(session: Session, order_id: str) -> dict[str, Any] | None:
    refund = session.scalar(select(Refund).where(Refund.order_id == order_id, Refund.status.in_(LIVE)))
    return refund_public(refund) if refund is not None else None


def create_refund(session: Session, rules: RefundRules, order_id: str, reason: str, idempotency_key: str = "",
                  approval_id: str = "", customer_id: str | None = None) -> dict[str, Any]:
    """提交退款：同一次调用（幂等键）重试 → 第一次的结果；按规则复核；超过门槛要有已批准的审批单；插入。"""
    key = idempotency_key or None
    if key and (done := by_key(session, key)) is not None:
        return {"created": True, "refund": done, "note": REFUND_NOTE}
    check = refund_eligibility(session, rules, order_id, customer_id)
    if not check["eligible"]:
        # 同一次调用的另一个请求在上面查幂等键之后、复核之前刚刚提交（PostgreSQL 每条语句看到当时已提交的数据）：
        # 复核看到的“已经有退款单”正是它那一张——重试拿到同一张，而不是被拒绝
        if key and (done := by_key(session, key)) is not None:
            return {"created": True, "refund": done, "note": REFUND_NOTE}
        out = {"created": False, "reason": check["reason"]}
        if check.get("existing_refund"):
            out["refund"] = check["existing_refund"]
        return out
    approved_by = "auto"
    if check["needs_approval"]:
        approval = session.get(Approval, approval_id) if approval_id else None
        if approval is None or approval.status != "approved" or approval.order_id != check["order_id"]:
            return {"created": False, "needs_approval": True,
                    "reason": f"金额 {check['refundable_amount']:g} 元超过 {rules.approval_threshold:g} 元，"
                              "需要客服主管审批通过后才能退款。"}
        approved_by = "staff"
    refund = Refund(refund_id="R" + uuid.uuid4().hex[:8].upper(), order_id=check["order_id"],
                    amount=check["refundable_amount"], reason=(reason or "").strip()[:200] or "未说明",
                    status="approved", approved_by=approved_by, created_at=utcnow(),
                    approval_id=approval_id if approved_by == "staff" else None, idempotency_key=key)
    if insert_or_lose(session, refund):
        return {"created": True, "refund": refund_public(refund), "note": REFUND_NOTE}
    # 复核之后、插入之前，另一个请求抢先建了：同一次调用的重试拿到那一张，别的调用被拒绝
    if key and (done := by_key(session, key)) is not None:
        return {"created": True, "refund": done, "note": REFUND_NOTE}
    return {"created": False, "refund": live_refund(session, check["order_id"]),
            "reason": "这个订单已经有退款单，不能重复申请。"}


def by_key(session: Session, key: str) -> dict[str, Any] | None:
    refund = session.scalar(select(Refund).where(Refund.idempotency_key == key))
    return refund_public(refund) if refund is not None else None


def refund_public(refund: Refund) -> dict[str, Any]:
    return {"refund_id": refund.refund_id, "order_id": refund.order_id, "amount": refund.amount,
            "reason": refund.reason, "status": refund.status, "approved_by": refund.approved_by,
            "created_at": iso(refund.created_at), "approval_id": refund.approval_id}


# ---------------------------------------------------------------- 审批单


def approval_public(approval: Approval, pause: Pause | None = None) -> dict[str, Any]:
    return {
        "approval_id": approval.approval_id, "pause_id": approval.pause_id, "session_id": approval.session_id,
        "kind": approval.kind, "tool_name": approval.tool_name, "arguments": approval.arguments,
        "order_id": approval.order_id, "amount": approval.amount, "customer": approval.customer,
        "agent": approval.agent, "message": approval.message, "request": approval.request,
        "status": approval.status, "requested_at": iso(approval.requested_at),
        "decided_by": approval.decided_by, "decided_at": iso(approval.decided_at), "note": approval.note,
        "applied_at": iso(pause.applied_at) if pause is not None else None,
        "outcome": pause.outcome if pause is not None else None,
        "call_id": approval.call_id, "customer_id": approval.customer_id,
    }


def open_approval(session: Session, rules: RefundRules, approval_id: str, pause_id: str, session_id: str,
                  tool_name: str, arguments: str, agent: str, request: str, call_id: str = "",
                  customer_id: str = "") -> dict[str, Any]:
    """运行暂停在一个要审批的工具调用上：建一张 pending 审批单（同一次暂停的几张共用一行 pauses）。
    同一订单已有待审批的退款时不建（部分唯一索引），返回 created=False 和原因，worker 据此直接拒绝这次调用。"""
    try:
        args = json.loads(arguments or "{}")
    except ValueError:
        args = {}
    args = args if isinstance(args, dict) else {}
    kind = "refund" if tool_name == "request_refund" else "other"
    order_id = normalize_order_id(str(args.get("order_id", ""))) if kind == "refund" else None
    order = own_order(session, order_id, customer_id or None) if order_id else None
    message = f"{tool_name} 需要客服主管审核后才会执行。"
    if order is not None:
        message = (f"订单 {order.order_id} 申请退款 {order.total_amount:g} 元（原因：{args.get('reason') or '未说明'}），"
                   f"超过 {rules.approval_threshold:g} 元的审批门槛，需要客服主管审核。")
    now = utcnow()
    pause = session.get(Pause, pause_id)
    new_pause = [Pause(pause_id=pause_id, created_at=now, attempts=0)] if pause is None else []
    approval = Approval(approval_id=approval_id, pause_id=pause_id, session_id=session_id, kind=kind,
                        tool_name=tool_name, arguments=arguments or "{}", order_id=order_id,
                        amount=order.total_amount if order is not None else None,
                        customer=order.customer if order is not None else None, agent=agent, message=message,
                        request=request, status="pending", requested_at=now, call_id=call_id or None,
                        customer_id=customer_id or None)
    if insert_or_lose(session, *new_pause, approval):  # 这次暂停的第一张审批单：暂停这一行和它一起写
        return {"created": True, "approval": approval_public(approval, pause or new_pause[0])}
    pause = session.get(Pause, pause_id)
    other = session.scalar(select(Approval).where(Approval.order_id == order_id, Approval.kind == "refund",
                                                  Approval.status == "pending"))
    if other is None:  # 不是订单冲突，是同一张审批单重复提交（主键）：返回已有的那张
        same = session.get(Approval, approval_id)
        return {"created": same is not None, "approval": approval_public(same, pause) if same else None}
    return {"created": False, "conflict": approval_public(other),
            "reason": f"订单 {order_id} 已有一笔退款申请在等待客服主管审核（提交于 {human(other.requested_at)}），"
                      "不能重复提交。"}


def decide_approval(session: Session, approval_id: str, decision: str, staff: str,
                    note: str = "") -> dict[str, Any]:
    """主管的决定：pending → approved / rejected，只能变一次。两位主管同时点，`WHERE status = 'pending'`
    只让一条 UPDATE 改到行，另一位得到 already_decided（和当时的结果）。"""
    status = DECISIONS.get(decision)
    if status is None:
        return {"ok": False, "error": "bad_decision"}
    changed = session.execute(
        update(Approval).where(Approval.approval_id == approval_id, Approval.status == "pending")
        .values(status=status, decided_by=staff, decided_at=utcnow(), note=(note or "").strip()[:500])
        .execution_options(synchronize_session=False)).rowcount
    approval = session.scalar(select(Approval).where(Approval.approval_id == approval_id)
                              .execution_options(populate_existing=True))
    if approval is None:
        return {"ok": False, "error": "not_found"}
    public = approval_public(approval, session.get(Pause, approval.pause_id))
    if not changed:
        return {"ok": False, "error": "already_decided", "approval": public}
    return {"ok": True, "approval": public}


def list_approvals(session: Session, status: str = "pending", session_id: str = "",
                   limit: int = 100) -> list[dict[str, Any]]:
    """status：pending（待审批，先提交的在前）/ decided（已决定，新决定的在前）/ all。"""
    query = select(Approval, Pause).join(Pause, Pause.pause_id == Approval.pause_id)
    if status == "pending":
        query = query.where(Approval.status == "pending").order_by(Approval.requested_at)
    else:
        if status == "decided":
            query = query.where(Approval.status != "pending")
        query = query.order_by(Approval.decided_at.desc().nulls_last(), Approval.requested_at)
    if session_id:
        query = query.where(Approval.session_id == session_id)
    return [approval_public(a, p) for a, p in session.execute(query.limit(max(1, min(limit, 500))))]


# ---------------------------------------------------------------- 决定之后：接着运行的租约


def claim_resume(session: Session, worker: str, lease_seconds: float, pause_id: str = "") -> dict[str, Any]:
    """占下一次“审批单都已决定、还没写回对话、没人在处理（或租约已过期）”的暂停。"""
    now = utcnow()
    free = (Pause.applied_at.is_(None), or_(Pause.lease_until.is_(None), Pause.lease_until < now))
    undecided = exists().where(Approval.pause_id == Pause.pause_id, Approval.status == "pending")
    candidates = select(Pause.pause_id).where(*free, ~undecided).order_by(Pause.created_at).limit(5)
    if pause_id:
        candidates = candidates.where(Pause.pause_id == pause_id)
    for candidate in session.scalars(candidates).all():
        won = session.execute(
            update(Pause).where(Pause.pause_id == candidate, *free)
            .values(lease_owner=worker, lease_until=now + timedelta(seconds=lease_seconds),
                    attempts=Pause.attempts + 1)
            .execution_options(synchronize_session=False)).rowcount
        if not won:  # 别的 worker 刚刚占走了：看下一个
            continue
        pause = session.scalar(select(Pause).where(Pause.pause_id == candidate)
                               .execution_options(populate_existing=True))
        approvals = session.scalars(select(Approval).where(Approval.pause_id == candidate)
                                    .order_by(Approval.requested_at))
        return {"pause_id": candidate, "approvals": [approval_public(a, pause) for a in approvals],
                "attempts": pause.attempts}
    return {"pause_id": None}


def _lease(session: Session, pause_id: str, worker: str | None, **values: Any) -> bool:
    where = [Pause.pause_id == pause_id, Pause.applied_at.is_(None)]
    if worker is not None:
        where.append(Pause.lease_owner == worker)
    return session.execute(update(Pause).where(*where).values(**values)
                           .execution_options(synchronize_session=False)).rowcount > 0


def renew_resume(session: Session, pause_id: str, worker: str, lease_seconds: float) -> bool:
    return _lease(session, pause_id, worker, lease_until=utcnow() + timedelta(seconds=lease_seconds))


def release_resume(session: Session, pause_id: str, worker: str, retry_in: float,
                   count_attempt: bool = True) -> bool:
    """这次没做成（模型出错、会话正忙）：放开租约，retry_in 秒后再试。"""
    return _lease(session, pause_id, worker, lease_owner=None,
                  lease_until=utcnow() + timedelta(seconds=retry_in),
                  attempts=Pause.attempts - (0 if count_attempt else 1))


def finish_resume(session: Session, pause_id: str, worker: str, outcome: str) -> bool:
    """结果已经写回对话：这次暂停处理完了（只记一次）。"""
    return _lease(session, pause_id, None, applied_at=utcnow(), outcome=outcome, lease_owner=None)
