"""`--judge`：请 `.env` 里配置的模型按写好的评分标准（rubric.md）给每个场景的回答打“有用程度”和“语气”两个分。

规则分数（scoring.py）只看得见做了什么、说了什么；回答读起来有没有帮助、语气好不好，要一个会读的“人”来评。
评分模型的分数和规则分数并排放在报告里，**不替代**规则分数：评分模型自己也会错（偏爱长回答、偏爱和自己
一样的措辞），报告写明是哪个模型评的。模拟模型当评分模型时，它按通用规则填结构化输出，分数没有参考价值。
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

RUBRIC = Path(__file__).resolve().parent / "rubric.md"


class Grade(BaseModel):
    reasoning: str = Field(description="两三句话：依据评分标准说明给分理由")
    helpfulness: int = Field(ge=1, le=5, description="有用程度，1–5 的整数，标准见评分标准")
    tone: int = Field(ge=1, le=5, description="语气，1–5 的整数，标准见评分标准")


def transcript(scenario_turns: list[dict[str, Any]]) -> str:
    """交给评分模型的对话记录：顾客的话、工具调用和结果（截断）、护栏拦截、最后的回答。"""
    lines = []
    for i, t in enumerate(scenario_turns, 1):
        lines.append(f"【第 {i} 轮】顾客：{t['user']}")
        for call in t["tools"]:
            args = json.dumps(call["args"], ensure_ascii=False) if isinstance(call["args"], dict) else call["args"]
            result = (call["result"] or "")[:400]
            lines.append(f"  工具 {call['name']}（{args}）→ {result or '（没有结果）'}")
        if t["blocked_by"]:
            lines.append(f"  护栏 {t['blocked_by']} 拦下了这句话")
        if t["approval"]:
            lines.append(f"  已提交客服主管审批：{t['approval']['message']}")
        if t["error"]:
            lines.append(f"  出错：{t['error']['message']}")
        lines.append(f"  客服：{t['answer'] or '（没有回答）'}")
    return "\n".join(lines)


def build_judge() -> Any:
    from agents import Agent, ModelSettings

    from shared.factory import get_chat_model

    return Agent(name="eval_judge", model=get_chat_model(), instructions=RUBRIC.read_text(encoding="utf-8"),
                 model_settings=ModelSettings(temperature=0), output_type=Grade)


async def grade_all(runs: list[tuple[str, list[dict[str, Any]]]], concurrency: int,
                    advance: Any = None, grades: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """`runs`：[(场景编号, 各轮摘要)] → {场景编号: {"helpfulness", "tone", "reasoning"} 或 {"error"}}。
    结果边评边写进 `grades`：被取消（Ctrl+C）时，已经评完的还在里面。"""
    from agents import Runner

    judge = build_judge()
    limit = asyncio.Semaphore(concurrency)
    grades = {} if grades is None else grades

    async def one(scenario_id: str, turns: list[dict[str, Any]]) -> None:
        async with limit:
            try:
                result = await Runner.run(judge, transcript(turns))
                grades[scenario_id] = result.final_output.model_dump()
            except Exception as exc:  # 评分失败不影响规则分数：照实记下
                grades[scenario_id] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        if advance:
            advance()

    await asyncio.gather(*(one(sid, turns) for sid, turns in runs))
    return grades
