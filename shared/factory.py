"""客户端工厂：每个课程脚本都从这里拿模型客户端，换提供方只需改 `.env`。

    from shared.factory import print_provider, get_async_client, get_chat_model

- `print_provider()`            脚本开头打印当前提供方、模型、地址（Key 已打码）
- `get_client()` / `get_async_client()`   官方 `openai` 的同步 / 异步客户端
- 课程里 Agent 绑定模型的三种方式，各一个小函数：
  - `use_global_client()`       方式一：全局 `set_default_openai_client` + chat_completions
  - `get_model_provider()`      方式二：`RunConfig(model_provider=...)` 用的 ModelProvider
  - `get_chat_model()`          方式三：绑定到单个 Agent 的 `OpenAIChatCompletionsModel`
- `get_responses_model()`       走 Responses API 的模型（推理项、托管工具要用）
- `use_local_tracing()`         用本地的 TracingProcessor 替换上报 OpenAI 的导出器，任何提供方都能看 trace
- `require_responses_api()`     提供方不支持 Responses API 时，讲清楚原因并正常退出

没有配置 Key 时，提供方是内置模拟模型（`shared/mock`），第一次用到时在本进程后台启动。
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from shared.config import REPO_ROOT, ConfigError, Settings, get_settings, mask_key

if TYPE_CHECKING:
    from agents import Model, ModelProvider, OpenAIChatCompletionsModel, OpenAIResponsesModel
    from agents.tracing import TracingProcessor
    from openai import AsyncOpenAI, OpenAI

__all__ = [
    "ConfigError",
    "Settings",
    "data_path",
    "explain_error",
    "get_async_client",
    "get_chat_model",
    "get_client",
    "get_model_provider",
    "get_responses_model",
    "get_settings",
    "print_provider",
    "require_responses_api",
    "use_global_client",
    "use_local_tracing",
]

_lock = threading.Lock()
_clients: dict[str, object] = {}
_local_tracing = False  # use_local_tracing() 之后：trace 只交给本地处理器，不再上报，所以对所有提供方打开


def print_provider(settings: Settings | None = None) -> Settings:
    """打印一行当前模型配置，脚本开头调用。返回配置，方便后面取 model 名。"""
    settings = settings or get_settings()
    print(f"【模型】{settings.describe()}")
    return settings


def _client_kwargs() -> dict:
    settings = get_settings()
    _install_error_hook()
    headers = {}
    fault = os.environ.get("MOCK_FAULT", "").strip()
    if settings.is_mock and fault:
        # 只对内置模拟模型有效：让每个请求都按指定方式失败，用来观察报错（见 shared/mock/README）。
        headers["X-Mock-Fault"] = fault
    return {
        "api_key": settings.api_key,
        "base_url": settings.base_url,
        "timeout": settings.timeout,
        "max_retries": settings.max_retries,
        "default_headers": headers or None,
    }


def get_client() -> OpenAI:
    """同步 `openai.OpenAI` 客户端（进程内复用同一个）。"""
    from openai import OpenAI

    with _lock:
        if "sync" not in _clients:
            _clients["sync"] = OpenAI(**_client_kwargs())
        return _clients["sync"]  # type: ignore[return-value]


def get_async_client() -> AsyncOpenAI:
    """异步 `openai.AsyncOpenAI` 客户端（Agents SDK 只接受异步客户端）。

    同一个脚本里可能先 `Runner.run_sync()` 再 `asyncio.run()`：两个事件循环。
    连接池不能跨循环复用，所以这个客户端按事件循环各用一个连接池（见 `shared/http.py`）。
    """
    from openai import AsyncOpenAI, DefaultAsyncHttpxClient

    from shared.http import PerLoopTransport

    with _lock:
        if "async" not in _clients:
            kwargs = _client_kwargs()
            http_client = DefaultAsyncHttpxClient(transport=PerLoopTransport(kwargs["base_url"]))
            _clients["async"] = AsyncOpenAI(**kwargs, http_client=http_client)
        return _clients["async"]  # type: ignore[return-value]


def _configure_agents() -> None:
    """Tracing 只在真正的 OpenAI + 真实 Key 时打开；其它提供方会因为上报 trace 报 401。

    换成了本地处理器（`use_local_tracing()`）时没有上报，对所有提供方都打开。
    """
    from agents import set_tracing_disabled

    settings = get_settings()
    set_tracing_disabled(settings.provider != "openai" and not _local_tracing)


def use_local_tracing(*processors: TracingProcessor) -> None:
    """用本地的 TracingProcessor 替换 SDK 默认的上报导出器，并打开 tracing。

    SDK 默认把 trace 批量发到 OpenAI（api.openai.com/v1/traces/ingest），用的是 OPENAI_API_KEY：
    其它提供方的 Key 在那里是 401，所以工厂平时对它们关闭 tracing。这里用 `set_trace_processors`
    换掉全部处理器（默认的上报处理器不再收到任何 span），之后任何提供方都能在本地看到 trace，
    而且不会上传。见 05_stream_events/08_local_tracing.py。
    """
    global _local_tracing
    from agents import set_trace_processors, set_tracing_disabled

    set_trace_processors(list(processors))
    _local_tracing = True
    set_tracing_disabled(False)


def use_global_client() -> str:
    """方式一：全局设置。所有 Agent 共用一个客户端，返回模型名（给 `Agent(model=...)` 用）。"""
    from agents import set_default_openai_api, set_default_openai_client

    _configure_agents()
    set_default_openai_client(get_async_client(), use_for_tracing=False)
    # 国内兼容接口大多只有 Chat Completions；SDK 默认走 Responses API，必须改掉。
    set_default_openai_api("chat_completions")
    return get_settings().model


def get_model_provider() -> ModelProvider:
    """方式二：运行时传入。`Runner.run(..., run_config=RunConfig(model_provider=...))`。"""
    from agents import ModelProvider, OpenAIChatCompletionsModel

    _configure_agents()
    settings = get_settings()

    class FactoryModelProvider(ModelProvider):
        """把 Agent 上的模型名（字符串）解析成走工厂客户端的 Chat Completions 模型。"""

        def get_model(self, model_name: str | None) -> Model:
            return OpenAIChatCompletionsModel(
                model=model_name or settings.model, openai_client=get_async_client()
            )

    return FactoryModelProvider()


def get_chat_model(model: str | None = None) -> OpenAIChatCompletionsModel:
    """方式三：绑定到单个 Agent 的 Chat Completions 模型（所有提供方都支持）。"""
    from agents import OpenAIChatCompletionsModel

    _configure_agents()
    return OpenAIChatCompletionsModel(
        model=model or get_settings().model, openai_client=get_async_client()
    )


def get_responses_model(model: str | None = None) -> OpenAIResponsesModel:
    """走 Responses API 的模型。先用 `require_responses_api()` 确认提供方支持。"""
    from agents import OpenAIResponsesModel

    _configure_agents()
    return OpenAIResponsesModel(model=model or get_settings().model, openai_client=get_async_client())


def require_responses_api(feature: str = "Responses API") -> Settings:
    """提供方不支持 Responses API 时，打印原因和出路，以退出码 0 结束脚本。"""
    settings = get_settings()
    if not settings.supports_responses:
        print(
            f"⚠ 当前提供方 {settings.provider}（{settings.label}）不支持 {feature}。\n"
            "  国内多数 OpenAI 兼容接口目前只实现了 Chat Completions（/v1/chat/completions）。\n"
            "  想运行本课：删掉 .env 里的 Key 改用内置模拟模型，或设置 LLM_PROVIDER=openai；\n"
            "  如果你的服务确实支持，可设置 LLM_SUPPORTS_RESPONSES=1。"
        )
        raise SystemExit(0)
    return settings


def data_path(name: str) -> Path:
    """课程运行时数据（SQLite 会话库等）的位置：默认仓库根目录下的 data/，可用 ITS_DATA_DIR 改。"""
    root = Path(os.environ.get("ITS_DATA_DIR") or REPO_ROOT / "data")
    root.mkdir(parents=True, exist_ok=True)
    return root / name


# ---------------------------------------------------------------- 友好的错误提示


def explain_error(exc: BaseException) -> tuple[str, str] | None:
    """把模型调用的异常翻译成 (错误码, 中文说明)；不是模型调用的错误返回 None。

    说明里只出现打码后的 Key，不出现原始响应体之外的内部细节。
    """
    import openai

    seen: set[int] = set()
    err: BaseException | None = exc
    while err is not None and id(err) not in seen:  # SDK 可能把 openai 异常包在里面
        seen.add(id(err))
        if isinstance(err, openai.APIError):
            break
        err = err.__cause__ or err.__context__
    if not isinstance(err, openai.APIError):
        return None

    settings = get_settings()
    where = f"{settings.label}（{settings.base_url}）"
    key_var = settings.key_env or "OPENAI_API_KEY"
    if isinstance(err, openai.AuthenticationError):
        return "auth_error", (
            f"{where} 拒绝了 API Key（401），当前 {key_var}={mask_key(settings.api_key)}。"
            f"请检查 .env 里的 {key_var} 是否填对、是否过期。"
        )
    if isinstance(err, openai.PermissionDeniedError):
        return "permission_denied", f"{where} 拒绝访问（403）：这个 Key 没有调用该模型的权限。"
    if isinstance(err, openai.NotFoundError):
        return "not_found", (
            f"{where} 找不到模型 {settings.model!r} 或接口（404）。"
            "请检查 OPENAI_MODEL_NAME 和 OPENAI_BASE_URL；若是 Responses API，该提供方可能不支持。"
        )
    if isinstance(err, openai.RateLimitError):
        return "rate_limited", f"{where} 限流或额度不足（429），请稍后再试或检查账户余额。"
    if isinstance(err, openai.APITimeoutError):
        return "timeout", f"请求 {where} 超时（LLM_TIMEOUT={settings.timeout:g} 秒）。"
    if isinstance(err, openai.APIConnectionError):
        hint = "先运行 ollama serve。" if settings.provider == "ollama" else "请检查网络和 OPENAI_BASE_URL。"
        return "connection_error", f"连不上模型服务 {where}，或连接中途断开。{hint}"
    if isinstance(err, openai.InternalServerError):
        return "server_error", f"{where} 内部错误（{err.status_code}），请稍后重试。"
    if isinstance(err, openai.APIStatusError):
        return "bad_request", f"{where} 拒绝了请求（{err.status_code}）：{err.message}"
    return "api_error", f"调用 {where} 出错：{err}"


_hook_installed = False


def _install_error_hook() -> None:
    """脚本里没被捕获的模型调用错误：打印中文说明并以退出码 1 结束，而不是一大段 traceback。"""
    global _hook_installed
    if _hook_installed:
        return
    _hook_installed = True
    previous = sys.excepthook

    def hook(exc_type, exc, tb):  # noqa: ANN001
        explained = explain_error(exc) if isinstance(exc, BaseException) else None
        if explained is None:
            previous(exc_type, exc, tb)
            return
        code, message = explained
        print(f"✗ 模型调用失败 [{code}]：{message}", file=sys.stderr)
        print("  （设置环境变量 ITS_TRACEBACK=1 可查看完整 traceback）", file=sys.stderr)
        if os.environ.get("ITS_TRACEBACK") == "1":
            previous(exc_type, exc, tb)

    sys.excepthook = hook
