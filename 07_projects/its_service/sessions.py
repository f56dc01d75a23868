"""会话存储：对话历史（SDK 的 SQLiteSession）、每个会话最后回答的 Agent、待审批的运行、会话锁。

都放在会话库（默认 data/its_conversations.db）里，服务重启后对话可以接着聊、审批可以接着批：

- `agent_sessions` / `agent_messages`：SQLiteSession 自己的表，存模型能读的对话条目。
- `its_sessions`：每个会话的最后一位 Agent（SDK 不替你记：下一轮 `Runner.run_streamed`
  传哪个 Agent 是应用自己决定的）。
- `its_approvals`：暂停中的运行——`RunState.to_json()` 的结果和页面要显示的审批信息。

为什么不把 session 直接交给 Runner（`Runner.run_streamed(..., session=...)`）：那样 SDK 会在运行
过程中边跑边写历史，模型中途报错时，历史里就留下半轮对话。这里改为“整轮成功才提交”：
运行时把历史读出来和新消息拼成输入，运行成功后一次性 `add_items()` 写入这一轮的新条目。
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agents import SQLiteSession

from its_service.agents import TRIAGE, display_name

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS its_sessions (
    session_id TEXT PRIMARY KEY,
    last_agent TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS its_approvals (
    approval_id TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL,
    payload     TEXT NOT NULL,      -- PendingApproval（不含 state）
    state       TEXT NOT NULL,      -- RunState.to_json()
    created_at  TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_its_approvals_session ON its_approvals (session_id);
"""


def valid_session_id(value: str | None) -> bool:
    return bool(value) and bool(SESSION_ID.match(value or ""))


@dataclass
class PendingApproval:
    """一次暂停：页面看到的审批信息 + 恢复运行需要的东西（state 单独存）。"""

    approval_id: str
    session_id: str
    tool_name: str
    arguments: str
    agent: str          # 发起调用的 Agent（显示名）
    message: str
    query: str          # 这一轮用户说的话（历史里还没有它：整轮完成才提交）
    start_agent: str    # 这一轮从哪个 Agent 开始（RunState.from_json 要用）
    base_len: int       # 这一轮开始时历史有多少条（完成后只提交这之后的条目）
    call_ids: list[str]

    def public(self) -> dict[str, Any]:
        return {"approval_id": self.approval_id, "tool_name": self.tool_name,
                "arguments": self.arguments, "agent": self.agent, "message": self.message}


class SessionStore:
    def __init__(self, db_path: str | Path) -> None:
        self.db_path = Path(db_path)
        self._busy: set[str] = set()

    # ------------------------------------------------------------ 底层

    def init(self) -> None:
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(SCHEMA)
        # 让 SQLiteSession 也先把它的表建好
        SQLiteSession("_init", self.db_path).close()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.db_path, timeout=5)) as conn:
            yield conn
            conn.commit()

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    @contextmanager
    def _session(self, session_id: str) -> Iterator[SQLiteSession]:
        session = SQLiteSession(session_id, self.db_path)
        try:
            yield session
        finally:
            session.close()

    # ------------------------------------------------------------ 会话锁：同一会话同一时间只跑一轮

    def claim(self, session_id: str) -> bool:
        """占用会话；已被占用返回 False。单进程、单事件循环里，这个检查-设置不会被打断。"""
        if session_id in self._busy:
            return False
        self._busy.add(session_id)
        return True

    def release(self, session_id: str) -> None:
        self._busy.discard(session_id)

    def is_busy(self, session_id: str) -> bool:
        return session_id in self._busy

    # ------------------------------------------------------------ 会话

    def _exists(self, session_id: str) -> bool:
        with self._connect() as conn:
            row = conn.execute("SELECT 1 FROM its_sessions WHERE session_id = ?", (session_id,))
            return row.fetchone() is not None

    async def exists(self, session_id: str) -> bool:
        return await self._run(self._exists, session_id)

    def _touch(self, session_id: str) -> None:
        with self._connect() as conn:
            conn.execute("INSERT OR IGNORE INTO its_sessions (session_id) VALUES (?)", (session_id,))

    async def touch(self, session_id: str) -> None:
        await self._run(self._touch, session_id)

    def _last_agent(self, session_id: str) -> str | None:
        with self._connect() as conn:
            row = conn.execute("SELECT last_agent FROM its_sessions WHERE session_id = ?",
                               (session_id,)).fetchone()
            return row[0] if row else None

    async def last_agent(self, session_id: str) -> str | None:
        return await self._run(self._last_agent, session_id)

    async def history(self, session_id: str) -> list[Any]:
        with self._session(session_id) as session:
            return await session.get_items()

    def _set_last_agent(self, session_id: str, agent: str) -> None:
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO its_sessions (session_id, last_agent) VALUES (?, ?)"
                " ON CONFLICT(session_id) DO UPDATE SET last_agent = excluded.last_agent,"
                " updated_at = CURRENT_TIMESTAMP",
                (session_id, agent),
            )

    async def commit_turn(self, session_id: str, items: list[Any], last_agent: str) -> None:
        """一轮成功后才调用：写入这一轮的新条目，记下最后回答的 Agent。"""
        with self._session(session_id) as session:
            await session.add_items(items)
        await self._run(self._set_last_agent, session_id, last_agent)

    def _delete(self, session_id: str) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM its_sessions WHERE session_id = ?", (session_id,))
            conn.execute("DELETE FROM its_approvals WHERE session_id = ?", (session_id,))

    async def delete(self, session_id: str) -> None:
        with self._session(session_id) as session:
            await session.clear_session()
        await self._run(self._delete, session_id)

    # ------------------------------------------------------------ 待审批

    def _save_approval(self, approval: PendingApproval, state: dict[str, Any],
                       replaces: str | None) -> None:
        payload = asdict(approval)
        with self._connect() as conn:
            if replaces:
                conn.execute("DELETE FROM its_approvals WHERE approval_id = ?", (replaces,))
            conn.execute(
                "INSERT INTO its_approvals (approval_id, session_id, payload, state) VALUES (?, ?, ?, ?)",
                (approval.approval_id, approval.session_id,
                 json.dumps(payload, ensure_ascii=False), json.dumps(state, ensure_ascii=False)),
            )

    async def save_approval(self, approval: PendingApproval, state: dict[str, Any],
                            replaces: str | None = None) -> None:
        await self._run(self._save_approval, approval, state, replaces)

    def _approval(self, approval_id: str) -> tuple[PendingApproval, dict[str, Any]] | None:
        with self._connect() as conn:
            row = conn.execute("SELECT payload, state FROM its_approvals WHERE approval_id = ?",
                               (approval_id,)).fetchone()
        if row is None:
            return None
        return PendingApproval(**json.loads(row[0])), json.loads(row[1])

    async def approval(self, approval_id: str) -> tuple[PendingApproval, dict[str, Any]] | None:
        return await self._run(self._approval, approval_id)

    def _pending(self, session_id: str) -> list[PendingApproval]:
        with self._connect() as conn:
            rows = conn.execute("SELECT payload FROM its_approvals WHERE session_id = ?"
                                " ORDER BY created_at", (session_id,)).fetchall()
        return [PendingApproval(**json.loads(r[0])) for r in rows]

    async def pending(self, session_id: str) -> list[PendingApproval]:
        return await self._run(self._pending, session_id)

    def _drop_approval(self, approval_id: str) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM its_approvals WHERE approval_id = ?", (approval_id,))

    async def drop_approval(self, approval_id: str) -> None:
        await self._run(self._drop_approval, approval_id)

    # ------------------------------------------------------------ 给页面恢复历史

    async def transcript(self, session_id: str) -> dict[str, Any]:
        items = await self.history(session_id)
        pending = await self.pending(session_id)
        last = await self.last_agent(session_id)
        messages = render_messages(items)
        for p in pending:  # 暂停中的这一轮还没写进历史：把用户那句话补上，页面才连贯
            messages.append({"role": "user", "text": p.query, "pending": True})
        agent = pending[-1].agent if pending else display_name(last or TRIAGE)
        return {"session_id": session_id, "agent": agent,
                "messages": messages, "pending_approvals": [p.public() for p in pending]}


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def render_messages(items: list[Any]) -> list[dict[str, Any]]:
    """SQLiteSession 里的条目 → 页面要的消息列表。

    条目里没有“谁说的”：从前台开始顺着历史走，遇到 handoff 的输出（{"assistant": 新 Agent}）
    就换人——和运行时每轮从“上一轮最后的 Agent”开始是一致的。
    """
    messages: list[dict[str, Any]] = []
    calls: dict[str, dict[str, Any]] = {}
    agent = TRIAGE
    for item in items:
        if not isinstance(item, dict):
            continue
        kind, role = item.get("type"), item.get("role")
        if role == "user" and kind in (None, "message"):
            messages.append({"role": "user", "text": _content_text(item.get("content"))})
        elif role == "assistant" and kind in (None, "message"):
            text = _content_text(item.get("content"))
            if text:
                messages.append({"role": "assistant", "text": text, "agent": display_name(agent)})
        elif kind == "function_call":
            calls[item.get("call_id", "")] = item
        elif kind == "function_call_output":
            call = calls.get(item.get("call_id", ""), {})
            name = call.get("name", "")
            output = item.get("output")
            output = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
            if name.startswith("transfer_to_"):
                try:
                    agent = json.loads(output).get("assistant", agent)
                except (ValueError, AttributeError):
                    pass
                continue
            messages.append({"role": "tool", "tool_name": name, "call_id": item.get("call_id"),
                             "arguments": call.get("arguments", "{}"), "tool_result": output})
    return messages
