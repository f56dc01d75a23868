"""会话存储的接口：chat.py 和 approvals.py 用到的全部方法（`ConversationStore`），以及暂停的记录（`Pause`）。

两种实现各在一个文件里，都只导入这个文件，这个文件不导入它们（选哪一种在 sessions.py 的 `open_store`）：

| 存储 | 什么时候 | 历史 | 锁 | 更新通道 |
|---|---|---|---|---|
| `SqliteStore`（store_sqlite.py） | 默认（Quickstart 什么都不用装） | SDK 的 `SQLiteSession` | 表里的一行 + 过期时间 | 表里追加一行，订阅方轮询 |
| `RedisStore`（store_redis.py） | 设置了 `ITS_REDIS_URL` | SDK 的 `RedisSession` | `SET NX PX`（带 TTL） | Redis pub/sub |

同一台机器上几个 worker 可以共用 SQLite 文件；跨机器就用 Redis。

会话锁带过期时间（`ITS_LOCK_TTL`）：持有它的 worker 每隔 TTL/3 续一次；worker 死了就没人续，
到期后别的 worker 可以接着处理这个会话。
"""

from __future__ import annotations

import asyncio
import json
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass, field
from typing import Any

USAGE_KEYS = ("requests", "input_tokens", "output_tokens", "total_tokens")


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


def add_usage(total: dict[str, int], more: dict[str, Any] | None) -> dict[str, int]:
    out = {k: int(total.get(k, 0) or 0) for k in USAGE_KEYS}
    for k in USAGE_KEYS:
        out[k] += int((more or {}).get(k, 0) or 0)
    return out
