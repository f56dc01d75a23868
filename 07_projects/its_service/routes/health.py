"""健康检查：模型提供方、业务服务状态、会话存储、这个 worker 是谁、正在进行的轮次数
（测试用它确认断开后运行已停止、两个实例是不同的 worker）。"""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, Depends, Request

from its_service.approvals import ApprovalService
from its_service.chat import ChatService
from its_service.mcp_client import BusinessClient
from its_service.routes import get_approvals, get_business, get_chat
from shared.factory import get_settings

router = APIRouter(tags=["运维"])


@router.get("/healthz", summary="健康检查")
async def healthz(request: Request, chat: ChatService = Depends(get_chat),
                  approvals: ApprovalService = Depends(get_approvals),
                  business: BusinessClient = Depends(get_business)) -> dict[str, Any]:
    model = get_settings()
    return {"status": "ok", "provider": model.provider, "model": model.model,
            "worker": request.app.state.worker_id, "pid": os.getpid(),
            **await business.status(), **chat.status(), **approvals.status()}
