"""换提供方：同一段代码，换一组 base_url / api_key / model 就能调用任何 OpenAI 兼容服务。

OpenAI 的客户端只认三样东西：地址（base_url）、Key（api_key）和请求里的模型名（model）。
阿里云百炼、硅基流动、DeepSeek、本地 Ollama 都提供 OpenAI 兼容接口，所以“换模型”就是换这三样。
本课把它们放进 .env，由 `shared.config` 的预设表（PRESETS）补齐默认地址和模型。
脚本先打印预设表、当前选中谁以及为什么，再列出切换时要写进 .env 的几行，
最后亲手用 `OpenAI(base_url=..., api_key=...)` 建一个客户端调用一次：参数全部来自配置，代码里没有地址和 Key。

运行: python 01_models/03_switch_provider.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    提供方 ... 名称 ... 默认地址 ... 默认模型 ... Responses ... 托管工具
    mock ... 内置模拟模型 ... （进程内自动启动） ... mock-model ... ✓ ... ✓
    openai ... https://api.openai.com/v1 ... gpt-4.1-mini ... ✓ ... ✓
    bailian ... https://dashscope.aliyuncs.com/compatible-mode/v1 ... qwen-plus ... ✗ ... ✗
    deepseek ... https://api.deepseek.com/v1 ... deepseek-flash ... ✗ ... ✗
    当前使用：mock（内置模拟模型），原因：LLM_PROVIDER=mock
    切换到 阿里云百炼 DashScope（bailian），在仓库根目录的 .env 写：
    LLM_PROVIDER=bailian
    DASHSCOPE_API_KEY=sk-你的Key
    OPENAI_MODEL_NAME=qwen3-max      # 可选：不写就用默认的 qwen-plus
    → OpenAI(base_url=http://127.0.0.1:.../v1, api_key=****)
    ← 我是乐于助人的助手。有什么可以帮您？
提供方预期输出（openai、bailian、deepseek、siliconflow、ollama）:
    mock ... 内置模拟模型 ... （进程内自动启动） ... mock-model ... ✓ ... ✓
    deepseek ... https://api.deepseek.com/v1 ... deepseek-flash ... ✗ ... ✗
    当前使用：...，原因：LLM_PROVIDER=...
    切换到 阿里云百炼 DashScope（bailian），在仓库根目录的 .env 写：
    → OpenAI(base_url=http://127.0.0.1:.../v1, api_key=...)
    ← 我是乐于助人的助手。有什么可以帮您？
"""

from __future__ import annotations

import unicodedata

import openai
from openai import OpenAI

from shared.config import PRESETS
from shared.factory import explain_error, print_provider


def width(text: str) -> int:
    """终端里的显示宽度：中文占两格。"""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, cells: int) -> str:
    return text + " " * max(cells - width(text), 1)


def print_presets() -> None:
    columns = (("提供方", 14), ("名称", 26), ("默认地址", 52), ("默认模型", 16), ("Responses", 11))
    print("".join(pad(name, cells) for name, cells in columns) + "托管工具")
    for p in PRESETS.values():
        base = p.base_url or ("（进程内自动启动）" if p.name == "mock" else "（必须自己填）")
        row = (
            p.name,
            p.label,
            base,
            p.model or "（必须自己填）",
            "✓" if p.supports_responses else "✗",
        )
        cells = "".join(pad(value, c) for value, (_, c) in zip(row, columns, strict=True))
        print(cells + ("✓" if p.supports_hosted_tools else "✗"))


def env_lines(name: str) -> list[str]:
    """切换到某个提供方时 .env 里要写的行。"""
    p = PRESETS[name]
    if name == "mock":
        return ["# 删掉所有 Key 即可；或者明确写：", "LLM_PROVIDER=mock"]
    if name == "custom":
        return [
            "LLM_PROVIDER=custom",
            "OPENAI_BASE_URL=https://你的服务地址/v1",
            "OPENAI_API_KEY=sk-你的Key",
            "OPENAI_MODEL_NAME=你的模型名",
            "LLM_SUPPORTS_RESPONSES=0      # 服务实现了 /v1/responses 时改成 1",
        ]
    lines = [f"LLM_PROVIDER={name}"]
    if p.key_env:
        lines.append(f"{p.key_env}=sk-你的Key")
    if name == "bailian":  # 课程原文用的是 qwen3-max
        lines.append("OPENAI_MODEL_NAME=qwen3-max      # 可选：不写就用默认的 qwen-plus")
    return lines


def main() -> None:
    settings = print_provider()
    print_presets()
    print(f"当前使用：{settings.provider}（{settings.label}），原因：{settings.reason}")
    print(f"读取的 .env：{settings.dotenv_path or '没有（或 ITS_DOTENV=0）'}")
    if not settings.supports_responses:
        note = settings.preset.responses_note or "只按 Chat Completions 使用"
        print(f"  课程在这个提供方上不用 Responses API（{note}）：")
        print("  本课 02、05、06、07 号和 02_tools/01 会说明原因并正常退出。")

    for name in ("bailian", "siliconflow", "deepseek", "ollama", "openai", "custom", "mock"):
        preset = PRESETS[name]
        print(f"\n切换到 {preset.label}（{name}），在仓库根目录的 .env 写：")
        for line in env_lines(name):
            print(f"    {line}")
        if name != "mock":
            print(f"    # 申请 Key / 安装：{preset.signup}")

    # 本课的主题就是“自己建客户端”，所以这里不用 get_client()；但参数一样来自配置，不写死。
    # 若改用模块级客户端（openai.base_url = ...），地址必须以 / 结尾，否则会请求 .../v1chat/completions。
    print(f"\n→ OpenAI(base_url={settings.base_url}, api_key={settings.masked_key})")
    client = OpenAI(
        base_url=settings.base_url,
        api_key=settings.api_key,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
    )
    try:
        response = client.chat.completions.create(
            model=settings.model,
            messages=[
                {"role": "system", "content": "你是一个乐于助人的助手"},
                {"role": "user", "content": "你是谁？"},
            ],
        )
    except openai.APIError as exc:
        # 换提供方时最常见的三种错：Key 不对（401）、模型名不对（404）、地址不通（连接错误）。
        code, message = explain_error(exc) or ("api_error", str(exc))
        print(f"✗ 调用失败 [{code}]：{message}")
        raise SystemExit(1) from None
    print(f"← {response.choices[0].message.content}")


if __name__ == "__main__":
    main()
