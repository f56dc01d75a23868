"""健康检查：模型提供方、业务服务状态、会话存储、这个 worker 是谁、正在进行的轮次数
（测试用它确认断开后运行已停止、两个实例是不同的 worker）。"""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, Request

from shared.factory import get_settings

router = APIRouter(tags=["运维"])


@router.get("/healthz", summary="健康检查")
async def healthz(request: Request) -> dict[str, Any]:
    state = request.app.state
    model = get_settings()
    supervisor = state.supervisor
    return {
        "status": "ok",
        "provider": model.provider,
        "model": model.model,
        "worker": state.worker_id,
        "pid": os.getpid(),
        "store": state.store.kind,
        "mcp": "up" if await supervisor.is_up() else "down",
        "mcp_pid": supervisor.pid,
        "mcp_restarts": supervisor.restarts,
        "mcp_connections": state.business.connected,
        "active_runs": len(state.chat.active_runs),   # 正在跑的 + 排队等名额的
        "running_runs": state.chat.admission.running,
        "queued_runs": state.chat.admission.queued,
        "loop_lag_ms": round(state.chat.admission.lag * 1000, 1),
        "resuming": len(state.approvals.running),
    }
