"""会话接口（顾客）：新建会话、取回历史（页面刷新后恢复）、待审批列表、审批结果推送、清空会话。

**每个接口都先认人、再认会话**：`require_customer`（签名 cookie，auth.py）→ 会话的主人必须是他。
别人的会话、编出来的 id、已经删掉的会话，一律 404 `session_not_found`——不告诉对方“这个会话存在，
只是不是你的”。格式都不对的 id 是 400。改变状态的 POST / DELETE 还要求同源（`same_origin`）。

路由只做 HTTP 这一层：认人、取参数，然后调用 ChatService 的公开方法（`owns`、`new_session`、`transcript`、
`pending`、`updates`、`delete_session`），不碰会话存储和业务服务。

`GET /api/sessions/{id}/messages` 返回页面重画对话要的全部东西（sessions.py 的 `transcript()`）：
按顺序的用户消息、转接、工具标签（干净的 JSON 结果）、审批卡片（带主管的决定）、护栏拦截、回答，
还有这段对话用掉的 token。

`GET /api/sessions/{id}/updates` 是一条 SSE：页面在“已提交主管审核”之后打开它，主管做了决定、
服务器（任何一个 worker）接着运行时，事件经会话存储的更新通道（Redis pub/sub 或 SQLite 表）
推到这里：`approval_decided` → 和对话流一样的 `agent_updated` / `tool_completed` / `text_delta` …
→ `run_completed`（或再次 `approval_required`）。打开时已经没有待审批的运行，就只发一个 `idle`，
页面据此重新读一次历史。
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from its_service.auth import require_customer, same_origin
from its_service.chat import ChatService
from its_service.errors import ApiError
from its_service.events import UPDATE_EVENTS
from its_service.routes import get_chat
from its_service.sessions import valid_session_id
from its_service.sse import EventStreamResponse, openapi_responses

router = APIRouter(prefix="/api/sessions", tags=["会话"])
Customer = Annotated[str, Depends(require_customer)]


async def mine(session_id: str, customer: Customer, chat: ChatService = Depends(get_chat)) -> str:
    """依赖：路径里的会话必须是登录顾客自己的。在进入路由之前检查（SSE 的流一旦开始就回不了 404）。"""
    if not valid_session_id(session_id):
        raise ApiError(400, "bad_session_id")
    if not await chat.owns(session_id, customer):
        raise ApiError(404, "session_not_found")
    return session_id


Mine = Annotated[str, Depends(mine)]


@router.post("", status_code=201, summary="新开一个会话", dependencies=[Depends(same_origin)])
async def create(customer: Customer, chat: ChatService = Depends(get_chat)) -> dict[str, Any]:
    """会话 id 由服务器发（猜不到），绑定到登录的顾客。也可以不调它：第一条消息不带 session_id 时自动新开。"""
    return {"session_id": await chat.new_session(customer)}


@router.get("/{session_id}/messages", summary="会话历史（刷新页面时重画对话）")
async def messages(sid: Mine, chat: ChatService = Depends(get_chat)) -> dict[str, Any]:
    """`messages` 里 role 为 user / handoff / tool / approval / guardrail / assistant，顺序和实时显示的一样；
    `pending_approvals` 是已提交、还没出结果的审批；`usage` 是这段对话用掉的 token。"""
    return await chat.transcript(sid)


@router.get("/{session_id}/pending", summary="待审批的调用")
async def pending(sid: Mine, chat: ChatService = Depends(get_chat)) -> dict[str, Any]:
    return {"session_id": sid, "pending_approvals": await chat.pending(sid)}


@router.get("/{session_id}/updates", response_class=EventStreamResponse, summary="审批结果推送（SSE）",
            responses=openapi_responses(*UPDATE_EVENTS))
async def updates(sid: Mine, chat: ChatService = Depends(get_chat)) -> EventStreamResponse:
    """session → approval_decided → agent_updated / tool_completed / text_delta … → run_completed；
    打开时没有待审批的运行：session → idle。"""
    return EventStreamResponse(chat.updates(sid))


@router.delete("/{session_id}", summary="清空会话（重新开始）", dependencies=[Depends(same_origin)])
async def delete(sid: Mine, chat: ChatService = Depends(get_chat)) -> dict[str, Any]:
    """删掉历史和会话本身（之后这个 id 就不存在了）；正在回答时 409 session_busy，有申请在等主管审核时
    409 approval_pending（审核结果还要写回这个会话）。"""
    await chat.delete_session(sid)
    return {"session_id": sid, "deleted": True}
