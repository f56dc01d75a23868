"""会话：会话 id（服务器发、猜不到）、按配置选会话存储、把历史画成页面上的对话。

worker 自己不记任何会话状态——全部放在一个“会话存储”里（接口在 store.py，SQLite 或 Redis 两种实现）。

为什么不把 session 直接交给 Runner（`Runner.run_streamed(..., session=...)`）：那样 SDK 会在运行
过程中边跑边写历史，模型中途报错、worker 被杀时，历史里就留下半轮对话。这里改为“整轮成功才提交”：
运行时把历史读出来和新消息拼成输入，运行成功后一次性 `add_items()` 写入这一轮的新条目。

**会话属于某位顾客**：会话 id 由服务器发（`new_session_id()`，`secrets.token_urlsafe`，猜不到），
创建时记下主人（`create(会话, 顾客)`）；之后每个会话接口都先核对 `owner(会话) == 登录的顾客`，
不是就当作不存在（404，不泄露这个会话在不在）。客户端自己编的 id（`1`、`test`、`admin`）不会被接受。

**刷新后和实时看到的一样**（`transcript()` / `render_messages()`）：历史里的条目按顺序画成
用户消息、转接（handoff）、工具标签（结果是干净的 JSON）、审批卡片（带主管的决定）、护栏拦截、回答；
还在等审批的那一轮（还没写进历史）从暂停记录里补上。
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from its_service.agents import TRIAGE, display_name
from its_service.events import tool_result_text
from its_service.store import ConversationStore, public_approval
from shared.content import content_text

SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def new_session_id() -> str:
    """服务器发的会话 id：192 位随机数（32 个 URL 安全字符），猜不到，也不会撞。"""
    return secrets.token_urlsafe(24)


def valid_session_id(value: str | None) -> bool:
    # fullmatch：`re.match(r"^...$")` 会放过结尾的换行（`$` 可以匹配换行之前的位置）
    return bool(value) and SESSION_ID.fullmatch(value or "") is not None


def open_store(settings: Any) -> ConversationStore:
    """按配置选存储：设置了 ITS_REDIS_URL 用 Redis，否则用 SQLite 文件。"""
    if settings.redis_url:
        from its_service.store_redis import RedisStore

        return RedisStore(settings.redis_url, ttl=settings.lock_ttl)
    from its_service.store_sqlite import SqliteStore

    return SqliteStore(settings.conversations_db, ttl=settings.lock_ttl)


async def transcript(store: ConversationStore, session_id: str,
                     approvals: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """给页面恢复对话。`approvals`：这个会话的审批单（业务服务的记录，带主管的决定）。"""
    items = await store.history(session_id)
    pauses = await store.pauses(session_id)
    last = await store.last_agent(session_id)
    notes = await store.notes(session_id)
    decided = [a for a in approvals or [] if a.get("status") != "pending"]
    messages = render_messages(items, decided, notes)
    pending = []
    for p in pauses:  # 暂停中的这一轮还没写进历史：用暂停时记下的条目补上，页面才和当时一样
        shown = render_messages(p.items, p.approvals, [], agent=p.start_agent)
        if not shown or shown[0].get("role") != "user":
            shown.insert(0, {"role": "user", "text": p.query})
        messages.extend({**m, "pending": True} for m in shown)
        pending.extend(public_approval(a) for a in p.approvals)
    agent = pending[-1]["agent"] if pending else display_name(last or TRIAGE)
    return {"session_id": session_id, "agent": agent, "messages": messages,
            "pending_approvals": pending, "usage": await store.usage(session_id)}


def render_messages(items: list[Any], approvals: list[dict[str, Any]] | None = None,
                    notes: list[dict[str, Any]] | None = None, *, agent: str | None = None) -> list[dict[str, Any]]:
    """历史条目 → 页面要画的东西，顺序和实时看到的一样：

        user                    顾客的话
        handoff                 转接（from_agent → to_agent），在新专员的工具和回答之前
        tool                    工具标签：参数、干净的结果（和 tool_completed 事件同一个函数）、状态
        approval                审批卡片（接在那次工具调用后面），带主管的决定
        guardrail               护栏拦截（接着是那句固定的拒绝）
        assistant               回答（带 Agent）

    条目里没有“谁说的”：从 `agent`（默认前台）开始顺着历史走，遇到 handoff 的输出就换人——和运行时
    每轮从“上一轮最后的 Agent”开始是一致的。
    """
    by_call = {a["call_id"]: a for a in approvals or [] if a.get("call_id")}
    trips = {n["position"]: n for n in notes or [] if n.get("kind") == "guardrail"}
    messages: list[dict[str, Any]] = []
    calls: dict[str, dict[str, Any]] = {}
    tools: dict[str, dict[str, Any]] = {}
    current = agent or TRIAGE
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        kind, role = item.get("type"), item.get("role")
        if role == "user" and kind in (None, "message"):
            messages.append({"role": "user", "text": content_text(item.get("content"))})
        elif role == "assistant" and kind in (None, "message"):
            text = content_text(item.get("content"))
            trip = trips.get(position)
            if trip:
                messages.append({"role": "guardrail", **{k: v for k, v in trip.items()
                                                         if k not in ("position", "kind")}})
            if text:
                messages.append({"role": "assistant", "text": text, "agent": display_name(current)})
        elif kind == "function_call":
            call_id = item.get("call_id", "")
            calls[call_id] = item
            name = item.get("name", "")
            if name.startswith("transfer_to_"):
                continue
            entry = {"role": "tool", "tool_name": name, "call_id": call_id,
                     "arguments": item.get("arguments", "{}"), "agent": display_name(current),
                     "status": "running"}
            tools[call_id] = entry
            messages.append(entry)
            if call_id in by_call:  # 这次调用要过审批：卡片画在工具标签后面
                messages.append({"role": "approval", **public_approval(by_call[call_id])})
        elif kind == "function_call_output":
            call = calls.get(item.get("call_id", ""), {})
            name = call.get("name", "")
            output = item.get("output")
            if name.startswith("transfer_to_"):
                try:
                    target = json.loads(tool_result_text(output)).get("assistant", current)
                except (ValueError, AttributeError):
                    target = current
                if target != current:
                    messages.append({"role": "handoff", "from_agent": display_name(current),
                                     "to_agent": display_name(target)})
                current = target
                continue
            entry = tools.get(item.get("call_id", ""))
            if entry is not None:
                approval = by_call.get(entry["call_id"])
                entry["tool_result"] = tool_result_text(output)
                entry["status"] = "rejected" if approval and approval.get("status") == "rejected" else "done"
    return messages
