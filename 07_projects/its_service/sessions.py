"""会话状态：对话历史、每个会话最后回答的 Agent、暂停等审批的运行、会话锁、给页面的更新通道。

worker 自己不记任何会话状态——全部放在一个“会话存储”里，由配置决定放哪儿：

| 存储 | 什么时候 | 历史 | 锁 | 更新通道 |
|---|---|---|---|---|
| `SqliteStore`（store_sqlite.py） | 默认（Quickstart 什么都不用装） | SDK 的 `SQLiteSession` | 表里的一行 + 过期时间 | 表里追加一行，订阅方轮询 |
| `RedisStore`（store_redis.py） | 设置了 `ITS_REDIS_URL` | SDK 的 `RedisSession` | `SET NX PX`（带 TTL） | Redis pub/sub |

两种存储对 chat.py 和 approvals.py 提供同一组方法（`ConversationStore`）。同一台机器上几个 worker
可以共用 SQLite 文件；跨机器就用 Redis。

为什么不把 session 直接交给 Runner（`Runner.run_streamed(..., session=...)`）：那样 SDK 会在运行
过程中边跑边写历史，模型中途报错、worker 被杀时，历史里就留下半轮对话。这里改为“整轮成功才提交”：
运行时把历史读出来和新消息拼成输入，运行成功后一次性 `add_items()` 写入这一轮的新条目。

会话锁带过期时间（`ITS_LOCK_TTL`）：持有它的 worker 每隔 TTL/3 续一次；worker 死了就没人续，
到期后别的 worker 可以接着处理这个会话。

**会话属于某位顾客**：会话 id 由服务器发（`new_session_id()`，`secrets.token_urlsafe`，猜不到），
创建时记下主人（`create(会话, 顾客)`）；之后每个会话接口都先核对 `owner(会话) == 登录的顾客`，
不是就当作不存在（404，不泄露这个会话在不在）。客户端自己编的 id（`1`、`test`、`admin`）不会被接受。

**刷新后和实时看到的一样**（`transcript()` / `render_messages()`）：历史里的条目按顺序画成
用户消息、转接（handoff）、工具标签（结果是干净的 JSON）、审批卡片（带主管的决定）、护栏拦截、回答；
还在等审批的那一轮（还没写进历史）从暂停记录里补上。
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass, field
from typing import Any

from its_service.agents import TRIAGE, display_name
from its_service.events import tool_result_text

SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
USAGE_KEYS = ("requests", "input_tokens", "output_tokens", "total_tokens")


def new_session_id() -> str:
    """服务器发的会话 id：192 位随机数（32 个 URL 安全字符），猜不到，也不会撞。"""
    return secrets.token_urlsafe(24)


def valid_session_id(value: str | None) -> bool:
    # fullmatch：`re.match(r"^...$")` 会放过结尾的换行（`$` 可以匹配换行之前的位置）
    return bool(value) and SESSION_ID.fullmatch(value or "") is not None


@dataclass
class Pause:
    """一次暂停：运行停在一个或几个要审批的工具调用上。RunState 单独存。

    `approvals` 每项是审批单的公开信息（approval_id、tool_name、arguments、agent、message、
    order_id、amount、call_id），页面和后台都用它显示“要做什么”。"""

    pause_id: str
    session_id: str
    query: str          # 这一轮用户说的话（历史里还没有它：整轮完成才提交）
    start_agent: str    # 这一轮从哪个 Agent 开始（RunState.from_json 要用）
    base_len: int       # 这一轮开始时历史有多少条（完成后只提交这之后的条目）
    approvals: list[dict[str, Any]] = field(default_factory=list)
    created_at: float = 0.0
    customer_id: str = ""   # 会话的主人：接着运行时工具仍然只代表他
    items: list[Any] = field(default_factory=list)  # 暂停前这一轮已经有的条目（转接、工具调用）：刷新页面时画出来

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Pause:
        return cls(**json.loads(raw))

    def call_approvals(self) -> dict[str, str]:
        """工具调用 id → 审批单 id（放进运行上下文，request_refund 据此告诉业务服务是哪张审批单）。"""
        return {a["call_id"]: a["approval_id"] for a in self.approvals if a.get("call_id")}


def public_approval(approval: dict[str, Any]) -> dict[str, Any]:
    """`approval_required` 事件和历史接口里给顾客看的审批信息（没有内部字段）。"""
    keys = ("approval_id", "call_id", "tool_name", "arguments", "agent", "message", "order_id", "amount",
            "status", "decided_at", "note")
    return {k: approval.get(k) for k in keys if k in approval}


class ConversationStore(ABC):
    """会话存储的接口。`ttl` 是会话锁的过期时间（秒）。"""

    ttl: float

    async def start(self) -> None:  # noqa: B027 —— 有的存储不需要
        """建表 / 连接。"""

    async def close(self) -> None:  # noqa: B027
        """断开连接。"""

    @property
    @abstractmethod
    def kind(self) -> str: ...

    # -------------------------------------------------------- 会话锁（同一会话同一时间只跑一轮）

    @abstractmethod
    async def claim(self, session_id: str, owner: str) -> bool:
        """占用会话；别人占着（且没过期）返回 False。"""

    @abstractmethod
    async def renew(self, session_id: str, owner: str) -> bool:
        """续期；锁已经不是自己的（过期后被别人占了）返回 False。"""

    @abstractmethod
    async def release(self, session_id: str, owner: str) -> None:
        """放开（只放自己的锁）。"""

    async def renew_many(self, locks: list[tuple[str, str]]) -> list[bool]:
        """一次续很多把锁（心跳用）：逐个 await 的话，几百把锁在忙碌的事件循环里排队，续到后面的早过期了。"""
        return list(await asyncio.gather(*(self.renew(s, o) for s, o in locks)))

    # -------------------------------------------------------- 会话与历史

    @abstractmethod
    async def create(self, session_id: str, customer_id: str) -> None:
        """登记一个新会话和它的主人。"""

    @abstractmethod
    async def owner(self, session_id: str) -> str | None:
        """会话的主人（顾客编号）；会话不存在返回 None。"""

    @abstractmethod
    async def load_turn(self, session_id: str) -> tuple[bool, str | None, list[Any]]:
        """一轮开始时要的全部东西：(有没有暂停中的运行, 最后回答的 Agent, 历史)。"""

    @abstractmethod
    async def history(self, session_id: str) -> list[Any]: ...

    @abstractmethod
    async def last_agent(self, session_id: str) -> str | None: ...

    @abstractmethod
    async def commit_turn(self, session_id: str, items: list[Any], last_agent: str,
                          usage: dict[str, int] | None = None) -> None:
        """一轮成功后才调用：一次写入这一轮的新条目，记下最后回答的 Agent，累加这段对话用掉的 token。"""

    @abstractmethod
    async def usage(self, session_id: str) -> dict[str, int]:
        """这段对话到目前为止用掉的 token（Agent + 护栏）。"""

    @abstractmethod
    async def add_note(self, session_id: str, note: dict[str, Any]) -> None:
        """给历史里的某一条加个说明（现在只有一种：护栏拦截，`{"position": 第几条, "kind": "guardrail", ...}`）。"""

    @abstractmethod
    async def notes(self, session_id: str) -> list[dict[str, Any]]: ...

    @abstractmethod
    async def delete(self, session_id: str) -> None: ...

    # -------------------------------------------------------- 暂停中的运行

    @abstractmethod
    async def save_pause(self, pause: Pause, state: dict[str, Any],
                         replaces: str | None = None) -> None: ...

    @abstractmethod
    async def pauses(self, session_id: str) -> list[Pause]: ...

    @abstractmethod
    async def load_pause(self, pause_id: str) -> tuple[Pause, dict[str, Any]] | None: ...

    @abstractmethod
    async def commit_intent(self, pause_id: str, length: int) -> int:
        """记下“准备在历史长度为 length 时提交”（已经记过就不改），返回记下的值。
        接手的 worker 据此判断上一个 worker 是不是已经提交过（见 approvals.py）。"""

    @abstractmethod
    async def drop_pause(self, pause_id: str) -> None: ...

    # -------------------------------------------------------- 更新通道（跨 worker）

    @abstractmethod
    async def publish(self, session_id: str, event: str, data: dict[str, Any]) -> None:
        """把一个事件发给正在看这个会话的页面（不管它连在哪个 worker 上）。"""

    @abstractmethod
    def subscribe(self, session_id: str) -> AbstractAsyncContextManager[AsyncIterator[tuple[str, dict]]]:
        """订阅一个会话的事件：`async with store.subscribe(sid) as events: async for name, data in events`。"""

    # -------------------------------------------------------- 给页面恢复历史

    async def transcript(self, session_id: str, approvals: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """给页面恢复对话。`approvals`：这个会话的审批单（业务服务的记录，带主管的决定）。"""
        items = await self.history(session_id)
        pauses = await self.pauses(session_id)
        last = await self.last_agent(session_id)
        notes = await self.notes(session_id)
        decided = [a for a in approvals or [] if a.get("status") != "pending"]
        messages = render_messages(items, decided, notes)
        pending = []
        for p in pauses:  # 暂停中的这一轮还没写进历史：用暂停时记下的条目补上，页面才和当时一样
            shown = render_messages(p.items, p.approvals, [], agent=p.start_agent)
            if not shown or shown[0].get("role") != "user":
                shown.insert(0, {"role": "user", "text": p.query})
            messages.extend({**m, "pending": True} for m in shown)
            pending.extend(public_approval(a) for a in p.approvals)
        agent = pending[-1]["agent"] if pending else display_name(last or TRIAGE)
        return {"session_id": session_id, "agent": agent, "messages": messages,
                "pending_approvals": pending, "usage": await self.usage(session_id)}


def open_store(settings: Any) -> ConversationStore:
    """按配置选存储：设置了 ITS_REDIS_URL 用 Redis，否则用 SQLite 文件。"""
    if settings.redis_url:
        from its_service.store_redis import RedisStore

        return RedisStore(settings.redis_url, ttl=settings.lock_ttl)
    from its_service.store_sqlite import SqliteStore

    return SqliteStore(settings.conversations_db, ttl=settings.lock_ttl)


def add_usage(total: dict[str, int], more: dict[str, Any] | None) -> dict[str, int]:
    out = {k: int(total.get(k, 0) or 0) for k in USAGE_KEYS}
    for k in USAGE_KEYS:
        out[k] += int((more or {}).get(k, 0) or 0)
    return out


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def render_messages(items: list[Any], approvals: list[dict[str, Any]] | None = None,
                    notes: list[dict[str, Any]] | None = None, *, agent: str | None = None) -> list[dict[str, Any]]:
    """历史条目 → 页面要画的东西，顺序和实时看到的一样：

        user                    顾客的话
        handoff                 转接（from_agent → to_agent），在新专员的工具和回答之前
        tool                    工具标签：参数、干净的结果（和 tool_completed 事件同一个函数）、状态
        approval                审批卡片（接在那次工具调用后面），带主管的决定
        guardrail               护栏拦截（接着是那句固定的拒绝）
        assistant               回答（带 Agent）

    条目里没有“谁说的”：从 `agent`（默认前台）开始顺着历史走，遇到 handoff 的输出就换人——和运行时
    每轮从“上一轮最后的 Agent”开始是一致的。
    """
    by_call = {a["call_id"]: a for a in approvals or [] if a.get("call_id")}
    trips = {n["position"]: n for n in notes or [] if n.get("kind") == "guardrail"}
    messages: list[dict[str, Any]] = []
    calls: dict[str, dict[str, Any]] = {}
    tools: dict[str, dict[str, Any]] = {}
    current = agent or TRIAGE
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        kind, role = item.get("type"), item.get("role")
        if role == "user" and kind in (None, "message"):
            messages.append({"role": "user", "text": _content_text(item.get("content"))})
        elif role == "assistant" and kind in (None, "message"):
            text = _content_text(item.get("content"))
            trip = trips.get(position)
            if trip:
                messages.append({"role": "guardrail", **{k: v for k, v in trip.items()
                                                         if k not in ("position", "kind")}})
            if text:
                messages.append({"role": "assistant", "text": text, "agent": display_name(current)})
        elif kind == "function_call":
            call_id = item.get("call_id", "")
            calls[call_id] = item
            name = item.get("name", "")
            if name.startswith("transfer_to_"):
                continue
            entry = {"role": "tool", "tool_name": name, "call_id": call_id,
                     "arguments": item.get("arguments", "{}"), "agent": display_name(current),
                     "status": "running"}
            tools[call_id] = entry
            messages.append(entry)
            if call_id in by_call:  # 这次调用要过审批：卡片画在工具标签后面
                messages.append({"role": "approval", **public_approval(by_call[call_id])})
        elif kind == "function_call_output":
            call = calls.get(item.get("call_id", ""), {})
            name = call.get("name", "")
            output = item.get("output")
            if name.startswith("transfer_to_"):
                try:
                    target = json.loads(tool_result_text(output)).get("assistant", current)
                except (ValueError, AttributeError):
                    target = current
                if target != current:
                    messages.append({"role": "handoff", "from_agent": display_name(current),
                                     "to_agent": display_name(target)})
                current = target
                continue
            entry = tools.get(item.get("call_id", ""))
            if entry is not None:
                approval = by_call.get(entry["call_id"])
                entry["tool_result"] = tool_result_text(output)
                entry["status"] = "rejected" if approval and approval.get("status") == "rejected" else "done"
    return messages
