"""流式对话接口：GET/POST /api/chat/sse（课程里的另一个名字 /api/query/sse）。

顾客这边没有任何“审批”接口：要审批的操作只会得到 `approval_required`（已提交主管审核），
决定由主管在 /api/staff/approvals 做（routes/staff.py），结果经 /api/sessions/{id}/updates 推回页面。

路由只做 HTTP 这一层：取参数、交给 ChatService，把它产出的事件原样交给 FastAPI 的
`EventSourceResponse`（原生 SSE：负责 `event:`/`data:` 编码、心跳、客户端断开时取消生成器）。

流式接口遇到坏输入也返回 200 + 一个 `error` 事件：浏览器的 EventSource 读不到 4xx 的响应体，
只会看到“连接出错”然后自动重连，用户什么说明都看不到。
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from contextlib import aclosing
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field, field_validator

from its_service.chat import ChatService
from its_service.events import encode
from its_service.routes import get_chat

router = APIRouter(tags=["对话"])

QueryText = Annotated[str | None, Query(description="用户的问题")]
SessionId = Annotated[
    str | None,
    Query(description="会话 id（字母数字下划线连字符，≤64）；不传则新建，新 id 在 session 事件里返回"),
]


class ChatRequest(BaseModel):
    query: str | None = Field(default=None, description="用户的问题（长消息用 POST）")
    session_id: str | None = Field(default=None, description="会话 id；不传则新建")

    @field_validator("query", "session_id")
    @classmethod
    def utf8_only(cls, value: str | None) -> str | None:
        # JSON 允许 "\ud800" 这种单独的代理字符，但它不是文字，存不进数据库、也编不成 UTF-8
        if value is not None:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("包含无法识别的字符（单独的 UTF-16 代理项）") from None
        return value


@router.get("/api/chat/sse", response_class=EventSourceResponse, summary="流式对话（SSE）")
@router.get("/api/query/sse", response_class=EventSourceResponse, summary="流式对话（课程原名）")
async def chat_sse(
    query: QueryText = None,
    session_id: SessionId = None,
    chat: ChatService = Depends(get_chat),
) -> AsyncIterable[ServerSentEvent]:
    """事件依次为 session → agent_updated / handoff / tool_started / tool_completed / text_delta …
    → run_completed | approval_required | error。"""
    async with aclosing(chat.chat(query, session_id)) as events:
        async for event in events:
            yield encode(event)


@router.post("/api/chat/sse", response_class=EventSourceResponse, summary="流式对话（SSE，POST）")
async def chat_sse_post(
    body: ChatRequest, chat: ChatService = Depends(get_chat)
) -> AsyncIterable[ServerSentEvent]:
    """和 GET 相同的事件；消息太长、放不进 URL 时用它。"""
    async with aclosing(chat.chat(body.query, body.session_id)) as events:
        async for event in events:
            yield encode(event)
