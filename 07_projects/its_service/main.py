"""应用工厂：`create_app(settings)` 组装一个 worker 的 FastAPI 应用。

- lifespan：连上会话存储（SQLite 或 Redis）、拉起或连上业务服务（MCP 长连接）、取演示顾客名单、
  建好护栏和 Agent 团队、启动会话锁续期和“审批后接着运行”的后台循环；停止时按相反顺序收尾。
- 顾客登录 cookie 的签名密钥：ITS_SECRET_KEY，或 data/its_secret.key（auth.py）。
- 路由：routes/ 下一个资源一个文件；页面是 static/ 下的静态文件。
- 中间件：请求体大小限制（读之前就拒绝）；需要时的跨域。
- 文档：/docs 和 /redoc 用 fastapi-offline 自带的 Swagger UI / ReDoc 文件，不从 CDN 加载，
  教室断网也能打开。
- 错误：所有非流式错误都是 `{"error": {"code", "message"}}`，中文说明，不带 traceback。

多个 worker（`app.py --workers N` 或 `uvicorn --factory its_service.main:create_app --workers N`）
各自调用 create_app，共用同一个会话存储和同一个业务服务；worker 自己不存会话状态。
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

from its_service.agents import build_team
from its_service.approvals import ApprovalService
from its_service.auth import cookie_secret, new_token
from its_service.chat import ChatService
from its_service.customers import CustomerDirectory
from its_service.errors import ApiError, McpUnavailable, message
from its_service.guardrails import build_guardrails
from its_service.mcp_client import BusinessClient, McpSupervisor
from its_service.routes import chat, customers, health, pages, sessions, staff, team
from its_service.sessions import open_store
from its_service.settings import ServiceSettings, load_settings
from its_service.tools import make_tools
from shared.factory import get_chat_model, get_settings

log = logging.getLogger("its_service")
STATIC_DIR = Path(__file__).with_name("static")


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or load_settings()
    worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:4]}"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        get_settings()  # 模型配置有误时在启动阶段就报出来；mock 在这里启动
        store = open_store(settings)
        await store.start()
        supervisor = McpSupervisor(settings)
        try:
            await supervisor.start()
        except McpUnavailable:
            # 服务照常启动：之后用到业务服务时会再试着拉起它，失败就报 mcp_unavailable
            log.warning("业务服务没能启动，稍后会在用到时重试")
        business = BusinessClient(settings, supervisor)
        await business.start()
        directory = CustomerDirectory(business)
        try:
            categories = await business.call("categories")
            await directory.all()
        except Exception:
            categories = []

        async def disclosures(text: str, customer: str) -> list[dict[str, str]]:
            return await business.call("disclosures", customer=customer, text=text)

        guardrails = (build_guardrails(get_chat_model(), categories, disclosures, directory.names)
                      if settings.guardrails else None)
        agent_team = build_team(make_tools(business), [business.agent_server], categories=categories,
                                refund_approval_threshold=settings.refund_approval_threshold,
                                guardrails=guardrails)
        chat_service = ChatService(settings, store, business, agent_team, worker_id)
        await chat_service.start()
        approvals = ApprovalService(settings, store, business, chat_service, worker_id)
        await approvals.start()
        app.state.store, app.state.supervisor, app.state.business = store, supervisor, business
        app.state.chat, app.state.approvals, app.state.customers = chat_service, approvals, directory
        # 启动时导入和建好的对象（SDK、openai、pydantic 的模型和 schema……约 17 万个）以后不会变成垃圾：
        # 冻结它们，垃圾回收不再一遍遍扫描。不冻结时一次完整回收要 ~130ms，期间所有对话的流一起停住
        # （200 个对话同时开始时，首个事件的 p99 因此多出一两百毫秒）。停止时解冻，让它们能被回收。
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            await chat_service.shutdown()
            await approvals.stop()
            await business.close()
            await supervisor.stop()
            await store.close()

    # FastAPIOffline = FastAPI + 本地的 Swagger UI / ReDoc 文件（/docs、/redoc 不依赖 CDN）
    app = FastAPIOffline(
        title="ITS 智能客服",
        summary="OpenAI Agents SDK 多 Agent 客服：FastAPI + SSE + MCP 业务服务 + SQLite / Redis",
        version="2.0.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.worker_id = worker_id
    if not settings.staff_token:
        token = new_token()
        log.warning("没有设置 ITS_STAFF_TOKEN，本进程生成了客服后台令牌：http://%s:%s/console#token=%s",
                    settings.host, settings.port, token)
        settings = settings.model_copy(update={"staff_token": token})
    app.state.staff_tokens = settings.staff_tokens()
    app.state.cookie_secret = cookie_secret(settings)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST", "DELETE"], allow_credentials=True,
                           allow_headers=["Content-Type", "Authorization"])
    _install_error_handlers(app)
    for module in (customers, chat, sessions, team, staff, health, pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    return app


class BodyLimit:
    """请求体超过上限就 413，而且在读之前拒绝：声明了 Content-Length 的直接看长度；分块上传的边收边数，
    超了立刻停（不会先把 10MB 读进内存再说“太长”）。

    为什么不用 FastAPI 自带的 `max_body_size`：它对声明长度超限的请求总是回一个纯文本的
    “Content Too Large”，绕过异常处理器；这里要和其他错误一样回 `{"error": {...}}`。"""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            response = _error(413, "body_too_large", message("body_too_large", limit=self.limit))
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> dict:
            nonlocal received
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > self.limit:  # 由下面的 http_error 变成 413 的错误 JSON
                    raise StarletteHTTPException(413)
            return event

        await self.app(scope, limited, send)


def _error(status: int, code: str, text: str, extra: dict | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": text, **(extra or {})}},
                        status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message, exc.extra, exc.headers)

    @app.exception_handler(McpUnavailable)
    async def business_down(request: Request, exc: McpUnavailable) -> JSONResponse:
        log.warning("业务服务不可用：%s", exc)
        return _error(503, "mcp_unavailable", message("mcp_unavailable"))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = "、".join(".".join(str(p) for p in e.get("loc", ()) if p != "body") or "请求体"
                          for e in exc.errors())
        return _error(422, "bad_request", message("bad_request", detail=f"{fields} 的值无效"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return _error(404, "not_found", message("not_found"))
        if exc.status_code == 405:
            return _error(405, "method_not_allowed", "这个地址不支持该请求方法。")
        if exc.status_code == 413:
            limit = request.app.state.settings.max_body_bytes
            return _error(413, "body_too_large", message("body_too_large", limit=limit))
        if exc.status_code == 400:  # 例如 JSON 解析不了
            return _error(400, "bad_request", message("bad_request", detail=str(exc.detail)))
        return _error(exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("未处理的异常：%s %s", request.method, request.url.path, exc_info=exc)
        return _error(500, "internal_error", message("internal_error"))
