"""客服团队：**所有 Agent 都在这个文件里定义。**

    用户 ──▶ triage_agent（前台分诊）
               ├─ handoff ─▶ order_agent（订单物流专员）   工具：业务服务（MCP）的 get_order、track_shipment
               ├─ handoff ─▶ refund_agent（售后退款专员）  工具：check_refund_eligibility、request_refund（超额要审批）、
               │                                               open_ticket、ask_order_expert（订单专员当工具用）
               └─ handoff ─▶ presales_agent（售前导购）    工具：search_products、ask_policy_expert（政策专家当工具用）
             每位专员都可以 handoff 回 triage_agent（问题不归自己管时）；前台自己还能 open_ticket 转人工。

两种协作方式都用上了（课程 4.2 节）：
- handoff（去中心化）：前台把整段对话交给专员，之后由专员直接和用户对话；
  下一轮用户再说话时，仍由上一轮最后回答的专员接着处理（chat.py 记住了它）。
- agent-as-tool（中心化）：退款专员需要订单详情时，把“订单专员”当成一个工具问一句，
  对话的控制权不离开退款专员；售前导购问“政策专家”也是一样。

护栏（guardrails.py）也在这里挂上：四位 Agent 都有输入护栏（话题相关性、越狱检测——谁接到顾客的新消息
谁跑）和输出护栏（回答检查），每个工具都有工具结果护栏（个人信息遮盖）。被咨询的专家（agent-as-tool）
不挂输入 / 输出护栏：它们收到的是同事的问题，不是顾客的原话；它们用的工具照样打码。

Agent 的 `name` 用英文（handoff 工具名 `transfer_to_<name>` 只允许 ASCII），页面上显示的中文名在
`DISPLAY_NAMES` 里。模型一律来自 `shared.factory.get_chat_model()`，换提供方只改 `.env`。
`Team.describe()` 把团队（Agent、handoff、工具、agent-as-tool、护栏）从这些对象本身读出来，给
`GET /api/team` 和页面上的团队图用——改了这里的代码，图跟着变。
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents import Agent, FunctionTool, ModelSettings
from agents.extensions.handoff_prompt import prompt_with_handoff_instructions
from agents.mcp import MCPServer

from its_service.guardrails import Guardrails
from its_service.tools import Tools
from shared.factory import get_chat_model

TRIAGE = "triage_agent"
ORDER = "order_agent"
REFUND = "refund_agent"
PRESALES = "presales_agent"

DISPLAY_NAMES = {
    TRIAGE: "前台分诊",
    ORDER: "订单物流专员",
    REFUND: "售后退款专员",
    PRESALES: "售前导购",
    "order_expert": "订单物流专员（被咨询）",
    "policy_expert": "政策专家",
}


# 业务库存的是 UTC 时间（见 shop/models.py）；顾客在中国，说给顾客听的时间换成北京时间
TIME_RULE = "工具返回的时间是 UTC，告诉用户时一律换算成北京时间。\n"


def display_name(agent_name: str | None) -> str:
    return DISPLAY_NAMES.get(agent_name or "", agent_name or "")


@dataclass
class Team:
    triage: Agent
    members: dict[str, Agent]
    consults: dict[str, tuple[str, Agent]] = field(default_factory=dict)  # 工具名 → (谁在用, 被咨询的 Agent)
    guardrails: Guardrails | None = None

    def get(self, name: str | None) -> Agent:
        """按名字找 Agent；不认识的名字（比如改过代码后的旧会话）回到前台。"""
        return self.members.get(name or "", self.triage)

    def describe(self, mcp_tools: list[str]) -> dict[str, Any]:
        """团队的样子，从 Agent 对象本身读出来（GET /api/team）。`mcp_tools`：MCP 服务给 Agent 的工具名。"""

        def card(agent: Agent) -> dict[str, Any]:
            function_tools = [t.name for t in agent.tools if isinstance(t, FunctionTool)]
            return {
                "name": agent.name,
                "title": display_name(agent.name),
                "role": agent.handoff_description or "",
                "tools": [t for t in function_tools if t not in self.consults],
                "mcp_tools": list(mcp_tools) if agent.mcp_servers else [],
                "handoffs": [getattr(h, "agent_name", None) or getattr(h, "name", "") for h in agent.handoffs],
                "consults": [{"tool": t, "agent": expert.name} for t, (owner, expert) in self.consults.items()
                             if owner == agent.name],
                "input_guardrails": [g.get_name() for g in agent.input_guardrails],
                "output_guardrails": [g.get_name() for g in agent.output_guardrails],
            }

        experts = {expert.name: expert for _, expert in self.consults.values()}
        return {
            "start": self.triage.name,
            "agents": [card(a) for a in self.members.values()],
            "experts": [card(a) for a in experts.values()],
            "guardrails": self.guardrails.describe() if self.guardrails else [],
        }


def build_team(tools: Tools, mcp_servers: list[MCPServer] | None, *, categories: list[str],
               refund_approval_threshold: float, guardrails: Guardrails | None = None) -> Team:
    """每个 worker 启动时建一次，所有对话共用（Agent 只是配置，并发运行互不影响）。

    `mcp_servers`：订单专员用的 MCP 服务（业务服务的长连接）。压测的“地板”对照组传 None，
    订单专员改用同名的函数工具（tools.get_order / tools.track_shipment），其余一模一样。
    `guardrails`：guardrails.build_guardrails() 建的一套护栏；None = 不挂护栏（ITS_GUARDRAILS=0，压测对照）。
    """
    model = get_chat_model()
    order_tools = [tools.get_order, tools.track_shipment] if mcp_servers is None else []
    # 流式时让提供方在最后一个分片里带上 token 用量（run_completed.usage 要用）；
    # SDK 只对 api.openai.com 默认打开，国内兼容接口大多也支持这个参数。
    settings = ModelSettings(include_usage=True)
    threshold = f"{refund_approval_threshold:g}"
    catalog = "、".join(categories) or "数码、家电等"

    order_agent = Agent(
        name=ORDER,
        model=model,
        model_settings=settings,
        handoff_description="订单物流专员：查询订单详情（买了什么商品、金额、状态）、物流快递进度（快递到哪了、什么时候到）。",
        instructions=prompt_with_handoff_instructions(
            "你是 ITS 商城的订单物流专员，负责订单和物流查询。\n"
            "- 查订单详情（状态、金额、买了什么）用 get_order；\n"
            "- 查快递到哪了、物流轨迹、预计什么时候到用 track_shipment；\n"
            "- 用户没给订单号时，先请用户提供订单号（形如 A1001）。\n"
            "回答时说清楚订单状态和最新物流动态，只使用工具返回的信息，不要编造。\n" + TIME_RULE +
            "退款退货、商品咨询这类不归你管的问题，交回 triage_agent。"
        ),
        tools=order_tools,
        mcp_servers=mcp_servers or [],
    )
    order_expert = order_agent.clone(
        name="order_expert",
        handoffs=[],
        input_guardrails=[],
        output_guardrails=[],
        instructions=(
            "你是 ITS 商城的订单物流专员，正在回答同事的询问（不是直接面对用户）。"
            "用 get_order 查订单详情，用 track_shipment 查物流，简明列出查到的事实，不要编造。" + TIME_RULE
        ),
    )
    policy_expert = Agent(
        name="policy_expert",
        model=model,
        model_settings=settings,
        instructions=(
            "你是 ITS 商城的政策专家，正在回答同事的询问。"
            "先用 lookup_policy 查政策原文，再据此简明回答；只引用原文，不要自己发挥。"
        ),
        tools=[tools.lookup_policy],
    )

    refund_agent = Agent(
        name=REFUND,
        model=model,
        model_settings=settings,
        handoff_description="售后退款专员：退款、退货、售后——能不能退、能退多少、提交退款申请。",
        instructions=prompt_with_handoff_instructions(
            "你是 ITS 商城的售后退款专员，负责退款和退货。\n"
            "- 用户只是问能不能退、能退多少，用 check_refund_eligibility 查询并解释结果；\n"
            "- 用户明确要退款时，用 request_refund 提交（工具会自动复核规则）；"
            f"金额超过 {threshold} 元的退款要客服主管审批：提交后告诉用户已经转交主管审核，"
            "审核结果出来后会通知他；\n"
            "- 用户没给订单号时，先请用户提供订单号（形如 A1001）；\n"
            "- 想了解订单买了什么、快递到哪了，调用 ask_order_expert 向订单物流专员打听，不要把用户转走；\n"
            "- 用户不满意、要投诉或要求人工时，用 open_ticket 建工单并告诉用户工单号。\n" + TIME_RULE +
            "商品推荐这类不归你管的问题，交回 triage_agent。"
        ),
        tools=[
            tools.check_refund_eligibility,
            tools.request_refund,
            tools.open_ticket,
            order_expert.as_tool(
                tool_name="ask_order_expert",
                tool_description="向订单物流专员打听订单详情或物流进度（买了什么、快递到哪了）。"
                "输入写清楚订单号和想知道什么。",
                # None：订单专员那边出错（比如 MCP 服务挂了）时让这一轮失败并如实报告，
                # 而不是把错误文字当作“专员的回答”交给退款专员。
                failure_error_function=None,
            ),
        ],
    )

    presales_agent = Agent(
        name=PRESALES,
        model=model,
        model_settings=settings,
        handoff_description=f"售前导购：商品咨询、推荐、价格、库存，以及运费、发票、保修、价格保护这类服务政策。"
                            f"在售品类：{catalog}。",
        instructions=prompt_with_handoff_instructions(
            "你是 ITS 商城的售前导购，负责商品咨询和推荐。\n"
            "- 用户想买东西、问有没有某类商品、问价格和库存时，用 search_products 搜索，"
            "按用户需求挑 1-3 款推荐，说明价格和是否有货；\n"
            "- 用户问退换货、运费、保修、发票等政策时，调用 ask_policy_expert 请政策专家解答，再转述给用户；\n"
            "- 只推荐搜索结果里的商品，不承诺政策以外的优惠。\n"
            "订单物流、退款这类不归你管的问题，交回 triage_agent。"
        ),
        tools=[
            tools.search_products,
            policy_expert.as_tool(
                tool_name="ask_policy_expert",
                tool_description="向政策专家询问退换货、运费、保修、发票、价格保护等服务政策。输入写清楚要问的问题。",
            ),
        ],
    )

    triage_agent = Agent(
        name=TRIAGE,
        model=model,
        model_settings=settings,
        handoff_description="前台分诊：问题不归自己管时交回这里，由前台重新分派。",
        instructions=prompt_with_handoff_instructions(
            "你是 ITS 商城的前台客服。必须先弄清用户要办什么事，再交给对应的专员：\n"
            "- 查订单状态、物流快递进度（到哪了、什么时候到），交给 order_agent；\n"
            "- 退款、退货、售后问题，交给 refund_agent；\n"
            f"- 商品咨询、推荐、价格、库存（在售品类：{catalog}），以及运费、发票、保修、价格保护这类服务政策，"
            "交给 presales_agent；\n"
            "- 用户投诉或明确要求转人工时，用 open_ticket 创建工单，并告诉用户工单号；\n"
            "- 打招呼、闲聊或意图不清楚时，简短回答并问清用户想办什么。\n"
            "不要自己编造订单、物流或商品信息。"
        ),
        tools=[tools.open_ticket],
        handoffs=[order_agent, refund_agent, presales_agent],
    )
    for specialist in (order_agent, refund_agent, presales_agent):
        specialist.handoffs = [triage_agent]

    members = {a.name: a for a in (triage_agent, order_agent, refund_agent, presales_agent)}
    consults = {"ask_order_expert": (REFUND, order_expert), "ask_policy_expert": (PRESALES, policy_expert)}
    if guardrails is not None:
        for agent in members.values():
            agent.input_guardrails = list(guardrails.input)
            agent.output_guardrails = list(guardrails.output)
        for agent in (*members.values(), policy_expert):
            for tool in agent.tools:
                if isinstance(tool, FunctionTool):
                    tool.tool_output_guardrails = list(guardrails.tool)
        for server in mcp_servers or []:
            server.tool_output_guardrails = list(guardrails.tool)
    return Team(triage=triage_agent, members=members, consults=consults, guardrails=guardrails)
