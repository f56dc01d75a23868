"""换了提供方 / 模型之后，磁盘上的旧历史还能接着用：按目标提供方文档写明的规则改写要发出去的历史。

目前只有一条这样的规则，来自 DeepSeek：

> 思考模式下，在两个 user 消息之间，如果模型进行了工具调用，则中间 assistant 的 `reasoning_content`
> 需参与上下文拼接，在后续所有 user 交互轮次中必须回传给 API（否则 400：“The `reasoning_content` in the
> thinking mode must be passed back to the API”）；没有工具调用的轮次不需要回传。
> ——[DeepSeek 思考模式](https://api-docs.deepseek.com/zh-cn/guides/thinking_mode)

DeepSeek 自己产生的历史里有推理条目（`reasoning`），SDK 会把它作为 `reasoning_content` 回传（工厂打开了
`should_replay_reasoning_content`）。但别的提供方、别的模型、或关了思考时写下的历史没有推理内容，也补不出来
（编一段推理不是模型说过的话）。按文档的规则能做的两件事：

1. **之前的轮次**（最后一条用户消息之前）里没有推理内容的工具调用：把“调用了什么、结果是什么”写成一条普通的
   assistant 文字消息。这一轮就不再是“进行了工具调用”的轮次，不需要回传推理内容；信息一点不少。
2. **这一轮**（最后一条用户消息之后，比如从别的提供方存下的审批状态接着跑）里没有推理内容的工具调用：
   这次请求关掉思考模式（`{"thinking": {"type": "disabled"}}`，文档给出的开关）——规则只约束思考模式。

改写只影响发出去的请求，会话库里存的历史不变；改写过就在 stderr 打印一行说明（每个进程一次）。
"""

from __future__ import annotations

import json
import sys
from typing import Any

__all__ = ["adapt_for_deepseek_thinking", "thinking_disabled"]

_explained = False


def _is_user(item: Any) -> bool:
    return isinstance(item, dict) and item.get("role") == "user" and item.get("type", "message") == "message"


def _is_call(item: Any) -> bool:
    return isinstance(item, dict) and item.get("type") == "function_call"


def _is_output(item: Any) -> bool:
    return isinstance(item, dict) and item.get("type") == "function_call_output"


def _has_reasoning_text(item: Any) -> bool:
    """SDK 回传 reasoning_content 用的是推理条目的 summary 文字：没有文字就等于没有推理内容。"""
    if not (isinstance(item, dict) and item.get("type") == "reasoning"):
        return False
    return any(isinstance(s, dict) and s.get("text") for s in item.get("summary") or [])


def _output_text(output: Any) -> str:
    if isinstance(output, str):
        return output
    if isinstance(output, list):
        return " ".join(str(p.get("text", "")) for p in output if isinstance(p, dict)).strip()
    return json.dumps(output, ensure_ascii=False)


def _as_text(calls: list[dict], outputs: dict[str, Any]) -> dict:
    lines = []
    for call in calls:
        result = outputs.get(str(call.get("call_id")))
        done = f"，结果：{_output_text(result)}" if result is not None else ""
        lines.append(f"〔调用了工具 {call.get('name')}，参数 {call.get('arguments') or '{}'}{done}〕")
    return {"role": "assistant", "content": "\n".join(lines)}


def thinking_disabled(extra_body: Any) -> bool:
    thinking = (extra_body or {}).get("thinking") if isinstance(extra_body, dict) else None
    return isinstance(thinking, dict) and thinking.get("type") == "disabled"


def adapt_for_deepseek_thinking(items: Any) -> tuple[Any, int, bool]:
    """按 DeepSeek 思考模式的规则改写要发出去的输入条目（见模块说明）。

    返回 (改写后的条目, 改写成文字的工具调用轮数, 这次请求是否要关掉思考)。条目不是列表时原样返回。
    """
    if not isinstance(items, list):
        return items, 0, False
    last_user = max((i for i, item in enumerate(items) if _is_user(item)), default=-1)
    outputs = {str(item.get("call_id")): item.get("output") for item in items if _is_output(item)}
    adapted: list[Any] = []
    flattened_ids: set[str] = set()
    flattened = 0
    disable = False
    reasoned = False  # 从上一个分界（用户消息、工具结果）到这里，有没有带文字的推理条目
    i = 0
    while i < len(items):
        item = items[i]
        if _is_call(item):
            group = []
            while i < len(items) and _is_call(items[i]):
                group.append(items[i])
                i += 1
            if reasoned:
                adapted.extend(group)
            elif i - len(group) > last_user:  # 这一轮：不能改写正在进行的工具调用，这次请求关掉思考
                adapted.extend(group)
                disable = True
            else:
                adapted.append(_as_text(group, outputs))
                flattened_ids.update(str(c.get("call_id")) for c in group)
                flattened += 1
            reasoned = False
            continue
        if _is_output(item) and str(item.get("call_id")) in flattened_ids:
            i += 1
            continue
        if _has_reasoning_text(item):
            reasoned = True
        elif _is_user(item) or _is_output(item):
            reasoned = False
        adapted.append(item)
        i += 1
    if flattened or disable:
        _explain(flattened, disable)
    return adapted, flattened, disable


def _explain(flattened: int, disable: bool) -> None:
    global _explained
    if _explained:
        return
    _explained = True
    what = []
    if flattened:
        what.append(f"之前 {flattened} 轮的工具调用改成普通文字发送")
    if disable:
        what.append("这一轮关掉思考模式")
    print(
        "ℹ 历史里有不是 DeepSeek 思考模式产生的工具调用（没有 reasoning_content，多半是换提供方 / 模型之前存下的），"
        f"DeepSeek 要求回传它，否则 400。按 DeepSeek 文档的规则：{'，'.join(what)}；会话库里的历史不变。"
        "想从头开始就清空这个会话。",
        file=sys.stderr, flush=True,
    )
