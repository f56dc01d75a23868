"""一个临时的 PostgreSQL 服务：测试和压测用它验证“业务库换成 PostgreSQL”（不是课程脚本，没有 main）。

    with TempPostgres() as pg:                       # initdb + 启动，空闲端口、临时目录
        url = pg.create_database("its_shop")         # postgresql+psycopg://postgres@127.0.0.1:端口/its_shop
        ...                                          # 退出 with 时停掉服务、删掉目录

- 用 Debian 的 `postgresql` 包（`apt-get install postgresql`；程序在 /usr/lib/postgresql/<版本>/bin，
  不需要它的系统服务）。找不到时 `TempPostgres.unavailable()` 说明原因，测试据此跳过。
- PostgreSQL 拒绝以 root 运行：以 root 身份（CI 就是）时用 `runuser -u postgres` 以 postgres 用户跑
  initdb 和服务，数据目录交给这个用户；普通用户直接跑。
- 只听 127.0.0.1、本机信任认证（测试库，不设密码），unix socket 放在临时目录里；
  `fsync=off` 这类设置只为测试快——丢电就丢数据，别照抄到正式环境。
- 服务在前台运行（不是守护进程），停的时候发 SIGINT（“快速关闭”：断开连接、干净地停）。
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SERVICE_USER = "postgres"


def _binaries() -> Path | None:
    """initdb 和 postgres 所在的目录：PATH 里的，或者 Debian 的 /usr/lib/postgresql/<最新版本>/bin。"""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TempPostgres:
    def __init__(self) -> None:
        self.bin = _binaries()
        self.root = os.geteuid() == 0
        self.folder: Path | None = None
        self.port = 0
        self.proc: subprocess.Popen | None = None

    @classmethod
    def unavailable(cls) -> str | None:
        """不能用的原因（给 pytest.skip 看）；能用返回 None。"""
        if _binaries() is None:
            return "没有 PostgreSQL（Debian：apt-get install postgresql），跳过"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(SERVICE_USER)
            except KeyError:
                return f"以 root 运行却没有 {SERVICE_USER} 用户（PostgreSQL 不肯以 root 运行），跳过"
            if shutil.which("runuser") is None:
                return "以 root 运行却没有 runuser，没法换成普通用户启动 PostgreSQL，跳过"
        return None

    def _as_user(self, cmd: list[str]) -> list[str]:
        return ["runuser", "-u", SERVICE_USER, "--", *cmd] if self.root else cmd

    def start(self) -> TempPostgres:
        reason = self.unavailable()
        if reason:
            raise RuntimeError(reason)
        assert self.bin is not None
        self.folder = Path(tempfile.mkdtemp(prefix="its-pg-"))
        if self.root:
            entry = pwd.getpwnam(SERVICE_USER)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        data = self.folder / "data"
        subprocess.run(self._as_user([str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                      "-E", "UTF8", "--no-locale", "--no-sync"]),
                       check=True, capture_output=True, timeout=120)
        self.port = _free_port()
        log = open(self.folder / "server.log", "w")  # noqa: SIM115  （随服务一起关）
        self.proc = subprocess.Popen(
            self._as_user([str(self.bin / "postgres"), "-D", str(data), "-p", str(self.port), "-h", "127.0.0.1",
                           "-k", str(self.folder), "-c", "fsync=off", "-c", "synchronous_commit=off",
                           "-c", "full_page_writes=off", "-c", "max_connections=200"]),
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                self._connect("postgres").close()
                return self
            except Exception:  # noqa: BLE001  # 还没就绪
                time.sleep(0.1)
        output = self.log()
        self.stop()
        raise RuntimeError(f"PostgreSQL 没能启动：\n{output[-2000:]}")

    def log(self) -> str:
        path = self.folder / "server.log" if self.folder else None
        return path.read_text(errors="replace") if path and path.exists() else ""

    def _connect(self, database: str):  # noqa: ANN202
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=database,
                               autocommit=True, connect_timeout=2)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """新建一个空库（已存在就先删掉），返回 SQLAlchemy 地址。"""
        with self._connect("postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.proc is not None:
            pid = self._server_pid()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid or self.proc.pid, signal.SIGINT)  # 快速关闭
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
            self.proc = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    @property
    def server_pid(self) -> int | None:
        """PostgreSQL 主进程的 pid（每条连接一个的后端进程是它的子进程）。"""
        return self._server_pid()

    def _server_pid(self) -> int | None:
        """服务进程的 pid（以 root 运行时 Popen 拿到的是 runuser 的 pid）：数据目录里 postmaster.pid 的第一行。"""
        with contextlib.suppress(OSError, ValueError, TypeError):
            return int((self.folder / "data" / "postmaster.pid").read_text().split()[0])
        return None

    def __enter__(self) -> TempPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
