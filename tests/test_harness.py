"""冒烟测试工具本身的测试：它必须能发现脚本、读出预期输出，并且真的会判失败。"""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests import lessons


def write(tmp_path, folder: str, name: str, source: str):
    path = tmp_path / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def test_discovers_only_scripts_with_main_guard(tmp_path):
    write(tmp_path, "01_demo", "01_hello.py", '''\
        """打招呼。

        预期输出:
            你好
        """
        if __name__ == "__main__":
            print("你好")
        ''')
    write(tmp_path, "01_demo", "helper.py", "VALUE = 1\n")
    write(tmp_path, "notes", "script.py", 'if __name__ == "__main__":\n    pass\n')
    found = lessons.discover(tmp_path)
    assert [lesson.path.name for lesson in found] == ["01_hello.py"]
    assert found[0].expected == ["你好"]


def test_script_without_expected_output_is_found_with_empty_expectation(tmp_path):
    write(tmp_path, "02_demo", "01_silent.py", '"""没有预期输出。"""\nif __name__ == "__main__":\n    print(1)\n')
    (lesson,) = lessons.discover(tmp_path)
    assert lesson.expected == []  # test_smoke_lessons 会因此判它失败


def test_docstring_options():
    expected, args, timeout = lessons.parse_docstring(textwrap.dedent("""\
        标题

        测试参数: --once --port 0
        测试超时: 90

        预期输出（内置模拟模型）:
            第一行 ...
            第二行

        运行: python x.py
        """))
    assert expected == ["第一行 ...", "第二行"]
    assert args == ["--once", "--port", "0"]
    assert timeout == 90


def test_check_output_order_and_wildcards():
    output = "【模型】端口 8123\n中间的行\n工具调用: get_weather\n答案：晴\n"
    assert lessons.check_output(["【模型】端口 ...", "工具调用: get_weather", "答案：..."], output) is None
    assert lessons.check_output(["答案：...", "工具调用: get_weather"], output) is not None  # 顺序错
    assert lessons.check_output(["工具调用: get_weather {}"], output) is not None  # 整行比对
    assert lessons.check_output(["不存在的行"], output) is not None


def test_failing_script_is_reported(tmp_path):
    write(tmp_path, "03_demo", "01_boom.py", '''\
        """会失败。

        预期输出:
            不会出现
        """
        if __name__ == "__main__":
            raise SystemExit(3)
        ''')
    (lesson,) = lessons.discover(tmp_path)
    run = lessons.run_lesson(lesson, tmp_path)
    assert run.returncode == 3
    assert lessons.check_output(lesson.expected, run.stdout) is not None


# ---------------------------------------------------------------- fork 服务器与独立进程的一致性

FORK = pytest.mark.skipif(not lessons.fork_supported(), reason="fork 服务器只在 Linux 上使用")

PROBE = '''\
    """打印 python script.py 时脚本能看到的一切。"""
    import os
    import sys

    print("argv", sys.argv)
    print("orig_argv", sys.orig_argv[1:])
    print("cwd", os.getcwd())
    print("path0", sys.path[0])
    print("path", sys.path)
    print("file", __file__, __name__, __spec__, __package__, type(__loader__).__name__, __cached__)
    print("globals", sorted(globals()))
    print("env", os.environ.get("PROBE"), os.environ.get("ITS_DATA_DIR"), "PROBE" in os.environ)
    print("stdin", repr(sys.stdin.read()), sys.stdin.isatty())
    print("stdout", sys.stdout.encoding, sys.stdout.line_buffering, sys.stdout.write_through)
    print("main", sys.modules["__main__"].__dict__ is globals())
    '''


@pytest.fixture(scope="module")
def fork_runner():
    """会话共用的 fork 服务器；SMOKE_MODE=process 时也单独起一个，这些测试测的就是它。"""
    shared = lessons.default_runner()
    if shared.mode == "fork":
        yield shared
    else:
        with lessons.start_runner("fork") as runner:
            yield runner


def both(fork_runner, path, args=(), env=None, timeout=30.0, stdin_text=None, cwd=lessons.REPO):
    """同一个脚本在 fork 和独立进程里各跑一次，返回 (fork 结果, 独立进程结果)。"""
    forked = fork_runner.run(path, args, env, timeout, stdin_text, cwd)
    real = lessons.ProcessRunner().run(path, args, env, timeout, stdin_text, cwd)
    return forked, real


def same(forked: lessons.Run, real: lessons.Run) -> None:
    assert forked.mode == "fork", forked.mode
    assert real.mode == "process"
    assert outcome(forked) == outcome(real)


def outcome(run: lessons.Run) -> tuple:
    """退出码和输出；每次都变的端口号抹掉。"""
    def port(text: str) -> str:
        return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    return run.returncode, port(run.stdout), port(run.stderr)


@FORK
def test_fork_sees_what_python_script_py_sees(tmp_path, fork_runner):
    script = write(tmp_path, "05_demo", "01_probe.py", PROBE)
    env = lessons.smoke_env(tmp_path / "data", PROBE="值 1")
    forked, real = both(fork_runner, script, ["--flag", "中文 参数"], env, stdin_text="输入\n第二行",
                        cwd=tmp_path)
    same(forked, real)
    assert f"path0 {script.parent}" in real.stdout
    assert "argv ['" + str(script) + "', '--flag', '中文 参数']" in real.stdout
    assert f"cwd {tmp_path}" in real.stdout
    assert "stdin '输入\\n第二行' False" in real.stdout
    # 没给 stdin 时读到空（/dev/null），环境里没有的变量就是没有
    forked, real = both(fork_runner, script, [], lessons.smoke_env(tmp_path / "data"))
    same(forked, real)
    assert "stdin '' False" in real.stdout and "env None" in real.stdout


STDIO_PROBE = (
    "import sys\n"
    "print('argv', sys.argv, sys.orig_argv[1:], sys.path[:2], __name__, sorted(globals()))\n"
    "print('中文', [(type(s.buffer).__name__, s.encoding, s.errors, s.line_buffering, s.write_through)\n"
    "              for s in (sys.stdin, sys.stdout, sys.stderr)])\n"
    "print('loader', getattr(__loader__, '__name__', type(__loader__).__name__), __spec__ and __spec__.name, __file__ if '__file__' in globals() else None)\n"
    "raise ValueError('坏了')\n"
)


@FORK
@pytest.mark.parametrize("io_env", [{}, {"PYTHONUNBUFFERED": ""}, {"PYTHONIOENCODING": "ascii"},
                                    {"PYTHONPATH": "extra"}],
                         ids=["unbuffered", "buffered", "ascii", "pythonpath"])
@pytest.mark.parametrize("kind", ["-c", "-m"])
def test_fork_runs_dash_c_and_dash_m_like_python(kind, io_env, tmp_path, fork_runner):
    """`python -c` / `python -m` 也能在 fork 服务器上跑（测试里的小片段就不用各自导入 agents），
    标准输出的缓冲和编码照着这次的 PYTHONUNBUFFERED、PYTHONIOENCODING 重建，PYTHONPATH 照样生效。"""
    (tmp_path / "probe_mod.py").write_text(STDIO_PROBE, encoding="utf-8")
    argv = [kind, STDIO_PROBE if kind == "-c" else "probe_mod", "参数"]
    env = {k: v for k, v in lessons.smoke_env(tmp_path).items() if k not in io_env or io_env[k]}
    env.update({k: v for k, v in io_env.items() if v})
    forked = fork_runner.run_python(argv, env, 30, cwd=tmp_path)
    real = lessons.ProcessRunner().run_python(argv, env, 30, cwd=tmp_path)
    assert forked.mode == "fork" and real.mode == "process"
    assert (forked.returncode, forked.stdout, forked.stderr) == (real.returncode, real.stdout, real.stderr)
    assert real.returncode == 1
    if "ascii" in str(io_env):  # 中文写不进 ASCII 的 stdout；stderr 用 backslashreplace 照样报出来
        assert "UnicodeEncodeError: 'ascii' codec" in real.stderr and "中文" not in real.stdout
    else:
        assert "ValueError: 坏了" in real.stderr and "中文" in real.stdout


EXITS = {
    "正常结束": ("print('ok')\n", 0),
    "SystemExit(3)": ("raise SystemExit(3)\n", 3),
    "sys.exit() 无参数": ("import sys\nsys.exit()\n", 0),
    "SystemExit 带中文消息": ("raise SystemExit('✗ 配置错误：缺少 Key')\n", 1),
    "未捕获的异常": ("def f():\n    raise ValueError('坏了')\n\nf()\n", 1),
    "异常链": ("try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    raise RuntimeError('包一层') from e\n", 1),
    "自定义 excepthook": (
        "import sys\n\ndef hook(t, e, tb):\n    print('钩子:', t.__name__, e, file=sys.stderr)\n\n"
        "sys.excepthook = hook\nraise KeyError('k')\n", 1),
    "atexit 与非守护线程": (
        "import atexit, threading, time\natexit.register(print, 'atexit 最后')\n"
        "def late():\n    time.sleep(0.2)\n    print('线程在主模块结束后才打印')\n"
        "threading.Thread(target=late).start()\nprint('主模块结束')\n", 0),
    "os._exit": ("import os\nprint('不刷新的缓冲', flush=True)\nos._exit(5)\n", 5),
    "Ctrl+C": ("raise KeyboardInterrupt\n", -2),
    "被信号杀死": ("import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n", -15),
    "大量输出": ("import sys\nfor i in range(20000):\n    print(i, '行' * 20)\n    print(i, file=sys.stderr)\n", 0),
    "语法错误": ("print('前面')\ndef f(:\n    pass\n", 1),
    "__future__ 不被继承": ("def f(x: undefined_name):\n    pass\nprint(f.__annotations__ is not None)\n", 1),
}


@FORK
@pytest.mark.parametrize("name", list(EXITS))
def test_fork_exit_codes_and_stderr_match_a_real_process(name, tmp_path, fork_runner):
    source, code = EXITS[name]
    script = write(tmp_path, "05_demo", "02_exit.py", source)
    forked, real = both(fork_runner, script, env=lessons.smoke_env(tmp_path))
    same(forked, real)
    assert real.returncode == code
    if name == "未捕获的异常":
        assert real.stderr.startswith("Traceback (most recent call last):\n  File \"" + str(script))
        assert "forkserver" not in forked.stderr
    if name == "自定义 excepthook":
        assert real.stderr == "钩子: KeyError 'k'\n"


@FORK
def test_missing_script_is_reported_like_python_does(tmp_path, fork_runner):
    forked, real = both(fork_runner, tmp_path / "没有这个文件.py", env=lessons.smoke_env(tmp_path))
    same(forked, real)
    assert real.returncode == 2 and "can't open file" in real.stderr


@FORK
def test_factory_error_hook_and_model_calls_work_in_fork(tmp_path, fork_runner):
    """shared.factory 装的 sys.excepthook：未捕获的模型错误打印中文说明，退出码 1。"""
    script = write(tmp_path, "05_demo", "03_fault.py", '''\
        import asyncio
        from agents import Agent, Runner
        from shared.factory import get_chat_model

        async def main():
            agent = Agent(name="a", instructions="你好", model=get_chat_model())
            print((await Runner.run(agent, "你好")).final_output[:2])
            await Runner.run(Agent(name="b", model=get_chat_model("mock-fault-401")), "你好")

        asyncio.run(main())
        ''')
    forked, real = both(fork_runner, script, env=lessons.smoke_env(tmp_path, ITS_TRACEBACK="0"))
    same(forked, real)
    assert real.returncode == 1
    assert "✗ 模型调用失败 [auth_error]" in real.stderr and "Traceback" not in real.stderr


ENV_AT_IMPORT = '''\
    import agents._debug
    from agents.tracing import trace

    with trace("t") as t:
        print("tracing on", type(t).__name__ != "NoOpTrace")
    print("dont log model data", agents._debug.DONT_LOG_MODEL_DATA)
    '''


@FORK
def test_env_read_at_import_time_behaves_as_in_a_fresh_process(tmp_path, fork_runner):
    """导入 agents 要 2 秒多：真正的独立进程只在需要对照的地方起。"""
    script = write(tmp_path, "05_demo", "04_env.py", ENV_AT_IMPORT)
    warnings = write(tmp_path, "05_demo", "05_warnings.py", "import sys\nprint(sys.warnoptions)\n")
    env = lessons.smoke_env(tmp_path)
    with ThreadPoolExecutor(max_workers=3) as pool:
        default = pool.submit(fork_runner.run, script, [], env)
        # 第一次用到时才读（DefaultTraceProvider）：fork 出的子进程里照样生效，与独立进程对照
        lazy = pool.submit(both, fork_runner, script, (), {**env, "OPENAI_AGENTS_DISABLE_TRACING": "0"})
        # 导入 agents 时就读了（agents._debug）：这一次必须改用独立进程
        at_import = pool.submit(fork_runner.run, script, [], {**env, "OPENAI_AGENTS_DONT_LOG_MODEL_DATA": "0"})
        # 解释器启动时读：同上
        at_startup = pool.submit(fork_runner.run, warnings, [], {**env, "PYTHONWARNINGS": "error"})

    run = default.result()
    assert run.mode == "fork" and run.returncode == 0, run.stderr
    assert "tracing on False" in run.stdout and "dont log model data True" in run.stdout
    forked, real = lazy.result()
    same(forked, real)
    assert "tracing on True" in real.stdout
    run = at_import.result()
    assert run.mode.startswith("process（OPENAI_AGENTS_DONT_LOG_MODEL_DATA"), run.mode
    assert "dont log model data False" in run.stdout
    run = at_startup.result()
    assert run.mode.startswith("process（PYTHONWARNINGS"), run.mode
    assert run.stdout == "['error']\n"


@FORK
def test_fork_server_recorded_import_time_env_and_started_no_threads(fork_runner):
    assert "OPENAI_AGENTS_DONT_LOG_MODEL_DATA" in fork_runner.import_env
    assert "OPENAI_AGENTS_DISABLE_TRACING" not in fork_runner.import_env  # 读得晚，fork 无妨
    probe = lessons.smoke_env(lessons.REPO)
    assert fork_runner.fallback_reason(probe) is None


@FORK
def test_timeout_kills_the_whole_process_group(tmp_path, fork_runner):
    script = write(tmp_path, "05_demo", "05_hang.py", '''\
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        print("child", child.pid, flush=True)
        time.sleep(60)
        ''')
    runners = (fork_runner, lessons.ProcessRunner())
    with ThreadPoolExecutor(max_workers=2) as pool:  # 两种方式同时跑：各等 3 秒超时，不必排队
        runs = list(pool.map(lambda r: r.run(script, [], lessons.smoke_env(tmp_path), timeout=3), runners))
    for runner, run in zip(runners, runs, strict=True):
        assert run.timed_out and run.returncode == -9, (runner.mode, run)
        pid = int(run.stdout.split()[1])
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.05)
        assert not _alive(pid), f"{runner.mode}: 脚本启动的子进程 {pid} 没被杀掉"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_process_mode_switch(monkeypatch):
    monkeypatch.setenv("SMOKE_MODE", "process")
    assert lessons.smoke_mode() == "process"
    with lessons.start_runner() as runner:
        assert isinstance(runner, lessons.ProcessRunner) and runner.mode == "process"
    monkeypatch.setenv("SMOKE_MODE", "bogus")
    with pytest.raises(ValueError):
        lessons.smoke_mode()


SERVICE = '''\
    import signal, sys, time
    print("启动", sys.argv[1:], flush=True)
    print("错误输出", file=sys.stderr, flush=True)
    if sys.argv[1:] == ["--handle-term"]:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(7))
    time.sleep(60)
    '''


@FORK
@pytest.mark.parametrize("handle_term", [False, True], ids=["default", "handler"])
def test_spawned_service_behaves_like_popen(handle_term, tmp_path, fork_runner):
    """`spawn()`：测试要起的长时间运行的服务（应用、MCP 服务）也从 fork 服务器 fork，用法同 Popen。"""
    script = write(tmp_path, "05_demo", "06_service.py", SERVICE)
    args = ["--handle-term"] if handle_term else []
    results = []
    for runner in (fork_runner, lessons.ProcessRunner()):
        log = tmp_path / f"{runner.mode}.log"
        with open(log, "wb") as out:
            proc = runner.spawn([str(script), *args], lessons.smoke_env(tmp_path), tmp_path,
                                stdout=out, stderr=subprocess.STDOUT)
        assert isinstance(proc, lessons.ForkedProcess) == (runner.mode == "fork")
        wait_until_logged = time.monotonic() + 20
        while "错误输出" not in log.read_text(encoding="utf-8") and time.monotonic() < wait_until_logged:
            time.sleep(0.05)
        assert proc.poll() is None and _alive(proc.pid)
        assert os.getpgid(proc.pid) == proc.pid  # 自己的进程组：killpg(proc.pid) 不会波及测试进程
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(0.1)
        proc.terminate()
        results.append((proc.wait(10), sorted(log.read_text(encoding="utf-8").splitlines())))
        assert proc.poll() == results[-1][0] and not _alive(proc.pid)
    assert results[0] == results[1]
    assert results[0][0] == (7 if handle_term else -15)
