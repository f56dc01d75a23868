"""顾客登录（演示级）：列出演示顾客、选一位登录（签名 cookie）、退出、我是谁。

    GET  /api/customers        演示顾客列表（编号、名字、城市、打码手机号、订单号）
    POST /api/login            {"customer_id": "C001"} → 设置 HttpOnly 的签名 cookie，回顾客信息
    POST /api/logout           清掉 cookie
    GET  /api/me               当前登录的顾客；没登录 401

为什么是 cookie 而不是让页面把顾客编号放在请求里：浏览器自动带 cookie、脚本读不到（HttpOnly），
签名保证改不了；服务器每个会话接口都从 cookie 认人（auth.py），页面说什么都不算数。
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from its_service.auth import clear_login_cookie, require_customer, same_origin, set_login_cookie
from its_service.customers import CustomerDirectory
from its_service.errors import ApiError
from its_service.routes import get_customers

router = APIRouter(prefix="/api", tags=["顾客"])
Directory = Annotated[CustomerDirectory, Depends(get_customers)]


class Login(BaseModel):
    customer_id: str = Field(min_length=1, max_length=32, description="演示顾客编号，例如 C001")


@router.get("/customers", summary="演示顾客列表")
async def customers(directory: Directory) -> dict[str, Any]:
    return {"customers": await directory.all()}


@router.post("/login", summary="选一位演示顾客登录", dependencies=[Depends(same_origin)])
async def login(body: Login, request: Request, response: Response, directory: Directory) -> dict[str, Any]:
    customer = await directory.get(body.customer_id)
    if customer is None:
        raise ApiError(404, "customer_not_found")
    set_login_cookie(request, response, customer["customer_id"])
    return {"customer": customer}


@router.post("/logout", summary="退出登录", dependencies=[Depends(same_origin)])
async def logout(response: Response) -> dict[str, Any]:
    clear_login_cookie(response)
    return {"logged_out": True}


@router.get("/me", summary="当前登录的顾客")
async def me(directory: Directory, customer_id: str = Depends(require_customer)) -> dict[str, Any]:
    customer = await directory.get(customer_id)
    if customer is None:  # 签名对，但这位顾客已经不在名单里（比如业务库重建过）
        raise ApiError(401, "login_required")
    return {"customer": customer}
