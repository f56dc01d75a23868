"""准入：这个 worker 现在能不能再开始跑一轮 Agent？

一个 worker 只有一个事件循环，接请求（验 cookie、开会话、发出第一个 `session` 事件）和跑 Agent
（解析模型的流、调工具、写历史）都在它上面，按先来后到轮流执行。几百轮同时在跑时，循环转一圈就要
几百毫秒，新来的请求每等一次 await 都要排一圈：顾客好几秒才看到“已收到”。CPU 就这么多，多开的
轮次不会更快跑完，只会让所有人都慢。

所以一轮 Agent 要先拿到“名额”才开始跑，拿不到就排队（先来先跑）。名额有多少不是写死的，看循环
忙不忙：

- 有轮次在排队时，一个 10ms 的小闹钟在循环上转，晚响了多久就是**循环延迟**（平滑过的）。模型慢、大家都在等
  网络时，延迟接近 0，名额可以一直加到上限 `ITS_MAX_RUNNING`（默认 64）——真实模型每轮要等好几秒，
  并发少了反而浪费；模型快（压测时零延迟的模拟模型）、CPU 忙满时，延迟一超过 `LAG_LIMIT`
  就不再放新的轮次进来，等在跑的跑完，循环始终能及时接住新请求。
- 至少放 `FLOOR` 轮：循环再忙也有轮次在往前走，不会谁都不跑。
- 每个闹钟周期最多多放一轮（慢启动）：一下子放进几十轮，延迟要过一会儿才反映出来。

这和 Node.js 服务常用的“按事件循环延迟限流”是一个思路；固定名额的做法（信号量）要么对真实模型
太小、要么对快模型太大。/healthz 的 `running_runs`、`queued_runs`、`loop_lag_ms` 是这里的数字。
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator

TICK = 0.01        # 闹钟周期（秒）
LAG_LIMIT = 0.005  # 平滑后的循环延迟超过它就不放新的轮次（秒）
FLOOR = 2          # 再忙也至少同时跑这么多轮


class Admission:
    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self.running = 0
        self.lag = 0.0
        self._budget = 0  # 这个闹钟周期里还能多放几轮（超过 FLOOR 的部分）
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._ticker: asyncio.Task[None] | None = None

    @property
    def queued(self) -> int:
        return sum(not w.done() for w in self._waiters)

    def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()

    def _ensure_ticker(self) -> None:
        """闹钟只在有轮次排队时转：空闲的服务不必每 10ms 醒一次。"""
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.get_running_loop().create_task(self._tick(), name="admission-ticker")

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiters:
            before = loop.time()
            await asyncio.sleep(TICK)
            late = max(0.0, loop.time() - before - TICK)
            self.lag = 0.7 * self.lag + 0.3 * late
            self._budget = 1
            self._wake()
        self.lag = 0.0

    def _take(self) -> bool:
        """现在能不能再放一轮：不到 FLOOR 就能；否则要循环不忙、没到上限、这个周期还有预算。"""
        if self.running < min(FLOOR, self.limit):
            return True
        if self._budget > 0 and self.running < self.limit and self.lag < LAG_LIMIT:  # 闹钟来时才有预算
            self._budget -= 1
            return True
        return False

    def _wake(self) -> None:
        """按排队顺序叫醒能放进来的几轮。"""
        while self._waiters:
            if self._waiters[0].done():  # 排队时被取消了（浏览器断开）
                self._waiters.popleft()
                continue
            if not self._take():
                return
            self._waiters.popleft().set_result(None)
            self.running += 1

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if not self._waiters and self._take():
            self.running += 1
        else:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            self._ensure_ticker()
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():  # 刚拿到名额就被取消：还回去
                    self._release()
                raise
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        self.running -= 1
        self._wake()
