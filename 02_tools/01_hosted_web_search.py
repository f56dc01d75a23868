"""托管工具：Responses API 里写一行 `tools=[{"type": "web_search"}]`，模型自己上网搜索。

“托管工具”（hosted tool）由模型服务商在服务端执行：你不写搜索函数，也不用把结果发回去，
一次请求里模型就完成“决定搜索 → 搜索 → 读结果 → 回答”。回复的 `output` 里因此多了一项
`web_search_call`（搜了什么），回答文字带着 `url_citation` 注解（引用了哪些网页）。
只有支持 Responses API 且提供托管工具的服务（OpenAI、内置模拟模型）才能运行；
其它提供方在发请求前说明原因并正常退出。内置模拟模型不联网，搜索结果是示意的 example.com 链接。

运行: python 02_tools/01_hosted_web_search.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    → responses.create(tools=[{"type": "web_search"}], input="今天有什么积极的新闻吗?")
    output 项依次是：
    [0] web_search_call  status=completed  搜索词=今天有什么积极的新闻
    [1] message  ← 最终回答在这里
    ← 回答（output_text）：
    我搜索了「今天有什么积极的新闻」，找到 2 条（模拟的）结果：
    引用（message.content[0].annotations 里的 url_citation）：
    [1] 模拟搜索结果一：今天有什么积极的新闻 → https://example.com/mock-search/.../1（文字位置 ...-...）
    [2] 模拟搜索结果二：今天有什么积极的新闻 → https://example.com/mock-search/.../2（文字位置 ...-...）
提供方预期输出（bailian、deepseek、siliconflow、ollama）:
    ⚠ 当前提供方 ...不支持 托管工具 web_search...
    课程在这个提供方上只走 Chat Completions，需要它的演示到此结束。
"""

from __future__ import annotations

from shared.factory import get_client, print_provider, require_responses_api

QUESTION = "今天有什么积极的新闻吗?"


def main() -> None:
    print_provider()
    settings = require_responses_api("托管工具 web_search（它只能通过 Responses API 使用）")
    if not settings.supports_hosted_tools:
        # 例如自建服务设置了 LLM_SUPPORTS_RESPONSES=1：有 Responses API，不等于有人替你执行搜索。
        print(
            f"⚠ 当前提供方 {settings.provider}（{settings.label}）没有 web_search 等托管工具。\n"
            "  托管工具由模型服务商在服务端执行，课程只在 OpenAI（和内置模拟模型）上演示它。\n"
            "  在自己的服务上，请把搜索写成普通函数工具（见 03、04 号脚本）。"
        )
        raise SystemExit(0)
    client = get_client()

    print(f'→ responses.create(tools=[{{"type": "web_search"}}], input="{QUESTION}")')
    response = client.responses.create(
        model=settings.model, tools=[{"type": "web_search"}], input=QUESTION
    )

    print("output 项依次是：")
    citations = []
    for i, item in enumerate(response.output):
        if item.type == "web_search_call":
            query = getattr(item.action, "query", None) or "（未给出）"
            print(f"  [{i}] web_search_call  status={item.status}  搜索词={query}")
        elif item.type == "message":
            print(f"  [{i}] message  ← 最终回答在这里")
            for part in item.content:
                if part.type == "output_text":
                    citations += [a for a in part.annotations if a.type == "url_citation"]
        else:
            print(f"  [{i}] {item.type}")

    print("← 回答（output_text）：")
    print(response.output_text)
    print("引用（message.content[0].annotations 里的 url_citation）：")
    for n, cite in enumerate(citations, 1):
        # start_index / end_index 指出回答里哪一段文字出自这个网页，前端可以据此加链接。
        print(f"  [{n}] {cite.title} → {cite.url}（文字位置 {cite.start_index}-{cite.end_index}）")
    if not citations:
        print("  （这次回答没有引用）")


if __name__ == "__main__":
    main()
