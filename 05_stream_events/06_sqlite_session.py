"""历史对话（Conversation）：同一个 SQLiteSession 里的多轮对话会自动续写。

Runner 每一轮都是“失忆”的：不带历史，模型不知道上一轮说过什么。把同一个 `session` 传给每一轮，
SDK 会在调用模型前取出历史、拼上新输入，结束后把本轮的全部输出项写回去——不用自己拼 history。
本课：第 1 轮流式问天气（会调用工具），第 2 轮问“我刚刚问了你什么问题？”，模型只能从历史里答；
然后用 `session.get_items()` 把存下的条目逐条读出来，按 type 说明含义；最后 `clear_session()`
清空，同一个问题就答不上来了。本课用内存数据库，进程结束就没了；持久化见下一课。

运行: python 05_stream_events/06_sqlite_session.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    会话：SQLiteSession("user_001_weather_chat")，内存数据库；推理模型：mock-reasoner
    == 第 1 轮（Runner.run_streamed）用户：武汉的天气怎么样？
    [text ] 天气信息: 武汉 是晴天
    == 第 2 轮（Runner.run）用户：我刚刚问了你什么问题？
    助手：您刚才问的是：「武汉的天气怎么样？」
    == await session.get_items()：共 9 条
    #  type                  含义                    内容
    1  message               用户消息（user）        武汉的天气怎么样？
    2  reasoning             推理摘要                用户的问题是「武汉的天气怎么样？」。...
    3  function_call         工具调用                get_weather {"city": "武汉"}
    4  function_call_output  工具返回结果            天气信息: 武汉 是晴天
    5  reasoning             推理摘要                工具已经返回了结果（get_weather），据此整理答案。
    6  message               助手消息（assistant）   天气信息: 武汉 是晴天
    7  message               用户消息（user）        我刚刚问了你什么问题？
    8  reasoning             推理摘要                ...
    9  message               助手消息（assistant）   您刚才问的是：「武汉的天气怎么样？」
    == await session.clear_session() 之后：共 0 条
    用户：我刚刚问了你什么问题？
    助手：这是我们对话中的第一个问题，您之前还没有问过我别的问题。
"""

from __future__ import annotations

import asyncio
import unicodedata
from typing import Any

from agents import Agent, Runner, SQLiteSession, function_tool
from openai.types.responses import ResponseTextDeltaEvent

from shared.factory import get_chat_model, print_provider

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
    if kind == "reasoning":
        return kind, MEANING[kind], " ".join(s["text"] for s in entry.get("summary", []))
    return kind, "", ""


async def main() -> None:
    settings = print_provider()
    # 推理模型让历史里也出现 reasoning 条目；真实提供方用 .env 里配置的模型。
    reasoner = settings.reasoning_model  # 各提供方的推理模型见 shared/config.py（模拟模型：mock-reasoner）
    agent = Agent(
        name="天气助手",
        instructions="你是一个天气助手，用户问天气时调用 get_weather。",
        model=get_chat_model(reasoner),
        tools=[get_weather],
    )
    session = SQLiteSession("user_001_weather_chat")  # 不给文件路径 = 内存数据库
    print(f'会话：SQLiteSession("{session.session_id}")，内存数据库；推理模型：{reasoner}')

    question = "武汉的天气怎么样？"
    print(f"== 第 1 轮（Runner.run_streamed）用户：{question}")
    streamed = Runner.run_streamed(agent, question, session=session)
    print("[text ] ", end="")
    async for event in streamed.stream_events():
        if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
            print(event.data.delta, end="", flush=True)
    print()

    question = "我刚刚问了你什么问题？"
    print(f"== 第 2 轮（Runner.run）用户：{question}")
    result = await Runner.run(agent, question, session=session)
    print(f"助手：{result.final_output}")

    items = await session.get_items()
    print(f"== await session.get_items()：共 {len(items)} 条")
    print(cell("#", 3) + cell("type", 22) + cell("含义", 24) + "内容")
    for i, entry in enumerate(items, start=1):
        kind, meaning, content = describe(entry)
        print(cell(str(i), 3) + cell(kind, 22) + cell(meaning, 24) + content)

    await session.clear_session()
    print(f"== await session.clear_session() 之后：共 {len(await session.get_items())} 条")
    print(f"用户：{question}")
    result = await Runner.run(agent, question, session=session)
    print(f"助手：{result.final_output}")
    session.close()


if __name__ == "__main__":
    asyncio.run(main())
