"""01_models 里冒烟测试表达不了的行为：换到没有 Responses API 的提供方时，脚本在发请求之前就退出。

做法：把“DeepSeek”的地址指向测试进程里的模拟模型服务。模拟服务其实支持 /v1/responses，
所以脚本若没有先检查 `supports_responses` 就直接调用，请求计数会增加，测试就会失败。
"""

from __future__ import annotations

import pytest

from shared.config import mask_key
from tests import lessons

MODELS = lessons.REPO / "01_models"
RESPONSES_SCRIPTS = [
    "02_responses_api.py",
    "05_stream_responses.py",
    "06_compare_response_shapes.py",
    "07_history_two_ways.py",
]
FAKE_KEY = "sk-fake.key.for.tests.0000"


def deepseek_env(tmp_path, mock_server, **extra: str) -> dict[str, str]:
    """提供方是 deepseek（预设：不支持 Responses API），但地址是本地的模拟服务。"""
    return lessons.smoke_env(
        tmp_path,
        LLM_PROVIDER="deepseek",
        DEEPSEEK_API_KEY=FAKE_KEY,
        OPENAI_BASE_URL=mock_server.base_url,
        OPENAI_MODEL_NAME="mock-model",
        LLM_MAX_RETRIES="0",
        **extra,
    )


def requests(mock_server) -> dict[str, int]:
    return dict(mock_server.app.state.mock.stats)


@pytest.mark.parametrize("name", RESPONSES_SCRIPTS)
def test_responses_scripts_explain_and_exit_before_any_request(name, tmp_path, mock_server):
    before = requests(mock_server)
    code, out, err, _, timed_out = lessons.run_script(
        MODELS / name, [], deepseek_env(tmp_path, mock_server), timeout=30
    )
    assert not timed_out and code == 0, f"退出码 {code}\n{out}\n{err}"
    assert "不支持" in out and "Responses API" in out, out
    assert requests(mock_server) == before, "脚本在说明“不支持”之前已经向模型发了请求"


def test_responses_script_runs_when_provider_declares_support(tmp_path, mock_server):
    """对照：同一提供方声明支持（LLM_SUPPORTS_RESPONSES=1）时，脚本真的走 /v1/responses。"""
    before = requests(mock_server).get("responses", 0)
    env = deepseek_env(tmp_path, mock_server, LLM_SUPPORTS_RESPONSES="1")
    code, out, err, _, _ = lessons.run_script(MODELS / "02_responses_api.py", [], env, timeout=30)
    assert code == 0, f"{out}\n{err}"
    assert "不支持" not in out
    assert requests(mock_server).get("responses", 0) == before + 1


def test_switch_provider_uses_settings_and_never_prints_the_key(tmp_path, mock_server):
    before = requests(mock_server).get("chat", 0)
    code, out, err, _, _ = lessons.run_script(
        MODELS / "03_switch_provider.py", [], deepseek_env(tmp_path, mock_server), timeout=30
    )
    assert code == 0, f"{out}\n{err}"
    assert "当前使用：deepseek（DeepSeek），原因：LLM_PROVIDER=deepseek" in out
    assert f"OpenAI(base_url={mock_server.base_url}, api_key={mask_key(FAKE_KEY)})" in out
    assert FAKE_KEY not in out + err, "完整的 Key 被打印出来了"
    # 自己建的客户端用的是配置里的地址：请求落在这个模拟服务上。
    assert requests(mock_server).get("chat", 0) == before + 1
