"""页面：`/` 顾客聊天页，`/console` 客服后台。都是 static/ 下的静态文件，没有构建步骤、没有 CDN。"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
router = APIRouter(include_in_schema=False)


def _page(name: str) -> FileResponse | HTMLResponse:
    page = STATIC_DIR / name
    if page.is_file():
        return FileResponse(page, headers={"Cache-Control": "no-cache"})
    return HTMLResponse(f"<h1>ITS 智能客服</h1><p>页面文件 static/{name} 还没有。"
                        "接口文档见 <a href='/docs'>/docs</a>。</p>")


@router.get("/", response_model=None)
async def index() -> FileResponse | HTMLResponse:
    return _page("index.html")


@router.get("/console", response_model=None)
async def console() -> FileResponse | HTMLResponse:
    return _page("console.html")
