"""模拟模型的措辞语料（tests/mock_corpus.txt）：用户平常的说法，有没有交给称职的模型会选的工具。

每句话都走真实的路径：工具先由 Agents SDK 的转换器写成它实际发送的 JSON，再经模拟模型的请求解析
（wire.chat_conversation）和决策（brain.decide）。综合案例的工具、handoff 和指令取自 build_team()
的真实代码，所以语料跟着代码走；课程的工具取自课程脚本模块顶层的定义。准确率低于 95% 失败。
"""

from __future__ import annotations

import asyncio
import json
import re
import runpy
import sys
from functools import cache
from pathlib import Path

import pytest
from agents import Agent, FunctionTool, handoff
from agents.models.chatcmpl_converter import Converter

from shared.mock import brain, wire
from tests.lessons import REPO

CORPUS = Path(__file__).with_name("mock_corpus.txt")
THRESHOLD = 0.95


# ---------------------------------------------------------------- 读语料


def parse_corpus() -> list[dict]:
    """→ [{"kind", "arg", "tools": [...定义...], "cases": [(期望, 话)]}]"""
    sections: list[dict] = []
    for raw in CORPUS.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            kind, _, arg = line[1:].strip().partition(" ")
            sections.append({"kind": kind, "arg": arg.strip(), "tools": [], "cases": []})
        elif line.startswith("tool "):
            sections[-1]["tools"].append(line[5:])
        else:
            expected, _, said = line.partition(":")
            sections[-1]["cases"].append((expected.strip(), said.strip()))
    return sections


# ---------------------------------------------------------------- 工具从哪里来


@cache
def capstone_members() -> dict[str, tuple[str, list[dict]]]:
    """综合案例每位 Agent 的 (指令, 工具 JSON)。build_team 的签名只在这里适配。"""
    sys.path.insert(0, str(REPO / "07_projects"))
    from its_service import agents as team_module
    from its_service.business import AGENT_TOOLS
    from its_service.mcp_server import build_server
    from its_service.shop import LocalBusiness, Shop
    from its_service.tools import make_tools

    # 不连任何服务：只要 Agent 的配置（指令、工具 Schema、handoff）。mcp_servers=[] 让订单专员
    # 和线上一样不带同名函数工具，它的工具清单直接从业务服务的 MCP 定义里读。
    shop = Shop("sqlite://")  # 内存里的空库：只为建出工具，不查数据
    team = team_module.build_team(make_tools(LocalBusiness(shop)), [],
                                  categories=["蓝牙耳机", "运动鞋", "手机", "笔记本电脑", "智能手表",
                                              "电脑外设", "手机配件", "厨房电器"],
                                  refund_approval_threshold=500)
    server = build_server(shop)
    mcp_tools = [_mcp_tool(t) for t in asyncio.run(server.list_tools()) if t.name in AGENT_TOOLS]
    members = {}
    for name, agent in team.members.items():
        tools = [Converter.tool_to_openai(t) for t in agent.tools if isinstance(t, FunctionTool)]
        if agent.mcp_servers is not None and name == "order_agent":
            tools += mcp_tools  # 订单专员的工具来自 MCP 服务（测试里不连服务，直接读它的工具清单）
        tools += [Converter.convert_handoff_tool(h if not isinstance(h, Agent) else handoff(h))
                  for h in agent.handoffs]
        members[name] = (agent.instructions if isinstance(agent.instructions, str) else "", tools)
    return members


def _mcp_tool(tool) -> dict:
    return {"type": "function", "function": {"name": tool.name, "description": tool.description or "",
                                             "parameters": tool.input_schema}}


@cache
def lesson_tools(path: str) -> list[dict]:
    """课程脚本模块顶层定义的工具：@function_tool、OpenAI 格式的工具字典列表、MCP 服务的工具。"""
    script = REPO / path
    sys.path.insert(0, str(script.parent))
    try:
        module = runpy.run_path(str(script), run_name="mock_corpus")
    finally:
        sys.path.remove(str(script.parent))
    tools: list[dict] = []
    for value in module.values():
        if isinstance(value, FunctionTool) and value.is_enabled is not False:
            tools.append(Converter.tool_to_openai(value))
        elif isinstance(value, list) and value and all(isinstance(v, dict) and v.get("type") == "function"
                                                       for v in value):
            tools += value
        elif type(value).__name__ == "MCPServer":
            tools += [_mcp_tool(t) for t in asyncio.run(value.list_tools())]
    assert tools, f"{path} 的模块顶层没有找到工具"
    return tools


def defined_tools(lines: list[str]) -> list[dict]:
    tools = []
    for line in lines:
        m = re.fullmatch(r"(\w+)\(([^)]*)\):\s*(.+)", line)
        assert m, line
        params = [p.strip() for p in m.group(2).split(",") if p.strip()]
        tools.append({"type": "function", "function": {"name": m.group(1), "description": m.group(3), "parameters": {
            "type": "object", "properties": {p: {"type": "string"} for p in params}, "required": params}}})
    return tools


def section_setup(section: dict) -> tuple[str, list[dict]]:
    if section["kind"] == "capstone":
        return capstone_members()[section["arg"]]
    if section["kind"] == "lesson":
        return "", lesson_tools(section["arg"])
    return "", defined_tools(section["tools"])


def choose(system: str, tools: list[dict], said: str) -> str:
    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": said}]
    conv = wire.chat_conversation({"model": "mock-model", "messages": messages, "tools": tools})
    plan = brain.decide(conv)
    # 选中了工具、但先问了缺的信息（“明天下午订个讨论间”还要问几位）也算选对了工具
    return plan.calls[0].name if plan.calls else plan.intended or "none"


# ---------------------------------------------------------------- 测试


def test_corpus_accuracy(capsys):
    results = []
    for section in parse_corpus():
        system, tools = section_setup(section)
        for expected, said in section["cases"]:
            got = choose(system, tools, said)
            results.append((f"{section['kind']} {section['arg']}", said, expected, got,
                            got in expected.split("|")))
    right = sum(ok for *_, ok in results)
    accuracy = right / len(results)
    with capsys.disabled():
        print(f"\n模拟模型措辞语料：{right}/{len(results)} 选对，准确率 {accuracy:.1%}（门槛 {THRESHOLD:.0%}）")
        for where, said, expected, got, ok in results:
            if not ok:
                print(f"  ✗ [{where}] {said!r}：期望 {expected}，实际 {got}")
    assert len(results) >= 200
    assert accuracy >= THRESHOLD


def test_mock_code_does_not_contain_the_corpus():
    """语料是回归网，不是查表：模拟模型的代码里不能出现语料里的句子。"""
    code = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "shared" / "mock").glob("*.py"))
    leaked = [said for section in parse_corpus() for _, said in section["cases"]
              if len(said) >= 6 and said in code]
    assert leaked == []


@pytest.mark.parametrize("said", ["帮我查查 A1007 的订单", "订单 A1006 什么状态", "我想把 A1009 退了", "A1009 退款",
                                  "Where is my order A1001?", "有卖充电器吗", "电热水壶多少钱"])
def test_issue_phrasings_never_open_a_complaint_ticket(said):
    """issue 8 里列出的真实失败：前台把普通的查询、退款、购物说法当成投诉建了工单。"""
    system, tools = capstone_members()["triage_agent"]
    assert choose(system, tools, said).startswith("transfer_to_")


def test_corpus_file_is_well_formed():
    sections = parse_corpus()
    assert {s["kind"] for s in sections} <= {"capstone", "lesson", "define"}
    for section in sections:
        names = {t["function"]["name"] for t in section_setup(section)[1]} | {"none"}
        for expected, said in section["cases"]:
            assert said, expected
            assert set(expected.split("|")) <= names, f"{section['arg']}: 没有工具 {expected}"
    json.dumps(sections, ensure_ascii=False)
