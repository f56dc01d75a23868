"""结构化输出：`output_type=WeatherResult`，`final_output` 从字符串变成 Pydantic 对象。

后端代码要的是字段，不是一段话。给 Agent 设置 `output_type` 后，SDK 把这个模型的
JSON Schema 随请求发给模型（response_format），再把模型返回的 JSON 校验、解析成对象；
不合 Schema 会抛 ModelBehaviorError，而不是让脏数据流到后面。
工具返回 JSON 字符串，模型就能把同名字段原样填进结果。
DeepSeek、硅基流动不接受 json_schema（会返回 400）：`get_chat_model()` 在这些提供方上自动改用
`json_object` + 把 JSON Schema 写进指令，SDK 照样校验、解析成对象，代码不用改。

运行: python 03_agents/09_structured_output.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    工具调用: get_weather {"city": "武汉"}
    final_output: city='武汉' condition='晴' source='tool' message='武汉天气晴朗'
    类型: WeatherResult
    字段访问: result.final_output.city = 武汉
    model_dump(): {'city': '武汉', 'condition': '晴', 'source': 'tool', 'message': '武汉天气晴朗'}
    当 dict 下标取值: TypeError: 'WeatherResult' object is not subscriptable
"""

from __future__ import annotations

import asyncio
import json

from agents import Agent, Runner, ToolCallItem, function_tool
from pydantic import BaseModel

from shared.factory import get_chat_model, print_provider


class WeatherResult(BaseModel):
    city: str
    condition: str
    source: str
    message: str


@function_tool
def get_weather(city: str) -> str:
    """获取指定城市的天气信息，返回 JSON"""
    return json.dumps(
        {"city": city, "condition": "晴", "source": "tool", "message": f"{city}天气晴朗"},
        ensure_ascii=False,
    )


async def main() -> None:
    settings = print_provider()
    if not settings.preset.json_schema:
        print("ℹ 当前提供方不接受 response_format=json_schema：改用 json_object + 指令里的 JSON Schema"
              "（shared/factory.py），SDK 照常校验结果")
    agent = Agent(
        name="天气助手",
        instructions="你是天气助手，只回答天气问题。当用户问天气时必须调用 get_weather。",
        model=get_chat_model(),
        tools=[get_weather],
        output_type=WeatherResult,
    )

    result = await Runner.run(agent, "武汉的天气")
    for item in result.new_items:
        if isinstance(item, ToolCallItem):
            print(f"工具调用: {item.raw_item.name} {item.raw_item.arguments}")

    # final_output_as 让类型检查器知道它是 WeatherResult；raise_if_incorrect_type 顺便在运行时核对。
    weather = result.final_output_as(WeatherResult, raise_if_incorrect_type=True)
    print(f"final_output: {weather}")
    print(f"类型: {type(weather).__name__}")
    print(f"字段访问: result.final_output.city = {weather.city}")
    print(f"model_dump(): {weather.model_dump()}")

    # 课程原文注释说它“可当作 dict 使用”：并不行，要 dict 请用 model_dump()。
    try:
        weather["city"]
    except TypeError as exc:
        print(f"当 dict 下标取值: TypeError: {exc}")


if __name__ == "__main__":
    asyncio.run(main())
