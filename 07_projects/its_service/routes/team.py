"""客服团队的样子：GET /api/team。页面右侧的团队图、护栏面板按它画。

内容从代码里的 Agent 对象读出来（agents.py 的 `Team.describe()`）：每位 Agent 的显示名、职责、工具、
MCP 工具、handoff 给谁、把谁当工具咨询（agent-as-tool）、挂了哪些输入 / 输出护栏；另列护栏的说明。
不含任何指令原文。
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from its_service.mcp_server import AGENT_TOOLS

router = APIRouter(prefix="/api", tags=["团队"])


@router.get("/team", summary="客服团队：Agent、handoff、工具、agent-as-tool、护栏")
async def team(request: Request) -> dict[str, Any]:
    business = request.app.state.business
    tools = [t.name for t in business.tools] if business.tools else list(AGENT_TOOLS)
    return request.app.state.chat.team.describe(tools)
