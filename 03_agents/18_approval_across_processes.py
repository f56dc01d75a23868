"""跨进程审批：暂停的运行存成文件，进程退出；另一个进程读回来，批准或拒绝后接着跑。

真实的审批不会在同一个进程里等着：客户提交申请，服务把“运行到一半的状态”存起来就返回；
主管几分钟、几小时后在后台点“批准”，由另一个进程（甚至另一台机器）接着把这轮运行跑完。
这就是一个审批队列在做的事。SDK 提供了存取的两端：

    text = result.to_state().to_string()                 # RunState → JSON（对话、待审批调用、用量……）
    state = await RunState.from_string(agent, text)      # JSON → RunState（要传入同一套 Agent 定义）
    state.approve(item) / state.reject(item)             # 然后 Runner.run(agent, state)

状态文件里没有 Python 代码：工具、指令都来自第二个进程自己构造的 Agent，所以两边的 Agent 名字和工具要一致。
它包含完整对话和待执行的参数，只能放在服务端可信的存储里（这里是 `data/`），不能交给客户端再传回来。

运行: python 03_agents/18_approval_across_processes.py              （第 1 步：客户申请退款 800 元 → 暂停、存盘、退出）
然后: python 03_agents/18_approval_across_processes.py --approve    （第 2 步，另一个进程：读回状态，批准，跑完）
  或: python 03_agents/18_approval_across_processes.py --reject     （或者拒绝）

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    客户：订单A1002退款800元，因为质量问题
    运行暂停，待审批: issue_refund {"order_id": "A1002", "amount": 800.0}
    状态已保存：.../pending_refund.json（... 字节，RunState schema ...）
    本进程到此退出。主管审批：python 03_agents/18_approval_across_processes.py --approve（或 --reject）
"""

from __future__ import annotations

import argparse
import asyncio
import json

from agents import Agent, Runner, RunState, ToolCallOutputItem, function_tool

from shared.factory import data_path, get_chat_model, print_provider

STATE_FILE = "pending_refund.json"


@function_tool(needs_approval=True)  # 本课只演示存取，所有退款都审批；按金额判断见 17 课
def issue_refund(order_id: str, amount: float) -> str:
    """给订单办理退款，原路退回。

    Args:
        order_id: 订单号，例如 A1001
        amount: 退款金额（元）
    """
    return f"已为订单 {order_id} 退款 {amount:g} 元"


def build_agent() -> Agent:
    """两个进程各自构造同一个 Agent：名字、工具一致，RunState 才能对得上。"""
    return Agent(
        name="退款专员",
        instructions="你是电商售后客服，用 issue_refund 为用户办理退款。",
        model=get_chat_model(),
        tools=[issue_refund],
    )


async def submit(request: str) -> None:
    """第 1 步：客户发起申请。运行停在审批上，把状态写进文件，然后退出。"""
    print(f"客户：{request}")
    result = await Runner.run(build_agent(), request)
    if not result.interruptions:
        print(f"不需要审批，直接完成：{result.final_output}")
        return
    for item in result.interruptions:
        print(f"运行暂停，待审批: {item.tool_name} {item.raw_item.arguments}")
    path = data_path(STATE_FILE)
    if path.exists():
        print(f"（覆盖了上一次没有处理的审批：{path}）")
    text = result.to_state().to_string()
    path.write_text(text, encoding="utf-8")
    schema = json.loads(text).get("$schemaVersion", "?")
    print(f"状态已保存：{path}（{len(text.encode())} 字节，RunState schema {schema}）")
    print("本进程到此退出。主管审批：python 03_agents/18_approval_across_processes.py --approve（或 --reject）")


async def decide(approve: bool) -> int:
    """第 2 步：另一个进程读回状态，做决定，把这轮运行跑完。"""
    path = data_path(STATE_FILE)
    if not path.exists():
        print(f"✗ 没有待审批的退款（{path} 不存在）。先运行第 1 步：python 03_agents/18_approval_across_processes.py")
        return 1
    agent = build_agent()
    state = await RunState.from_string(agent, path.read_text(encoding="utf-8"))
    print(f"读回状态：{path}")
    for item in state.get_interruptions():
        print(f"待审批: {item.tool_name} {item.raw_item.arguments}")
        if approve:
            state.approve(item)
        else:
            state.reject(item, rejection_message="主管拒绝了这笔退款：商品已拆封使用")
    print(f"主管{'批准' if approve else '拒绝'} → Runner.run(agent, state) 继续")
    result = await Runner.run(agent, state)
    for item in result.new_items:
        if isinstance(item, ToolCallOutputItem):
            print(f"工具结果: {item.output}")
    print(f"回答: {result.final_output}")
    if result.interruptions:  # 模型又发起了需要审批的调用：存回去，等下一次决定
        path.write_text(result.to_state().to_string(), encoding="utf-8")
        print(f"又有 {len(result.interruptions)} 项待审批，状态已更新：{path}")
    else:
        path.unlink()
        print(f"审批完成，已删除 {path.name}")
    return 0


async def main() -> int:
    parser = argparse.ArgumentParser(description="跨进程审批：第 1 步提交并暂停，第 2 步 --approve / --reject")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--approve", action="store_true", help="批准保存着的退款申请并继续运行")
    choice.add_argument("--reject", action="store_true", help="拒绝保存着的退款申请并继续运行")
    args = parser.parse_args()
    print_provider()
    if args.approve or args.reject:
        return await decide(approve=args.approve)
    await submit("订单A1002退款800元，因为质量问题")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
