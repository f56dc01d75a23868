"""身份验证：两种人，各一个 FastAPI 依赖。

**顾客**（`require_customer`，挂在 /api/chat、/api/sessions 的每个路由上）：

- 演示级的登录：页面上选一位演示顾客（seed.json 的 customers），`POST /api/login` 核对他在业务服务里
  存在，回一个**签名 cookie** `its_customer`：`顾客编号.过期时间.签名`，签名是 HMAC-SHA256（密钥
  `ITS_SECRET_KEY`，没设就用 data/its_secret.key，第一次启动时随机生成）。没有密码——“选谁就是谁”
  只是演示；但之后的一切按这个身份**真的**执行：会话属于他、工具只代表他。
- cookie 是 `HttpOnly`（页面脚本读不到，XSS 偷不走）、`SameSite=Lax`（别的网站发来的 POST / fetch
  不带它；点链接进来的 GET 带它，所以 GET 接口都只读）、HTTPS 时 `Secure`（ITS_COOKIE_SECURE）。
- 签名对不上、过期、格式不对 → 401 `login_required`。比较用 `hmac.compare_digest`。
- `same_origin`：改变状态的请求（POST / DELETE）如果带着别的网站的 `Origin`（或 `Sec-Fetch-Site:
  cross-site`）→ 403 `cross_site`。SameSite 已经挡住了 cookie，这是第二道门（也挡住没有 cookie 的
  跨站请求去“新建”东西）。`ITS_CORS_ORIGINS` 里列出的来源算自己人。

**客服主管**（`require_staff`，挂在所有 /api/staff/ 路由上）：

- 令牌来自 `ITS_STAFF_TOKEN`（单个令牌，或 `alice:令牌1,bob:令牌2` 区分是哪位主管——审批单上
  记的“谁批的”就是这个名字）；没设置时 app.py 启动时生成一个，和后台地址一起打印一次
  （像 Jupyter 的 token），Quickstart 不用多配置。
- 请求头 `Authorization: Bearer <令牌>`；缺了或不对都是 401（带 `WWW-Authenticate: Bearer`）。
- 用 `hmac.compare_digest` 比较：比较时间不随“前面对了几个字符”变化，猜不出令牌。
- 顾客用的接口（/api/chat、/api/sessions）都没有这个依赖，也没有任何一个能做审批决定。

这几个依赖都写成 `async def`：它们只算一下 HMAC、不做 I/O。写成普通 `def` 的依赖 FastAPI 会放进线程池
去跑，每个请求多两次线程切换；服务忙的时候（几百轮在跑）这几步排队，顾客就要多等才看到第一个事件。
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import time
from pathlib import Path

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from its_service.errors import ApiError
from its_service.settings import ServiceSettings

COOKIE = "its_customer"
CUSTOMER_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")

CHALLENGE = {"WWW-Authenticate": "Bearer"}
# auto_error=False：缺令牌时由下面统一回中文的 401；用 HTTPBearer 是为了让 /docs 出现“Authorize”按钮
bearer = HTTPBearer(auto_error=False, description="客服后台令牌（ITS_STAFF_TOKEN）")


def new_token() -> str:
    return secrets.token_urlsafe(18)


async def require_staff(request: Request,
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


# ---------------------------------------------------------------- 顾客：签名 cookie


def cookie_secret(settings: ServiceSettings) -> bytes:
    """签名密钥：ITS_SECRET_KEY；没设就读 data/its_secret.key（没有就生成一个，只有本机用户可读）。
    同一台机器上的几个 worker 读到同一个文件；多台机器请设同一个 ITS_SECRET_KEY。"""
    if settings.secret_key:
        return settings.secret_key.encode()
    path: Path = settings.secret_file
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32))
    for _ in range(50):  # 另一个 worker 刚创建、还没写完：稍等
        key = path.read_text().strip()
        if key:
            return key.encode()
        time.sleep(0.02)
    raise RuntimeError(f"签名密钥文件 {path} 是空的：删掉它重启，或设置 ITS_SECRET_KEY")


def _signature(secret: bytes, payload: str) -> str:
    digest = hmac.new(secret, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign_customer(secret: bytes, customer_id: str, days: int) -> str:
    payload = f"{customer_id}.{int(time.time()) + days * 86400}"
    return f"{payload}.{_signature(secret, payload)}"


def verify_customer(secret: bytes, value: str | None) -> str | None:
    """cookie 的值 → 顾客编号；签名不对、过期、格式不对都是 None。"""
    if not value or value.count(".") != 2:
        return None
    customer_id, expires, signature = value.split(".")
    if not hmac.compare_digest(signature.encode(), _signature(secret, f"{customer_id}.{expires}").encode()):
        return None
    if not expires.isdigit() or int(expires) < time.time() or not CUSTOMER_ID.fullmatch(customer_id):
        return None
    return customer_id


def set_login_cookie(request: Request, response: Response, customer_id: str) -> None:
    settings: ServiceSettings = request.app.state.settings
    secure = settings.cookie_secure == "1" or (settings.cookie_secure == "auto" and request.url.scheme == "https")
    response.set_cookie(COOKIE, sign_customer(request.app.state.cookie_secret, customer_id, settings.login_days),
                        max_age=settings.login_days * 86400, path="/", httponly=True, samesite="lax",
                        secure=secure)


def clear_login_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


async def require_customer(request: Request) -> str:
    """登录的顾客编号；没登录、cookie 被改过或过期 → 401。"""
    customer = verify_customer(request.app.state.cookie_secret, request.cookies.get(COOKIE))
    if customer is None:
        raise ApiError(401, "login_required")
    return customer


async def same_origin(request: Request) -> None:
    """改变状态的请求不能来自别的网站（跨站请求伪造）：看 Origin / Sec-Fetch-Site。"""
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise ApiError(403, "cross_site")
    origin = request.headers.get("origin")
    if not origin:  # curl、测试客户端不带 Origin；浏览器的 POST / DELETE 都带
        return
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if origin != own and origin not in request.app.state.settings.cors_origins:
        raise ApiError(403, "cross_site")
