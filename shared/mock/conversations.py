"""Conversations API（内存里）：让 `OpenAIConversationsSession`、`Runner.run(..., conversation_id=...)` 离线能跑。

    POST   /v1/conversations                      新建（可带最多 20 个初始条目、metadata）
    GET    /v1/conversations/{id}                 查看
    POST   /v1/conversations/{id}                 改 metadata
    DELETE /v1/conversations/{id}                 删除
    POST   /v1/conversations/{id}/items           追加条目（每次最多 20 个）
    GET    /v1/conversations/{id}/items           列出（after / limit / order，和官方一样按游标翻页）
    GET    /v1/conversations/{id}/items/{item_id} 查看一个条目
    DELETE /v1/conversations/{id}/items/{item_id} 删除一个条目

`POST /v1/responses` 带 `conversation` 时，会话里已有的条目接在输入前面，这次的输入和输出在回答完后追加进去
（app.py）。和 `previous_response_id` 一样只存在内存里：进程结束就没了，最多保留 2000 个会话。
只有默认（openai）profile 有这组接口；按百炼、DeepSeek 等提供方回应时返回该提供方的 404。
"""

from __future__ import annotations

import json
import time
import uuid
from collections import OrderedDict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

MAX_CONVERSATIONS = 2000
MAX_ITEMS_PER_REQUEST = 20
_PREFIX = {"message": "msg", "function_call": "fc", "function_call_output": "fco", "reasoning": "rs",
           "web_search_call": "ws"}


class ConversationStore:
    def __init__(self) -> None:
        self.conversations: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def create(self, items: list[Any], metadata: dict | None) -> dict[str, Any]:
        cid = "conv_" + uuid.uuid4().hex[:24]
        self.conversations[cid] = {"id": cid, "object": "conversation", "created_at": int(time.time()),
                                   "metadata": metadata or {}, "items": [normalize(i) for i in items]}
        while len(self.conversations) > MAX_CONVERSATIONS:
            self.conversations.popitem(last=False)
        return self.conversations[cid]

    def get(self, cid: str) -> dict[str, Any] | None:
        return self.conversations.get(cid)

    def append(self, cid: str, items: list[Any]) -> list[dict[str, Any]]:
        added = [normalize(i) for i in items]
        self.conversations[cid]["items"].extend(added)
        return added


def public(conv: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in conv.items() if k != "items"}


def normalize(item: Any) -> dict[str, Any]:
    """输入条目 → 会话里存的条目：补上 id、type、status；`{"role": "user", "content": "你好"}` 这种简写的
    消息展开成带内容块的 message（用户 input_text，助手 output_text）。"""
    if not isinstance(item, dict):
        raise ValueError("Each item must be an object.")
    item = json.loads(json.dumps(item))  # 复制一份，后面改它不影响调用方
    kind = item.get("type") or ("message" if "role" in item else None)
    if kind is None:
        raise ValueError("Each item must have a 'type' (or a 'role' for messages).")
    item["type"] = kind
    if kind == "message":
        role = item.get("role", "user")
        content = item.get("content")
        part = "output_text" if role == "assistant" else "input_text"
        if isinstance(content, str):
            content = [{"type": part, "text": content}]
        blocks = []
        for block in content or []:
            if isinstance(block, str):
                block = {"type": part, "text": block}
            if block.get("type") == "output_text":
                block.setdefault("annotations", [])
            blocks.append(block)
        item["content"] = blocks
        item["role"] = role
        item.setdefault("status", "completed")
    elif kind in ("function_call", "web_search_call", "reasoning"):
        item.setdefault("status", "completed")
    item.setdefault("id", f"{_PREFIX.get(kind, 'item')}_{uuid.uuid4().hex[:24]}")
    return item


def _error(status: int, message: str, param: str | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": "invalid_request_error", "param": param,
                                   "code": None}}, status_code=status)


def _not_found(cid: str) -> JSONResponse:
    return _error(404, f"Conversation with id '{cid}' not found.")


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    data = json.loads(raw or b"{}")
    if not isinstance(data, dict):
        raise ValueError("The request body must be a JSON object.")
    return data


def routes(store: ConversationStore, allowed, refuse) -> list[Route]:
    """`allowed()`：这个 profile 有没有 Conversations 接口；没有时 `refuse()` 给出该提供方的 404。"""

    def existing(handler):
        """先确认有这个接口、有这个会话，再交给 handler(request, 会话 id, 会话)。"""
        async def endpoint(request: Request) -> Response:
            if not allowed():
                return refuse()
            cid = request.path_params["cid"]
            conv = store.get(cid)
            if conv is None:
                return _not_found(cid)
            try:
                return await handler(request, cid, conv)
            except ValueError as exc:
                return _error(400, str(exc), "items")
        return endpoint

    async def conversations(request: Request) -> Response:
        if not allowed():
            return refuse()
        try:
            body = await _json(request)
            items = _items(body, required=False)
            return JSONResponse(public(store.create(items, body.get("metadata"))))
        except ValueError as exc:
            return _error(400, str(exc), "items")

    @existing
    async def one(request: Request, cid: str, conv: dict[str, Any]) -> Response:
        if request.method == "DELETE":
            store.conversations.pop(cid, None)
            return JSONResponse({"id": cid, "object": "conversation.deleted", "deleted": True})
        if request.method == "POST":
            conv["metadata"] = (await _json(request)).get("metadata") or {}
        return JSONResponse(public(conv))

    @existing
    async def items(request: Request, cid: str, conv: dict[str, Any]) -> Response:
        if request.method == "POST":
            return JSONResponse(_page(store.append(cid, _items(await _json(request), required=True)), False))
        order = request.query_params.get("order", "desc")
        try:
            limit = max(1, min(100, int(request.query_params.get("limit", "20"))))
        except ValueError:
            return _error(400, "'limit' must be an integer between 1 and 100.", "limit")
        listed = list(conv["items"]) if order == "asc" else list(reversed(conv["items"]))
        after = request.query_params.get("after")
        if after:
            ids = [i["id"] for i in listed]
            listed = listed[ids.index(after) + 1:] if after in ids else []
        return JSONResponse(_page(listed[:limit], has_more=len(listed) > limit))

    @existing
    async def item(request: Request, cid: str, conv: dict[str, Any]) -> Response:
        iid = request.path_params["iid"]
        found = next((i for i in conv["items"] if i["id"] == iid), None)
        if found is None:
            return _error(404, f"Item with id '{iid}' not found.")
        if request.method == "DELETE":
            conv["items"].remove(found)
            return JSONResponse(public(conv))
        return JSONResponse(found)

    return [
        Route("/v1/conversations", conversations, methods=["POST"]),
        Route("/v1/conversations/{cid}", one, methods=["GET", "POST", "DELETE"]),
        Route("/v1/conversations/{cid}/items", items, methods=["GET", "POST"]),
        Route("/v1/conversations/{cid}/items/{iid}", item, methods=["GET", "DELETE"]),
    ]


def _items(body: dict[str, Any], required: bool) -> list[Any]:
    items = body.get("items") if required else body.get("items") or []
    if not isinstance(items, list) or (required and not items) or len(items) > MAX_ITEMS_PER_REQUEST:
        raise ValueError(f"'items' must be {'a non-empty' if required else 'an'} array of at most "
                         f"{MAX_ITEMS_PER_REQUEST} items.")
    return items


def _page(items: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": items, "first_id": items[0]["id"] if items else None,
            "last_id": items[-1]["id"] if items else None, "has_more": has_more}
