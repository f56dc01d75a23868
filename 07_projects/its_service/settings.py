"""服务配置：从环境变量（和仓库根目录的 `.env`）读取，启动时读一次。

模型相关的配置（提供方、Key、地址、超时、重试）不在这里：一律由 `shared.factory` 负责，
这里只管这个服务自己的东西——端口、数据库位置、跨域、输入长度、退款审批门槛、运行超时。

| 环境变量                         | 默认值                      | 作用                                   |
|----------------------------------|-----------------------------|----------------------------------------|
| ITS_HOST / ITS_PORT              | 127.0.0.1 / 8200            | 监听地址                               |
| ITS_SHOP_DB                      | data/its_shop.db            | 业务库：订单、物流、商品、退款、工单   |
| ITS_CONVERSATIONS_DB             | data/its_conversations.db   | 会话库：SQLiteSession 历史、待审批     |
| ITS_CORS_ORIGINS                 | （空：只允许同源）          | 逗号分隔，例如 http://localhost:8080   |
| ITS_MAX_QUERY_CHARS              | 2000                        | 一条消息最多多少字                     |
| ITS_REFUND_APPROVAL_THRESHOLD    | 500                         | 退款金额超过它（元）要人工审批         |
| ITS_REFUND_WINDOW_DAYS           | 15                          | 签收后多少天内可以申请退款             |
| ITS_RUN_TIMEOUT                  | 120                         | 一轮对话最长运行多少秒                 |
| ITS_MAX_TURNS                    | 10                          | 一轮对话里最多调用模型几次             |
| ITS_MCP_URL                      | （空：自己启动 MCP 服务）   | 指向已经在运行的订单/物流 MCP 服务     |
| ITS_MCP_TIMEOUT                  | 10                          | MCP 客户端的请求超时（秒）             |
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
    max_turns: int = 10
    mcp_url: str = ""
    mcp_timeout: float = 10.0
    mcp_start_timeout: float = 20.0


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
    values["max_turns"] = int(_number("ITS_MAX_TURNS", 10, int, 1))
    values["mcp_url"] = _env("ITS_MCP_URL")
    values["mcp_timeout"] = _number("ITS_MCP_TIMEOUT", 10.0, float, 0.5)
    values.update(overrides)
    return ServiceSettings(**values)  # type: ignore[arg-type]
