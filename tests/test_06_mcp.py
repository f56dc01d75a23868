"""06_mcp_multi_agent 的 MCP 部分：真的启动服务进程，用 Agents SDK 的三个客户端类连上去。

- 三种传输（stdio / SSE / streamable HTTP）各自：列工具、调工具；HTTP 的请求头要到达服务端。
- 服务不在：连接在有限时间内失败；08 课的 --server-down 以非零退出码和一句带服务名和 URL 的中文结束。
- 服务卡死：client_session_timeout_seconds 让调用按时失败，而不是一直等。
- 跑完 06 的课程脚本后，没有留下任何 MCP 服务进程（读 /proc，不依赖额外的包）。

测试名里都带 06_mcp，方便 `pytest -k 06_mcp` 一起选中。
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests import lessons
from tests.lessons import REPO, run_script, smoke_env

FOLDER = REPO / "06_mcp_multi_agent"
SERVERS_DIR = FOLDER / "servers"


def load_launch():
    """servers/launch.py：课程脚本启动服务用的那个模块（文件夹名以数字开头，按路径加载）。"""
    spec = importlib.util.spec_from_file_location("lesson06_launch", SERVERS_DIR / "launch.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclass 需要在 sys.modules 里找到自己的模块
    spec.loader.exec_module(module)
    return module


launch = load_launch()


def text_of(result) -> dict:
    """MCP CallToolResult → 服务返回的 JSON。"""
    return json.loads(result.content[0].text)


async def exercise(server, expect_workspace: str | None) -> None:
    tools = {t.name: t for t in await server.list_tools()}
    assert {"get_weather", "get_order_status", "track_logistics", "get_workspace"} <= set(tools)
    assert tools["get_weather"].input_schema["required"] == ["city"]
    weather = text_of(await server.call_tool("get_weather", {"city": "武汉"}))
    assert weather == {"city": "武汉", "weather": "小雨", "temperature": "24℃"}
    workspace = text_of(await server.call_tool("get_workspace", {}))
    if expect_workspace is None:
        assert "没有收到" in workspace["workspace"]  # stdio 没有请求头
    else:
        assert workspace["workspace"] == expect_workspace


@pytest.mark.parametrize("transport", ["stdio", "sse", "streamable-http"])
def test_06_mcp_transport_lists_and_calls_tools(transport):
    from agents.mcp import MCPServerSse, MCPServerStdio, MCPServerStreamableHttp

    async def scenario() -> None:
        if transport == "stdio":
            async with MCPServerStdio(params=launch.stdio_params(launch.ENTERPRISE)) as server:
                await exercise(server, None)
            return
        client = MCPServerSse if transport == "sse" else MCPServerStreamableHttp
        async with launch.serve(launch.ENTERPRISE, transport) as srv:
            assert srv.url.endswith("/sse" if transport == "sse" else "/mcp")
            params = {"url": srv.url, "headers": {"X-Workspace": f"ws-{transport}"}}
            async with client(params=params) as server:
                await exercise(server, f"ws-{transport}")
            # 服务端日志里确实记下了收到的请求头
            assert any(f"X-Workspace=ws-{transport}" in line for line in srv.log_lines())
        assert srv.proc.poll() is not None, "离开 serve() 后服务进程应已结束"

    asyncio.run(asyncio.wait_for(scenario(), 60))


def test_06_mcp_closed_port_fails_fast_with_user_error():
    from agents import UserError
    from agents.mcp import MCPServerStreamableHttp

    url = f"http://127.0.0.1:{launch.free_port()}/mcp"

    async def scenario() -> None:
        server = MCPServerStreamableHttp(name="enterprise-tools", params={"url": url, "timeout": 3},
                                         client_session_timeout_seconds=3)
        with pytest.raises(UserError, match="enterprise-tools"):
            await server.connect()

    start = time.perf_counter()
    asyncio.run(asyncio.wait_for(scenario(), 15))
    assert time.perf_counter() - start < 10


def test_06_mcp_server_down_flag_exits_nonzero_with_chinese_message(tmp_path):
    start = time.perf_counter()
    code, out, err, seconds, timed_out = run_script(
        FOLDER / "08_server_down.py", ["--server-down"], smoke_env(tmp_path), 60)
    assert not timed_out, f"--server-down 没有在时限内结束\n{out}\n{err}"
    assert code == 1, f"退出码应为 1，实际 {code}\n{out}\n{err}"
    assert "Traceback" not in err, err
    message = next((line for line in err.splitlines() if line.startswith("✗")), "")
    assert "MCP 服务「enterprise-tools」" in message, err
    assert "http://127.0.0.1:" in message and "/mcp" in message, err
    assert "不可用" in message and "上限 5 秒" in message, err
    assert "② 启动服务之后" not in out  # 真的在失败处停下，没有继续往下演示
    assert time.perf_counter() - start < 45


def test_06_mcp_frozen_server_call_times_out():
    """服务进程被 SIGSTOP 冻住：端口还在，但不回话。调用必须在超时后失败，而不是一直挂着。"""
    from agents.mcp import MCPServerStreamableHttp

    async def scenario() -> float:
        async with launch.serve(launch.ENTERPRISE) as srv:
            async with MCPServerStreamableHttp(params={"url": srv.url, "timeout": 1},
                                               client_session_timeout_seconds=1) as server:
                await server.list_tools()
                os.kill(srv.pid, signal.SIGSTOP)
                start = time.perf_counter()
                with pytest.raises(Exception, match="(?i)timed out|timeout"):
                    await server.call_tool("get_weather", {"city": "武汉"})
                return time.perf_counter() - start

    waited = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert 0.5 < waited < 10


# ---------------------------------------------------------------- 不留下服务进程


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _stat(pid: str) -> tuple[str, str, int]:
    """(状态, 父进程 pid, 启动时刻)；进程名可能带空格和括号，所以从最后一个 ) 之后数字段。"""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return "", "", 0
    return fields[0], fields[1], int(fields[19])  # 第 3、4、22 个字段


def stray_servers(since: int) -> list[str]:
    """泄漏的 MCP 服务进程：命令行里有本仓库的 06_mcp_multi_agent/servers/…_server.py，在 since 之后启动，
    还活着，而且父进程既不是正在运行的 06 脚本，也不是测试进程。

    课程脚本结束后它启动的服务若还活着，会被过继给 init（或别的收养进程），父进程就对不上了；
    正在运行的脚本所启动的服务、你在另一个终端手动启动的服务（since 之前），都不算泄漏。
    """
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        cmd = _cmdline(pid)
        if str(SERVERS_DIR) + "/" not in cmd or "_server.py" not in cmd:  # 只看本仓库的（别的检出不算）
            continue
        state, ppid, started = _stat(pid)
        parent = _cmdline(ppid)
        if state in ("", "Z") or started < since:
            continue  # 已退出 / 僵尸（父进程还没回收）/ 测试开始前就有的
        if "06_mcp_multi_agent/" in parent or "pytest" in parent or ppid == str(os.getpid()):
            continue  # 属于正在运行的脚本或测试（xdist 的 worker 进程命令行里没有 pytest）
        found.append(f"{pid}: {cmd}")
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="读 /proc，只在 Linux 上")
def test_06_mcp_lessons_leave_no_server_process(request, tmp_path):
    """冒烟测试在同一次会话里时，等它跑完 06 的脚本；单独运行本文件时，自己把 06 的脚本跑一遍。"""
    ours = [lesson for lesson in lessons.discover() if lesson.path.is_relative_to(FOLDER)]
    assert any("servers" in lesson.path.parts for lesson in ours)  # 服务文件本身也是被发现的脚本
    if any("test_smoke_lessons" in item.nodeid for item in request.session.items):
        futures = request.getfixturevalue("lesson_runs")
        runs = [futures[lesson.name].result() for lesson in ours]
    else:
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = list(pool.map(lambda lesson: lessons.run_lesson(lesson, tmp_path / lesson.path.stem),
                                 ours))
    assert all(run.returncode is not None for run in runs)
    since = _stat(str(os.getpid()))[2]  # 本测试进程启动之后出现的服务进程才算
    deadline = time.monotonic() + 5  # 给正常退出的进程一点收尾时间
    while (left := stray_servers(since)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, "这些 MCP 服务进程在课程脚本结束后还活着：\n" + "\n".join(left)
