"""03_agents 里预期输出块表达不了的行为。"""

from __future__ import annotations

import re

from tests.lessons import REPO, run_script, smoke_env


def test_streamed_answer_arrives_in_several_text_deltas(tmp_path):
    """打字机效果：回答要分成多个 ResponseTextDeltaEvent 到达，而不是一次给完。"""
    code, out, err, _, timed_out = run_script(
        REPO / "03_agents" / "06_run_streamed.py", [], smoke_env(tmp_path), timeout=60
    )
    assert not timed_out and code == 0, err
    m = re.search(r"^收到 (\d+) 个文本增量", out, re.M)
    assert m, out
    assert int(m.group(1)) > 1, out
    assert "增量拼起来与 final_output 相同: True" in out
