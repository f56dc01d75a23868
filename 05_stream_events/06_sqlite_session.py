"""历史对话（Conversation）：同一个 SQLiteSession 里的多轮对话会自动续写。

Runner 每一轮都是“失忆”的：不带历史，模型不知道上一轮说过什么。把同一个 `session` 传给每一轮，
SDK 会在调用模型前取出历史、拼上新输入，结束后把本轮的全部输出项写回去——不用自己拼 history。
本课：第 1 轮流式问天气（会调用工具），第 2 轮问“我刚刚问了你什么问题？”，模型只能从历史里答；
然后用 `session.get_items()` 把存下的条目逐条读出来，按 type 说明含义；`clear_session()`
清空后，同一个问题就答不上来了。本课用内存数据库，进程结束就没了；持久化见下一课。

最后把同样两轮换成 `OpenAIConversationsSession`：历史不存在本地，而是存在服务端的 Conversations API 里
（会话 id 形如 conv_...，换台机器、换个进程，拿着 id 就能接着聊）。用法和 SQLiteSession 一模一样——
`session=` 换个对象而已。它属于 Responses API 那一套，所以这一段的 Agent 用 Responses 模型
（Chat Completions 模型读不了服务端存回来的助手消息：SDK 把它们的 id 去掉了，转换时会报 Unhandled item type）。
只有 OpenAI（和内置模拟模型）有 Conversations API，别的提供方跳过这一段。
推理模型不能调用工具的提供方（Ollama、硅基流动）改用默认模型；百炼的推理模型只能流式调用，
那里的第 2 轮也用 run_streamed。

运行: python 05_stream_events/06_sqlite_session.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    会话：SQLiteSession("user_001_weather_chat")，内存数据库；模型：mock-reasoner
    == 第 1 轮（Runner.run_streamed）用户：武汉的天气怎么样？
    [text ] 天气信息: 武汉 是晴天
    == 第 2 轮（Runner.run）用户：我刚刚问了你什么问题？
    助手：您刚才问的是：「武汉的天气怎么样？」
    == await session.get_items()：共 9 条
    #  type                  含义                    内容
    1  message               用户消息（user）        武汉的天气怎么样？
    2  reasoning             推理摘要                用户问的是「武汉的天气怎么样？」。...
    3  function_call         工具调用                get_weather {"city": "武汉"}
    4  function_call_output  工具返回结果            天气信息: 武汉 是晴天
    5  reasoning             推理摘要                get_weather 已经返回了需要的信息。我挑出和问题相关的部分，用一两句话告诉用户，不照搬原始数据。
    6  message               助手消息（assistant）   天气信息: 武汉 是晴天
    7  message               用户消息（user）        我刚刚问了你什么问题？
    8  reasoning             推理摘要                ...
    9  message               助手消息（assistant）   您刚才问的是：「武汉的天气怎么样？」
    == await session.clear_session() 之后：共 0 条
    用户：我刚刚问了你什么问题？
    助手：这是我们对话中的第一个问题，您之前还没有问过我别的问题。
    == 换成 OpenAIConversationsSession：历史存在服务端（Conversations API）
    会话 id：conv_...
    用户：武汉的天气怎么样？ → 助手：天气信息: 武汉 是晴天
    用户：我刚刚问了你什么问题？ → 助手：您刚才问的是：「武汉的天气怎么样？」
    服务端的会话里共 ... 条；clear_session() 之后：0 条
提供方预期输出（deepseek）:
    【模型】提供方=deepseek（DeepSeek） 模型=deepseek-flash 地址=http://127.0.0.1:.../v1 Key=...
    会话：SQLiteSession("user_001_weather_chat")，内存数据库；模型：deepseek-v4-pro
    助手：您刚才问的是：「武汉的天气怎么样？」
    == await session.get_items()：共 9 条
    助手：这是我们对话中的第一个问题，您之前还没有问过我别的问题。
    ℹ 当前提供方 deepseek 没有 Conversations API，跳过 OpenAIConversationsSession 这一段
提供方预期输出（bailian）:
    会话：SQLiteSession("user_001_weather_chat")，内存数据库；模型：qwq-plus
    == 第 2 轮（Runner.run_streamed：这个推理模型只能流式调用）用户：我刚刚问了你什么问题？
    助手：您刚才问的是：「武汉的天气怎么样？」
    == await session.get_items()：共 9 条
    2  reasoning             推理摘要                用户问的是「武汉的天气怎么样？」。...
    助手：这是我们对话中的第一个问题，您之前还没有问过我别的问题。
    ℹ 当前提供方 bailian 没有 Conversations API，跳过 OpenAIConversationsSession 这一段
提供方预期输出（siliconflow）:
    ℹ 推理模型 deepseek-ai/DeepSeek-R1 不能调用工具，本课改用默认模型 Qwen/Qwen3-32B
    助手：您刚才问的是：「武汉的天气怎么样？」
    == await session.get_items()：共 9 条
    2  reasoning             推理摘要                用户问的是「武汉的天气怎么样？」。...
    助手：这是我们对话中的第一个问题，您之前还没有问过我别的问题。
    ℹ 当前提供方 siliconflow 没有 Conversations API，跳过 OpenAIConversationsSession 这一段
提供方预期输出（ollama）:
    ℹ 推理模型 deepseek-r1:7b 不能调用工具，本课改用默认模型 qwen2.5:7b
    助手：您刚才问的是：「武汉的天气怎么样？」
    == await session.get_items()：共 6 条
    2  function_call         工具调用                get_weather {"city": "武汉"}
    助手：这是我们对话中的第一个问题，您之前还没有问过我别的问题。
    ℹ 当前提供方 ollama 没有 Conversations API，跳过 OpenAIConversationsSession 这一段
"""

from __future__ import annotations

import asyncio
import unicodedata
from typing import Any

from agents import Agent, OpenAIConversationsSession, Runner, SQLiteSession, function_tool
from openai.types.responses import ResponseTextDeltaEvent

from shared.factory import get_async_client, get_chat_model, get_responses_model, print_provider

MEANING = {
    "function_call": "工具调用",
    "function_call_output": "工具返回结果",
    "reasoning": "推理摘要",
}


@function_tool
def get_weather(city: str) -> str:
    """获取指定城市的天气信息"""
    return f"天气信息: {city} 是晴天"


def cell(text: str, width: int) -> str:
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 1)


def describe(entry: dict[str, Any]) -> tuple[str, str, str]:
    """会话里存的是发给模型的“输入项”（dict），返回 (type, 含义, 内容)。"""
    # 用户消息 {"role": "user", "content": "..."} 没有 type 字段：按 Responses 协议它就是 message。
    kind = entry.get("type", "message")
    if kind == "message":
        role = entry.get("role", "")
        content = entry.get("content")
        if isinstance(content, list):  # 助手消息：content 是 output_text 分片的列表
            content = "".join(part.get("text", "") for part in content)
        name = {"user": "用户消息", "assistant": "助手消息"}.get(role, "消息")
        return kind, f"{name}（{role}）", str(content)
    if kind == "function_call":
        return kind, MEANING[kind], f"{entry['name']} {entry['arguments']}"
    if kind == "function_call_output":
        return kind, MEANING[kind], str(entry["output"])
    if kind == "reasoning":  # reasoning_content 存在 summary 里；Ollama 的 reasoning 字段存在 content 里
        parts = entry.get("summary") or entry.get("content") or []
        return kind, MEANING[kind], " ".join(p.get("text", "") for p in parts)
    return kind, "", ""


async def main() -> None:
    settings = print_provider()
    preset = settings.preset  # 提供方的接口差异，见 shared/config.py 的 PRESETS
    # 推理模型让历史里也出现 reasoning 条目。推理模型不能调用工具的提供方（Ollama、硅基流动的 R1）
    # 改用默认模型：本课讲的是会话，工具调用比推理条目更重要。
    model = settings.reasoning_model if preset.reasoning_tools else settings.model
    if model != settings.reasoning_model:
        print(f"ℹ 推理模型 {settings.reasoning_model} 不能调用工具，本课改用默认模型 {model}")
    agent = Agent(
        name="天气助手",
        instructions="你是一个天气助手，用户问天气时调用 get_weather。",
        model=get_chat_model(model),
        tools=[get_weather],
    )
    session = SQLiteSession("user_001_weather_chat")  # 不给文件路径 = 内存数据库
    print(f'会话：SQLiteSession("{session.session_id}")，内存数据库；模型：{model}')

    # 百炼的推理模型只能流式调用：那里的“一问一答”用 run_streamed 跑完再取结果，效果和 Runner.run 一样。
    stream_only = model == settings.reasoning_model and preset.reasoning_stream_only
    one_shot = "Runner.run_streamed：这个推理模型只能流式调用" if stream_only else "Runner.run"

    async def ask(question: str) -> str:
        if stream_only:
            streamed = Runner.run_streamed(agent, question, session=session)
            async for _ in streamed.stream_events():
                pass
            return str(streamed.final_output)
        return str((await Runner.run(agent, question, session=session)).final_output)

    question = "武汉的天气怎么样？"
    print(f"== 第 1 轮（Runner.run_streamed）用户：{question}")
    streamed = Runner.run_streamed(agent, question, session=session)
    print("[text ] ", end="")
    async for event in streamed.stream_events():
        if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
            print(event.data.delta, end="", flush=True)
    print()

    question = "我刚刚问了你什么问题？"
    print(f"== 第 2 轮（{one_shot}）用户：{question}")
    print(f"助手：{await ask(question)}")

    items = await session.get_items()
    print(f"== await session.get_items()：共 {len(items)} 条")
    print(cell("#", 3) + cell("type", 22) + cell("含义", 24) + "内容")
    for i, entry in enumerate(items, start=1):
        kind, meaning, content = describe(entry)
        print(cell(str(i), 3) + cell(kind, 22) + cell(meaning, 24) + content)

    await session.clear_session()
    print(f"== await session.clear_session() 之后：共 {len(await session.get_items())} 条")
    print(f"用户：{question}")
    print(f"助手：{await ask(question)}")
    session.close()

    # 同样两轮，历史存到服务端：session= 换成 OpenAIConversationsSession，别的都不用改
    if not preset.conversations:
        print(f"ℹ 当前提供方 {settings.provider} 没有 Conversations API，跳过 OpenAIConversationsSession 这一段")
        return
    print("== 换成 OpenAIConversationsSession：历史存在服务端（Conversations API）")
    remote = OpenAIConversationsSession(openai_client=get_async_client())
    responses_agent = agent.clone(model=get_responses_model(model))
    for question in ("武汉的天气怎么样？", "我刚刚问了你什么问题？"):
        answer = (await Runner.run(responses_agent, question, session=remote)).final_output
        if question.startswith("武汉"):  # 第一次调用之后才有会话 id（SDK 按需创建）
            print(f"会话 id：{remote.session_id}")
        print(f"用户：{question} → 助手：{answer}")
    stored = len(await remote.get_items())
    await remote.clear_session()
    print(f"服务端的会话里共 {stored} 条；clear_session() 之后：{len(await remote.get_items())} 条")


if __name__ == "__main__":
    asyncio.run(main())
