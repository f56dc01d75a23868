"""流水线里传递的数据：wire.py 把请求读成 `Conversation`，brain.py 做出 `Plan`，wire.py 再写回线上格式。

两种 API（Chat Completions、Responses）的请求都整理成同一种 `Conversation`：系统指令、按顺序的对话轮次
（用户 / 助手 / 工具结果）、可用的工具和要求的输出格式。下游的每一步只看它，不看原始 JSON。
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    name: str
    arguments: str
    call_id: str = ""


@dataclass
class Turn:
    role: str  # user / assistant / tool
    text: str = ""
    calls: list[Call] = field(default_factory=list)
    call_id: str = ""  # role == tool 时：回应哪个调用
    name: str = ""  # role == tool 时：工具名


@dataclass
class ToolSpec:
    name: str
    description: str
    parameters: dict
    hosted: bool = False  # web_search 等托管工具


@dataclass
class Conversation:
    system: str
    turns: list[Turn]
    tools: list[ToolSpec]
    tool_choice: Any = "auto"  # "auto" / "none" / "required" / 工具名
    parallel: bool = True
    schema: dict | None = None  # 要求输出 JSON Schema 时
    json_mode: bool = False
    reasoning: bool = False

    @property
    def functions(self) -> list[ToolSpec]:
        return [t for t in self.tools if not t.hosted]


@dataclass
class Plan:
    text: str | None = None
    calls: list[Call] = field(default_factory=list)
    reasoning: str | None = None
    web_search: str | None = None  # 托管 web_search 的搜索词
    citations: list[tuple[str, str]] = field(default_factory=list)  # (标题, URL)
    # 选中了这个工具、但先问了缺的信息或先请用户确认（不上线，只给测试和推理摘要看）
    intended: str | None = None
