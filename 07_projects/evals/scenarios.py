"""场景数据集：读 `scenarios/*.jsonl`，逐项核对，给出清楚的中文错误。

一行一个场景（JSON），字段：

    {"id": "order-a1001-where",            场景编号：小写字母、数字、连字符，全数据集唯一
     "customer": "C001",                    登录的演示顾客（seed.json 里的编号）
     "category": "orders",                  类别（CATEGORIES 的键），报告按它分组
     "tags": ["mcp"],                       可选：额外的标签，`--only` 可以按标签选
     "note": "为什么有这个场景",            可选：写给读报告的人
     "turns": [ {一轮}, ... ]}              按顺序发的每一句话（同一个会话）

每一轮：`user` 是顾客的原话，其余都是“称职的客服团队会怎么做”，没写的不检查：

| 字段 | 含义 | 例子 |
|---|---|---|
| `agent` | 这一轮最后回答的 Agent（`a|b` 表示都行） | `"order_agent"` |
| `tools` | 应该调用的工具和要紧的参数（工具名可写 `a|b`；参数值是字符串时按“包含”比较，也可写 `a|b`） | `{"track_shipment": {"order_id": "A1001"}}` |
| `forbid` | 不该调用的工具；`["*"]` 表示这一轮不该调用任何工具 | `["request_refund"]` |
| `guardrail` | 护栏的结论：`pass`（默认，不该被拦）、`relevance` / `jailbreak` / `answer_check`（该被它拦下）、`any`（不检查） | `"relevance"` |
| `approval` | 这一轮是否应该提交主管审批（默认 false：不该提交）；为 true 的一轮必须是场景的最后一轮 | `true` |
| `facts` | 回答里必须出现的内容（业务数据里的运单号、金额……）；`a|b` 任一即可，`re:` 开头是正则 | `["SF1400012345"]` |
| `absent` | 回答里不能出现的内容（除了自动检查的别的顾客的数据和原始字段名） | `["13912348888"]` |
| `lang` | 回答的语言 `zh` / `en`；默认跟顾客这句话（只有订单号时跟上一轮） | `"en"` |
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
CJK = re.compile(r"[\u4e00-\u9fff]")
ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")

# 类别：键 → 中文名（报告里的顺序就是这里的顺序）
CATEGORIES = {
    "orders": "订单与物流",
    "refund_ok": "退款（门槛以下）",
    "refund_approval": "退款（超过门槛，要审批）",
    "refund_denied": "不能退的退款",
    "presales": "商品与政策",
    "human": "投诉与转人工",
    "smalltalk": "寒暄与道谢",
    "identity": "别人的订单（身份）",
    "guardrails": "跑题与越狱（护栏）",
    "english": "英文提问",
}
GUARDRAILS = ("relevance", "jailbreak", "answer_check")


class DatasetError(Exception):
    """场景文件写错了：消息指明文件、行号和要改的字段。"""


class _TurnModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: str = Field(min_length=1)
    agent: str | None = None
    tools: dict[str, dict[str, Any]] = Field(default_factory=dict)
    forbid: list[str] = Field(default_factory=list)
    guardrail: Literal["pass", "relevance", "jailbreak", "answer_check", "any"] = "pass"
    approval: bool = False
    facts: list[str] = Field(default_factory=list)
    absent: list[str] = Field(default_factory=list)
    lang: Literal["zh", "en"] | None = None


class _ScenarioModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    customer: str
    category: str
    tags: list[str] = Field(default_factory=list)
    note: str = ""
    turns: list[_TurnModel] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not ID.match(value):
            raise ValueError("只能用小写字母、数字和连字符（2–64 个字符）")
        return value

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"不认识的类别（可选：{'、'.join(CATEGORIES)}）")
        return value


@dataclass(frozen=True)
class Turn:
    user: str
    agent: tuple[str, ...] | None        # 可以接受的最后回答的 Agent；None = 不检查
    tools: dict[str, dict[str, Any]]     # 工具名（可含 |）→ 要紧的参数
    forbid: tuple[str, ...]
    guardrail: str                       # pass / relevance / jailbreak / answer_check / any
    approval: bool
    facts: tuple[str, ...]
    absent: tuple[str, ...]
    lang: str                            # zh / en


@dataclass(frozen=True)
class Scenario:
    id: str
    customer: str
    category: str
    tags: tuple[str, ...]
    note: str
    turns: tuple[Turn, ...]
    source: str = ""                     # 文件名:行号（错误信息、报告里用）

    @property
    def labels(self) -> set[str]:
        """`--only` 能匹配的名字：编号、类别、标签，多轮的还有 multi-turn。"""
        extra = {"multi-turn"} if len(self.turns) > 1 else set()
        return {self.id, self.category, *self.tags, *extra}


@dataclass
class Dataset:
    scenarios: list[Scenario]
    files: list[str] = field(default_factory=list)
    sha256: str = ""

    def select(self, only: list[str] | None) -> list[Scenario]:
        """按编号、类别或标签选一部分；`only` 为空时全选。不认识的名字报错（多半是拼错了）。"""
        if not only:
            return list(self.scenarios)
        known = set().union(*(s.labels for s in self.scenarios))
        unknown = [name for name in only if name not in known]
        if unknown:
            raise DatasetError(f"--only 里的 {'、'.join(unknown)} 不是任何场景的编号、类别或标签"
                               f"（类别：{'、'.join(CATEGORIES)}）")
        wanted = set(only)
        return [s for s in self.scenarios if s.labels & wanted]


def detect_lang(text: str) -> str | None:
    """顾客这句话的语言：有汉字是中文；有英文单词（订单号这类编号不算）是英文；只有编号时说不准（None）。"""
    if CJK.search(text):
        return "zh"
    words = re.sub(r"\b[A-Za-z]{1,4}-?\d+\b", " ", text)
    return "en" if re.search(r"[A-Za-z]{2,}", words) else None


def _alternatives(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split("|") if v.strip())


def _convert(model: _ScenarioModel, source: str) -> Scenario:
    turns = []
    previous = "zh"
    for i, t in enumerate(model.turns):
        if t.approval and i != len(model.turns) - 1:
            raise DatasetError(f"{source}：第 {i + 1} 轮 approval 为 true，但它不是最后一轮——提交审批后"
                               "这个会话在主管决定之前不接受新问题，后面的轮次没法跑")
        turns.append(Turn(
            user=t.user, agent=_alternatives(t.agent) if t.agent else None, tools=dict(t.tools),
            forbid=tuple(t.forbid), guardrail=t.guardrail, approval=t.approval, facts=tuple(t.facts),
            absent=tuple(t.absent), lang=t.lang or detect_lang(t.user) or previous))
        previous = turns[-1].lang
    return Scenario(model.id, model.customer, model.category, tuple(model.tags), model.note,
                    tuple(turns), source)


def _explain(error: ValidationError) -> str:
    parts = []
    for e in error.errors():
        where = ".".join(str(p) for p in e["loc"]) or "（整行）"
        if e["type"] == "extra_forbidden":
            parts.append(f"{where} 不是认识的字段（拼错了？）")
        elif e["type"] == "missing":
            parts.append(f"缺少 {where}")
        else:
            parts.append(f"{where}：{e['msg'].removeprefix('Value error, ')}")
    return "；".join(parts)


def load(directory: Path = SCENARIO_DIR) -> Dataset:
    """读目录下全部 .jsonl（按文件名排序），核对格式和编号唯一。空行跳过。"""
    files = sorted(directory.glob("*.jsonl"))
    if not files:
        raise DatasetError(f"{directory} 下没有 .jsonl 场景文件")
    digest = hashlib.sha256()
    scenarios: list[Scenario] = []
    seen: dict[str, str] = {}
    for path in files:
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw)
        for number, line in enumerate(raw.decode("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            source = f"{path.name}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{source}：不是合法的 JSON（{exc.msg}，第 {exc.colno} 列）") from None
            try:
                model = _ScenarioModel.model_validate(data)
            except ValidationError as exc:
                raise DatasetError(f"{source}：{_explain(exc)}") from None
            if model.id in seen:
                raise DatasetError(f"{source}：场景编号 {model.id} 和 {seen[model.id]} 重复")
            seen[model.id] = source
            scenarios.append(_convert(model, source))
    return Dataset(scenarios, [p.name for p in files], digest.hexdigest()[:16])


def check_against(dataset: Dataset, team: dict[str, Any], customers: dict[str, Any]) -> None:
    """场景里写的 Agent、工具、顾客在团队和演示数据里都存在（团队来自 `GET /api/team` 同一份描述）。"""
    agents, tools = team_names(team)
    for s in dataset.scenarios:
        if s.customer not in customers:
            raise DatasetError(f"{s.source}：顾客 {s.customer} 不在演示数据里（可选：{'、'.join(customers)}）")
        for i, t in enumerate(s.turns, 1):
            for name in t.agent or ():
                if name not in agents:
                    raise DatasetError(f"{s.source}：第 {i} 轮的 agent {name} 不是团队里的 Agent"
                                       f"（可选：{'、'.join(sorted(agents))}）")
            names = [n for key in t.tools for n in _alternatives(key)] + [n for n in t.forbid if n != "*"]
            for name in names:
                if name not in tools:
                    raise DatasetError(f"{s.source}：第 {i} 轮的工具 {name} 不是团队的工具"
                                       f"（可选：{'、'.join(sorted(tools))}）")


def team_names(team: dict[str, Any]) -> tuple[dict[str, str], set[str]]:
    """团队描述 → ({Agent 名: 中文显示名}, {顾客对话里能看到的工具名})。"""
    agents = {a["name"]: a["title"] for a in team["agents"]}
    tools: set[str] = set()
    for a in team["agents"]:
        tools.update(a["tools"])
        tools.update(a["mcp_tools"])
        tools.update(c["tool"] for c in a["consults"])
    return agents, tools


def coverage(dataset: Dataset, team: dict[str, Any]) -> dict[str, list[str]]:
    """团队里哪些 Agent、工具没有任何场景期望用到（数据集要覆盖整个团队）。"""
    agents, tools = team_names(team)
    used_agents = {n for s in dataset.scenarios for t in s.turns for n in t.agent or ()}
    used_tools = {n for s in dataset.scenarios for t in s.turns for key in t.tools for n in _alternatives(key)}
    return {"agents": sorted(set(agents) - used_agents), "tools": sorted(tools - used_tools)}
