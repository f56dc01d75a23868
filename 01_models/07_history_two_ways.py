"""多轮对话的历史怎么带：Chat Completions 每次重发整个 messages 列表，Responses 用 previous_response_id。

模型本身不记事：每个请求都是独立的。想让它回答“我刚刚问了你什么问题？”，上一轮的内容必须
以某种方式出现在这一轮里：
- Chat Completions：你自己维护 messages 列表，把上一轮的回答（role=assistant）和新问题追加进去，整段重发。
- Responses：服务端保存了每个 response；第二轮只发新问题，外加 `previous_response_id=上一轮的 id`。
  （课程原文说是 `session_id`，这个参数不存在；长期会话还可以用 `conversation` 参数。）
最后做一个对照：Responses 不带 previous_response_id 再问一次，模型就“失忆”了。
需要 Responses API：不支持时说明原因并正常退出。

运行: python 01_models/07_history_two_ways.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    ── 方式一：Chat Completions，自己维护 messages 列表 ──
    第 1 轮 → 发送 2 条消息：system, user
    第 1 轮 ← 关于「如何检查Python对象是否是类的实例」：...
    第 2 轮 → 发送 4 条消息：system, user, assistant, user
    第 2 轮 ← 您刚才问的是：「如何检查Python对象是否是类的实例？」
    ── 方式二：Responses API，previous_response_id 指向上一轮 ──
    第 1 轮 → input 1 句话，previous_response_id=None
    第 1 轮 ← 关于「如何检查Python对象是否是类的实例」：...（id=resp_...）
    第 2 轮 → input 1 句话，previous_response_id=resp_...
    第 2 轮 ← 您刚才问的是：「如何检查Python对象是否是类的实例？」
    ── 对照：不带 previous_response_id 再问一次 ──
    ← 这是我们对话中的第一个问题，您之前还没有问过我别的问题。
提供方预期输出（bailian、deepseek、siliconflow、ollama）:
    ⚠ 当前提供方 ...不支持 Responses API...
    课程在这个提供方上只走 Chat Completions，需要它的演示到此结束。
"""

from __future__ import annotations

from openai import OpenAI

from shared.factory import get_client, print_provider, require_responses_api

INSTRUCTIONS = "你是一个专业的Python开发人员"
FIRST = "如何检查Python对象是否是类的实例？"
FOLLOW_UP = "我刚刚问了你什么问题？"


def short(text: str | None, limit: int = 40) -> str:
    flat = (text or "").replace("\n", " ")
    return flat if len(flat) <= limit else flat[:limit] + "…"


def with_chat_completions(client: OpenAI, model: str) -> None:
    print("── 方式一：Chat Completions，自己维护 messages 列表 ──")
    messages: list[dict] = [{"role": "system", "content": INSTRUCTIONS}]
    for turn, question in enumerate((FIRST, FOLLOW_UP), 1):
        messages.append({"role": "user", "content": question})
        roles = ", ".join(m["role"] for m in messages)
        print(f"第 {turn} 轮 → 发送 {len(messages)} 条消息：{roles}")
        reply = client.chat.completions.create(model=model, messages=messages)
        answer = reply.choices[0].message.content or ""
        print(f"第 {turn} 轮 ← {short(answer)}")
        # 不把回答追加回去，下一轮模型就看不到它：历史完全由你负责。
        messages.append({"role": "assistant", "content": answer})


def with_responses(client: OpenAI, model: str) -> None:
    print("── 方式二：Responses API，previous_response_id 指向上一轮 ──")
    previous_id: str | None = None
    for turn, question in enumerate((FIRST, FOLLOW_UP), 1):
        print(f"第 {turn} 轮 → input 1 句话，previous_response_id={previous_id}")
        response = client.responses.create(
            model=model,
            # instructions 不会随 previous_response_id 继承，每轮都要带上。
            instructions=INSTRUCTIONS,
            input=question,
            previous_response_id=previous_id,
        )
        suffix = f"（id={response.id}）" if turn == 1 else ""
        print(f"第 {turn} 轮 ← {short(response.output_text)}{suffix}")
        previous_id = response.id

    print("── 对照：不带 previous_response_id 再问一次 ──")
    alone = client.responses.create(model=model, instructions=INSTRUCTIONS, input=FOLLOW_UP)
    print(f"← {short(alone.output_text)}")


def main() -> None:
    print_provider()
    settings = require_responses_api("Responses API（本课要对比两种接口的多轮对话）")
    client = get_client()
    with_chat_completions(client, settings.model)
    with_responses(client, settings.model)


if __name__ == "__main__":
    main()
