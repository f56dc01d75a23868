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
- `require_reasoning_tools()`   推理模型不能带工具时（Ollama、硅基流动的 R1），讲清楚原因并正常退出
- `explain_tool_choice_required()`  提供方拒绝 / 忽略 `tool_choice="required"` 时打印说明

提供方之间的接口差异（预设表 `shared.config.PRESETS` 里记着）由这里替课程处理：
- 不支持 `json_schema` 的提供方（DeepSeek、硅基流动）：`get_chat_model()` 返回的模型在 Agent 设了
  `output_type` 时改用 `json_object` + 把 JSON Schema 写进指令，SDK 照常校验、解析成对象；
- DeepSeek 思考模式要求把工具调用那几轮的 `reasoning_content` 回传：用 SDK 自己的
  `should_replay_reasoning_content` 钩子打开回传；
- Tracing 只在真正的 OpenAI 地址上打开（别家的 Key 上报 trace 会 401）。

没有配置 Key 时，提供方是内置模拟模型（`shared/mock`），第一次用到时在本进程后台启动。
"""

from __future__ import annotations

import json
import os
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlparse

from shared.config import REPO_ROOT, ConfigError, Settings, current_lesson, get_settings, mask_key

if TYPE_CHECKING:
    from agents import Model, ModelProvider, OpenAIChatCompletionsModel, OpenAIResponsesModel
    from agents.tracing import TracingProcessor
    from openai import AsyncOpenAI, OpenAI

__all__ = [
    "ConfigError",
    "Settings",
    "data_path",
    "explain_error",
    "explain_tool_choice_required",
    "get_async_client",
    "get_chat_model",
    "get_client",
    "get_model_provider",
    "get_responses_model",
    "get_settings",
    "print_provider",
    "require_reasoning_tools",
    "require_responses_api",
    "schema_instructions",
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


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _client_kwargs() -> dict:
    settings = get_settings()
    _install_error_hook()
    headers = {}
    fault = os.environ.get("MOCK_FAULT", "").strip()
    if settings.is_mock and fault:
        # 只对内置模拟模型有效：让每个请求都按指定方式失败，用来观察报错（见 shared/mock/README）。
        headers["X-Mock-Fault"] = fault
    lesson = current_lesson()
    if lesson and urlparse(settings.base_url).hostname in LOOPBACK:
        # 发给本机服务（模拟模型、录像代理）的请求带上“来自哪一课”：录像按课程记条目（见 shared/mock/proxy.py）。
        # 不发给外面的提供方。
        headers["X-Course-Lesson"] = quote(lesson)
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


def _is_openai_endpoint(settings: Settings) -> bool:
    return settings.provider == "openai" and urlparse(settings.base_url).hostname == "api.openai.com"


def _configure_agents() -> None:
    """Tracing 只在真正的 OpenAI 地址上打开：其它提供方的 Key 上报 trace 会 401（SDK issue #135）。

    OPENAI_BASE_URL 把 openai 预设指向别处（代理、离线演练用的模拟模型）时也关掉。
    换成了本地处理器（`use_local_tracing()`）时没有上报，对所有提供方都打开。
    """
    from agents import set_tracing_disabled

    set_tracing_disabled(not _is_openai_endpoint(get_settings()) and not _local_tracing)


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
    """方式一：全局设置。所有 Agent 共用一个客户端，返回模型名（给 `Agent(model=...)` 用）。

    模型名里带 “/”（硅基流动的 Qwen/Qwen3-32B）时返回 “openai/Qwen/Qwen3-32B”，原因见函数体。
    """
    from agents import set_default_openai_api, set_default_openai_client

    _configure_agents()
    set_default_openai_client(get_async_client(), use_for_tracing=False)
    # 国内兼容接口大多只有 Chat Completions；SDK 默认走 Responses API，必须改掉。
    set_default_openai_api("chat_completions")
    model = get_settings().model
    # Runner 默认的 MultiProvider 把 “xxx/” 当成提供方前缀：硅基流动的 “Qwen/Qwen3-32B” 会报
    # “Unknown prefix: Qwen”。SDK 约定 “openai/” 前缀表示“交给全局的 OpenAI 客户端，后面整段是模型名”。
    return f"openai/{model}" if "/" in model else model


def get_model_provider() -> ModelProvider:
    """方式二：运行时传入。`Runner.run(..., run_config=RunConfig(model_provider=...))`。"""
    from agents import ModelProvider

    _configure_agents()
    settings = get_settings()

    class FactoryModelProvider(ModelProvider):
        """把 Agent 上的模型名（字符串）解析成走工厂客户端的 Chat Completions 模型。"""

        def get_model(self, model_name: str | None) -> Model:
            return _chat_completions_model(model_name or settings.model)

    return FactoryModelProvider()


def get_chat_model(model: str | None = None) -> OpenAIChatCompletionsModel:
    """方式三：绑定到单个 Agent 的 Chat Completions 模型（所有提供方都支持）。"""
    _configure_agents()
    return _chat_completions_model(model or get_settings().model)


def _chat_completions_model(model: str) -> OpenAIChatCompletionsModel:
    """按提供方的差异配好的 Chat Completions 模型（见模块文档）。"""
    from agents import OpenAIChatCompletionsModel

    settings = get_settings()
    kwargs: dict[str, Any] = {}
    if settings.provider == "deepseek":
        # SDK 默认只在模型名含 deepseek 时回传推理内容；DeepSeek 预设下不管模型名叫什么都回传。
        kwargs["should_replay_reasoning_content"] = lambda context: True
    if settings.preset.json_schema:
        return OpenAIChatCompletionsModel(model=model, openai_client=get_async_client(), **kwargs)
    chat_model = _json_object_model()(model=model, openai_client=get_async_client(), **kwargs)
    # DeepSeek 思考模式要求回传工具调用轮次的推理内容：别的提供方留下的历史按它的规则改写（shared/history.py）。
    chat_model.adapt_history = settings.provider == "deepseek"
    return chat_model


def schema_instructions(schema: dict) -> str:
    """json_object 模式的指令：要求输出符合 Schema 的 JSON（提示里必须出现 “JSON” 一词）。"""
    return (
        "请只输出一个 JSON 对象，不要输出其它文字。JSON 必须符合下面的 JSON Schema：\n"
        + json.dumps(schema, ensure_ascii=False)
    )


_json_object_class: type | None = None


def _json_object_model() -> type:
    """不支持 json_schema 的提供方用的模型类：结构化输出改走 json_object（导入 agents 较慢，用到才建）。"""
    global _json_object_class
    if _json_object_class is not None:
        return _json_object_class
    from agents import OpenAIChatCompletionsModel

    from shared.history import adapt_for_deepseek_thinking, thinking_disabled

    def for_deepseek(input: Any, settings: Any) -> tuple:  # noqa: A002
        if thinking_disabled(settings.extra_body):
            return input, settings
        input, _, disable = adapt_for_deepseek_thinking(input)
        if disable:
            settings = replace(settings, extra_body={**(settings.extra_body or {}),
                                                     "thinking": {"type": "disabled"}})
        return input, settings

    def downgrade(system: str | None, settings: Any, schema: Any) -> tuple:
        if schema is None or schema.is_plain_text():
            return system, settings, schema
        system = ((system or "") + "\n\n" + schema_instructions(schema.json_schema())).strip()
        extra = {**(settings.extra_body or {}), "response_format": {"type": "json_object"}}
        # 不把 schema 交给父类：它就不会发 json_schema；Agent 的 output_type 还在，SDK 照常校验结果。
        return system, replace(settings, extra_body=extra), None

    class JsonObjectChatCompletionsModel(OpenAIChatCompletionsModel):
        """结构化输出降级：response_format 用 json_object，JSON Schema 写进系统指令。

        `adapt_history` 为真时（DeepSeek 预设）还按 DeepSeek 思考模式的规则改写别的模型留下的历史。
        """

        adapt_history = False

        def _prepare(self, system, input, settings, schema) -> tuple:  # noqa: A002
            if self.adapt_history:
                input, settings = for_deepseek(input, settings)
            return (input, *downgrade(system, settings, schema))

        async def get_response(self, system_instructions, input, model_settings, tools,  # noqa: A002
                               output_schema, handoffs, tracing, *args, **kwargs):
            input, system_instructions, model_settings, output_schema = self._prepare(
                system_instructions, input, model_settings, output_schema)
            return await super().get_response(system_instructions, input, model_settings, tools,
                                              output_schema, handoffs, tracing, *args, **kwargs)

        async def stream_response(self, system_instructions, input, model_settings, tools,  # noqa: A002
                                  output_schema, handoffs, tracing, *args, **kwargs):
            input, system_instructions, model_settings, output_schema = self._prepare(
                system_instructions, input, model_settings, output_schema)
            async for event in super().stream_response(system_instructions, input, model_settings,
                                                       tools, output_schema, handoffs, tracing,
                                                       *args, **kwargs):
                yield event

    _json_object_class = JsonObjectChatCompletionsModel
    return _json_object_class


def get_responses_model(model: str | None = None) -> OpenAIResponsesModel:
    """走 Responses API 的模型。先用 `require_responses_api()` 确认提供方支持。"""
    from agents import OpenAIResponsesModel

    _configure_agents()
    return OpenAIResponsesModel(model=model or get_settings().model, openai_client=get_async_client())


def require_responses_api(feature: str = "Responses API") -> Settings:
    """提供方不支持 Responses API 时，打印原因和出路，以退出码 0 结束脚本。"""
    settings = get_settings()
    if not settings.supports_responses:
        note = settings.preset.responses_note or "这个服务按只实现了 Chat Completions（/v1/chat/completions）处理"
        print(
            f"⚠ 当前提供方 {settings.provider}（{settings.label}）不支持 {feature}：{note}。\n"
            "  课程在这个提供方上只走 Chat Completions，需要它的演示到此结束。\n"
            "  想运行本课：删掉 .env 里的 Key 改用内置模拟模型，或设置 LLM_PROVIDER=openai；\n"
            "  如果你的模型确实支持，可设置 LLM_SUPPORTS_RESPONSES=1 试试。"
        )
        raise SystemExit(0)
    return settings


def require_reasoning_tools(feature: str = "推理模型调用工具") -> Settings:
    """推理模型不能带工具（tools）时，打印原因和出路，以退出码 0 结束脚本。"""
    settings = get_settings()
    if not settings.preset.reasoning_tools:
        print(
            f"⚠ 当前提供方 {settings.provider}（{settings.label}）的推理模型 {settings.reasoning_model} "
            f"不支持工具调用，本课需要{feature}。\n"
            "  请求里一带 tools，它就会返回 400（例如 Ollama 的 “does not support tools”）。\n"
            "  想运行本课：用 OPENAI_REASONING_MODEL 换一个支持工具的推理模型，或改用内置模拟模型。"
        )
        raise SystemExit(0)
    return settings


def explain_tool_choice_required() -> bool:
    """提供方照办 `tool_choice="required"` 时返回 True；拒绝或忽略时打印说明并返回 False。"""
    settings = get_settings()
    support = settings.preset.tool_choice_required
    if support == "honoured":
        return True
    where = f"当前提供方 {settings.provider}（{settings.label}）"
    if support == "rejected":
        hint = {
            "bailian": "百炼只接受 auto / none，或用 tool_choice 指定一个函数名（思考模式下都不行）",
            "deepseek": "DeepSeek 默认开着思考模式，思考模式下不能强制调用；"
            "先关掉思考（extra_body={\"thinking\": {\"type\": \"disabled\"}}）再试",
        }.get(settings.provider, "换成 auto，并把要求写进 instructions")
        print(
            f"⚠ {where}不接受 tool_choice=\"required\"：请求会被 400 拒绝。\n"
            f"  本段“强制调用”的演示跳过。{hint}。"
        )
    else:
        print(
            f"⚠ {where}的文档里没有 tool_choice 参数：它会被悄悄忽略，模型照常自己决定调不调工具。\n"
            "  所以这里看不到“被迫调用”，也不会因为一直调用工具而触发 MaxTurnsExceeded；"
            "要确保调用工具，请把要求写进 instructions。"
        )
    return False


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
    text = _error_text(err)
    if isinstance(err, openai.APIStatusError) and err.code in ("cassette_miss", "upstream_unreachable"):
        # 录像代理自己的错误（shared/mock/proxy.py）：消息里已经写明是哪个请求、怎么办。
        body = err.body if isinstance(err.body, dict) else {}
        return str(err.code), str(body.get("message") or err.message)
    if isinstance(err, openai.APIStatusError) and any(m in text for m in MODERATION_MARKERS):
        return "content_moderation", (
            f"{where} 的内容审核拦下了这次请求（{err.status_code}）：输入或输出里有它认为不合适的内容。"
            "换个说法再试；这不是代码或配置的问题。"
        )
    if isinstance(err, openai.APIStatusError) and any(m in text for m in MODEL_NOT_FOUND_MARKERS):
        return "not_found", (
            f"{where} 没有模型 {settings.model!r}（{err.status_code}）。"
            "请检查 OPENAI_MODEL_NAME（模型名区分大小写；提供方会下线旧模型名）。"
        )
    if isinstance(err, openai.APIStatusError) and err.status_code == 402:
        return "insufficient_balance", f"{where} 账户余额不足（402），请先充值。"
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


# 各家内容审核的错误标志：百炼 data_inspection_failed、DeepSeek “Content Exists Risk”、OpenAI invalid_prompt。
MODERATION_MARKERS = ("data_inspection_failed", "inappropriate content", "Content Exists Risk",
                      "invalid_prompt")
# 模型名不对但状态码不是 404 的：DeepSeek 400 “Model Not Exist”、硅基流动 400 code 20012。
MODEL_NOT_FOUND_MARKERS = ("Model Not Exist", "Model does not exist", "model_not_found")


def _error_text(err: BaseException) -> str:
    body = getattr(err, "body", None)
    return f"{err} {json.dumps(body, ensure_ascii=False) if body is not None else ''}"


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
