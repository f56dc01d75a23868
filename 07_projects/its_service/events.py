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
| 运行结束且 result.interruptions 非空（chat.py 发）  | `approval_required` |
| 运行结束（chat.py 发）                              | `run_completed`   |
| 任何失败（chat.py 翻译异常）                        | `error`           |
| 主管做了决定（approvals.py 发到更新通道）           | `approval_decided` |
| 接着运行失败、稍后重试（approvals.py）              | `notice`          |
| 打开更新流时没有待审批的运行（routes/sessions.py）  | `idle`            |

课程 5.3.2 的映射表把 ToolCallItem 直接当 tool_started；实际 SDK 里它们包在
RunItemStreamEvent 里，要看 `event.name`，handoff 的来源/目标在 HandoffOutputItem 自己身上。
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
from fastapi.sse import ServerSentEvent
from openai.types.responses import ResponseTextDeltaEvent

from its_service.agents import display_name

# 一条流（对话流、更新流）以这些事件之一结束；页面收到就关掉连接。
TERMINAL = frozenset({"run_completed", "approval_required", "error", "idle"})


class Event(NamedTuple):
    """一个事件：名字 + data。服务内部都传它；到了路由才编码成 SSE（`encode`），
    推到更新通道时直接存 name / data。"""

    name: str
    data: dict[str, Any]


def sse(name: str, data: dict[str, Any]) -> Event:
    return Event(name, data)


def error_event(code: str, message: str) -> Event:
    return Event("error", {"code": code, "message": message})


def encode(event: Event) -> ServerSentEvent:
    # 自己编码 JSON（ensure_ascii=False）：用 curl -N 看原始事件流时，中文是中文而不是 \uXXXX。
    return ServerSentEvent(event=event.name, raw_data=json.dumps(event.data, ensure_ascii=False))


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


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


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
                                             "arguments": _field(item.raw_item, "arguments") or "{}"})]
            if event.name == "tool_output" and isinstance(item, ToolCallOutputItem):
                call_id = _field(item.raw_item, "call_id") or ""
                return [sse("tool_completed", {"tool_name": self.tool_names.get(call_id, "tool"),
                                               "call_id": call_id, "tool_result": _text(item.output)})]
        return []
