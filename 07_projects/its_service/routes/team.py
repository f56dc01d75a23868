"""客服团队的样子：GET /api/team。页面右侧的团队图、护栏面板按它画。

内容从代码里的 Agent 对象读出来（agents.py 的 `Team.describe()`，经 ChatService）：每位 Agent 的显示名、职责、
工具、MCP 工具、handoff 给谁、把谁当工具咨询（agent-as-tool）、挂了哪些输入 / 输出护栏；另列护栏的说明。
不含任何指令原文。
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from its_service.chat import ChatService
from its_service.routes import get_chat

router = APIRouter(prefix="/api", tags=["团队"])


@router.get("/team", summary="客服团队：Agent、handoff、工具、agent-as-tool、护栏")
async def team(chat: ChatService = Depends(get_chat)) -> dict[str, Any]:
    return chat.describe_team()
