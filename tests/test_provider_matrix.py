"""提供方矩阵：每个课程脚本 × 5 个提供方 profile（见 tests/provider_matrix.py）。

完整矩阵很慢（几百次脚本运行），带标记 `provider_matrix`，默认的 `pytest` 不跑它：
    .venv/bin/python -m pytest -m provider_matrix          # CI 里单独一步
没有标记的几个测试（声明的解析、README 表的结构）在默认测试里照跑。
"""

from __future__ import annotations

import pytest

from tests import provider_matrix as pm
from tests.conftest import report_at_end

TARGETS = pm.discover()
CELLS = [(t, p) for t in TARGETS for p in pm.PROVIDERS]


# ---------------------------------------------------------------- 默认测试里跑的：便宜的一致性检查


def test_variant_headers_name_known_providers():
    """每个“提供方预期输出（…）”都能解析（提供方名字写错会在 discover 时报错）。"""
    assert any(t.variants for t in TARGETS)
    for t in TARGETS:
        for provider, lines in t.variants.items():
            assert provider in pm.PROVIDERS and lines, f"{t.name} 的“提供方预期输出（{provider}）”是空的"


def test_parse_variants_and_adapt_line():
    doc = "说明\n\n预期输出（内置模拟模型）:\n    a\n提供方预期输出（bailian、ollama）:\n    ⚠ 当前提供方 ...\n\n尾巴\n"
    assert pm.parse_variants(doc) == {"bailian": ["⚠ 当前提供方 ..."], "ollama": ["⚠ 当前提供方 ..."]}
    with pytest.raises(ValueError, match="qwen"):
        pm.parse_variants("提供方预期输出（qwen）:\n    x\n")
    line = "【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****"
    assert pm.adapt_line(line, "deepseek") == (
        "【模型】提供方=deepseek（DeepSeek） 模型=deepseek-flash 地址=http://127.0.0.1:.../v1 Key=...")
    assert pm.adapt_line("推理模型：mock-reasoner，默认 mock-model", "bailian") == "推理模型：qwq-plus，默认 qwen-plus"


def test_readme_table_has_every_lesson_and_provider():
    """根 README 的矩阵表覆盖每个脚本和每个提供方（内容是否和实测一致，由带标记的测试核对）。"""
    block = pm.readme_block(pm.README.read_text(encoding="utf-8"))
    rows = {line.split("|")[1].strip(" `"): line for line in block.splitlines()[2:]}
    assert set(rows) == {t.name for t in TARGETS}, "README 的矩阵表过期了：运行 python -m tests.provider_matrix --write-readme"
    for line in rows.values():
        marks = [cell.strip() for cell in line.split("|")[2:-1]]
        assert len(marks) == len(pm.PROVIDERS) and set(marks) <= {pm.OK, pm.EXPLAINED}


def test_replace_readme_block_keeps_the_rest():
    text = f"前\n{pm.README_START}\n旧表\n{pm.README_END}\n后\n"
    assert pm.replace_readme_block(text, "新表") == f"前\n{pm.README_START}\n新表\n{pm.README_END}\n后\n"


# ---------------------------------------------------------------- 带标记：真的把矩阵跑一遍


@pytest.fixture(scope="session")
def matrix(request) -> dict[tuple[str, str], pm.Cell]:
    import time

    # 只跑选中的格子（-k 过滤时）；要核对 README 表时必须跑完整矩阵。
    names = {item.name for item in request.session.items}
    chosen = [item.callspec.params for item in request.session.items
              if hasattr(item, "callspec") and "target" in item.callspec.params]
    targets, providers = TARGETS, pm.PROVIDERS
    if "test_readme_table_matches_the_matrix" not in names:
        picked = {(c["target"].name, c["provider"]) for c in chosen}
        targets = [t for t in TARGETS if any(t.name == name for name, _ in picked)]
        providers = tuple(p for p in pm.PROVIDERS if any(p == q for _, q in picked))
    start = time.perf_counter()
    cells = pm.run_matrix(targets, providers)
    report_at_end(request.config, "提供方矩阵", [
        pm.format_matrix(cells, providers),
        f"{len(cells)} 次运行，用时 {time.perf_counter() - start:.0f}s（机器负载高时会慢很多）"])
    return {(c.target.name, c.provider): c for c in cells}


@pytest.mark.provider_matrix
@pytest.mark.parametrize(("target", "provider"), CELLS, ids=[f"{t.name}@{p}" for t, p in CELLS])
def test_lesson_on_provider(matrix, target, provider):
    cell = matrix[(target.name, provider)]
    detail = f"\n--- stdout ---\n{cell.stdout[-3000:]}\n--- stderr ---\n{cell.stderr[-3000:]}"
    assert cell.status != pm.FAILED, f"{target.name} @ {provider}：{cell.detail}{detail}"


@pytest.mark.provider_matrix
def test_readme_table_matches_the_matrix(matrix):
    cells = list(matrix.values())
    expected = pm.readme_table(cells)
    actual = pm.readme_block(pm.README.read_text(encoding="utf-8"))
    assert actual == expected, "README 的矩阵表和实测不一致：运行 python -m tests.provider_matrix --write-readme"
