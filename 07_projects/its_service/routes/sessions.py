"""会话接口：取回历史（页面刷新后恢复）、待审批列表、清空会话。普通 JSON 请求，出错返回 4xx JSON。"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from its_service.chat import ChatService
from its_service.errors import ApiError
from its_service.routes import get_chat
from its_service.sessions import valid_session_id

router = APIRouter(prefix="/api/sessions", tags=["会话"])


async def _known(session_id: str, chat: ChatService) -> str:
    if not valid_session_id(session_id):
        raise ApiError(400, "bad_session_id")
    if not await chat.store.exists(session_id):
        raise ApiError(404, "session_not_found")
    return session_id


@router.get("/{session_id}/messages", summary="会话历史")
async def messages(session_id: str, chat: ChatService = Depends(get_chat)) -> dict[str, Any]:
    """`messages` 里 role 为 user / assistant（带 agent）/ tool；`pending_approvals` 是待审批的调用。"""
    return await chat.store.transcript(await _known(session_id, chat))


@router.get("/{session_id}/pending", summary="待审批的调用")
async def pending(session_id: str, chat: ChatService = Depends(get_chat)) -> dict[str, Any]:
    approvals = await chat.store.pending(await _known(session_id, chat))
    return {"session_id": session_id, "pending_approvals": [a.public() for a in approvals]}


@router.delete("/{session_id}", summary="清空会话（重新开始）")
async def delete(session_id: str, chat: ChatService = Depends(get_chat)) -> dict[str, Any]:
    """清掉历史、最后回答的 Agent 和待审批；正在回答时返回 409。"""
    await _known(session_id, chat)
    if not chat.store.claim(session_id):
        raise ApiError(409, "session_busy")
    try:
        await chat.store.delete(session_id)
    finally:
        chat.store.release(session_id)
    return {"session_id": session_id, "deleted": True}
