"""人工审批：客服主管在后台决定，服务器自己接着运行，结果写回对话、推给顾客的页面。

    顾客：订单 A1003 申请退款 ──▶ request_refund 需要审批 ──▶ 运行暂停（chat.py 的 _pause）
        业务服务：开审批单（pending）       会话存储：RunState JSON      顾客页面：“已提交主管审核”
    主管：/console 点“批准” ──▶ POST /api/staff/approvals/{id} ──▶ decide()
        业务服务：pending → approved（只能变一次：两位主管同时点，只有一位成功，另一位 409）
    任何一个 worker 的 _loop()：claim_resume 占下这次暂停（带租约）──▶ _resume()
        会话锁 → RunState.from_json → approve / reject → Runner 接着跑 → 写历史 → finish_resume
        事件经会话存储的更新通道（Redis pub/sub 或 SQLite 表）推给正在看这个会话的页面

“恰好一次”靠三样东西：
1. 决定是业务库里的一次原子状态变化（`UPDATE … WHERE status = 'pending'`）；
2. 接着运行由租约保护：同一时间只有一个 worker 在跑它；那个 worker 死了，租约过期
   （ITS_RESUME_LEASE）后别的 worker 接手重跑；
3. 重跑是安全的：被批准的工具调用带幂等键（同一张退款单），历史提交前先记“提交意图”
   （见 chat.py 的 _commit），写过就不再写。

审批期间这个会话不接受新问题（`approval_pending`）：暂停的那一轮还没写进历史，这时插进别的问答，
历史的顺序就乱了。顾客可以开“新对话”问别的；审批结果照样会写回原来的会话。
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any

from its_service.business import DECISIONS, Business
from its_service.chat import ChatService, Turn
from its_service.errors import ApiError, describe_failure
from its_service.events import Event
from its_service.sessions import render_messages
from its_service.settings import ServiceSettings
from its_service.store import ConversationStore

log = logging.getLogger("its_service.approvals")
LABELS = {"approved": "批准", "rejected": "拒绝"}


class ApprovalService:
    def __init__(self, settings: ServiceSettings, store: ConversationStore, business: Business,
                 chat: ChatService, worker_id: str) -> None:
        self.settings = settings
        self.store = store
        self.business = business
        self.chat = chat
        self.worker_id = worker_id
        self.wake = asyncio.Event()
        self.running: dict[str, asyncio.Task[None]] = {}   # 本 worker 正在接着运行的暂停
        self._slots = asyncio.Semaphore(8)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop(), name="resume-loop"),
                       asyncio.create_task(self._renew_leases(), name="lease-heartbeat")]

    async def stop(self) -> None:
        for task in [*self._tasks, *self.running.values()]:
            task.cancel()
        await asyncio.gather(*self._tasks, *self.running.values(), return_exceptions=True)

    def status(self) -> dict[str, Any]:
        """/healthz：本 worker 正在接着运行的暂停数。"""
        return {"resuming": len(self.running)}

    # ------------------------------------------------------------ 后台看到的列表

    async def list(self, status: str = "pending") -> list[dict[str, Any]]:
        """审批单（业务库）+ 到目前为止的对话（会话存储），给 /console 显示。"""
        approvals = await self.business.call("list_approvals", status=status, limit=100)

        async def with_conversation(approval: dict[str, Any]) -> dict[str, Any]:
            items = await self.store.history(approval["session_id"])
            messages = render_messages(items)
            if approval["status"] == "pending" or not approval.get("applied_at"):
                messages.append({"role": "user", "text": approval["request"], "pending": True})
            return {**approval, "conversation": messages}

        return list(await asyncio.gather(*(with_conversation(a) for a in approvals)))

    # ------------------------------------------------------------ 主管的决定

    async def decide(self, approval_id: str, decision: str, staff: str, note: str) -> dict[str, Any]:
        if decision not in DECISIONS:
            raise ApiError(422, "bad_decision")
        outcome = await self.business.call("decide_approval", approval_id=approval_id,
                                           decision=decision, staff=staff, note=note)
        if not outcome.get("ok"):
            error = outcome.get("error")
            if error == "not_found":
                raise ApiError(404, "approval_not_found")
            current = outcome.get("approval") or {}
            # 网络重试时第一次其实已经成功了：同一个人、同样的决定，当作成功
            if not (current.get("decided_by") == staff and current.get("status") == DECISIONS[decision]):
                raise ApiError(409, "approval_decided", extra={"approval": current},
                               text=f"这条审批已经在 {shown_time(current.get('decided_at'))} 由 {current.get('decided_by')} "
                                    f"{LABELS.get(current.get('status'), '处理')}了。")
            outcome["approval"] = current
        approval = outcome["approval"]
        log.info("审批 %s：%s %s（%s）", approval_id, staff, LABELS[approval["status"]], note or "无备注")
        self.wake.set()  # 本 worker 立刻去接着运行（别的 worker 也会在下次轮询时看到）
        return {"approval_id": approval_id, "session_id": approval["session_id"],
                "decision": decision, "status": approval["status"],
                "decided_by": approval["decided_by"], "decided_at": approval["decided_at"],
                "note": approval["note"], "resume": "scheduled"}

    # ------------------------------------------------------------ 接着运行：谁占到谁跑

    async def _loop(self) -> None:
        failing = False
        while True:
            try:
                while len(self.running) < 8:
                    claim = await self.business.call("claim_resume", worker=self.worker_id,
                                                     lease_seconds=self.settings.resume_lease)
                    if not claim.get("pause_id"):
                        break
                    task = asyncio.create_task(self._resume(claim), name=f"resume:{claim['pause_id']}")
                    self.running[claim["pause_id"]] = task
                    task.add_done_callback(lambda _t, pid=claim["pause_id"]: self.running.pop(pid, None))
                failing = False
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # 业务服务暂时不可用：下次再看（同一段故障只记一次日志）
                if not failing:
                    log.warning("查询待继续的审批失败：%s", exc)
                failing = True
            self.wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.settings.resume_poll)

    async def _renew_leases(self) -> None:
        while True:
            await asyncio.sleep(self.settings.resume_lease / 3)
            for pause_id in list(self.running):
                with contextlib.suppress(Exception):
                    await self.business.call("renew_resume", pause_id=pause_id, worker=self.worker_id,
                                             lease_seconds=self.settings.resume_lease)

    async def _resume(self, claim: dict[str, Any]) -> None:
        pause_id = claim["pause_id"]
        approvals = claim["approvals"]
        session_id = approvals[0]["session_id"]
        found = await self.store.load_pause(pause_id)
        if found is None:  # 会话已被清空，或者上一个 worker 已经写完、只差登记
            await self._finish(pause_id, "completed")
            return
        pause, state = found
        owner = await self.chat.claim(session_id)
        if owner is None:  # 会话正忙（顾客刚好在发消息）：一秒后再试，不算一次尝试
            await self.business.call("release_resume", pause_id=pause_id, worker=self.worker_id,
                                     retry_in=1.0, count_attempt=False)
            return
        publish = Publisher(self.store, session_id)
        try:
            by_id = {a["approval_id"]: a for a in approvals}
            decisions: dict[str, tuple[str, str]] = {}
            for item in pause.approvals:
                decided = by_id.get(item["approval_id"], {})
                decisions[item["call_id"]] = (decided.get("status", "rejected"), decided.get("note") or "")
                publish.event("approval_decided", {
                    "approval_id": item["approval_id"], "decision": decided.get("status"),
                    "note": decided.get("note") or "", "decided_at": decided.get("decided_at")})
            turn = Turn(session_id, pause.customer_id, pause.query, pause.start_agent, pause.base_len,
                        pause=pause, state=state, decisions=decisions)
            try:
                outcome = await self.chat.resume(turn, owner, publish.put)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                await self._failed(claim, pause, exc, publish)
                return
            await self._finish(pause_id, outcome)
        finally:
            await publish.flush()
            with contextlib.suppress(Exception):
                await asyncio.shield(self.chat.release(session_id, owner))

    async def _finish(self, pause_id: str, outcome: str) -> None:
        await self.business.call("finish_resume", pause_id=pause_id, worker=self.worker_id,
                                 outcome=outcome)

    async def _failed(self, claim: dict[str, Any], pause: Any, exc: BaseException,
                      publish: Publisher) -> None:
        """接着运行失败（模型报错、业务服务不可用）：过一会儿重试；试满 ITS_RESUME_ATTEMPTS 次就放弃，
        把主管的决定写进对话，告诉顾客后续没能自动完成。"""
        attempts = claim.get("attempts", 1)
        code, text = (describe_failure(exc) if not isinstance(exc, asyncio.TimeoutError)
                      else ("timeout", "处理超时"))
        if attempts < self.settings.resume_attempts:
            retry_in = min(60.0, 2.0 ** attempts)
            log.warning("审批后继续运行失败（第 %d 次，%s），%.0f 秒后重试", attempts, code, retry_in)
            await self.business.call("release_resume", pause_id=claim["pause_id"],
                                     worker=self.worker_id, retry_in=retry_in)
            publish.event("notice", {"message": f"主管已处理您的申请，系统正在继续处理（{text}），请稍候。"})
            return
        log.error("审批后继续运行失败 %d 次，放弃：%s", attempts, code)
        lines = []
        for approval in claim["approvals"]:
            note = f"（备注：{approval['note']}）" if approval.get("note") else ""
            lines.append(f"客服主管已{LABELS.get(approval['status'], '处理')}：{approval['message']}{note}")
        answer = "\n".join(lines) + "\n系统没能自动完成后续处理，人工客服会跟进，如有疑问请联系人工客服。"
        items = [{"role": "user", "content": pause.query},
                 {"role": "assistant", "content": answer}]
        length = len(await self.store.history(pause.session_id))
        if length <= await self.store.commit_intent(pause.pause_id, length):
            await self.store.commit_turn(pause.session_id, items, pause.start_agent)
        await self.store.drop_pause(pause.pause_id)
        publish.event("run_completed", {"final_output": answer, "agent": "系统", "usage": {}})
        await self._finish(claim["pause_id"], "gave_up")


def shown_time(iso: str | None) -> str:
    """句子里的时间：业务服务给的是 ISO 8601（UTC），写成“2026-12-02 02:00 UTC”。"""
    try:
        return f"{datetime.fromisoformat(iso or ''):%Y-%m-%d %H:%M} UTC"
    except ValueError:
        return iso or "（未知时间）"


class Publisher:
    """把接着运行产生的 SSE 事件按顺序发到会话的更新通道（运行代码同步调用 put，这里排队异步发送）。"""

    def __init__(self, store: ConversationStore, session_id: str) -> None:
        self.store = store
        self.session_id = session_id
        self.queue: asyncio.Queue[tuple[str, dict[str, Any]] | None] = asyncio.Queue()
        self.task = asyncio.create_task(self._send())

    def put(self, event: Event) -> None:
        self.queue.put_nowait((event.name, event.data))

    def event(self, name: str, data: dict[str, Any]) -> None:
        self.queue.put_nowait((name, data))

    async def _send(self) -> None:
        while (item := await self.queue.get()) is not None:
            try:
                await self.store.publish(self.session_id, *item)
            except Exception as exc:  # 页面没收到也不要紧：刷新时从历史里恢复
                log.warning("推送更新失败：%s", exc)

    async def flush(self) -> None:
        self.queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(self.task), 5)
