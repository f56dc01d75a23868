"""测试 Agent：同一个小客服 Agent，两种测法——`ScriptedModel` 按剧本回放，内置模拟模型走真实的 HTTP。

没有测试的 Agent 改一句指令、换一个工具都心里没底；可每次测试都调真实模型，又慢、又花钱、结果还不固定。
两种替身各有用处：
- **`agents.testing.ScriptedModel`**（进程内）：你写好模型每一步“说什么”（调哪个工具、什么参数、最后回答什么），
  SDK 照常跑循环：执行工具、审批、护栏、handoff。测的是**你的代码**——工具逻辑、审批规则、出错时怎么办，
  不经过网络，毫秒级，还能检查模型收到了什么（`model.calls`）。
- **内置模拟模型**（`shared/mock`，一个真正的 OpenAI 兼容 HTTP 服务）：测的是**整条链路**——
  `openai` 客户端、Chat Completions 的线上格式、流式分片、HTTP 错误码和重试。本仓库的冒烟测试就是这样
  把每个课程脚本跑一遍的（见 README）。

本文件自己就是一个 pytest 测试文件：直接运行时它调用 `pytest.main()` 跑下面的 `test_*` 函数并打印结果，
也可以 `pytest 03_agents/23_testing_agents.py -v`。不读 `.env`、不调真实模型。

运行: python 03_agents/23_testing_agents.py

预期输出（内置模拟模型）:
    测试替身：ScriptedModel（进程内）+ 内置模拟模型（本机独立端口）；不读 .env，不调真实模型
    PASSED  test_scripted_tool_call_then_answer
    PASSED  test_scripted_small_refund_runs_without_approval
    PASSED  test_scripted_big_refund_waits_for_approval
    PASSED  test_scripted_model_error_propagates
    PASSED  test_mock_server_runs_the_whole_client_stack
    PASSED  test_mock_server_streams_events_in_order
    PASSED  test_mock_server_http_error_reaches_the_caller
    7 个测试：7 通过，0 失败
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import openai
import pytest
from agents import (
    Agent,
    OpenAIChatCompletionsModel,
    Runner,
    ToolCallItem,
    function_tool,
    set_tracing_disabled,
)
from agents.testing import ScriptedModel, assistant_message, function_call

from shared.factory import explain_error
from shared.mock import MockServer, start_mock_server

INSTRUCTIONS = "你是电商客服：用 get_order_status 查订单，用 issue_refund 办理退款。"
refunds: list[tuple[str, float]] = []


@function_tool
def get_order_status(order_id: str) -> str:
    """查询订单状态和物流。

    Args:
        order_id: 订单号，例如 A1001
    """
    return f"订单 {order_id} 已发货，预计明天送达"


async def big_refund(ctx, params, call_id) -> bool:  # noqa: ANN001
    return float(params.get("amount", 0)) > 500


@function_tool(needs_approval=big_refund)
def issue_refund(order_id: str, amount: float | int) -> str:
    """给订单办理退款，原路退回。

    Args:
        order_id: 订单号，例如 A1001
        amount: 退款金额（元）
    """
    refunds.append((order_id, amount))
    return f"已为订单 {order_id} 退款 {amount:g} 元"


def make_agent(model) -> Agent:  # noqa: ANN001
    """被测的 Agent：两种测法用同一个定义，只换模型。"""
    return Agent(name="客服", instructions=INSTRUCTIONS, model=model,
                 tools=[get_order_status, issue_refund])


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    """`@pytest.mark.anyio` 的异步测试跑在 asyncio 上。"""
    return "asyncio"


@pytest.fixture(autouse=True, scope="module")
def no_trace_upload() -> None:
    """测试里不上报 trace（默认的导出器会把 trace 发到 OpenAI）。"""
    set_tracing_disabled(True)


# ---------------------------------------------------------------- 第一种：ScriptedModel（进程内）


@pytest.mark.anyio
async def test_scripted_tool_call_then_answer():
    model = ScriptedModel([
        [function_call("get_order_status", {"order_id": "A1001"}, call_id="call_1")],
        [assistant_message("您的订单 A1001 已发货，预计明天送达。")],
    ])
    result = await Runner.run(make_agent(model), "我的订单 A1001 到哪了？")

    assert result.final_output == "您的订单 A1001 已发货，预计明天送达。"
    model.assert_complete()  # 剧本里的每一步都用上了
    assert model.first_call.system_instructions == INSTRUCTIONS
    # 第二次调用模型时，它收到了工具结果
    outputs = [i for i in model.last_call.input if isinstance(i, dict) and i.get("type") == "function_call_output"]
    assert outputs[0]["output"] == "订单 A1001 已发货，预计明天送达"


@pytest.mark.anyio
async def test_scripted_small_refund_runs_without_approval():
    refunds.clear()
    model = ScriptedModel([
        [function_call("issue_refund", {"order_id": "A1001", "amount": 200}, call_id="call_1")],
        [assistant_message("已为您退款 200 元。")],
    ])
    result = await Runner.run(make_agent(model), "订单 A1001 退款 200 元")
    assert result.interruptions == []  # 金额是整数 200 也照样走判断函数（参数类型写成 float | int）
    assert refunds == [("A1001", 200)]


@pytest.mark.anyio
async def test_scripted_big_refund_waits_for_approval():
    refunds.clear()
    model = ScriptedModel([
        [function_call("issue_refund", {"order_id": "A1002", "amount": 800}, call_id="call_1")],
        [assistant_message("已为您退款 800 元。")],
    ])
    agent = make_agent(model)
    result = await Runner.run(agent, "订单 A1002 退款 800 元")
    assert [item.tool_name for item in result.interruptions] == ["issue_refund"]
    assert refunds == []  # 没批准之前，工具一次都没执行

    state = result.to_state()
    state.approve(result.interruptions[0])
    result = await Runner.run(agent, state)
    assert refunds == [("A1002", 800)]
    assert result.final_output == "已为您退款 800 元。"


@pytest.mark.anyio
async def test_scripted_model_error_propagates():
    model = ScriptedModel([RuntimeError("模型服务挂了")])
    with pytest.raises(RuntimeError, match="模型服务挂了"):
        await Runner.run(make_agent(model), "你好")


# ---------------------------------------------------------------- 第二种：内置模拟模型（HTTP）


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    """本模块独占一个模拟模型服务（127.0.0.1 的空闲端口），测完关掉。"""
    server = start_mock_server()
    yield server
    server.stop()


@contextlib.asynccontextmanager
async def wire_model(mock: MockServer, **client_options) -> AsyncIterator[OpenAIChatCompletionsModel]:  # noqa: ANN003
    """走真实客户端栈的模型：官方 AsyncOpenAI → HTTP → 模拟模型。

    每个异步测试有自己的事件循环，连接池不能带到下一个测试：用完就在本测试里关掉客户端。
    """
    async with openai.AsyncOpenAI(base_url=mock.base_url, api_key="test-key", **client_options) as client:
        yield OpenAIChatCompletionsModel(model="mock-model", openai_client=client)


@pytest.mark.anyio
async def test_mock_server_runs_the_whole_client_stack(mock):
    async with wire_model(mock) as model:
        result = await Runner.run(make_agent(model), "我的订单 A1001 到哪了？")
    calls = [item.raw_item for item in result.new_items if isinstance(item, ToolCallItem)]
    assert [(c.name, c.arguments) for c in calls] == [("get_order_status", '{"order_id": "A1001"}')]
    assert "已发货" in result.final_output  # 模拟模型据工具结果作答；措辞不固定，只查事实
    assert result.context_wrapper.usage.requests == 2


@pytest.mark.anyio
async def test_mock_server_streams_events_in_order(mock):
    names, deltas = [], 0
    async with wire_model(mock) as model:
        result = Runner.run_streamed(make_agent(model), "我的订单 A1001 到哪了？")
        async for event in result.stream_events():
            if event.type == "run_item_stream_event":
                names.append(event.name)
            elif event.type == "raw_response_event" and event.data.type == "response.output_text.delta":
                deltas += 1
    assert names == ["tool_called", "tool_output", "message_output_created"]
    assert deltas > 1  # 回答是一片一片流过来的


@pytest.mark.anyio
async def test_mock_server_http_error_reaches_the_caller(mock):
    async with wire_model(mock, max_retries=0, default_headers={"X-Mock-Fault": "500"}) as model:
        with pytest.raises(openai.InternalServerError) as caught:
            await Runner.run(make_agent(model), "你好")
    assert caught.value.status_code == 500
    assert explain_error(caught.value)[0] == "server_error"  # 工厂的中文说明认得这个错误


# ---------------------------------------------------------------- 直接运行：用 pytest 跑本文件


class ReportInChinese:
    """pytest 插件：每个测试一行结果，最后一行汇总。"""

    def __init__(self) -> None:
        self.passed = self.failed = 0

    def pytest_runtest_logreport(self, report) -> None:  # noqa: ANN001
        if report.when == "call" or (report.when == "setup" and not report.passed):
            status = "PASSED" if report.passed else ("SKIPPED" if report.skipped else "FAILED")
            self.passed += report.passed
            self.failed += report.failed
            print(f"{status:<7} {report.nodeid.split('::')[-1]}")
            if report.failed:
                print(report.longreprtext)


def main() -> int:
    print("测试替身：ScriptedModel（进程内）+ 内置模拟模型（本机独立端口）；不读 .env，不调真实模型")
    plugin = ReportInChinese()
    code = pytest.main([str(Path(__file__)), "-p", "no:terminal", "-p", "no:cacheprovider", "-o", "addopts="],
                       plugins=[plugin])
    print(f"{plugin.passed + plugin.failed} 个测试：{plugin.passed} 通过，{plugin.failed} 失败")
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
