"""模拟模型的 Conversations API：用官方 `openai` 客户端和 Agents SDK 的 `OpenAIConversationsSession` 检查。

会话和条目只存在内存里；`POST /v1/responses` 带 `conversation` 时，已有条目接在输入前面，这次的输入和输出
追加进会话。按别的提供方回应（--profile）时没有这组接口，返回该提供方的 404。
"""

from __future__ import annotations

import asyncio

import openai
import pytest
from agents import (
    Agent,
    OpenAIConversationsSession,
    OpenAIResponsesModel,
    Runner,
    set_tracing_disabled,
)

from shared.mock import start_mock_server


@pytest.fixture(scope="module")
def client(mock_server) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock_server.base_url, api_key="test", max_retries=0)


def test_items_are_stored_paged_and_deleted(client):
    conv = client.conversations.create(items=[{"role": "user", "content": "第一句"}], metadata={"topic": "demo"})
    assert conv.id.startswith("conv_") and conv.metadata == {"topic": "demo"}
    added = client.conversations.items.create(conv.id, items=[
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "第二句"}]},
        {"role": "user", "content": "第三句"},
    ])
    assert [i.role for i in added.data] == ["assistant", "user"]

    # 游标翻页：每页 2 条，按时间正序，三条都能翻到，顺序不乱
    texts = [i.content[0].text for i in client.conversations.items.list(conv.id, order="asc", limit=2)]
    assert texts == ["第一句", "第二句", "第三句"]
    newest = client.conversations.items.list(conv.id, limit=1).data[0]  # 默认倒序：最新的在前
    assert newest.content[0].text == "第三句"
    assert client.conversations.items.retrieve(newest.id, conversation_id=conv.id).id == newest.id

    client.conversations.items.delete(newest.id, conversation_id=conv.id)
    assert len(client.conversations.items.list(conv.id).data) == 2
    assert client.conversations.update(conv.id, metadata={"topic": "changed"}).metadata == {"topic": "changed"}
    assert client.conversations.delete(conv.id).deleted is True
    with pytest.raises(openai.NotFoundError, match="not found"):
        client.conversations.retrieve(conv.id)


def test_bad_items_get_a_400_and_store_nothing(client):
    conv = client.conversations.create()
    with pytest.raises(openai.BadRequestError, match="'type'"):
        client.conversations.items.create(conv.id, items=[{"text": "没有 type 也没有 role"}])
    with pytest.raises(openai.BadRequestError, match="at most 20"):
        client.conversations.items.create(conv.id, items=[{"role": "user", "content": str(i)} for i in range(21)])
    assert client.conversations.items.list(conv.id).data == []


def test_responses_read_and_extend_the_conversation(client):
    conv = client.conversations.create()
    client.responses.create(model="mock-model", input="我叫小周", conversation=conv.id)
    answer = client.responses.create(model="mock-model", input="我叫什么名字？", conversation={"id": conv.id})
    assert answer.conversation.id == conv.id
    assert "小周" in answer.output_text  # 第一轮在会话里，第二轮读得到
    roles = [i.role for i in client.conversations.items.list(conv.id, order="asc")]
    assert roles == ["user", "assistant", "user", "assistant"]
    with pytest.raises(openai.BadRequestError, match="both"):
        client.responses.create(model="mock-model", input="x", conversation=conv.id, previous_response_id=answer.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model="mock-model", input="x", conversation="conv_missing")


def test_openai_conversations_session_keeps_the_thread(mock_server):
    set_tracing_disabled(True)

    async def run() -> tuple[list[str], int, int]:
        http = openai.AsyncOpenAI(base_url=mock_server.base_url, api_key="test", max_retries=0)
        agent = Agent(name="客服", instructions="你是客服助手", model=OpenAIResponsesModel("mock-model", http))
        session = OpenAIConversationsSession(openai_client=http)
        answers = [str((await Runner.run(agent, q, session=session)).final_output)
                   for q in ("我叫小吴", "我叫什么名字？", "我刚才问了什么？")]
        stored = len(await session.get_items())
        await session.clear_session()
        return answers, stored, len(await session.get_items())

    answers, stored, after = asyncio.run(run())
    assert "小吴" in answers[1] and "我叫什么名字" in answers[2]
    assert stored == 6 and after == 0


def test_other_providers_have_no_conversations_api():
    server = start_mock_server(profile="deepseek")
    try:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)
        with pytest.raises(openai.NotFoundError):
            client.conversations.create()
    finally:
        server.stop()
