"""03/18 跨进程审批：两条命令、两个进程，中间只靠 data/ 下的状态文件。"""

from __future__ import annotations

import json

import pytest

from tests import lessons

SCRIPT = lessons.REPO / "03_agents" / "18_approval_across_processes.py"


def run(data_dir, *args: str) -> tuple[int | None, str, str]:
    code, out, err, _, timed_out = lessons.run_script(SCRIPT, list(args), lessons.smoke_env(data_dir), 60)
    assert not timed_out
    assert "Traceback" not in err, err
    return code, out, err


@pytest.mark.parametrize("decision", ["--approve", "--reject"])
def test_second_process_resumes_the_saved_run(tmp_path, decision):
    code, out, err = run(tmp_path)
    assert code == 0, out + err
    state_file = tmp_path / "pending_refund.json"
    assert state_file.is_file()
    text = state_file.read_text(encoding="utf-8")
    assert json.loads(text)["current_agent"]["name"] == "退款专员"
    assert '\\"amount\\": 800.0' in text  # 待审批的调用和它的参数（JSON 字符串）都在文件里

    code, out, err = run(tmp_path, decision)
    assert code == 0, out + err
    assert "待审批: issue_refund {\"order_id\": \"A1002\", \"amount\": 800.0}" in out
    if decision == "--approve":
        assert "工具结果: 已为订单 A1002 退款 800 元" in out
    else:
        assert "工具结果: 主管拒绝了这笔退款：商品已拆封使用" in out
        assert "已为订单" not in out  # 被拒绝的调用没有执行
    assert "审批完成，已删除 pending_refund.json" in out
    assert not state_file.exists()

    # 同一个决定不能做两次：文件没了，第二步说明原因并以 1 退出。
    code, out, _ = run(tmp_path, decision)
    assert code == 1
    assert "没有待审批的退款" in out
