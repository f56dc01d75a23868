"""工具过滤：同一个 MCP 服务，不同 Agent、不同角色看到不同的工具。

课程里说“MCP 的权限控制：不同用户/角色可用工具不同”。在 Agents SDK 里这是客户端的
`tool_filter` 参数，两种写法：

- 静态：`create_static_tool_filter(allowed_tool_names=[...], blocked_tool_names=[...])`，
  构造时写死。例：面向顾客的 Agent 永远看不到运维工具。
- 动态：一个函数 `(ToolFilterContext, tool) -> bool`，每次列工具时对每个工具调用一次。
  `ToolFilterContext.run_context.context` 就是 `Runner.run(context=...)` 传进来的对象，
  所以可以按“这次请求是谁发的”来决定。

过滤发生在客户端：服务端照样返回全部工具（`cache_tools_list=True` 缓存的也是全量），被滤掉的
工具只是不交给模型。真正的权限还要服务端自己校验 —— 过滤只是让模型别去尝试。

运行: python 06_mcp_multi_agent/06_tool_filter.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    服务端共 5 个工具：get_weather, get_order_status, track_logistics, get_workspace, service_info
    【静态过滤】blocked_tool_names=['service_info', 'get_workspace'] → 模型看到：get_weather, get_order_status, track_logistics
    【动态过滤】按 Runner.run(context=...) 里的角色：
    customer 看到：get_weather, get_order_status, track_logistics
    ops 看到：get_weather, get_order_status, track_logistics, get_workspace, service_info
    用户（customer）：帮我看看服务的进程号和版本
    工具调用: （无：这个角色看不到相关工具）
    用户（ops）：帮我看看服务的进程号和版本
    工具调用: service_info {}
    最终回答: 进程号：...，服务：enterprise-tools，版本：1.0.0，传输方式：stdio。
"""

import asyncio
from dataclasses import dataclass

from agents import Agent, RunContextWrapper, Runner
from agents.items import ToolCallItem
from agents.mcp import MCPServerStdio, ToolFilterContext, create_static_tool_filter
from mcp.types import Tool as MCPTool
from servers.launch import ENTERPRISE, stdio_params

from shared.factory import get_chat_model, print_provider


@dataclass
class UserContext:
    """本次请求的调用方：Runner.run(context=UserContext(...)) 传进来，工具过滤函数读它。"""

    user_id: str
    role: str  # customer / ops


ROLE_TOOLS = {
    "customer": {"get_weather", "get_order_status", "track_logistics"},
    "ops": {"get_weather", "get_order_status", "track_logistics", "get_workspace", "service_info"},
}


def tools_for_role(ctx: ToolFilterContext, tool: MCPTool) -> bool:
    role = ctx.run_context.context.role
    return tool.name in ROLE_TOOLS.get(role, set())  # 未知角色：什么都看不到


def names(tools) -> str:
    return ", ".join(t.name for t in tools)


async def main() -> None:
    print_provider()
    static = create_static_tool_filter(blocked_tool_names=["service_info", "get_workspace"])
    async with (
        MCPServerStdio(params=stdio_params(ENTERPRISE), name="customer-view",
                       tool_filter=static, cache_tools_list=True) as customer_view,
        MCPServerStdio(params=stdio_params(ENTERPRISE), name="by-role",
                       tool_filter=tools_for_role, cache_tools_list=True) as by_role,
    ):
        everything = await by_role.session.list_tools()  # 绕过 SDK，直接问服务：未过滤的全量
        print(f"服务端共 {len(everything.tools)} 个工具：{names(everything.tools)}")

        model = get_chat_model()
        front_desk = Agent(name="前台客服", instructions="回答顾客问题。", model=model,
                           mcp_servers=[customer_view])
        # get_all_tools 就是 Runner 每一轮交给模型的工具清单
        visible = await front_desk.get_all_tools(RunContextWrapper(UserContext("u1", "customer")))
        print(f"【静态过滤】blocked_tool_names={static['blocked_tool_names']} → 模型看到：{names(visible)}")

        assistant = Agent(name="企业助手", instructions="使用企业工具回答问题。", model=model,
                          mcp_servers=[by_role])
        print("\n【动态过滤】按 Runner.run(context=...) 里的角色：")
        for role in ROLE_TOOLS:
            visible = await assistant.get_all_tools(RunContextWrapper(UserContext("u1", role)))
            print(f"  {role} 看到：{names(visible)}")

        question = "帮我看看服务的进程号和版本"
        for role in ROLE_TOOLS:
            print(f"\n用户（{role}）：{question}")
            result = await Runner.run(assistant, question, context=UserContext("u2", role))
            calls = [f"{i.raw_item.name} {i.raw_item.arguments}"
                     for i in result.new_items if isinstance(i, ToolCallItem)]
            print(f"工具调用: {'；'.join(calls) or '（无：这个角色看不到相关工具）'}")
            print(f"最终回答: {result.final_output}")


if __name__ == "__main__":
    asyncio.run(main())
