"""会话存储（设置了 ITS_REDIS_URL 时）：几个 worker、几台机器共用一个 Redis。

| 键 | 类型 | 内容 |
|---|---|---|
| `its:history:<会话>:messages` 等 | SDK 的 `RedisSession` | 对话历史（`openai-agents[redis]`） |
| `its:conv:<会话>` | hash | `customer`（主人）、`last_agent`、`created_at`、用掉的 token（`requests` 等） |
| `its:notes:<会话>` | list | 历史条目的说明（护栏拦截） |
| `its:lock:<会话>` | string + TTL | 会话锁：`SET NX PX`，值是持有者；续期、释放都先核对持有者（Lua） |
| `its:pauses:<会话>` | set | 这个会话暂停中的运行 |
| `its:pause:<暂停>` | hash | `pause`（审批信息）、`state`（RunState JSON）、`intent`（提交意图） |
| 频道 `its:updates:<会话>` | pub/sub | 给正在看这个会话的页面的事件 |

锁的 TTL 是关键：worker 被 kill -9 之后没人续期，锁到期自己消失，会话不会被永远占着。
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio as redis
from agents.extensions.memory import RedisSession
from redis.driver_info import DriverInfo

from its_service.store import USAGE_KEYS, ConversationStore, Pause

PREFIX = "its"
# 只动自己的锁：值对得上才续期 / 删除（比较和操作在 Redis 里一步完成）
RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


def _decoded(value: Any) -> str | None:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class RedisStore(ConversationStore):
    kind = "redis"

    def __init__(self, url: str, ttl: float = 30.0) -> None:
        self.url = url
        self.ttl = ttl
        # 阻塞式连接池：几百个对话同时进行时，多出来的请求排队等一条空闲连接（每条命令都很快），
        # 而不是报“Too many connections”或者为每个请求新建一条连接（建连接要握手，是请求里最贵的一步）。
        # driver_info 只建一次：不给的话 redis-py 每建一条连接都去读一遍包的元数据查自己的版本号。
        info = DriverInfo()
        pool = redis.BlockingConnectionPool.from_url(url, max_connections=64, timeout=20, driver_info=info)
        self.client = redis.Redis(connection_pool=pool)
        # 锁单独一组连接：几百个对话把上面的连接都占着时，续期不能排在它们后面（续晚了锁就过期了）
        self.locks = redis.Redis(connection_pool=redis.BlockingConnectionPool.from_url(
            url, max_connections=16, timeout=20, driver_info=info))
        self._renew = self.locks.register_script(RENEW)
        self._release = self.locks.register_script(RELEASE)

    async def start(self) -> None:
        await self.client.ping()
        await self.locks.ping()

    async def close(self) -> None:
        await self.client.aclose(close_connection_pool=True)
        await self.locks.aclose(close_connection_pool=True)

    def _session(self, session_id: str) -> RedisSession:
        # 共用本存储的连接池；RedisSession 对象本身很便宜
        return RedisSession(session_id, redis_client=self.client, key_prefix=f"{PREFIX}:history")

    @staticmethod
    def _key(kind: str, ident: str) -> str:
        return f"{PREFIX}:{kind}:{ident}"

    # ------------------------------------------------------------ 会话锁

    async def claim(self, session_id: str, owner: str) -> bool:
        return bool(await self.locks.set(self._key("lock", session_id), owner, nx=True,
                                          px=int(self.ttl * 1000)))

    async def renew(self, session_id: str, owner: str) -> bool:
        return bool(await self._renew(keys=[self._key("lock", session_id)],
                                      args=[owner, int(self.ttl * 1000)]))

    async def release(self, session_id: str, owner: str) -> None:
        await self._release(keys=[self._key("lock", session_id)], args=[owner])

    async def renew_many(self, locks: list[tuple[str, str]]) -> list[bool]:
        """所有锁的续期放进一个 pipeline：一次往返。"""
        if not locks:
            return []
        async with self.locks.pipeline(transaction=False) as pipe:
            for session_id, owner in locks:
                await self._renew(keys=[self._key("lock", session_id)],
                                  args=[owner, int(self.ttl * 1000)], client=pipe)
            return [bool(r) for r in await pipe.execute()]

    # ------------------------------------------------------------ 会话与历史

    async def create(self, session_id: str, customer_id: str) -> None:
        await self.client.hset(self._key("conv", session_id),
                               mapping={"customer": customer_id, "created_at": time.time()})

    async def owner(self, session_id: str) -> str | None:
        return _decoded(await self.client.hget(self._key("conv", session_id), "customer"))

    async def load_turn(self, session_id: str) -> tuple[bool, str | None, list[Any]]:
        conv = self._key("conv", session_id)
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.hget(conv, "last_agent")
            pipe.scard(self._key("pauses", session_id))
            last, paused = await pipe.execute()
        if paused:
            return True, _decoded(last), []
        return False, _decoded(last), await self.history(session_id)

    async def history(self, session_id: str) -> list[Any]:
        return await self._session(session_id).get_items()

    async def last_agent(self, session_id: str) -> str | None:
        return _decoded(await self.client.hget(self._key("conv", session_id), "last_agent"))

    async def commit_turn(self, session_id: str, items: list[Any], last_agent: str,
                          usage: dict[str, int] | None = None) -> None:
        await self._session(session_id).add_items(items)
        conv = self._key("conv", session_id)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(conv, "last_agent", last_agent)
            for key in USAGE_KEYS:
                pipe.hincrby(conv, key, int((usage or {}).get(key, 0) or 0))
            await pipe.execute()

    async def usage(self, session_id: str) -> dict[str, int]:
        values = await self.client.hmget(self._key("conv", session_id), list(USAGE_KEYS))
        return {k: int(v or 0) for k, v in zip(USAGE_KEYS, values, strict=True)}

    async def add_note(self, session_id: str, note: dict[str, Any]) -> None:
        await self.client.rpush(self._key("notes", session_id), json.dumps(note, ensure_ascii=False))

    async def notes(self, session_id: str) -> list[dict[str, Any]]:
        return [json.loads(n) for n in await self.client.lrange(self._key("notes", session_id), 0, -1)]

    async def delete(self, session_id: str) -> None:
        await self._session(session_id).clear_session()
        pauses = self._key("pauses", session_id)
        ids = [_decoded(i) for i in await self.client.smembers(pauses)]
        await self.client.delete(self._key("conv", session_id), pauses, self._key("notes", session_id),
                                 *(self._key("pause", i) for i in ids))

    # ------------------------------------------------------------ 暂停中的运行

    async def save_pause(self, pause: Pause, state: dict[str, Any],
                         replaces: str | None = None) -> None:
        pauses = self._key("pauses", pause.session_id)
        async with self.client.pipeline(transaction=True) as pipe:
            if replaces:
                pipe.delete(self._key("pause", replaces))
                pipe.srem(pauses, replaces)
            pipe.hset(self._key("pause", pause.pause_id),
                      mapping={"pause": pause.to_json(), "state": json.dumps(state, ensure_ascii=False)})
            pipe.sadd(pauses, pause.pause_id)
            await pipe.execute()

    async def pauses(self, session_id: str) -> list[Pause]:
        ids = [_decoded(i) for i in await self.client.smembers(self._key("pauses", session_id))]
        if not ids:
            return []
        async with self.client.pipeline(transaction=False) as pipe:
            for ident in ids:
                pipe.hget(self._key("pause", ident), "pause")
            raws = await pipe.execute()
        found = [Pause.from_json(raw) for raw in raws if raw]
        return sorted(found, key=lambda p: p.created_at)

    async def load_pause(self, pause_id: str) -> tuple[Pause, dict[str, Any]] | None:
        raw, state = await self.client.hmget(self._key("pause", pause_id), ["pause", "state"])
        if not raw or not state:
            return None
        return Pause.from_json(raw), json.loads(state)

    async def commit_intent(self, pause_id: str, length: int) -> int:
        key = self._key("pause", pause_id)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.hsetnx(key, "intent", length)
            pipe.hget(key, "intent")
            _, stored = await pipe.execute()
        return int(stored) if stored is not None else length

    async def drop_pause(self, pause_id: str) -> None:
        found = await self.load_pause(pause_id)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.delete(self._key("pause", pause_id))
            if found:
                pipe.srem(self._key("pauses", found[0].session_id), pause_id)
            await pipe.execute()

    # ------------------------------------------------------------ 更新通道：Redis pub/sub

    async def publish(self, session_id: str, event: str, data: dict[str, Any]) -> None:
        await self.client.publish(self._key("updates", session_id),
                                  json.dumps({"event": event, "data": data}, ensure_ascii=False))

    @contextlib.asynccontextmanager
    async def subscribe(self, session_id: str) -> AsyncIterator[AsyncIterator[tuple[str, dict]]]:
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self._key("updates", session_id))

        async def events() -> AsyncIterator[tuple[str, dict]]:
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                body = json.loads(message["data"])
                yield body["event"], body["data"]

        try:
            yield events()
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
