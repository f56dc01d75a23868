"""评测客服团队：把 `scenarios/` 里的场景逐个发给团队，按规则打分，写出一份能直接打开看的报告。

课程教了怎么搭一个多 Agent 客服团队，这个脚本回答“它答得好不好、换哪个模型更好”：同一批场景（订单、退款、
审批、商品、投诉、寒暄、别人的订单、跑题和越狱、英文）发给**和服务一模一样**的团队（同一个 `create_app()`：
同样的 Agent、护栏、业务服务，顾客身份放在运行上下文里，每个场景一份新的演示数据），模型就是 `.env` 里配置的
那个（没配就是内置模拟模型）。逐项检查路由、工具和参数、护栏、身份、审批、回答里的事实和语言，量延迟和 token，
按价格表估算费用；`--judge` 再请模型按写好的标准给回答打分（和规则分数并排）。

运行: python 07_projects/evals/run.py                        （全部场景；报告写到 data/evals/<时间>-<提供方>-<模型>/）
      python 07_projects/evals/run.py --only refund_approval,id-friend-order --out /tmp/ev
      python 07_projects/evals/run.py --concurrency 4 --repeat 3 --judge       （真实模型：并发、重复、评分模型）
      python 07_projects/evals/run.py --url http://127.0.0.1:8200              （评测正在运行的服务）
      python 07_projects/evals/run.py --weaken no-refund-handoff               （故意削弱团队，看哪些分数掉了）
      python 07_projects/evals/run.py --compare a/results.json b/results.json --out /tmp/cmp

Ctrl+C 停止：不再发新的场景，已经跑完的照样写进报告（退出码 130）。在内置模拟模型上全部场景（100 多个）约 10–20 秒。

测试参数: --only order-a1001-where,refund-a1003-screen,gr-essay,id-friend-order
测试超时: 120
预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    评测对象：进程内的客服团队（和 app.py 同一个 create_app），并发 1...
    场景：4 个（数据集共 ... 个，--only 选出），每个跑 1 次
    评测结果（... / mock-model，4 个场景 × 1 次，用时 ...s）：
    场景通过                      .../4  ...
    路由（最后回答的 Agent）      .../3  ...
    护栏 精确率 / 召回率          100.0% / 100.0%（拦对 1，误拦 0，漏拦 0）
    身份泄露                      0 处
    审批（该提交才提交）          100.0%（多提交 0，漏提交 0）
    首个字 p50 / p95              ... ms / ... ms
    每 100 个对话的费用           ...
    订单与物流                    .../1
    跑题与越狱（护栏）            1/1
    没通过的场景：... 个（对话记录见 report.html 的“没通过的场景”）
    报告：.../report.html
    数据：.../results.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import adapter  # 第一个导入：它让 its_service 可以被导入（见 adapter.py 的说明）
import report
import runner
import scenarios
import scoring

HERE = Path(__file__).resolve().parent
PRICES = HERE / "prices.json"
GOLDEN = HERE / "golden_mock.json"
INTERRUPTED = 130


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python 07_projects/evals/run.py",
        description="评测 ITS 客服团队：场景数据集 → 规则打分 → report.html + results.json")
    parser.add_argument("--out", type=Path, default=None,
                        help="报告写到哪个文件夹（默认 data/evals/<时间>-<提供方>-<模型>，data/ 已被 git 忽略）")
    parser.add_argument("--only", default="", help="只跑这些场景：逗号分隔的场景编号、类别或标签（例如 orders,id-friend-order）")
    parser.add_argument("--concurrency", type=int, default=1, help="同时跑几个场景（默认 1；真实模型可以 4–8）")
    parser.add_argument("--repeat", type=int, default=1, help="每个场景跑几次（真实模型每次回答不同，报告给出波动）")
    parser.add_argument("--url", default="", help="评测正在运行的服务（例如 http://127.0.0.1:8200），而不是在本进程里建团队")
    parser.add_argument("--staff-token", default=os.environ.get("ITS_STAFF_TOKEN", ""),
                        help="--url 时：客服后台令牌（默认 ITS_STAFF_TOKEN），用来拒绝评测提交的审批单")
    parser.add_argument("--judge", action="store_true", help="再请 .env 里配置的模型按 rubric.md 给每个场景的回答打分")
    parser.add_argument("--weaken", choices=sorted(adapter.WEAKENINGS), default=None,
                        help="故意削弱团队再评测（只在进程内评测时可用）：" + "；".join(
                            f"{k}：{v}" for k, v in adapter.WEAKENINGS.items()))
    parser.add_argument("--compare", nargs="+", type=Path, metavar="RESULTS_JSON",
                        help="比较几次评测的 results.json（两个或更多），写出并排的 report.html 和 comparison.json")
    parser.add_argument("--update-golden", action="store_true",
                        help="维护者用：在模拟模型上跑完全部场景后，改写 golden_mock.json（测试拿它核对）")
    args = parser.parse_args(argv)
    problems = []
    if args.concurrency < 1:
        problems.append("--concurrency 至少是 1")
    if args.repeat < 1:
        problems.append("--repeat 至少是 1")
    if args.url and args.weaken:
        problems.append("--weaken 只能在进程内评测时用（--url 评测的是别人启动的服务，改不了它的团队）")
    if args.compare is not None and len(args.compare) < 2:
        problems.append("--compare 至少要两个 results.json")
    if args.url and not args.url.startswith(("http://", "https://")):
        problems.append(f"--url {args.url!r} 要以 http:// 或 https:// 开头")
    if problems:
        parser.error("；".join(problems))
    args.only = [x.strip() for x in args.only.split(",") if x.strip()]
    return args


def load_price(provider: str, model: str) -> dict[str, Any] | None:
    """价格表里这个提供方 + 模型的一项；没有就是 None（报告写“没有已知价格”）。"""
    table = json.loads(PRICES.read_text(encoding="utf-8"))["prices"]
    entry = next((p for p in table if p["provider"] == provider and p["model"] == model), None)
    return {**entry, "known": True} if entry else None


def git_commit() -> str:
    """评测的是哪一版代码（没有 git 时为空）。"""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        proc = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=HERE, capture_output=True,
                              text=True, timeout=5)
        return proc.stdout.strip() if proc.returncode == 0 else ""
    return ""


# ---------------------------------------------------------------- 评测一次


async def evaluate(args: argparse.Namespace) -> int:
    from shared.factory import print_provider

    dataset = scenarios.load()
    chosen = dataset.select(args.only)
    demo = adapter.demo_data()
    if args.url:
        target: Any = runner.HttpTarget(args.url, args.staff_token)
        print(f"评测对象：正在运行的服务 {args.url}（它自己的模型和业务库；评测会真的退款、建工单），并发 {args.concurrency}")
    else:
        settings = print_provider()
        target = runner.InProcessTarget(args.concurrency, args.weaken)
        note = ""
        if settings.is_mock:
            # 进程内的模拟模型按请求读它：默认不等“打字”，延迟只剩开销（想看课堂演示的节奏就自己设）
            delay = os.environ.setdefault("MOCK_STREAM_DELAY", "0")
            note = f"；模拟模型 MOCK_STREAM_DELAY={delay}" + ("（不“打字”）" if float(delay or 0) == 0 else "")
        print(f"评测对象：进程内的客服团队（和 app.py 同一个 create_app），并发 {args.concurrency}{note}")
        if args.weaken:
            print(f"故意削弱：{adapter.WEAKENINGS[args.weaken]}")
    subset = f"数据集共 {len(dataset.scenarios)} 个，--only 选出" if args.only else "全部"
    print(f"场景：{len(chosen)} 个（{subset}），每个跑 {args.repeat} 次", flush=True)

    started_at = time.strftime("%Y-%m-%d %H:%M:%S")
    clock = time.perf_counter()
    loop = asyncio.get_running_loop()
    runs: dict[str, list[dict[str, Any]]] = {}
    state: dict[str, Any] = {"interrupted": False, "completed": 0, "stage": None}
    main_task = asyncio.current_task()

    def interrupt() -> None:
        """Ctrl+C：停掉正在进行的那一步（跑场景或评分），已经完成的照样写进报告。"""
        if state["interrupted"]:
            os._exit(INTERRUPTED)  # 第二次 Ctrl+C：不等收尾，马上退出
        state["interrupted"] = True
        # 终端里的 Ctrl+C 也发给了业务服务子进程：它先退出，之后连接断开的报错不必再打印
        for name in ("asyncio", "its_service", "its_service.mcp"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        print("\n收到 Ctrl+C：不再发新的场景，保存已经完成的结果……（再按一次立刻退出）", file=sys.stderr, flush=True)
        stage = state["stage"]
        (stage if stage is not None and not stage.done() else main_task).cancel()

    with contextlib.suppress(NotImplementedError):  # Windows 的事件循环没有 add_signal_handler
        loop.add_signal_handler(signal.SIGINT, interrupt)
    try:
        try:
            try:
                await target.start()
            except asyncio.CancelledError:
                print("还没开始跑场景就停下了，没有结果。", file=sys.stderr)
                return INTERRUPTED
            info = target.describe()
            scenarios.check_against(dataset, target.team, demo["customers"])
            titles = {a["title"]: a["name"] for a in [*target.team["agents"], *target.team.get("experts", [])]}
            checker = scoring.Checker(demo)
            price = load_price(info["provider"], info["model"])
            jobs = [(s, r) for r in range(args.repeat) for s in chosen]
            progress = runner.Progress(len(jobs))

            def done(scenario: scenarios.Scenario, repeat: int, raw: runner.Raw, attempts: int) -> None:
                if state["interrupted"]:
                    return  # Ctrl+C 之后才结束的不算：它可能是被一起停掉的业务服务拖垮的
                turns = [scoring.summarize_turn(t["user"], t["events"], titles) for t in raw]
                result = scoring.scenario_result(scenario, turns, checker, price)
                result.update(repeat=repeat, attempts=attempts)
                runs.setdefault(scenario.id, []).append(result)
                state["completed"] += 1
                progress.advance(result["passed"])

            state["stage"] = asyncio.create_task(runner.run_jobs(target, jobs, args.concurrency, done))
            try:
                backoff = await state["stage"]
            except asyncio.CancelledError:
                backoff = None
            progress.close()
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(target.close())

        if not runs:
            print("一个场景都没有跑完，不写报告。", file=sys.stderr)
            return INTERRUPTED if state["interrupted"] else 1
        grades, judge_info = {}, None
        if args.judge and not state["interrupted"]:
            grades, judge_info = await judge_runs(runs, args.concurrency, state)
        results = build_results(args, dataset, chosen, runs, info, price, started_at,
                                time.perf_counter() - clock, state, backoff, grades, judge_info, target)
        out = args.out or runner.default_out_dir(info["provider"], info["model"])
        write(out, results)
        if isinstance(target, runner.HttpTarget) and target.pending_approvals:
            print(f"提示：评测提交的 {len(target.pending_approvals)} 张审批单还在等主管处理（同一订单的下一次申请会被挡住）。"
                  "给 --staff-token（或设置 ITS_STAFF_TOKEN）让评测自动拒绝它们。")
        if args.update_golden:
            return update_golden(args, results)
        return INTERRUPTED if state["interrupted"] else 0
    finally:
        with contextlib.suppress(NotImplementedError):
            loop.remove_signal_handler(signal.SIGINT)


async def judge_runs(runs: dict[str, list[dict[str, Any]]], concurrency: int,
                     state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """--judge：每个场景（第一次运行）交给评分模型；Ctrl+C 时停下，已经评完的照样留着。"""
    from judge import grade_all

    from shared.factory import get_settings

    js = get_settings()
    print(f"评分模型：{js.label} / {js.model}（按 rubric.md 打分）", flush=True)
    graded = [(sid, r[0]["turns"]) for sid, r in runs.items()]
    bar = runner.Progress(len(graded), "个评分")
    grades: dict[str, Any] = {}
    state["stage"] = asyncio.create_task(grade_all(graded, concurrency, bar.advance, grades))
    with contextlib.suppress(asyncio.CancelledError):
        await state["stage"]
    bar.close()
    ok = [g for g in grades.values() if "error" not in g]
    notes = ["内置模拟模型当评分模型时，分数只是按规则填的结构化输出，没有参考价值。"] if js.is_mock else []
    if state["interrupted"]:
        notes.append(f"评分被 Ctrl+C 中断：只评了 {len(grades)}/{len(graded)} 个场景。")
    return grades, {"provider": js.label, "model": js.model, "graded": len(ok),
                    "helpfulness": round(sum(g["helpfulness"] for g in ok) / len(ok), 2) if ok else None,
                    "tone": round(sum(g["tone"] for g in ok) / len(ok), 2) if ok else None, "note": "".join(notes)}


def build_results(args: argparse.Namespace, dataset: scenarios.Dataset, chosen: list[scenarios.Scenario],
                  runs: dict[str, list[dict[str, Any]]], info: dict[str, Any], price: dict[str, Any] | None,
                  started_at: str, seconds: float, state: dict[str, Any], backoff: Any,
                  grades: dict[str, Any], judge_info: dict[str, Any] | None, target: Any) -> dict[str, Any]:
    done = [s for s in chosen if s.id in runs]
    all_runs = [r for s in done for r in runs[s.id]]
    per_repeat = [scoring.aggregate([r for r in all_runs if r["repeat"] == k], price)
                  for k in range(args.repeat)] if args.repeat > 1 else []
    per_repeat = [m for m in per_repeat if m["scenarios"]["total"]]
    import agents

    return {
        "version": 1,
        "meta": {
            **info, "started": started_at, "seconds": round(seconds, 2), "repeat": args.repeat,
            "concurrency": args.concurrency, "scenario_count": len(done),
            "turn_count": sum(len(s.turns) for s in done), "only": args.only,
            "dataset": f"{len(dataset.scenarios)} 个场景 · sha256 {dataset.sha256}", "dataset_files": dataset.files,
            "interrupted": state["interrupted"], "completed": state["completed"],
            "planned": len(chosen) * args.repeat,
            "weaken_note": adapter.WEAKENINGS.get(info.get("weaken") or "", ""),
            "judge_model": f"{judge_info['provider']} / {judge_info['model']}" if judge_info else None,
            "rate_limit_pauses": backoff.events if backoff else 0,
            "mock_stream_delay": os.environ.get("MOCK_STREAM_DELAY"),
            "git": git_commit(), "python": platform.python_version(), "openai_agents": agents.__version__,
        },
        "price": price or {"known": False, "provider": info["provider"], "model": info["model"]},
        "summary": scoring.aggregate(all_runs, price),
        "repeats": per_repeat,
        "spread": scoring.spread(per_repeat) if per_repeat else {},
        "categories": scoring.by_category(done, runs, price),
        "confusion": scoring.confusion(done, runs, [a["name"] for a in target.team["agents"]]),
        "team": {"titles": {a["name"]: a["title"] for a in [*target.team["agents"], *target.team.get("experts", [])]}},
        "coverage": scenarios.coverage(dataset, target.team),
        "judge": judge_info,
        "scenarios": [{
            "id": s.id, "category": s.category, "customer": s.customer, "note": s.note, "tags": list(s.tags),
            "source": s.source, "expected": [asdict(t) for t in s.turns],
            "runs": sorted(runs[s.id], key=lambda r: r["repeat"]),
            "passed_runs": sum(r["passed"] for r in runs[s.id]), "judge": grades.get(s.id),
        } for s in done],
    }


def write(out: Path, results: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "report.html").write_text(report.render(results), encoding="utf-8")
    print(report.terminal(results))
    print(f"报告：{(out / 'report.html').resolve()}")
    print(f"数据：{(out / 'results.json').resolve()}")


def update_golden(args: argparse.Namespace, results: dict[str, Any]) -> int:
    """维护者用：模拟模型的行为改了（shared/mock/），数字跟着变——跑完全部场景，检查几次重复一模一样，
    把规则分数的指纹写进 golden_mock.json。提交前看一眼 git diff：哪些场景变好了、哪些变坏了。"""
    meta = results["meta"]
    if meta["provider"] != "mock" or meta["mode"] != "in-process" or meta.get("weaken") or args.only \
            or meta["interrupted"]:
        print("--update-golden 只在内置模拟模型、进程内、全部场景、没有 --weaken 时可用。", file=sys.stderr)
        return 1
    prints = [scoring.fingerprint(results, k) for k in range(args.repeat)]
    if any(p != prints[0] for p in prints[1:]):
        print("几次重复的规则分数不一样：模拟模型应该是确定性的，先查清楚再改写 golden。", file=sys.stderr)
        return 1
    golden = {"_说明": "内置模拟模型上全部场景、一次运行的规则分数（scoring.fingerprint）。tests/test_evals.py 拿新跑的"
                       "结果和它逐项核对。模拟模型（shared/mock/）或场景改了之后重新生成：python 07_projects/evals/run.py "
                       "--repeat 2 --update-golden，再看 git diff 里哪些场景变了。",
              "generated": time.strftime("%Y-%m-%d"), **prints[0]}
    GOLDEN.write_text(scoring.dump_fingerprint(golden), encoding="utf-8")
    m = prints[0]["metrics"]["scenarios"]
    print(f"已改写 {GOLDEN.relative_to(adapter.PROJECT_DIR.parent)}：场景通过 {m[0]}/{m[1]}")
    return 0


# ---------------------------------------------------------------- 比较


def compare_main(args: argparse.Namespace) -> int:
    runs = []
    for path in args.compare:
        file = path / "results.json" if path.is_dir() else path
        try:
            runs.append(json.loads(file.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            print(f"读不了 {file}：{exc}", file=sys.stderr)
            return 1
    names = [f"#{i + 1} {r['meta']['model']}" + (f"（{r['meta']['weaken']}）" if r["meta"].get("weaken") else "")
             for i, r in enumerate(runs)]
    comparison = report.compare(runs, names)
    out = args.out or runner.default_out_dir("compare", f"{len(runs)}-runs")
    out.mkdir(parents=True, exist_ok=True)
    (out / "comparison.json").write_text(json.dumps(comparison, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "report.html").write_text(report.render_compare(comparison), encoding="utf-8")
    for name, run in zip(names, runs, strict=True):
        s = run["summary"]["scenarios"]
        print(f"{name}：场景通过 {s['passed']}/{s['total']}（{report.pct(s['rate'])}）")
    print(f"结果变了的场景：{len(comparison['changed'])} 个")
    for c in comparison["changed"]:
        marks = " → ".join("—" if p is None else ("通过" if p else "没通过") for p in c["passed"])
        print(f"  {c['id']}：{marks}")
    print(f"报告：{(out / 'report.html').resolve()}")
    print(f"数据：{(out / 'comparison.json').resolve()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.compare:
        return compare_main(args)
    try:
        return asyncio.run(evaluate(args))
    except (KeyboardInterrupt, asyncio.CancelledError):  # 收尾时又被打断：不打印 traceback
        print("已中断。", file=sys.stderr)
        return INTERRUPTED
    except scenarios.DatasetError as exc:
        print(f"✗ 场景数据有误：{exc}", file=sys.stderr)
        return 1
    except ConnectionError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
