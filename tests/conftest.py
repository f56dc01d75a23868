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


@pytest.fixture(scope="session", autouse=True)
def _script_runner():
    """`lessons.run_script()` 共用的运行器（fork 服务器）在第一次用到时启动，会话结束时关掉。"""
    yield
    lessons.close_default_runner()


@pytest.fixture(scope="session")
def mock_server():
    from shared.mock import start_mock_server

    server = start_mock_server()
    yield server
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def lesson_runs(request, tmp_path_factory) -> dict[str, Future]:
    """选中了冒烟测试时，会话一开始就把这些课程脚本提交到线程池，和其它测试同时跑；每个冒烟测试只等自己那个。

    开始前先在一个全新进程里计时一次 `import agents`，作为总耗时的参照（见 pytest_terminal_summary）。
    """
    selected = {
        item.callspec.params["lesson"].name
        for item in request.session.items
        if hasattr(item, "callspec") and "lesson" in item.callspec.params
    }
    if not selected:
        yield {}
        return
    bare_import, bare_cpu = lessons.measure_bare_import()
    start = time.perf_counter()
    runner = lessons.default_runner()
    workers = int(os.environ.get("SMOKE_WORKERS") or (os.cpu_count() or 2) + 1)
    pool = ThreadPoolExecutor(max_workers=workers)
    found = [lesson for lesson in lessons.discover() if lesson.name in selected]
    # 慢的先跑，线程池的尾巴才短：声明了更长超时的、编号靠后的文件夹（起 MCP 服务、起整个服务）排前面。
    found.sort(key=lambda lesson: (-lesson.timeout, -int(lesson.name[:2])))
    futures = {}
    for lesson in found:
        data_dir = tmp_path_factory.mktemp(lesson.path.stem)
        futures[lesson.name] = pool.submit(lessons.run_lesson, lesson, data_dir, runner)
    _smoke.update(count=len(found), workers=workers, start=start, futures=futures,
                  bare_import=bare_import, bare_cpu=bare_cpu, mode=runner.mode,
                  server_start=getattr(runner, "startup_seconds", None))
    yield futures
    pool.shutdown(wait=True)


def pytest_terminal_summary(terminalreporter):
    if "futures" not in _smoke:
        return
    futures = _smoke["futures"].values()
    runs = [f.result() for f in futures if f.done() and not f.exception()]
    # 总耗时：从启动运行器（含 fork 服务器的导入）到最后一个脚本结束；不含前面那次单独的 import 计时。
    elapsed = max((r.ended for r in runs), default=_smoke["start"]) - _smoke["start"]
    bare = _smoke["bare_import"]
    ratio = elapsed / bare if bare else float("nan")
    fallback = [r for r in runs if r.mode.startswith("process（")]
    write = terminalreporter.write_line
    terminalreporter.write_sep("-", "课程脚本冒烟测试")
    server = f"，fork 服务器启动 {_smoke['server_start']:.1f}s" if _smoke["server_start"] else ""
    write(f"{_smoke['count']} 个脚本，模式 {_smoke['mode']}，{_smoke['workers']} 路并行{server}，"
          f"总耗时 {elapsed:.1f}s")
    bare_cpu = f"（CPU {_smoke['bare_cpu']:.2f}s）" if _smoke.get("bare_cpu") else ""
    write(f"同一次运行里单独 `python -c \"import agents\"`：{bare:.2f}s{bare_cpu}；"
          f"总耗时 / 一次导入 = {ratio:.1f}×（目标 ≤ 25×）")
    for run in fallback:
        write(f"  改用独立进程：{run.lesson.name}：{run.mode}")
    for run in sorted(runs, key=lambda r: r.seconds, reverse=True)[:5]:
        cpu = f"（CPU {run.cpu:.1f}s）" if run.cpu is not None else ""
        write(f"  最慢：{run.lesson.name} {run.seconds:.1f}s{cpu}")
    cpus = [r.cpu for r in runs if r.cpu is not None]
    if cpus:
        cores = os.cpu_count() or 1
        write(f"脚本共用 CPU {sum(cpus):.1f}s（含它们起的子进程）；{cores} 核上的下限约 {sum(cpus) / cores:.1f}s")
