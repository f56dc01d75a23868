"""HTTP 路由：chat.py（SSE 对话与审批）、sessions.py（历史、清空）、health.py（健康检查）。"""

from fastapi import Request

from its_service.chat import ChatService


def get_chat(request: Request) -> ChatService:
    """依赖注入：lifespan 里建好的 ChatService。"""
    return request.app.state.chat
