"""模型服务配置：读取环境变量与 `.env`，选出一个提供方（provider）预设。

规则（从上到下，先命中先用）：

1. `LLM_PROVIDER` 明确指定：mock / openai / bailian / siliconflow / deepseek / ollama / custom。
2. 没有指定时，按已填写的 Key 自动选择：OPENAI_API_KEY（配合 OPENAI_BASE_URL 时为 custom）、
   DASHSCOPE_API_KEY、SILICONFLOW_API_KEY、DEEPSEEK_API_KEY。
3. 一个 Key 都没有：使用内置模拟模型 `mock`，无需联网、无需 Key。

`OPENAI_BASE_URL` / `OPENAI_MODEL_NAME` 可覆盖真实提供方的默认地址和模型（比如把百炼预设指向
`python -m shared.mock --profile bailian` 离线演练）；
`MOCK_CASSETTE=录像文件` 让课程走录像：在本进程里起一个录制 / 回放代理（`shared/mock/proxy.py`），
提供方和模型照录像文件头里记的（`.env` 里明确写了的优先），回放时不需要 Key、不联网；
`MOCK_CASSETTE_MODE` 选 replay（默认）/ strict / record / record-on-miss；
内置模拟模型不读取它们（用 `MOCK_MODEL`、`MOCK_BASE_URL`），所以 `.env` 里的真实配置
不会干扰 `LLM_PROVIDER=mock` 的运行。

配置有误时抛出 `ConfigError`：它是 `SystemExit` 的子类，脚本直接以中文提示和退出码 1 结束，
不会把 traceback 甩给学员。
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse

from dotenv import load_dotenv

REPO_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(SystemExit):
    """配置错误：消息是给学员看的中文说明，退出码为 1。"""

    def __init__(self, message: str) -> None:
        super().__init__(f"✗ 配置错误：{message}")
        self.message = message


@dataclass(frozen=True)
class Preset:
    """一个提供方的默认配置，以及它的 OpenAI 兼容接口和 OpenAI 不一样的地方。

    下面的能力字段描述的是预设的默认模型 / 推理模型（换了 OPENAI_MODEL_NAME 就不一定准）；
    每一条的出处见 shared/mock/README.md 的“提供方差异（--profile）”，内置模拟模型的
    `--profile` 按同一张表模拟这些差异（tests/test_mock_profiles.py 核对两边一致）。
    """

    name: str
    label: str
    base_url: str
    model: str
    key_env: str | None  # 该提供方专用的 Key 变量；None 表示不需要 Key
    supports_responses: bool  # 课程是否按支持 Responses API 处理（client.responses.create）
    supports_hosted_tools: bool  # 是否支持 web_search 等托管工具
    signup: str  # 去哪里申请 Key / 安装服务
    reasoning_model: str = ""  # 会输出推理过程的模型（推理相关的课用它）
    responses_note: str = ""  # 这个提供方的 Responses 接口实际支持到什么程度（说明里用）
    json_schema: bool = True  # 默认模型接受 response_format={"type": "json_schema"}（结构化输出）
    tool_choice_required: str = "honoured"  # tool_choice="required"：honoured / rejected / ignored
    reasoning_tools: bool = True  # 推理模型能带工具调用
    reasoning_stream_only: bool = False  # 推理模型只能流式调用（Runner.run_streamed）
    thinking_by_default: bool = False  # 默认模型也默认输出推理内容（reasoning_content）
    conversations: bool = False  # 有 OpenAI 的 Conversations API（OpenAIConversationsSession 要用）


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("mock", "内置模拟模型", "", "mock-model", None, True, True, "无需申请", "mock-reasoner",
               conversations=True),
        Preset(
            "openai", "OpenAI", "https://api.openai.com/v1", "gpt-4.1-mini",
            "OPENAI_API_KEY", True, True, "https://platform.openai.com/api-keys", "o4-mini",
            conversations=True,
        ),
        Preset(
            "bailian", "阿里云百炼 DashScope", "https://dashscope.aliyuncs.com/compatible-mode/v1",
            "qwen-plus", "DASHSCOPE_API_KEY", False, False, "https://bailian.console.aliyun.com/",
            "qwq-plus",
            responses_note="百炼的 Responses 兼容接口用另一个地址"
            "（https://dashscope.aliyuncs.com/api/v2/apps/protocols/compatible-mode/v1），"
            "只支持部分模型（qwen-plus、qwen3-max 等），推理模型 qwq-plus 不在其中，"
            "推理摘要、托管工具也和 OpenAI 不完全一样",
            tool_choice_required="rejected", reasoning_stream_only=True,
        ),
        Preset(
            "siliconflow", "硅基流动 SiliconFlow", "https://api.siliconflow.cn/v1",
            "Qwen/Qwen3-32B", "SILICONFLOW_API_KEY", False, False, "https://cloud.siliconflow.cn/",
            "deepseek-ai/DeepSeek-R1",
            responses_note="硅基流动只提供 Chat Completions（/v1/chat/completions）",
            json_schema=False, tool_choice_required="ignored", reasoning_tools=False,
            thinking_by_default=True,
        ),
        Preset(
            "deepseek", "DeepSeek", "https://api.deepseek.com/v1", "deepseek-flash",
            "DEEPSEEK_API_KEY", False, False, "https://platform.deepseek.com/", "deepseek-v4-pro",
            responses_note="DeepSeek 的 Responses 接口是无状态的（不支持 previous_response_id），"
            "只支持部分模型，也没有托管工具",
            json_schema=False, tool_choice_required="rejected", thinking_by_default=True,
        ),
        Preset(
            "ollama", "本地 Ollama", "http://localhost:11434/v1", "qwen2.5:7b",
            None, False, False, "https://ollama.com/ （先 ollama pull qwen2.5:7b）",
            "deepseek-r1:7b",
            responses_note="Ollama 0.13.3 起有 /v1/responses，但只有无状态的部分（不支持 previous_response_id），"
            "没有托管工具",
            tool_choice_required="ignored", reasoning_tools=False,
        ),
        Preset(
            "custom", "自定义 OpenAI 兼容服务", "", "", "OPENAI_API_KEY", False, False,
            "你的服务提供方",
        ),
    )
}

# 未指定 LLM_PROVIDER 时，按这个顺序看哪个 Key 已填写。
_AUTODETECT = (
    ("OPENAI_API_KEY", "openai"),
    ("DASHSCOPE_API_KEY", "bailian"),
    ("SILICONFLOW_API_KEY", "siliconflow"),
    ("DEEPSEEK_API_KEY", "deepseek"),
)


@dataclass(frozen=True)
class Settings:
    provider: str
    label: str
    base_url: str  # mock 在启动内置服务前为空字符串
    api_key: str
    model: str
    supports_responses: bool
    supports_hosted_tools: bool
    key_env: str | None
    reason: str  # 为什么选中这个提供方（给学员看）
    dotenv_path: Path | None
    timeout: float
    max_retries: int
    reasoning_model: str = ""  # 推理模型：OPENAI_REASONING_MODEL 可覆盖，未设置时为预设值或主模型
    cassette: str = ""  # MOCK_CASSETTE：走这个录像（空字符串表示不用录像）
    cassette_mode: str = ""  # replay / strict / record / record-on-miss
    upstream: str = ""  # 录像模式下，真实提供方的地址（录制时转发到这里；base_url 是本进程的录像服务）
    upstream_key: str = field(default="", repr=False)  # 录制时转发用的 Key：只交给录像代理，不给课程的客户端

    @property
    def preset(self) -> Preset:
        """预设里记录的这个提供方的接口差异（json_schema、tool_choice、推理模型的限制……）。"""
        return PRESETS[self.provider]

    @property
    def is_mock(self) -> bool:
        return self.provider == "mock"

    @property
    def masked_key(self) -> str:
        return mask_key(self.api_key)

    def describe(self) -> str:
        """一行说明：提供方、模型、地址、Key（已打码）；走录像时再加上录像文件。"""
        base = self.base_url or "（启动时分配）"
        line = (
            f"提供方={self.provider}（{self.label}） 模型={self.model} "
            f"地址={base} Key={self.masked_key}"
        )
        # 录制和回放打印同一行（Key 是发给本机录像服务的占位符），两次运行的输出才能逐字节相同。
        return f"{line} 录像={self.cassette}" if self.cassette else line


def mask_key(key: str | None) -> str:
    """只露出前 3 位和后 4 位：sk-…abcd。短 Key 全部打码。"""
    if not key:
        return "（未设置）"
    if len(key) <= 12:
        return "****"
    return f"{key[:3]}…{key[-4:]}"


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def _check_url(url: str, variable: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(
            f"{variable}={url!r} 不是合法的地址。应形如 https://api.example.com/v1"
            f"（以 http:// 或 https:// 开头，带主机名）。"
        )
    return url.rstrip("/")


def _number(name: str, default: float, kind: type = float) -> float:
    raw = _env(name)
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} 不是数字，请改成例如 {default}。") from None
    if value < 0:
        raise ConfigError(f"{name} 不能为负数（当前 {raw}）。")
    return value


CASSETTE_MODES = ("replay", "strict", "record", "record-on-miss")
CASSETTE_KEY = "cassette"  # 录像模式下课程的客户端发给本机录像服务的“Key”（真正的 Key 只在录像代理手里）


def resolve_path(value: str) -> Path:
    """`.env` 里的相对路径按仓库根目录算（和 data/ 一样），不管从哪个目录运行脚本。"""
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def current_lesson() -> str:
    """本进程运行的课程脚本，相对仓库根目录（如 05_stream_events/07_persistent_session.py）；不是课程时为空。"""
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None) or (sys.argv[0] if sys.argv else "")
    if not script:
        return ""
    try:
        return Path(script).resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return ""


def known_secrets() -> tuple[str, ...]:
    """环境变量（含 .env）里各提供方的 Key：录像写盘前要清掉的字符串。"""
    names = {p.key_env for p in PRESETS.values() if p.key_env} | {"OPENAI_API_KEY"}
    return tuple(value for name in sorted(names) if (value := _env(name)))


def _cassette_mode() -> str:
    mode = _env("MOCK_CASSETTE_MODE").lower() or "replay"
    if mode not in CASSETTE_MODES:
        raise ConfigError(f"MOCK_CASSETTE_MODE={mode!r} 不认识。可选值：{' / '.join(CASSETTE_MODES)}。")
    return mode


def _cassette_header(value: str) -> dict:
    from shared.mock.cassette import Cassette, CassetteError

    try:
        return Cassette.load(resolve_path(value)).header
    except CassetteError as exc:
        raise ConfigError(f"MOCK_CASSETTE={value}：{exc}") from None


def find_dotenv_path() -> Path | None:
    """仓库根目录的 `.env`；`ITS_DOTENV=0` 时不读取（测试用）。"""
    if _env("ITS_DOTENV") == "0":
        return None
    path = REPO_ROOT / ".env"
    return path if path.is_file() else None


def load_settings() -> Settings:
    """读取环境变量（和 `.env`，不覆盖已存在的环境变量），返回配置。"""
    dotenv_path = find_dotenv_path()
    if dotenv_path:
        load_dotenv(dotenv_path, override=False)

    requested = _env("LLM_PROVIDER").lower()
    if requested:
        if requested not in PRESETS:
            names = " / ".join(PRESETS)
            raise ConfigError(f"LLM_PROVIDER={requested!r} 不认识。可选值：{names}。")
        provider, reason = requested, f"LLM_PROVIDER={requested}"
    else:
        provider, reason = "mock", "没有找到任何 API Key，使用内置模拟模型"
        for key_env, name in _AUTODETECT:
            if _env(key_env):
                provider, reason = name, f"检测到 {key_env}"
                if name == "openai" and _env("OPENAI_BASE_URL"):
                    provider, reason = "custom", "检测到 OPENAI_API_KEY 和 OPENAI_BASE_URL"
                break

    cassette = _env("MOCK_CASSETTE")
    header: dict = {}
    if cassette:
        mode = _cassette_mode()
        header = _cassette_header(cassette)
        # 没写 LLM_PROVIDER（或写的是 mock：录像不对着内置模拟模型）时，用录像录制时的提供方。
        if header.get("provider") in PRESETS and (not requested or provider == "mock"):
            provider, reason = header["provider"], f"录像 {cassette} 是用 {header['provider']} 录的"
        if provider == "mock":
            raise ConfigError(
                f"MOCK_CASSETTE={cassette}：录像要对着真实提供方录（或回放它录下的回答），现在的提供方是内置模拟模型。"
                "录制时在 .env 里填好提供方的 Key（或加 LLM_PROVIDER=...）；回放的录像文件第一行记着提供方，"
                "请检查文件是不是空的。"
            )
        if header.get("provider") not in (None, provider):
            print(f"⚠ 录像 {cassette} 是用 {header['provider']} 录的，现在的提供方是 {provider}："
                  "请求对不上，大多会由内置模拟模型代答。", file=sys.stderr)
            header = {}

    preset = PRESETS[provider]
    timeout = _number("LLM_TIMEOUT", 60.0)
    max_retries = int(_number("LLM_MAX_RETRIES", 2, int))

    if preset.name == "mock":
        base_url = _env("MOCK_BASE_URL")
        if base_url:
            base_url = _check_url(base_url, "MOCK_BASE_URL")
        return Settings(
            provider="mock", label=preset.label, base_url=base_url, api_key="mock-key",
            model=_env("MOCK_MODEL") or preset.model, supports_responses=True,
            supports_hosted_tools=True, key_env=None, reason=reason,
            dotenv_path=dotenv_path, timeout=timeout, max_retries=max_retries,
            reasoning_model=preset.reasoning_model,
        )

    # 真实提供方：Key 先找专用变量，再找通用的 OPENAI_API_KEY。
    api_key = (_env(preset.key_env) if preset.key_env else "") or _env("OPENAI_API_KEY")
    replaying = bool(cassette) and mode in ("replay", "strict")  # 回放不联网，不需要 Key
    if preset.key_env and not api_key and not replaying:
        also = "" if preset.key_env == "OPENAI_API_KEY" else "（或通用的 OPENAI_API_KEY）"
        raise ConfigError(
            f"LLM_PROVIDER={provider} 需要 API Key，但 {preset.key_env}{also} 没有设置。"
            f"请在仓库根目录的 .env 中填写 {preset.key_env}=你的Key（申请地址：{preset.signup}），"
            f"或删掉 LLM_PROVIDER 改用内置模拟模型。"
        )
    base_url = _env("OPENAI_BASE_URL") or preset.base_url
    if not base_url:
        raise ConfigError(
            "LLM_PROVIDER=custom 需要 OPENAI_BASE_URL，例如 OPENAI_BASE_URL=http://127.0.0.1:8000/v1。"
        )
    base_url = _check_url(base_url, "OPENAI_BASE_URL")
    model = _env("OPENAI_MODEL_NAME") or header.get("model") or preset.model
    if not model:
        raise ConfigError("LLM_PROVIDER=custom 需要 OPENAI_MODEL_NAME，例如 OPENAI_MODEL_NAME=qwen-plus。")

    supports_responses = header.get("supports_responses", preset.supports_responses)
    override = _env("LLM_SUPPORTS_RESPONSES").lower()
    if override:
        supports_responses = override in ("1", "true", "yes", "on")
    reasoning_model = _env("OPENAI_REASONING_MODEL") or header.get("reasoning_model") or preset.reasoning_model

    if cassette:
        # 课程的客户端连本进程的录像服务（get_settings() 里启动，base_url 那时才有），Key 只是占位符；
        # 真实地址和 Key 留给录像代理转发用。
        return Settings(
            provider=provider, label=preset.label, base_url="", api_key=CASSETTE_KEY, model=model,
            supports_responses=bool(supports_responses),
            supports_hosted_tools=preset.supports_hosted_tools and bool(supports_responses),
            key_env=preset.key_env, reason=reason, dotenv_path=dotenv_path, timeout=timeout,
            max_retries=max_retries, reasoning_model=reasoning_model or model, cassette=cassette,
            cassette_mode=mode, upstream=base_url, upstream_key=api_key,
        )

    return Settings(
        provider=provider, label=preset.label, base_url=base_url,
        api_key=api_key or "ollama", model=model, supports_responses=supports_responses,
        supports_hosted_tools=preset.supports_hosted_tools and supports_responses,
        key_env=preset.key_env, reason=reason, dotenv_path=dotenv_path,
        timeout=timeout, max_retries=max_retries,
        reasoning_model=reasoning_model or model,
    )


_settings: Settings | None = None


def get_settings() -> Settings:
    """进程内缓存的配置；内置模拟模型在第一次需要时启动，并把地址填进来。"""
    global _settings
    if _settings is None:
        _settings = load_settings()
    if _settings.is_mock and not _settings.base_url:
        from shared.mock import ensure_mock_server

        _settings = replace(_settings, base_url=ensure_mock_server())
    elif _settings.cassette and not _settings.base_url:
        from shared.mock.proxy import ensure_cassette_server

        _settings = replace(_settings, base_url=ensure_cassette_server(_settings))
    return _settings


def reset_settings() -> None:
    """测试用：丢弃缓存，下次重新读取环境变量。"""
    global _settings
    _settings = None
