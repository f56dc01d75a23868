"""冒烟测试的工具：找到每个课程脚本，读出它声明的预期输出，运行它并核对。

一个课程脚本 = 编号文件夹（`00_environment/` … `07_projects/`）下、带
`if __name__ == "__main__":` 的 .py 文件。它的模块文档字符串里必须有一段“预期输出”：

    预期输出（内置模拟模型）:
        【模型】提供方=mock（内置模拟模型） 模型=mock-model ...
        工具调用: get_weather {"city": "武汉"}
        ...

规则：
- “预期输出”开头的那一行之后、缩进的各行就是预期内容（空行忽略，遇到不缩进的行结束）。
- 每一行都必须按顺序出现在实际输出里（中间可以夹着别的行），整行比对，首尾空白忽略。
- 行内的 `...` 匹配任意文字（端口、id、耗时这些每次都变的部分）。
- 可选：`测试参数: --flag` 给脚本加命令行参数；`测试超时: 90` 改超时（秒，默认 60）。
- 可选：`再次运行的预期输出（…）:` 一段，写脚本在同一个数据目录里再运行一次时的样子（会话接着上次的）。
  冒烟测试不用它（每个脚本在全新的数据目录里跑一次）；用它的是提供方矩阵（tests/provider_matrix.py）和
  专门测第二次运行的测试（`parse_rerun()`）。

怎么运行脚本（`SMOKE_MODE` 环境变量选择）：
- `fork`（Linux 上的默认值）：`tests/forkserver.py` 先把 agents、openai、mcp、fastapi…… 导入一次，
  每个脚本在从它 fork 出的全新子进程里运行——参数、工作目录、环境变量、sys.path[0]、`__main__`、
  退出码、traceback、atexit 都和 `python script.py` 一样，只是省掉了每次 2 秒多的 `import agents`。
  某次运行的环境里，有解释器启动时或模块导入时就读取的变量（PYTHON*、LANG、OPENAI_LOG……）与
  服务器导入时不同，这一次就自动改用独立进程（`Run.mode` 会写明原因）。
- `process`：每个脚本都是一个真正的独立进程 `python script.py`（其它系统上的默认值；CI 也跑一遍）。

别的测试模块复用它（例如换一套环境变量把每个课程再跑一遍）：

    with lessons.start_runner() as runner:             # 或用会话共享的 lessons.default_runner()
        run = runner.run(lesson.path, lesson.args, env, lesson.timeout)
        assert run.returncode == 0 and lessons.check_output(lesson.expected, run.stdout) is None

测试里要起 Python 进程时，也走会话共用的运行器（fork 模式下省掉每次 2 秒多的导入，语义不变）：

    done = lessons.run_python(["-c", code], env, timeout=60)      # 代替 subprocess.run([sys.executable, "-c", ...])
    proc = lessons.spawn([str(app), "--port", port], env, REPO,    # 代替 subprocess.Popen：长时间运行的服务
                         stdout=log, stderr=subprocess.STDOUT)     # poll()/wait()/send_signal()/kill() 照旧
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import selectors
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FORKSERVER = Path(__file__).resolve().parent / "forkserver.py"
LESSON_DIR = re.compile(r"^\d\d_")
EXPECTED_HEADER = re.compile(r"^预期输出")
ARGS_LINE = re.compile(r"^测试参数[:：]\s*(.*)$")
TIMEOUT_LINE = re.compile(r"^测试超时[:：]\s*(\d+(?:\.\d+)?)")
RERUN_HEADER = re.compile(r"^再次运行的预期输出.*[:：]\s*$")
DEFAULT_TIMEOUT = 60.0
# 解释器启动时（还没执行任何 Python 代码）就读取的环境变量：fork 出的子进程无法重新读取。
STARTUP_VARS = re.compile(r"^(PYTHON|LC_|LANG$|LANGUAGE$)")
# 其中这两个 fork 出的子进程照着环境重建 sys.stdout/stderr 来模拟（见 forkserver._stdio）；
# 服务器没有设 PYTHONPATH 时，子进程把这次的 PYTHONPATH 插到 sys.path[1:]，与解释器相同。
EMULATED_VARS = ("PYTHONUNBUFFERED", "PYTHONIOENCODING")


@dataclass
class Lesson:
    path: Path
    expected: list[str] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    timeout: float = DEFAULT_TIMEOUT

    @property
    def name(self) -> str:
        try:
            return self.path.relative_to(REPO).as_posix()
        except ValueError:
            return self.path.as_posix()


@dataclass
class Run:
    lesson: Lesson
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False
    mode: str = "process"  # fork / process / process（回退原因）
    cpu: float | None = None  # 脚本（含它等待过的子进程）用掉的 CPU 秒数；只有 fork 模式有
    ended: float = field(default_factory=time.perf_counter)  # 结束时刻（perf_counter）


def has_main_guard(tree: ast.Module) -> bool:
    for node in tree.body:
        if isinstance(node, ast.If) and "__name__" in ast.unparse(node.test) and "__main__" in ast.unparse(node.test):
            return True
    return False


def parse_docstring(doc: str) -> tuple[list[str], list[str], float]:
    expected: list[str] = []
    args: list[str] = []
    timeout = DEFAULT_TIMEOUT
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if m := ARGS_LINE.match(stripped):
            args = shlex.split(m.group(1))
        elif m := TIMEOUT_LINE.match(stripped):
            timeout = float(m.group(1))
        elif EXPECTED_HEADER.match(stripped) and not line.startswith((" ", "\t")):
            i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith((" ", "\t"))):
                if lines[i].strip():
                    expected.append(lines[i].strip())
                i += 1
            continue
        i += 1
    return expected, args, timeout


def parse_rerun(doc: str) -> list[str]:
    """文档字符串里“再次运行的预期输出…:”那一段（缩进的各行）；没有时为空。"""
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith((" ", "\t")) and RERUN_HEADER.match(line.strip()):
            block = []
            for follow in lines[i + 1:]:
                if follow.strip() and not follow.startswith((" ", "\t")):
                    break
                if follow.strip():
                    block.append(follow.strip())
            return block
    return []


def discover(root: Path = REPO) -> list[Lesson]:
    lessons = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and LESSON_DIR.match(p.name)):
        for path in sorted(folder.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source, filename=str(path))
            if not has_main_guard(tree):
                continue
            expected, args, timeout = parse_docstring(ast.get_docstring(tree) or "")
            lessons.append(Lesson(path, expected, args, timeout))
    return lessons


def free_port() -> int:
    """本机回环上一个当前空闲的端口（测试里启动服务用）。"""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smoke_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """每个脚本都在内置模拟模型上跑：不读 .env，不等流式节奏，数据写到临时目录。"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MOCK_", "LLM_"))}
    env.update(
        LLM_PROVIDER="mock",
        ITS_DOTENV="0",
        MOCK_STREAM_DELAY="0",
        ITS_DATA_DIR=str(data_dir),
        OPENAI_AGENTS_DISABLE_TRACING="1",
        PYTHONIOENCODING="utf-8",
        PYTHONUNBUFFERED="1",
        NO_COLOR="1",
    )
    env.update(extra)
    return env


def _text(data: bytes) -> str:
    """与 subprocess 的 text=True 一样：UTF-8 解码，换行统一成 \\n。"""
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    except PermissionError:  # 还没来得及 setsid：只杀它自己
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


class ProcessRunner:
    """每个脚本一个真正的独立进程：`python script.py args...`。"""

    mode = "process"

    def run(self, path: Path | str, args: Sequence[str] = (), env: Mapping[str, str] | None = None,
            timeout: float = DEFAULT_TIMEOUT, stdin_text: str | None = None,
            cwd: Path | str = REPO, *, note: str = "", code: str | None = None,
            module: str | None = None) -> Run:
        """在自己的进程组里运行脚本（或 `-c code` / `-m module`）；超时就把整组进程杀掉，不留子进程。"""
        path = Path(path)
        start = time.perf_counter()
        target = ["-c", code] if code is not None else ["-m", module] if module is not None else [str(path)]
        proc = subprocess.Popen(
            [sys.executable, *target, *args], cwd=cwd,
            env=dict(os.environ if env is None else env),
            stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )
        data = None if stdin_text is None else stdin_text.encode()
        try:
            out, err = proc.communicate(data, timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            out, err = proc.communicate()
            timed_out = True
        return Run(Lesson(path, args=list(args), timeout=timeout), proc.returncode, _text(out),
                   _text(err), time.perf_counter() - start, timed_out,
                   f"process（{note}）" if note else "process")

    def run_python(self, argv: Sequence[str], env: Mapping[str, str] | None = None,
                   timeout: float = DEFAULT_TIMEOUT, stdin_text: str | None = None,
                   cwd: Path | str = REPO) -> subprocess.CompletedProcess:
        """`python ARGV...` 的替身：ARGV 是 `["-c", code, ...]`、`["-m", module, ...]` 或 `[script, ...]`。

        返回 subprocess.run(capture_output=True, text=True) 那样的结果；超时抛 subprocess.TimeoutExpired。
        fork 服务器上运行时省掉了子进程里的 `import agents`，语义与独立进程相同（见 tests/test_harness.py）。
        """
        argv = list(argv)
        if argv[0] in ("-c", "-m"):
            kind, value, args = argv[0], argv[1], argv[2:]
            run = self.run(Path(kind), args, env, timeout, stdin_text, cwd,
                           code=value if kind == "-c" else None, module=value if kind == "-m" else None)
        else:
            run = self.run(argv[0], argv[1:], env, timeout, stdin_text, cwd)
        if run.timed_out:
            raise subprocess.TimeoutExpired([sys.executable, *argv], timeout, run.stdout, run.stderr)
        done = subprocess.CompletedProcess([sys.executable, *argv], run.returncode, run.stdout, run.stderr)
        done.mode = run.mode  # type: ignore[attr-defined]  # fork / process（回退原因）
        return done

    def spawn(self, argv: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | str = REPO,
              stdout=None, stderr=None, *, note: str = ""):
        """`subprocess.Popen([sys.executable, *argv], ...)` 的替身：长时间运行的服务（应用、MCP 服务）。

        stdin 是 /dev/null；stdout/stderr 可以是 None（继承）、DEVNULL、文件对象或文件描述符，
        stderr 还可以是 STDOUT。返回的对象有 Popen 的 pid、returncode、poll()、wait()、send_signal()、
        terminate()、kill()。独立进程模式下就是 Popen 本身。两种方式下服务都在自己的进程组里
        （进程组号就是 pid），`os.killpg(proc.pid, ...)` 连同它起的子进程一起结束。
        """
        return subprocess.Popen([sys.executable, *argv], cwd=cwd, env=dict(os.environ if env is None else env),
                                stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, start_new_session=True)

    def close(self) -> None:
        pass


class ForkServer(ProcessRunner):
    """`tests/forkserver.py` 的客户端：每次 `run()` 让它 fork 一个子进程运行脚本（见模块说明）。

    `base_env` 是服务器自己导入时的环境。`run()` 的环境里，解释器启动时或模块导入时读取的变量
    与它不同的，这一次改用独立进程，结果的 `mode` 写明原因。线程安全：可以从线程池并发调用。
    """

    mode = "fork"

    def __init__(self, base_env: Mapping[str, str] | None = None, *, folder: str | None = None) -> None:
        self.base_env = dict(base_env if base_env is not None else smoke_env(Path(tempfile.gettempdir())))
        self._dir = None if folder else tempfile.TemporaryDirectory(prefix="forkserver-")
        self.socket_path = os.path.join(folder or self._dir.name, "s")
        self._log = tempfile.TemporaryFile()
        start = time.perf_counter()
        self._proc = subprocess.Popen(
            [sys.executable, str(FORKSERVER), self.socket_path], cwd=REPO, env=self.base_env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
        )
        self._live: set[int] = set()
        self._lock = threading.Lock()
        line = self._read_ready(deadline=start + 180)
        self.startup_seconds = time.perf_counter() - start
        info = json.loads(line)
        self.import_seconds: float = info["import_seconds"]
        self.import_env: dict[str, str | None] = info["import_env"]
        self.skipped: list[str] = info["skipped"]

    def info(self) -> dict:
        """别的进程（xdist worker）用 `ForkServer.attach(info)` 连上同一个服务器所需的一切。"""
        return {"socket_path": self.socket_path, "base_env": self.base_env, "import_env": self.import_env,
                "import_seconds": self.import_seconds, "startup_seconds": self.startup_seconds,
                "skipped": self.skipped}

    @classmethod
    def attach(cls, info: Mapping) -> ForkServer:
        """连上另一个进程启动的服务器（不拥有它：close() 只结束自己起的子进程）。"""
        self = cls.__new__(cls)
        self.socket_path, self.base_env = info["socket_path"], dict(info["base_env"])
        self.import_env, self.skipped = dict(info["import_env"]), list(info["skipped"])
        self.import_seconds, self.startup_seconds = info["import_seconds"], info["startup_seconds"]
        self._proc = self._dir = self._log = None
        self._live, self._lock = set(), threading.Lock()
        return self

    def _read_ready(self, deadline: float) -> bytes:
        assert self._proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self._proc.stdout, selectors.EVENT_READ)
            if sel.select(max(deadline - time.perf_counter(), 0)):
                line = self._proc.stdout.readline()
                if line.startswith(b"{"):
                    return line
        self.close()
        self._log.seek(0)
        raise RuntimeError("fork 服务器没有启动：\n" + _text(self._log.read())[-4000:])

    def fallback_reason(self, env: Mapping[str, str]) -> str | None:
        """这个环境不能用 fork 运行的原因；可以时返回 None。"""
        for key in sorted(set(env) | set(self.base_env)):
            if key in EMULATED_VARS or (key == "PYTHONPATH" and "PYTHONPATH" not in self.base_env):
                continue
            if STARTUP_VARS.match(key) and env.get(key) != self.base_env.get(key):
                return f"{key} 在解释器启动时读取，与 fork 服务器不同"
        io_enc = [(e.get("PYTHONIOENCODING") or "").partition(":") for e in (env, self.base_env)]
        if bool(io_enc[0][0]) != bool(io_enc[1][0]) or io_enc[0][2] != io_enc[1][2]:
            # 子进程照着环境换编码、缓冲方式；只有“写没写编码”“错误处理”会改变解释器的默认值，这两样要相同
            return "PYTHONIOENCODING 的写法与 fork 服务器不同"
        for key, value in self.import_env.items():
            if key == "*":
                return "有模块在导入时遍历了整个环境"
            if env.get(key) != value:
                return f"{key} 在模块导入时读取，与 fork 服务器不同"
        return None

    def run(self, path: Path | str, args: Sequence[str] = (), env: Mapping[str, str] | None = None,
            timeout: float = DEFAULT_TIMEOUT, stdin_text: str | None = None,
            cwd: Path | str = REPO, *, note: str = "", code: str | None = None,
            module: str | None = None) -> Run:
        env = dict(os.environ if env is None else env)
        reason = self.fallback_reason(env)
        if reason:
            return super().run(path, args, env, timeout, stdin_text, cwd, note=reason, code=code,
                               module=module)
        path = Path(path).absolute()
        start = time.perf_counter()
        deadline = start + timeout
        request = {"path": str(path), "args": list(args), "cwd": str(cwd), "env": env}
        if code is not None:
            request["code"] = code
        elif module is not None:
            request["module"] = module
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        stdin_file = tempfile.TemporaryFile() if stdin_text is not None else open(os.devnull, "rb")  # noqa: SIM115
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = None
        try:
            if stdin_text is not None:
                stdin_file.write(stdin_text.encode())
                stdin_file.seek(0)
            conn.connect(self.socket_path)
            socket.send_fds(conn, [json.dumps(request).encode()], [stdin_file.fileno(), out_w, err_w])
        finally:
            os.close(out_w)
            os.close(err_w)  # 只有子进程还拿着写端：它（和它的子进程）都退出时，这边读到 EOF
            stdin_file.close()
        chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
        returncode: int | None = None
        cpu: float | None = None
        timed_out = False
        with selectors.DefaultSelector() as sel:
            sel.register(out_r, selectors.EVENT_READ)
            sel.register(err_r, selectors.EVENT_READ)
            sel.register(conn, selectors.EVENT_READ)
            while len(sel.get_map()) > 0:
                left = deadline - time.perf_counter()
                if left <= 0:
                    if timed_out or pid is None:
                        break  # 杀掉之后又等了 10 秒：放弃残留的管道（逃出进程组的孙进程）
                    timed_out = True
                    _kill_group(pid)
                    deadline = time.perf_counter() + 10
                    continue
                for key, _ in sel.select(left):
                    if key.fileobj is conn:
                        msg = conn.recv(4096)
                        if not msg:
                            sel.unregister(conn)
                            continue
                        reply = json.loads(msg)
                        if "pid" in reply:
                            pid = reply["pid"]
                            with self._lock:
                                self._live.add(pid)
                        else:
                            returncode, cpu = reply["returncode"], reply.get("cpu")
                    else:
                        data = os.read(key.fd, 65536)
                        if data:
                            chunks[key.fd].append(data)
                        else:
                            sel.unregister(key.fd)
        conn.close()
        os.close(out_r)
        os.close(err_r)
        if pid is not None:
            with self._lock:
                self._live.discard(pid)
        if returncode is None and not timed_out and pid is None:
            raise RuntimeError("fork 服务器没有回应（它退出了吗？）")
        return Run(Lesson(path, args=list(args), timeout=timeout), returncode,
                   _text(b"".join(chunks[out_r])), _text(b"".join(chunks[err_r])),
                   time.perf_counter() - start, timed_out, "fork", cpu)

    def spawn(self, argv: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | str = REPO,
              stdout=None, stderr=None, *, note: str = ""):
        env = dict(os.environ if env is None else env)
        if self.fallback_reason(env):
            return super().spawn(argv, env, cwd, stdout, stderr)
        argv = list(argv)
        request: dict = {"path": None, "args": argv[2:], "cwd": str(cwd), "env": env}
        if argv[0] == "-c":
            request["code"] = argv[1]
        elif argv[0] == "-m":
            request["module"] = argv[1]
        else:
            request.update(path=str(Path(argv[0]).absolute()), args=argv[1:])
        return ForkedProcess(self, request, stdout, stderr)

    def close(self) -> None:
        with self._lock:
            live, self._live = self._live, set()
        for pid in live:
            _kill_group(pid)
        if self._proc is None:  # attach() 连上的：服务器归别的进程管
            return
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()  # 服务器读到 EOF 就退出
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        for stream in (self._proc.stdout,):
            if stream:
                stream.close()
        self._log.close()
        if self._dir is not None:
            self._dir.cleanup()


class ForkedProcess:
    """fork 服务器上一个长时间运行的子进程，用法同 subprocess.Popen（见 ProcessRunner.spawn）。

    子进程在自己的进程组里（setsid），由 fork 服务器回收；退出码经由连接送回。
    """

    def __init__(self, server: ForkServer, request: dict, stdout, stderr) -> None:
        self.args = request
        self.returncode: int | None = None
        self._server = server
        opened: list[int] = []

        def fd_of(target, default: int) -> int:
            if target is None:
                return default
            if target == subprocess.DEVNULL:
                fd = os.open(os.devnull, os.O_RDWR)
                opened.append(fd)
                return fd
            return target if isinstance(target, int) else target.fileno()

        out = fd_of(stdout, 1)
        err = out if stderr == subprocess.STDOUT else fd_of(stderr, 2)
        stdin = fd_of(subprocess.DEVNULL, 0)
        self._conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._conn.connect(server.socket_path)
            socket.send_fds(self._conn, [json.dumps(request).encode()], [stdin, out, err])
            reply = self._conn.recv(4096)
        finally:
            for fd in opened:
                os.close(fd)
        if not reply:
            raise RuntimeError("fork 服务器没有回应（它退出了吗？）")
        self.pid: int = json.loads(reply)["pid"]
        with server._lock:
            server._live.add(self.pid)

    def poll(self) -> int | None:
        return self.wait(0) if self.returncode is None and self._ready(0) else self.returncode

    def _ready(self, timeout: float | None) -> bool:
        with selectors.DefaultSelector() as sel:
            sel.register(self._conn, selectors.EVENT_READ)
            return bool(sel.select(timeout))

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not self._ready(timeout):
                raise subprocess.TimeoutExpired(self.args, timeout)
            msg = self._conn.recv(4096)
            self.returncode = json.loads(msg)["returncode"] if msg else -signal.SIGKILL
            self._conn.close()
            with self._server._lock:
                self._server._live.discard(self.pid)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def __enter__(self) -> ForkedProcess:
        return self

    def __exit__(self, *exc) -> None:
        if self.returncode is None:
            self.kill()
            self.wait()


def spawn(argv: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | str = REPO,
          stdout=None, stderr=None):
    """用会话共用的运行器启动一个长时间运行的 `python ARGV...`（见 ProcessRunner.spawn）。"""
    return default_runner().spawn(argv, env, cwd, stdout, stderr)


def fork_supported() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(socket, "SOCK_SEQPACKET")


def smoke_mode() -> str:
    """`SMOKE_MODE=process` 强制每个脚本一个独立进程；默认在 Linux 上用 fork 服务器。"""
    mode = (os.environ.get("SMOKE_MODE") or ("fork" if fork_supported() else "process")).lower()
    if mode not in ("fork", "process"):
        raise ValueError(f"SMOKE_MODE={mode!r} 不认识：可选 fork / process")
    return mode


@contextlib.contextmanager
def start_runner(mode: str | None = None, base_env: Mapping[str, str] | None = None
                 ) -> Iterator[ProcessRunner]:
    """启动一个运行器（fork 服务器或独立进程），用完关闭。"""
    runner = ForkServer(base_env) if (mode or smoke_mode()) == "fork" else ProcessRunner()
    try:
        yield runner
    finally:
        runner.close()


_default: ProcessRunner | None = None
_default_lock = threading.Lock()
# xdist：主进程启动 fork 服务器，把它写进这个文件夹（ready.json）；worker 设置 SHARED_FORKSERVER 后连上它。
SHARED_FORKSERVER: str | None = None


def default_runner() -> ProcessRunner:
    """整个测试会话共用的运行器，第一次用到时启动；conftest 在会话结束时关闭它。"""
    global _default
    with _default_lock:
        if _default is None:
            if smoke_mode() != "fork":
                _default = ProcessRunner()
            elif SHARED_FORKSERVER:
                _default = ForkServer.attach(_wait_shared(SHARED_FORKSERVER))
            else:
                _default = ForkServer()
        return _default


def _wait_shared(folder: str, timeout: float = 180) -> dict:
    ready = Path(folder) / "ready.json"
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"主进程的 fork 服务器 {timeout:.0f}s 内没有就绪")
        time.sleep(0.05)
    info = json.loads(ready.read_text(encoding="utf-8"))
    if "error" in info:
        raise RuntimeError(f"主进程的 fork 服务器没有启动：{info['error']}")
    return info


def start_shared_server(folder: str) -> None:
    """xdist 主进程（在后台线程里）：启动会话共用的 fork 服务器，就绪后写 folder/ready.json。"""
    global _default
    try:
        with _default_lock:
            if smoke_mode() == "fork" and _default is None:
                _default = ForkServer(folder=folder)
            info = _default.info() if isinstance(_default, ForkServer) else {"error": "不是 fork 模式"}
    except Exception as exc:  # noqa: BLE001  # 交给 worker 报告
        info = {"error": str(exc)}
    tmp = Path(folder) / "ready.tmp"
    tmp.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    tmp.replace(Path(folder) / "ready.json")


def close_default_runner() -> None:
    global _default
    with _default_lock:
        runner, _default = _default, None
    if runner is not None:
        runner.close()


def run_script(path: Path, args: list[str], env: dict[str, str], timeout: float,
               stdin_text: str | None = None) -> tuple[int | None, str, str, float, bool]:
    """运行一个脚本（用会话共用的运行器），返回 (退出码, stdout, stderr, 秒数, 是否超时)。"""
    run = default_runner().run(path, args, env, timeout, stdin_text)
    return run.returncode, run.stdout, run.stderr, run.seconds, run.timed_out


def run_python(argv: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = DEFAULT_TIMEOUT,
               stdin_text: str | None = None, cwd: Path | str = REPO) -> subprocess.CompletedProcess:
    """`subprocess.run([sys.executable, *argv], capture_output=True, text=True)` 的替身，用会话共用的运行器。"""
    return default_runner().run_python(argv, env, timeout, stdin_text, cwd)


def run_lesson(lesson: Lesson, data_dir: Path, runner: ProcessRunner | None = None,
               **extra_env: str) -> Run:
    run = (runner or default_runner()).run(
        lesson.path, lesson.args, smoke_env(data_dir, **extra_env), lesson.timeout
    )
    run.lesson = lesson
    return run


def measure_bare_import(module: str = "agents") -> tuple[float, float | None]:
    """一个全新进程里 `python -c "import agents"` 的耗时和 CPU 秒数：冒烟测试总耗时的参照。"""
    env = smoke_env(Path(tempfile.gettempdir()))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", f"import {module}"], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL)
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode, cpu = os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime
    else:
        proc.wait()
        cpu = None
    if proc.returncode != 0:
        raise RuntimeError(f"import {module} 失败（退出码 {proc.returncode}）")
    return time.perf_counter() - start, cpu


def check_output(expected: list[str], output: str) -> str | None:
    """预期各行是否按顺序出现在输出里；不符时返回说明，相符返回 None。"""
    actual = [line.strip() for line in output.splitlines()]
    pos = 0
    for want in expected:
        pattern = re.compile(".*".join(re.escape(p) for p in want.split("...")))
        while pos < len(actual) and not pattern.fullmatch(actual[pos]):
            pos += 1
        if pos == len(actual):
            return f"预期输出的这一行没有（按顺序）出现：\n    {want}"
        pos += 1
    return None
