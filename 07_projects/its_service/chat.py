"""一轮对话怎么跑：校验 → 核对会话的主人 → 占用会话（带过期的锁）→ 读历史 → `Runner.run_streamed`
→ 事件 → 提交、暂停或护栏拦下。

    chat()                     路由调用的异步生成器，产出 SSE 事件（事件本身在 events.py 生成）
      └─ 后台任务 _supervise()  真正跑 Agent 的地方；事件通过队列交给上面的生成器
           └─ execute()        Runner、提交历史 / 暂停等审批 / 护栏拦下（审批之后的继续运行也走这里，见 approvals.py）

顾客身份：路由（routes/chat.py）从登录 cookie 认出顾客，交给 `chat(customer, ...)`；会话不是他的就当不存在。
这一轮的运行上下文（context.py 的 `RunContext`）带着他的编号，工具只代表他去业务服务办事。

护栏（guardrails.py）：输入护栏和 Agent 并行跑，放行前 Agent 的事件先攒着（events.py 的 `Holdback`）；
拦下时（SDK 抛 `InputGuardrailTripwireTriggered` / `OutputGuardrailTripwireTriggered`）`_refuse()`
发出固定的拒绝回答，只把“顾客的话 + 这句拒绝”写进历史，并记一条说明（哪个护栏、为什么），刷新后照样显示。

为什么 Agent 跑在单独的任务里，而不是直接在生成器里 `async for`：
- 浏览器关掉页面时，生成器在 `queue.get()` 处收到取消，finally 里取消后台任务，后台任务再
  `result.cancel()` 停掉 SDK 的运行循环——一秒内什么都不剩（/healthz 的 active_runs 归零）。
- 整轮的超时（ITS_RUN_TIMEOUT）用 `asyncio.wait_for` 套在后台任务外面，简单可靠。

这个 worker 自己不记任何会话状态：历史、最后的 Agent、暂停的运行、会话锁都在会话存储里
（store.py 的接口：SQLite 或 Redis），所以下一轮可以落在任何一个 worker 上。团队（Agent）和到业务服务的
MCP 长连接是每个 worker 启动时建一次、所有对话共用的。

失败时（模型 401/429/500/超时/断流、业务服务不可用）：发一个 `error` 事件，历史里什么都不写，
服务照常接下一个请求。
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from agents import (
    InputGuardrailTripwireTriggered,
    OutputGuardrailTripwireTriggered,
    Runner,
    RunResultStreaming,
    RunState,
)
from fastapi.encoders import jsonable_encoder

from its_service.admission import Admission
from its_service.agents import TRIAGE, Team, display_name
from its_service.business import AGENT_TOOLS, Business
from its_service.context import RunContext, Verdict
from its_service.errors import ApiError, describe_failure, message
from its_service.events import TERMINAL, Event, EventMapper, Holdback, coalesce, error_event, sse
from its_service.guardrails import refusal
from its_service.sessions import new_session_id, transcript, valid_session_id
from its_service.settings import ServiceSettings
from its_service.store import USAGE_KEYS, ConversationStore, Pause, add_usage, public_approval

log = logging.getLogger("its_service")
_END = object()  # 队列结束标记
REJECTION_MESSAGE = "客服主管审核后拒绝了这次操作，没有执行。{note}请如实告诉用户，并说明可以联系人工客服。"
Put = Callable[[Event], None]


@dataclass
class Turn:
    """一轮运行需要的全部信息；新提问和审批后的继续运行共用。"""

    session_id: str
    customer_id: str
    query: str
    start_agent: str
    base_len: int
    history: list[Any] = field(default_factory=list)
    pause: Pause | None = None                # 继续运行时：哪一次暂停
    state: dict[str, Any] | None = None       # 继续运行时：RunState.to_json()
    decisions: dict[str, tuple[str, str]] = field(default_factory=dict)  # 调用 id → (approved|rejected, 备注)


def query_problem(text: str, limit: int) -> tuple[str, str] | None:
    """用户消息的问题 → (错误码, 说明)；没问题返回 None。"""
    if not text:
        return "empty_query", message("empty_query")
    if len(text) > limit:
        return "query_too_long", message("query_too_long", limit=limit)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # JSON 里的 "\ud800"：单独的代理字符，不是合法的文字
        return "bad_request", message("bad_request", detail="消息里有无法识别的字符")
    return None


class ChatService:
    def __init__(self, settings: ServiceSettings, store: ConversationStore, business: Business,
                 team: Team, worker_id: str) -> None:
        self.settings = settings
        self.store = store
        self.business = business
        self.team = team
        self.worker_id = worker_id
        self.active_runs: set[asyncio.Task[Any]] = set()
        # 拿到名额才开始跑 Agent，名额随事件循环的忙闲增减，上限 ITS_MAX_RUNNING（admission.py）
        self.admission = Admission(settings.max_running)
        self.locks: dict[str, str] = {}          # 本 worker 持有的会话锁：会话 → 持有者
        self.lock_tasks: dict[str, asyncio.Task[Any]] = {}  # 持有者 → 拿着这把锁在跑的任务
        self.lost: set[str] = set()  # 锁已失效、被停掉的那些轮（持有者）
        self.stopping = False
        self._loop = asyncio.get_running_loop()  # 在 lifespan 里创建：就是服务的事件循环
        self._heartbeat: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._heartbeat = asyncio.create_task(self._renew_locks(), name="lock-heartbeat")

    def run_context(self, turn: Turn) -> RunContext:
        """运行上下文：会话 id（幂等键）、会话的主人（工具只代表他）、这一轮的话（输出护栏用）、
        “调用 id → 审批单”（审批后接着运行时）。"""
        return RunContext(turn.session_id, turn.customer_id, turn.query,
                          approvals=turn.pause.call_approvals() if turn.pause is not None else {})

    # ------------------------------------------------------------ 会话锁

    async def claim(self, session_id: str) -> str | None:
        owner = f"{self.worker_id}:{uuid.uuid4().hex[:8]}"
        if not await self.store.claim(session_id, owner):
            return None
        self.locks[session_id] = owner
        return owner

    async def release(self, session_id: str, owner: str) -> None:
        if self.locks.get(session_id) == owner:
            del self.locks[session_id]
        self.lock_tasks.pop(owner, None)
        try:
            await self.store.release(session_id, owner)
        except Exception as exc:  # 放不掉也不要紧：锁到 TTL 自己过期
            log.warning("放开会话 %s 的锁失败（%s），它会在 %ss 后自己过期", session_id, exc,
                        self.settings.lock_ttl)

    async def _renew_locks(self) -> None:
        """每隔 TTL/3 给本 worker 持有的锁续期（一次批量续完）。续不上（卡了太久、锁已过期被别人拿走）
        就停掉那一轮并告诉页面，免得两个 worker 同时往一个会话里写。"""
        while True:
            await asyncio.sleep(self.settings.lock_ttl / 3)
            held = list(self.locks.items())
            try:
                renewed = await self.store.renew_many(held)
            except Exception as exc:  # 存储暂时连不上：下次再试，锁还有 2/3 的时间
                log.warning("会话锁续期失败：%s", exc)
                continue
            for (session_id, owner), ok in zip(held, renewed, strict=True):
                if ok or self.locks.get(session_id) != owner:  # 续上了，或这一轮刚好结束、放开了锁
                    continue
                log.warning("会话 %s 的锁已经失效，停止这一轮", session_id)
                task = self.lock_tasks.get(owner)
                if task is not None:
                    self.lost.add(owner)
                    task.cancel()

    # ------------------------------------------------------------ 给路由的：会话（routes/sessions.py、routes/team.py、/healthz）

    async def owns(self, session_id: str, customer_id: str) -> bool:
        """这个会话存在、而且是这位顾客的。"""
        return valid_session_id(session_id) and await self.store.owner(session_id) == customer_id

    async def new_session(self, customer_id: str) -> str:
        session_id = new_session_id()
        await self.store.create(session_id, customer_id)
        return session_id

    async def transcript(self, session_id: str) -> dict[str, Any]:
        """页面刷新后重画对话要的全部东西（sessions.py 的 transcript，加上业务服务里的审批结果）。"""
        try:
            approvals = await self.business.call("list_approvals", status="all", session_id=session_id, limit=500)
        except Exception as exc:  # 业务服务暂时不可用：历史照样给，只是已决定的审批卡片画不出来
            log.warning("读取会话 %s 的审批记录失败：%s", session_id, exc)
            approvals = []
        return await transcript(self.store, session_id, approvals)

    async def pending(self, session_id: str) -> list[dict[str, Any]]:
        """还在等主管决定的审批（给顾客看的字段）。"""
        return [public_approval(a) for p in await self.store.pauses(session_id) for a in p.approvals]

    async def updates(self, session_id: str) -> AsyncIterator[Event]:
        """审批结果推送：session → approval_decided → 接着运行的事件 → 结束事件；没有待审批的运行时 session → idle。"""
        yield sse("session", {"session_id": session_id})
        async with self.store.subscribe(session_id) as events:
            # 先订阅、再看还有没有暂停的运行：这之间发生的事件不会漏掉
            if not await self.store.pauses(session_id):
                yield sse("idle", {})
                return
            async for name, data in events:
                yield sse(name, data)
                if name in TERMINAL:
                    return

    async def delete_session(self, session_id: str) -> None:
        """删掉历史和会话本身；正在回答时 409 session_busy，有申请在等主管审核时 409 approval_pending。"""
        owner = await self.claim(session_id)
        if owner is None:
            raise ApiError(409, "session_busy")
        try:
            if await self.store.pauses(session_id):
                raise ApiError(409, "approval_pending")
            await self.store.delete(session_id)
        finally:
            await self.release(session_id, owner)

    def describe_team(self) -> dict[str, Any]:
        return self.team.describe(list(AGENT_TOOLS))

    def status(self) -> dict[str, Any]:
        """/healthz 里这个 worker 的运行情况。"""
        return {"store": self.store.kind,
                "active_runs": len(self.active_runs),  # 正在跑的 + 排队等名额的
                "running_runs": self.admission.running, "queued_runs": self.admission.queued,
                "loop_lag_ms": round(self.admission.lag * 1000, 1)}

    # ------------------------------------------------------------ 入口：新提问

    async def chat(self, customer_id: str, query: str | None, session_id: str | None) -> AsyncIterator[Event]:
        """`customer_id`：登录的顾客（路由已验证 cookie）。`session_id` 不给就新开一个会话；给了就必须是
        他自己的会话（服务器发的 id、创建时绑定了他），否则 `session_not_found`——和会话不存在一样。"""
        text = (query or "").strip()
        if session_id is not None and not valid_session_id(session_id):
            yield error_event("bad_session_id", message("bad_session_id"))
            return
        problem = query_problem(text, self.settings.max_query_chars)
        if problem:
            yield error_event(*problem)
            return

        try:
            if session_id is None:
                # 新会话：id 是本地生成的随机数，先告诉页面“收到了、会话是这个”，再写进存储——
                # 第一个事件不必等任何一次存储往返（很多人同时开始对话时，这几毫秒会排成几百毫秒）。
                # 写失败时这条流接着发 store_unavailable，这个 id 之后也查不到（session_not_found）。
                sid = new_session_id()
                yield sse("session", {"session_id": sid})
                await self.store.create(sid, customer_id)
            elif await self.store.owner(session_id) == customer_id:
                sid = session_id
                yield sse("session", {"session_id": sid})
            else:
                yield error_event("session_not_found", message("session_not_found"))
                return
        except Exception as exc:
            log.warning("会话存储不可用：%s", exc)
            yield error_event("store_unavailable", message("store_unavailable"))
            return
        try:
            owner = await self.claim(sid)
        except Exception as exc:
            log.warning("会话存储不可用：%s", exc)
            yield error_event("store_unavailable", message("store_unavailable"))
            return
        if owner is None:
            yield error_event("session_busy", message("session_busy"))
            return
        turn = None
        try:
            if session_id is None:  # 刚建的会话：没有历史、没有暂停，不用再读一次存储
                turn = Turn(sid, customer_id, text, TRIAGE, 0, history=[])
            else:
                paused, last, history = await self.store.load_turn(sid)
                if paused:
                    yield error_event("approval_pending", message("approval_pending"))
                    return
                turn = Turn(sid, customer_id, text, last or TRIAGE, len(history), history=history)
        except Exception as exc:
            log.warning("会话存储不可用：%s", exc)
            yield error_event("store_unavailable", message("store_unavailable"))
            return
        finally:
            if turn is None:  # 没开始运行就结束了：在这里放开会话
                await self.release(sid, owner)
        async with contextlib.aclosing(self._stream(turn, owner)) as events:
            async for event in events:
                yield event

    # ------------------------------------------------------------ 后台任务 + 队列

    async def _stream(self, turn: Turn, owner: str) -> AsyncIterator[Event]:
        """启动后台任务，把它放进队列的事件一个个交出去。会话锁由后台任务结束时释放：
        这样即使浏览器先断开，下一轮也要等这一轮彻底收尾（包括正在写的历史）才能开始。"""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        started = asyncio.Event()
        task = asyncio.create_task(self._supervise(turn, owner, queue, started),
                                   name=f"run:{turn.session_id}")
        self.active_runs.add(task)
        self.lock_tasks[owner] = task

        def done(finished: asyncio.Task[Any]) -> None:
            self.active_runs.discard(finished)
            queue.put_nowait(_END)  # 任务还没开始就被取消时 finally 不会执行：这里保证流一定结束
            if not started.is_set():  # 同理，锁也在这里放开
                self._loop.create_task(self.release(turn.session_id, owner))

        task.add_done_callback(done)
        try:
            while True:
                batch = [await queue.get()]
                while not queue.empty():  # 一次取走已经到了的全部事件，相邻的文字增量合并
                    batch.append(queue.get_nowait())
                for event in coalesce(batch):
                    if event is _END:
                        return
                    if event.name in TERMINAL:  # 先等这一轮彻底收尾（锁已放开），再告诉页面“完了”：
                        await asyncio.wait({task})  # 否则页面马上发的下一条可能撞上还没放开的锁
                    yield event
        finally:
            if not task.done():  # 浏览器断开（或服务停止）：停掉这一轮
                task.cancel()

    async def _supervise(self, turn: Turn, owner: str, queue: asyncio.Queue[Any],
                         started: asyncio.Event) -> None:
        started.set()
        try:
            async with self.admission.slot():  # 排队的时间不算进这一轮的超时
                await asyncio.wait_for(self.execute(turn, queue.put_nowait), self.settings.run_timeout)
        except asyncio.TimeoutError:
            log.warning("会话 %s 这一轮超过 %ss，已停止", turn.session_id, self.settings.run_timeout)
            queue.put_nowait(error_event("timeout", message("run_timeout",
                                                            seconds=self.settings.run_timeout)))
        except asyncio.CancelledError:
            if self.stopping:  # 服务在停止：告诉页面为什么没答完（浏览器断开时没人听，不用发）
                queue.put_nowait(error_event("shutting_down", message("shutting_down")))
            elif owner in self.lost:
                queue.put_nowait(error_event("lock_lost", message("lock_lost")))
            raise
        except Exception as exc:
            queue.put_nowait(error_event(*describe_failure(exc)))
        finally:
            self.lost.discard(owner)
            with contextlib.suppress(Exception):
                await asyncio.shield(self.release(turn.session_id, owner))
            queue.put_nowait(_END)

    # ------------------------------------------------------------ 审批后接着运行（approvals.py 调）

    async def resume(self, turn: Turn, owner: str, put: Put) -> str:
        """接着运行一次暂停：调用方已经拿着会话锁（owner）。和新提问一样排队拿名额、有整轮超时；
        锁续不上时这个任务会被取消（和新提问一样）。返回 execute() 的结果。"""
        task = asyncio.current_task()
        if task is not None:
            self.lock_tasks[owner] = task
        async with self.admission.slot():
            return await asyncio.wait_for(self.execute(turn, put), self.settings.run_timeout)

    # ------------------------------------------------------------ 跑一轮（新提问和审批后继续共用）

    async def execute(self, turn: Turn, put: Put) -> str:
        """跑完这一轮：提交历史并发 run_completed，或者暂停并发 approval_required，或者护栏拦下、
        发固定的拒绝回答。返回 "completed" / "paused" / "refused"；失败时抛异常（调用方决定怎么报告）。"""
        mapper = EventMapper()
        agent = self.team.get(turn.start_agent)
        context = self.run_context(turn)
        hold = Holdback(put, lambda: context.cleared)
        context.report = hold.verdict
        run_input: Any
        if turn.state is not None:
            if turn.pause:  # 被审批的那些调用的结果会在这一轮里出来：先记住它们的工具名
                mapper.tool_names.update({a["call_id"]: a["tool_name"] for a in turn.pause.approvals})
            state = await RunState.from_json(agent, turn.state, context_override=context)
            for item in state.get_interruptions():
                status, note = turn.decisions.get(_call_id(item), ("rejected", ""))
                if status == "approved":
                    state.approve(item)
                else:
                    state.reject(item, rejection_message=REJECTION_MESSAGE.format(
                        note=f"主管的说明：{note}。" if note else ""))
            run_input = state
        else:
            run_input = [*turn.history, {"role": "user", "content": turn.query}]
            context.expect_input_guardrails([g.get_name() for g in agent.input_guardrails])
        while True:
            result = Runner.run_streamed(
                agent, run_input, max_turns=self.settings.max_turns,
                context=None if isinstance(run_input, RunState) else context)
            try:
                async for event in result.stream_events():
                    for out in mapper.map(event):
                        hold.agent(out)
            except Exception as exc:
                # 输入护栏拦下的优先：并行时 Agent 可能已经答完、输出护栏先报了，但这句话本来就不该回答；
                # 运行也可能先以别的方式结束（等放行的工具抛了 InputBlocked），拦下的照样是输入护栏
                if context.input_trip is not None:
                    verdict = context.input_trip
                elif isinstance(exc, (InputGuardrailTripwireTriggered, OutputGuardrailTripwireTriggered)):
                    verdict = exc.guardrail_result.output.output_info
                else:
                    raise
                hold.drop()  # 放行前攒着的 Agent 事件（半句回答、工具）不发了
                await _shielded(self._refuse(turn, result, context, verdict, put))
                return "refused"
            finally:
                await _stop(result)
            if result.run_loop_exception is not None:  # 运行循环失败但没有从流里抛出来
                raise result.run_loop_exception
            if result.interruptions:
                # 开审批单；同一订单已经有人在等审批时，业务服务不让开，这些调用直接拒绝、接着跑
                resumed = await _shielded(self._pause(turn, result, put))
                if resumed is None:
                    return "paused"
                run_input = resumed
                continue
            # 浏览器此刻断开也要把这一轮记完整：提交不被取消打断，而且等它写完才放开会话。
            await _shielded(self._commit(turn, result, put))
            return "completed"

    async def _write(self, turn: Turn, items: list[Any], agent_name: str, usage: dict[str, int]) -> int | None:
        """写进历史，返回写入前的历史长度（这一轮的第一条在历史里的位置）；接手重跑时发现已经写过，返回 None。"""
        if turn.pause is None:
            await self.store.commit_turn(turn.session_id, items, agent_name, usage)
            return turn.base_len
        # 审批后继续运行：上一个处理它的 worker 可能已经写进历史、然后才死掉。先记下“准备在
        # 历史长度为 N 时提交”；接手的 worker 看到历史已经比 N 长，就知道写过了，不再写第二遍。
        # （会话有暂停的运行时不接受新提问，所以这期间历史只可能因为这次提交而变长。）
        length = len(await self.store.history(turn.session_id))
        intent = await self.store.commit_intent(turn.pause.pause_id, length)
        written = None
        if length <= intent:
            await self.store.commit_turn(turn.session_id, items, agent_name, usage)
            written = length
        await self.store.drop_pause(turn.pause.pause_id)
        return written

    async def _commit(self, turn: Turn, result: RunResultStreaming, put: Put) -> None:
        items = result.to_input_list()[turn.base_len:]
        agent_name = result.last_agent.name
        usage = turn_usage(result, result.context_wrapper.context)
        await self._write(turn, items, agent_name, add_usage(usage, usage["guardrails"]))
        put(sse("run_completed", {
            "final_output": jsonable_encoder(result.final_output),  # 文本；有 output_type 时是对象
            "agent": display_name(agent_name),
            "usage": usage,
            "conversation_usage": await self.store.usage(turn.session_id),
        }))

    async def _refuse(self, turn: Turn, result: RunResultStreaming, context: RunContext, verdict: Verdict,
                      put: Put) -> None:
        """护栏拦下：发固定的拒绝回答；历史里只写“顾客的话 + 这句拒绝”，再记一条说明（哪个护栏、为什么），
        刷新页面时拒绝前面照样显示拦截卡片。下一轮仍从这一轮开始时的 Agent 开始。"""
        answer = verdict.message or refusal(verdict.guardrail, turn.query)
        items = [{"role": "user", "content": turn.query}, {"role": "assistant", "content": answer}]
        usage = turn_usage(result, context)
        position = await self._write(turn, items, turn.start_agent, add_usage(usage, usage["guardrails"]))
        if position is not None:
            await self.store.add_note(turn.session_id, {
                "position": position + 1, "kind": "guardrail", "guardrail": verdict.guardrail,
                "title": verdict.title, "stage": verdict.stage, "reasoning": verdict.reasoning,
                "agent": display_name(verdict.agent), "message": answer})
        put(sse("text_delta", {"text": answer}))
        put(sse("run_completed", {
            "final_output": answer, "agent": display_name(turn.start_agent), "usage": usage,
            "conversation_usage": await self.store.usage(turn.session_id),
            "guardrail": verdict.guardrail,
        }))

    async def _pause(self, turn: Turn, result: RunResultStreaming, put: Put) -> RunState | None:
        """有工具等审批：在业务服务开审批单，把 RunState 存进会话存储，告诉页面“已提交审核”。
        这一轮的历史等审批后整轮完成再写。开不了审批单的调用（同一订单已在等审批）直接拒绝，
        返回拒绝后的 RunState 让运行接着跑；全部开成功则返回 None。"""
        pause_id = uuid.uuid4().hex
        opened: list[dict[str, Any]] = []
        refused: dict[str, str] = {}
        for item in result.interruptions:
            call_id = _call_id(item)
            outcome = await self.business.call(
                "open_approval", approval_id=uuid.uuid4().hex, pause_id=pause_id,
                session_id=turn.session_id, tool_name=item.tool_name or "tool",
                arguments=getattr(item.raw_item, "arguments", None) or "{}",
                agent=display_name(item.agent.name if item.agent else None), request=turn.query,
                call_id=call_id, customer_id=turn.customer_id)
            if outcome.get("created"):
                opened.append({**outcome["approval"], "call_id": call_id})
            else:
                refused[call_id] = outcome.get("reason") or "这次操作现在不能提交审批。"
        state = result.to_state()
        for item in state.get_interruptions():
            if _call_id(item) in refused:
                state.reject(item, rejection_message=refused[_call_id(item)])
        if not opened:
            return state
        pause = Pause(pause_id, turn.session_id, turn.query, turn.start_agent, turn.base_len,
                      opened, time.time(), customer_id=turn.customer_id,
                      items=result.to_input_list()[turn.base_len:])
        await self.store.save_pause(pause, state.to_json(context_serializer=RunContext.to_dict),
                                    replaces=turn.pause.pause_id if turn.pause else None)
        first = public_approval(opened[0])
        put(sse("approval_required", {**first, "approvals": [public_approval(a) for a in opened]}))
        return None

    # ------------------------------------------------------------ 停止

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
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        self.admission.stop()


def turn_usage(result: RunResultStreaming, context: Any) -> dict[str, Any]:
    """这一轮的 token：Agent 的（SDK 记在 context_wrapper.usage 里），另列护栏 Agent 的。"""
    usage = result.context_wrapper.usage
    guard = getattr(context, "guardrail_usage", None)
    return {**{k: int(getattr(usage, k, 0) or 0) for k in USAGE_KEYS},
            "guardrails": {k: int(getattr(guard, k, 0) or 0) for k in USAGE_KEYS}}


def _call_id(item: Any) -> str:
    raw = item.raw_item
    return (raw.get("call_id") if isinstance(raw, dict) else getattr(raw, "call_id", None)) or ""


async def _shielded(coro: Any) -> Any:
    """提交、暂停这些“写到一半不能停”的步骤：调用方被取消时也等它做完，再把取消传上去。"""
    task = asyncio.ensure_future(coro)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await task
        raise


async def _stop(result: RunResultStreaming) -> None:
    """停掉 SDK 的后台运行循环，并等它真正结束（最多 1 秒）。"""
    task = result.run_loop_task
    if task is None or task.done():
        return
    result.cancel()
    await asyncio.wait({task}, timeout=1)
