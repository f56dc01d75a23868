"""同一个 web_search 放进 Chat Completions：请求被拒（400），因为那里的工具 type 只能是 "function"。

Chat Completions 不认识托管工具：`tools` 里每一项都必须是 `{"type": "function", "function": {...}}`，
也就是“你自己实现、自己执行”的函数。把 `{"type": "web_search"}` 塞进去，服务端直接回 400。
脚本先故意犯这个错，捕获 `openai.BadRequestError` 并解释；再把搜索写成一个普通函数工具重发：
这次请求被接受，但模型只会返回“请调用 search_news”，真正去搜索、把结果发回去，是你的代码的事（见 03）。

运行: python 02_tools/02_hosted_tool_on_chat_completions.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    → chat.completions.create(tools=[{"type": "web_search"}])
    ✗ 服务端拒绝：HTTP 400  type=invalid_request_error  code=invalid_value  param=tools[0].type
    message：Invalid value: 'web_search'. Supported values are: 'function' and 'custom'. ...
    解释：Chat Completions 的工具只能是 type="function"（你自己执行的函数）；web_search 这样的托管工具只能走 Responses API。
    → chat.completions.create(tools=[{"type": "function", "function": {"name": "search_news", ...}}])
    ✓ 请求被接受：finish_reason=tool_calls
    模型请求调用：search_news {"keyword": "今天有什么积极的新闻"}
    模型不会自己去搜索：执行函数、把结果发回去是我们的事，见 03_function_calling_by_hand.py。
提供方预期输出（bailian、deepseek、siliconflow、ollama）:
    → chat.completions.create(tools=[{"type": "web_search"}])
    ✗ 服务端拒绝：HTTP 400  type=...  code=...  param=...
    → chat.completions.create(tools=[{"type": "function", "function": {"name": "search_news", ...}}])
    ✓ 请求被接受：finish_reason=tool_calls
"""

from __future__ import annotations

import openai

from shared.factory import get_client, print_provider

QUESTION = "今天有什么积极的新闻吗?"

# 把“搜索新闻”写成自己实现的函数工具：Chat Completions 接受的唯一写法。
SEARCH_NEWS = {
    "type": "function",
    "function": {
        "name": "search_news",
        "description": "按关键词搜索今天的新闻，返回标题和链接",
        "parameters": {
            "type": "object",
            "properties": {"keyword": {"type": "string", "description": "搜索关键词"}},
            "required": ["keyword"],
        },
    },
}


def main() -> None:
    settings = print_provider()
    client = get_client()
    messages = [{"role": "user", "content": QUESTION}]

    print('→ chat.completions.create(tools=[{"type": "web_search"}])')
    try:
        client.chat.completions.create(
            model=settings.model,
            messages=messages,
            tools=[{"type": "web_search"}],  # type: ignore[list-item]  故意写错：Chat 不支持
        )
    except openai.BadRequestError as exc:
        body = exc.body if isinstance(exc.body, dict) else {}
        print(
            f"✗ 服务端拒绝：HTTP {exc.status_code}  type={exc.type}  code={exc.code}  param={exc.param}"
        )
        print(f"  message：{body.get('message', exc.message)}")
        print(
            '  解释：Chat Completions 的工具只能是 type="function"（你自己执行的函数）；'
            "web_search 这样的托管工具只能走 Responses API。"
        )
    else:
        # 少数兼容服务会悄悄忽略不认识的工具：不报错，但也不会去搜索。
        print("  这个提供方没有报错，只是忽略了 web_search：它不会真的去搜索。")

    print(
        '\n→ chat.completions.create(tools=[{"type": "function", "function": {"name": "search_news", ...}}])'
    )
    response = client.chat.completions.create(
        model=settings.model, messages=messages, tools=[SEARCH_NEWS]
    )
    choice = response.choices[0]
    print(f"✓ 请求被接受：finish_reason={choice.finish_reason}")
    for call in choice.message.tool_calls or []:
        print(f"  模型请求调用：{call.function.name} {call.function.arguments}")
    if not choice.message.tool_calls:
        print(f"  模型没有调用工具，直接回答：{choice.message.content}")
    print(
        "  模型不会自己去搜索：执行函数、把结果发回去是我们的事，见 03_function_calling_by_hand.py。"
    )


if __name__ == "__main__":
    main()
