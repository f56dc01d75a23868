"""冒烟测试的 fork 服务器：重量级的包只导入一次，每个脚本在一个 fork 出来的全新子进程里运行。

`import agents` 单独就要 2 秒多；每个课程脚本都当作独立进程跑，时间几乎全花在导入上。
这个服务器先把课程脚本会用到的包（agents、openai、mcp、fastapi、uvicorn、pydantic、shared.*）
导入一次，不启动任何线程、不创建事件循环，然后每收到一个请求就 fork 一个子进程：子进程换上脚本的
环境变量、工作目录、sys.argv、sys.path[0]、标准输入输出，把脚本当作 `__main__` 执行，
退出码、traceback、sys.excepthook、atexit 都与 `python script.py` 一样。

只由 tests/lessons.py 的 `ForkServer` 启动，不是课程脚本：

    python tests/forkserver.py SOCKET_PATH

协议（本机 AF_UNIX SOCK_SEQPACKET 套接字，一个连接运行一个脚本）：
- 导入完成后，服务器在 stdout 打印一行 JSON：`{"ready": true, "import_seconds": ..., "import_env": {...}}`，
  `import_env` 是导入期间读过的环境变量和当时的值（客户端据此判断某个环境能否用 fork 运行）；
- 客户端发一条 JSON `{"path", "args", "cwd", "env"}`，附带 3 个文件描述符（stdin、stdout、stderr）；
  带 `"code"` 时是 `python -c CODE args...`，带 `"module"` 时是 `python -m MODULE args...`。
  子进程按这次的环境重建 sys.stdin/stdout/stderr（PYTHONUNBUFFERED、PYTHONIOENCODING），并把 PYTHONPATH
  插到 sys.path 里，与解释器启动时相同；
- 服务器回 `{"pid": 子进程号}`；子进程结束后回 `{"returncode": 退出码, "cpu": CPU 秒数}`
  （退出码被信号杀死时为负数，同 subprocess；CPU 含脚本等待过的子进程）；
- 长时间运行的服务（客户端的 `spawn()`）用的是同一个协议：回了 pid 之后连接一直开着，服务退出时才回退出码。
子进程调用 setsid()，进程组号就是 pid：客户端超时时直接 `killpg(pid, SIGKILL)`。
服务器的 stdin 关闭（启动它的测试进程退出）时，服务器退出。
"""

from __future__ import annotations

import atexit
import builtins
import gc
import importlib
import importlib.machinery
import io
import json
import os
import pkgutil
import runpy
import selectors
import signal
import socket
import sys
import threading
import time
import traceback
import types
from importlib.machinery import SourceFileLoader

# 课程脚本用到的重量级模块。导入失败的（没装的可选依赖）跳过。
PRELOAD = (
    "asyncio", "argparse", "json", "logging", "sqlite3", "subprocess", "tempfile", "unicodedata",
    "dataclasses", "typing", "uuid", "statistics", "platform", "ctypes", "shutil",
    "concurrent.futures.thread", "pydantic", "dotenv", "httpx2", "httpcore2", "jiter", "truststore",
    "anyio._backends._asyncio", "anyio.streams.tls", "anyio.streams.stapled",
    "openai", "openai.types.chat", "openai.types.responses", "openai.types.shared", "openai.resources",
    "openai.pagination", "openai.lib.streaming.chat", "openai.resources.chat.completions",
    "openai.resources.responses",
    "agents", "agents.mcp", "agents.items", "agents.stream_events", "agents.exceptions",
    "agents.extensions.handoff_prompt", "agents.testing", "agents.tracing",
    "mcp", "mcp.types", "mcp.server.mcpserver", "mcp.shared.exceptions",
    "mcp.client.stdio", "mcp.client.sse", "mcp.client.streamable_http",
    "starlette", "starlette.exceptions", "fastapi", "fastapi.sse", "fastapi.encoders",
    "fastapi.exceptions", "fastapi.responses", "fastapi.staticfiles", "fastapi.middleware.cors",
    "uvicorn", "uvicorn.config", "uvicorn.server", "uvicorn.lifespan.on", "uvicorn.lifespan.off",
    "uvicorn.loops.auto",
    "uvicorn.loops.asyncio", "uvicorn.protocols.http.auto", "uvicorn.protocols.http.h11_impl",
    "uvicorn.protocols.http.httptools_impl", "uvicorn.protocols.websockets.auto",
    "pytest",
)

_import_env: dict[str, str | None] = {}
_recording = False


class _RecordingEnviron(os._Environ):  # type: ignore[misc]  # os.environ 的同类对象，共用同一份数据
    """导入期间记下读过哪些环境变量：这些变量的值在 fork 出来的子进程里无法“重新导入”。"""

    def _note(self, key):
        if _recording and isinstance(key, str) and key not in _import_env:
            raw = self._data.get(self.encodekey(key))
            _import_env[key] = None if raw is None else self.decodevalue(raw)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def __iter__(self):
        if _recording:
            _import_env.setdefault("*", "整个环境被遍历过")
        return super().__iter__()


def preload() -> list[str]:
    """导入重量级模块和 shared.*（不含 __main__），记录导入期间读过的环境变量。"""
    global _recording
    real = os.environ
    recorder = _RecordingEnviron(real._data, real.encodekey, real.decodekey,
                                 real.encodevalue, real.decodevalue)
    os.environ = recorder  # noqa: B003  # 故意替换：记录读取，数据与原对象共用
    _recording = True
    skipped = []
    try:
        for name in PRELOAD:
            try:
                importlib.import_module(name)
            except ImportError:
                skipped.append(name)
        try:
            import shared
        except ImportError:
            shared = None
        if shared is not None:
            for info in pkgutil.walk_packages(shared.__path__, "shared."):
                if info.name.rsplit(".", 1)[-1] in ("__main__", "bench"):
                    continue
                try:
                    importlib.import_module(info.name)
                except Exception:  # noqa: BLE001  # 写到一半的模块不该拖垮整个测试
                    skipped.append(info.name)
            # 模拟模型的中文分词器（如果有）很大：在这里加载一次，所有子进程共享。
            text = sys.modules.get("shared.mock.text")
            if text is not None and callable(getattr(text, "preload", None)):
                text.preload()
    finally:
        _recording = False
        os.environ = real  # noqa: B003  # 导入时 `from os import environ` 拿到的 recorder 与它共用数据，无妨
    if threading.active_count() != 1:
        raise RuntimeError(f"预加载的模块启动了线程，不能安全地 fork：{threading.enumerate()}")
    return skipped


# ---------------------------------------------------------------- 子进程：像 python script.py 一样运行


def _exit_code(exc: SystemExit) -> int:
    """与解释器处理未捕获的 SystemExit 相同：None→0，整数原样，其它打印到 stderr 并返回 1。"""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    try:
        print(code, file=sys.stderr)
    except Exception:  # noqa: BLE001
        pass
    return 1


def _stdio(env: dict) -> None:
    """按这次运行的环境重建标准输入输出，与解释器启动时一样读 PYTHONUNBUFFERED、PYTHONIOENCODING。

    fd 0/1/2 已经换成了这次运行的管道；服务器自己的 sys.std* 对象带着它启动时的缓冲方式和编码。
    """
    unbuffered = bool(env.get("PYTHONUNBUFFERED"))
    encoding, _, errors = (env.get("PYTHONIOENCODING") or "").partition(":")
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        old = getattr(sys, name)
        raw = io.FileIO(fd, "rb" if fd == 0 else "wb", closefd=False)
        raw.name = f"<{name}>"
        if fd == 0:
            binary = io.BufferedReader(raw)
        else:
            binary = raw if unbuffered else io.BufferedWriter(raw)
        # 没写编码时沿用服务器的（它也没写，客户端保证）；stderr 的错误处理总是 backslashreplace
        stream = io.TextIOWrapper(binary, encoding=encoding or old.encoding,
                                  errors=(errors if fd != 2 else None) or old.errors,
                                  line_buffering=fd == 2 and not unbuffered, write_through=unbuffered)
        stream.mode = "r" if fd == 0 else "w"
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def run_child(request: dict, fds: list[int], inherited: list) -> None:
    """在 fork 出的子进程里执行脚本，永不返回。"""
    code = 1
    interrupted = False
    try:
        os.setsid()  # 自己的进程组：超时时整组杀掉，包括脚本启动的子进程
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for obj in inherited:
            obj.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)

        path = request["path"]
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        _stdio(request["env"])
        # PYTHONPATH（服务器自己没有设，客户端保证）：和解释器一样排在脚本目录之后、标准库之前
        extra = [os.path.abspath(p) for p in request["env"].get("PYTHONPATH", "").split(os.pathsep) if p]
        sys.path[1:1] = extra

        main = types.ModuleType("__main__")
        main.__dict__.update(__builtins__=builtins, __annotations__={}, __spec__=None, __package__=None)
        if "code" in request:  # python -c CODE args...
            sys.argv = ["-c", *request["args"]]
            sys.orig_argv = [sys.executable, "-c", request["code"], *request["args"]]
            sys.path[0] = ""
            main.__dict__.update(__loader__=importlib.machinery.BuiltinImporter)
            source, filename = request["code"], "<string>"
        elif "module" in request:  # python -m MODULE args...：和解释器一样交给 runpy
            sys.argv = ["-m", *request["args"]]
            sys.orig_argv = [sys.executable, "-m", request["module"], *request["args"]]
            sys.path[0] = os.getcwd()
            source = filename = None
        else:  # python script.py args...
            sys.argv = [path, *request["args"]]
            sys.orig_argv = [sys.executable, *sys.argv]
            sys.path[0] = os.path.dirname(os.path.realpath(path))
            main.__dict__.update(__file__=path, __cached__=None,
                                 __loader__=SourceFileLoader("__main__", path))
            filename = path
            try:
                with open(path, "rb") as f:
                    source = f.read()
            except OSError as exc:  # 与解释器的说法一致，退出码 2
                print(f"{sys.executable}: can't open file {path!r}: [Errno {exc.errno}] {exc.strerror}",
                      file=sys.stderr)
                sys.stderr.flush()
                os._exit(2)
        sys.modules["__main__"] = main
        try:
            # dont_inherit：不继承本文件的 `from __future__ import annotations`
            if source is None:
                runpy._run_module_as_main(request["module"])  # type: ignore[attr-defined]
            else:
                exec(compile(source, filename, "exec", dont_inherit=True), main.__dict__)
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc)
        except BaseException as exc:  # noqa: BLE001  # 与解释器一样：交给 sys.excepthook
            tb = exc.__traceback__
            while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
                tb = tb.tb_next  # traceback 从脚本开始，和 python script.py 一样
            exc.__traceback__ = tb  # 默认的 excepthook 打印的是异常自己的 __traceback__
            sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, tb
            sys.excepthook(type(exc), exc, tb)
            interrupted = isinstance(exc, KeyboardInterrupt)
            code = 1
        # 解释器退出时做的事：等非守护线程、执行 atexit、刷新输出。
        threading._shutdown()  # type: ignore[attr-defined]
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                code = code or 120  # 与解释器相同：退出时写不出去的输出
        if interrupted:  # 未捕获的 Ctrl+C：解释器以 SIGINT 结束自己
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
    except BaseException:  # noqa: BLE001  # 子进程自己的错误（不是脚本的）：写出来再退出
        try:
            traceback.print_exc()
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001
            pass
        os._exit(1)
    os._exit(code & 0xFF)


# ---------------------------------------------------------------- 服务器主循环


def serve(sock_path: str) -> None:
    start = time.perf_counter()
    skipped = preload()
    gc.collect()
    gc.freeze()  # 预加载的对象不再参与子进程的垃圾回收：子进程少复制内存页、回收更快
    import_seconds = time.perf_counter() - start

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(sock_path)
    listener.listen(64)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)

    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, "accept")
    sel.register(wake_r, selectors.EVENT_READ, "child")
    sel.register(0, selectors.EVENT_READ, "stdin")
    conns: dict[int, socket.socket] = {}  # 子进程 pid → 等它结果的连接
    ready = {"ready": True, "pid": os.getpid(), "import_seconds": import_seconds,
             "import_env": _import_env, "skipped": skipped, "modules": len(sys.modules)}
    os.write(1, (json.dumps(ready, ensure_ascii=False) + "\n").encode())

    while True:
        for key, _ in sel.select():
            if key.data == "stdin":
                if not os.read(0, 4096):
                    return  # 启动我们的测试进程退出了
            elif key.data == "accept":
                conn, _ = listener.accept()
                sel.register(conn, selectors.EVENT_READ, "request")
            elif key.data == "request":
                conn = key.fileobj
                sel.unregister(conn)
                msg, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
                if not msg or len(fds) != 3:
                    for fd in fds:
                        os.close(fd)
                    conn.close()
                    continue
                request = json.loads(msg)
                pid = os.fork()
                if pid == 0:
                    run_child(request, fds, [sel, listener, conn, *conns.values(),
                                             _FdCloser(wake_r), _FdCloser(wake_w)])
                for fd in fds:
                    os.close(fd)
                conns[pid] = conn
                conn.sendall(json.dumps({"pid": pid}).encode())
            elif key.data == "child":
                try:
                    while os.read(wake_r, 4096):
                        pass
                except BlockingIOError:
                    pass
                while conns:
                    pid, status, usage = os.wait4(-1, os.WNOHANG)
                    if pid == 0:
                        break
                    conn = conns.pop(pid, None)
                    if conn is not None:
                        # CPU 秒数含它等待过的子进程（脚本自己起的服务进程）：与机器忙不忙无关的开销
                        reply = {"returncode": os.waitstatus_to_exitcode(status),
                                 "cpu": usage.ru_utime + usage.ru_stime}
                        try:
                            conn.sendall(json.dumps(reply).encode())
                        except OSError:
                            pass
                        conn.close()


class _FdCloser:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def close(self) -> None:
        os.close(self.fd)


if __name__ == "__main__":
    serve(sys.argv[1])
