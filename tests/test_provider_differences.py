"""客户端工厂怎么处理提供方之间的差异：每个用例像学员改了 .env 那样，在子进程里连一个 `--profile` 模拟模型。

对应 shared/mock/README.md“提供方差异”一节的第二张表（课程为这些差异做的处理）。
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import textwrap

import pytest

from shared.config import PRESETS, load_settings
from shared.mock import start_mock_server
from tests import lessons
from tests.lessons import REPO, smoke_env
from tests.provider_matrix import DUMMY_KEY, provider_env

KEY = "sk-fake.key.for.tests.WXYZ"


@pytest.fixture(scope="module")
def servers():
    started = {name: start_mock_server(profile=name) for name in ("openai", "bailian", "deepseek",
                                                                  "siliconflow", "ollama")}
    yield started
    for server in started.values():
        server.stop()


@pytest.fixture
def as_provider(monkeypatch, tmp_path):
    """在本进程里切换到某个提供方（像改了 .env），用完恢复：配置缓存和客户端都重建。"""
    from shared import config, factory

    def switch(provider: str, base_url: str) -> None:
        for name in list(os.environ):
            if name.startswith(("OPENAI_", "LLM_", "DASHSCOPE_", "SILICONFLOW_", "DEEPSEEK_")):
                monkeypatch.delenv(name)
        for name, value in provider_env(provider, base_url, tmp_path).items():
            monkeypatch.setenv(name, value)
        config.reset_settings()
        factory._clients.clear()

    yield switch
    config.reset_settings()
    factory._clients.clear()


def run_as(provider: str, base_url: str, code: str, tmp_path, **extra: str) -> subprocess.CompletedProcess:
    env = provider_env(provider, base_url, tmp_path)
    env.update(extra)
    return lessons.run_python(["-c", textwrap.dedent(code)], env, timeout=120, cwd=REPO)


# ---------------------------------------------------------------- 配置：OPENAI_BASE_URL 覆盖预设地址


@pytest.mark.parametrize("provider", ["openai", "bailian", "siliconflow", "deepseek", "ollama"])
def test_base_url_overrides_every_preset(monkeypatch, provider):
    for name in ("LLM_PROVIDER", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL_NAME", "DASHSCOPE_API_KEY",
                 "SILICONFLOW_API_KEY", "DEEPSEEK_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ITS_DOTENV", "0")
    monkeypatch.setenv("LLM_PROVIDER", provider)
    if PRESETS[provider].key_env:
        monkeypatch.setenv(PRESETS[provider].key_env, KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8766/v1/")
    settings = load_settings()
    assert (settings.provider, settings.base_url) == (provider, "http://127.0.0.1:8766/v1")
    assert settings.model == PRESETS[provider].model  # 模型和能力仍按预设
    assert settings.preset is PRESETS[provider]


def test_matrix_env_is_what_a_student_writes(tmp_path):
    env = provider_env("bailian", "http://127.0.0.1:1/v1", tmp_path)
    assert (env["LLM_PROVIDER"], env["DASHSCOPE_API_KEY"], env["OPENAI_BASE_URL"]) == (
        "bailian", DUMMY_KEY, "http://127.0.0.1:1/v1")
    assert "OPENAI_API_KEY" not in env and env["ITS_DOTENV"] == "0"


# ---------------------------------------------------------------- tracing


@pytest.mark.parametrize(("provider", "base_url", "disabled"), [
    ("openai", "https://api.openai.com/v1", False),
    ("openai", "http://127.0.0.1:8766/v1", True),  # 指向别处（代理、模拟模型）：不上报
    ("deepseek", "https://api.deepseek.com/v1", True),
])
def test_tracing_only_on_the_real_openai_endpoint(as_provider, monkeypatch, provider, base_url, disabled):
    import agents

    from shared import factory

    calls = []
    monkeypatch.setattr(agents, "set_tracing_disabled", calls.append)
    as_provider(provider, base_url)
    factory._configure_agents()
    assert calls == [disabled]


# ---------------------------------------------------------------- 结构化输出降级


class WeatherResult(__import__("pydantic").BaseModel):
    city: str
    condition: str


async def structured_runs(model) -> tuple[object, object]:
    from agents import Agent, Runner, function_tool

    @function_tool
    def get_weather(city: str) -> str:
        """获取指定城市的天气"""
        return json.dumps({"city": city, "condition": "晴"}, ensure_ascii=False)

    agent = Agent(name="w", instructions="用户问天气时调用 get_weather。", model=model,
                  tools=[get_weather], output_type=WeatherResult)
    result = await Runner.run(agent, "武汉的天气")
    streamed = Runner.run_streamed(agent, "北京的天气")
    async for _ in streamed.stream_events():
        pass
    return result.final_output, streamed.final_output


@pytest.mark.parametrize(("provider", "model_class"), [
    ("deepseek", "JsonObjectChatCompletionsModel"),
    ("siliconflow", "JsonObjectChatCompletionsModel"),
    ("bailian", "OpenAIChatCompletionsModel"),
])
def test_structured_output_works_with_or_without_json_schema(servers, as_provider, provider, model_class):
    """DeepSeek / 硅基流动收到 json_schema 会 400；工厂改用 json_object，SDK 照常校验成对象。"""
    from shared import factory

    as_provider(provider, servers[provider].base_url)
    model = factory.get_chat_model()
    assert type(model).__name__ == model_class
    first, second = asyncio.run(structured_runs(model))
    assert first == WeatherResult(city="武汉", condition="晴")
    assert second == WeatherResult(city="北京", condition="晴")


def test_without_the_fallback_deepseek_rejects_structured_output(servers, as_provider):
    import openai
    from agents import OpenAIChatCompletionsModel

    from shared import factory

    as_provider("deepseek", servers["deepseek"].base_url)
    plain = OpenAIChatCompletionsModel(model="deepseek-flash", openai_client=factory.get_async_client())
    with pytest.raises(openai.BadRequestError, match="This response_format type is unavailable now"):
        asyncio.run(structured_runs(plain))


# ---------------------------------------------------------------- 推理内容回传（DeepSeek）


def test_deepseek_tool_loop_replays_reasoning_content(servers, as_provider):
    """思考模式下调用过工具，下一次请求必须带回 reasoning_content；SDK 的回放钩子负责。"""
    from agents import Agent, Runner, function_tool

    from shared import factory

    @function_tool
    def get_weather(city: str) -> str:
        """获取指定城市的天气"""
        return f"{city}：晴"

    as_provider("deepseek", servers["deepseek"].base_url)
    agent = Agent(name="w", instructions="用户问天气时调用 get_weather。", model=factory.get_chat_model(),
                  tools=[get_weather])
    result = asyncio.run(Runner.run(agent, "武汉的天气"))
    assert [item.type for item in result.new_items] == [
        "reasoning_item", "tool_call_item", "tool_call_output_item", "reasoning_item", "message_output_item"]
    assert "武汉：晴" in result.final_output


# ---------------------------------------------------------------- 方式一：模型名里的 “/”


def test_global_client_with_a_slash_in_the_model_name(servers, tmp_path):
    code = """
        import asyncio
        from agents import Agent, Runner
        from shared.factory import use_global_client

        name = use_global_client()
        print(name)
        print(asyncio.run(Runner.run(Agent(name="a", instructions="你是助手", model=name), "你好")).final_output)
    """
    done = run_as("siliconflow", servers["siliconflow"].base_url, code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "openai/Qwen/Qwen3-32B"


# ---------------------------------------------------------------- 说明并跳过


@pytest.mark.parametrize(("provider", "call", "fragment"), [
    ("bailian", "explain_tool_choice_required", '不接受 tool_choice="required"：请求会被 400 拒绝'),
    ("ollama", "explain_tool_choice_required", "它会被悄悄忽略"),
    ("ollama", "require_reasoning_tools", "deepseek-r1:7b 不支持工具调用"),
    ("siliconflow", "require_responses_api", "硅基流动只提供 Chat Completions"),
    ("deepseek", "require_responses_api", "无状态"),
])
def test_explanations_exit_zero(servers, as_provider, capsys, provider, call, fragment):
    from shared import factory

    as_provider(provider, servers[provider].base_url)
    if call.startswith("require_"):
        with pytest.raises(SystemExit) as info:
            getattr(factory, call)()
        assert info.value.code == 0
    else:
        assert getattr(factory, call)() is False
    out = capsys.readouterr().out
    assert out.startswith("⚠ 当前提供方") and fragment in out


def test_openai_needs_no_explanations(servers, as_provider, capsys):
    from shared import factory

    as_provider("openai", servers["openai"].base_url)
    factory.require_responses_api()
    factory.require_reasoning_tools()
    assert factory.explain_tool_choice_required() is True
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- 各家的错误 → 中文说明


@pytest.mark.parametrize(("provider", "model", "fault", "code"), [
    ("bailian", None, "moderation", "content_moderation"),
    ("deepseek", None, "moderation", "content_moderation"),
    ("openai", None, "moderation", "content_moderation"),
    ("deepseek", "deepseek-chat", None, "not_found"),  # 下线的模型名：DeepSeek 回 400 “Model Not Exist”
    ("siliconflow", "Qwen/Qwen9", None, "not_found"),  # 400 code 20012
    ("ollama", "qwen9:7b", None, "not_found"),
    ("deepseek", None, "402", "insufficient_balance"),
    ("siliconflow", None, "401", "auth_error"),  # 响应体是字符串 "Invalid token"
    ("bailian", None, "429", "rate_limited"),
])
def test_explain_error_understands_every_provider(servers, as_provider, provider, model, fault, code):
    import openai

    from shared import factory

    as_provider(provider, servers[provider].base_url)
    with pytest.raises(openai.APIError) as info:
        factory.get_client().with_options(max_retries=0).chat.completions.create(
            model=model or factory.get_settings().model, messages=[{"role": "user", "content": "你好"}],
            extra_headers={"X-Mock-Fault": fault} if fault else None)
    explained = factory.explain_error(info.value)
    assert explained is not None and explained[0] == code, explained


def test_smoke_env_still_means_mock(tmp_path):
    env = smoke_env(tmp_path)
    assert env["LLM_PROVIDER"] == "mock" and "MOCK_PROFILE" not in env
