"""综合案例的准入（its_service/admission.py）：一轮 Agent 拿到名额才开始跑，名额随事件循环的忙闲增减。

不起服务，直接在一个事件循环里驱动 `Admission`：循环空闲时排队的轮次很快都放进来（到上限为止）、
循环被占满时只放 FLOOR 轮、先来先跑、排队时取消不占名额、没人排队时闹钟停下。
"""

from __future__ import annotations

import asyncio
import importlib
import time

import tests.capstone  # noqa: F401  把 07_projects 放进 sys.path，才能 import its_service

_admission = importlib.import_module("its_service.admission")
Admission, FLOOR = _admission.Admission, _admission.FLOOR


async def _hold(admission: Admission, name: str, started: list[str], release: asyncio.Event) -> None:
    async with admission.slot():
        started.append(name)
        await release.wait()


def test_idle_loop_admits_queued_turns_in_order_up_to_the_limit() -> None:
    async def scenario() -> tuple[list[str], int, int]:
        admission = Admission(limit=5)
        started: list[str] = []
        release = asyncio.Event()
        tasks = [asyncio.create_task(_hold(admission, f"t{i}", started, release)) for i in range(8)]
        await asyncio.sleep(0)
        at_once = len(started)            # 不用等：FLOOR 轮马上开始
        await asyncio.sleep(0.3)          # 循环空闲：闹钟每 10ms 多放一轮，直到上限
        peak = admission.running
        release.set()
        await asyncio.gather(*tasks)
        return started, at_once, peak

    started, at_once, peak = asyncio.run(scenario())
    assert at_once == FLOOR
    assert peak == 5                                   # 上限
    assert started == [f"t{i}" for i in range(8)]      # 先来先跑


def test_busy_loop_admits_only_the_floor_until_it_calms_down() -> None:
    async def scenario() -> tuple[int, int]:
        admission = Admission(limit=50)
        started: list[str] = []
        release = asyncio.Event()
        stop_busy = False

        async def busy() -> None:  # 像零延迟的模型流：每一步占住循环 20ms
            while not stop_busy:
                time.sleep(0.02)
                await asyncio.sleep(0)

        hog = asyncio.create_task(busy())
        tasks = [asyncio.create_task(_hold(admission, f"t{i}", started, release)) for i in range(10)]
        await asyncio.sleep(0.5)
        while_busy = admission.running
        stop_busy = True
        await hog
        await asyncio.sleep(0.5)
        after = admission.running
        release.set()
        await asyncio.gather(*tasks)
        return while_busy, after

    while_busy, after = asyncio.run(scenario())
    assert while_busy <= FLOOR + 1   # 闹钟第一次量到延迟之前最多多放一轮
    assert after == 10


def test_cancelled_waiter_frees_nothing_and_the_ticker_stops_when_idle() -> None:
    async def scenario() -> tuple[int, int, bool, int]:
        admission = Admission(limit=FLOOR)
        started: list[str] = []
        release = asyncio.Event()
        holders = [asyncio.create_task(_hold(admission, f"h{i}", started, release)) for i in range(FLOOR)]
        waiter = asyncio.create_task(_hold(admission, "w", started, release))
        await asyncio.sleep(0.05)
        queued = admission.queued
        waiter.cancel()                   # 浏览器在排队时断开
        await asyncio.sleep(0.05)
        running_after_cancel = admission.running
        release.set()
        await asyncio.gather(*holders)
        await asyncio.sleep(0.05)
        return queued, running_after_cancel, admission._ticker is None or admission._ticker.done(), admission.running

    queued, running_after_cancel, ticker_stopped, running_at_end = asyncio.run(scenario())
    assert queued == 1
    assert running_after_cancel == FLOOR
    assert ticker_stopped
    assert running_at_end == 0
