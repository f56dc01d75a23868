"""报告：`report.html`（一个文件，离线能开：样式和图都写在文件里，没有 CDN、没有脚本）、终端里的短表，
以及 `--compare` 的并排比较页。

报告的各部分（`id` 就是页面里的锚点，测试按它们检查每部分都在）：

| 部分 | 内容 |
|---|---|
| `#summary` | 总览卡片：场景通过率、路由、工具、护栏、身份泄露、审批、事实、语言、延迟、token、费用 |
| `#categories` | 每个类别的通过率（条形图）和各项指标（表） |
| `#metrics` | 每项指标的条形图 |
| `#confusion` | 路由混淆矩阵：期望的 Agent × 实际最后回答的 Agent |
| `#guardrails` | 每个护栏：该拦几次、拦下几次、误拦几次 |
| `#slowest` / `#costliest` | 最慢、最费 token 的场景 |
| `#spread` | `--repeat` 时：各项指标在几次之间的波动、时过时不过的场景 |
| `#judge` | `--judge` 时：评分模型的分数（和规则分数并排） |
| `#failures` | 每个没通过的场景：对话记录（每轮的转接、工具调用和参数、护栏结论、审批、回答）和期望 |
| `#scenarios` | 全部场景一览 |
| `#prices` | 算费用用的价格、出处和日期 |
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

from scenarios import CATEGORIES
from scoring import METRICS

LATENCY_TITLES = {"first_event_ms": "首个事件", "first_text_ms": "首个字", "total_ms": "整轮"}
CURRENCY = {"CNY": "¥", "USD": "$"}

CSS = """
:root { --ok:#1a7f37; --bad:#c62828; --warn:#b26a00; --ink:#1f2328; --muted:#59636e; --line:#d8dee4;
        --bg:#f6f8fa; --card:#fff; --accent:#0b5cad; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); line-height:1.55;
       font: 15px/1.55 system-ui, -apple-system, "Noto Sans CJK SC", "WenQuanYi Zen Hei", "PingFang SC",
             "Microsoft YaHei", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 60px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 18px 0 6px; }
.meta { color: var(--muted); font-size: 14px; }
.meta b { color: var(--ink); font-weight: 600; }
.banner { padding: 10px 14px; border-radius: 8px; margin: 12px 0; border: 1px solid; }
.banner.warn { background:#fff8e1; border-color:#f0c36d; }
.banner.bad { background:#ffebee; border-color:#ef9a9a; }
.cards { display:grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; margin-top: 14px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:12px 14px; }
.card .label { color:var(--muted); font-size:13px; }
.card .value { font-size:26px; font-weight:700; margin-top:2px; }
.card .sub { color:var(--muted); font-size:12px; }
.card.good .value { color:var(--ok); } .card.poor .value { color:var(--bad); } .card.mid .value { color:var(--warn); }
table { border-collapse: collapse; width:100%; background:var(--card); font-size:14px; }
th, td { border:1px solid var(--line); padding:6px 8px; text-align:left; vertical-align:top; }
th { background:#eef1f4; font-weight:600; }
td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; white-space:nowrap; }
.ok { color:var(--ok); } .bad { color:var(--bad); } .muted { color:var(--muted); }
.pill { display:inline-block; padding:0 8px; border-radius:999px; font-size:12px; border:1px solid var(--line);
        background:#fff; margin:1px 2px; white-space:nowrap; }
.pill.bad { border-color:#ef9a9a; background:#ffebee; } .pill.ok { border-color:#a5d6a7; background:#e8f5e9; }
svg text { font-family: inherit; }
.grid2 { display:grid; grid-template-columns: 1fr 1fr; gap: 18px; }
@media (max-width: 900px) { .grid2 { grid-template-columns: 1fr; } }
details.scenario { background:var(--card); border:1px solid var(--line); border-radius:10px; margin:10px 0; }
details.scenario > summary { cursor:pointer; padding:10px 14px; font-weight:600; }
details.scenario > div { padding: 0 14px 14px; }
.turn { border-left: 4px solid var(--line); padding: 4px 0 4px 12px; margin: 12px 0; }
.turn.failed { border-left-color: var(--bad); }
.user { background:#e3f2fd; border-radius:10px; padding:6px 10px; display:inline-block; max-width:100%; }
.answer { background:#f1f8e9; border-radius:10px; padding:6px 10px; white-space:pre-wrap; margin-top:6px; }
.step { font-size:13px; margin:3px 0; }
.step code, td code { background:#f2f4f7; border-radius:4px; padding:0 4px; font-size:12px; word-break: break-all; }
.result { color: var(--muted); font-size:12px; word-break: break-all; }
.tag { display:inline-block; font-size:11px; padding:0 5px; margin-right:6px; border-radius:4px; background:#e0e7ef;
       color:#33414f; } .tag.warn { background:#fff3cd; } .tag.bad { background:#ffcdd2; }
.cm { table-layout: fixed; }
.tw { overflow-x: auto; max-width: 100%; }
.cm td { text-align:center; min-width:64px; }
.compare td.best { background:#e8f5e9; } .compare td.worse { background:#ffebee; }
.delta { font-size:12px; margin-left:4px; }
footer { margin-top:40px; color:var(--muted); font-size:13px; }
"""


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} ms" if value < 10 else f"{value:,.0f} ms"


def agent_title(name: str | None, titles: dict[str, str]) -> str:
    """Agent 的中文显示名（来自团队描述，和页面上的一样）。"""
    return titles.get(name or "", name or "（无）")


def _named(text: str, titles: dict[str, str]) -> str:
    """检查里写的 Agent 名换成“中文名（英文名）”，其余原样。"""
    for name, title in titles.items():
        text = re.sub(rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z_])", f"{title}（{name}）", text)
    return text


def money(amount: float | None, currency: str | None) -> str:
    if amount is None:
        return "—"
    symbol = CURRENCY.get(currency or "", (currency or "") + " ")
    return f"{symbol}{amount:.4f}" if amount < 1 else f"{symbol}{amount:.2f}"


def cost_text(summary: dict[str, Any], price: dict[str, Any] | None) -> str:
    c = summary["cost"]
    if not c["known"]:
        return "没有已知价格"
    if price and not price.get("input_per_million") and not price.get("output_per_million"):
        return "免费"
    return money(c["per_100"], c["currency"])


def _tone(rate: float | None) -> str:
    if rate is None:
        return ""
    return "good" if rate >= 0.9 else "mid" if rate >= 0.7 else "poor"


def _page(title: str, body: str) -> str:
    # 表格外面包一层可以横向滚动的 div：手机上宽表格不撑破页面
    body = body.replace("<table", '<div class="tw"><table').replace("</table>", "</table></div>")
    return (f'<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body><main>{body}"
            f"<footer>由 <code>python 07_projects/evals/run.py</code> 生成。规则分数只看“做了什么、说了什么”：调了哪个工具、"
            f"参数、护栏结论、回答里的事实和不该有的数据；回答有没有帮助、语气好不好，要看评分模型（--judge）或人自己读"
            f"下面的对话记录。说明见 07_projects/README.md 的“评测”一节。</footer></main></body></html>\n")


# ---------------------------------------------------------------- SVG 条形图


def bar_chart(rows: list[tuple[str, float | None, str]], width: int = 540) -> str:
    """横向条形图：每行 (名字, 比率 0–1, 右侧的说明)。"""
    label_w, right_w, row_h = 190, 96, 26
    bar_w = width - label_w - right_w
    height = row_h * len(rows) + 8
    parts = [f'<svg role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'style="max-width:100%;height:auto" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, rate, note) in enumerate(rows):
        y = 4 + i * row_h
        color = {"good": "#2e7d32", "mid": "#ef9a00", "poor": "#c62828", "": "#9e9e9e"}[_tone(rate)]
        w = 0 if rate is None else max(1.0, bar_w * rate)
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="13">{esc(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="18" fill="#eceff1" rx="3"/>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="18" fill="{color}" rx="3"/>'
                     f'<text x="{label_w + bar_w + 6}" y="{y + 17}" font-size="12">{esc(note)}</text>')
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------- 单次运行的报告


def _cards(results: dict[str, Any]) -> str:
    s, price = results["summary"], results.get("price")
    g, a, u, lat = s["guardrails"], s["approvals"], s["usage"], s["latency"]

    def card(label: str, value: str, sub: str = "", tone: str = "") -> str:
        return (f'<div class="card {tone}"><div class="label">{esc(label)}</div>'
                f'<div class="value">{esc(value)}</div><div class="sub">{esc(sub)}</div></div>')

    def rate_card(metric: str) -> str:
        m = s[metric]
        return card(METRICS[metric], pct(m["rate"]), f"{m['passed']}/{m['total']}", _tone(m["rate"]))

    leaks = s["identity_leaks"]
    price_note = results["price"].get("note", "") if price and price.get("known") else "在 prices.json 里加一条才能估算"
    return "".join([
        rate_card("scenarios"), rate_card("routing"), rate_card("tool"), rate_card("args"),
        card("护栏精确率", pct(g["precision"]), f"拦下 {g['tp'] + g['fp']} 句，其中误拦 {g['fp']}",
             _tone(g["precision"])),
        card("护栏召回率", pct(g["recall"]), f"该拦 {g['tp'] + g['fn']} 句，漏拦 {g['fn']}；回答检查另拦下 "
             f"{g['answer_blocks']} 个回答", _tone(g["recall"])),
        card("身份泄露", f"{leaks} 处", "必须是 0：别的顾客的名字、手机号、地址、运单号", "good" if leaks == 0 else "poor"),
        card("不该调的工具", f"{s['forbidden_violations']} 次", f"{s['forbidden']['total']} 轮有禁止项",
             "good" if s["forbidden_violations"] == 0 else "poor"),
        card(METRICS["approval"], pct(a["rate"]), f"该提交且提交 {a['tp']}，多提交 {a['fp']}，漏提交 {a['fn']}",
             _tone(a["rate"])),
        rate_card("facts"), rate_card("language"), rate_card("completed"),
        card("首个字 p50 / p95", f"{ms(lat['first_text_ms']['p50'])}", f"p95 {ms(lat['first_text_ms']['p95'])}"),
        card("整轮 p50 / p95", f"{ms(lat['total_ms']['p50'])}", f"p95 {ms(lat['total_ms']['p95'])}"),
        card("每轮模型请求", "—" if u["requests"] is None else f"{u['requests'] + u['guardrail_requests']:.1f}",
             "—" if u["requests"] is None else f"Agent {u['requests']:.1f} + 护栏 {u['guardrail_requests']:.1f}"),
        card("每轮 token", "—" if u["input_tokens"] is None else
             f"{u['input_tokens'] + u['guardrail_input_tokens'] + u['output_tokens'] + u['guardrail_output_tokens']:,.0f}",
             "—" if u["input_tokens"] is None else
             f"输入 {u['input_tokens'] + u['guardrail_input_tokens']:,.0f}，输出 "
             f"{u['output_tokens'] + u['guardrail_output_tokens']:,.0f}（含护栏 Agent）"),
        card("每 100 个对话的费用", cost_text(s, price), price_note[:60]),
    ])


def _category_section(results: dict[str, Any]) -> str:
    cats = results["categories"]
    rows = [(v["title"], v["scenarios"]["rate"], f"{v['scenarios']['passed']}/{v['scenarios']['total']}")
            for v in cats.values()]
    metric_keys = ["routing", "tool", "args", "guardrail", "approval", "facts", "identity", "language"]
    head = "".join(f'<th class="num">{esc(METRICS[k])}</th>' for k in metric_keys)
    body = []
    for key, v in cats.items():
        cells = "".join(f'<td class="num {_cell(v[k]["rate"])}">{pct(v[k]["rate"])}</td>' for k in metric_keys)
        body.append(f'<tr><td>{esc(v["title"])} <span class="muted">{esc(key)}</span></td>'
                    f'<td class="num {_cell(v["scenarios"]["rate"])}">{v["scenarios"]["passed"]}/'
                    f'{v["scenarios"]["total"]}</td>{cells}</tr>')
    return (f'<section id="categories"><h2>各类别</h2><div class="grid2"><div>{bar_chart(rows)}</div>'
            f'<div class="muted">条的长度是这一类场景全部检查都通过的比例。右表是这一类里每项检查的通过率'
            f'（“—”表示这一类没有这项检查）。</div></div>'
            f'<table><tr><th>类别</th><th class="num">场景通过</th>{head}</tr>{"".join(body)}</table></section>')


def _cell(rate: float | None) -> str:
    return {"good": "ok", "mid": "", "poor": "bad", "": "muted"}[_tone(rate)]


def _metric_section(results: dict[str, Any]) -> str:
    s = results["summary"]
    rows = [(title, s[k]["rate"], f"{s[k]['passed']}/{s[k]['total']}") for k, title in METRICS.items()]
    g = s["guardrails"]
    rows.append(("护栏精确率", g["precision"], f"{g['tp']}/{g['tp'] + g['fp']}"))
    rows.append(("护栏召回率", g["recall"], f"{g['tp']}/{g['tp'] + g['fn']}"))
    return f'<section id="metrics"><h2>各项指标</h2>{bar_chart(rows, 640)}</section>'


def _confusion_section(results: dict[str, Any]) -> str:
    cm, titles = results["confusion"], results["team"]["titles"]
    labels = cm["labels"]
    cells = {(r, c): n for r, c, n in cm["cells"]}
    peak = max(cells.values(), default=1)
    head = "".join(f"<th>{esc(agent_title(c, titles))}</th>" for c in labels)
    body = []
    for r in labels:
        tds = []
        for c in labels:
            n = cells.get((r, c), 0)
            alpha = 0.15 + 0.65 * n / peak if n else 0
            color = f"rgba(46,125,50,{alpha:.2f})" if r == c else f"rgba(198,40,40,{alpha:.2f})"
            tds.append(f'<td style="background:{color if n else "transparent"}">{n or ""}</td>')
        body.append(f"<tr><th>{esc(agent_title(r, titles))}</th>{''.join(tds)}</tr>")
    return (f'<section id="confusion"><h2>路由混淆矩阵</h2><p class="muted">行：场景期望最后回答的 Agent；列：实际最后'
            f'回答的 Agent。对角线（绿）是对的，其余（红）是转错了人。只统计写了期望 Agent 的轮次。</p>'
            f'<table class="cm"><tr><th>期望 \\ 实际</th>{head}</tr>{"".join(body)}</table></section>')


def _guardrail_section(results: dict[str, Any]) -> str:
    g = results["summary"]["guardrails"]
    names = {"relevance": "话题相关性", "jailbreak": "越狱检测", "answer_check": "回答检查"}
    rows = "".join(f'<tr><td>{esc(names[k])} <span class="muted">{k}</span></td><td class="num">{v["expected"]}</td>'
                   f'<td class="num">{v["caught"]}</td><td class="num">{v["by_this"]}</td>'
                   f'<td class="num {"bad" if v["false_alarm"] else ""}">{v["false_alarm"]}</td></tr>'
                   for k, v in g["per_guardrail"].items() if k != "answer_check" or v["expected"])
    return (f'<section id="guardrails"><h2>护栏</h2><p>看的是“顾客这句话该不该拦”（话题相关性、越狱检测两个输入护栏）。'
            f'精确率 <b>{pct(g["precision"])}</b>（拦下的里面该拦的比例：误拦会把正常顾客挡在门外）；召回率 '
            f'<b>{pct(g["recall"])}</b>（该拦的里面拦下的比例）。拦对 {g["tp"]}、误拦 {g["fp"]}、漏拦 {g["fn"]}、'
            f'正常放行 {g["tn"]}。</p><p>另外，<b>回答检查</b>（输出护栏）拦下了团队自己的回答 <b>{g["answer_blocks"]}</b> 次：'
            f'回答里引用了内部指令的原文或带了别的顾客的数据。拦得对，但顾客只拿到一句“没有通过安全检查”——'
            f'这些轮次的“护栏结论”检查不通过，原因在回答的 Agent，不算输入护栏误拦。</p>'
            f'<table><tr><th>护栏</th><th class="num">场景期望它拦</th><th class="num">被拦下（任一输入护栏）</th>'
            f'<th class="num">正是它拦的</th><th class="num">误拦正常问题</th></tr>{rows}</table></section>')


def _top_section(results: dict[str, Any], key: str, title: str, column: str, anchor: str, value: Any) -> str:
    runs = [(s, r) for s in results["scenarios"] for r in s["runs"][:1]]
    ranked = sorted(runs, key=lambda sr: -(sr[1].get(key) or 0))[:8]
    rows = "".join(f'<tr><td><a href="#{_anchor(s)}">{esc(s["id"])}</a></td><td>{esc(CATEGORIES[s["category"]])}</td>'
                   f'<td class="num">{len(r["turns"])}</td><td class="num">{value(r)}</td></tr>' for s, r in ranked)
    return (f'<section id="{anchor}"><h3>{esc(title)}</h3><table><tr><th>场景</th><th>类别</th><th class="num">轮数</th>'
            f'<th class="num">{esc(column)}</th></tr>{rows}</table></section>')


def _anchor(scenario: dict[str, Any]) -> str:
    """没通过的场景链到它的对话记录，通过的链到“全部场景”表里的那一行。"""
    failed = scenario["passed_runs"] < len(scenario["runs"])
    return f"{'s' if failed else 'row'}-{esc(scenario['id'])}"


def _spread_section(results: dict[str, Any]) -> str:
    if not results.get("spread"):
        return ""
    rows = "".join(f'<tr><td>{esc(METRICS[k])}</td><td class="num">{pct(v["mean"])}</td><td class="num">{pct(v["min"])}</td>'
                   f'<td class="num">{pct(v["max"])}</td><td class="num">{v["stdev"] * 100:.1f} 个百分点</td></tr>'
                   for k, v in results["spread"].items())
    k = results["meta"]["repeat"]
    flaky = [s for s in results["scenarios"] if 0 < s["passed_runs"] < len(s["runs"])]
    items = "".join(f'<span class="pill">{esc(s["id"])} {s["passed_runs"]}/{len(s["runs"])}</span>' for s in flaky)
    return (f'<section id="spread"><h2>{k} 次重复之间的波动</h2><table><tr><th>指标</th><th class="num">平均</th>'
            f'<th class="num">最低</th><th class="num">最高</th><th class="num">标准差</th></tr>{rows}</table>'
            f'<h3>时过时不过的场景（{len(flaky)} 个）</h3><p>{items or "没有：每个场景几次的结果都一样。"}</p></section>')


def _judge_section(results: dict[str, Any]) -> str:
    j = results.get("judge")
    if not j:
        return ""
    graded = [(s, s["judge"]) for s in results["scenarios"] if s.get("judge")]
    rows = []
    for s, g in graded:
        if "error" in g:
            rows.append(f'<tr><td>{esc(s["id"])}</td><td colspan="3" class="bad">评分失败：{esc(g["error"])}</td></tr>')
        else:
            rule = '<span class="ok">通过</span>' if s["passed_runs"] == len(s["runs"]) else '<span class="bad">没通过</span>'
            rows.append(f'<tr><td>{esc(s["id"])}</td><td>{rule}</td><td class="num">{g["helpfulness"]}</td>'
                        f'<td class="num">{g["tone"]}</td><td>{esc(g["reasoning"])}</td></tr>')
    return (f'<section id="judge"><h2>评分模型的意见（--judge）</h2><p>评分模型：<b>{esc(j["provider"])} / '
            f'{esc(j["model"])}</b>。按 <code>rubric.md</code> 的标准给每个场景打“有用程度”和“语气”（1–5）。'
            f'平均：有用程度 <b>{j["helpfulness"] if j["helpfulness"] is not None else "—"}</b>，语气 '
            f'<b>{j["tone"] if j["tone"] is not None else "—"}</b>（{j["graded"]} 个场景）。它和规则分数并排，'
            f'<b>不替代</b>规则分数：评分模型自己也会看错。{esc(j.get("note", ""))}</p>'
            f'<details><summary>每个场景的评分（{len(rows)} 个）</summary><table><tr><th>场景</th><th>规则</th>'
            f'<th class="num">有用</th><th class="num">语气</th><th>理由</th></tr>{"".join(rows)}</table></details></section>')


def _args(args: Any) -> str:
    import json

    return json.dumps(args, ensure_ascii=False) if isinstance(args, dict) else str(args)


def transcript_html(run: dict[str, Any], titles: dict[str, str]) -> str:
    """一个场景一次运行的对话记录：每一轮的转接、工具、护栏、审批、回答和检查。"""
    parts = []
    for i, turn in enumerate(run["turns"], 1):
        failed = [c for c in turn["checks"] if not c["passed"]]
        steps = []
        for kind, index in turn.get("timeline", []):
            if kind == "handoff":
                a, b = turn["handoffs"][index]
                steps.append(f'<div class="step"><span class="tag">转接</span>{esc(agent_title(a, titles))} → '
                             f'{esc(agent_title(b, titles))}</div>')
            elif kind == "tool":
                call = turn["tools"][index]
                result = call["result"] or ""
                short = result if len(result) <= 500 else result[:500] + "…"
                steps.append(f'<div class="step"><span class="tag">工具</span><b>{esc(call["name"])}</b> '
                             f'<code>{esc(_args(call["args"]))}</code>（{esc(agent_title(call["agent"], titles))}）'
                             + (f'<div class="result">→ {esc(short)}</div>' if result else "") + "</div>")
            else:
                v = turn["verdicts"][index]
                mark = '<span class="ok">✓ 放行</span>' if v["passed"] else '<span class="bad">✗ 拦下</span>'
                where = f"（{esc(v['tool'])}）" if v.get("tool") else ""
                steps.append(f'<div class="step"><span class="tag">护栏</span>{esc(v["guardrail"])}{where} {mark} '
                             f'<span class="muted">{esc(v["reasoning"])}</span></div>')
        if turn["approval"]:
            steps.append(f'<div class="step"><span class="tag warn">审批</span><b>提交了主管审批</b>：{esc(turn["approval"]["message"])}</div>')
        if turn["error"]:
            steps.append(f'<div class="step bad"><span class="tag bad">出错</span>{esc(turn["error"]["code"])}：{esc(turn["error"]["message"])}</div>')
        answer = (f'<div class="answer">{esc(turn["answer"])}</div><div class="muted step">回答：'
                  f'{esc(agent_title(turn["agent"], titles))}</div>' if turn["answer"] else "")
        checks = "".join(
            f'<tr><td>{"✓" if c["passed"] else "✗"} {esc(METRICS.get(c["metric"], c["metric"]))}</td>'
            f'<td>{esc(_named(c["expected"], titles))}</td>'
            f'<td class="{"ok" if c["passed"] else "bad"}">{esc(_named(c["actual"], titles))}</td></tr>'
            for c in turn["checks"])
        lat = turn["latency"]
        parts.append(
            f'<div class="turn {"failed" if failed else ""}"><div class="muted step">第 {i} 轮 · 首个字 '
            f'{ms(lat["first_text_ms"])} · 整轮 {ms(lat["total_ms"])}</div><div class="user"><b>顾客：</b>{esc(turn["user"])}</div>'
            f'{"".join(steps)}{answer}<table><tr><th>检查</th><th>期望</th><th>实际</th></tr>{checks}</table></div>')
    return "".join(parts)


def _failures_section(results: dict[str, Any]) -> str:
    failing = [s for s in results["scenarios"] if s["passed_runs"] < len(s["runs"])]
    blocks = []
    for s in failing:
        run = next(r for r in s["runs"] if not r["passed"])
        pills = "".join(f'<span class="pill bad">{esc(f)}</span>' for f in run["failed"])
        blocks.append(
            f'<details class="scenario" id="s-{esc(s["id"])}"><summary>{esc(s["id"])} · '
            f'{esc(CATEGORIES[s["category"]])} · 顾客 {esc(s["customer"])} {pills}</summary><div>'
            f'<p class="muted">{esc(s["note"])}（{esc(s["source"])}）</p>'
            f'{transcript_html(run, results["team"]["titles"])}</div></details>')
    return (f'<section id="failures"><h2>没通过的场景（{len(failing)} 个）</h2><p class="muted">点开看对话记录：'
            f'每一轮顾客说了什么、转给了谁、调了哪些工具（参数和结果）、每个护栏的结论、回答，以及每项检查的期望和实际。'
            f'红色标签是没通过的检查（“轮次:检查”）。</p>{"".join(blocks) or "<p>全部通过。</p>"}</section>')


def _scenarios_section(results: dict[str, Any]) -> str:
    rows = []
    for s in results["scenarios"]:
        r = s["runs"][0]
        status = ('<span class="ok">通过</span>' if s["passed_runs"] == len(s["runs"])
                  else f'<a class="bad" href="#s-{esc(s["id"])}">没通过</a>')
        if len(s["runs"]) > 1:
            status += f' <span class="muted">{s["passed_runs"]}/{len(s["runs"])}</span>'
        judge = s.get("judge") or {}
        rows.append(f'<tr id="row-{esc(s["id"])}"><td>{esc(s["id"])}</td><td>{esc(CATEGORIES[s["category"]])}</td>'
                    f'<td class="num">{len(r["turns"])}</td>'
                    f'<td>{status}</td><td>{esc(" ".join(r["failed"]))}</td><td class="num">{ms(r["total_ms"])}</td>'
                    f'<td class="num">{r["tokens"]:,}</td>'
                    f'<td class="num">{judge.get("helpfulness", "")}</td></tr>')
    return (f'<section id="scenarios"><h2>全部场景</h2><table><tr><th>场景</th><th>类别</th><th class="num">轮数</th>'
            f'<th>结果</th><th>没通过的检查</th><th class="num">总耗时</th><th class="num">token</th>'
            f'<th class="num">评分（有用）</th></tr>{"".join(rows)}</table></section>')


def _price_section(results: dict[str, Any]) -> str:
    p = results.get("price") or {}
    meta = results["meta"]
    if not p.get("known"):
        body = (f"<p>{esc(meta['provider'])} / {esc(meta['model'])} <b>没有已知价格</b>：费用没有估算（不是按 0 算）。"
                f"在 <code>07_projects/evals/prices.json</code> 里加一条（每百万 token 的输入、输出价格，写明出处和查阅日期）。</p>")
    else:
        src = (f'<a href="{esc(p["source"])}">{esc(p["source"])}</a>' if p.get("source") else "—")
        body = (f"<table><tr><th>提供方 / 模型</th><th class='num'>输入（每百万 token）</th><th class='num'>输出（每百万 token）"
                f"</th><th>出处</th><th>查阅日期</th></tr><tr><td>{esc(p['provider'])} / {esc(p['model'])}</td>"
                f"<td class='num'>{money(p['input_per_million'], p['currency'])}</td>"
                f"<td class='num'>{money(p['output_per_million'], p['currency'])}</td><td>{src}</td>"
                f"<td>{esc(p['checked'])}</td></tr></table><p class='muted'>{esc(p.get('note', ''))} 护栏 Agent 的 token"
                f"按同一个模型算；提交审批的那几轮事件里没有用量（{results['summary']['cost']['turns_without_usage']} 轮），没算进去。</p>")
    return f'<section id="prices"><h2>价格</h2>{body}</section>'


def render(results: dict[str, Any]) -> str:
    meta = results["meta"]
    mode = "进程内（和 app.py 同一个 create_app）" if meta["mode"] == "in-process" else f"正在运行的服务 {meta['url']}"
    banners = []
    if meta.get("interrupted"):
        banners.append(f'<div class="banner warn">这次评测被 Ctrl+C 中断：只完成了 {meta["completed"]}/{meta["planned"]} '
                       f"个场景运行，下面的数字只算这些。</div>")
    if meta.get("weaken"):
        banners.append(f'<div class="banner bad">团队被故意削弱：{esc(meta["weaken_note"])}（--weaken {esc(meta["weaken"])}）</div>')
    if meta["provider"] == "mock":
        banners.append('<div class="banner warn">这是内置模拟模型的成绩：它是规则写成的确定性程序，不是大模型。'
                       "没通过的场景是它的已知弱点，留在数据集里、照实显示；换成真实模型请在 .env 里填 Key。</div>")
    head = (f'<h1>客服团队评测报告</h1><div class="meta"><b>{esc(meta["label"])}</b> · 模型 <b>{esc(meta["model"])}</b>'
            f' · {esc(mode)}<br>{esc(meta["started"])} · 用时 {meta["seconds"]:.1f} 秒 · {meta["scenario_count"]} 个场景'
            f'（{meta["turn_count"]} 轮）× {meta["repeat"]} 次 · 并发 {meta["concurrency"]} · 数据集 {esc(meta["dataset"])}'
            f'{" · 评分模型 " + esc(meta["judge_model"]) if meta.get("judge_model") else ""}</div>{"".join(banners)}')
    body = [head, f'<section id="summary"><h2>总览</h2><div class="cards">{_cards(results)}</div></section>',
            _category_section(results), _metric_section(results), _confusion_section(results),
            _guardrail_section(results),
            '<h2>最慢、最费的场景</h2><div class="grid2">'
            + _top_section(results, "total_ms", "最慢的场景", "总耗时", "slowest", lambda r: ms(r["total_ms"]))
            + _top_section(results, "tokens", "最费的场景", "token（费用）", "costliest",
                           lambda r: f'{r["tokens"]:,}' + (f' · {money(r["cost"], results["summary"]["cost"]["currency"])}'
                                                           if r.get("cost") else ""))
            + "</div>",
            _spread_section(results), _judge_section(results), _failures_section(results),
            _scenarios_section(results), _price_section(results)]
    return _page(f"客服团队评测 · {meta['model']}", "".join(body))


# ---------------------------------------------------------------- 终端里的短表


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int) -> str:
    return text + " " * max(0, size - width(text))


def terminal(results: dict[str, Any]) -> str:
    s, meta = results["summary"], results["meta"]
    g, a, u, lat = s["guardrails"], s["approvals"], s["usage"], s["latency"]
    lines = []

    def row(label: str, value: str) -> None:
        lines.append(f"  {pad(label, 30)}{value}")

    for key in ("scenarios", "routing", "tool", "args"):
        row(METRICS[key], f"{s[key]['passed']}/{s[key]['total']}  {pct(s[key]['rate'])}")
    row("护栏 精确率 / 召回率", f"{pct(g['precision'])} / {pct(g['recall'])}（拦对 {g['tp']}，误拦 {g['fp']}，漏拦 {g['fn']}）")
    row("回答检查拦下团队的回答", f"{g['answer_blocks']} 次")
    row("身份泄露", f"{s['identity_leaks']} 处")
    row("调了不该调的工具", f"{s['forbidden_violations']} 次")
    row("审批（该提交才提交）", f"{pct(a['rate'])}（多提交 {a['fp']}，漏提交 {a['fn']}）")
    for key in ("facts", "language", "completed"):
        row(METRICS[key], f"{s[key]['passed']}/{s[key]['total']}  {pct(s[key]['rate'])}")
    row("首个字 p50 / p95", f"{ms(lat['first_text_ms']['p50'])} / {ms(lat['first_text_ms']['p95'])}")
    row("整轮 p50 / p95", f"{ms(lat['total_ms']['p50'])} / {ms(lat['total_ms']['p95'])}")
    if u["requests"] is not None:
        row("每轮模型请求（含护栏）", f"{u['requests'] + u['guardrail_requests']:.1f}")
        row("每轮 token 入 / 出（含护栏）", f"{u['input_tokens'] + u['guardrail_input_tokens']:,.0f} / "
                                      f"{u['output_tokens'] + u['guardrail_output_tokens']:,.0f}")
    row("每 100 个对话的费用", cost_text(s, results.get("price")))
    if results.get("judge"):
        j = results["judge"]
        row("评分模型：有用 / 语气", f"{j['helpfulness']} / {j['tone']}（{j['provider']} / {j['model']}）")
    lines.append("  " + "-" * 40)
    for cat in results["categories"].values():
        row(cat["title"], f"{cat['scenarios']['passed']}/{cat['scenarios']['total']}")
    failing = sum(1 for x in results["scenarios"] if x["passed_runs"] < len(x["runs"]))
    head = [f"评测结果（{meta['label']} / {meta['model']}，{meta['scenario_count']} 个场景 × {meta['repeat']} 次，"
            f"用时 {meta['seconds']:.1f}s）："]
    tail = [f"没通过的场景：{failing} 个（对话记录见 report.html 的“没通过的场景”）"]
    return "\n".join(head + lines + tail)


# ---------------------------------------------------------------- --compare


def compare(runs: list[dict[str, Any]], names: list[str]) -> dict[str, Any]:
    """几次评测 → 并排的数字和“结果变了”的场景（以第一次为基准）。"""
    def rates(r: dict[str, Any]) -> dict[str, float | None]:
        s = r["summary"]
        out = {k: s[k]["rate"] for k in METRICS}
        out["guardrail_precision"] = s["guardrails"]["precision"]
        out["guardrail_recall"] = s["guardrails"]["recall"]
        out["approvals"] = s["approvals"]["rate"]
        return out

    ids = list(dict.fromkeys(s["id"] for r in runs for s in r["scenarios"]))
    table = {r_i: {s["id"]: s for s in r["scenarios"]} for r_i, r in enumerate(runs)}
    changed = []
    for sid in ids:
        rows = [table[i].get(sid) for i in range(len(runs))]
        status = [None if x is None else x["passed_runs"] == len(x["runs"]) for x in rows]
        failed = [None if x is None else sorted({f for run in x["runs"] for f in run["failed"]}) for x in rows]
        present = [x for x in status if x is not None]
        if len(set(present)) > 1 or len({tuple(f) for f in failed if f is not None}) > 1:
            category = next(x["category"] for x in rows if x is not None)
            changed.append({"id": sid, "category": category, "passed": status, "failed": failed})
    cats = list(dict.fromkeys(k for r in runs for k in r["categories"]))
    return {
        "runs": [{"name": n, "provider": r["meta"]["provider"], "label": r["meta"]["label"], "model": r["meta"]["model"],
                  "started": r["meta"]["started"], "mode": r["meta"]["mode"], "weaken": r["meta"].get("weaken"),
                  "repeat": r["meta"]["repeat"], "scenario_count": r["meta"]["scenario_count"],
                  "dataset": r["meta"]["dataset"]} for n, r in zip(names, runs, strict=True)],
        "metrics": {k: [rates(r)[k] for r in runs] for k in rates(runs[0])},
        "identity_leaks": [r["summary"]["identity_leaks"] for r in runs],
        "latency": {k: [r["summary"]["latency"][k]["p50"] for r in runs] for k in LATENCY_TITLES},
        "latency_p95": {k: [r["summary"]["latency"][k]["p95"] for r in runs] for k in LATENCY_TITLES},
        "cost_per_100": [{"amount": r["summary"]["cost"]["per_100"], "currency": r["summary"]["cost"]["currency"],
                          "known": r["summary"]["cost"]["known"], "text": cost_text(r["summary"], r.get("price"))}
                         for r in runs],
        "categories": {c: {"title": CATEGORIES.get(c, c),
                           "rates": [r["categories"].get(c, {}).get("scenarios", {}).get("rate") for r in runs]}
                       for c in cats},
        "changed": changed,
    }


def _delta_cells(values: list[float | None], fmt: Any, higher_is_better: bool = True, tolerance: float = 0.0,
                 floor: float = 0.0) -> str:
    """一行数字：和第一列比，变好绿、变坏红。相对变化不到 `tolerance`、绝对变化不到 `floor` 的不算变化
    （延迟每次都会抖一点）。"""
    base = values[0]
    known = [v for v in values if v is not None]
    best = (max(known) if higher_is_better else min(known)) if known else None
    cells = []
    for i, v in enumerate(values):
        cls = ""
        delta = ""
        moved = (v is not None and base is not None and v != base
                 and abs(v - base) > max(tolerance * abs(base), floor))
        if i > 0 and moved:
            worse = (v < base) if higher_is_better else (v > base)
            cls = "worse" if worse else "best"
            arrow = "▼" if v < base else "▲"
            delta = f'<span class="delta {"bad" if worse else "ok"}">{arrow}</span>'
        elif tolerance == 0 and v is not None and v == best and len(set(known)) > 1:
            cls = "best"
        cells.append(f'<td class="num {cls}">{fmt(v)}{delta}</td>')
    return "".join(cells)


def render_compare(comparison: dict[str, Any]) -> str:
    runs = comparison["runs"]
    head = "".join(f'<th class="num">{esc(r["name"])}<br><span class="muted">{esc(r["label"])} / {esc(r["model"])}'
                   f'<br>{esc(r["started"])}{" · 削弱：" + esc(r["weaken"]) if r.get("weaken") else ""}</span></th>'
                   for r in runs)
    names = {**METRICS, "guardrail_precision": "护栏精确率", "guardrail_recall": "护栏召回率",
             "approvals": "审批（该提交才提交）"}
    metric_rows = "".join(f"<tr><td>{esc(names[k])}</td>{_delta_cells(v, pct)}</tr>"
                          for k, v in comparison["metrics"].items() if k not in ("guardrail", "approval"))
    metric_rows += (f"<tr><td>身份泄露（处）</td>{_delta_cells(comparison['identity_leaks'], str, False)}</tr>")
    for k, title in LATENCY_TITLES.items():
        metric_rows += f"<tr><td>{title} p50</td>{_delta_cells(comparison['latency'][k], ms, False, 0.2, 5)}</tr>"
        metric_rows += f"<tr><td>{title} p95</td>{_delta_cells(comparison['latency_p95'][k], ms, False, 0.2, 5)}</tr>"
    cost_cells = "".join(f'<td class="num">{esc(c["text"])}</td>' for c in comparison["cost_per_100"])
    metric_rows += f"<tr><td>每 100 个对话的费用</td>{cost_cells}</tr>"
    cat_rows = "".join(f"<tr><td>{esc(v['title'])}</td>{_delta_cells(v['rates'], pct)}</tr>"
                       for v in comparison["categories"].values())
    changed_rows = []
    for c in comparison["changed"]:
        cells = []
        for passed, failed in zip(c["passed"], c["failed"], strict=True):
            if passed is None:
                cells.append('<td class="muted">没有跑</td>')
            else:
                mark = '<span class="ok">通过</span>' if passed else '<span class="bad">没通过</span>'
                cells.append(f'<td>{mark} <span class="muted">{esc(" ".join(failed or []))}</span></td>')
        changed_rows.append(f'<tr><td>{esc(c["id"])}</td><td>{esc(CATEGORIES.get(c["category"], c["category"]))}</td>'
                            f'{"".join(cells)}</tr>')
    run_heads = "".join(f"<th>{esc(r['name'])}</th>" for r in runs)
    datasets = {r["dataset"] for r in runs}
    warn = ('<div class="banner warn">这几次评测用的数据集版本不同（' + "、".join(sorted(datasets))
            + "）：有的场景只在其中一次里有。</div>") if len(datasets) > 1 else ""
    body = (f'<h1>客服团队评测 · 并排比较</h1><div class="meta">以第一列为基准：绿色更好，红色更差，▲▼ 是相对第一列的变化'
            f'（延迟变化不到 20% 或不到 5 ms 的不标，它每次都会抖一点）。'
            f"</div>{warn}"
            f'<section id="summary"><h2>各项指标</h2><table class="compare"><tr><th>指标</th>{head}</tr>{metric_rows}</table></section>'
            f'<section id="categories"><h2>各类别的场景通过率</h2><table class="compare"><tr><th>类别</th>{head}</tr>'
            f"{cat_rows}</table></section>"
            f'<section id="changed"><h2>结果变了的场景（{len(comparison["changed"])} 个）</h2><p class="muted">'
            f"通过 / 没通过不一样，或者没通过的检查不一样的场景。每个场景的对话记录在各自的 report.html 里。</p>"
            f'<table><tr><th>场景</th><th>类别</th>{run_heads}</tr>'
            f'{"".join(changed_rows) or "<tr><td colspan=9>没有：每个场景的结果都一样。</td></tr>"}</table></section>')
    return _page("客服团队评测 · 比较", body)
