"""会话存储（默认）：一个 SQLite 文件，data/its_conversations.db。

- `agent_sessions` / `agent_messages`：SDK 的 `SQLiteSession` 自己的表，存模型能读的对话条目。
- `its_sessions`：每个会话的主人（顾客）、最后一位 Agent（SDK 不替你记：下一轮从哪个 Agent 开始是
  应用决定的）、到目前为止用掉的 token。
- `its_notes`：历史条目的说明（护栏拦截：哪一条回答是哪个护栏拦下后的固定回答）。
- `its_pauses`：暂停中的运行——`RunState.to_json()` 和审批信息。
- `its_locks`：会话锁，带过期时间；`INSERT … ON CONFLICT DO UPDATE … WHERE expires_at < 现在`
  一条语句完成“没人占或已过期才占”。
- `its_updates`：更新通道。发布 = 追加一行；订阅方记住读到哪一行，隔一会儿看一次有没有新行
  （同一进程里的订阅方会被立刻叫醒，不用等）。几个 worker 共用这个文件时也能互相通知。

同一台机器上的几个 worker 进程可以共用这个文件（WAL 模式）；放到几台机器上就换 Redis。
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from agents import SQLiteSession

from its_service.store import USAGE_KEYS, ConversationStore, Pause, add_usage

SCHEMA = """
CREATE TABLE IF NOT EXISTS its_sessions (
    session_id  TEXT PRIMARY KEY,
    last_agent  TEXT,
    created_at  TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    customer_id TEXT,              -- 会话的主人；上一版的库里没有（那些旧会话谁都打不开）
    usage       TEXT               -- 这段对话用掉的 token（JSON）
);
CREATE TABLE IF NOT EXISTS its_notes (
    session_id TEXT NOT NULL,
    data       TEXT NOT NULL       -- {"position": 历史里第几条, "kind": "guardrail", ...}
);
CREATE INDEX IF NOT EXISTS idx_its_notes_session ON its_notes (session_id);
CREATE TABLE IF NOT EXISTS its_pauses (
    pause_id   TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    payload    TEXT NOT NULL,      -- Pause（不含 state）
    state      TEXT NOT NULL,      -- RunState.to_json()
    intent     INTEGER,            -- 提交意图：准备在历史长度为多少时提交
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_its_pauses_session ON its_pauses (session_id);
CREATE TABLE IF NOT EXISTS its_locks (
    session_id TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS its_updates (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    event      TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_its_updates_session ON its_updates (session_id, id);
"""
POLL_SECONDS = 0.3


class SqliteStore(ConversationStore):
    kind = "sqlite"

    def __init__(self, db_path: str | Path, ttl: float = 30.0) -> None:
        self.db_path = Path(db_path)
        self.ttl = ttl
        self._local = threading.local()
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._published = 0

    # ------------------------------------------------------------ 底层

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.db_path, timeout=10, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 10000")
            self._local.conn = conn
        return conn

    def _exec(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        return self._conn().execute(sql, params)

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    def _session(self, session_id: str) -> SQLiteSession:
        return SQLiteSession(session_id, self.db_path)

    async def start(self) -> None:
        def init() -> None:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._conn()
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(SCHEMA)
            columns = {r[1] for r in conn.execute("PRAGMA table_info(its_sessions)")}
            for column in ("customer_id", "usage"):  # 上一版的会话库：就地补列
                if column not in columns:
                    conn.execute(f"ALTER TABLE its_sessions ADD COLUMN {column} TEXT")
            SQLiteSession("_init", self.db_path).close()  # 让 SQLiteSession 也先把它的表建好

        await self._run(init)

    # ------------------------------------------------------------ 会话锁

    async def claim(self, session_id: str, owner: str) -> bool:
        def claim() -> bool:
            clock = time.time()
            return self._exec(
                "INSERT INTO its_locks (session_id, owner, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT(session_id) DO UPDATE SET owner = excluded.owner,"
                " expires_at = excluded.expires_at WHERE its_locks.expires_at < ?",
                (session_id, owner, clock + self.ttl, clock),
            ).rowcount > 0

        return await self._run(claim)

    async def renew(self, session_id: str, owner: str) -> bool:
        return await self._run(lambda: self._exec(
            "UPDATE its_locks SET expires_at = ? WHERE session_id = ? AND owner = ?",
            (time.time() + self.ttl, session_id, owner)).rowcount > 0)

    async def renew_many(self, locks: list[tuple[str, str]]) -> list[bool]:
        def renew() -> list[bool]:
            expires = time.time() + self.ttl
            return [self._exec("UPDATE its_locks SET expires_at = ? WHERE session_id = ? AND owner = ?",
                               (expires, sid, owner)).rowcount > 0 for sid, owner in locks]

        return await self._run(renew)

    async def release(self, session_id: str, owner: str) -> None:
        await self._run(self._exec, "DELETE FROM its_locks WHERE session_id = ? AND owner = ?",
                        (session_id, owner))

    # ------------------------------------------------------------ 会话与历史

    async def create(self, session_id: str, customer_id: str) -> None:
        await self._run(self._exec, "INSERT INTO its_sessions (session_id, customer_id) VALUES (?, ?)",
                        (session_id, customer_id))

    async def owner(self, session_id: str) -> str | None:
        row = await self._run(lambda: self._exec(
            "SELECT customer_id FROM its_sessions WHERE session_id = ?", (session_id,)).fetchone())
        return row[0] if row and row[0] else None

    async def load_turn(self, session_id: str) -> tuple[bool, str | None, list[Any]]:
        def meta() -> tuple[bool, str | None]:
            paused = self._exec("SELECT 1 FROM its_pauses WHERE session_id = ? LIMIT 1",
                                (session_id,)).fetchone() is not None
            row = self._exec("SELECT last_agent FROM its_sessions WHERE session_id = ?",
                             (session_id,)).fetchone()
            return paused, row[0] if row else None

        paused, last = await self._run(meta)
        if paused:
            return True, last, []
        return False, last, await self.history(session_id)

    async def history(self, session_id: str) -> list[Any]:
        session = self._session(session_id)
        try:
            return await session.get_items()
        finally:
            session.close()

    async def last_agent(self, session_id: str) -> str | None:
        row = await self._run(lambda: self._exec(
            "SELECT last_agent FROM its_sessions WHERE session_id = ?", (session_id,)).fetchone())
        return row[0] if row else None

    async def commit_turn(self, session_id: str, items: list[Any], last_agent: str,
                          usage: dict[str, int] | None = None) -> None:
        session = self._session(session_id)
        try:
            await session.add_items(items)
        finally:
            session.close()

        def update() -> None:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute("SELECT usage FROM its_sessions WHERE session_id = ?", (session_id,)).fetchone()
                total = add_usage(json.loads(row[0]) if row and row[0] else {}, usage)
                conn.execute("UPDATE its_sessions SET last_agent = ?, usage = ?, updated_at = CURRENT_TIMESTAMP"
                             " WHERE session_id = ?", (last_agent, json.dumps(total), session_id))
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

        await self._run(update)

    async def usage(self, session_id: str) -> dict[str, int]:
        row = await self._run(lambda: self._exec(
            "SELECT usage FROM its_sessions WHERE session_id = ?", (session_id,)).fetchone())
        return add_usage(json.loads(row[0]) if row and row[0] else {}, None) if row else dict.fromkeys(USAGE_KEYS, 0)

    async def add_note(self, session_id: str, note: dict[str, Any]) -> None:
        await self._run(self._exec, "INSERT INTO its_notes (session_id, data) VALUES (?, ?)",
                        (session_id, json.dumps(note, ensure_ascii=False)))

    async def notes(self, session_id: str) -> list[dict[str, Any]]:
        rows = await self._run(lambda: self._exec(
            "SELECT data FROM its_notes WHERE session_id = ? ORDER BY rowid", (session_id,)).fetchall())
        return [json.loads(r[0]) for r in rows]

    async def delete(self, session_id: str) -> None:
        session = self._session(session_id)
        try:
            await session.clear_session()
        finally:
            session.close()

        def delete() -> None:
            for table in ("its_sessions", "its_pauses", "its_updates", "its_notes"):
                self._exec(f"DELETE FROM {table} WHERE session_id = ?", (session_id,))

        await self._run(delete)

    # ------------------------------------------------------------ 暂停中的运行

    async def save_pause(self, pause: Pause, state: dict[str, Any],
                         replaces: str | None = None) -> None:
        def save() -> None:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                if replaces:
                    conn.execute("DELETE FROM its_pauses WHERE pause_id = ?", (replaces,))
                conn.execute("INSERT INTO its_pauses (pause_id, session_id, payload, state, created_at)"
                             " VALUES (?, ?, ?, ?, ?)",
                             (pause.pause_id, pause.session_id, pause.to_json(),
                              json.dumps(state, ensure_ascii=False), time.time()))
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

        await self._run(save)

    async def pauses(self, session_id: str) -> list[Pause]:
        rows = await self._run(lambda: self._exec(
            "SELECT payload FROM its_pauses WHERE session_id = ? ORDER BY created_at",
            (session_id,)).fetchall())
        return [Pause.from_json(r[0]) for r in rows]

    async def load_pause(self, pause_id: str) -> tuple[Pause, dict[str, Any]] | None:
        row = await self._run(lambda: self._exec(
            "SELECT payload, state FROM its_pauses WHERE pause_id = ?", (pause_id,)).fetchone())
        return (Pause.from_json(row[0]), json.loads(row[1])) if row else None

    async def commit_intent(self, pause_id: str, length: int) -> int:
        def intent() -> int:
            self._exec("UPDATE its_pauses SET intent = ? WHERE pause_id = ? AND intent IS NULL",
                       (length, pause_id))
            row = self._exec("SELECT intent FROM its_pauses WHERE pause_id = ?", (pause_id,)).fetchone()
            return row[0] if row and row[0] is not None else length

        return await self._run(intent)

    async def drop_pause(self, pause_id: str) -> None:
        await self._run(self._exec, "DELETE FROM its_pauses WHERE pause_id = ?", (pause_id,))

    # ------------------------------------------------------------ 更新通道

    async def publish(self, session_id: str, event: str, data: dict[str, Any]) -> None:
        self._published += 1
        cleanup = self._published % 200 == 0

        def insert() -> None:
            clock = time.time()
            self._exec("INSERT INTO its_updates (session_id, event, data, created_at) VALUES (?, ?, ?, ?)",
                       (session_id, event, json.dumps(data, ensure_ascii=False), clock))
            if cleanup:  # 更新只给“正在看”的页面用，留十分钟足够
                self._exec("DELETE FROM its_updates WHERE created_at < ?", (clock - 600,))

        await self._run(insert)
        for waiter in list(self._waiters.get(session_id, ())):
            waiter.set()

    def _since(self, session_id: str, cursor: int) -> list[tuple[int, str, str]]:
        return self._exec("SELECT id, event, data FROM its_updates WHERE session_id = ? AND id > ?"
                          " ORDER BY id", (session_id, cursor)).fetchall()

    @contextlib.asynccontextmanager
    async def subscribe(self, session_id: str) -> AsyncIterator[AsyncIterator[tuple[str, dict]]]:
        wake = asyncio.Event()
        self._waiters.setdefault(session_id, set()).add(wake)
        row = await self._run(lambda: self._exec("SELECT COALESCE(MAX(id), 0) FROM its_updates").fetchone())
        cursor = row[0]

        async def events() -> AsyncIterator[tuple[str, dict]]:
            nonlocal cursor
            while True:
                rows = await self._run(self._since, session_id, cursor)
                for rid, event, data in rows:
                    cursor = rid
                    yield event, json.loads(data)
                wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(wake.wait(), POLL_SECONDS)

        try:
            yield events()
        finally:
            waiters = self._waiters.get(session_id, set())
            waiters.discard(wake)
            if not waiters:
                self._waiters.pop(session_id, None)
