"""Chat Completions：用 messages 列表（system + user）向模型提一个问题。

这是最传统、所有 OpenAI 兼容服务都支持的接口：你把整段对话写成一个 messages 列表，
system 消息定角色，user 消息是问题；回复在 `choices[0].message.content` 里。
客户端来自 `shared.factory.get_client()`：它读取 .env，选中提供方（没有 Key 时是内置模拟模型），
所以这段代码换成阿里云百炼、DeepSeek 等也一字不改。

运行: python 01_models/01_chat_completions.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    → 请求 POST .../chat/completions，messages 共 2 条：system + user
    ← 回复（choices[0].message.content）：
    关于「如何检查Python对象是否是类的实例」：我是专业的Python开发人员...
    finish_reason=stop  用量：prompt_tokens=... completion_tokens=... total_tokens=...
"""

from __future__ import annotations

from shared.factory import get_client, print_provider

SYSTEM = "你是一个专业的Python开发人员"
QUESTION = "如何检查Python对象是否是类的实例？"


def main() -> None:
    settings = print_provider()
    client = get_client()

    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": QUESTION},
    ]
    print(f"→ 请求 POST {settings.base_url}/chat/completions，messages 共 2 条：system + user")
    response = client.chat.completions.create(model=settings.model, messages=messages)

    # choices 是列表：请求里可以用 n=3 要多个候选回答，默认只有一个。
    choice = response.choices[0]
    print("← 回复（choices[0].message.content）：")
    print(choice.message.content)
    line = f"finish_reason={choice.finish_reason}"
    if response.usage:  # 个别兼容服务不返回用量
        usage = response.usage
        line += (
            f"  用量：prompt_tokens={usage.prompt_tokens} "
            f"completion_tokens={usage.completion_tokens} total_tokens={usage.total_tokens}"
        )
    print(line)


if __name__ == "__main__":
    main()
