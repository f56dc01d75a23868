"""持久化的历史对话：SQLiteSession 写进数据库文件，程序重启后接着聊。

上一课的内存数据库随进程消失。给 SQLiteSession 一个文件路径，历史就落在磁盘上：
同一个 session_id 下次再打开，`get_items()` 读出的就是上次留下的全部条目。
本课连续运行两次就能看到效果：
  第 1 次（会话是空的）  问“武汉的天气怎么样？”，提示你再运行一次；
  第 2 次起（已有历史）  先打印磁盘上已有多少条、之前问过什么，再问“我最开始问了你什么问题？”，
                         模型只能从数据库里读出的历史回答。
`--reset` 调用 `clear_session()` 清空这个会话（数据库文件保留）；也可以直接删掉打印出来的文件。
历史是别的提供方 / 模型写下的也能接着聊：比如先用 OpenAI 跑过，再改 `.env` 换成 DeepSeek——DeepSeek 的思考模式
要求回传调用过工具那几轮的推理内容（reasoning_content），旧历史里没有；`shared/factory.py` 按 DeepSeek 文档的
规则把这些旧轮次改成普通文字再发出去（会话库里的不变），stderr 打印一行说明。

运行: python 05_stream_events/07_persistent_session.py          （连续运行两次）
      python 05_stream_events/07_persistent_session.py --reset  （清空，回到第 1 次）

预期输出（内置模拟模型，首次运行）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    会话库文件：.../conversations.db
    会话 user_001_weather_chat：启动时已有 0 条记录
    第一次来：会话是空的。
    用户：武汉的天气怎么样？
    助手：天气信息: 武汉 是晴天
    现在会话里有 4 条记录，已写入磁盘。再运行一次本脚本，看它还记不记得这一轮。
提供方预期输出（deepseek、siliconflow）:
    会话 user_001_weather_chat：启动时已有 0 条记录
    助手：天气信息: 武汉 是晴天
    现在会话里有 6 条记录，已写入磁盘。再运行一次本脚本，看它还记不记得这一轮。
（DeepSeek、硅基流动的默认模型默认开着思考：每次模型回复前多存一条 reasoning，所以是 6 条。）

再次运行的预期输出（同一个数据目录里已有之前的运行写下的会话，可能是别的提供方写的）:
    会话 user_001_weather_chat：启动时已有 ... 条记录
    欢迎回来：这些记录是之前的运行写进磁盘的。之前的提问：「武汉的天气怎么样？」...
    用户：我最开始问了你什么问题？
    助手：您问的第一个问题是：「武汉的天气怎么样？」
    现在会话里有 ... 条记录。想从头再来：加 --reset，或删掉上面的数据库文件。
（tests/test_05_stream_events.py 紧接着第一次运行它一次；提供方矩阵在 openai 之后的每个提供方下都这样运行。）
"""

from __future__ import annotations

import argparse
import asyncio

from agents import Agent, Runner, SQLiteSession, function_tool

from shared.factory import data_path, get_chat_model, print_provider

SESSION_ID = "user_001_weather_chat"


@function_tool
def get_weather(city: str) -> str:
    """获取指定城市的天气信息"""
    return f"天气信息: {city} 是晴天"


def user_questions(items: list) -> list[str]:
    # 用户消息没有 type 字段，只有 role="user"。
    return [str(i["content"]) for i in items if i.get("role") == "user"]


async def main() -> None:
    parser = argparse.ArgumentParser(description="持久化的历史对话（SQLiteSession + 数据库文件）")
    parser.add_argument("--reset", action="store_true", help="清空这个会话后退出")
    args = parser.parse_args()

    print_provider()
    db_file = data_path("conversations.db")
    print(f"会话库文件：{db_file}")
    session = SQLiteSession(SESSION_ID, db_file)
    try:
        stored = await session.get_items()
        if args.reset:
            await session.clear_session()
            print(f"已清空会话 {SESSION_ID}（删除了 {len(stored)} 条记录，数据库文件仍保留）。")
            return

        print(f"会话 {SESSION_ID}：启动时已有 {len(stored)} 条记录")
        agent = Agent(
            name="天气助手",
            instructions="你是一个天气助手，用户问天气时调用 get_weather。",
            model=get_chat_model(),
            tools=[get_weather],
        )
        if not stored:
            print("第一次来：会话是空的。")
            question = "武汉的天气怎么样？"
        else:
            asked = "、".join(f"「{q}」" for q in user_questions(stored))
            print(f"欢迎回来：这些记录是之前的运行写进磁盘的。之前的提问：{asked}")
            question = "我最开始问了你什么问题？"
        print(f"用户：{question}")
        result = await Runner.run(agent, question, session=session)
        print(f"助手：{result.final_output}")

        now = len(await session.get_items())
        if not stored:
            print(f"现在会话里有 {now} 条记录，已写入磁盘。再运行一次本脚本，看它还记不记得这一轮。")
        else:
            print(f"现在会话里有 {now} 条记录。想从头再来：加 --reset，或删掉上面的数据库文件。")
    finally:
        session.close()


if __name__ == "__main__":
    asyncio.run(main())
