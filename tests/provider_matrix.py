"""提供方矩阵：每个课程脚本 × 每个提供方 profile，离线验证“改 .env 换提供方”。

对每个提供方，在本进程里起一个 `--profile <提供方>` 的模拟模型，然后像学员改了 `.env` 那样运行脚本：
`LLM_PROVIDER=<提供方>`、该提供方的 Key 变量 = 假 Key、`OPENAI_BASE_URL` 指向那个模拟模型。
每次运行必须退出码 0、没有 traceback，并打印它为这个提供方声明的输出。

声明方式（写在脚本文档字符串里，和“预期输出（内置模拟模型）”一样缩进列出各行）：

    提供方预期输出（bailian、deepseek）:
        ⚠ 当前提供方 ...不支持 Responses API...

- 列出的提供方用这一段**代替**默认的“预期输出（内置模拟模型）”；
- 没有专门声明的提供方沿用默认那段，其中只替换和提供方有关的词：`【模型】` 那一行换成该提供方的，
  `mock-model` / `mock-reasoner` 换成预设的默认模型 / 推理模型（见 `adapt_line`）。
- 结果：✓ 按声明输出正常运行；⚠ 按声明输出了“不支持”的说明（以“⚠ 当前提供方”开头的行，
  shared.factory 的 require_* / explain_* 打印的）并正常退出；✗ 其它。

**换提供方时留下的数据也在测试之内**：所有格子共用一个数据目录（`ITS_DATA_DIR`），每个脚本按 `RUN_ORDER`
依次在各提供方下运行——默认不输出推理内容的（openai、bailian、ollama）在前，默认思考的（siliconflow、
deepseek）在后。于是后面的提供方读到的是前面的提供方写下的会话历史、审批状态……，正像学员上完几课后改了
`.env`。脚本在同一个数据目录里第二次运行时输出不同的（比如 05_stream_events/07_persistent_session.py），
另外声明一段（不是第一个运行的提供方都按它核对，其中也按 `adapt_line` 替换提供方有关的词）：

    再次运行的预期输出（同一个数据目录里已有之前的运行留下的会话）:
        会话 ...：启动时已有 ... 条记录

（标题不用“预期输出（bailian）”，是为了不被今天的 tests/lessons.py 当成默认预期的一部分。）

命令行：
    python -m tests.provider_matrix                      # 全部脚本 × 5 个提供方，打印矩阵
    python -m tests.provider_matrix -p deepseek -k 03_agents   # 只跑一部分
    python -m tests.provider_matrix --write-readme       # 跑完后改写根 README 里的矩阵表
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from shared.config import PRESETS
from tests import lessons

PROVIDERS = ("openai", "bailian", "deepseek", "siliconflow", "ollama")
# 同一个脚本在各提供方下依次运行的顺序（共用数据目录）：默认会输出推理内容的提供方排在后面。
RUN_ORDER = tuple(sorted(PROVIDERS, key=lambda p: PRESETS[p].thinking_by_default))
DUMMY_KEY = "sk-dummy"
VARIANT_HEADER = re.compile(r"^提供方预期输出[（(]([^）)]+)[）)]\s*[:：]\s*$")
OK, EXPLAINED, FAILED = "✓", "⚠", "✗"
EXPLANATION = "⚠ 当前提供方"  # shared.factory 的 require_* / explain_* 说明都以它开头
README = lessons.REPO / "README.md"
README_START = "<!-- provider-matrix:start -->"
README_END = "<!-- provider-matrix:end -->"


# ---------------------------------------------------------------- 声明的解析


def parse_variants(doc: str) -> dict[str, list[str]]:
    """文档字符串里的“提供方预期输出（a、b）:”段落 → {提供方: 预期各行}。"""
    variants: dict[str, list[str]] = {}
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        m = VARIANT_HEADER.match(lines[i].strip()) if not lines[i].startswith((" ", "\t")) else None
        i += 1
        if not m:
            continue
        names = [n.strip() for n in re.split(r"[、,，/\s]+", m.group(1)) if n.strip()]
        unknown = [n for n in names if n not in PROVIDERS]
        if unknown:
            raise ValueError(f"提供方预期输出里有不认识的提供方：{unknown}（可选：{', '.join(PROVIDERS)}）")
        block: list[str] = []
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith((" ", "\t"))):
            if lines[i].strip():
                block.append(lines[i].strip())
            i += 1
        for name in names:
            variants[name] = block
    return variants


def adapt_line(line: str, provider: str) -> str:
    """把默认预期（内置模拟模型）里和提供方有关的部分换成这个提供方的。"""
    preset = PRESETS[provider]
    if line.startswith("【模型】提供方=mock"):
        return f"【模型】提供方={provider}（{preset.label}） 模型={preset.model} 地址=http://127.0.0.1:.../v1 Key=..."
    line = line.replace("提供方=mock（内置模拟模型）", f"提供方={provider}（{preset.label}）")
    line = line.replace("provider=mock", f"provider={provider}").replace("Key=****", "Key=...")
    line = line.replace("mock-reasoner", preset.reasoning_model or preset.model)
    return line.replace("mock-model", preset.model)


@dataclass
class Target:
    """矩阵的一行：一个课程脚本和它对每个提供方的预期。"""

    lesson: lessons.Lesson
    variants: dict[str, list[str]] = field(default_factory=dict)
    rerun: list[str] = field(default_factory=list)  # 同一个数据目录里再次运行时的预期（没有声明就和第一次一样）

    @property
    def name(self) -> str:
        return self.lesson.name

    def expected(self, provider: str, again: bool = False) -> list[str]:
        if again and self.rerun:
            return [adapt_line(line, provider) for line in self.rerun]
        if provider in self.variants:
            return self.variants[provider]
        return [adapt_line(line, provider) for line in self.lesson.expected]


# 不进矩阵的脚本：综合案例的压测（和提供方无关、最慢；普通冒烟测试里照跑）。
SKIP = {"07_projects/load_test.py"}


def discover() -> list[Target]:
    targets = []
    for lesson in lessons.discover():
        if lesson.name in SKIP:
            continue
        doc = ast.get_docstring(ast.parse(lesson.path.read_text(encoding="utf-8"))) or ""
        targets.append(Target(lesson, parse_variants(doc), lessons.parse_rerun(doc)))
    return targets


# ---------------------------------------------------------------- 运行


def provider_env(provider: str, base_url: str, data_dir: Path) -> dict[str, str]:
    """学员改好的 .env：提供方、假 Key、指向模拟模型的 OPENAI_BASE_URL。"""
    env = lessons.smoke_env(data_dir)
    env.pop("LLM_PROVIDER", None)
    env.update(LLM_PROVIDER=provider, OPENAI_BASE_URL=base_url)
    key_env = PRESETS[provider].key_env
    if key_env:
        env[key_env] = DUMMY_KEY
    return env


@dataclass
class Cell:
    target: Target
    provider: str
    status: str
    detail: str = ""
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0


def judge(target: Target, provider: str, code: int | None, out: str, err: str, timed_out: bool,
          again: bool = False) -> tuple[str, str]:
    if timed_out:
        return FAILED, f"超过 {target.lesson.timeout:.0f}s 没结束"
    if code != 0:
        return FAILED, f"退出码 {code}"
    if "Traceback" in err:
        return FAILED, "打印了 traceback"
    expected = target.expected(provider, again)
    if not expected:
        return FAILED, "没有声明预期输出"
    problem = lessons.check_output(expected, out)
    if problem:
        return FAILED, problem
    explained = any(line.strip().startswith(EXPLANATION) for line in out.splitlines())
    return (EXPLAINED if explained else OK), ""


def run_cell(target: Target, provider: str, base_url: str, data_dir: Path, again: bool = False) -> Cell:
    """运行一格；`again`：同一个数据目录里之前已经有别的提供方运行过这个脚本。"""
    code, out, err, seconds, timed_out = lessons.run_script(
        target.lesson.path, target.lesson.args, provider_env(provider, base_url, data_dir),
        target.lesson.timeout,
    )
    status, detail = judge(target, provider, code, out, err, timed_out, again)
    return Cell(target, provider, status, detail, out, err, seconds)


class ProfileServers:
    """每个提供方一个 `--profile` 模拟模型，全部脚本共用（在本进程的后台线程里）。"""

    def __init__(self, providers: tuple[str, ...]) -> None:
        from shared.mock import start_mock_server

        self.servers = {p: start_mock_server(profile=p) for p in providers}

    def url(self, provider: str) -> str:
        return self.servers[provider].base_url

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


def run_matrix(targets: list[Target], providers: tuple[str, ...] = PROVIDERS,
               workers: int | None = None) -> list[Cell]:
    workers = workers or int(os.environ.get("SMOKE_WORKERS") or (os.cpu_count() or 2) + 1)
    os.environ.setdefault("MOCK_STREAM_DELAY", "0")
    servers = ProfileServers(providers)
    order = [p for p in RUN_ORDER if p in providers]
    # 慢的先跑（声明了更长超时的、编号靠后的文件夹），线程池的尾巴才短；结果仍按脚本和 providers 的顺序排。
    slow_first = sorted(targets, key=lambda t: (-t.lesson.timeout, -int(t.name[:2])))
    try:
        with tempfile.TemporaryDirectory(prefix="provider-matrix-") as tmp, \
                ThreadPoolExecutor(max_workers=workers) as pool:
            data_dir = Path(tmp)  # 所有格子共用一个数据目录：后面的提供方读到前面的留下的数据

            def chain(target: Target) -> list[Cell]:
                return [run_cell(target, p, servers.url(p), data_dir, again=i > 0) for i, p in enumerate(order)]

            futures = {t.name: pool.submit(chain, t) for t in slow_first}
            cells = {(c.target.name, c.provider): c for f in futures.values() for c in f.result()}
            return [cells[(t.name, p)] for t in targets for p in providers]
    finally:
        servers.stop()


# ---------------------------------------------------------------- 输出


def format_matrix(cells: list[Cell], providers: tuple[str, ...] = PROVIDERS) -> str:
    rows: dict[str, dict[str, str]] = {}
    for c in cells:
        rows.setdefault(c.target.name, {})[c.provider] = c.status
    width = max(len(name) for name in rows) + 2
    lines = ["脚本".ljust(width - 2) + "".join(f"{p:>13}" for p in providers)]
    for name, row in rows.items():
        lines.append(name.ljust(width) + "".join(f"{row.get(p, '-'):>13}" for p in providers))
    counts = {s: sum(1 for c in cells if c.status == s) for s in (OK, EXPLAINED, FAILED)}
    lines.append(f"合计：{OK} {counts[OK]}  {EXPLAINED} {counts[EXPLAINED]}（说明后正常退出）  "
                 f"{FAILED} {counts[FAILED]}")
    return "\n".join(lines)


def readme_table(cells: list[Cell], providers: tuple[str, ...] = PROVIDERS) -> str:
    """根 README 里“哪些课在哪个提供方上能跑”的表（由矩阵生成，不要手改）。"""
    rows: dict[str, dict[str, str]] = {}
    for c in cells:
        rows.setdefault(c.target.name, {})[c.provider] = c.status
    head = "| 脚本 | " + " | ".join(PRESETS[p].label for p in providers) + " |"
    sep = "|---|" + "---|" * len(providers)
    body = [f"| `{name}` | " + " | ".join(row.get(p, "-") for p in providers) + " |"
            for name, row in rows.items()]
    return "\n".join([head, sep, *body])


def replace_readme_block(text: str, table: str) -> str:
    start, end = text.index(README_START), text.index(README_END)
    return text[: start + len(README_START)] + "\n" + table + "\n" + text[end:]


def readme_block(text: str) -> str:
    start, end = text.index(README_START), text.index(README_END)
    return text[start + len(README_START): end].strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.provider_matrix", description=__doc__.splitlines()[0])
    parser.add_argument("-p", "--provider", action="append", choices=PROVIDERS, help="只跑这些提供方（可重复）")
    parser.add_argument("-k", "--filter", action="append", default=[], help="只跑路径里含这段文字的脚本")
    parser.add_argument("--write-readme", action="store_true", help="跑完后改写根 README 里的矩阵表")
    parser.add_argument("-v", "--verbose", action="store_true", help="失败时打印脚本输出")
    args = parser.parse_args(argv)
    providers = tuple(args.provider or PROVIDERS)
    targets = [t for t in discover() if not args.filter or any(f in t.name for f in args.filter)]
    start = time.perf_counter()
    cells = run_matrix(targets, providers)
    print(format_matrix(cells, providers))
    print(f"{len(targets)} 个脚本 × {len(providers)} 个提供方，用时 {time.perf_counter() - start:.0f}s")
    for c in cells:
        if c.status == FAILED:
            print(f"\n✗ {c.target.name} @ {c.provider}：{c.detail}")
            if args.verbose:
                print("--- stdout ---\n" + c.stdout[-3000:] + "\n--- stderr ---\n" + c.stderr[-3000:])
    if args.write_readme:
        if providers != PROVIDERS or args.filter:
            print("--write-readme 需要跑完整矩阵（不能带 -p / -k）", file=sys.stderr)
            return 2
        README.write_text(replace_readme_block(README.read_text(encoding="utf-8"), readme_table(cells)),
                          encoding="utf-8")
        print(f"已改写 {README.relative_to(lessons.REPO)} 里的矩阵表")
    return 1 if any(c.status == FAILED for c in cells) else 0


if __name__ == "__main__":
    sys.exit(main())
