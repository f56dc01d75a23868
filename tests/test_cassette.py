"""录像：录制代理、回放、严格模式、密钥清理、手改录像，以及“在家录、课堂上离线回放”的整个流程。

“真实的上游”是另一个按提供方 profile 启动的模拟模型（start_mock_server(profile=...)）：录完把它停掉，
回放就只能靠录像。测试比较的是同一次测试里录制和回放的输出，不写死模拟模型的回答。
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx2
import openai
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from shared.history import adapt_for_deepseek_thinking
from shared.mock import MockServer, start_mock_server
from shared.mock.cassette import Cassette, Scrubber, clean_url, normalise, request_key
from shared.mock.proxy import CassetteApp, Upstream
from tests import lessons
from tests.lessons import REPO

SECRET = "sk-test.cassette.SECRET.0123456789"  # 假 Key：录像里不能出现它的任何一段


def key_of(body: dict, path: str = "/v1/chat/completions", known: dict | None = None) -> str:
    return request_key(normalise("POST", path, body, known))


def chat(messages: list[dict], **extra) -> dict:
    return {"model": "deepseek-flash", "messages": messages, **extra}


# ---------------------------------------------------------------- 规范化：什么算“同一个请求”


def test_key_ignores_ids_timestamps_and_bookkeeping():
    def history(call_id: str, when: str) -> list[dict]:
        return [
            {"role": "system", "content": f"今天是 {when}。你是客服。"},
            {"role": "user", "content": "A1001 到哪了"},
            {"role": "assistant", "content": None,
             "tool_calls": [{"id": call_id, "type": "function", "function": {"name": "track", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": call_id, "content": "已发货"},
        ]

    a = chat(history("call_AAA", "2026-05-03 09:15:02"), user="u1", metadata={"run": "1"}, store=True)
    b = chat(history("call_BBB", "2026-12-24 18:00:59"), user="u2", stream_options={"include_usage": True})
    assert key_of(a) == key_of(b)
    # 会改变回答的都算：模型、消息、工具、schema、采样参数、思考开关、是否流式
    changed = [
        {**a, "model": "deepseek-v4-pro"},
        {**a, "messages": a["messages"][:2]},
        {**a, "tools": [{"type": "function", "function": {"name": "track"}}]},
        {**a, "response_format": {"type": "json_object"}},
        {**a, "temperature": 0.2},
        {**a, "thinking": {"type": "disabled"}},
        {**a, "stream": True},
    ]
    assert len({key_of(a), *map(key_of, changed)}) == len(changed) + 1
    # 工具结果里每次运行都不一样的进程号、端口也不算；订单号这类值照样算
    def tool_result(text: str) -> dict:
        return chat([{"role": "user", "content": "服务的进程号"}, {"role": "tool", "tool_call_id": "c", "content": text}])

    assert key_of(tool_result('{"service": "x", "pid": 8347}')) == key_of(tool_result('{ "pid": 91, "service": "x" }'))
    assert key_of(tool_result('{"order_id": "A1001"}')) != key_of(tool_result('{"order_id": "A1002"}'))


def test_previous_response_id_becomes_a_reference_to_the_entry():
    first = key_of({"model": "m", "input": "你好"}, "/v1/responses")
    known = {"resp_run1": f"<条目 {first} 的回答>"}
    again = {"resp_run2": f"<条目 {first} 的回答>"}  # 回放时同一个回答的 id 相同，这里换个 id 也一样
    one = key_of({"model": "m", "input": "继续", "previous_response_id": "resp_run1"}, "/v1/responses", known)
    two = key_of({"model": "m", "input": "继续", "previous_response_id": "resp_run2"}, "/v1/responses", again)
    other = key_of({"model": "m", "input": "继续", "previous_response_id": "resp_x"}, "/v1/responses", known)
    assert one == two != other


def test_scrubber_removes_keys_wherever_they_hide():
    scrub = Scrubber([SECRET])
    leaks = {
        "DeepSeek 401": "Authentication Fails, Your api key: ****6789 is invalid",
        "OpenAI 401": "Incorrect API key provided: sk-test.******6789. You can find your API key at ...",
        "请求头回显": f"Authorization: Bearer {SECRET}",
        "原文": f"我的 Key 是 {SECRET}，别告诉别人",
        "查询串": "https://example.com/v1?api_key=abcdef123456",
        "别家的 Key": "sk-" + "abcdefghij-klmnop-qrstuv-wxyz0123",  # 拼出来的假 Key：仓库里不放像真 Key 的字符串
    }
    for name, text in leaks.items():
        cleaned = scrub.text(text)
        assert "[已删除]" in cleaned, name
        for fragment in ("6789", "SECRET", "abcdef123456", "abcdefghij"):
            assert fragment not in cleaned, (name, cleaned)
    assert scrub.text("订单 A1001 的物流：已到达武汉转运中心") == "订单 A1001 的物流：已到达武汉转运中心"
    assert clean_url("https://user:pw@api.example.com:8443/v1?key=abc") == "https://api.example.com:8443/v1"


# ---------------------------------------------------------------- 录制代理和回放（进程内，经官方 openai 客户端）


def serve(cassette: Path, mode: str, upstream_url: str | None = None, speed: float = 0.0,
          profile: str = "openai", key: str = SECRET, notices: list[str] | None = None):
    """在后台线程里起一个套着录像层的模拟模型；返回 (服务, CassetteApp)。"""
    apps = {}

    def wrap(inner):
        apps["app"] = CassetteApp(inner, Cassette.load(cassette), mode,
                                  Upstream(upstream_url, key) if upstream_url else None, speed,
                                  lesson="tests/test_cassette.py", secrets=(key,),
                                  header={"provider": profile, "model": "gpt-4.1-mini", "upstream": upstream_url},
                                  notify=(notices.append if notices is not None else lambda _: None))
        return apps["app"]

    server = MockServer(profile=profile, wrap=wrap).start()
    return server, apps["app"]


async def conversation(base_url: str) -> dict:
    """一段覆盖各种回答形态的对话：非流式 chat、流式 chat、流式 Responses + previous_response_id。"""
    client = openai.AsyncOpenAI(base_url=base_url, api_key="whatever", max_retries=0)
    tools = [{"type": "function", "function": {"name": "get_weather", "description": "查天气",
                                               "parameters": {"type": "object", "properties": {
                                                   "city": {"type": "string"}}, "required": ["city"]}}}]
    plain = await client.chat.completions.create(model="gpt-4.1-mini",
                                                 messages=[{"role": "user", "content": "武汉天气怎么样"}],
                                                 tools=tools)
    chunks = []
    stream = await client.chat.completions.create(model="gpt-4.1-mini", stream=True,
                                                  messages=[{"role": "user", "content": "给我讲个笑话"}])
    async for chunk in stream:
        chunks.append(chunk.model_dump(exclude={"created"}))
    events = []
    stream = await client.responses.create(model="gpt-4.1-mini", input="写一首春天的诗", stream=True)
    async for event in stream:
        events.append(event.model_dump())
    first = next(e["response"]["id"] for e in events if e["type"] == "response.completed")
    follow = await client.responses.create(model="gpt-4.1-mini", input="再来一首", previous_response_id=first)
    await client.close()
    return {"plain": plain.model_dump(), "chunks": chunks, "events": events, "follow": follow.model_dump()}


def test_record_then_replay_strict_with_the_upstream_gone(tmp_path, monkeypatch):
    monkeypatch.setenv("MOCK_STREAM_DELAY", "0.01")  # 上游有点节奏：流式事件的时刻才有意义
    upstream = start_mock_server(profile="openai")
    path = tmp_path / "demo.jsonl"
    recorder, app = serve(path, "record", upstream.base_url)
    try:
        recorded = asyncio.run(conversation(recorder.base_url))
    finally:
        recorder.stop()
        upstream.stop()
    assert app.stats["recorded"] == 4 and SECRET not in path.read_text("utf-8")

    notices: list[str] = []
    player, app = serve(path, "strict", notices=notices)
    try:
        replayed = asyncio.run(conversation(player.base_url))
    finally:
        player.stop()
    assert replayed == recorded  # 同样的 id、同样的事件、同样的文字（包括 previous_response_id 这条链）
    assert app.stats["hit"] == 4 and app.stats["miss"] == 0 and not notices


def test_replay_paces_streams_as_recorded_or_faster(tmp_path, monkeypatch):
    monkeypatch.setenv("MOCK_STREAM_DELAY", "0.02")
    upstream = start_mock_server(profile="openai")
    path = tmp_path / "pace.jsonl"
    recorder, _ = serve(path, "record", upstream.base_url)

    async def stream(base_url: str) -> tuple[float, str]:
        client = openai.AsyncOpenAI(base_url=base_url, api_key="x", max_retries=0)
        start = time.perf_counter()
        text = []
        async for chunk in await client.chat.completions.create(
                model="m", stream=True, messages=[{"role": "user", "content": "讲一个关于独角兽的长故事"}]):
            text += [c.delta.content or "" for c in chunk.choices]
        await client.close()
        return time.perf_counter() - start, "".join(text)

    try:
        _, text = asyncio.run(stream(recorder.base_url))
    finally:
        recorder.stop()
        upstream.stop()
    recorded_span = Cassette.load(path).entries[0].response["events"][-1]["t"]
    assert recorded_span > 0.2
    for speed, check in ((1.0, lambda took: took >= 0.8 * recorded_span),
                         (0.0, lambda took: took < recorded_span)):
        player, _ = serve(path, "strict", speed=speed)
        try:
            took, again = asyncio.run(stream(player.base_url))
        finally:
            player.stop()
        assert again == text and check(took), (speed, took, recorded_span)


def test_miss_falls_back_with_a_notice_or_errors_when_strict(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text(json.dumps({"format": "its-cassette/1", "provider": "openai"}) + "\n", "utf-8")
    body = {"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": "订单 A1001 到哪了"}]}
    notices: list[str] = []
    for mode in ("replay", "strict"):
        server, _ = serve(path, mode, notices=notices)
        try:
            response = httpx2.post(f"{server.base_url}/chat/completions", json=body)
        finally:
            server.stop()
        if mode == "replay":  # 内置模拟模型代答，并且提示一行
            assert response.status_code == 200 and response.json()["choices"][0]["message"]
            assert len(notices) == 1 and notices[0].startswith("⚠ 录像里没有这个请求")
            assert "用户：订单 A1001 到哪了" in notices[0]
        else:  # 严格：报错，说明是哪个请求没录到
            error = response.json()["error"]
            assert response.status_code == 404 and error["code"] == "cassette_miss"
            assert "用户：订单 A1001 到哪了" in error["message"] and "--record" in error["message"]


def test_record_on_miss_forwards_only_the_misses(tmp_path):
    upstream = start_mock_server(profile="openai")
    path = tmp_path / "grow.jsonl"
    ask = {"model": "m", "messages": [{"role": "user", "content": "你好"}]}
    other = {"model": "m", "messages": [{"role": "user", "content": "A1002 发货了吗"}]}
    try:
        recorder, _ = serve(path, "record", upstream.base_url)
        httpx2.post(f"{recorder.base_url}/chat/completions", json=ask)
        recorder.stop()
        player, app = serve(path, "record-on-miss", upstream.base_url)
        before = httpx2.get(upstream.base_url.removesuffix("/v1") + "/mock/stats").json()["requests"]["chat"]
        for body in (ask, other, other):
            assert httpx2.post(f"{player.base_url}/chat/completions", json=body).status_code == 200
        after = httpx2.get(upstream.base_url.removesuffix("/v1") + "/mock/stats").json()["requests"]["chat"]
        player.stop()
    finally:
        upstream.stop()
    assert after - before == 1  # 只有没录到的那一个转发了；补录之后第二次就命中
    assert (app.stats["hit"], app.stats["forwarded"]) == (2, 1)
    assert len(Cassette.load(path).entries) == 2


def test_secrets_echoed_by_the_upstream_never_reach_the_cassette(tmp_path):
    """一个爱回显的上游：把 Authorization、查询串里的 Key 放进回答和响应头，401 时照 DeepSeek 的样子报错。"""
    async def echo(request: Request) -> JSONResponse:
        auth = request.headers.get("authorization", "")
        body = await request.json()
        if body["messages"][-1]["content"] == "401":
            return JSONResponse({"error": {"message": f"Your api key: ****{auth[-4:]} is invalid"}}, 400)
        return JSONResponse(
            {"id": "chatcmpl-1", "object": "chat.completion", "model": "m", "echo": auth,
             "query": str(request.url), "choices": [{"index": 0, "finish_reason": "stop",
                                                     "message": {"role": "assistant", "content": f"收到 {auth}"}}]},
            headers={"x-request-key": auth, "set-cookie": f"session={auth}"})

    fake = MockServer(wrap=lambda _: Starlette(routes=[Route("/v1/chat/completions", echo, methods=["POST"])]))
    fake.start()
    path = tmp_path / "echo.jsonl"
    recorder, _ = serve(path, "record", fake.base_url + f"?api_key={SECRET}")
    try:
        for text in ("你好", "401"):
            response = httpx2.post(f"{recorder.base_url}/chat/completions?key={SECRET}",
                                   json={"model": "m", "messages": [{"role": "user", "content": text}]},
                                   headers={"Authorization": "Bearer client-side-key-12345"})
            assert response.status_code in (200, 400)
    finally:
        recorder.stop()
        fake.stop()
    text = path.read_text("utf-8")
    assert "你好" in text and "Your api key" in text  # 两次都录下了
    for fragment in (SECRET, SECRET[-4:], "client-side-key", "session="):
        assert fragment not in text, fragment


def test_hand_edited_cassette_and_the_listing(tmp_path, monkeypatch):
    monkeypatch.setenv("MOCK_STREAM_DELAY", "0")
    upstream = start_mock_server(profile="openai")
    path = tmp_path / "edit.jsonl"
    recorder, _ = serve(path, "record", upstream.base_url)
    body = {"model": "m", "messages": [{"role": "user", "content": "你好"}]}
    try:
        httpx2.post(f"{recorder.base_url}/chat/completions", json=body)
    finally:
        recorder.stop()
        upstream.stop()
    header, line = path.read_text("utf-8").splitlines()
    entry = json.loads(line)
    entry["response"]["body"]["choices"][0]["message"]["content"] = "这句是老师手改的"
    path.write_text(header + "\n" + json.dumps(entry, ensure_ascii=False) + "\n", "utf-8")
    player, _ = serve(path, "strict")
    try:
        answer = httpx2.post(f"{player.base_url}/chat/completions", json=body).json()
    finally:
        player.stop()
    assert answer["choices"][0]["message"]["content"] == "这句是老师手改的"

    entry["request"]["body"]["messages"][0]["content"] = "您好"  # 改请求：按改过的请求匹配，并提醒
    path.write_text(header + "\n" + json.dumps(entry, ensure_ascii=False) + "\n", "utf-8")
    cassette = Cassette.load(path)
    assert cassette.entries[0].key != entry["key"] and "请求被改过" in cassette.warnings[0]
    done = lessons.run_python(["-m", "shared.mock", "--list", str(path)], lessons.smoke_env(tmp_path))
    assert done.returncode == 0
    assert "1 个条目" in done.stdout and "tests/test_cassette.py" in done.stdout and "用户：您好" in done.stdout
    assert "字节" in done.stdout and "请求被改过" in done.stdout


# ---------------------------------------------------------------- 课程这一侧：来自哪一课、DeepSeek 的历史


def test_factory_names_the_lesson_only_to_local_servers(monkeypatch):
    from shared import config, factory

    monkeypatch.setattr(factory, "current_lesson", lambda: "05_stream_events/07_persistent_session.py")
    headers = {}
    for provider in ("mock", "deepseek"):
        monkeypatch.setenv("LLM_PROVIDER", provider)
        monkeypatch.setenv("DEEPSEEK_API_KEY", SECRET)
        config.reset_settings()
        try:
            headers[provider] = factory._client_kwargs()["default_headers"] or {}
        finally:
            config.reset_settings()
    assert headers["mock"]["X-Course-Lesson"] == "05_stream_events/07_persistent_session.py"
    assert "X-Course-Lesson" not in headers["deepseek"]  # 不告诉外面的提供方


def reasoning(text: str) -> dict:
    return {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": text}]}


def call(call_id: str, name: str = "get_weather") -> dict:
    return {"type": "function_call", "call_id": call_id, "name": name, "arguments": '{"city": "武汉"}'}


def output(call_id: str, text: str = "晴") -> dict:
    return {"type": "function_call_output", "call_id": call_id, "output": text}


def test_deepseek_history_adaptation_follows_the_documented_rule():
    foreign = [{"role": "user", "content": "武汉天气"}, call("c1"), output("c1"),
               {"role": "assistant", "content": "晴"}, {"role": "user", "content": "我问了什么"}]
    adapted, flattened, disable = adapt_for_deepseek_thinking(foreign)
    assert (flattened, disable) == (1, False)
    assert not any(i.get("type") in ("function_call", "function_call_output") for i in adapted)
    assert "get_weather" in adapted[1]["content"] and "晴" in adapted[1]["content"]
    # DeepSeek 自己写的（带推理内容）不动
    native = [foreign[0], reasoning("查天气"), call("c1"), output("c1"), *foreign[3:]]
    assert adapt_for_deepseek_thinking(native) == (native, 0, False)
    # 这一轮里别的模型发起、还没结束的工具调用（比如别的提供方存下的审批状态）：这次请求关掉思考
    pending = [{"role": "user", "content": "退款"}, call("c2", "issue_refund"), output("c2", "已退款")]
    assert adapt_for_deepseek_thinking(pending) == (pending, 0, True)


def test_persistent_session_survives_a_switch_to_deepseek(tmp_path):
    """先在 openai profile 下存一轮带工具调用的历史，再换成 DeepSeek（思考模式要回传 reasoning_content）。"""
    servers = {p: start_mock_server(profile=p) for p in ("openai", "deepseek")}
    script = REPO / "05_stream_events" / "07_persistent_session.py"
    try:
        runs = []
        for provider, key in (("openai", "OPENAI_API_KEY"), ("deepseek", "DEEPSEEK_API_KEY")):
            env = lessons.smoke_env(tmp_path, LLM_PROVIDER=provider, OPENAI_BASE_URL=servers[provider].base_url)
            env[key] = "sk-dummy"
            runs.append(lessons.run_script(script, [], env, 60))
    finally:
        for server in servers.values():
            server.stop()
    (code1, out1, _, _, _), (code2, out2, err2, _, _) = runs
    assert code1 == 0 and "启动时已有 0 条记录" in out1
    assert code2 == 0, out2 + err2
    assert "提供方=deepseek" in out2 and "助手：您问的第一个问题是：「武汉的天气怎么样？」" in out2
    assert "按 DeepSeek 文档的规则" in err2  # 改写过历史，并且说了


# ---------------------------------------------------------------- 整个流程：录一个文件夹，上游停掉，严格回放


FOLDER = "04_output_items"


def test_record_a_folder_then_replay_it_strictly_offline(tmp_path):
    upstream = start_mock_server(profile="deepseek")
    cassette = tmp_path / "classroom.jsonl"
    data = tmp_path / "data"
    env = lessons.smoke_env(tmp_path, LLM_PROVIDER="deepseek", DEEPSEEK_API_KEY=SECRET)
    cli = ["-m", "shared.mock"]
    try:
        record = lessons.run_python([*cli, "--record", str(cassette), "--upstream", upstream.base_url,
                                     "--run", FOLDER, "--log", str(tmp_path / "recorded"), "--data-dir", str(data)],
                                    env, timeout=300)
    finally:
        upstream.stop()  # 从这里开始没有“真实模型”了
    assert record.returncode == 0, record.stdout + record.stderr
    text = cassette.read_text("utf-8")
    for fragment in (SECRET, SECRET[-4:], "Bearer"):
        assert fragment not in text
    listing = lessons.run_python([*cli, "--list", str(cassette)], env)
    scripts = sorted(p.relative_to(REPO).as_posix() for p in (REPO / FOLDER).glob("[0-9]*.py"))
    assert all(name in listing.stdout for name in scripts), listing.stdout

    offline = lessons.smoke_env(tmp_path)  # 没有 Key，也没有 LLM_PROVIDER：提供方和模型从录像的文件头来
    replay = lessons.run_python([*cli, "--replay", str(cassette), "--strict", "--speed", "0", "--run", FOLDER,
                                 "--log", str(tmp_path / "replayed"), "--data-dir", str(data)],
                                offline, timeout=300)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert replay.stdout.count("全部命中") == len(scripts)
    for name in scripts:
        stem = name.replace("/", "__")
        recorded = (tmp_path / "recorded" / f"{stem}.out").read_bytes()
        replayed = (tmp_path / "replayed" / f"{stem}.out").read_bytes()
        assert recorded and replayed == recorded, name
        assert "提供方=deepseek".encode() in replayed

    # 改坏一个条目（请求里的一句话），严格回放就说出是哪个请求没录到。挑一个只有它自己的请求：
    # 一模一样的请求别的课也录过时，回放会用那一条（这是特意的），就看不出改坏了。
    lines = text.splitlines()
    keys = [json.loads(line).get("key") for line in lines]
    victim = next(i for i, k in enumerate(keys) if k and keys.count(k) == 1)
    entry = json.loads(lines[victim])
    entry["request"]["body"]["messages"][-1]["content"] = "这句话被改过"
    lines[victim] = json.dumps(entry, ensure_ascii=False)
    cassette.write_text("\n".join(lines) + "\n", "utf-8")
    tampered = lessons.run_python([*cli, "--replay", str(cassette), "--strict", "--speed", "0",
                                   "--run", entry["lesson"], "--data-dir", str(data)], offline, timeout=120)
    assert tampered.returncode == 1, tampered.stdout
    assert "没有这个请求" in tampered.stdout and entry["lesson"] in tampered.stdout
