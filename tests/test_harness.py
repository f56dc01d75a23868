"""冒烟测试工具本身的测试：它必须能发现脚本、读出预期输出，并且真的会判失败。"""

from __future__ import annotations

import textwrap

from tests import lessons


def write(tmp_path, folder: str, name: str, source: str):
    path = tmp_path / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def test_discovers_only_scripts_with_main_guard(tmp_path):
    write(tmp_path, "01_demo", "01_hello.py", '''\
        """打招呼。

        预期输出:
            你好
        """
        if __name__ == "__main__":
            print("你好")
        ''')
    write(tmp_path, "01_demo", "helper.py", "VALUE = 1\n")
    write(tmp_path, "notes", "script.py", 'if __name__ == "__main__":\n    pass\n')
    found = lessons.discover(tmp_path)
    assert [lesson.path.name for lesson in found] == ["01_hello.py"]
    assert found[0].expected == ["你好"]


def test_script_without_expected_output_is_found_with_empty_expectation(tmp_path):
    write(tmp_path, "02_demo", "01_silent.py", '"""没有预期输出。"""\nif __name__ == "__main__":\n    print(1)\n')
    (lesson,) = lessons.discover(tmp_path)
    assert lesson.expected == []  # test_smoke_lessons 会因此判它失败


def test_docstring_options():
    expected, args, timeout = lessons.parse_docstring(textwrap.dedent("""\
        标题

        测试参数: --once --port 0
        测试超时: 90

        预期输出（内置模拟模型）:
            第一行 ...
            第二行

        运行: python x.py
        """))
    assert expected == ["第一行 ...", "第二行"]
    assert args == ["--once", "--port", "0"]
    assert timeout == 90


def test_check_output_order_and_wildcards():
    output = "【模型】端口 8123\n中间的行\n工具调用: get_weather\n答案：晴\n"
    assert lessons.check_output(["【模型】端口 ...", "工具调用: get_weather", "答案：..."], output) is None
    assert lessons.check_output(["答案：...", "工具调用: get_weather"], output) is not None  # 顺序错
    assert lessons.check_output(["工具调用: get_weather {}"], output) is not None  # 整行比对
    assert lessons.check_output(["不存在的行"], output) is not None


def test_failing_script_is_reported(tmp_path):
    write(tmp_path, "03_demo", "01_boom.py", '''\
        """会失败。

        预期输出:
            不会出现
        """
        if __name__ == "__main__":
            raise SystemExit(3)
        ''')
    (lesson,) = lessons.discover(tmp_path)
    run = lessons.run_lesson(lesson, tmp_path)
    assert run.returncode == 3
    assert lessons.check_output(lesson.expected, run.stdout) is not None
