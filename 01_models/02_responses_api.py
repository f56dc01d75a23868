"""Responses API：用 `client.responses.create(input=...)` 提问，用 `output_text` 取回答。

Responses 是 OpenAI 的新接口：请求只要 `input`（一句话或一组输入项）和可选的 `instructions`，
回复是一个 `output` 列表（消息、工具调用、推理……），`output_text` 把其中所有文字拼好给你。
国内的兼容接口大多只完整实现了 Chat Completions：硅基流动没有 /v1/responses；百炼、DeepSeek、
Ollama 有，但只支持部分模型、没有状态（previous_response_id）或托管工具。课程在这些提供方上只走
Chat Completions：脚本在发请求之前就用 `require_responses_api()` 说明原因并正常退出，而不是等一个错误。

运行: python 01_models/02_responses_api.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    → 请求 POST .../responses，input="写一个关于独角兽的睡前小故事"
    ← 回复（output_text）：
    从前，有一个独角兽住在云朵后面的小山谷里。...晚安。
    id=resp_...  status=completed  output 项：['message']
    用量：input_tokens=... output_tokens=... total_tokens=...
提供方预期输出（bailian、deepseek、siliconflow、ollama）:
    ⚠ 当前提供方 ...不支持 Responses API：...
    课程在这个提供方上只走 Chat Completions，需要它的演示到此结束。
"""

from __future__ import annotations

from shared.factory import get_client, print_provider, require_responses_api

QUESTION = "写一个关于独角兽的睡前小故事"


def main() -> None:
    print_provider()
    # 不支持时在这里打印说明并以退出码 0 结束：一个网络请求都不发。
    settings = require_responses_api()
    client = get_client()

    print(f'→ 请求 POST {settings.base_url}/responses，input="{QUESTION}"')
    response = client.responses.create(model=settings.model, input=QUESTION)

    print("← 回复（output_text）：")
    print(response.output_text)
    # output_text 只是便利属性；完整结构在 output 列表里，06 号脚本会逐项拆开看。
    print(
        f"id={response.id}  status={response.status}  "
        f"output 项：{[item.type for item in response.output]}"
    )
    if response.usage:
        usage = response.usage
        # 注意字段名和 Chat Completions 不同：input/output_tokens，而不是 prompt/completion_tokens。
        print(
            f"用量：input_tokens={usage.input_tokens} output_tokens={usage.output_tokens} "
            f"total_tokens={usage.total_tokens}"
        )


if __name__ == "__main__":
    main()
