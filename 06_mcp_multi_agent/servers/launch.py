"""课程脚本用的小工具：把 MCP 服务作为子进程启动、等它就绪、用完一定停掉。

课堂上你可以在另一个终端手动启动服务（见各服务文件开头的命令）；课程脚本为了
“一条命令就是完整演示”，自己启动服务：

    async with serve(ENTERPRISE, "streamable-http") as srv:   # 空闲端口，等端口能连上才返回
        async with MCPServerStreamableHttp(params={"url": srv.url}) as mcp: ...
    # 离开 async with：不管正常结束、出错还是 Ctrl+C，服务进程都会被停掉

停进程的三道保险：
1. try/finally：正常结束、异常、Ctrl+C（asyncio 会取消主任务，finally 照样执行）；
2. 服务进程和课程脚本在同一个进程组：测试工具超时时杀整个进程组，服务一起被杀；
3. Linux 上设置 PR_SET_PDEATHSIG：课程脚本被 kill -9 时，内核给服务发 SIGTERM。

stdio 传输不需要这些：MCPServerStdio 自己拉起子进程，退出 `async with` 时结束它；
父进程没了，子进程的标准输入读到 EOF，也会自己退出。
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

SERVERS_DIR = Path(__file__).resolve().parent
ENTERPRISE = SERVERS_DIR / "enterprise_server.py"
FINANCE = SERVERS_DIR / "finance_server.py"

PATHS = {"sse": "/sse", "streamable-http": "/mcp"}


def stdio_params(script: Path, *extra: str) -> dict:
    """MCPServerStdio 的 params：用当前的 Python 解释器运行服务脚本。"""
    return {"command": sys.executable, "args": [str(script), "--transport", "stdio", *extra]}


def free_port() -> int:
    """向系统要一个当前空闲的本机端口（关掉后立刻交给服务用）。"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServerProcess:
    name: str
    url: str
    proc: subprocess.Popen | None = None  # None：连的是你手动启动的服务（--url）
    log_path: Path | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def log_lines(self) -> list[str]:
        """服务写到 stderr 的日志（我们把它重定向到了临时文件）；手动启动的服务看它自己的终端。"""
        if self.log_path is None or not self.log_path.exists():
            return []
        return self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()


def _die_with_parent_hook():
    """Linux：返回一个在子进程 exec 之前执行的函数，让内核在父进程死掉时给子进程发 SIGTERM。

    libc 在父进程里加载好；子进程里只调用一次 prctl，不做导入、不分配锁。
    """
    if sys.platform != "linux":
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1

    def hook() -> None:  # pragma: no cover - 在子进程里执行
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)

    return hook


class ServerExited(RuntimeError):
    """服务进程在就绪前就退出了（例如端口刚好被别人占了）。"""


async def _wait_ready(proc: subprocess.Popen, port: int, timeout: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise ServerExited(f"MCP 服务启动失败（退出码 {proc.returncode}）：\n{log}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise RuntimeError(f"MCP 服务 {timeout:.0f} 秒内没有在端口 {port} 上就绪")


def stop(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """先礼后兵：SIGTERM 让 uvicorn 正常收尾，等不到就 SIGKILL。"""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        if hasattr(signal, "SIGCONT"):  # POSIX：被 SIGSTOP 冻住的进程处理不了 SIGTERM，先唤醒
            os.kill(proc.pid, signal.SIGCONT)
        proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.asynccontextmanager
async def serve(script: Path, transport: str = "streamable-http", *, url: str | None = None,
                port: int | None = None, args: tuple[str, ...] = (),
                ready_timeout: float = 60.0) -> AsyncIterator[ServerProcess]:
    """启动 `script --transport <transport> --port <port>`，就绪后交出 URL，退出时停止进程。

    给了 url（课程脚本的 --url 参数）就什么也不启动，直接用你在另一个终端里手动启动的服务。
    """
    if url:
        yield ServerProcess(script.stem, url)
        return
    for attempt in range(1 if port else 3):  # 自己挑的端口可能在启动期间被别人抢走：换一个再试
        chosen = port or free_port()
        fd, name = tempfile.mkstemp(prefix=f"{script.stem}-", suffix=".log")
        log_path = Path(name)
        command = [sys.executable, str(script), "--transport", transport, "--port", str(chosen), *args]
        with os.fdopen(fd, "wb") as log_file:
            proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent_hook(),
            )
        try:
            try:
                await _wait_ready(proc, chosen, ready_timeout, log_path)
            except ServerExited:
                if port or attempt == 2:
                    raise
                continue
            url = f"http://127.0.0.1:{chosen}{PATHS[transport]}"
            yield ServerProcess(script.stem, url, proc, log_path)
            return
        finally:
            stop(proc)
            with contextlib.suppress(OSError):
                log_path.unlink()
