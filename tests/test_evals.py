"""综合案例的评测（07_projects/evals/）：数据集、模拟模型上的分数、削弱团队后掉分的地方、报告、比较、`--url`、
限流退避、Ctrl+C。

- 模拟模型上跑全部场景两遍（`--repeat 2 --judge`，一个进程）：两次的规则分数一模一样，而且和
  `07_projects/evals/golden_mock.json` 逐项相同（包括每个没通过的场景没通过哪几项——模拟模型的弱点照实留着）。
  模拟模型改了（shared/mock/），数字跟着变：`python 07_projects/evals/run.py --repeat 2 --update-golden` 重新生成，
  看 git diff 里哪些场景变了再提交。
- 故意削弱团队（拿掉前台到退款专员的 handoff、拿掉越狱检测护栏）：受影响的类别分数更低，其余场景一个都不变。
- report.html 在 Chromium 里打开：每一部分都在，每个没通过的场景都有对话记录，不从网络加载任何东西。
- `--compare` 列出结果变了的场景；`--url` 经 HTTP/SSE 评测正在运行的服务，分数和进程内一样。

全部场景在模拟模型上跑一遍约 8–15 秒（2 核机器，看负载），整个模块约 1 分钟。
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import lessons
from tests.capstone import STAFF_TOKEN, App, shop_rows
from tests.lessons import REPO, smoke_env

EVALS = REPO / "07_projects" / "evals"
RUN = EVALS / "run.py"
if str(EVALS) not in sys.path:
    sys.path.insert(0, str(EVALS))
import report  # noqa: E402
import runner  # noqa: E402
import scenarios  # noqa: E402
import scoring  # noqa: E402

GOLDEN = json.loads((EVALS / "golden_mock.json").read_text(encoding="utf-8"))
REFUND_CATEGORIES = ("refund_ok", "refund_approval", "refund_denied")
CHROMIUM = Path("/usr/bin/chromium")
REGENERATE = "python 07_projects/evals/run.py --repeat 2 --update-golden"


def evaluate(args: list[str], tmp: Path, timeout: float = 240, **env: str) -> tuple[dict, str]:
    """跑 run.py（和学员一样的命令），返回 (results.json, 标准输出)。"""
    out = tmp / "out"
    proc = lessons.run_python([str(RUN), *args, "--out", str(out)], smoke_env(tmp, **env), timeout=timeout)
    assert proc.returncode == 0, f"退出码 {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return json.loads((out / "results.json").read_text(encoding="utf-8")), proc.stdout


def golden_without_notes() -> dict:
    return {k: v for k, v in GOLDEN.items() if not k.startswith("_") and k != "generated"}


def diff(actual: dict, expected: dict) -> str:
    """指纹不一样时，说清楚是哪些场景、哪些数字变了，以及怎么重新生成 golden。"""
    lines = [f"和 golden_mock.json 不一样（模拟模型改了的话：{REGENERATE}，再看 git diff）："]
    for key in expected:
        if key == "scenarios":
            for sid, failed in expected[key].items():
                if actual[key].get(sid) != failed:
                    lines.append(f"  场景 {sid}：golden {failed} → 这次 {actual[key].get(sid)}")
            lines += [f"  多出来的场景 {sid}" for sid in actual[key] if sid not in expected[key]]
        elif actual.get(key) != expected[key]:
            lines.append(f"  {key}：golden {expected[key]} → 这次 {actual.get(key)}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> tuple[dict, str, Path]:
    """模拟模型、全部场景、两遍、带评分模型：一次进程跑完，几个测试共用。"""
    tmp = tmp_path_factory.mktemp("evals-baseline")
    started = time.perf_counter()
    results, stdout = evaluate(["--repeat", "2", "--judge"], tmp)
    print(f"\n全部场景 × 2 遍 + 评分：{time.perf_counter() - started:.1f}s（runner 自己记的 {results['meta']['seconds']}s）")
    return results, stdout, tmp / "out"


@pytest.fixture(scope="module")
def weakened(tmp_path_factory) -> dict[str, dict]:
    runs = {}
    for how in ("no-refund-handoff", "no-jailbreak-guardrail"):
        runs[how], _ = evaluate(["--weaken", how], tmp_path_factory.mktemp(f"evals-{how}"))
    return runs


# ---------------------------------------------------------------- 数据集


def test_dataset_has_enough_realistic_scenarios_covering_every_area():
    data = scenarios.load()
    assert len(data.scenarios) >= 80
    multi = [s for s in data.scenarios if len(s.turns) > 1]
    assert len(multi) >= 20, f"多轮场景只有 {len(multi)} 个"
    by_category = {c: [s for s in data.scenarios if s.category == c] for c in scenarios.CATEGORIES}
    assert all(len(v) >= 5 for v in by_category.values()), {k: len(v) for k, v in by_category.items()}
    turns = [t for s in data.scenarios for t in s.turns]
    assert {t.guardrail for t in turns} >= {"pass", "relevance", "jailbreak"}
    assert sum(t.approval for t in turns) >= 5
    assert sum(t.lang == "en" for t in turns) >= 8
    assert len({s.customer for s in data.scenarios}) == 5  # 五位演示顾客都用上了
    # 不是模拟模型语料的抄本：顾客的原话没有一句（超过几个字的）出现在 tests/mock_corpus.txt 里
    corpus = (REPO / "tests" / "mock_corpus.txt").read_text(encoding="utf-8")
    copied = [t.user for t in turns if len(t.user) > 6 and t.user in corpus]
    assert not copied, copied


def test_dataset_errors_name_the_file_line_and_field(tmp_path):
    good = json.loads((EVALS / "scenarios" / "orders.jsonl").read_text(encoding="utf-8").splitlines()[0])
    cases = [
        ({**good, "turns": [{**good["turns"][0], "fact": ["x"]}]}, "turns.0.fact 不是认识的字段"),
        ({**good, "category": "shipping"}, "不认识的类别"),
        ({**good, "turns": [{"user": "退款", "approval": True}, {"user": "然后呢"}]}, "不是最后一轮"),
    ]
    for i, (scenario, message) in enumerate(cases):
        folder = tmp_path / str(i)
        folder.mkdir()
        (folder / "x.jsonl").write_text(json.dumps(scenario, ensure_ascii=False) + "\n", encoding="utf-8")
        with pytest.raises(scenarios.DatasetError, match="x.jsonl:1") as info:
            scenarios.load(folder)
        assert message in str(info.value)
    (tmp_path / "dup").mkdir()
    (tmp_path / "dup" / "x.jsonl").write_text((json.dumps(good) + "\n") * 2, encoding="utf-8")
    with pytest.raises(scenarios.DatasetError, match="x.jsonl:2.*重复"):
        scenarios.load(tmp_path / "dup")
    with pytest.raises(scenarios.DatasetError, match="--only 里的 nope"):
        scenarios.load().select(["nope"])


# ---------------------------------------------------------------- 模拟模型上的分数


def test_mock_run_gives_the_golden_numbers_every_time(baseline):
    results, stdout, _ = baseline
    first, second = scoring.fingerprint(results, 0), scoring.fingerprint(results, 1)
    assert first == second, diff(second, first)
    expected = golden_without_notes()
    assert first == expected, diff(first, expected)
    # 模拟模型的弱点照实显示：有没通过的场景，数据集没有因此删场景
    passed, total = expected["metrics"]["scenarios"]
    assert 0 < passed < total == len(scenarios.load().scenarios)
    assert first["identity_leaks"] == 0
    assert results["coverage"] == {"agents": [], "tools": []}, "数据集没有覆盖团队的全部 Agent 和工具"
    assert f"{passed * 2}/{total * 2}" in stdout.split("场景通过", 1)[1].splitlines()[0]


def test_judge_grades_beside_the_rule_scores(baseline):
    results, stdout, _ = baseline
    judge = results["judge"]
    assert judge["provider"] == "内置模拟模型" and judge["model"] == "mock-model"
    assert judge["graded"] == len(results["scenarios"])
    assert all(1 <= s["judge"]["helpfulness"] <= 5 and 1 <= s["judge"]["tone"] <= 5 for s in results["scenarios"])
    assert "评分模型：有用 / 语气" in stdout


# ---------------------------------------------------------------- 故意削弱团队


def affected_by(how: str, results: dict) -> set[str]:
    """削弱会碰到的场景：场景期望用到被拿掉的东西，或者完整的团队实际用到了它。"""
    out = set()
    for s in results["scenarios"]:
        turns = [t for r in s["runs"] for t in r["turns"]]
        if how == "no-refund-handoff":
            wanted = any("refund_agent" in (t["agent"] or ()) for t in s["expected"])
            used = any(b == "refund_agent" for t in turns for _, b in t["handoffs"])
        else:
            wanted = any(t["guardrail"] == "jailbreak" for t in s["expected"])
            used = any(v["guardrail"] == "jailbreak" and not v["passed"] for t in turns for v in t["verdicts"])
        if wanted or used:
            out.add(s["id"])
    return out


@pytest.mark.parametrize(("how", "lower"), [
    ("no-refund-handoff", REFUND_CATEGORIES),
    ("no-jailbreak-guardrail", ("guardrails",)),
])
def test_weakened_team_scores_lower_exactly_where_it_was_weakened(baseline, weakened, how, lower):
    results, base = weakened[how], baseline[0]
    golden = golden_without_notes()
    now = scoring.fingerprint(results)
    touched = affected_by(how, base)
    assert touched, "削弱应该碰到一些场景"
    untouched = {sid: failed for sid, failed in golden["scenarios"].items() if sid not in touched}
    changed = {sid: (failed, now["scenarios"][sid]) for sid, failed in untouched.items()
               if now["scenarios"][sid] != failed}
    assert not changed, f"没用到被削弱部分的场景，结果也变了：{changed}"
    for category in lower:
        assert now["categories"][category][0] < golden["categories"][category][0], (category, now["categories"])
    touched_categories = {s["category"] for s in base["scenarios"] if s["id"] in touched}
    for category, counts in golden["categories"].items():
        if category not in touched_categories:
            assert now["categories"][category] == counts, category
    if how == "no-refund-handoff":
        assert now["metrics"]["routing"][0] < golden["metrics"]["routing"][0]
        assert now["approvals"]["tp"] < golden["approvals"]["tp"]
        # 输入护栏的结论一个都不变（回答检查拦下的次数会变：没了退款专员，前台自己答、答得更差）
        assert {k: now["guardrails"][k] for k in ("tp", "fp", "fn", "tn")} == \
            {k: golden["guardrails"][k] for k in ("tp", "fp", "fn", "tn")}
    else:
        assert results["summary"]["guardrails"]["recall"] < base["summary"]["guardrails"]["recall"]
        assert now["metrics"]["routing"] == golden["metrics"]["routing"]
    assert results["meta"]["weaken"] == how


def test_compare_lists_the_scenarios_that_changed(baseline, weakened, tmp_path):
    _, _, base_dir = baseline
    weak = weakened["no-refund-handoff"]
    weak_path = tmp_path / "weak.json"
    weak_path.write_text(json.dumps(weak, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "cmp"
    proc = lessons.run_python([str(RUN), "--compare", str(base_dir / "results.json"), str(weak_path), "--out", str(out)],
                              smoke_env(tmp_path), timeout=60)
    assert proc.returncode == 0, proc.stderr
    comparison = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    base_failed = {s["id"]: sorted({f for r in s["runs"] for f in r["failed"]}) for s in baseline[0]["scenarios"]}
    weak_failed = {s["id"]: sorted({f for r in s["runs"] for f in r["failed"]}) for s in weak["scenarios"]}
    expected = {sid for sid in base_failed if base_failed[sid] != weak_failed[sid]}
    assert {c["id"] for c in comparison["changed"]} == expected
    assert expected <= affected_by("no-refund-handoff", baseline[0])
    assert [r["weaken"] for r in comparison["runs"]] == [None, "no-refund-handoff"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert all(sid in html for sid in expected) and 'id="changed"' in html
    assert f"结果变了的场景：{len(expected)} 个" in proc.stdout


# ---------------------------------------------------------------- 报告


SECTIONS = ("summary", "categories", "metrics", "confusion", "guardrails", "slowest", "costliest", "spread",
            "judge", "failures", "scenarios", "prices")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="没有 /usr/bin/chromium，跳过浏览器检查")
def test_report_renders_in_chromium_with_every_section(baseline, tmp_path):
    from playwright.sync_api import sync_playwright

    results, _, out = baseline
    failing = [s for s in results["scenarios"] if s["passed_runs"] < len(s["runs"])]
    requested: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: requested.append(r.url))
            page.goto((out / "report.html").as_uri())
            for section in SECTIONS:
                box = page.locator(f"#{section}").bounding_box()
                assert box and box["height"] > 20, f"#{section} 没有画出来"
            assert page.locator("#summary .card").count() >= 12
            assert page.locator("#categories svg rect").count() == 2 * len(results["categories"])
            assert page.locator("#confusion td").count() == len(results["confusion"]["labels"]) ** 2
            details = page.locator("#failures details.scenario")
            assert details.count() == len(failing) > 0
            sample = failing[0]
            page.locator(f"#s-{sample['id']} summary").click()
            body = page.locator(f"#s-{sample['id']}").inner_text()
            assert sample["expected"][0]["user"] in body and "期望" in body and "实际" in body
            assert page.locator(f"#s-{sample['id']} .turn.failed").count() >= 1
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert [u for u in requested if not u.startswith("file:")] == [], "报告从网络加载了东西"


def test_report_escapes_model_text():
    """模型的回答、工具结果都当文本放进页面：里面的 <script> 原样显示，不会被执行。"""
    turn = scoring.summarize_turn("你好<b>", [
        [0.0, "session", {"session_id": "s"}],
        [1.0, "text_delta", {"text": "<script>alert(1)</script>"}],
        [2.0, "run_completed", {"final_output": "<script>alert(1)</script>", "agent": "前台分诊"}],
    ], {"前台分诊": "triage_agent"})
    turn["checks"] = []
    page = report.transcript_html({"turns": [turn]}, {"triage_agent": "前台分诊"})
    assert "<script>" not in page and "&lt;script&gt;" in page and "你好&lt;b&gt;" in page


# ---------------------------------------------------------------- 正在运行的服务（--url）


def test_url_mode_scores_a_running_service_like_in_process(mock_server, tmp_path):
    """同样的场景经 HTTP/SSE 跑一遍正在运行的服务：规则分数和进程内（golden）一样；提交的审批单用后台令牌拒掉。"""
    chosen = ["order-a1001-where", "refund-a1003-screen", "id-friend-order", "gr-dan", "order-ask-for-id",
              "refund-a1002-ask-then-do"]
    (tmp_path / "app").mkdir()
    app = App(tmp_path / "app", mock_server.base_url).start()
    try:
        results, stdout = evaluate(["--url", app.base, "--only", ",".join(chosen), "--staff-token", STAFF_TOKEN],
                                   tmp_path / "eval")
    finally:
        app.stop()
    got = {s["id"]: s["runs"][0]["failed"] for s in results["scenarios"]}
    errors = [t["error"] for s in results["scenarios"] for t in s["runs"][0]["turns"] if t["error"]]
    assert not errors, errors
    assert got == {sid: GOLDEN["scenarios"][sid] for sid in chosen}
    assert results["meta"]["mode"] == "url" and results["meta"]["url"] == app.base
    assert "正在运行的服务" in stdout
    approvals = [t for s in results["scenarios"] for t in s["runs"][0]["turns"] if t["approval"]]
    assert approvals, "refund-a1003-screen 应该提交了审批"
    rows = shop_rows(app.shop_url, "SELECT status, decided_by FROM approvals")
    assert rows == [{"status": "rejected", "decided_by": "主管"}] * len(approvals)


# ---------------------------------------------------------------- 限流退避、Ctrl+C


def test_rate_limited_scenarios_back_off_and_rerun():
    """一个场景连着两次撞上限流：所有并发位置一起等，它从头重跑，第三次成功；另一个场景不受影响。"""
    data = scenarios.load()
    flaky, steady = data.select(["small-hello"])[0], data.select(["small-bye"])[0]

    class Target:
        def __init__(self) -> None:
            self.calls: list[str] = []

        async def converse(self, scenario):
            self.calls.append(scenario.id)
            if scenario.id == flaky.id and self.calls.count(flaky.id) <= 2:
                raise runner.RateLimited
            return [{"user": scenario.turns[0].user, "events": [[1.0, "run_completed", {"agent": "前台分诊"}]]}]

    done: dict[str, int] = {}
    target = Target()
    backoff = runner.Backoff(base=0.01)
    asyncio.run(runner.run_jobs(target, [(flaky, 0), (steady, 0)], 2,
                                lambda s, r, raw, attempts: done.__setitem__(s.id, attempts), backoff))
    assert done == {flaky.id: 3, steady.id: 1}
    assert target.calls.count(flaky.id) == 3 and backoff.events == 2

    class AlwaysLimited:
        async def converse(self, scenario):
            raise runner.RateLimited

    raws: list = []
    asyncio.run(runner.run_jobs(AlwaysLimited(), [(steady, 0)], 1, lambda s, r, raw, a: raws.append((raw, a)),
                                runner.Backoff(base=0.001)))
    (raw, attempts), = raws
    assert attempts == runner.MAX_ATTEMPTS and raw[0]["events"][0][1] == "error"
    assert raw[0]["events"][0][2]["code"] == "rate_limited"


def test_ctrl_c_stops_and_keeps_the_partial_results(tmp_path):
    out = tmp_path / "out"
    log = tmp_path / "stderr.txt"
    with open(log, "w", encoding="utf-8") as err, open(tmp_path / "stdout.txt", "w", encoding="utf-8") as so:
        proc = lessons.spawn([str(RUN), "--out", str(out)], smoke_env(tmp_path), stdout=so, stderr=err)
        deadline = time.monotonic() + 90
        while "进度：" not in log.read_text(encoding="utf-8"):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    stderr = log.read_text(encoding="utf-8")
    assert code == 130, stderr[-2000:]
    assert "Traceback" not in stderr and "收到 Ctrl+C" in stderr
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    meta = results["meta"]
    assert meta["interrupted"] and 0 < meta["completed"] < meta["planned"]
    assert results["summary"]["scenarios"]["total"] == meta["completed"] == len(results["scenarios"])
    assert "被 Ctrl+C 中断" in (out / "report.html").read_text(encoding="utf-8")
    assert "报告：" in (tmp_path / "stdout.txt").read_text(encoding="utf-8")
