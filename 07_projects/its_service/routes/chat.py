"""流式对话接口：POST /api/chat/sse（课程里的另一个名字 POST /api/query/sse）。

- **要登录**：顾客是谁由签名 cookie 决定（auth.py 的 `require_customer`，没登录 401）；请求体里只有
  `query` 和可选的 `session_id`（服务器发的 id，必须是这位顾客自己的会话，否则 `session_not_found`）。
- **只用 POST**：发一句话会让 Agent 去办事（查单、退款、建工单），是改变状态的请求。GET 会被链接、
  预取、爬虫、浏览器地址栏随手触发，SameSite=Lax 的 cookie 在跨站点击链接时也会带上——所以
  `GET /api/chat/sse`、`GET /api/query/sse` 不再对话，只回 405（带 `Allow: POST` 和中文说明），
  让还在用旧写法的客户端一眼看出要改什么。页面用 `fetch` 发 POST、自己解析 SSE（EventSource 只会 GET）。
- 跨站的 POST（别的网站上的表单或脚本）→ 403（`same_origin`）。

顾客这边没有任何“审批”接口：要审批的操作只会得到 `approval_required`（已提交主管审核），
决定由主管在 /api/staff/approvals 做（routes/staff.py），结果经 /api/sessions/{id}/updates 推回页面。

路由只做 HTTP 这一层：取参数、交给 ChatService，把它产出的事件原样交给 `EventStreamResponse`
（sse.py：`event:`/`data:` 编码、心跳、客户端断开时取消生成器）。
坏输入（空消息、会话不存在）也是 200 + 一个 `error` 事件，和对话中途出错走同一条路。
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, field_validator

from its_service.auth import require_customer, same_origin
from its_service.chat import ChatService
from its_service.errors import ApiError
from its_service.events import CHAT_EVENTS
from its_service.routes import get_chat
from its_service.sse import EventStreamResponse, openapi_responses

router = APIRouter(tags=["对话"])
Customer = Annotated[str, Depends(require_customer)]


class ChatRequest(BaseModel):
    query: str | None = Field(default=None, description="顾客的问题")
    session_id: str | None = Field(default=None, description="会话 id（服务器发的）；不传则新开一个，"
                                                               "新 id 在 session 事件里返回")

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


CHAT_DOCS = openapi_responses(*CHAT_EVENTS)  # /docs 里列出这条流的事件名


@router.post("/api/chat/sse", response_class=EventStreamResponse, summary="流式对话（SSE）",
             responses=CHAT_DOCS, dependencies=[Depends(same_origin)])
@router.post("/api/query/sse", response_class=EventStreamResponse, summary="流式对话（课程原名）",
             responses=CHAT_DOCS, dependencies=[Depends(same_origin)])
async def chat_sse(body: ChatRequest, customer: Customer,
                   chat: ChatService = Depends(get_chat)) -> EventStreamResponse:
    """事件依次为 session → guardrail_passed… → agent_updated / handoff / tool_started / tool_completed /
    text_delta … → run_completed | approval_required | error（护栏拦下时：guardrail_tripped → text_delta →
    run_completed）。"""
    return EventStreamResponse(chat.chat(customer, body.query, body.session_id))


@router.get("/api/chat/sse", summary="（已改为 POST）", include_in_schema=False)
@router.get("/api/query/sse", summary="（已改为 POST）", include_in_schema=False)
async def chat_sse_get() -> None:
    raise ApiError(405, "use_post", headers={"Allow": "POST"})
