"""会话接口（顾客）：取回历史（页面刷新后恢复）、待审批列表、审批结果推送、清空会话。

`GET /api/sessions/{id}/updates` 是一条 SSE：页面在“已提交主管审核”之后打开它，主管做了决定、
服务器（任何一个 worker）接着运行时，事件经会话存储的更新通道（Redis pub/sub 或 SQLite 表）
推到这里：`approval_decided` → 和对话流一样的 `agent_updated` / `tool_completed` / `text_delta` …
→ `run_completed`（或再次 `approval_required`）。打开时已经没有待审批的运行，就只发一个 `idle`，
页面据此重新读一次历史。
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.sse import EventSourceResponse, ServerSentEvent

from its_service.chat import ChatService
from its_service.errors import ApiError
from its_service.events import TERMINAL, encode, sse
from its_service.routes import get_chat
from its_service.sessions import public_approval, valid_session_id

router = APIRouter(prefix="/api/sessions", tags=["会话"])


async def _known(session_id: str, chat: ChatService) -> str:
    if not valid_session_id(session_id):
        raise ApiError(400, "bad_session_id")
    if not await chat.store.exists(session_id):
        raise ApiError(404, "session_not_found")
    return session_id


@router.get("/{session_id}/messages", summary="会话历史")
async def messages(session_id: str, chat: ChatService = Depends(get_chat)) -> dict[str, Any]:
    """`messages` 里 role 为 user / assistant（带 agent）/ tool；`pending_approvals` 是已提交、
    还没出结果的审批。"""
    return await chat.store.transcript(await _known(session_id, chat))


@router.get("/{session_id}/pending", summary="待审批的调用")
async def pending(session_id: str, chat: ChatService = Depends(get_chat)) -> dict[str, Any]:
    pauses = await chat.store.pauses(await _known(session_id, chat))
    return {"session_id": session_id,
            "pending_approvals": [public_approval(a) for p in pauses for a in p.approvals]}


@router.get("/{session_id}/updates", response_class=EventSourceResponse,
            summary="审批结果推送（SSE）")
async def updates(session_id: str, chat: ChatService = Depends(get_chat)
                  ) -> AsyncIterable[ServerSentEvent]:
    """session → approval_decided → agent_updated / tool_completed / text_delta … → run_completed；
    打开时没有待审批的运行：session → idle。"""
    await _known(session_id, chat)
    yield encode(sse("session", {"session_id": session_id}))
    async with chat.store.subscribe(session_id) as events:
        # 先订阅、再看还有没有暂停的运行：这之间发生的事件不会漏掉
        if not await chat.store.pauses(session_id):
            yield encode(sse("idle", {}))
            return
        async for name, data in events:
            yield encode(sse(name, data))
            if name in TERMINAL:
                return


@router.delete("/{session_id}", summary="清空会话（重新开始）")
async def delete(session_id: str, chat: ChatService = Depends(get_chat)) -> dict[str, Any]:
    """清掉历史、最后回答的 Agent；正在回答时 409 session_busy，有申请在等主管审核时
    409 approval_pending（审核结果还要写回这个会话）。"""
    await _known(session_id, chat)
    owner = await chat.claim(session_id)
    if owner is None:
        raise ApiError(409, "session_busy")
    try:
        if await chat.store.pauses(session_id):
            raise ApiError(409, "approval_pending")
        await chat.store.delete(session_id)
    finally:
        await chat.release(session_id, owner)
    return {"session_id": session_id, "deleted": True}
