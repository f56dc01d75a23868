"""冒烟测试：每个课程脚本在内置模拟模型上运行，退出码为 0，输出包含它声明的预期输出。"""

from __future__ import annotations

import pytest

from tests import lessons

LESSONS = lessons.discover()


def test_lessons_found():
    assert LESSONS, "没有找到任何课程脚本"


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name for lesson in LESSONS])
def test_lesson_runs_on_mock(lesson: lessons.Lesson, lesson_runs):
    assert lesson.expected, (
        f"{lesson.name} 的文档字符串里没有“预期输出”段落：每个脚本都要声明它在模拟模型上打印什么"
    )
    run = lesson_runs[lesson.name].result()
    detail = f"\n--- stdout ---\n{run.stdout[-4000:]}\n--- stderr ---\n{run.stderr[-4000:]}"
    assert not run.timed_out, f"{lesson.name} 超过 {lesson.timeout:.0f}s 没结束{detail}"
    assert run.returncode == 0, f"{lesson.name} 退出码 {run.returncode}{detail}"
    assert "Traceback" not in run.stderr, f"{lesson.name} 打印了 traceback{detail}"
    problem = lessons.check_output(lesson.expected, run.stdout)
    assert problem is None, f"{lesson.name}：{problem}{detail}"
