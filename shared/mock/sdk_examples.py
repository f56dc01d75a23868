"""维护者脚本：把 openai-agents-python 自带的 examples 原封不动地跑在内置模拟模型上。

    python -m shared.mock.sdk_examples /path/to/openai-agents-python [--only basic/tools] [--logs DIR]

像 LocalStack 那样衡量模拟模型：不改一行的官方示例，有多少能跑完、输出是否说得通。
脚本在子进程里启动 `python -m shared.mock`，对每个示例设置 OPENAI_BASE_URL / OPENAI_API_KEY，
用 `python -m examples.<目录>.<文件>` 运行（需要示例仓库根目录在 PYTHONPATH 上，示例之间互相 import），
打开示例自带的自动模式（EXAMPLES_INTERACTIVE_MODE=auto：交互输入取示例写好的默认值）。
每个示例的完整输出写进 --logs 目录；退出码为 0 算“跑完”，输出说不说得通要人去读日志。
本仓库不包含示例代码：需要你自己有一份 openai-agents-python 的检出，以及示例要用的 `rich`
（pip install rich）。没装 uv 时，几个 MCP 示例里的 `uv run server.py` 由一个替身脚本用当前 Python 执行。
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SHIM_DIR = Path(tempfile.gettempdir()) / "mock-sdk-examples-bin"

# issue 8 指定的目录。
FOLDERS = ("basic", "agent_patterns", "handoffs", "memory", "model_providers", "customer_service",
           "reasoning_content", "research_bot", "financial_research_agent", "mcp")

# 跑不了的原因与模拟模型无关（要外部服务、额外的包、真实网络、图片/文件输入……）：列出来，不算失败。
SKIP = {
    "basic/hello_world_gpt_oss.py": "需要本地 gpt-oss（Ollama）",
    "basic/image_tool_output.py": "图片输入：模拟模型不支持",
    "basic/local_image.py": "图片输入：模拟模型不支持",
    "basic/remote_image.py": "图片输入且要联网",
    "basic/remote_pdf.py": "文件输入且要联网",
    "basic/local_file.py": "文件输入：模拟模型不支持",
    "basic/retry_litellm.py": "需要 litellm",
    "basic/stream_ws.py": "Responses WebSocket 传输：模拟模型只有 HTTP",
    "agent_patterns/hosted_multi_agent_beta.py": "托管多 Agent（beta）接口：模拟模型不支持",
    "agent_patterns/llm_as_a_judge.py": "示例自己在自动模式下也会跳过（无界循环）",
    "memory/dapr_session_example.py": "需要 Dapr",
    "memory/mongodb_session_example.py": "需要 MongoDB",
    "memory/redis_session_example.py": "需要 Redis 服务",
    "memory/sqlalchemy_session_example.py": "需要 SQLAlchemy 异步驱动",
    "memory/compaction_session_example.py": "responses.compact 接口：模拟模型不支持",
    "memory/compaction_session_stateless_example.py": "responses.compact 接口：模拟模型不支持",
    "model_providers/any_llm_auto.py": "需要 any-llm",
    "model_providers/any_llm_provider.py": "需要 any-llm",
    "model_providers/litellm_auto.py": "需要 litellm",
    "model_providers/litellm_provider.py": "需要 litellm",
    "reasoning_content/gpt_oss_stream.py": "需要本地 gpt-oss（Ollama）",
    "mcp/git_example/main.py": "需要 uvx 下载 mcp-server-git",
    "mcp/sse_remote_example/main.py": "连远程 MCP 服务（要联网）",
    "mcp/streamable_http_remote_example/main.py": "连远程 MCP 服务（要联网）",
    "mcp/manager_example/app.py": "服务程序（由 smoke_test.py 使用）",
    "mcp/manager_example/mcp_server.py": "服务程序（由 smoke_test.py 使用）",
    "mcp/manager_example/smoke_test.py": "需要先手动启动 app.py 和 mcp_server.py",
    "mcp/prompt_server/server.py": "服务程序（由 main.py 启动）",
    "mcp/sse_example/server.py": "服务程序（由 main.py 启动）",
    "mcp/streamablehttp_example/server.py": "服务程序（由 main.py 启动）",
    "mcp/streamablehttp_custom_client_example/server.py": "服务程序（由 main.py 启动）",
}

# 不走自动模式、要喂多轮输入才看得出效果的示例：标准输入依次给这些行，读完后的 EOFError 算正常结束。
STDIN = {
    "customer_service/main.py": [
        "When does the store open?", "Can I bring my dog on the plane?",
        "I want to change my seat", "My confirmation number is LL0EZ6", "Please move me to seat 12A",
    ],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def discover(root: Path, only: list[str]) -> list[str]:
    found = []
    for folder in FOLDERS:
        for path in sorted((root / "examples" / folder).rglob("*.py")):
            rel = path.relative_to(root / "examples").as_posix()
            text = path.read_text(encoding="utf-8", errors="replace")
            if "__main__" not in text or (only and not any(rel.startswith(o) for o in only)):
                continue
            found.append(rel)
    return found


def uv_shim(folder: Path) -> Path:
    """几个 MCP 示例用 `uv run server.py` 拉起服务：没装 uv 时放一个只做这件事的替身（用当前 Python 运行）。"""
    shim = folder / "uv"
    shim.write_text(f'#!/bin/sh\n[ "$1" = run ] && shift\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return folder


def run_one(root: Path, rel: str, base_url: str, logs: Path, timeout: float) -> tuple[str, str, float]:
    if rel in SKIP:
        return rel, "skip", 0.0
    module = "examples." + rel.removesuffix(".py").replace("/", ".")
    lines = STDIN.get(rel)
    env = {**os.environ, "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-mock-examples",
           "PYTHONPATH": str(root), "OPENAI_AGENTS_DISABLE_TRACING": "1", "PYTHONIOENCODING": "utf-8",
           "EXAMPLES_INTERACTIVE_MODE": "" if lines else "auto", "PYTHONUNBUFFERED": "1",
           # model_providers/custom_example_*：自定义提供方的三个变量，同样指向模拟模型
           "EXAMPLE_BASE_URL": base_url, "EXAMPLE_API_KEY": "sk-mock-examples", "EXAMPLE_MODEL_NAME": "mock-model"}
    if shutil.which("uv") is None:
        env["PATH"] = f"{SHIM_DIR}{os.pathsep}{env.get('PATH', '')}"
    with tempfile.TemporaryDirectory(prefix="sdk-example-") as work:
        start = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-m", module], cwd=work, env=env, text=True,
                                  input="\n".join(lines) + "\n" if lines else "", capture_output=True,
                                  timeout=timeout, encoding="utf-8", errors="replace")
            out, err, code = done.stdout, done.stderr, done.returncode
        except subprocess.TimeoutExpired as exc:
            out, err, code = str(exc.stdout or ""), str(exc.stderr or ""), None
        seconds = time.perf_counter() - start
    log = logs / (rel.replace("/", "__") + ".log")
    log.write_text(f"$ python -m {module}\n--- stdout\n{out}\n--- stderr\n{err}\n--- exit {code}\n",
                   encoding="utf-8")
    if code is None:
        return rel, "timeout", seconds
    ended_by_input = lines is not None and err.rstrip().endswith("EOFError: EOF when reading a line")
    return rel, "ok" if code == 0 or ended_by_input else f"exit {code}", seconds


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.mock.sdk_examples", description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="openai-agents-python 检出目录（含 examples/）")
    parser.add_argument("--only", action="append", default=[], help="只跑这个前缀的示例，如 basic/tools")
    parser.add_argument("--logs", type=Path, default=None, help="日志目录（默认一个临时目录）")
    parser.add_argument("--timeout", type=float, default=120, help="每个示例的超时（秒）")
    parser.add_argument("--workers", type=int, default=2, help="同时运行几个示例")
    args = parser.parse_args()
    root = args.checkout.resolve()
    if not (root / "examples").is_dir():
        parser.error(f"{root} 下没有 examples/ 目录")
    logs = args.logs or Path(tempfile.mkdtemp(prefix="sdk-examples-logs-"))
    logs.mkdir(parents=True, exist_ok=True)
    SHIM_DIR.mkdir(exist_ok=True)
    uv_shim(SHIM_DIR)

    port = free_port()
    env = {**os.environ, "MOCK_STREAM_DELAY": "0"}
    server = subprocess.Popen([sys.executable, "-m", "shared.mock", "--port", str(port), "--log-level", "warning"],
                              env=env, stdout=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        examples = discover(root, args.only)
        with ThreadPoolExecutor(args.workers) as pool:
            results = list(pool.map(lambda rel: run_one(root, rel, base_url, logs, args.timeout), examples))
    finally:
        server.terminate()
        server.wait(10)

    ran = [r for r in results if r[1] != "skip"]
    for rel, status, seconds in results:
        note = f"（{SKIP[rel]}）" if status == "skip" else f"{seconds:5.1f}s"
        print(f"{status:8} {rel:58} {note}")
    passed = sum(1 for r in ran if r[1] == "ok")
    print(f"\n跑完 {passed}/{len(ran)}（跳过 {len(results) - len(ran)} 个）；日志：{logs}")
    return 0 if passed == len(ran) else 1


if __name__ == "__main__":
    raise SystemExit(main())
