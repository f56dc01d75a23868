"""MCP 服务在运行中崩溃或卡死：错误什么时候冒出来、多久冒出来，以及默认行为里的一个坑。

三种情况，每种都启动一个真的服务进程，再真的把它杀掉 / 冻住：

① 崩溃（kill -9），不缓存工具清单：下一次 Runner.run 一开始列工具就失败（MCPError: Connection closed）。
② 崩溃，`cache_tools_list=True`：工具清单在缓存里，失败推迟到调用工具时。SDK 默认把工具错误
   变成一句话交给模型（“An error occurred while running the tool...”），运行“成功”结束，
   用户拿到的是一个基于错误信息的回答。想让它直接失败：MCP 服务对象上设 `failure_error_function=None`。
③ 卡死（SIGSTOP，进程在、端口在，就是不回话）：靠超时兜底。`client_session_timeout_seconds`
   是每个 MCP 请求最多等多久（SDK 默认 5 秒；设成 None 或 0 就真的会一直等），这里设 2 秒。

进程信号用的是 POSIX 的 SIGKILL / SIGSTOP；Windows 上请只看 08 课。

运行: python 06_mcp_multi_agent/09_server_crash.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    ① 服务崩溃（kill -9 pid ...），不缓存工具清单：
    崩溃前：武汉：天气：小雨，气温：24℃。
    ✗ MCP 服务「enterprise-tools」（http://127.0.0.1:.../mcp）在运行中断开：MCPError: Connection closed（用时 ... 秒）
    ② 服务崩溃，cache_tools_list=True：
    默认（failure_error_function 未设置）：运行没有报错，模型拿到的工具结果：An error occurred while running the tool. Please try again. → 回答：抱歉，工具出错了：An error occurred while running the tool. Please try again.
    failure_error_function=None：✗ MCP 服务「enterprise-tools」（http://127.0.0.1:.../mcp）调用工具失败：UserError: Error running tool get_weather: Connection closed（用时 ... 秒）
    ③ 服务卡死（SIGSTOP），client_session_timeout_seconds=2：
    ✗ MCP 服务「enterprise-tools」（http://127.0.0.1:.../mcp）调用工具失败：UserError: Error running tool get_weather: Request 'tools/call' timed out（用时 2... 秒）
    三个服务进程都已停止
"""

import asyncio
import logging
import os
import signal
import time

from agents import Agent, Runner, ToolCallOutputItem, UserError
from agents.mcp import MCPServerStreamableHttp
from mcp.shared.exceptions import MCPError
from servers.launch import ENTERPRISE, serve

from shared.factory import get_chat_model, print_provider

QUESTION = "武汉天气怎么样？"


def agent_for(server: MCPServerStreamableHttp) -> Agent:
    return Agent(name="企业助手", instructions="使用企业工具回答用户问题。",
                 model=get_chat_model(), mcp_servers=[server])


async def run_and_explain(server: MCPServerStreamableHttp, url: str, what: str) -> str:
    """运行一次；失败时返回一句带服务名和 URL 的中文说明。asyncio.wait_for 是最后一道时间上限。"""
    start = time.perf_counter()
    try:
        result = await asyncio.wait_for(Runner.run(agent_for(server), QUESTION), 20)
    except (MCPError, UserError, asyncio.TimeoutError) as exc:
        return (f"✗ MCP 服务「{server.name}」（{url}）{what}："
                f"{type(exc).__name__}: {exc}（用时 {time.perf_counter() - start:.2f} 秒）")
    return f"运行结束：{result.final_output}"


async def main() -> None:
    print_provider()
    # 服务断开时 SDK 会往日志里写英文警告；课堂上看我们自己的中文说明就够了。
    logging.getLogger("openai.agents").setLevel(logging.CRITICAL)

    async with serve(ENTERPRISE) as srv:
        async with MCPServerStreamableHttp(name="enterprise-tools", params={"url": srv.url}) as server:
            print(f"① 服务崩溃（kill -9 pid {srv.pid}），不缓存工具清单：")
            before = await Runner.run(agent_for(server), QUESTION)
            print(f"  崩溃前：{before.final_output}")
            os.kill(srv.pid, signal.SIGKILL)
            srv.proc.wait()
            print(f"  {await run_and_explain(server, srv.url, '在运行中断开')}")

    async with serve(ENTERPRISE) as srv:
        print("\n② 服务崩溃，cache_tools_list=True：")
        async with (
            MCPServerStreamableHttp(name="enterprise-tools", params={"url": srv.url},
                                    cache_tools_list=True) as lenient,
            MCPServerStreamableHttp(name="enterprise-tools", params={"url": srv.url},
                                    cache_tools_list=True, failure_error_function=None) as strict,
        ):
            await lenient.list_tools()  # 先把工具清单放进缓存
            await strict.list_tools()
            os.kill(srv.pid, signal.SIGKILL)
            srv.proc.wait()
            result = await Runner.run(agent_for(lenient), QUESTION)
            outputs = [str(i.output) for i in result.new_items if isinstance(i, ToolCallOutputItem)]
            got = f"模型拿到的工具结果：{outputs[-1]}" if outputs else "模型没有拿到工具结果"
            print(f"  默认（failure_error_function 未设置）：运行没有报错，{got} → 回答：{result.final_output}")
            explained = await run_and_explain(strict, srv.url, "调用工具失败")
            print(f"  failure_error_function=None：{explained}")

    async with serve(ENTERPRISE) as srv:
        print("\n③ 服务卡死（SIGSTOP），client_session_timeout_seconds=2：")
        async with MCPServerStreamableHttp(
            name="enterprise-tools", params={"url": srv.url, "timeout": 2},
            client_session_timeout_seconds=2, cache_tools_list=True, failure_error_function=None,
        ) as server:
            await server.list_tools()
            os.kill(srv.pid, signal.SIGSTOP)  # 进程还在，端口还在，只是不再处理请求
            print(f"  {await run_and_explain(server, srv.url, '调用工具失败')}")
        # 离开 serve()：launch.stop() 先发 SIGCONT 唤醒再 SIGTERM，冻住的进程也能停掉
    print("\n三个服务进程都已停止")


if __name__ == "__main__":
    asyncio.run(main())
