"""健康检查：模型提供方、MCP 服务状态、正在进行的轮次数（测试用它确认断开后运行已停止）。"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from its_service.chat import ChatService
from its_service.routes import get_chat
from shared.factory import get_settings

router = APIRouter(tags=["运维"])


@router.get("/healthz", summary="健康检查")
async def healthz(chat: ChatService = Depends(get_chat)) -> dict[str, Any]:
    model = get_settings()
    return {
        "status": "ok",
        "provider": model.provider,
        "model": model.model,
        "mcp": "up" if await chat.mcp.is_up() else "down",
        "mcp_pid": chat.mcp.pid,
        "mcp_restarts": chat.mcp.restarts,
        "active_runs": len(chat.active_runs),
    }
