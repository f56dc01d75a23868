"""服务配置：从环境变量（和仓库根目录的 `.env`）读取，启动时读一次。

模型相关的配置（提供方、Key、地址、超时、重试）不在这里：一律由 `shared.factory` 负责，
这里只管这个服务自己的东西——端口、数据库位置、Redis、后台令牌、跨域、输入长度、退款审批门槛、
运行超时、锁和租约。`app.py --workers N` 启动的每个 worker 进程都从同样的环境变量读到同样的配置。

| 环境变量                         | 默认值                      | 作用                                   |
|----------------------------------|-----------------------------|----------------------------------------|
| ITS_HOST / ITS_PORT              | 127.0.0.1 / 8200            | 监听地址                               |
| ITS_SHOP_DB                      | data/its_shop.db            | 业务库：订单、物流、商品、退款、工单   |
| ITS_CONVERSATIONS_DB             | data/its_conversations.db   | 会话库（没设 ITS_REDIS_URL 时）：历史、暂停的运行、锁 |
| ITS_CORS_ORIGINS                 | （空：只允许同源）          | 逗号分隔，例如 http://localhost:8080   |
| ITS_MAX_QUERY_CHARS              | 2000                        | 一条消息最多多少字                     |
| ITS_REFUND_APPROVAL_THRESHOLD    | 500                         | 退款金额超过它（元）要人工审批         |
| ITS_REFUND_WINDOW_DAYS           | 15                          | 签收后多少天内可以申请退款             |
| ITS_RUN_TIMEOUT                  | 120                         | 一轮对话最长运行多少秒                 |
| ITS_MAX_TURNS                    | 10                          | 一轮对话里最多调用模型几次             |
| ITS_MCP_URL                      | （空：自己启动业务服务）    | 指向已经在运行的业务服务（MCP 地址）   |
| ITS_MCP_TOKEN                    | （空：不校验）              | 业务服务的访问令牌（两边设同一个值）   |
| ITS_MCP_TIMEOUT                  | 10                          | MCP 客户端的请求超时（秒）             |
| ITS_MCP_POOL                     | 2                           | 每个 worker 到业务服务的 MCP 长连接数  |
| ITS_REDIS_URL                    | （空：会话存 SQLite）       | 会话状态存 Redis，多个 worker 共享     |
| ITS_STAFF_TOKEN                  | （空：启动时生成并打印）    | 客服后台令牌；`名字:令牌,名字:令牌` 区分主管 |
| ITS_WORKERS                      | 1                           | worker 进程数（命令行 --workers 优先） |
| ITS_MAX_BODY_BYTES               | 65536                       | 请求体最多多少字节（超过 413）         |
| ITS_LOCK_TTL                     | 30                          | 会话锁的过期时间（秒），worker 死了也会放开 |
| ITS_RESUME_LEASE                 | 30                          | 审批后接着运行的租约（秒），过期别人接手 |
| ITS_RESUME_POLL                  | 2                           | 每隔几秒看一眼有没有待接着运行的审批   |
| ITS_SECRET_KEY                   | （空：用 data/its_secret.key）| 顾客登录 cookie 的签名密钥；多台机器要设同一个 |
| ITS_COOKIE_SECURE                | auto                        | 登录 cookie 带 Secure：auto=HTTPS 时才带，1=总是，0=从不 |
| ITS_GUARDRAILS                   | 1                           | 0 = 不挂护栏（只用于对照测量，见 load_test.py） |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

from shared.config import ConfigError, find_dotenv_path
from shared.factory import data_path


@dataclass(frozen=True)
class ServiceSettings:
    host: str = "127.0.0.1"
    port: int = 8200
    shop_db: Path = field(default_factory=lambda: data_path("its_shop.db"))
    conversations_db: Path = field(default_factory=lambda: data_path("its_conversations.db"))
    cors_origins: tuple[str, ...] = ()
    max_query_chars: int = 2000
    refund_approval_threshold: float = 500.0
    refund_window_days: int = 15
    run_timeout: float = 120.0
    max_running: int = 64
    max_turns: int = 10
    mcp_url: str = ""
    mcp_token: str = ""
    mcp_timeout: float = 10.0
    mcp_start_timeout: float = 20.0
    mcp_pool: int = 2
    redis_url: str = ""
    staff_token: str = ""
    workers: int = 1
    max_body_bytes: int = 65536
    lock_ttl: float = 30.0
    resume_lease: float = 30.0
    resume_poll: float = 2.0
    resume_attempts: int = 5
    secret_key: str = ""
    cookie_secure: str = "auto"
    guardrails: bool = True
    access_log: bool = False
    login_days: int = 7

    @property
    def secret_file(self) -> Path:
        """没设 ITS_SECRET_KEY 时，签名密钥放在会话库旁边（同一台机器上的 worker 共用）。"""
        return self.conversations_db.parent / "its_secret.key"

    def staff_tokens(self) -> dict[str, str]:
        """ITS_STAFF_TOKEN → {令牌: 主管名字}。单个令牌时名字是“主管”。"""
        tokens: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in self.staff_token.split(","))):
            name, sep, token = part.partition(":")
            tokens[token.strip() if sep else part] = name.strip() if sep else "主管"
        return tokens


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def _number(name: str, default: float, kind: type = float, minimum: float = 0) -> float:
    raw = _env(name)
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} 不是数字，请改成例如 {default}。") from None
    if value < minimum:
        raise ConfigError(f"{name} 不能小于 {minimum}（当前 {raw}）。")
    return value


def load_settings(**overrides: object) -> ServiceSettings:
    """读取环境变量；`overrides` 给测试和 app.py 的命令行参数用（优先级最高）。"""
    dotenv = find_dotenv_path()
    if dotenv:
        load_dotenv(dotenv, override=False)
    values: dict[str, object] = {}
    if _env("ITS_HOST"):
        values["host"] = _env("ITS_HOST")
    if _env("ITS_PORT"):
        values["port"] = int(_number("ITS_PORT", 8200, int))
    if _env("ITS_SHOP_DB"):
        values["shop_db"] = Path(_env("ITS_SHOP_DB")).expanduser()
    if _env("ITS_CONVERSATIONS_DB"):
        values["conversations_db"] = Path(_env("ITS_CONVERSATIONS_DB")).expanduser()
    if _env("ITS_CORS_ORIGINS"):
        values["cors_origins"] = tuple(
            o.strip() for o in _env("ITS_CORS_ORIGINS").split(",") if o.strip()
        )
    values["max_query_chars"] = int(_number("ITS_MAX_QUERY_CHARS", 2000, int, 1))
    values["refund_approval_threshold"] = _number("ITS_REFUND_APPROVAL_THRESHOLD", 500.0)
    values["refund_window_days"] = int(_number("ITS_REFUND_WINDOW_DAYS", 15, int))
    values["run_timeout"] = _number("ITS_RUN_TIMEOUT", 120.0, float, 1)
    values["max_running"] = int(_number("ITS_MAX_RUNNING", 64, int, 1))
    values["max_turns"] = int(_number("ITS_MAX_TURNS", 10, int, 1))
    values["mcp_url"] = _env("ITS_MCP_URL")
    values["mcp_token"] = _env("ITS_MCP_TOKEN")
    values["mcp_timeout"] = _number("ITS_MCP_TIMEOUT", 10.0, float, 0.5)
    values["mcp_pool"] = int(_number("ITS_MCP_POOL", 2, int, 1))
    values["redis_url"] = _env("ITS_REDIS_URL")
    values["staff_token"] = _env("ITS_STAFF_TOKEN")
    values["workers"] = int(_number("ITS_WORKERS", 1, int, 1))
    values["max_body_bytes"] = int(_number("ITS_MAX_BODY_BYTES", 65536, int, 1024))
    values["lock_ttl"] = _number("ITS_LOCK_TTL", 30.0, float, 1)
    values["resume_lease"] = _number("ITS_RESUME_LEASE", 30.0, float, 1)
    values["resume_poll"] = _number("ITS_RESUME_POLL", 2.0, float, 0.1)
    values["secret_key"] = _env("ITS_SECRET_KEY")
    secure = (_env("ITS_COOKIE_SECURE") or "auto").lower()
    if secure not in ("auto", "1", "0"):
        raise ConfigError(f"ITS_COOKIE_SECURE={secure!r} 只能是 auto、1 或 0。")
    values["cookie_secure"] = secure
    guardrails = (_env("ITS_GUARDRAILS") or "1").lower()
    if guardrails not in ("1", "0", "true", "false", "on", "off"):
        raise ConfigError(f"ITS_GUARDRAILS={guardrails!r} 只能是 1（开）或 0（关）。")
    values["guardrails"] = guardrails in ("1", "true", "on")
    access_log = (_env("ITS_ACCESS_LOG") or "0").lower()
    if access_log not in ("1", "0", "true", "false", "on", "off"):
        raise ConfigError(f"ITS_ACCESS_LOG={access_log!r} 只能是 1（每个请求记一行）或 0（不记）。")
    values["access_log"] = access_log in ("1", "true", "on")
    values.update(overrides)
    return ServiceSettings(**values)  # type: ignore[arg-type]
