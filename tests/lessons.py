"""冒烟测试的工具：找到每个课程脚本，读出它声明的预期输出，在子进程里跑它并核对。

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
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LESSON_DIR = re.compile(r"^\d\d_")
EXPECTED_HEADER = re.compile(r"^预期输出")
ARGS_LINE = re.compile(r"^测试参数[:：]\s*(.*)$")
TIMEOUT_LINE = re.compile(r"^测试超时[:：]\s*(\d+(?:\.\d+)?)")
DEFAULT_TIMEOUT = 60.0


@dataclass
class Lesson:
    path: Path
    expected: list[str]
    args: list[str] = field(default_factory=list)
    timeout: float = DEFAULT_TIMEOUT

    @property
    def name(self) -> str:
        return self.path.relative_to(REPO).as_posix()


@dataclass
class Run:
    lesson: Lesson
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False


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


def run_script(path: Path, args: list[str], env: dict[str, str], timeout: float,
               stdin_text: str | None = None) -> tuple[int | None, str, str, float, bool]:
    """在自己的进程组里运行脚本；超时就把整组进程杀掉，不留子进程。"""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(path), *args], cwd=REPO, env=env,
        stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(stdin_text, timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        timed_out = True
    return proc.returncode, out, err, time.perf_counter() - start, timed_out


def run_lesson(lesson: Lesson, data_dir: Path) -> Run:
    code, out, err, seconds, timed_out = run_script(
        lesson.path, lesson.args, smoke_env(data_dir), lesson.timeout
    )
    return Run(lesson, code, out, err, seconds, timed_out)


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
