"""异步 HTTP 传输层：每个事件循环一个连接池。

`asyncio.run()` 每次都新建事件循环。httpx 的连接池绑定在创建它的循环上，
换一个循环再用就会报 “Event loop is closed”。课程脚本常常先 `Runner.run_sync()` 再
`asyncio.run(...)`，所以工厂给 `AsyncOpenAI` 配上这个传输层：按循环分别建连接池，
循环被回收时，它的连接池也跟着被回收。
"""

from __future__ import annotations

import asyncio
import urllib.request
import weakref
from urllib.parse import urlparse

import httpx2

LIMITS = httpx2.Limits(max_connections=1000, max_keepalive_connections=100)


class PerLoopTransport(httpx2.AsyncBaseTransport):
    def __init__(self, base_url: str) -> None:
        parsed = urlparse(base_url)
        # 传了 transport 之后 httpx 不再读代理环境变量，这里自己读（本机地址不走代理）。
        proxy = urllib.request.getproxies().get(parsed.scheme)
        if proxy and urllib.request.proxy_bypass(parsed.hostname or ""):
            proxy = None
        self._proxy = proxy
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx2.AsyncHTTPTransport] = (
            weakref.WeakKeyDictionary()
        )

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            pool = httpx2.AsyncHTTPTransport(proxy=self._proxy, limits=LIMITS)
            self._pools[loop] = pool
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        pool = self._pools.pop(asyncio.get_running_loop(), None)
        if pool is not None:
            await pool.aclose()
