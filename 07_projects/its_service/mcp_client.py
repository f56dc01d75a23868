"""worker 这一侧的业务服务客户端：拉起 / 停止业务服务子进程，和它保持几条 MCP 长连接。

- `McpSupervisor`：没设 ITS_MCP_URL 时，由它把业务服务（mcp_server.py）作为子进程拉起、挂了重启、
  停服务时停掉；设了 ITS_MCP_URL 就只连那个地址（多个 worker、多台机器共用一个业务服务）。
- `BusinessClient`：每个 worker 一个，持有 ITS_MCP_POOL 条长连接（SDK 的 `MCPServerStreamableHttp`，
  启动时连上，之后每一轮对话都复用，不再“每轮握手、列工具、再调用”）。`call("create_refund", …)`
  调业务操作并解析 JSON；连接断了就重连一次再试（业务服务挂了会先重启它），还不行就抛
  `McpUnavailable`，chat.py 把它翻译成 `mcp_unavailable`。重试是安全的：写操作都带幂等键。
- `AgentMcpServer`：交给订单专员 Agent 的 `mcp_servers=[...]`，只露出 get_order / track_shipment，
  底下用的还是同一组长连接。`tool_meta_resolver`：SDK 每次调用 MCP 工具前问它要请求的 `_meta`，
  这里从运行上下文取出会话绑定的顾客编号放进去——顾客身份就这样一路带到业务服务，不经过模型。
  （它的 `tool_output_guardrails`，个人信息遮盖护栏，由 agents.py 的 build_team 挂上。）
- 顾客身份：`call(name, customer=..., **参数)` 把顾客编号放进 `_meta`，不是参数。
- 令牌：自己拉起业务服务时，每次启动生成一个新的随机令牌，经子进程的标准输入交给它（不进环境变量、不上命令行），
  只有这个 worker 知道；连外部业务服务时用 ITS_MCP_TOKEN。

worker 不导入业务数据层（shop/）：和业务服务之间的约定（名字、`_meta` 的键、给 Agent 的工具）在 business.py。

为什么几条连接而不是一条：SDK 的 `MCPServerStreamableHttp` 在一条连接上一次只发一个请求
（`_serialize_session_requests`），几百个并发对话共用一条会排长队。
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import secrets
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from agents.mcp import MCPServer, MCPServerStreamableHttp, MCPToolMetaContext
from mcp.types import CallToolResult

from its_service.business import AGENT_TOOLS, CUSTOMER_META, NAME, READY_PREFIX
from its_service.errors import BusinessError, McpUnavailable
from its_service.settings import ServiceSettings
from shared.content import content_text

log = logging.getLogger("its_service.mcp")
T = TypeVar("T")
PROJECT_DIR = Path(__file__).resolve().parent.parent  # 07_projects/


# ---------------------------------------------------------------- 子进程


class McpSupervisor:
    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.external_url = settings.mcp_url
        self.url: str | None = settings.mcp_url or None
        # 自己拉起的业务服务：一个新的随机令牌（每次启动都换），只交给那个子进程
        self.token = settings.mcp_token if settings.mcp_url else secrets.token_urlsafe(32)
        self.restarts = 0
        self._proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._alive() else None

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    async def is_up(self) -> bool:
        if not self.external_url:
            return self._alive()
        url = urlparse(self.external_url)  # 外部服务：看端口能不能连上
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(url.hostname, url.port or 80), 0.5)
        except (OSError, asyncio.TimeoutError):
            return False
        writer.close()
        return True

    async def start(self) -> None:
        """拉起子进程，等它打印就绪行；超时或提前退出都抛 McpUnavailable。"""
        if self.external_url:
            return
        self._proc, self.url = await spawn_business_service(self.settings, self.token)
        log.info("业务服务已启动：%s（pid %s）", self.url, self._proc.pid)

    async def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            await _terminate(proc)

    async def ensure_running(self) -> str:
        """返回可用的地址；子进程已经退出就重启一次。"""
        if self.external_url:
            return self.external_url
        async with self._lock:
            if not self._alive():
                if self._proc is not None:
                    log.warning("业务服务已退出（返回码 %s），正在重启", self._proc.returncode)
                await self._restart()
            assert self.url is not None
            return self.url

    async def recover(self, generation: int) -> None:
        """连接失败后调用：进程还在却连不上（卡死了）就重启它。同一波失败只重启一次——
        别的连接已经触发过重启（restarts 变了），就直接用新地址重连。"""
        if self.external_url:
            return
        async with self._lock:
            if self.restarts == generation:
                await self._restart()

    async def _restart(self) -> None:
        await self.stop()
        try:
            await self.start()
        finally:  # 新进程起来之后才算“新一代”：重启期间失败的调用看到的还是旧的代数
            self.restarts += 1


async def spawn_business_service(settings: ServiceSettings, token: str) -> tuple[asyncio.subprocess.Process, str]:
    env = {k: v for k, v in os.environ.items() if k != "ITS_MCP_TOKEN"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_DIR), env.get("PYTHONPATH")]))
    proc = await asyncio.create_subprocess_exec(
        *business_command(settings.shop_db_url),
        cwd=PROJECT_DIR, env=env, stdout=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.PIPE,
    )
    proc.stdin.write(f"{token}\n".encode())
    await proc.stdin.drain()
    proc.stdin.close()
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), settings.mcp_start_timeout)
    except asyncio.TimeoutError:
        line = b""
    text = line.decode("utf-8", "replace").strip()
    if not text.startswith(READY_PREFIX):
        await _terminate(proc)
        raise McpUnavailable("业务服务没能启动")
    return proc, text.removeprefix(READY_PREFIX)


def business_command(url: str) -> list[str]:
    """拉起业务服务的命令：空闲端口；令牌从标准输入读；父进程没了它也退出。"""
    return [sys.executable, "-m", "its_service", "mcp", "--url", url, "--port", "0", "--token-stdin",
            "--parent-pid", str(os.getpid())]


async def _terminate(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 3)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()


# ---------------------------------------------------------------- 长连接池


class _Slot:
    """池里的一个位置：一条 MCP 连接，以及它是第几代（重连一次加一）。"""

    def __init__(self) -> None:
        self.server: MCPServerStreamableHttp | None = None
        self.url: str | None = None  # 连的是哪个地址：业务服务重启后地址变了，旧连接作废
        self.generation = 0
        self.lock = asyncio.Lock()


class BusinessClient:
    def __init__(self, settings: ServiceSettings, supervisor: McpSupervisor) -> None:
        self.settings = settings
        self.supervisor = supervisor
        self.slots = [_Slot() for _ in range(settings.mcp_pool)]
        self._next = itertools.cycle(range(len(self.slots)))
        self.tools: list[Any] | None = None  # 给 Agent 的工具清单（只取一次）
        self.agent_server = AgentMcpServer(self)

    async def start(self) -> None:
        """启动时连上所有连接；连不上也不要紧（服务照常启动），用到时再连。"""
        results = await asyncio.gather(*(self._ensure(s) for s in self.slots), return_exceptions=True)
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            log.warning("连接业务服务失败（%s），稍后用到时重试", failed[0])

    async def close(self) -> None:
        for slot in self.slots:
            server, slot.server = slot.server, None
            if server is not None:
                with contextlib.suppress(Exception):
                    await server.cleanup()

    @property
    def connected(self) -> int:
        return sum(s.server is not None for s in self.slots)

    async def status(self) -> dict[str, Any]:
        """/healthz：业务服务在不在、是不是自己拉起的（pid）、重启过几次、开着几条长连接。"""
        supervisor = self.supervisor
        return {"mcp": "up" if await supervisor.is_up() else "down", "mcp_pid": supervisor.pid,
                "mcp_restarts": supervisor.restarts, "mcp_connections": self.connected}

    async def _ensure(self, slot: _Slot) -> MCPServerStreamableHttp:
        if slot.server is not None and slot.url == self.supervisor.url:
            return slot.server
        async with slot.lock:
            if slot.server is not None and slot.url != self.supervisor.url:
                stale, slot.server = slot.server, None
                with contextlib.suppress(Exception):
                    await stale.cleanup()
            if slot.server is None:
                url = await self.supervisor.ensure_running()
                slot.server = await self._open(url)
                slot.url = url
                slot.generation += 1
            return slot.server

    async def _open(self, url: str) -> MCPServerStreamableHttp:
        timeout = self.settings.mcp_timeout
        token = self.supervisor.token
        headers = {"Authorization": f"Bearer {token}"} if token else None
        server = MCPServerStreamableHttp(
            name=NAME,
            params={"url": url, "timeout": timeout, "sse_read_timeout": timeout,
                    **({"headers": headers} if headers else {})},
            client_session_timeout_seconds=timeout,
            cache_tools_list=True,
            # None：业务操作失败时抛异常、让这一轮失败（报 mcp_unavailable），
            # 而不是把错误文字交给模型，让它对着一条报错编答案。
            failure_error_function=None,
        )
        try:
            await server.connect()
        except Exception as exc:
            raise McpUnavailable(f"连不上业务服务 {url}：{exc}") from exc
        return server

    async def _drop(self, slot: _Slot, generation: int, restarts: int) -> None:
        """这条连接出错了：关掉它（只关一次），必要时让 supervisor 重启业务服务。"""
        async with slot.lock:
            if slot.generation == generation and slot.server is not None:
                server, slot.server = slot.server, None
                with contextlib.suppress(Exception):
                    await server.cleanup()
        try:
            await self.supervisor.recover(restarts)
        except McpUnavailable as exc:
            log.warning("重启业务服务失败：%s", exc)

    async def _attempt(self, what: str, action: Callable[[MCPServerStreamableHttp], Awaitable[T]]) -> T:
        """在一条长连接上做一件事；连接层面的失败（断了、超时、业务服务重启了）换一条连接再试一次。"""
        error: BaseException | None = None
        for attempt in range(2):
            slot = self.slots[next(self._next)]
            restarts = self.supervisor.restarts  # 出错前看到的重启次数：同一波失败只重启一次
            try:
                server = await self._ensure(slot)
            except McpUnavailable as exc:
                error = exc
                if attempt == 0 and not self.supervisor.external_url:
                    await self._drop(slot, slot.generation, restarts)
                    continue
                break
            generation = slot.generation
            try:
                return await action(server)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = exc
                log.warning("%s 失败（第 %d 次）：%s", what, attempt + 1, exc)
                await self._drop(slot, generation, restarts)
        raise McpUnavailable(f"业务服务不可用（{what}）：{error}") from error

    async def call_raw(self, name: str, arguments: dict[str, Any] | None,
                       meta: dict[str, Any] | None = None) -> CallToolResult:
        """调一个 MCP 工具（Agent 的订单工具和 worker 的业务操作都走这里）。"""
        return await self._attempt(f"调用业务服务 {name}",
                                   lambda server: server.call_tool(name, arguments, meta=meta))

    async def call(self, name: str, *, customer: str | None = None, **arguments: Any) -> Any:
        """调一个业务操作。`customer`：代表哪位顾客（放进 MCP 请求的 _meta，业务服务据此只开放他的订单）。"""
        result = await self.call_raw(name, arguments, {CUSTOMER_META: customer} if customer else None)
        text = content_text(result.content)
        if result.is_error:
            raise BusinessError(f"{name} 出错：{text}")
        return json.loads(text) if text else None

    async def list_agent_tools(self) -> list[Any]:
        if self.tools is None:
            tools = await self._attempt("列出业务服务的工具", lambda server: server.list_tools())
            self.tools = [t for t in tools if t.name in AGENT_TOOLS]
        return self.tools


def customer_meta(meta: MCPToolMetaContext) -> dict[str, Any] | None:
    """SDK 调 MCP 工具前问的 `_meta`：会话绑定的顾客（运行上下文里，服务器放的），不是模型给的参数。"""
    customer = getattr(meta.run_context.context, "customer_id", None)
    return {CUSTOMER_META: customer} if customer else None


class AgentMcpServer(MCPServer):
    """交给订单专员的 MCP 服务：只露出 get_order / track_shipment，调用走 BusinessClient 的长连接。
    Agent 拿着的是这个不变的对象；底下的连接断了、重连了，Agent 都不用知道。"""

    def __init__(self, client: BusinessClient) -> None:
        super().__init__(failure_error_function=None, tool_meta_resolver=customer_meta)
        self.client = client

    @property
    def name(self) -> str:
        return NAME

    async def connect(self) -> None:
        pass

    async def cleanup(self) -> None:
        pass

    async def list_tools(self, run_context: Any = None, agent: Any = None) -> list[Any]:
        return await self.client.list_agent_tools()

    async def call_tool(self, tool_name: str, arguments: dict[str, Any] | None,
                        meta: dict[str, Any] | None = None) -> CallToolResult:
        return await self.client.call_raw(tool_name, arguments, meta)

    async def list_prompts(self, *args: Any, **kwargs: Any) -> Any:
        raise McpUnavailable("业务服务不提供 prompts")

    async def get_prompt(self, *args: Any, **kwargs: Any) -> Any:
        raise McpUnavailable("业务服务不提供 prompts")
