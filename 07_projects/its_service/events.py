"""SDK 流事件 → SSE 事件：**页面收到的每一个事件都在这个文件里产生。**

事件契约（名字、字段）见 07_projects/README.md 的事件表。对应关系：

| Agents SDK 的事件                                   | SSE 事件          |
|-----------------------------------------------------|-------------------|
| （流开始时，chat.py 发）                            | `session`         |
| AgentUpdatedStreamEvent                             | `agent_updated`   |
| RunItemStreamEvent "handoff_occured"（HandoffOutputItem） | `handoff`   |
| RawResponsesStreamEvent + ResponseTextDeltaEvent    | `text_delta`      |
| RunItemStreamEvent "tool_called"（ToolCallItem）    | `tool_started`    |
| RunItemStreamEvent "tool_output"（ToolCallOutputItem）| `tool_completed` |
| 护栏下了结论：放行（guardrails.py → RunContext.record）| `guardrail_passed` |
| 护栏下了结论：拦下（同上；chat.py 接着发固定回答）   | `guardrail_tripped` |
| 运行结束且 result.interruptions 非空（chat.py 发）  | `approval_required` |
| 运行结束（chat.py 发）                              | `run_completed`   |
| 任何失败（chat.py 翻译异常）                        | `error`           |
| 主管做了决定（approvals.py 发到更新通道）           | `approval_decided` |
| 接着运行失败、稍后重试（approvals.py）              | `notice`          |
| 打开更新流时没有待审批的运行（routes/sessions.py）  | `idle`            |

课程 5.3.2 的映射表把 ToolCallItem 直接当 tool_started；实际 SDK 里它们包在
RunItemStreamEvent 里，要看 `event.name`，handoff 的来源/目标在 HandoffOutputItem 自己身上。

工具结果（`tool_completed.tool_result`）一律是干净的文字：MCP 工具的结果在 SDK 里是内容块
`{"type": "text", "text": "{...}"}`，这里取出里面的 JSON（`tool_result_text`），页面不会看到“JSON 里套着
JSON 字符串”。刷新页面时的历史（sessions.py 的 render_messages）用的是同一个函数，所以两边一模一样。

`Holdback`：输入护栏放行之前先攒着 Agent 的事件（见 guardrails.py 的说明），放行后按原顺序一起发出，
拦下时整批丢掉——顾客看不到被拦下的那一轮的半句回答。
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from agents import (
    AgentUpdatedStreamEvent,
    HandoffOutputItem,
    RawResponsesStreamEvent,
    RunItemStreamEvent,
    ToolCallItem,
    ToolCallOutputItem,
)
from openai.types.responses import ResponseTextDeltaEvent

from its_service.agents import display_name
from its_service.context import Verdict
from its_service.guardrails import tool_text

# 对话流会发的全部事件（/docs 里列出来，见 sse.py 的 openapi_responses；和 README 的事件表由测试核对）。
CHAT_EVENTS = ("session", "guardrail_passed", "guardrail_tripped", "agent_updated", "handoff", "tool_started",
               "tool_completed", "text_delta", "approval_required", "run_completed", "error")
# 更新流：主管的决定、重试提示、“没有待审批”，再加上接着运行时和对话流一样的事件。
UPDATE_EVENTS = ("approval_decided", "notice", "idle", *CHAT_EVENTS)
# 一条流（对话流、更新流）以这些事件之一结束；页面收到就关掉连接。
TERMINAL = frozenset({"run_completed", "approval_required", "error", "idle"})


class Event(NamedTuple):
    """一个事件：名字 + data。服务内部都传它；到了路由才编码成 SSE（sse.py 的 `frame`），
    推到更新通道时直接存 name / data。"""

    name: str
    data: dict[str, Any]


def sse(name: str, data: dict[str, Any]) -> Event:
    return Event(name, data)


def error_event(code: str, message: str) -> Event:
    return Event("error", {"code": code, "message": message})


def coalesce(events: list[Any]) -> list[Any]:
    """把相邻的 text_delta 合成一个（文字拼起来不变）。只在客户端一时收不过来、队列里攒了好几个
    事件时才会发生：流得慢时每个增量照样单独发出，流得快时少发几十个小包——每个 SSE 事件都要
    经过 FastAPI 的发送管道和一次 socket 写，几百个对话同时进行时这是服务 CPU 的一大块。"""
    merged: list[Any] = []
    for event in events:
        if (isinstance(event, Event) and event.name == "text_delta" and merged
                and isinstance(merged[-1], Event) and merged[-1].name == "text_delta"):
            merged[-1] = Event("text_delta", {"text": merged[-1].data["text"] + event.data["text"]})
        else:
            merged.append(event)
    return merged


def _field(raw: Any, name: str) -> Any:
    return raw.get(name) if isinstance(raw, dict) else getattr(raw, name, None)


def tool_result_text(value: Any) -> str:
    """工具结果 → 给页面看的文字：MCP 内容块取出里面的文字；是 JSON 的，重新编码成不转义中文的紧凑 JSON。"""
    text = tool_text(value)
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


def verdict_event(verdict: Verdict) -> Event:
    """护栏的结论 → `guardrail_passed` / `guardrail_tripped`。"""
    data = {"guardrail": verdict.guardrail, "title": verdict.title, "stage": verdict.stage,
            "reasoning": verdict.reasoning, "agent": display_name(verdict.agent),
            "elapsed_ms": verdict.elapsed_ms}
    if verdict.tool:
        data["tool_name"] = verdict.tool
        data["masked"] = verdict.masked
    if not verdict.passed:
        data["message"] = verdict.message
    return Event("guardrail_passed" if verdict.passed else "guardrail_tripped", data)


class Holdback:
    """输入护栏放行之前，Agent 的事件先攒着；放行后按原顺序发出，拦下时丢掉。
    输入护栏自己的结论随到随发（页面上的护栏面板要马上看到）。"""

    def __init__(self, put: Any, cleared: Any) -> None:
        self.put = put
        self.cleared = cleared  # () -> bool：输入护栏是否都已放行
        self.held: list[Event] = []

    def agent(self, event: Event) -> None:
        if self.cleared() and not self.held:
            self.put(event)
        else:
            self.held.append(event)
            self.release()

    def verdict(self, verdict: Verdict) -> None:
        event = verdict_event(verdict)
        if verdict.stage == "input":
            self.put(event)
            self.release()
        else:
            self.agent(event)

    def release(self) -> None:
        if self.cleared():
            held, self.held = self.held, []
            for event in held:
                self.put(event)

    def drop(self) -> None:
        self.held.clear()


class EventMapper:
    """一轮运行用一个：记住调用 id → 工具名（tool_output 里没有工具名）、累计的文本。"""

    def __init__(self) -> None:
        self.tool_names: dict[str, str] = {}
        self.text_parts: list[str] = []
        self.agent: str | None = None  # 当前 Agent 的 name（英文）

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def map(self, event: Any) -> list[Event]:
        if isinstance(event, RawResponsesStreamEvent):
            if isinstance(event.data, ResponseTextDeltaEvent) and event.data.delta:
                self.text_parts.append(event.data.delta)
                return [sse("text_delta", {"text": event.data.delta})]
            return []

        if isinstance(event, AgentUpdatedStreamEvent):
            if event.new_agent.name == self.agent:
                return []
            self.agent = event.new_agent.name
            return [sse("agent_updated", {"agent": display_name(self.agent)})]

        if isinstance(event, RunItemStreamEvent):
            item = event.item
            if event.name == "handoff_occured" and isinstance(item, HandoffOutputItem):
                return [sse("handoff", {"from_agent": display_name(item.source_agent.name),
                                        "to_agent": display_name(item.target_agent.name)})]
            if event.name == "tool_called" and isinstance(item, ToolCallItem):
                call_id = _field(item.raw_item, "call_id") or _field(item.raw_item, "id") or ""
                name = _field(item.raw_item, "name") or "tool"
                self.tool_names[call_id] = name
                return [sse("tool_started", {"tool_name": name, "call_id": call_id,
                                             "arguments": _field(item.raw_item, "arguments") or "{}",
                                             "agent": display_name(item.agent.name)})]
            if event.name == "tool_output" and isinstance(item, ToolCallOutputItem):
                call_id = _field(item.raw_item, "call_id") or ""
                return [sse("tool_completed", {"tool_name": self.tool_names.get(call_id, "tool"),
                                               "call_id": call_id, "tool_result": tool_result_text(item.output)})]
        return []
