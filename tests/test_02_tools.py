"""02_tools 里冒烟测试表达不了的行为：没有托管工具时不发请求；工具循环在参数出错时不崩。"""

from __future__ import annotations

import runpy

import pytest

from tests import lessons

TOOLS = lessons.REPO / "02_tools"


def requests(mock_server) -> dict[str, int]:
    return dict(mock_server.app.state.mock.stats)


@pytest.mark.parametrize(
    ("extra", "explanation"),
    [
        # 连 Responses API 都没有
        ({}, "不支持 托管工具 web_search"),
        # 有 Responses API（自己声明的），但没有托管工具
        ({"LLM_SUPPORTS_RESPONSES": "1"}, "没有 web_search 等托管工具"),
    ],
)
def test_hosted_web_search_exits_cleanly_without_hosted_tools(
    extra, explanation, tmp_path, mock_server
):
    env = lessons.smoke_env(
        tmp_path,
        LLM_PROVIDER="deepseek",
        DEEPSEEK_API_KEY="sk-fake.key.for.tests.0000",
        OPENAI_BASE_URL=mock_server.base_url,
        OPENAI_MODEL_NAME="mock-model",
        **extra,
    )
    before = requests(mock_server)
    code, out, err, _, _ = lessons.run_script(
        TOOLS / "01_hosted_web_search.py", [], env, timeout=30
    )
    assert code == 0, f"{out}\n{err}"
    assert explanation in out, out
    assert requests(mock_server) == before, "说明“不支持”之前已经发了请求"


@pytest.fixture(scope="module")
def service():
    """只导入 04 号脚本的定义（不运行 main，不调用模型）。"""
    return runpy.run_path(str(TOOLS / "04_customer_service_tools.py"))


def test_execute_turns_bad_calls_into_error_results(service):
    execute = service["execute"]
    assert "error" in execute("refund_everything", "{}")  # 模型编造的工具名
    assert "error" in execute("calculate_price", '{"unit_price": 10}')  # 缺必填参数
    assert "error" in execute("query_order", "{not json")  # 参数不是合法 JSON
    assert "error" in execute(
        "calculate_price", '{"unit_price": 10, "quantity": 1, "member_level": "钻石"}'
    )


def test_schemas_match_the_python_functions(service):
    """schema 里的必填参数必须是函数真正接受的参数，否则模型照着 schema 调用也会失败。"""
    import inspect

    for tool in service["TOOLS"]:
        fn = tool["function"]
        signature = inspect.signature(service["FUNCTIONS"][fn["name"]])
        params = fn["parameters"]
        assert set(params["properties"]) == set(signature.parameters), fn["name"]
        optional = {
            n for n, p in signature.parameters.items() if p.default is not inspect.Parameter.empty
        }
        assert set(params["required"]) == set(signature.parameters) - optional, fn["name"]
