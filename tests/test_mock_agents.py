"""Agents SDK 跑在模拟模型上：Chat Completions 和 Responses 两种模型类都要能完成
工具调用、handoff、agent-as-tool、结构化输出和流式事件。"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import time

import httpx2
import pytest
from agents import (
    Agent,
    HandoffOutputItem,
    MessageOutputItem,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    function_tool,
    set_tracing_disabled,
)
from openai import AsyncOpenAI, DefaultAsyncHttpxClient
from pydantic import BaseModel

from shared.http import PerLoopTransport
from tests import lessons
from tests.lessons import REPO, free_port

pytestmark = pytest.mark.anyio
MODEL_CLASSES = [OpenAIChatCompletionsModel, OpenAIResponsesModel]


@function_tool
def get_weather(city: str) -> str:
    """获取指定城市的天气信息"""
    return json.dumps({"city": city, "condition": "晴", "source": "tool", "message": f"{city}天气晴朗"},
                      ensure_ascii=False)


class WeatherResult(BaseModel):
    city: str
    condition: str
    source: str
    message: str


@pytest.fixture(scope="module")
def async_client(mock_server):
    # 每个异步测试一个新事件循环：连接池按循环分开（与工厂相同的做法），旧循环的连接不会被复用。
    http = DefaultAsyncHttpxClient(transport=PerLoopTransport(mock_server.base_url))
    return AsyncOpenAI(base_url=mock_server.base_url, api_key="test", max_retries=0, http_client=http)


@pytest.fixture(params=MODEL_CLASSES, ids=["chat_completions", "responses"])
def model(request, async_client):
    set_tracing_disabled(True)
    return request.param(model="mock-model", openai_client=async_client)


def team(model):
    booking = Agent(name="Booking agent", model=model, handoff_description="处理订票、预订",
                    instructions="你负责订票：需要用户提供日期、人数、舱位。")
    refund = Agent(name="Refund agent", model=model, handoff_description="处理退款申请",
                   instructions="你负责退款：需要用户提供订单号、原因，并解释规则。")
    triage = Agent(name="Triage agent", model=model, handoffs=[booking, refund],
                   instructions="你负责分流。用户问订票交接给 booking_agent；问退款交接给 refund_agent。")
    return booking, refund, triage


async def test_function_tool_run(model):
    agent = Agent(name="天气助手", instructions="你是一个天气助手。", model=model, tools=[get_weather])
    result = await Runner.run(agent, "武汉的天气")
    kinds = [type(i) for i in result.new_items]
    assert kinds == [ToolCallItem, ToolCallOutputItem, MessageOutputItem]
    assert json.loads(result.new_items[0].raw_item.arguments) == {"city": "武汉"}
    assert "武汉天气晴朗" in result.final_output
    assert result.context_wrapper.usage.requests == 2


async def test_structured_output_type(model):
    agent = Agent(name="天气助手", instructions="用户问天气时必须调用 get_weather。", model=model,
                  tools=[get_weather], output_type=WeatherResult)
    result = await Runner.run(agent, "武汉的天气")
    assert result.final_output == WeatherResult(city="武汉", condition="晴", source="tool", message="武汉天气晴朗")


async def test_handoff_to_specialist(model):
    _, refund, triage = team(model)
    result = await Runner.run(triage, "我想退款，订单号 A10086，因为质量有问题")
    assert result.last_agent is refund
    handoff = next(i for i in result.new_items if isinstance(i, HandoffOutputItem))
    assert (handoff.source_agent.name, handoff.target_agent.name) == ("Triage agent", "Refund agent")
    assert "退款" in result.final_output


async def test_agent_as_tool(model):
    booking, refund, _ = team(model)
    manager = Agent(name="Customer-facing agent", model=model, instructions="处理所有与用户的直接沟通。", tools=[
        booking.as_tool(tool_name="booking_expert", tool_description="处理所有预定请求"),
        refund.as_tool(tool_name="refund_expert", tool_description="处理所有退款请求"),
    ])
    result = await Runner.run(manager, "我要退款，订单 A10086")
    call = next(i for i in result.new_items if isinstance(i, ToolCallItem))
    assert call.raw_item.name == "refund_expert"
    assert result.last_agent is manager  # 控制权始终在经理手里
    assert "订单号" in result.final_output


async def test_run_streamed_events_in_order(model):
    _, _, triage = team(model)
    result = Runner.run_streamed(triage, "我想订两张明天的机票")
    seen = []
    text = ""
    async for event in result.stream_events():
        if event.type == "agent_updated_stream_event":
            seen.append(f"agent:{event.new_agent.name}")
        elif event.type == "run_item_stream_event":
            seen.append(event.name)
        elif event.type == "raw_response_event" and getattr(event.data, "type", "") == "response.output_text.delta":
            text += event.data.delta
    assert seen == ["agent:Triage agent", "handoff_requested", "handoff_occured", "agent:Booking agent",
                    "message_output_created"]
    assert text == result.final_output
    assert "舱位" in result.final_output  # 日期和人数说了，舱位没说


STUDENT_PROGRAM = textwrap.dedent('''
    """只用官方 agents 包写的学员程序：OPENAI_BASE_URL 指向模拟模型。"""
    import asyncio, json, sys
    from pydantic import BaseModel
    from agents import Agent, Runner, function_tool, OpenAIResponsesModel, OpenAIChatCompletionsModel
    from openai import AsyncOpenAI, DefaultAsyncHttpxClient

    @function_tool
    def get_weather(city: str) -> str:
        """查询城市天气"""
        return f"{city}：多云，22℃"

    class Answer(BaseModel):
        city: str
        summary: str

    async def main(kind):
        client = AsyncOpenAI()  # 从环境变量读 OPENAI_BASE_URL / OPENAI_API_KEY
        cls = OpenAIResponsesModel if kind == "responses" else OpenAIChatCompletionsModel
        model = cls(model="mock-model", openai_client=client)
        weather = Agent(name="Weather", instructions="回答天气问题", tools=[get_weather], model=model)
        print("TOOL", (await Runner.run(weather, "上海天气如何")).final_output)
        sales = Agent(name="Sales", handoff_description="商品咨询", instructions="你负责售前咨询", model=model)
        support = Agent(name="Support", handoff_description="售后退款", instructions="你负责售后退款", model=model)
        triage = Agent(name="Triage", instructions="分流", handoffs=[sales, support], model=model)
        result = await Runner.run(triage, "我要退款")
        print("HANDOFF", result.last_agent.name, result.final_output)
        typed = Agent(name="Typed", instructions="回答天气", model=model, output_type=Answer)
        print("TYPED", (await Runner.run(typed, "北京天气")).final_output.model_dump_json())

    asyncio.run(main(sys.argv[1]))
''')


@pytest.fixture(scope="module")
def standalone_mock():
    """`python -m shared.mock --port N` 作为独立进程运行。"""
    port = free_port()
    proc = lessons.spawn(["-m", "shared.mock", "--port", str(port), "--log-level", "warning"], cwd=REPO,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx2.get(url + "/health", timeout=0.2)
                break
            except httpx2.HTTPError:
                time.sleep(0.05)
        yield url + "/v1"
    finally:
        proc.terminate()
        proc.wait(5)


@pytest.mark.parametrize("kind", ["responses", "chat_completions"])
def test_student_program_with_base_url(tmp_path, standalone_mock, kind):
    script = tmp_path / "student.py"
    script.write_text(STUDENT_PROGRAM, encoding="utf-8")
    # 学员自己的终端：没有本仓库的任何变量（LLM_*、MOCK_*、别家的 Key），只有 OPENAI_BASE_URL / OPENAI_API_KEY。
    # 其余（HOME、LANG、PYTHON*）和测试进程一样，脚本才能在 fork 服务器上跑（省一次 import agents）。
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "LLM_", "MOCK_", "ITS_", "DASHSCOPE_", "DEEPSEEK_", "SILICONFLOW_"))}
    env.update(OPENAI_BASE_URL=standalone_mock, OPENAI_API_KEY="student-key", OPENAI_AGENTS_DISABLE_TRACING="1",
               MOCK_STREAM_DELAY="0", PYTHONIOENCODING="utf-8")
    done = lessons.run_python([str(script), kind], env, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert "上海：多云，22℃" in lines["TOOL"]
    assert lines["HANDOFF"].startswith("Support ")
    assert json.loads(lines["TYPED"])["city"] == "北京"
