"""环境检查：Python、依赖版本、.env、当前模型配置，以及一次真实的模型往返调用。

开课前先跑它。每一项打印 ✓ 或 ✗，失败的项下面写着怎么修；必需项有失败时退出码为 1。
没有 .env 时使用内置模拟模型，全部项目都应通过。

运行: python 00_environment/check_env.py

预期输出（内置模拟模型）:
    ITS 智能客服课程 · 环境检查
    ✓ Python ...
    ✓ openai-agents 0.24...
    ✓ openai 3...
    ✓ mcp 2...
    - .env：未找到（没关系：将使用内置模拟模型；要用真实模型请复制 .env.example 为 .env）
    ✓ 模型配置：提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    ✓ Chat Completions 往返：... 秒，模型回复「...」
    ✓ Responses API：支持，模型回复「...」
    全部必需项通过，可以开始上课了。
提供方预期输出（bailian、deepseek、siliconflow、ollama）:
    ✓ Chat Completions 往返：... 秒，模型回复「...」
    - Responses API：... 按不支持处理（...），跳过；课程里需要它的脚本会说明原因并正常退出
    全部必需项通过，可以开始上课了。
"""

from __future__ import annotations

import sys
import time
from importlib import metadata

# (包名, 要求的版本前缀, 说明)
PACKAGES = [
    ("openai-agents", "0.24", "Agents SDK 本体"),
    ("openai", "3", "官方 OpenAI 客户端"),
    ("python-dotenv", "", "读取 .env"),
    ("pydantic", "2", "结构化输出"),
    ("fastapi", "", "07 综合案例的后端"),
    ("uvicorn", "", "运行 FastAPI"),
    ("mcp", "2", "06 课的 MCP 服务端 / 客户端"),
]


class Checklist:
    def __init__(self) -> None:
        self.failed = 0

    def ok(self, text: str) -> None:
        print(f"✓ {text}")

    def info(self, text: str) -> None:
        print(f"- {text}")

    def fail(self, text: str, fix: str) -> None:
        self.failed += 1
        print(f"✗ {text}")
        print(f"    修复：{fix}")


def check_python(check: Checklist) -> None:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info >= (3, 10):  # noqa: UP036  学员可能用系统自带的旧 Python 直接运行本脚本
        check.ok(f"Python {version}（{sys.executable}）")
    else:
        check.fail(f"Python {version} 太旧", "安装 Python 3.10 或更新版本，再按 README 重建虚拟环境。")


def check_packages(check: Checklist) -> bool:
    all_ok = True
    for name, prefix, purpose in PACKAGES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            all_ok = False
            check.fail(f"{name} 未安装（{purpose}）", '在仓库根目录运行：pip install -e ".[dev]"')
            continue
        if prefix and not (version == prefix or version.startswith(prefix + ".")):
            all_ok = False
            check.fail(f"{name} {version}，课程需要 {prefix}.x", '运行：pip install -e ".[dev]" 安装课程锁定的版本')
        else:
            check.ok(f"{name} {version}")
    return all_ok


def check_model(check: Checklist) -> None:
    from shared.config import ConfigError, find_dotenv_path
    from shared.factory import explain_error, get_client, get_settings

    dotenv = find_dotenv_path()
    if dotenv:
        check.info(f".env：已找到 {dotenv}")
    else:
        check.info(".env：未找到（没关系：将使用内置模拟模型；要用真实模型请复制 .env.example 为 .env）")

    try:
        settings = get_settings()
    except ConfigError as exc:
        check.fail("模型配置有误", exc.message)
        return
    check.ok(f"模型配置：{settings.describe()}")
    check.info(f"选择原因：{settings.reason}")

    client = get_client().with_options(max_retries=0, timeout=min(settings.timeout, 30))
    start = time.perf_counter()
    try:
        reply = client.chat.completions.create(
            model=settings.model,
            messages=[{"role": "user", "content": "你好"}],
        )
    except Exception as exc:  # 这里就是要把任何失败都变成一条可读的检查结果
        code, message = explain_error(exc) or ("error", str(exc))
        check.fail(f"Chat Completions 往返失败 [{code}]", message)
        return
    text = (reply.choices[0].message.content or "").strip().replace("\n", " ")
    check.ok(f"Chat Completions 往返：{time.perf_counter() - start:.2f} 秒，模型回复「{text[:30]}」")

    if not settings.supports_responses:
        note = settings.preset.responses_note or "只按 Chat Completions 使用"
        check.info(
            f"Responses API：{settings.label} 按不支持处理（{note}），跳过；"
            "课程里需要它的脚本会说明原因并正常退出"
        )
        return
    try:
        response = client.responses.create(model=settings.model, input="你好")
    except Exception as exc:
        code, message = explain_error(exc) or ("error", str(exc))
        check.fail(f"Responses API 调用失败 [{code}]", message + " 如果该提供方不支持，设置 LLM_SUPPORTS_RESPONSES=0。")
        return
    check.ok(f"Responses API：支持，模型回复「{response.output_text.strip()[:30]}」")


def main() -> None:
    print("ITS 智能客服课程 · 环境检查")
    check = Checklist()
    check_python(check)
    if check_packages(check):
        check_model(check)
    else:
        check.info("依赖没装好，先跳过模型检查。")
    if check.failed:
        print(f"有 {check.failed} 项必需检查没通过，按上面的“修复”处理后再运行一次。")
        raise SystemExit(1)
    print("全部必需项通过，可以开始上课了。")


if __name__ == "__main__":
    main()
