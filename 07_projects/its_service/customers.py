"""演示顾客名单：业务服务 customers 表的缓存（每个 worker 一份，启动时取一次，取不到就在用到时再取）。

谁在用：登录页列出顾客（GET /api/customers）、登录时核对编号（POST /api/login）、输出护栏
（guardrails.py 的回答检查：回答里出现了别的顾客的名字，才去问业务服务要不要拦）。
名单只有编号、名字、城市、打码的手机号和订单号——演示用的“选一位顾客”，真实商城这里是登录系统。
"""

from __future__ import annotations

from typing import Any

from its_service.business import Business


class CustomerDirectory:
    def __init__(self, business: Business) -> None:
        self.business = business
        self.items: list[dict[str, Any]] = []

    async def all(self) -> list[dict[str, Any]]:
        if not self.items:
            self.items = await self.business.call("customers")
        return self.items

    async def get(self, customer_id: str) -> dict[str, Any] | None:
        return next((c for c in await self.all() if c["customer_id"] == customer_id), None)

    def names(self) -> list[str]:
        return [c["name"] for c in self.items]
