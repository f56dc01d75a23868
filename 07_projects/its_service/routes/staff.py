"""客服后台接口（主管）：列出审批、批准或拒绝。每个路由都依赖 `require_staff`（auth.py）。

    GET  /api/staff/approvals?status=pending|decided|all   → {"approvals": [...]}
    POST /api/staff/approvals/{approval_id}  {"decision": "approve"|"reject", "note": "..."}
         → 决定的结果；别人已经决定过（或决定不同）409，同一位主管重发同样的决定 200（网络重试），
           没有这条 404，令牌缺失或不对 401
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from its_service.approvals import ApprovalService
from its_service.auth import require_staff
from its_service.routes import get_approvals

router = APIRouter(prefix="/api/staff", tags=["客服后台"])
Staff = Annotated[str, Depends(require_staff)]


class Decision(BaseModel):
    decision: Literal["approve", "reject"] = Field(description="approve（批准）或 reject（拒绝）")
    note: str = Field(default="", max_length=500, description="备注（可选），拒绝时会转告顾客")


@router.get("/approvals", summary="审批列表")
async def list_approvals(
    staff: Staff,
    status: Annotated[Literal["pending", "decided", "all"], Query(description="pending（默认）/ decided / all")] = "pending",
    approvals: ApprovalService = Depends(get_approvals),
) -> dict[str, Any]:
    """每条：谁（会话、订单的顾客）、要做什么（工具和参数）、金额、Agent 的说明、顾客原话、到目前为止的对话，
    以及决定（谁、什么时候、备注）。"""
    return {"staff": staff, "approvals": await approvals.list(status)}


@router.post("/approvals/{approval_id}", summary="批准或拒绝")
async def decide(
    approval_id: str, body: Decision, staff: Staff,
    approvals: ApprovalService = Depends(get_approvals),
) -> dict[str, Any]:
    """决定记进业务库（谁、什么时候、备注），只能决定一次；之后由服务器接着运行，结果写回顾客的对话。"""
    return await approvals.decide(approval_id, body.decision, staff, body.note)
