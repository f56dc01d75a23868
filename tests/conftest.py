"""测试共用的夹具：一个进程内的模拟模型服务，以及并行跑所有课程脚本的冒烟结果。"""

from __future__ import annotations

import os
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from tests import lessons

# 测试进程本身也只用内置模拟模型，不读 .env。
os.environ.update(LLM_PROVIDER="mock", ITS_DOTENV="0", MOCK_STREAM_DELAY="0",
                  OPENAI_AGENTS_DISABLE_TRACING="1")

_smoke: dict = {}


@pytest.fixture(scope="session")
def anyio_backend():
    """异步测试用 anyio 插件（随 starlette 安装）跑在 asyncio 上：`pytestmark = pytest.mark.anyio`。"""
    return "asyncio"


@pytest.fixture(scope="session")
def mock_server():
    from shared.mock import start_mock_server

    server = start_mock_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def lesson_runs(request, tmp_path_factory) -> dict[str, Future]:
    """第一次用到时，把本次选中的课程脚本一起提交到线程池并行运行；每个测试只等自己那个。"""
    workers = int(os.environ.get("SMOKE_WORKERS") or (os.cpu_count() or 2) + 1)
    pool = ThreadPoolExecutor(max_workers=workers)
    selected = {
        item.callspec.params["lesson"].name
        for item in request.session.items
        if hasattr(item, "callspec") and "lesson" in item.callspec.params
    }
    found = [lesson for lesson in lessons.discover() if not selected or lesson.name in selected]
    start = time.perf_counter()
    futures = {}
    for lesson in found:
        data_dir = tmp_path_factory.mktemp(lesson.path.stem)
        futures[lesson.name] = pool.submit(lessons.run_lesson, lesson, data_dir)
    _smoke.update(count=len(found), workers=workers, start=start, futures=futures)
    yield futures
    pool.shutdown(wait=True)
    _smoke["elapsed"] = time.perf_counter() - start


def pytest_terminal_summary(terminalreporter):
    if "futures" not in _smoke:
        return
    elapsed = _smoke.get("elapsed", time.perf_counter() - _smoke["start"])
    runs = [f.result() for f in _smoke["futures"].values() if f.done() and not f.exception()]
    slowest = sorted(runs, key=lambda r: r.seconds, reverse=True)[:3]
    cores = os.cpu_count() or 1
    floor = _smoke["count"] * 2.5 / cores
    terminalreporter.write_sep("-", "课程脚本冒烟测试")
    terminalreporter.write_line(
        f"{_smoke['count']} 个脚本，{_smoke['workers']} 路并行，总耗时 {elapsed:.1f}s"
        f"（参考下限 脚本数×2.5s/核数 = {floor:.1f}s）"
    )
    for run in slowest:
        terminalreporter.write_line(f"  最慢：{run.lesson.name} {run.seconds:.1f}s")
