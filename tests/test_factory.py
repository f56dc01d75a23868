"""配置与客户端工厂：提供方的选择、Key 打码、每一种配置错误的中文提示。"""

from __future__ import annotations

import os
import subprocess
import textwrap

import pytest

from shared import config
from shared.config import ConfigError, load_settings, mask_key
from tests import lessons
from tests.lessons import REPO, free_port

KEY = "sk-fake.key.for.tests.WXYZ"  # 假 Key：点号让它不像真 Key
ENV_NAMES = ("LLM_PROVIDER", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL_NAME", "DASHSCOPE_API_KEY",
             "SILICONFLOW_API_KEY", "DEEPSEEK_API_KEY", "LLM_SUPPORTS_RESPONSES", "MOCK_BASE_URL", "MOCK_MODEL",
             "LLM_TIMEOUT", "LLM_MAX_RETRIES")


@pytest.fixture
def env(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ITS_DOTENV", "0")
    return monkeypatch


def test_no_key_means_mock(env):
    settings = load_settings()
    assert (settings.provider, settings.model, settings.supports_responses) == ("mock", "mock-model", True)
    assert "没有找到任何 API Key" in settings.reason


@pytest.mark.parametrize(("variable", "provider", "base_url", "model", "responses"), [
    ("OPENAI_API_KEY", "openai", "https://api.openai.com/v1", "gpt-4.1-mini", True),
    ("DASHSCOPE_API_KEY", "bailian", "https://dashscope.aliyuncs.com/compatible-mode/v1", "qwen-plus", False),
    ("SILICONFLOW_API_KEY", "siliconflow", "https://api.siliconflow.cn/v1", "Qwen/Qwen3-32B", False),
    ("DEEPSEEK_API_KEY", "deepseek", "https://api.deepseek.com/v1", "deepseek-flash", False),
])
def test_key_selects_provider_preset(env, variable, provider, base_url, model, responses):
    env.setenv(variable, KEY)
    settings = load_settings()
    assert (settings.provider, settings.base_url, settings.model, settings.api_key) == (provider, base_url, model, KEY)
    assert settings.supports_responses is responses
    assert variable in settings.reason


def test_explicit_provider_and_overrides(env):
    env.setenv("LLM_PROVIDER", "bailian")
    env.setenv("OPENAI_API_KEY", KEY)  # 通用 Key 作为后备
    env.setenv("OPENAI_MODEL_NAME", "qwen3-max")
    settings = load_settings()
    assert (settings.provider, settings.model, settings.api_key) == ("bailian", "qwen3-max", KEY)


def test_key_and_base_url_mean_custom(env):
    env.setenv("OPENAI_API_KEY", KEY)
    env.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9000/v1/")
    env.setenv("OPENAI_MODEL_NAME", "my-model")
    env.setenv("LLM_SUPPORTS_RESPONSES", "1")
    settings = load_settings()
    assert (settings.provider, settings.base_url, settings.supports_responses) == (
        "custom", "http://127.0.0.1:9000/v1", True)


def test_ollama_needs_no_key(env):
    env.setenv("LLM_PROVIDER", "ollama")
    settings = load_settings()
    assert settings.base_url == "http://localhost:11434/v1" and settings.api_key


def test_mock_ignores_real_provider_overrides(env):
    env.setenv("LLM_PROVIDER", "mock")
    env.setenv("OPENAI_MODEL_NAME", "qwen-plus")
    env.setenv("OPENAI_BASE_URL", "https://example.com/v1")
    settings = load_settings()
    assert (settings.model, settings.base_url) == ("mock-model", "")


def test_mask_key():
    assert mask_key(KEY) == "sk-…WXYZ"
    assert KEY not in mask_key(KEY)
    assert mask_key("short") == "****"
    assert mask_key("") == "（未设置）"


def test_describe_masks_key(env):
    env.setenv("DEEPSEEK_API_KEY", KEY)
    line = load_settings().describe()
    assert KEY not in line and "sk-…WXYZ" in line and "deepseek-flash" in line


@pytest.mark.parametrize(("setup", "fragment"), [
    ({"LLM_PROVIDER": "qwen"}, "LLM_PROVIDER='qwen' 不认识"),
    ({"LLM_PROVIDER": "bailian"}, "DASHSCOPE_API_KEY"),
    ({"LLM_PROVIDER": "deepseek"}, "DEEPSEEK_API_KEY"),
    ({"LLM_PROVIDER": "custom", "OPENAI_API_KEY": KEY}, "OPENAI_BASE_URL"),
    ({"LLM_PROVIDER": "custom", "OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "http://x:1/v1"}, "OPENAI_MODEL_NAME"),
    ({"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "api.example.com/v1"}, "OPENAI_BASE_URL='api.example.com/v1' 不是合法的地址"),
    ({"LLM_PROVIDER": "mock", "MOCK_BASE_URL": "localhost:8765"}, "MOCK_BASE_URL"),
    ({"LLM_TIMEOUT": "soon"}, "LLM_TIMEOUT"),
])
def test_bad_configuration_messages(env, setup, fragment):
    for name, value in setup.items():
        env.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert fragment in info.value.message
    assert info.value.code.startswith("✗ 配置错误：")  # SystemExit：打印这句话，退出码 1


def test_dotenv_is_read_without_overriding_environment(env, tmp_path):
    (tmp_path / ".env").write_text(f"DEEPSEEK_API_KEY={KEY}\nOPENAI_MODEL_NAME=from-dotenv\n", encoding="utf-8")
    env.setattr(config, "REPO_ROOT", tmp_path)
    env.delenv("ITS_DOTENV")
    env.setenv("OPENAI_MODEL_NAME", "from-environment")
    settings = load_settings()
    assert settings.provider == "deepseek" and settings.model == "from-environment"
    assert settings.dotenv_path == tmp_path / ".env"


def run_snippet(code: str, **env: str) -> subprocess.CompletedProcess:
    """`python -c code` 在一个几乎空白的环境里（只留解释器启动要读的 HOME、LANG、PYTHON*）。

    用会话共用的 fork 服务器运行（与独立进程语义相同，省掉每次导入 agents），SMOKE_MODE=process 时是真进程。
    """
    base = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG") or lessons.STARTUP_VARS.match(k)}
    base.update({"PATH": "/usr/bin:/bin", "ITS_DOTENV": "0", "PYTHONIOENCODING": "utf-8", "MOCK_STREAM_DELAY": "0"})
    return lessons.run_python(["-c", textwrap.dedent(code)], {**base, **env}, timeout=60, cwd=REPO)


def test_config_error_exits_1_without_traceback():
    done = run_snippet("from shared.factory import get_client; get_client()", LLM_PROVIDER="siliconflow")
    assert done.returncode == 1
    assert "SILICONFLOW_API_KEY" in done.stderr and "Traceback" not in done.stderr


def test_unreachable_provider_gets_chinese_message_and_exit_1():
    port = free_port()  # 一个确定没人监听的端口
    done = run_snippet(
        """
        from shared.factory import get_client, get_settings
        get_client().chat.completions.create(model=get_settings().model, messages=[{"role": "user", "content": "hi"}])
        """,
        LLM_PROVIDER="custom", OPENAI_API_KEY=KEY, OPENAI_BASE_URL=f"http://127.0.0.1:{port}/v1",
        OPENAI_MODEL_NAME="x", LLM_MAX_RETRIES="0",
    )
    assert done.returncode == 1
    assert "连不上模型服务" in done.stderr and f"127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr and KEY not in done.stderr


@pytest.mark.parametrize(("fault", "code"), [("401", "auth_error"), ("429", "rate_limited"), ("500", "server_error")])
def test_mock_fault_env_gives_explained_error(fault, code):
    done = run_snippet(
        """
        import asyncio
        from agents import Agent, Runner
        from shared.factory import get_chat_model
        agent = Agent(name="a", instructions="hi", model=get_chat_model())
        asyncio.run(Runner.run(agent, "你好"))
        """,
        LLM_PROVIDER="mock", MOCK_FAULT=fault, LLM_MAX_RETRIES="0",
    )
    assert done.returncode == 1
    assert f"[{code}]" in done.stderr and "Traceback" not in done.stderr


def test_require_responses_api_exits_cleanly_before_any_call():
    done = run_snippet(
        "from shared.factory import require_responses_api; require_responses_api(); print('不该到这里')",
        LLM_PROVIDER="deepseek", DEEPSEEK_API_KEY=KEY,
    )
    assert done.returncode == 0
    assert "不支持 Responses API" in done.stdout and "不该到这里" not in done.stdout


def test_tracing_only_for_openai(env):
    from agents.tracing import get_trace_provider

    from shared import factory

    env.setenv("LLM_PROVIDER", "mock")
    config.reset_settings()
    try:
        factory.get_chat_model()
        assert get_trace_provider()._disabled is True
    finally:
        config.reset_settings()


def test_data_path_uses_its_data_dir(env, tmp_path):
    from shared.factory import data_path

    env.setenv("ITS_DATA_DIR", str(tmp_path / "d"))
    assert data_path("conversations.db") == tmp_path / "d" / "conversations.db"
    assert (tmp_path / "d").is_dir()
