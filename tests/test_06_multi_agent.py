"""06_mcp_multi_agent 的多 Agent 部分：交接之后的下一轮由专家直接回答，不再经过分流 Agent。

12_handoff_next_turn.py 每轮打印“起点 / 经过 / 回答（谁）”，这里把它解析成结构再判断；
脚本在同一个数据目录里连续运行两次，第二次的结果必须和第一次一样（会话和 last_agent 记录被重置）。

测试名里都带 06_mcp，方便 `pytest -k 06_mcp` 一起选中。
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.lessons import REPO, run_script, smoke_env

SCRIPT = REPO / "06_mcp_multi_agent" / "12_handoff_next_turn.py"
TRIAGE = "Triage agent"


@dataclass
class Turn:
    number: int
    start: str
    path: list[str]
    speaker: str
    answer: str


def run(data_dir) -> str:
    code, out, err, _, timed_out = run_script(SCRIPT, [], smoke_env(data_dir), 60)
    assert not timed_out and code == 0, f"{SCRIPT.name} 运行失败\n{out}\n{err}"
    return out


def parse(out: str) -> list[Turn]:
    turns = []
    for block in re.split(r"\n(?=第\d轮 用户：)", out)[1:]:
        number = int(re.match(r"第(\d)轮", block).group(1))
        start = re.search(r"起点：(.+?)（", block).group(1)
        path = re.search(r"经过：(.+)", block).group(1).strip().split(" → ")
        speaker, answer = re.search(r"回答（(.+?)）：(.*)", block).groups()
        turns.append(Turn(number, start, path, speaker, answer))
    return turns


def test_06_mcp_multi_agent_second_turn_answered_by_specialist_without_triage(tmp_path):
    out = run(tmp_path)
    turns = parse(out)
    assert [t.number for t in turns] == [1, 2, 3], out

    first, second, third = turns
    # 第 1 轮：分流 Agent 接待，交接给了某位专家
    assert first.start == TRIAGE and first.path[0] == TRIAGE, out
    specialist = first.speaker
    assert specialist != TRIAGE and first.path[-1] == specialist, out

    # 第 2 轮：从上一轮的专家开始，全程没有经过分流 Agent，由同一位专家回答
    assert second.start == specialist, out
    assert second.path == [specialist], out
    assert TRIAGE not in second.path
    assert second.speaker == specialist, out

    # 第 3 轮（与退款无关的问题）：专家把对话交回分流 Agent
    assert third.start == specialist and third.path[-1] == TRIAGE and third.speaker == TRIAGE, out

    # 对照：不记 last_agent 时，第 2 轮又从分流 Agent 开始
    contrast = re.search(r"对照：不记 last_agent，第2轮又从 (.+?) 开始 → 经过：(.+?)，", out)
    assert contrast and contrast.group(1) == TRIAGE and contrast.group(2).startswith(TRIAGE), out


def test_06_mcp_multi_agent_rerun_starts_a_fresh_conversation(tmp_path):
    """同一个数据目录跑两次：上一次留下的 last_agent（Triage agent）不能让第 1 轮跳过交接。"""
    first = [(t.start, t.path, t.speaker) for t in parse(run(tmp_path))]
    second = [(t.start, t.path, t.speaker) for t in parse(run(tmp_path))]
    assert first == second
    assert (tmp_path / "06_handoff_last_agent.json").exists()
    assert (tmp_path / "06_handoff_sessions.db").exists()
