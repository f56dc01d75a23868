"""05_stream_events：解析脚本打印的事件轨迹，核对 SDK 真实的事件顺序；会话脚本连续运行两次。

事件脚本每行以固定前缀开头（[agent] / [think] / [text ] / [item ]），这里把它们解析成事件序列，
检查的是顺序关系：工具调用先于工具结果、handoff_requested 先于 handoff_occured、两者都先于
新 Agent 的 agent_updated 和它说的话、message_output_created 在文字增量之后。
"""

from __future__ import annotations

import ast
import re

import pytest

from tests.lessons import REPO, check_output, parse_rerun, run_script, smoke_env

FOLDER = REPO / "05_stream_events"
EVENT = re.compile(r"^\[(agent|think|text |item )\] ?(.*)$")


def run(name: str, data_dir, *args: str) -> str:
    code, out, err, _, timed_out = run_script(FOLDER / name, list(args), smoke_env(data_dir), 60)
    assert not timed_out and code == 0, f"{name} {args} 运行失败\n{out}\n{err}"
    return out


def events(out: str) -> list[tuple[str, str]]:
    """[(类别, 内容)]；[item ] 行的内容取事件名，[agent] 行取 Agent 名。"""
    found = []
    for line in out.splitlines():
        if m := EVENT.match(line):
            kind, rest = m.group(1).strip(), m.group(2)
            found.append((kind, rest.split()[0] if kind in ("item", "agent") and rest else rest))
    return found


def first(seq: list[tuple[str, str]], kind: str, value: str | None = None) -> int:
    for i, (k, v) in enumerate(seq):
        if k == kind and (value is None or v == value):
            return i
    raise AssertionError(f"没有找到事件 {kind} {value or ''}：{seq}")


def last(seq: list[tuple[str, str]], kind: str, value: str | None = None) -> int:
    n = len(seq)
    return n - 1 - first(list(reversed(seq)), kind, value)


def test_raw_events_start_without_delta_and_text_deltas_rebuild_the_answer(tmp_path):
    out = run("01_raw_text_deltas.py", tmp_path)
    kinds = re.findall(r"^(Response\w+Event)\s+×(\d+)\s+(有|没有) delta", out, re.M)
    assert kinds[0][0] == "ResponseCreatedEvent" and kinds[0][2] == "没有"
    assert ("ResponseTextDeltaEvent", "有") in {(k, d) for k, _, d in kinds}
    assert "打字机拼出的文字与 final_output 相同：True" in out


def test_reasoning_deltas_arrive_before_text_on_both_apis(tmp_path):
    out = run("02_raw_reasoning_deltas.py", tmp_path)
    sections = re.split(r"^== \d\. ", out, flags=re.M)[1:]
    assert len(sections) == 2, out
    for section in sections:
        seq = events(section)
        assert first(seq, "think") < first(seq, "text")
        assert "推理增量的事件类型：ResponseReasoningSummaryTextDeltaEvent" in section


def test_run_item_events_follow_the_execution(tmp_path):
    out = run("03_run_item_events.py", tmp_path)
    rows = re.findall(r"^\[item \] (\w+)\s+(\w+)\s+(\w+)", out, re.M)
    names = [name for name, _, _ in rows]
    item_class = {name: cls for name, _, cls in rows}
    assert item_class["handoff_requested"] == "HandoffCallItem"
    assert item_class["handoff_occured"] == "HandoffOutputItem"
    assert item_class["tool_called"] == "ToolCallItem"
    assert item_class["tool_output"] == "ToolCallOutputItem"
    assert names.index("handoff_requested") < names.index("handoff_occured")
    assert names.index("handoff_occured") < names.index("tool_called") < names.index("tool_output")
    assert names[-1] == "message_output_created"
    # 交接之后的输出项都由目标 agent 产生
    target = re.search(r"handoff_occured\s+\w+\s+\w+\s+(\w+) → (\w+)", out).group(2)
    after = rows[names.index("handoff_occured") + 1:]
    assert after and all(agent == target for _, agent, _ in after)
    assert "六种事件都出现了：True" in out


def test_agent_updated_marks_who_is_speaking(tmp_path):
    out = run("04_agent_updated_events.py", tmp_path)
    seq = events(out)
    agents = [v for k, v in seq if k == "agent"]
    assert len(agents) == 2 and agents[0] != agents[1]
    assert first(seq, "agent", agents[1]) < first(seq, "text")
    assert f"result.last_agent = {agents[1]}" in out


def test_combined_trace_orders_handoff_tool_and_text(tmp_path):
    out = run("05_three_together.py", tmp_path)
    seq = events(out)
    assert seq[0][0] == "agent"
    start, new_agent = seq[0][1], re.search(r"handoff_occured\s+\w+\s+(\w+) → (\w+)", out).groups()
    assert new_agent[0] == start
    requested = first(seq, "item", "handoff_requested")
    occured = first(seq, "item", "handoff_occured")
    switched = first(seq, "agent", new_agent[1])
    assert requested < occured < switched < first(seq, "text")
    assert first(seq, "item", "tool_called") < first(seq, "item", "tool_output") < first(seq, "text")
    assert last(seq, "text") < last(seq, "item", "message_output_created")
    assert first(seq, "think") < first(seq, "item", "reasoning_item_created")
    text = "".join(v for k, v in seq if k == "text")
    assert f"final_output: {text}" in out


def test_session_answers_from_history_then_forgets_after_clear(tmp_path):
    out = run("06_sqlite_session.py", tmp_path)
    first_q = re.search(r"^== 第 1 轮.*用户：(.+)$", out, re.M).group(1)
    answers = re.findall(r"^助手：(.+)$", out, re.M)
    assert len(answers) == 2
    assert f"「{first_q}」" in answers[0]  # 第 2 轮从历史里答出第 1 轮的问题
    assert first_q not in answers[1]  # clear_session() 之后就不知道了
    types = re.findall(r"^\d+\s+(message|function_call_output|function_call|reasoning)\s", out, re.M)
    assert {"message", "function_call", "function_call_output", "reasoning"} <= set(types)
    assert types.index("function_call") < types.index("function_call_output")
    count = int(re.search(r"get_items\(\)：共 (\d+) 条", out).group(1))
    assert count == len(types)
    assert "clear_session() 之后：共 0 条" in out


def second_run_block() -> list[str]:
    """07 的文档字符串里写着第二次运行的样子；按预期输出的规则比对。"""
    doc = ast.get_docstring(ast.parse((FOLDER / "07_persistent_session.py").read_text("utf-8")))
    return parse_rerun(doc)


def test_persistent_session_survives_a_second_run(tmp_path):
    script = "07_persistent_session.py"
    out1 = run(script, tmp_path)
    db = re.search(r"^会话库文件：(.+)$", out1, re.M).group(1)
    assert db.startswith(str(tmp_path))  # 写在 ITS_DATA_DIR 下，不是仓库里
    assert "启动时已有 0 条记录" in out1
    first_q = re.search(r"^用户：(.+)$", out1, re.M).group(1)
    saved = int(re.search(r"现在会话里有 (\d+) 条记录", out1).group(1))
    assert saved > 0

    out2 = run(script, tmp_path)
    assert f"启动时已有 {saved} 条记录" in out2  # 第二个进程读到了第一个进程写的历史
    answer = re.search(r"^助手：(.+)$", out2, re.M).group(1)
    assert f"「{first_q}」" in answer
    assert second_run_block() and check_output(second_run_block(), out2) is None

    out3 = run(script, tmp_path, "--reset")
    assert "已清空会话" in out3
    assert "启动时已有 0 条记录" in run(script, tmp_path)


@pytest.mark.parametrize("name", sorted(p.name for p in FOLDER.glob("[0-9]*.py")))
def test_readme_lists_every_script(name):
    assert name in (FOLDER / "README.md").read_text(encoding="utf-8")
