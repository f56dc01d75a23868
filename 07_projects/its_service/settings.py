"""服务配置：每个设置在下面的 `ServiceSettings` 里声明一次——类型、默认值、说明（pydantic-settings）。

值从环境变量 `ITS_<名字大写>`（和仓库根目录的 `.env`）读，启动时读一次；空字符串当作没设。
07_projects/README.md 的配置表由 `python -m its_service settings` 从这里生成，测试核对两边一致。
值不对（`ITS_PORT=abc`、`ITS_LOCK_TTL=0`、`ITS_COOKIE_SECURE=yes`……）时抛 `ConfigError`，用中文说清是哪个
变量、该怎么改；app.py 把它打印出来、退出码 2，没有 traceback。

模型相关的配置（提供方、Key、地址、超时、重试）不在这里：一律由 `shared.factory` 负责。
`app.py --workers N` 启动的每个 worker 进程都从同样的环境变量读到同样的配置。
"""

from __future__ import annotations

import os
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

from dotenv import dotenv_values
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shared.config import ConfigError, find_dotenv_path
from shared.factory import data_path

PREFIX = "ITS_"
DB_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql", "postgres", "postgresql+psycopg")
CommaList = Annotated[tuple[str, ...], NoDecode]


def _shown(text: str) -> dict[str, str]:
    """默认值是运行时算出来的（放在数据目录下）：配置表里显示这个。"""
    return {"shown": text}


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, extra="ignore", frozen=True,
                                      str_strip_whitespace=True, env_file_encoding="utf-8")

    # ---------------------------------------------------------------- 监听
    host: str = Field("127.0.0.1", description="监听地址（命令行 `--host` 优先）")
    port: int = Field(8200, ge=1, le=65535, description="端口（命令行 `--port` 优先）")
    workers: int = Field(1, ge=1, description="worker 进程数（命令行 `--workers` 优先）")
    access_log: bool = Field(False, description="1：每个 HTTP 请求在终端记一行（uvicorn 的访问日志）")
    cors_origins: CommaList = Field((), description="页面放在别的域名时填，逗号分隔；空：只允许同源")
    max_query_chars: int = Field(2000, ge=1, description="一条消息最多多少字")
    max_body_bytes: int = Field(65536, ge=1024, description="请求体最多多少字节（超过 413）")

    # ---------------------------------------------------------------- 身份
    staff_token: str = Field("", repr=False, description="客服后台令牌；`名字:令牌,名字:令牌` 区分主管；"
                                                         "空：启动时生成并打印")
    secret_key: str = Field("", repr=False, description="顾客登录 cookie 的签名密钥；空：用 data/its_secret.key"
                                                        "（多台机器要设同一个）")
    cookie_secure: Literal["auto", "1", "0"] = Field("auto", description="登录 cookie 带 Secure：auto=HTTPS 时才带，"
                                                                          "1=总是，0=从不")
    login_days: int = Field(7, ge=1, description="登录 cookie 几天后过期")

    # ---------------------------------------------------------------- 会话存储
    redis_url: str = Field("", repr=False, description="会话状态放 Redis，多个 worker / 多台机器共享；空：会话存 SQLite")
    conversations_db: Path = Field(default_factory=lambda: data_path("its_conversations.db"),
                                   json_schema_extra=_shown("data/its_conversations.db"),
                                   description="SQLite 会话库（没设 ITS_REDIS_URL 时）：历史、暂停的运行、锁")
    lock_ttl: float = Field(30.0, ge=1, description="会话锁过期时间（秒）：worker 死了，锁最多留这么久")

    # ---------------------------------------------------------------- 业务服务与业务库
    shop_db_url: str = Field(default_factory=lambda: f"sqlite:///{data_path('its_shop.db')}",
                             json_schema_extra=_shown("sqlite:///data/its_shop.db"), repr=False,
                             description="业务库（业务服务用）：`sqlite:///路径`，或多台机器共用的 "
                                         "`postgresql+psycopg://用户:密码@主机/库名`")
    shop_db_pool: int = Field(8, ge=1, description="业务服务到 PostgreSQL 的连接数（SQLite 不用）")
    mcp_url: str = Field("", description="使用外部业务服务（MCP 地址）；空：自己拉起一个")
    mcp_token: str = Field("", repr=False, description="业务服务的访问令牌：单独运行的业务服务必须设，worker "
                                                       "设同一个；空且自己拉起时每次随机生成")
    mcp_allowed_hosts: CommaList = Field((), description="业务服务还接受哪些 Host（逗号分隔，例如 "
                                                          "`shop-api:8201`；DNS 重绑定防护，本机名字总是接受）")
    mcp_timeout: float = Field(10.0, ge=0.5, description="业务服务请求超时（秒）")
    mcp_start_timeout: float = Field(20.0, ge=1, description="自己拉起业务服务时最多等它就绪几秒")
    mcp_pool: int = Field(2, ge=1, description="每个 worker 到业务服务的 MCP 长连接数")
    refund_approval_threshold: float = Field(500.0, ge=0, description="退款超过多少元要主管审批（业务服务读）")
    refund_window_days: int = Field(15, ge=0, description="签收后多少天内可退（业务服务读）")

    # ---------------------------------------------------------------- 运行
    run_timeout: float = Field(120.0, ge=1, description="一轮最长运行多少秒")
    max_turns: int = Field(10, ge=1, description="一轮里最多调用模型几次")
    max_running: int = Field(64, ge=1, description="每个 worker 同时跑 Agent 的轮次上限；循环忙时放得更少，"
                                                   "多的排队（见“压测”一节的“准入”）")
    guardrails: bool = Field(True, description="0：不挂护栏（只给压测做对照）")
    resume_lease: float = Field(30.0, ge=1, description="审批后接着运行的租约（秒）：过期后别的 worker 接手")
    resume_poll: float = Field(2.0, ge=0.1, description="每隔几秒看一眼有没有要接着运行的审批")
    resume_attempts: int = Field(5, ge=1, description="审批后接着运行最多试几次，再失败就交给人工")

    @field_validator("cors_origins", "mcp_allowed_hosts", mode="before")
    @classmethod
    def comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("shop_db_url")
    @classmethod
    def database_url(cls, value: str) -> str:
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in DB_SCHEMES:
            raise ValueError("只支持 sqlite:///文件路径 或 postgresql+psycopg://用户:密码@主机:端口/库名")
        return value

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


# 改过名的变量：旧名字还在、新名字没设时说清楚怎么改，而不是悄悄用默认值
RENAMED = {"ITS_SHOP_DB": ("ITS_SHOP_DB_URL", "sqlite:///{}")}


def load_settings(**overrides: Any) -> ServiceSettings:
    """读取环境变量和 `.env`；`overrides` 给测试和 app.py 的命令行参数用（优先级最高）。"""
    dotenv = find_dotenv_path()
    said = {**(dotenv_values(dotenv) if dotenv else {}), **os.environ}
    for old, (new, shape) in RENAMED.items():
        if said.get(old) and not said.get(new) and "shop_db_url" not in overrides:
            raise ConfigError(f"{old} 已改名为 {new}，值也换成数据库地址：请改成 {new}={shape.format(said[old])}")
    try:
        return ServiceSettings(_env_file=dotenv, **overrides)
    except ValidationError as exc:
        raise ConfigError("；".join(explain(error) for error in exc.errors())) from None


def env_name(field: str) -> str:
    return f"{PREFIX}{field.upper()}"


def explain(error: Any) -> str:
    """pydantic 的一条校验错误 → 中文：哪个变量、现在是什么、该怎么改。"""
    field = str(error["loc"][0]) if error.get("loc") else ""
    name, raw, kind, ctx = env_name(field), error.get("input"), error.get("type", ""), error.get("ctx") or {}
    info = ServiceSettings.model_fields.get(field)
    if kind in ("int_parsing", "float_parsing", "int_from_float"):
        return f"{name}={raw!r} 不是{'整数' if kind != 'float_parsing' else '数字'}，请改成例如 {default_text(info)}。"
    if kind == "greater_than_equal":
        return f"{name} 不能小于 {ctx.get('ge'):g}（当前 {raw}）。"
    if kind == "less_than_equal":
        return f"{name} 不能大于 {ctx.get('le'):g}（当前 {raw}）。"
    if kind == "bool_parsing":
        return f"{name}={raw!r} 只能是 1（开）或 0（关）。"
    if kind == "literal_error" and info is not None:
        choices = [str(c) for c in typing.get_args(info.annotation)]
        return f"{name}={raw!r} 只能是 {'、'.join(choices[:-1])} 或 {choices[-1]}。"
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    return f"{name}={raw!r} 不对：{message}"


# ---------------------------------------------------------------- README 的配置表


def default_text(info: Any) -> str:
    if info is None:
        return ""
    extra = info.json_schema_extra or {}
    if "shown" in extra:
        return str(extra["shown"])
    value = info.get_default(call_default_factory=False)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "空" if value in ("", ()) else str(value)


def settings_table() -> str:
    """README 里“服务自己的配置”那张表（Markdown）：每个设置一行。"""
    rows = ["| 变量 | 默认 | 作用 |", "|---|---|---|"]
    for field, info in ServiceSettings.model_fields.items():
        rows.append(f"| `{env_name(field)}` | {default_text(info)} | {info.description} |")
    return "\n".join(rows)
