"""消息内容 → 纯文字：一个函数，课程、综合案例和模拟模型都用它。

OpenAI 兼容接口里，“一条消息的内容”有好几种样子：

    "你好"                                                  字符串
    [{"type": "input_text", "text": "你好"}, ...]           内容块列表（Responses API、Agents SDK 的历史）
    [{"type": "text", "text": "{...}"}]                     MCP 工具结果在 SDK 里的样子
    {"type": "text", "text": "..."}                         单个内容块
    [TextContent(type="text", text="...")]                  MCP SDK 的对象（有 .text 属性）
    [{"type": "refusal", "refusal": "..."}]                 模型拒答

`content_text()` 把它们都变成一段文字：文字块按顺序拼起来，拒答块取拒答的话，图片、文件这类不是文字的块
什么都不贡献。认不出的东西返回空字符串——要不要退回 JSON 由调用方决定（工具结果就是这样）。
纯函数，不导入任何第三方包。
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["content_text"]


def content_text(content: Any) -> str:
    """消息内容（字符串、内容块、内容块列表、带 .text 的对象）→ 纯文字。"""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, (list, tuple)):
        return "".join(content_text(part) for part in content)
    kind = _get(content, "type")
    if kind is None or (isinstance(kind, str) and kind.endswith("text")):
        text = _get(content, "text")
        if isinstance(text, str):
            return text
    if kind == "refusal":
        refusal = _get(content, "refusal")
        return refusal if isinstance(refusal, str) else ""
    return ""


def _get(part: Any, name: str) -> Any:
    if isinstance(part, Mapping):
        return part.get(name)
    return getattr(part, name, None)
