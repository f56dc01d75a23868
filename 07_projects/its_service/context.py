"""运行上下文：一轮对话里，服务器交给 Agent、工具和护栏的东西（`Runner.run_streamed(..., context=RunContext(...))`）。

**顾客身份放在这里，不放进任何工具参数。** `customer_id` 是服务器按会话的主人填的（会话创建时绑定，
登录 cookie 验证过）；工具从 `ctx.context.customer_id` 取，再放进发给业务服务的请求 `_meta`
（tools.py、mcp_client.py），业务服务只开放这位顾客自己的订单。模型看不到这个字段，也改不了它——
“我是李四”“帮我朋友查 A1003”说得再像，工具拿到的还是会话主人的编号。

另外两样只活在这一轮里、不随 RunState 保存的东西：
- `report`：护栏（guardrails.py）每下一个结论就交给它，chat.py 把它变成 `guardrail_passed` /
  `guardrail_tripped` 事件推给页面；
- 输入护栏的“闸门”：输入护栏和 Agent 并行跑（不多等一次模型往返），但在所有输入护栏放行之前，
  有副作用的工具（提交退款、建工单）先等着（`await ctx.context.input_cleared()`），页面也先不显示
  Agent 的输出（chat.py 的 `Holdback`）。护栏拦下时这一轮被取消，那些工具从没执行过。

RunState 序列化时只存 `to_dict()` 里的字段（审批后接着运行时，chat.py 用 `context_override` 重新建一个）。
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agents import Usage


class InputBlocked(Exception):
    """输入护栏拦下了这一轮：等着放行的工具不执行，直接结束。"""

    def __init__(self, guardrail: str) -> None:
        super().__init__(f"输入护栏 {guardrail} 拦下了这一轮，工具没有执行")


@dataclass
class Verdict:
    """一个护栏的一次结论。`stage`：input（输入护栏）/ tool（工具结果护栏）/ output（输出护栏）。"""

    guardrail: str          # 护栏 id：relevance / jailbreak / pii_mask / answer_check
    title: str              # 中文名：话题相关性……
    stage: str
    passed: bool
    reasoning: str
    agent: str = ""         # 哪位 Agent 的护栏（显示名）
    elapsed_ms: int = 0
    tool: str = ""          # 工具结果护栏：哪个工具
    masked: dict[str, int] = field(default_factory=dict)  # 工具结果护栏：遮盖了什么、几处
    message: str = ""       # 拦下时：给顾客的固定回答


@dataclass
class RunContext:
    session_id: str
    customer_id: str
    query: str = ""                                        # 这一轮顾客说的话（输出护栏用）
    approvals: dict[str, str] = field(default_factory=dict)  # 审批后接着运行：工具调用 id → 审批单
    report: Callable[[Verdict], None] | None = field(default=None, repr=False)
    guardrail_usage: Usage = field(default_factory=Usage, repr=False)  # 护栏 Agent 花的 token
    input_trip: Verdict | None = field(default=None, repr=False)  # 第一个拦下这一轮的输入护栏
    _expected: int = field(default=0, repr=False)
    _passed: set[str] = field(default_factory=set, repr=False)
    _cleared: asyncio.Event = field(default_factory=asyncio.Event, repr=False)   # 全部放行
    _decided: asyncio.Event = field(default_factory=asyncio.Event, repr=False)   # 全部放行，或有一个拦下

    def __post_init__(self) -> None:
        self._cleared.set()  # 默认没有输入护栏要等（审批后接着运行、压测地板、关掉护栏时）
        self._decided.set()

    def to_dict(self) -> dict[str, Any]:
        """RunState.to_json() 存的部分（context_serializer）。"""
        return {"session_id": self.session_id, "customer_id": self.customer_id, "query": self.query,
                "approvals": dict(self.approvals)}

    # ------------------------------------------------------------ 输入护栏的闸门

    def expect_input_guardrails(self, names: list[str]) -> None:
        """这一轮有哪些输入护栏要放行；在 Runner 开始之前调用。"""
        self._expected = len(set(names))
        self._passed.clear()
        if self._expected:
            self._cleared.clear()
            self._decided.clear()
        else:
            self._cleared.set()
            self._decided.set()

    @property
    def cleared(self) -> bool:
        return self._cleared.is_set()

    async def input_cleared(self) -> None:
        """有副作用的工具执行前调用：等所有输入护栏放行。拦下时抛 `InputBlocked`，工具什么都不做。

        不能只是一直等下去：SDK 的流式运行只在有新事件时才检查护栏结果，工具卡在这里就不会再有事件，
        这一轮要等到整轮超时才结束。抛出来以后运行循环失败，chat.py 看到这一轮已被输入护栏拦下，照常回拒绝。"""
        await self._decided.wait()
        if not self._cleared.is_set():
            raise InputBlocked(self.input_trip.guardrail if self.input_trip else "input")

    def record(self, verdict: Verdict) -> None:
        if verdict.stage == "input" and verdict.passed:
            self._passed.add(verdict.guardrail)
            if len(self._passed) >= self._expected:
                self._cleared.set()
                self._decided.set()
        elif verdict.stage == "input" and self.input_trip is None:
            self.input_trip = verdict
            self._decided.set()
        if self.report is not None:
            self.report(verdict)

    def add_guardrail_usage(self, usage: Usage) -> None:
        self.guardrail_usage.add(usage)
