"""主服务这一侧的 MCP：拉起 / 停止订单物流 MCP 子进程，并为每一轮对话建立一条 MCP 连接。

- `McpSupervisor.start()` / `stop()` 在 FastAPI 的 lifespan 里调用：服务起来时拉起子进程，
  服务停下时把它停掉（Ctrl+C 也一样）。
- `McpSupervisor.connect()` 每轮对话用一次：子进程挂了就先重启它。重启不了、连不上时，给出
  一个“替身”服务：不需要订单工具的问题（商品、退款政策……）照常回答；一旦用到订单工具，
  这一轮就以 `McpUnavailable` 失败，chat.py 把它翻译成 `mcp_unavailable` 错误事件。
  所有等待都有超时（MCP 客户端的 HTTP 超时和会话读超时），绝不会一直挂着。
- 为什么每轮一条连接，而不是全局共用一条：服务是无状态的，连接便宜（本机一次握手），
  子进程重启后也不用修复旧连接；连接的打开和关闭都在同一个任务里，符合 anyio 的要求。
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from agents.mcp import MCPServer, MCPServerStreamableHttp

from its_service.mcp_server import READY_PREFIX
from its_service.settings import ServiceSettings

log = logging.getLogger("its_service.mcp")
PROJECT_DIR = Path(__file__).resolve().parent.parent  # 07_projects/


class McpUnavailable(Exception):
    """订单/物流 MCP 服务不可用（没启动起来、进程挂了、超时）。"""


class OrdersMcpServer(MCPServerStreamableHttp):
    """记录“这条连接出过错”：运行失败时据此判断是不是 MCP 的问题。"""

    failed = False

    async def list_tools(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().list_tools(*args, **kwargs)
        except Exception as exc:
            self.failed = True
            raise McpUnavailable(f"列出 MCP 工具失败：{exc}") from exc

    async def call_tool(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().call_tool(*args, **kwargs)
        except Exception as exc:
            self.failed = True
            raise McpUnavailable(f"调用 MCP 工具失败：{exc}") from exc


class UnavailableMcpServer(MCPServer):
    """MCP 服务连不上时的替身：列工具、调工具都直接报 McpUnavailable（不等待、不挂起）。"""

    failed = False

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason

    @property
    def name(self) -> str:
        return "its-orders"

    async def connect(self) -> None:
        pass

    async def cleanup(self) -> None:
        pass

    async def list_tools(self, *args: Any, **kwargs: Any) -> Any:
        self.failed = True
        raise McpUnavailable(self.reason)

    async def call_tool(self, *args: Any, **kwargs: Any) -> Any:
        self.failed = True
        raise McpUnavailable(self.reason)

    async def list_prompts(self, *args: Any, **kwargs: Any) -> Any:
        raise McpUnavailable(self.reason)

    async def get_prompt(self, *args: Any, **kwargs: Any) -> Any:
        raise McpUnavailable(self.reason)


class McpSupervisor:
    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.external_url = settings.mcp_url
        self.url: str | None = settings.mcp_url or None
        self.restarts = 0
        self._proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    # ------------------------------------------------------------ 子进程

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc and self._proc.returncode is None else None

    async def is_up(self) -> bool:
        if not self.external_url:
            return self._proc is not None and self._proc.returncode is None
        url = urlparse(self.external_url)  # 外部服务：看端口能不能连上
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(url.hostname, url.port or 80), 0.5)
        except (OSError, asyncio.TimeoutError):
            return False
        writer.close()
        return True

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    async def start(self) -> None:
        """拉起子进程，等它打印就绪行；超时或提前退出都抛 McpUnavailable。"""
        if self.external_url:
            return
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_DIR), env.get("PYTHONPATH")]))
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "its_service", "mcp",
            "--db", str(self.settings.shop_db), "--port", "0", "--parent-pid", str(os.getpid()),
            cwd=PROJECT_DIR, env=env, stdout=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL,
        )
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), self.settings.mcp_start_timeout)
        except asyncio.TimeoutError:
            line = b""
        text = line.decode("utf-8", "replace").strip()
        if not text.startswith(READY_PREFIX):
            await self._terminate(proc)
            raise McpUnavailable("订单/物流 MCP 服务没能启动")
        self._proc = proc
        self.url = text.removeprefix(READY_PREFIX)
        log.info("订单/物流 MCP 服务已启动：%s（pid %s）", self.url, proc.pid)

    async def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            await self._terminate(proc)

    @staticmethod
    async def _terminate(proc: asyncio.subprocess.Process) -> None:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 3)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()

    async def ensure_running(self) -> str:
        """返回可用的地址；子进程已经退出就重启一次。"""
        if self.external_url:
            return self.external_url
        async with self._lock:
            if not self._alive():
                if self._proc is not None:
                    log.warning("订单/物流 MCP 服务已退出（返回码 %s），正在重启", self._proc.returncode)
                await self.restart()
            assert self.url is not None
            return self.url

    async def restart(self) -> None:
        await self.stop()
        self.restarts += 1
        await self.start()

    # ------------------------------------------------------------ 每轮对话一条连接

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[MCPServer]:
        server: MCPServer | None = None
        generation = self.restarts
        try:
            server = await self._open()
        except McpUnavailable as exc:
            if not self.external_url:  # 进程还在却连不上（卡死了）：重启一次再试
                try:
                    async with self._lock:
                        # 同时失败的多轮对话只重启一次：别的对话已经重启过，就直接重连，
                        # 否则每一次失败都会把大家正在用的服务再杀一遍。
                        if self.restarts == generation:
                            log.warning("%s；重启 MCP 服务后重试", exc)
                            await self.restart()
                    server = await self._open()
                except McpUnavailable as again:
                    exc = again
            if server is None:
                log.warning("订单/物流 MCP 服务不可用：%s", exc)
                server = UnavailableMcpServer(str(exc))
        try:
            yield server
        finally:
            with contextlib.suppress(Exception):
                await server.cleanup()

    async def _open(self) -> OrdersMcpServer:
        url = await self.ensure_running()
        timeout = self.settings.mcp_timeout
        server = OrdersMcpServer(
            name="its-orders",
            params={"url": url, "timeout": timeout, "sse_read_timeout": timeout},
            client_session_timeout_seconds=timeout,
            cache_tools_list=True,
            # None：工具调用失败时抛异常、让这一轮失败（报 mcp_unavailable），
            # 而不是把错误文字交给模型，让它对着一条报错编答案。
            failure_error_function=None,
        )
        try:
            await server.connect()
        except Exception as exc:
            raise McpUnavailable(f"连不上订单/物流 MCP 服务 {url}：{exc}") from exc
        return server
