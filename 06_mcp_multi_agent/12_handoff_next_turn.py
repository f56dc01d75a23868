"""交接之后的下一轮：让专家直接接着聊，而不是每轮都从分流 Agent 重新开始。

课程说“专家 Agent 接管后负责后续所有对话”。但 SDK 的 handoff 只在**一次** Runner.run 之内有效：
下一轮你调用 `Runner.run(triage, ...)`，又是分流 Agent 先说话。SQLiteSession 只保存对话历史，
不保存“现在是谁在接待”。所以要自己记：每轮结束把 `result.last_agent.name` 按会话 id 存起来
（这里是 SQLite 旁边的一个小 JSON 文件），下一轮从它开始跑。

专家也可以交接回分流 Agent：退款专家的 handoffs 里有 triage，用户问了与退款无关的问题就交回去。

本课三轮对话，每轮打印“起点 / 经过 / 谁回答”，再对照一下不记 last_agent 会怎样。

运行: python 06_mcp_multi_agent/12_handoff_next_turn.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    第1轮 用户：我要退款，订单号 A1001
    起点：Triage agent（这个会话还没有记录）
    经过：Triage agent → Refund agent
    回答（Refund agent）：好的，我来帮您处理退款。您已提供：订单号 A1001。还需要您提供：原因。
    第2轮 用户：因为耳机有杂音
    起点：Refund agent（上一轮的 last_agent）
    经过：Refund agent
    回答（Refund agent）：好的，我来帮您处理退款。需要的信息都齐了：订单号 A1001、原因 耳机有杂音。不过我这里没有可以直接办理的工具，还没有替您提交任何申请。
    第3轮 用户：对了，武汉明天天气怎么样？
    起点：Refund agent（上一轮的 last_agent）
    经过：Refund agent → Triage agent
    回答（Triage agent）：武汉明天多云，22℃
    对照：不记 last_agent，第2轮又从 Triage agent 开始 → 经过：Triage agent → Refund agent，回答（Refund agent）：...
"""

import asyncio
import json

from agents import Agent, RunHooks, Runner, SQLiteSession, function_tool

from shared.factory import data_path, get_chat_model, print_provider

TURNS = ["我要退款，订单号 A1001", "因为耳机有杂音", "对了，武汉明天天气怎么样？"]


@function_tool
def get_weather(city: str) -> str:
    """查询城市天气。"""
    return f"{city}明天多云，22℃"


def build_agents() -> dict[str, Agent]:
    model = get_chat_model()
    back = "如果用户的问题和{}无关（比如天气、物流），交接回 triage_agent。"
    booking = Agent(name="Booking agent", model=model,
                    instructions="你负责订票：需要用户提供日期、人数、舱位。" + back.format("订票"))
    refund = Agent(name="Refund agent", model=model,
                   instructions="你负责退款：需要用户提供订单号、原因，并解释规则。" + back.format("退款"))
    triage = Agent(
        name="Triage agent", model=model, tools=[get_weather],
        instructions=("你负责分流。如果用户问订票 -> 交接给 booking_agent。"
                      "如果用户问退款 -> 交接给 refund_agent。其他问题你自己用工具回答。"),
        handoffs=[booking, refund],
    )
    booking.handoffs.append(triage)  # 互相引用：先建好再补上交接回去的路
    refund.handoffs.append(triage)
    return {a.name: a for a in (triage, booking, refund)}


class LastAgentStore:
    """session_id → 最后说话的 Agent 名字。SDK 不替你存这个，它和会话历史放在一起。"""

    def __init__(self, path) -> None:
        self.path = path

    def _load(self) -> dict[str, str]:
        return json.loads(self.path.read_text(encoding="utf-8")) if self.path.exists() else {}

    def get(self, session_id: str) -> str | None:
        return self._load().get(session_id)

    def set(self, session_id: str, agent_name: str) -> None:
        self._save({**self._load(), session_id: agent_name})

    def forget(self, session_id: str) -> None:
        self._save({k: v for k, v in self._load().items() if k != session_id})

    def _save(self, data: dict[str, str]) -> None:
        self.path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


class AgentPath(RunHooks):
    """记录这一轮里依次被启动的 Agent（交接一次就多一个）。"""

    def __init__(self) -> None:
        self.agents: list[str] = []

    async def on_agent_start(self, context, agent) -> None:
        self.agents.append(agent.name)


async def take_turn(agents, store, session, text: str, remember: bool = True):
    saved = store.get(session.session_id) if remember else None
    start = agents[saved] if saved else agents["Triage agent"]
    path = AgentPath()
    result = await Runner.run(start, text, session=session, hooks=path)
    if remember:
        store.set(session.session_id, result.last_agent.name)
    return saved, start, path.agents, result


async def main() -> None:
    print_provider()
    agents = build_agents()
    db = data_path("06_handoff_sessions.db")
    store = LastAgentStore(data_path("06_handoff_last_agent.json"))

    session = SQLiteSession("demo-user", db)
    await session.clear_session()  # 每次运行都从头演示：清掉上次的历史和记录
    store.forget(session.session_id)
    for n, text in enumerate(TURNS, 1):
        print(f"\n第{n}轮 用户：{text}")
        saved, start, path, result = await take_turn(agents, store, session, text)
        why = "上一轮的 last_agent" if saved else "这个会话还没有记录"
        print(f"  起点：{start.name}（{why}）")
        print(f"  经过：{' → '.join(path)}")
        print(f"  回答（{result.last_agent.name}）：{result.final_output}")

    # 对照：同样两句话，但每轮都从分流 Agent 开始（SDK 的默认做法）
    plain = SQLiteSession("demo-user-plain", db)
    await plain.clear_session()
    for text in TURNS[:2]:
        _, start, path, result = await take_turn(agents, store, plain, text, remember=False)
    print(f"\n对照：不记 last_agent，第2轮又从 {start.name} 开始 → 经过：{' → '.join(path)}，"
          f"回答（{result.last_agent.name}）：{result.final_output[:30]}…")


if __name__ == "__main__":
    asyncio.run(main())
