"""04_output_items：解析脚本打印的输出项表格，核对 SDK 真实产生的输出项顺序和配对关系。

预期输出块只能逐行比对文字；这里检查的是行与行之间的关系：工具调用在工具结果之前、
结果的 call_id 对得上调用、交接后的消息来自交接目标、to_input_list 的条数等于输入加 new_items。
"""

from __future__ import annotations

import re

import pytest

from tests.lessons import REPO, run_script, smoke_env

FOLDER = REPO / "04_output_items"
ROW = re.compile(r"^(\d+)\s+(\w+Item)\s+(\S+)\s+(\S+)\s+(.*)$")  # 01 的表格行
ITEM_LINE = re.compile(r"^(\w+Item)\s+(\S+)\s+(.*)$")  # 02 的输出项行：类、agent、要点


def run(name: str, tmp_path) -> str:
    code, out, err, _, timed_out = run_script(FOLDER / name, [], smoke_env(tmp_path), 60)
    assert not timed_out and code == 0, f"{name} 运行失败\n{out}\n{err}"
    return out


def order_of(classes: list[str], *names: str) -> list[int]:
    return [classes.index(n) for n in names]


def test_new_items_table_follows_tool_call_sequence(tmp_path):
    out = run("01_inspect_new_items.py", tmp_path)
    rows = [m.groups() for line in out.splitlines() if (m := ROW.match(line.strip()))]
    classes = [r[1] for r in rows]
    assert classes, out
    call, output, message = order_of(classes, "ToolCallItem", "ToolCallOutputItem", "MessageOutputItem")
    assert call < output < message
    raw = {r[1]: r[2] for r in rows}
    assert raw["ToolCallItem"] == "ResponseFunctionToolCall"
    assert raw["MessageOutputItem"] == "ResponseOutputMessage"
    assert raw["ToolCallOutputItem"] == "dict"  # 工具结果是 SDK 拼出的输入项，不是模型输出对象
    # 工具返回的文字出现在最终回答里，final_output 就是最后一条消息的文字
    tool_text = rows[output][4].removeprefix("工具返回 ")
    message_text = rows[message][4].removeprefix("消息 ")
    assert tool_text in message_text
    assert out.strip().splitlines()[-1] == message_text


def parse_runs(out: str) -> dict[int, list[tuple[str, str, str]]]:
    runs: dict[int, list[tuple[str, str, str]]] = {}
    current = None
    for line in out.splitlines():
        if m := re.match(r"^== 运行 (\d+)", line):
            current = int(m.group(1))
            runs[current] = []
        elif line.startswith("五剑客"):
            current = None
        elif current is not None and (m := ITEM_LINE.match(line.strip())):
            runs[current].append(m.groups())
    return runs


def test_each_of_the_five_item_types_comes_from_a_real_run(tmp_path):
    out = run("02_five_item_types.py", tmp_path)
    runs = parse_runs(out)
    assert set(runs) == {1, 2, 3}, out

    tool_run = [c for c, _, _ in runs[1]]
    assert tool_run.index("ToolCallItem") < tool_run.index("ToolCallOutputItem")
    assert tool_run[-1] == "MessageOutputItem"

    handoff_run = runs[2]
    classes = [c for c, _, _ in handoff_run]
    call, done, message = order_of(classes, "HandoffCallItem", "HandoffOutputItem", "MessageOutputItem")
    assert call < done < message
    source, target = re.search(r"(\S+) → (\S+)", handoff_run[done][2]).groups()
    assert handoff_run[call][1] == source  # 交接由源 agent 发起
    assert handoff_run[message][1] == target  # 交接后的回答来自目标 agent

    reasoning = [c for c, _, _ in runs[3]]
    assert reasoning.index("ReasoningItem") < reasoning.index("MessageOutputItem")

    for cls in ("MessageOutputItem", "ToolCallItem", "ToolCallOutputItem",
                "HandoffOutputItem", "ReasoningItem"):
        assert re.search(rf"^{cls}\s+✓", out, re.M), f"{cls} 没有在核对里打勾\n{out}"


def test_transport_types_are_read_from_the_objects(tmp_path):
    out = run("03_execution_vs_transport.py", tmp_path)
    pairs = dict(re.findall(r"^(\w+Item)\s+(\w+)", out, re.M))
    assert pairs["ToolCallItem"] == "ResponseFunctionToolCall"
    assert pairs["HandoffCallItem"] == "ResponseFunctionToolCall"
    assert pairs["MessageOutputItem"] == "ResponseOutputMessage"
    assert pairs["ReasoningItem"] == "ResponseReasoningItem"
    assert "ResponseOutputItem in ResponseOutputMessage.__mro__ → False" in out
    assert "ResponseOutputMessage 是 ResponseOutputItem 的成员 → True" in out
    assert re.search(r"^content\[0\]\s+ResponseOutputText\s+type=output_text", out, re.M)


def test_final_output_hides_the_tool_calls_that_new_items_record(tmp_path):
    out = run("04_final_output_vs_new_items.py", tmp_path)
    rows = []
    for line in out.splitlines():
        if m := re.match(r"^(\d+)\s+(\w+Item)\s+(\S+)\s+(.*)$", line.strip()):
            rows.append(m.groups())
    calls = [(i, cid) for i, (_, cls, cid, _) in enumerate(rows) if cls == "ToolCallItem"]
    outputs = [(i, cid) for i, (_, cls, cid, _) in enumerate(rows) if cls == "ToolCallOutputItem"]
    assert len(calls) == 2 and len(outputs) == 2, out
    call_position = {cid: i for i, cid in calls}
    for i, cid in outputs:  # 每个结果都对应一个更早的调用
        assert cid in call_position and call_position[cid] < i
    assert rows[-1][1] == "MessageOutputItem"

    final = out.split("== final_output（类型 str）：\n", 1)[1].split("\n== new_items", 1)[0]
    for _, cls, _, text in rows:
        if cls == "ToolCallItem":  # 调用时传的参数（JSON），final_output 里看不到
            arguments = text.split(" ", 2)[2]
            assert arguments.startswith("{") and arguments not in final
    assert "和 final_output 相同：True" in out

    total, given, new = map(int, re.search(
        r"to_input_list\(\)：(\d+) 条 = (\d+) 条本轮输入 \+ (\d+) 条 new_items", out).groups())
    assert new == len(rows) and total == given + new and given == 1


@pytest.mark.parametrize("name", sorted(p.name for p in FOLDER.glob("[0-9]*.py")))
def test_readme_lists_every_script(name):
    assert name in (FOLDER / "README.md").read_text(encoding="utf-8")
