"""`tool_choice="required"` 和 MCP 工具：强制模型先调工具再回答，以及 SDK 怎么防止死循环。

课程 3.2 节的例子用了 `ModelSettings(tool_choice="required")`：模型这一轮必须调用某个工具，
不能直接回答 —— 适合“答案必须来自企业系统、不许模型瞎编”的场景。MCP 工具和本地函数工具
在这里没有区别。

但“必须调工具”如果每一轮都生效，模型拿到工具结果后还得再调工具，永远停不下来。所以 Agent
默认 `reset_tool_choice=True`：调用过一次工具后，SDK 把 tool_choice 改回 auto，模型就能回答了。
本课把它关掉，看看会发生什么（被 max_turns 拦住）。
百炼、DeepSeek（思考模式）会拒绝 "required"，Ollama、硅基流动会忽略它：这时后半段说明原因后跳过。

运行: python 06_mcp_multi_agent/05_tool_choice_required.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    用户：订单 A1002 怎么还没发货？
    [tool_choice=auto] 工具调用: get_order_status {"order_id": "A1002"}...
    [tool_choice=auto] 最终回答: 订单 A1002：...状态：待发货。
    用户：你好
    [tool_choice=auto] 工具调用: （无）
    [tool_choice=auto] 最终回答: 您好！我是...有什么可以帮您？
    [tool_choice=required] 工具调用: ...
    [tool_choice=required] 最终回答: 北京：天气：晴，气温：26℃。
    （打个招呼也被迫调了工具：required 只适合“答案必须来自企业系统”的场景）
    [required + reset_tool_choice=False, max_turns=3] MaxTurnsExceeded：被拦下之前模型被迫调了 3 次工具，一直没有回答
提供方预期输出（bailian、deepseek、siliconflow、ollama）:
    用户：订单 A1002 怎么还没发货？
    [tool_choice=auto] 工具调用: get_order_status {"order_id": "A1002"}...
    用户：你好
    [tool_choice=auto] 工具调用: （无）
    ⚠ 当前提供方 ...tool_choice...
"""

import asyncio

from agents import Agent, MaxTurnsExceeded, ModelSettings, Runner
from agents.items import ToolCallItem
from agents.mcp import MCPServerStdio
from servers.launch import ENTERPRISE, stdio_params

from shared.factory import explain_tool_choice_required, get_chat_model, print_provider


def make_agent(server: MCPServerStdio, tool_choice: str, reset: bool = True) -> Agent:
    return Agent(
        name="企业助手",
        instructions="你是企业客服助手，使用企业工具回答用户问题。",
        model=get_chat_model(),
        mcp_servers=[server],
        # 课程原文把 model="gpt-4o" 也写进 ModelSettings，会 TypeError：模型属于 Agent(model=...)。
        model_settings=ModelSettings(tool_choice=tool_choice),
        reset_tool_choice=reset,
    )


async def ask(agent: Agent, label: str, question: str) -> list[str]:
    result = await Runner.run(agent, question)
    calls = [f"{i.raw_item.name} {i.raw_item.arguments}"
             for i in result.new_items if isinstance(i, ToolCallItem)]
    print(f"[{label}] 工具调用: {'；'.join(calls) or '（无）'}")
    print(f"[{label}] 最终回答: {result.final_output}")
    return calls


async def main() -> None:
    print_provider()
    async with MCPServerStdio(params=stdio_params(ENTERPRISE), cache_tools_list=True) as server:
        auto = make_agent(server, "auto")
        required = make_agent(server, "required")

        print("用户：订单 A1002 怎么还没发货？")
        await ask(auto, "tool_choice=auto", "订单 A1002 怎么还没发货？")

        print("\n用户：你好")
        await ask(auto, "tool_choice=auto", "你好")  # 打个招呼，模型自己决定不调工具
        if not explain_tool_choice_required():  # 提供方拒绝或忽略 "required"：说明后跳过后半段
            return
        if await ask(required, "tool_choice=required", "你好"):  # 被迫挑一个工具先调
            print("（打个招呼也被迫调了工具：required 只适合“答案必须来自企业系统”的场景）")
        else:
            print("（这次 required 没有让模型调用工具：提供方没有照办这个参数）")

        stubborn = make_agent(server, "required", reset=False)
        label = "\n[required + reset_tool_choice=False, max_turns=3]"
        try:
            result = await Runner.run(stubborn, "你好", max_turns=3)
        except MaxTurnsExceeded as exc:
            items = exc.run_data.new_items if exc.run_data else []
            calls = sum(isinstance(i, ToolCallItem) for i in items)
            print(f"{label} MaxTurnsExceeded：被拦下之前模型被迫调了 {calls} 次工具，一直没有回答")
        else:
            print(f"{label} 没有触发 MaxTurnsExceeded，模型回答了：{result.final_output}")


if __name__ == "__main__":
    asyncio.run(main())
