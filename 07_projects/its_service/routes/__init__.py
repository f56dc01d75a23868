"""HTTP 路由，一个资源一个文件：

    customers.py 顾客：演示顾客列表、登录（签名 cookie）、退出、我是谁
    chat.py      顾客：POST /api/chat/sse（流式对话）
    sessions.py  顾客：新建会话、/api/sessions/{id}/messages、/updates（审批结果推送）、DELETE
    team.py      页面：/api/team（客服团队的样子，画团队图用）
    staff.py     主管：/api/staff/approvals（要令牌，见 auth.py）
    health.py    运维：/healthz
    pages.py     页面：/（顾客聊天）、/console（客服后台）

依赖注入：路由通过下面几个函数拿到 lifespan 里建好的服务对象，只调用它们的公开方法；身份验证是
auth.py 里的依赖（`require_customer`、`require_staff`、`same_origin`）。
"""

from fastapi import Request

from its_service.approvals import ApprovalService
from its_service.chat import ChatService
from its_service.customers import CustomerDirectory
from its_service.mcp_client import BusinessClient


async def get_chat(request: Request) -> ChatService:
    return request.app.state.chat


async def get_approvals(request: Request) -> ApprovalService:
    return request.app.state.approvals


async def get_customers(request: Request) -> CustomerDirectory:
    return request.app.state.customers


async def get_business(request: Request) -> BusinessClient:
    return request.app.state.business
