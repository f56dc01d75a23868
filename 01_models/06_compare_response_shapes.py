"""两种 API 的回复长什么样：同一个问题、同一个工具，并排打印文字和工具调用各在哪里。

课程里的对比表说 Chat Completions“返回包含 choices 的复杂对象”、Responses“结构更扁平”。
这里把它变成看得见的字段路径：
- 文字：`choices[0].message.content`  vs  `output_text`（= 各个 `output[i].content[j].text` 拼起来）
- 工具调用：`choices[0].message.tool_calls`  vs  `output` 里 `type == "function_call"` 的项
- 工具定义：Chat 把函数包在 `"function": {...}` 里；Responses 是平铺的 `name / parameters`
- 用量：`prompt_tokens / completion_tokens`  vs  `input_tokens / output_tokens`
两个问题：一个用不上工具（看文字在哪），一个要查订单（看工具调用在哪）。
多轮对话的历史怎么带，见下一个脚本。需要 Responses API：不支持时说明原因并正常退出。

运行: python 01_models/06_compare_response_shapes.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    【工具定义】同一个 query_order，两种写法：
    Chat Completions │ {"type": "function", "function": {"name": "query_order", "description": "…", "parameters": "…"}}
    Responses        │ {"type": "function", "name": "query_order", "description": "…", "parameters": "…"}
    【问题 1】你是谁？
    Chat Completions │ choices[0].finish_reason = 'stop'
    │ choices[0].message.content = '我是ITS智能客服。...'
    Responses        │ output_text = '我是ITS智能客服。...'
    │ output[0].type = 'message'
    │ output[0].content[0].text = '我是ITS智能客服。...'
    【问题 2】帮我查一下订单 A1001 现在到哪了
    Chat Completions │ choices[0].finish_reason = 'tool_calls'
    │ choices[0].message.content = None
    │ choices[0].message.tool_calls[0] → query_order {"order_id": "A1001"}（id=call_...）
    Responses        │ output_text = ''
    │ output[0].type = 'function_call' → query_order {"order_id": "A1001"}（call_id=call_...）
    【用量】Chat：usage.prompt_tokens=... usage.completion_tokens=...
    【用量】Responses：usage.input_tokens=... usage.output_tokens=...
提供方预期输出（bailian、deepseek、siliconflow、ollama）:
    ⚠ 当前提供方 ...不支持 Responses API...
    课程在这个提供方上只走 Chat Completions，需要它的演示到此结束。
"""

from __future__ import annotations

import json

from openai.types.chat import ChatCompletion
from openai.types.responses import Response

from shared.factory import get_client, print_provider, require_responses_api

INSTRUCTIONS = "你是ITS智能客服"
QUESTIONS = ["你是谁？", "帮我查一下订单 A1001 现在到哪了"]

DESCRIPTION = "根据订单号查询订单状态和物流"
PARAMETERS = {
    "type": "object",
    "properties": {"order_id": {"type": "string", "description": "订单号，例如 A1001"}},
    "required": ["order_id"],
}
# 同一个函数，两种 API 的定义格式不一样：Chat 多包一层 "function"。
CHAT_TOOL = {
    "type": "function",
    "function": {"name": "query_order", "description": DESCRIPTION, "parameters": PARAMETERS},
}
RESPONSES_TOOL = {
    "type": "function",
    "name": "query_order",
    "description": DESCRIPTION,
    "parameters": PARAMETERS,
}

CHAT = "Chat Completions │"
RESP = "Responses        │"
MORE = "                 │"


def outline(tool: dict) -> str:
    """工具定义的骨架：parameters 的内容两边一样，省略掉，只看外层结构。"""

    def strip(node: object) -> object:
        if isinstance(node, dict):
            return {
                k: "…" if k in ("parameters", "description") else strip(v) for k, v in node.items()
            }
        return node

    return json.dumps(strip(tool), ensure_ascii=False)


def short(text: str | None, limit: int = 36) -> str:
    if text is None:
        return "None"
    flat = text.replace("\n", " ")
    return repr(flat if len(flat) <= limit else flat[:limit] + "…")


def show_chat(response: ChatCompletion) -> None:
    choice = response.choices[0]
    print(f"{CHAT} choices[0].finish_reason = {choice.finish_reason!r}")
    print(f"{MORE} choices[0].message.content = {short(choice.message.content)}")
    for i, call in enumerate(choice.message.tool_calls or []):
        print(
            f"{MORE} choices[0].message.tool_calls[{i}] → "
            f"{call.function.name} {call.function.arguments}（id={call.id}）"
        )


def show_responses(response: Response) -> None:
    print(f"{RESP} output_text = {short(response.output_text)}")
    for i, item in enumerate(response.output):
        if item.type == "function_call":
            print(
                f"{MORE} output[{i}].type = 'function_call' → "
                f"{item.name} {item.arguments}（call_id={item.call_id}）"
            )
        elif item.type == "message":
            print(f"{MORE} output[{i}].type = 'message'")
            for j, part in enumerate(item.content):
                if part.type == "output_text":
                    print(f"{MORE} output[{i}].content[{j}].text = {short(part.text)}")
        else:  # 推理项、托管工具调用等，本课不展开
            print(f"{MORE} output[{i}].type = {item.type!r}")


def main() -> None:
    print_provider()
    settings = require_responses_api("Responses API（本课要对比两种接口）")
    client = get_client()

    print("【工具定义】同一个 query_order，两种写法：")
    print(f"{CHAT} {outline(CHAT_TOOL)}")
    print(f"{RESP} {outline(RESPONSES_TOOL)}")

    chat = responses = None
    for n, question in enumerate(QUESTIONS, 1):
        print(f"\n【问题 {n}】{question}")
        chat = client.chat.completions.create(
            model=settings.model,
            messages=[
                {"role": "system", "content": INSTRUCTIONS},
                {"role": "user", "content": question},
            ],
            tools=[CHAT_TOOL],
        )
        show_chat(chat)
        responses = client.responses.create(
            model=settings.model, instructions=INSTRUCTIONS, input=question, tools=[RESPONSES_TOOL]
        )
        show_responses(responses)

    if chat and chat.usage and responses and responses.usage:
        print(
            f"\n【用量】Chat：usage.prompt_tokens={chat.usage.prompt_tokens} "
            f"usage.completion_tokens={chat.usage.completion_tokens}"
        )
        print(
            f"【用量】Responses：usage.input_tokens={responses.usage.input_tokens} "
            f"usage.output_tokens={responses.usage.output_tokens}"
        )


if __name__ == "__main__":
    main()
