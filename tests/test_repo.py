"""仓库层面的约定：README 与 CI 一致、每课 README 列出的脚本与实际一致、不提交密钥和数据。"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.lessons import REPO, discover

TEST_COMMAND = 'python3 -m venv .venv && .venv/bin/pip install -e ".[dev]" && .venv/bin/python -m pytest'
LESSON_FOLDERS = sorted(p for p in REPO.iterdir() if p.is_dir() and re.match(r"^\d\d_", p.name))


def test_readme_quickstart_has_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## 快速开始", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2
    assert commands[1] == TEST_COMMAND
    assert TEST_COMMAND in (REPO / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", LESSON_FOLDERS, ids=[p.name for p in LESSON_FOLDERS])
def test_folder_readme_lists_exactly_its_scripts(folder):
    readme = folder / "README.md"
    assert readme.is_file(), f"{folder.name} 缺少 README.md"
    text = readme.read_text(encoding="utf-8")
    scripts = {lesson.path.relative_to(folder).as_posix() for lesson in discover() if folder in lesson.path.parents}
    missing = sorted(s for s in scripts if s not in text and s.rsplit("/", 1)[-1] not in text)
    assert not missing, f"{folder.name}/README.md 没有提到这些脚本：{missing}"
    existing = {p.name for p in folder.rglob("*.py")}
    stale = []
    for mention in set(re.findall(r"(?<![\w/-])(?:[\w-]+/)*\d\d_[\w-]+\.py", text)):
        if re.match(r"^\d\d_[a-z_]+/", mention):  # 指向别的课：相对仓库根目录
            ok = (REPO / mention).exists()
        else:
            ok = mention.rsplit("/", 1)[-1] in existing
        if not ok:
            stale.append(mention)
    assert not stale, f"{folder.name}/README.md 提到了不存在的脚本：{sorted(stale)}"


def test_no_secrets_or_runtime_data_tracked():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True).stdout.split()
    assert ".env" not in tracked
    assert not [f for f in tracked if re.search(r"\.(db|sqlite3?)$", f)]
    for name in tracked:
        path = REPO / name
        if path.suffix in {".py", ".md", ".toml", ".example", ".json", ".js", ".html"} and path.is_file():
            assert not re.search(r"sk-[A-Za-z0-9]{32,}", path.read_text(encoding="utf-8", errors="ignore")), name
