"""客服后台的身份验证：一个 FastAPI 依赖 `require_staff`，挂在所有 /api/staff/ 路由上。

- 令牌来自 `ITS_STAFF_TOKEN`（单个令牌，或 `alice:令牌1,bob:令牌2` 区分是哪位主管——审批单上
  记的“谁批的”就是这个名字）；没设置时 app.py 启动时生成一个，和后台地址一起打印一次
  （像 Jupyter 的 token），Quickstart 不用多配置。
- 请求头 `Authorization: Bearer <令牌>`；缺了或不对都是 401（带 `WWW-Authenticate: Bearer`）。
- 用 `hmac.compare_digest` 比较：比较时间不随“前面对了几个字符”变化，猜不出令牌。
- 顾客用的接口（/api/chat、/api/sessions）都没有这个依赖，也没有任何一个能做审批决定。
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from its_service.errors import ApiError

CHALLENGE = {"WWW-Authenticate": "Bearer"}
# auto_error=False：缺令牌时由下面统一回中文的 401；用 HTTPBearer 是为了让 /docs 出现“Authorize”按钮
bearer = HTTPBearer(auto_error=False, description="客服后台令牌（ITS_STAFF_TOKEN）")


def new_token() -> str:
    return secrets.token_urlsafe(18)


def require_staff(request: Request,
                  credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str:
    """返回主管的名字；没有或不对的令牌抛 401。"""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials.strip():
        raise ApiError(401, "staff_auth_required", headers=CHALLENGE)
    given_bytes = credentials.credentials.strip().encode()
    found = None
    for token, name in request.app.state.staff_tokens.items():  # 每个都比，不提前退出
        if hmac.compare_digest(given_bytes, token.encode()):
            found = name
    if found is None:
        raise ApiError(401, "staff_auth_invalid", headers=CHALLENGE)
    return found
