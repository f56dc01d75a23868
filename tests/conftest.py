"""测试共用的夹具：一个进程内的模拟模型服务，以及并行跑所有课程脚本的冒烟结果。"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path

import httpx2
import pytest

from tests import lessons

# 测试进程本身也只用内置模拟模型，不读 .env。
os.environ.update(LLM_PROVIDER="mock", ITS_DOTENV="0", MOCK_STREAM_DELAY="0",
                  OPENAI_AGENTS_DISABLE_TRACING="1")
os.environ.pop("MOCK_CASSETTE", None)  # 讲师终端里可能开着课堂回放：测试不走录像

_smoke: dict = {}


@pytest.fixture(scope="session")
def anyio_backend():
    """异步测试用 anyio 插件（随 starlette 安装）跑在 asyncio 上：`pytestmark = pytest.mark.anyio`。"""
    return "asyncio"


_shared: dict[str, str] = {}  # xdist 主进程：各 worker 共用的 fork 服务器所在的文件夹


def pytest_configure(config):
    """会话共用的 fork 服务器在后台启动，和收集测试同时进行。

    用 xdist 时由主进程启动一个，所有 worker 连上它（只导入一次）；worker 在第一次用到时等它就绪。
    """
    if _in_worker(config):
        lessons.SHARED_FORKSERVER = config.workerinput.get("forkserver_dir")
        target = _start_runner
    elif config.getoption("numprocesses", None) and lessons.smoke_mode() == "fork":
        _shared["dir"] = tempfile.mkdtemp(prefix="forkserver-")
        target = partial(lessons.start_shared_server, _shared["dir"])
    else:
        target = _start_runner
    threading.Thread(target=target, name="start-fork-server", daemon=True).start()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist 主进程：告诉每个 worker 共用的 fork 服务器在哪里。"""
    if "dir" in _shared:
        node.workerinput["forkserver_dir"] = _shared["dir"]


def pytest_unconfigure(config):
    lessons.close_default_runner()  # 例如 --collect-only：没有跑任何测试，后台启动的服务器也要关掉
    if "dir" in _shared:
        shutil.rmtree(_shared.pop("dir"), ignore_errors=True)


def _start_runner() -> None:
    try:
        lessons.default_runner()
    except Exception:  # noqa: BLE001  # 第一次真正用到时会再试一次，并把错误报给那个测试
        pass


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


@pytest.fixture(scope="session")
def postgres():
    """一个临时的 PostgreSQL 服务（07_projects/temp_postgres.py：空闲端口、临时目录、非 root 用户），
    每个 xdist worker 第一次用到时起一个。装不了 PostgreSQL 的机器上，用到它的测试跳过并写明原因。"""
    from tests.capstone import temp_postgres

    reason = temp_postgres().unavailable()
    if reason:
        pytest.skip(reason)
    server = temp_postgres()().start()
    yield server
    server.stop()


@pytest.fixture
def mock(mock_server):
    """模拟模型的根地址（不带 /v1）。测试前后都清掉预约的故障（/mock/faults），结束时把流式节奏
    （MOCK_STREAM_DELAY，需要慢一点的测试临时调大）恢复为 0。"""
    root = mock_server.base_url.removesuffix("/v1")
    httpx2.delete(f"{root}/mock/faults")
    yield root
    httpx2.delete(f"{root}/mock/faults")
    os.environ["MOCK_STREAM_DELAY"] = "0"


# ---------------------------------------------------------------- 多进程（pytest-xdist）
# README 的测试命令用 `-n auto --dist loadfile`：测试模块分给几个 worker 进程，每个模块整体在一个 worker 里
# （模块级夹具只起一次）。例外：冒烟测试和运行 06 课脚本的模块是一组（SMOKE_GROUP）——冒烟的线程池在那个
# worker 里跑，test_06_mcp 直接用它的结果，检查“没有留下 MCP 服务进程”时也不会把另一个 worker 里正在运行的
# 06 脚本的服务当成泄漏。（xdist 的 xdist_group 标记在 pytest 9 上不起作用：它改的 item._nodeid 已不再使用。）
SMOKE_GROUP = "smoke"
SMOKE_MODULES = ("test_smoke_lessons.py", "test_06_")
# 先发大的组（最长的先做，尾巴才短）；其余按收集顺序。
HEAVY_FIRST = (SMOKE_GROUP, "test_capstone_api.py", "test_capstone_scale.py", "test_capstone_browser.py", "test_evals.py")


def _in_worker(config) -> bool:
    return hasattr(config, "workerinput")


def _group(path: str) -> str:
    """测试模块路径（或 nodeid）→ 它所在的组：冒烟一组，其余每个模块一组。"""
    name = path.split("::", 1)[0].rsplit("/", 1)[-1]
    return SMOKE_GROUP if name.startswith(SMOKE_MODULES) else name


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` 时换成按 _group 分组的调度（其它分发方式照旧用 xdist 自己的）。"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _group(nodeid)

    config.option.loadscopereorder = False  # 保持收集顺序：worker 里已经把大组排在前面
    return ModuleGroups(config, log)


def pytest_collection_modifyitems(config, items):
    """xdist worker 里：大组排前面，冒烟组里冒烟测试在前（test_06_mcp 要等它们的结果）。"""
    if not _in_worker(config):
        return
    rank = {name: i for i, name in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: (rank.get(_group(item.nodeid), len(rank)),
                                 _group(item.nodeid) == SMOKE_GROUP and "test_smoke" not in item.nodeid))


@pytest.fixture(scope="session", autouse=True)
def _smoke_starts_with_the_session(request):
    """单进程运行时：会话一开始就启动冒烟线程池，和其它测试同时跑。

    xdist worker 里不在这里启动：只有分到冒烟那一组的 worker 在第一个冒烟测试用到 lesson_runs 时启动
    （那一组排在最前面，所以也是一开始就启动）。
    """
    if not _in_worker(request.config):
        request.getfixturevalue("lesson_runs")
    yield


@pytest.fixture(scope="session")
def lesson_runs(request, tmp_path_factory) -> dict[str, Future]:
    """选中了冒烟测试时，把这些课程脚本提交到线程池，和其它测试同时跑；每个冒烟测试只等自己那个。

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
    runner = lessons.default_runner()  # 多半已在后台启动好了（pytest_configure）
    bare_import, bare_cpu = lessons.measure_bare_import()
    start = time.perf_counter()
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


_summaries: list[tuple[str, list[str]]] = []  # xdist 主进程从各 worker 收到的汇总


def worker_summary(config, title: str, lines: list[str]) -> bool:
    """在 xdist worker 里：把一段汇总交给主进程打印（worker 自己的终端输出看不到），返回 True。"""
    if not _in_worker(config):
        return False
    config.workeroutput.setdefault("summaries", []).append((title, lines))
    return True


class SummaryReport:
    """pytest 插件：测试结束时在终端摘要里打印一段报告（xdist 时由 worker 交给主进程打印）。"""

    def __init__(self, title: str, lines: list[str]) -> None:
        self.title, self.lines = title, lines

    def pytest_sessionfinish(self, session):
        worker_summary(session.config, self.title, self.lines)

    def pytest_terminal_summary(self, terminalreporter, config):
        if not hasattr(config, "workerinput"):
            terminalreporter.write_sep("-", self.title)
            for line in self.lines:
                terminalreporter.write_line(line)


def report_at_end(config, title: str, lines: list[str]) -> None:
    """登记一段在测试结束时打印的报告（同一个标题只登记一次）。"""
    name = f"summary-{title}"
    if not config.pluginmanager.has_plugin(name):
        config.pluginmanager.register(SummaryReport(title, lines), name)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session):
    """xdist worker：把冒烟测试的汇总交给主进程打印。"""
    if "futures" in _smoke:
        worker_summary(session.config, "课程脚本冒烟测试", _summary_lines())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """xdist 主进程：收下各 worker 的汇总（冒烟测试、提供方矩阵）。"""
    _summaries.extend(getattr(node, "workeroutput", {}).get("summaries", []))


def pytest_terminal_summary(terminalreporter, config):
    sections = list(_summaries)
    if "futures" in _smoke and not _in_worker(config):
        sections.append(("课程脚本冒烟测试", _summary_lines()))
    for title, lines in sections:
        terminalreporter.write_sep("-", title)
        for line in lines:
            terminalreporter.write_line(line)


def _summary_lines() -> list[str]:
    lines: list[str] = []
    write = lines.append
    futures = _smoke["futures"].values()
    runs = [f.result() for f in futures if f.done() and not f.exception()]
    # 总耗时：fork 服务器的启动（导入）+ 从提交第一个脚本到最后一个脚本结束；不含那次单独的 import 计时。
    elapsed = (max((r.ended for r in runs), default=_smoke["start"]) - _smoke["start"]
               + (_smoke["server_start"] or 0))
    bare = _smoke["bare_import"]
    ratio = elapsed / bare if bare else float("nan")
    fallback = [r for r in runs if r.mode.startswith("process（")]
    server = f"，fork 服务器启动 {_smoke['server_start']:.1f}s" if _smoke["server_start"] else ""
    write(f"{_smoke['count']} 个脚本，模式 {_smoke['mode']}，{_smoke['workers']} 路并行{server}，"
          f"总耗时 {elapsed:.1f}s")
    bare_cpu = f"（CPU {_smoke['bare_cpu']:.2f}s）" if _smoke.get("bare_cpu") else ""
    # ≤ 25× 是 fork 模式的目标；独立进程模式每个脚本都要自己导入一遍，只是对照
    target = "目标 ≤ 25×" if _smoke["mode"] == "fork" else "独立进程模式，每个脚本各导入一次，不设目标"
    write(f"同一次运行里单独 `python -c \"import agents\"`：{bare:.2f}s{bare_cpu}；"
          f"总耗时 / 一次导入 = {ratio:.1f}×（{target}）")
    if os.environ.get("SMOKE_TIMES"):  # 每个脚本的墙钟和 CPU 秒写进这个 JSON 文件：两次运行逐个脚本比较
        import json
        Path(os.environ["SMOKE_TIMES"]).write_text(json.dumps(
            {r.lesson.name: [round(r.seconds, 3), r.cpu] for r in runs}, ensure_ascii=False, indent=1), encoding="utf-8")
    for run in fallback:
        write(f"  改用独立进程：{run.lesson.name}：{run.mode}")
    for run in sorted(runs, key=lambda r: r.seconds, reverse=True)[:5]:
        cpu = f"（CPU {run.cpu:.1f}s）" if run.cpu is not None else ""
        write(f"  最慢：{run.lesson.name} {run.seconds:.1f}s{cpu}")
    cpus = [r.cpu for r in runs if r.cpu is not None]
    if cpus:
        cores = os.cpu_count() or 1
        write(f"脚本共用 CPU {sum(cpus):.1f}s（含它们起的子进程）；{cores} 核上的下限约 {sum(cpus) / cores:.1f}s")
    return lines
