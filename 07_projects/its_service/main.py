"""应用工厂：`create_app(settings)` 组装 FastAPI 应用。

- lifespan：启动时建业务库（首次用 seed.json 填数据）、建会话库、拉起订单/物流 MCP 服务；
  停止时取消还在跑的轮次、停掉 MCP 子进程。
- 路由：routes/chat.py（SSE）、routes/sessions.py、routes/health.py；页面是 static/ 下的静态文件。
- 错误：所有非流式错误都是 `{"error": {"code", "message"}}`，中文说明，不带 traceback。
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from its_service.chat import ChatService
from its_service.db import ShopDB
from its_service.errors import ApiError, message
from its_service.mcp_client import McpSupervisor, McpUnavailable
from its_service.routes import chat, health, sessions
from its_service.sessions import SessionStore
from its_service.settings import ServiceSettings, load_settings
from shared.factory import get_settings

log = logging.getLogger("its_service")
STATIC_DIR = Path(__file__).with_name("static")


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        get_settings()  # 模型配置有误时在启动阶段就报出来；mock 在这里启动
        if ShopDB(settings.shop_db).init():
            log.info("业务库已用 seed.json 初始化：%s", settings.shop_db)
        store = SessionStore(settings.conversations_db)
        store.init()
        mcp = McpSupervisor(settings)
        try:
            await mcp.start()
        except McpUnavailable:
            # 服务照常启动：之后每轮对话都会再试着拉起它，失败就报 mcp_unavailable
            log.warning("订单/物流 MCP 服务没能启动，稍后会在对话时重试")
        app.state.chat = ChatService(settings, store, mcp)
        try:
            yield
        finally:
            await app.state.chat.shutdown()
            await mcp.stop()

    app = FastAPI(
        title="ITS 智能客服",
        summary="OpenAI Agents SDK 多 Agent 客服：FastAPI + SSE + MCP + SQLite",
        version="1.0.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["Content-Type"])
    _install_error_handlers(app)
    app.include_router(chat.router)
    app.include_router(sessions.router)
    app.include_router(health.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    @app.get("/", include_in_schema=False, response_model=None)
    async def index() -> FileResponse | HTMLResponse:
        page = STATIC_DIR / "index.html"
        if page.is_file():
            return FileResponse(page)
        return HTMLResponse("<h1>ITS 智能客服</h1><p>页面文件 static/index.html 还没有。"
                            "接口文档见 <a href='/docs'>/docs</a>。</p>")

    return app


def _error(status: int, code: str, text: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": text}}, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message)

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
        return _error(exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("未处理的异常：%s %s", request.method, request.url.path, exc_info=exc)
        return _error(500, "internal_error", message("internal_error"))
