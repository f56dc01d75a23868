"""一轮对话怎么跑：校验 → 占用会话 → 连 MCP、组团队 → `Runner.run_streamed` → 事件 → 提交或暂停。

    chat() / resume()            路由调用的异步生成器，产出 SSE 事件（事件本身在 events.py 生成）
      └─ 后台任务 _supervise()   真正跑 Agent 的地方；事件通过队列交给上面的生成器
           └─ _work()            MCP 连接、Runner、提交历史 / 保存待审批

为什么 Agent 跑在单独的任务里，而不是直接在生成器里 `async for`：
- 浏览器关掉页面时，生成器在 `queue.get()` 处收到取消，finally 里取消后台任务，后台任务再
  `result.cancel()` 停掉 SDK 的运行循环——一秒内什么都不剩（/healthz 的 active_runs 归零）。
- MCP 连接（anyio 任务组）在后台任务里打开、在同一个任务里关闭，不跨越生成器的 yield。
- 整轮的超时（ITS_RUN_TIMEOUT）用 `asyncio.wait_for` 套在后台任务外面，简单可靠。

失败时（模型 401/429/500/超时/断流、MCP 不可用）：发一个 `error` 事件，历史里什么都不写，
服务照常接下一个请求。
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from agents import Runner, RunResultStreaming, RunState
from fastapi.encoders import jsonable_encoder
from fastapi.sse import ServerSentEvent

from its_service.agents import TRIAGE, build_team, display_name
from its_service.db import ShopDB
from its_service.errors import describe_failure, message
from its_service.events import EventMapper, error_event, sse
from its_service.mcp_client import McpSupervisor
from its_service.sessions import PendingApproval, SessionStore, valid_session_id
from its_service.settings import ServiceSettings

log = logging.getLogger("its_service")
_END = object()  # 队列结束标记
REJECTION_MESSAGE = "人工审核拒绝了这次操作，没有执行。请如实告诉用户，并说明可以联系人工客服。"


@dataclass
class Turn:
    """一轮运行需要的全部信息；新提问和审批后的继续运行共用。"""

    session_id: str
    query: str
    start_agent: str
    base_len: int
    history: list[Any] = field(default_factory=list)
    approval: PendingApproval | None = None   # 继续运行时：哪一次暂停
    state: dict[str, Any] | None = None       # 继续运行时：RunState.to_json()
    decision: str | None = None               # approve / reject


class ChatService:
    def __init__(self, settings: ServiceSettings, store: SessionStore, mcp: McpSupervisor) -> None:
        self.settings = settings
        self.store = store
        self.mcp = mcp
        self.shop = ShopDB(settings.shop_db)
        self.categories = self.shop.categories()
        self.active_runs: set[asyncio.Task[None]] = set()
        self.stopping = False
        self._loop = asyncio.get_running_loop()  # 在 lifespan 里创建：就是服务的事件循环

    def run_context(self, session_id: str) -> dict[str, Any]:
        """工具从这里拿业务库和业务参数（见 tools.py）。dict 可以直接随 RunState 序列化。"""
        return {
            "session_id": session_id,
            "shop_db": str(self.settings.shop_db),
            "refund_approval_threshold": self.settings.refund_approval_threshold,
            "refund_window_days": self.settings.refund_window_days,
        }

    # ------------------------------------------------------------ 入口一：新提问

    async def chat(self, query: str | None, session_id: str | None) -> AsyncIterator[ServerSentEvent]:
        text = (query or "").strip()
        if session_id is not None and not valid_session_id(session_id):
            yield error_event("bad_session_id", message("bad_session_id"))
            return
        if not text:
            yield error_event("empty_query", message("empty_query"))
            return
        if len(text) > self.settings.max_query_chars:
            yield error_event("query_too_long",
                              message("query_too_long", limit=self.settings.max_query_chars))
            return

        sid = session_id or uuid.uuid4().hex
        yield sse("session", {"session_id": sid})
        if not self.store.claim(sid):
            yield error_event("session_busy", message("session_busy"))
            return
        turn = None
        try:
            if await self.store.pending(sid):
                yield error_event("approval_pending", message("approval_pending"))
                return
            await self.store.touch(sid)
            history = await self.store.history(sid)
            start = await self.store.last_agent(sid) or TRIAGE
            turn = Turn(sid, text, start, len(history), history=history)
        finally:
            if turn is None:  # 没开始运行就结束了：在这里放开会话
                self.store.release(sid)
        async with contextlib.aclosing(self._stream(turn)) as events:
            async for event in events:
                yield event

    # ------------------------------------------------------------ 入口二：审批之后继续

    async def resume(self, approval_id: str, decision: str | None) -> AsyncIterator[ServerSentEvent]:
        if decision not in ("approve", "reject"):
            yield error_event("bad_decision", message("bad_decision"))
            return
        found = await self.store.approval(approval_id) if valid_session_id(approval_id) else None
        if found is None:
            yield error_event("approval_not_found", message("approval_not_found"))
            return
        approval, state = found
        sid = approval.session_id
        yield sse("session", {"session_id": sid})
        if not self.store.claim(sid):
            yield error_event("session_busy", message("session_busy"))
            return
        if await self.store.approval(approval_id) is None:  # 等待期间已被别的请求处理掉
            self.store.release(sid)
            yield error_event("approval_not_found", message("approval_not_found"))
            return
        turn = Turn(sid, approval.query, approval.start_agent, approval.base_len,
                    approval=approval, state=state, decision=decision)
        async with contextlib.aclosing(self._stream(turn)) as events:
            async for event in events:
                yield event

    # ------------------------------------------------------------ 后台任务 + 队列

    async def _stream(self, turn: Turn) -> AsyncIterator[ServerSentEvent]:
        """启动后台任务，把它放进队列的事件一个个交出去。会话锁由后台任务结束时释放：
        这样即使浏览器先断开，下一轮也要等这一轮彻底收尾（包括正在写的历史）才能开始。"""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        task = asyncio.create_task(self._supervise(turn, queue), name=f"run:{turn.session_id}")
        self.active_runs.add(task)
        task.add_done_callback(self.active_runs.discard)
        try:
            while (event := await queue.get()) is not _END:
                yield event
        finally:
            if not task.done():  # 浏览器断开（或服务停止）：停掉这一轮
                task.cancel()

    async def _supervise(self, turn: Turn, queue: asyncio.Queue[Any]) -> None:
        try:
            await asyncio.wait_for(self._work(turn, queue.put_nowait), self.settings.run_timeout)
        except asyncio.TimeoutError:
            log.warning("会话 %s 这一轮超过 %ss，已停止", turn.session_id, self.settings.run_timeout)
            queue.put_nowait(error_event("timeout", message("run_timeout",
                                                            seconds=self.settings.run_timeout)))
        except asyncio.CancelledError:
            if self.stopping:  # 服务在停止：告诉页面为什么没答完（浏览器断开时没人听，不用发）
                queue.put_nowait(error_event("shutting_down", message("shutting_down")))
            raise
        finally:
            self.store.release(turn.session_id)
            queue.put_nowait(_END)

    async def _work(self, turn: Turn, put: Any) -> None:
        mapper = EventMapper()
        if turn.approval:  # 被批准的那次调用的结果会在这一轮里出来：先记住它的工具名
            mapper.tool_names.update(dict.fromkeys(turn.approval.call_ids, turn.approval.tool_name))
        mcp_server = None
        try:
            async with self.mcp.connect() as mcp_server:
                team = build_team([mcp_server], categories=self.categories,
                                  refund_approval_threshold=self.settings.refund_approval_threshold)
                agent = team.get(turn.start_agent)
                if turn.state is not None:
                    state = await RunState.from_json(
                        agent, turn.state, context_override=self.run_context(turn.session_id)
                    )
                    for item in state.get_interruptions():
                        if turn.decision == "approve":
                            state.approve(item)
                        else:
                            state.reject(item, rejection_message=REJECTION_MESSAGE)
                    result = Runner.run_streamed(agent, state, max_turns=self.settings.max_turns)
                else:
                    run_input = [*turn.history, {"role": "user", "content": turn.query}]
                    result = Runner.run_streamed(agent, run_input, max_turns=self.settings.max_turns,
                                                 context=self.run_context(turn.session_id))
                try:
                    async for event in result.stream_events():
                        for out in mapper.map(event):
                            put(out)
                finally:
                    await _stop(result)
                if result.run_loop_exception is not None:  # 运行循环失败但没有从流里抛出来
                    raise result.run_loop_exception
                # 浏览器此刻断开也要把这一轮记完整：提交不被取消打断，而且等它写完才放开会话。
                finish = asyncio.ensure_future(self._finish(turn, result, put))
                try:
                    await asyncio.shield(finish)
                except asyncio.CancelledError:
                    await finish
                    raise
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            code, text = describe_failure(exc, mcp_failed=bool(mcp_server and mcp_server.failed))
            put(error_event(code, text))

    async def _finish(self, turn: Turn, result: RunResultStreaming, put: Any) -> None:
        agent_name = result.last_agent.name
        if result.interruptions:
            put(await self._pause(turn, result))
            return
        items = result.to_input_list()[turn.base_len:]
        await self.store.commit_turn(turn.session_id, items, agent_name)
        if turn.approval:
            await self.store.drop_approval(turn.approval.approval_id)
        usage = result.context_wrapper.usage
        put(sse("run_completed", {
            "final_output": jsonable_encoder(result.final_output),  # 文本；有 output_type 时是对象
            "agent": display_name(agent_name),
            "usage": {"requests": usage.requests, "input_tokens": usage.input_tokens,
                      "output_tokens": usage.output_tokens, "total_tokens": usage.total_tokens},
        }))

    async def _pause(self, turn: Turn, result: RunResultStreaming) -> ServerSentEvent:
        """有工具等审批：把 RunState 存起来，告诉页面。这一轮的历史等审批后整轮完成再写。"""
        first = result.interruptions[0]
        arguments = getattr(first.raw_item, "arguments", None) or "{}"
        tool_name = first.tool_name or "tool"
        approval = PendingApproval(
            approval_id=uuid.uuid4().hex,
            session_id=turn.session_id,
            tool_name=tool_name,
            arguments=arguments,
            agent=display_name(first.agent.name if first.agent else None),
            message=self._approval_message(tool_name, arguments),
            query=turn.query,
            start_agent=turn.start_agent,
            base_len=turn.base_len,
            call_ids=[getattr(i.raw_item, "call_id", "") for i in result.interruptions],
        )
        await self.store.save_approval(approval, result.to_state().to_json(),
                                       replaces=turn.approval.approval_id if turn.approval else None)
        return sse("approval_required", approval.public())

    def _approval_message(self, tool_name: str, arguments: str) -> str:
        try:
            args = json.loads(arguments)
        except ValueError:
            args = {}
        if tool_name == "request_refund":
            check = self.shop.refund_eligibility(str(args.get("order_id", "")),
                                                 self.settings.refund_window_days)
            amount = check.get("refundable_amount")
            if amount is not None:
                return (f"订单 {check['order_id']} 申请退款 {amount:g} 元（原因：{args.get('reason', '未说明')}），"
                        f"超过 {self.settings.refund_approval_threshold:g} 元的审批门槛，需要人工批准后才会执行。")
        return f"{tool_name} 需要人工确认后才会执行。"

    def stop_soon(self) -> None:
        """Ctrl+C 时由 app.py 调用（可以在信号处理函数里调）：进行中的轮次带着 error 事件结束，
        uvicorn 就不必等满优雅关闭的超时。"""
        self._loop.call_soon_threadsafe(self._cancel_runs)

    def _cancel_runs(self) -> None:
        self.stopping = True
        for task in list(self.active_runs):
            task.cancel()

    async def shutdown(self) -> None:
        """lifespan 结束时：还有没停下的轮次就取消掉，最多等 3 秒。"""
        self._cancel_runs()
        if self.active_runs:
            await asyncio.wait(list(self.active_runs), timeout=3)


async def _stop(result: RunResultStreaming) -> None:
    """停掉 SDK 的后台运行循环，并等它真正结束（最多 1 秒）。"""
    task = result.run_loop_task
    if task is None or task.done():
        return
    result.cancel()
    await asyncio.wait({task}, timeout=1)
