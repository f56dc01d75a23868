"""HTTP 路由，一个资源一个文件：

    chat.py      顾客：GET/POST /api/chat/sse（流式对话）
    sessions.py  顾客：/api/sessions/{id}/messages、/updates（审批结果推送）、DELETE
    staff.py     主管：/api/staff/approvals（要令牌，见 auth.py）
    health.py    运维：/healthz
    pages.py     页面：/（顾客聊天）、/console（客服后台）

依赖注入：路由通过下面几个函数拿到 lifespan 里建好的服务对象。
"""

from fastapi import Request

from its_service.approvals import ApprovalService
from its_service.chat import ChatService


def get_chat(request: Request) -> ChatService:
    return request.app.state.chat


def get_approvals(request: Request) -> ApprovalService:
    return request.app.state.approvals
