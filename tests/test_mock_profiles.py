"""模拟模型的提供方 profile：通过官方 `openai` 客户端核对每个提供方的接口差异。

每条断言对应 shared/mock/README.md“提供方差异（--profile）”表里的一行；并核对 profile 和
shared/config.py 预设表里记录的能力一致（课程靠预设表决定“说明并跳过”还是照常运行）。
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import openai
import pytest

from shared.config import PRESETS
from shared.mock import start_mock_server
from shared.mock.profiles import PROFILES, adopt_schema_from_instructions, get_profile
from tests.lessons import REPO, free_port

PROVIDERS = ("openai", "bailian", "deepseek", "siliconflow", "ollama")
CHINA = ("bailian", "deepseek", "siliconflow", "ollama")
USER = [{"role": "user", "content": "武汉的天气怎么样？"}]
WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "获取指定城市的天气",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}}
SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}, "condition": {"type": "string"}},
          "required": ["city", "condition"], "additionalProperties": False}


@pytest.fixture(scope="module")
def servers():
    started = {name: start_mock_server(profile=name) for name in PROVIDERS}
    yield started
    for server in started.values():
        server.stop()


def client(servers, name: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=servers[name].base_url, api_key="sk-dummy", max_retries=0)


def chat_model(name: str) -> str:
    return PRESETS[name].model if name != "openai" else "mock-model"


def error_of(call) -> openai.APIStatusError:
    with pytest.raises(openai.APIStatusError) as info:
        call()
    return info.value


# ---------------------------------------------------------------- 预设表和 profile 一致


@pytest.mark.parametrize("name", CHINA)
def test_profile_models_are_the_presets(name):
    profile, preset = PROFILES[name], PRESETS[name]
    assert (profile.chat_model, profile.reasoning_model) == (preset.model, preset.reasoning_model)
    assert preset.model in profile.models and preset.reasoning_model in profile.models


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(ValueError, match="可选值：openai / bailian"):
        get_profile("qwen")


# ---------------------------------------------------------------- 默认（openai）= 今天的模拟模型


def test_openai_profile_accepts_any_model_and_every_feature(servers):
    c = client(servers, "openai")
    reply = c.chat.completions.create(model="whatever-model", messages=USER, tools=[WEATHER],
                                      tool_choice="required")
    assert reply.choices[0].message.tool_calls[0].function.name == "get_weather"
    fmt = {"type": "json_schema", "json_schema": {"name": "w", "schema": SCHEMA}}
    assert json.loads(c.chat.completions.create(model="mock-model", messages=USER, response_format=fmt)
                      .choices[0].message.content)["city"] == "武汉"
    assert c.responses.create(model="mock-model", input="你好").status == "completed"


# ---------------------------------------------------------------- 模型名


@pytest.mark.parametrize(("name", "status", "fragment"), [
    ("bailian", 404, "The model `nope` does not exist or you do not have access to it."),
    ("deepseek", 400, "Model Not Exist"),
    ("siliconflow", 400, "Model does not exist. Please check it carefully."),
    ("ollama", 404, 'model "nope" not found, try pulling it first'),
])
def test_unknown_model_gets_the_providers_error(servers, name, status, fragment):
    err = error_of(lambda: client(servers, name).chat.completions.create(model="nope", messages=USER))
    assert err.status_code == status and fragment in err.message


def test_retired_deepseek_aliases_are_gone(servers):
    """deepseek-chat / deepseek-reasoner 在 2026-07-24 下线：预设已换成 deepseek-flash / deepseek-v4-pro。"""
    for model in ("deepseek-chat", "deepseek-reasoner"):
        err = error_of(lambda m=model: client(servers, "deepseek").chat.completions.create(model=m, messages=USER))
        assert "Model Not Exist" in err.message


def test_siliconflow_error_body_is_not_openai_shaped(servers):
    err = error_of(lambda: client(servers, "siliconflow").chat.completions.create(model="nope", messages=USER))
    assert err.body == {"code": 20012, "message": "Model does not exist. Please check it carefully.", "data": None}


# ---------------------------------------------------------------- /v1/responses


def test_siliconflow_has_no_responses_endpoint(servers):
    err = error_of(lambda: client(servers, "siliconflow").responses.create(model="Qwen/Qwen3-32B", input="你好"))
    assert err.status_code == 404


@pytest.mark.parametrize("name", ["bailian", "deepseek", "ollama"])
def test_partial_responses_support(servers, name):
    """百炼、DeepSeek、Ollama 文档里有 Responses：只支持部分模型；DeepSeek / Ollama 无状态。"""
    c = client(servers, name)
    first = c.responses.create(model=PRESETS[name].model, input="你好")
    assert first.status == "completed"
    follow_up = lambda: c.responses.create(model=PRESETS[name].model, input="再说一遍",  # noqa: E731
                                          previous_response_id=first.id)
    if name == "bailian":
        assert follow_up().status == "completed"
    else:
        assert "previous_response_id" in error_of(follow_up).message
    if name != "ollama":  # 推理模型不在 Responses 支持列表里
        assert error_of(lambda: c.responses.create(model=PRESETS[name].reasoning_model, input="你好")
                        ).status_code == 400


def test_hosted_tools_on_responses(servers):
    assert client(servers, "bailian").responses.create(
        model="qwen-plus", input="今天有什么新闻？", tools=[{"type": "web_search"}]).status == "completed"
    for name in ("deepseek", "ollama"):
        err = error_of(lambda n=name: client(servers, n).responses.create(
            model=PRESETS[n].model, input="今天有什么新闻？", tools=[{"type": "web_search"}]))
        assert err.status_code == 400 and "web_search" in err.message


# ---------------------------------------------------------------- 请求参数


@pytest.mark.parametrize("name", CHINA)
def test_tool_choice_required_matches_preset(servers, name):
    call = lambda: client(servers, name).chat.completions.create(  # noqa: E731
        model=PRESETS[name].model, messages=[{"role": "user", "content": "你好"}], tools=[WEATHER],
        tool_choice="required")
    support = PRESETS[name].tool_choice_required
    if support == "rejected":
        assert error_of(call).status_code == 400
    else:  # ignored：模型自己决定，“你好”用不上天气工具
        assert support == "ignored" and call().choices[0].message.tool_calls is None


def test_bailian_tool_choice_message(servers):
    err = error_of(lambda: client(servers, "bailian").chat.completions.create(
        model="qwen-plus", messages=USER, tools=[WEATHER], tool_choice="required"))
    assert 'tool_choice is one of the strings that should be ["none", "auto"]' in err.message
    named = client(servers, "bailian").chat.completions.create(
        model="qwen-plus", messages=USER, tools=[WEATHER],
        tool_choice={"type": "function", "function": {"name": "get_weather"}})
    assert named.choices[0].message.tool_calls[0].function.name == "get_weather"


def test_deepseek_can_force_a_tool_with_thinking_disabled(servers):
    reply = client(servers, "deepseek").chat.completions.create(
        model="deepseek-flash", messages=[{"role": "user", "content": "你好"}], tools=[WEATHER],
        tool_choice="required", extra_body={"thinking": {"type": "disabled"}})
    assert reply.choices[0].message.tool_calls[0].function.name == "get_weather"


@pytest.mark.parametrize("name", CHINA)
def test_json_schema_matches_preset(servers, name):
    fmt = {"type": "json_schema", "json_schema": {"name": "w", "schema": SCHEMA}}
    call = lambda: client(servers, name).chat.completions.create(  # noqa: E731
        model=PRESETS[name].model, messages=USER, response_format=fmt)
    if PRESETS[name].json_schema:
        assert json.loads(call().choices[0].message.content)["city"] == "武汉"
    else:
        assert error_of(call).status_code == 400


def test_deepseek_json_schema_message(servers):
    err = error_of(lambda: client(servers, "deepseek").chat.completions.create(
        model="deepseek-flash", messages=USER,
        response_format={"type": "json_schema", "json_schema": {"name": "w", "schema": SCHEMA}}))
    assert err.message.endswith("This response_format type is unavailable now")


@pytest.mark.parametrize("name", ["bailian", "deepseek"])
def test_json_object_needs_the_word_json(servers, name):
    c = client(servers, name)
    err = error_of(lambda: c.chat.completions.create(model=PRESETS[name].model, messages=USER,
                                                     response_format={"type": "json_object"}))
    assert "must contain the word 'json'" in err.message
    system = "只输出 JSON，符合这个 JSON Schema：" + json.dumps(SCHEMA, ensure_ascii=False)
    reply = c.chat.completions.create(model=PRESETS[name].model, response_format={"type": "json_object"},
                                      messages=[{"role": "system", "content": system}, *USER])
    assert set(json.loads(reply.choices[0].message.content)) == {"city", "condition"}


def test_schema_in_instructions_is_found():
    assert adopt_schema_from_instructions("输出 JSON：" + json.dumps(SCHEMA)) == SCHEMA
    assert adopt_schema_from_instructions("不是 schema：{\"a\": 1}") is None


def test_parallel_tool_calls_false_is_honoured_or_ignored(servers):
    """百炼照办 parallel_tool_calls=false；DeepSeek、硅基流动、Ollama 的文档里没有这个参数：被忽略。"""
    two_cities = [{"role": "user", "content": "武汉和北京的天气怎么样？"}]
    for name, calls in (("bailian", 1), ("deepseek", 2), ("siliconflow", 2), ("ollama", 2)):
        reply = client(servers, name).chat.completions.create(
            model=PRESETS[name].model, messages=two_cities, tools=[WEATHER], parallel_tool_calls=False,
            extra_body={"thinking": {"type": "disabled"}} if name == "deepseek" else None)
        assert len(reply.choices[0].message.tool_calls) == calls, name


# ---------------------------------------------------------------- 推理


def reasoning_of(message) -> str:
    extra = message.model_extra or {}
    return extra.get("reasoning_content") or extra.get("reasoning") or ""


@pytest.mark.parametrize("name", CHINA)
def test_reasoning_model_streams_its_field(servers, name):
    field = "reasoning" if name == "ollama" else "reasoning_content"
    stream = client(servers, name).chat.completions.create(
        model=PRESETS[name].reasoning_model, messages=USER, stream=True)
    fields = {k for chunk in stream for c in chunk.choices for k in (c.delta.model_extra or {})}
    assert fields == {field}


@pytest.mark.parametrize("name", CHINA)
def test_reasoning_stream_only_matches_preset(servers, name):
    call = lambda: client(servers, name).chat.completions.create(  # noqa: E731
        model=PRESETS[name].reasoning_model, messages=USER)
    if PRESETS[name].reasoning_stream_only:
        assert "only support stream mode" in error_of(call).message
    else:
        assert reasoning_of(call().choices[0].message)


@pytest.mark.parametrize("name", CHINA)
def test_reasoning_tools_match_preset(servers, name):
    call = lambda: client(servers, name).chat.completions.create(  # noqa: E731
        model=PRESETS[name].reasoning_model, messages=USER, tools=[WEATHER], stream=True)
    if PRESETS[name].reasoning_tools:
        assert list(call())
    else:
        assert error_of(lambda: list(call())).status_code == 400


@pytest.mark.parametrize("name", CHINA)
def test_chat_model_thinking_default_matches_preset(servers, name):
    stream = client(servers, name).chat.completions.create(model=PRESETS[name].model, messages=USER,
                                                           stream=True)
    thought = any((c.delta.model_extra or {}) for chunk in stream for c in chunk.choices)
    assert thought is PRESETS[name].thinking_by_default


def test_deepseek_requires_reasoning_content_back_after_tool_calls(servers):
    c = client(servers, "deepseek")
    first = c.chat.completions.create(model="deepseek-flash", messages=USER, tools=[WEATHER]).choices[0].message
    call = first.tool_calls[0]
    assistant = {"role": "assistant", "content": first.content,
                 "tool_calls": [{"id": call.id, "type": "function",
                                 "function": {"name": call.function.name, "arguments": call.function.arguments}}]}
    tool = {"role": "tool", "tool_call_id": call.id, "content": "晴"}
    err = error_of(lambda: c.chat.completions.create(model="deepseek-flash", messages=[*USER, assistant, tool],
                                                     tools=[WEATHER]))
    assert "reasoning_content" in err.message
    assistant["reasoning_content"] = reasoning_of(first)
    final = c.chat.completions.create(model="deepseek-flash", messages=[*USER, assistant, tool], tools=[WEATHER])
    assert "晴" in final.choices[0].message.content


@pytest.mark.parametrize("name", PROVIDERS)
def test_usage_chunk_only_with_include_usage(servers, name):
    c = client(servers, name)
    plain = list(c.chat.completions.create(model=chat_model(name), messages=USER, stream=True))
    counted = list(c.chat.completions.create(model=chat_model(name), messages=USER, stream=True,
                                             stream_options={"include_usage": True}))
    assert not any(chunk.usage for chunk in plain)
    assert counted[-1].usage is not None and counted[-1].choices == []


# ---------------------------------------------------------------- 错误体（故障注入）


@pytest.mark.parametrize(("name", "mode", "status", "fragment"), [
    ("bailian", "401", 401, "Incorrect API key provided"),
    ("bailian", "429", 429, "Requests rate limit exceeded"),
    ("bailian", "moderation", 400, "Input data may contain inappropriate content"),
    ("deepseek", "401", 401, "Authentication Fails"),
    ("deepseek", "402", 402, "Insufficient Balance"),
    ("deepseek", "429", 429, "Rate Limit Reached"),
    ("deepseek", "moderation", 400, "Content Exists Risk"),
    ("siliconflow", "401", 401, "Invalid token"),
    ("siliconflow", "429", 429, "TPM limit reached"),
    ("ollama", "404", 404, "try pulling it first"),
    ("openai", "401", 401, "Incorrect API key provided"),
    ("openai", "moderation", 400, "Invalid prompt"),
])
def test_fault_modes_use_the_providers_error_body(servers, name, mode, status, fragment):
    err = error_of(lambda: client(servers, name).chat.completions.create(
        model=chat_model(name), messages=USER, extra_headers={"X-Mock-Fault": mode}))
    assert err.status_code == status and fragment in str(err.message) + str(err.body)


def test_bailian_moderation_body(servers):
    err = error_of(lambda: client(servers, "bailian").chat.completions.create(
        model="qwen-plus", messages=USER, extra_headers={"X-Mock-Fault": "moderation"}))
    assert (err.body["code"], err.body["type"]) == ("data_inspection_failed", "data_inspection_failed")
    assert err.response.json()["request_id"]


def test_ollama_has_no_moderation(servers):
    reply = client(servers, "ollama").chat.completions.create(
        model="qwen2.5:7b", messages=USER, extra_headers={"X-Mock-Fault": "moderation"})
    assert reply.choices[0].message.content


# ---------------------------------------------------------------- 启动方式


def test_mock_profile_env_for_the_in_process_mock(monkeypatch):
    monkeypatch.setenv("MOCK_PROFILE", "ollama")
    server = start_mock_server()
    try:
        c = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0)
        assert c.models.list().data[0].id == "qwen2.5:7b"
        # mock-model / mock-reasoner 是这个 profile 的预设模型的别名
        assert c.chat.completions.create(model="mock-model", messages=USER).choices[0].message.content
    finally:
        server.stop()


def test_command_line_profile():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "shared.mock", "--port", str(port), "--profile", "deepseek", "--log-level", "error"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "MOCK_STREAM_DELAY": "0"},
    )
    try:
        c = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="x", max_retries=0)
        deadline = time.monotonic() + 30
        while True:
            try:
                models = [m.id for m in c.models.list().data]
                break
            except openai.APIConnectionError:
                assert time.monotonic() < deadline, "python -m shared.mock --profile deepseek 没有启动"
                time.sleep(0.1)
        assert "deepseek-flash" in models
        assert error_of(lambda: c.chat.completions.create(model="deepseek-chat", messages=USER)).status_code == 400
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert "提供方差异：deepseek（DeepSeek）" in out
