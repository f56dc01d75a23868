"""07 综合案例的 HTTP/SSE 接口：事件顺序、会话延续（含服务重启）、人工审批、坏输入、模型故障、
浏览器断开、同一会话并发、MCP 服务挂掉。

服务以真实进程运行（`python 07_projects/app.py --port N`），就像学员启动它一样；模拟模型跑在
测试进程里（conftest 的 mock_server），服务通过 MOCK_BASE_URL 连它——这样测试可以随时给模型
预约故障、调节流式节奏（MOCK_STREAM_DELAY 在模拟模型所在的进程里按请求读取）。
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2
import pytest

from tests.lessons import REPO, free_port, smoke_env

sys.path.insert(0, str(REPO / "07_projects"))  # its_service 不是安装的包

ORDER_QUESTION = "订单 A1001 现在到哪了？"
SECRETS = ("mock-key", "sk-", "Traceback", "http://", "File \"")


# ---------------------------------------------------------------- 服务进程与 SSE 客户端


class App:
    """一个服务进程。stop() 用 Ctrl+C 同样的信号，检查它连同 MCP 子进程一起干净退出。"""

    def __init__(self, data_dir: Path, mock_url: str, **env: str) -> None:
        self.data_dir = data_dir
        self.env = smoke_env(data_dir, MOCK_BASE_URL=mock_url, LLM_MAX_RETRIES="0",
                             LLM_TIMEOUT="2", **env)
        self.proc: subprocess.Popen | None = None
        self.base = ""

    def start(self) -> App:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.log = open(self.data_dir / f"app-{port}.log", "w", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "07_projects" / "app.py"), "--port", str(port)],
            cwd=REPO, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                if httpx2.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx2.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"服务 40 秒内没有就绪\n{self.output()}")

    def output(self) -> str:
        return (self.data_dir / f"app-{self.base.rsplit(':', 1)[-1]}.log").read_text(encoding="utf-8")

    def health(self) -> dict:
        return httpx2.get(f"{self.base}/healthz", timeout=5).json()

    def stop(self) -> None:
        if self.proc is None:
            return
        mcp_pid = None
        try:
            mcp_pid = self.health().get("mcp_pid")
        except httpx2.HTTPError:
            pass
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            raise AssertionError("服务收到 Ctrl+C 后 15 秒没有退出") from None
        finally:
            self.proc = None
            self.log.close()
        if mcp_pid:
            assert not pid_alive(mcp_pid), "服务停止后 MCP 子进程还在"


def pid_alive(pid: int) -> bool:
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.05)
    return True


def parse_sse(lines):
    """按 SSE 规范解析：空行结束一个事件；`event:` 和多行 `data:`；冒号开头是注释（心跳）。"""
    event, data = "message", []
    for line in lines:
        if line == "":
            if data:
                yield event, json.loads("\n".join(data))
            event, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)


def stream(app: App, path: str = "/api/chat/sse", method: str = "GET", **kwargs) -> list:
    with httpx2.Client(base_url=app.base, timeout=30) as client, \
            client.stream(method, path, **kwargs) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        return list(parse_sse(response.iter_lines()))


def ask(app: App, query: str, session_id: str | None = None) -> list:
    params = {"query": query}
    if session_id:
        params["session_id"] = session_id
    return stream(app, params=params)


def names(events: list) -> list[str]:
    return [name for name, _ in events]


def first(events: list, name: str) -> dict:
    return next(data for n, data in events if n == name)


def text_of(events: list) -> str:
    return "".join(data["text"] for name, data in events if name == "text_delta")


def messages(app: App, session_id: str) -> httpx2.Response:
    return httpx2.get(f"{app.base}/api/sessions/{session_id}/messages", timeout=10)


def refunds(app: App, order_id: str) -> list[dict]:
    with sqlite3.connect(app.data_dir / "its_shop.db") as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT * FROM refunds WHERE order_id = ?", (order_id,))
        return [dict(r) for r in rows]


def assert_well_formed(events: list, last: str = "run_completed") -> None:
    """契约：session 第一个；终止事件最后且只有一个；工具开始在完成之前、call_id 对得上；文本 == 最终输出。"""
    assert events[0][0] == "session"
    assert events[-1][0] == last
    terminal = [n for n in names(events) if n in ("run_completed", "approval_required", "error")]
    assert terminal == [last]
    started = {}
    for i, (name, data) in enumerate(events):
        if name == "tool_started":
            started[data["call_id"]] = (i, data["tool_name"])
        if name == "tool_completed" and data["call_id"] in started:
            assert started[data["call_id"]][0] < i
            assert started[data["call_id"]][1] == data["tool_name"]
    if last == "run_completed":
        assert text_of(events) == first(events, "run_completed")["final_output"]
        first_text = names(events).index("text_delta")
        assert "agent_updated" in names(events)[:first_text]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("capstone")


@pytest.fixture(scope="module")
def app(mock_server, data_dir):
    instance = App(data_dir, mock_server.base_url).start()
    yield instance
    instance.stop()


@pytest.fixture
def mock(mock_server):
    """每个测试开始前清掉预约的故障；需要节奏的测试用 pace() 临时调慢流式输出。"""
    root = mock_server.base_url.removesuffix("/v1")
    httpx2.delete(f"{root}/mock/faults")
    yield root
    httpx2.delete(f"{root}/mock/faults")
    os.environ["MOCK_STREAM_DELAY"] = "0"


def arm(mock: str, mode: str, count: int = 1) -> None:
    httpx2.post(f"{mock}/mock/faults", json={"mode": mode, "count": count}).raise_for_status()


# ---------------------------------------------------------------- 正常流程


def test_order_question_streams_contract_events_in_order(app, mock):
    events = ask(app, ORDER_QUESTION)
    assert_well_formed(events)
    order = names(events)
    assert order[:4] == ["session", "agent_updated", "handoff", "agent_updated"]
    assert first(events, "handoff") == {"from_agent": "前台分诊", "to_agent": "订单物流专员"}
    tool = first(events, "tool_started")
    assert tool["tool_name"] == "track_shipment"
    assert json.loads(tool["arguments"]) == {"order_id": "A1001"}
    # 工具结果来自业务库（seed.json），回答来自工具结果
    assert "SF1400012345" in first(events, "tool_completed")["tool_result"]
    done = first(events, "run_completed")
    assert "顺丰速运" in done["final_output"]
    assert done["agent"] == "订单物流专员"
    assert done["usage"]["requests"] == 3 and done["usage"]["total_tokens"] > 0


def test_next_turn_continues_with_the_specialist_and_history_is_restorable(app, mock):
    events = ask(app, ORDER_QUESTION)
    sid = first(events, "session")["session_id"]
    second = ask(app, "A1001 里买了什么商品？", sid)
    assert_well_formed(second)
    assert first(second, "session")["session_id"] == sid
    assert "handoff" not in names(second)  # 没有经过前台
    assert first(second, "agent_updated")["agent"] == "订单物流专员"
    assert first(second, "tool_started")["tool_name"] == "get_order"
    assert "声动 Air3" in first(second, "run_completed")["final_output"]

    body = messages(app, sid).json()
    assert body["agent"] == "订单物流专员"
    assert [m["role"] for m in body["messages"]] == ["user", "tool", "assistant"] * 2
    assert body["messages"][0]["text"] == ORDER_QUESTION
    assert body["messages"][1]["tool_name"] == "track_shipment"
    assert body["messages"][2]["agent"] == "订单物流专员"
    assert body["messages"][-1]["text"] == first(second, "run_completed")["final_output"]

    back = ask(app, "我想退货", sid)  # 不归订单专员管：交回前台，前台再转给售后
    assert [e for n, e in back if n == "handoff"] == [
        {"from_agent": "订单物流专员", "to_agent": "前台分诊"},
        {"from_agent": "前台分诊", "to_agent": "售后退款专员"},
    ]
    assert first(back, "run_completed")["agent"] == "售后退款专员"


def test_specialist_consults_another_agent_as_a_tool(app, mock):
    sid = first(ask(app, "订单 A1007 能退款吗？"), "session")["session_id"]
    events = ask(app, "A1001 的快递现在到哪了？", sid)
    assert_well_formed(events)
    assert first(events, "agent_updated")["agent"] == "售后退款专员"
    assert "handoff" not in names(events)
    assert first(events, "tool_started")["tool_name"] == "ask_order_expert"
    assert "SF1400012345" in first(events, "tool_completed")["tool_result"]  # 订单专员经 MCP 查到的


def test_post_and_course_alias_stream_the_same_events(app, mock):
    long_text = "我想买一副蓝牙耳机，" + "主要通勤用，" * 200
    posted = stream(app, method="POST", json={"query": long_text})
    assert_well_formed(posted)
    assert first(posted, "tool_started")["tool_name"] == "search_products"
    alias = stream(app, "/api/query/sse", params={"query": "你好"})
    assert_well_formed(alias)


# ---------------------------------------------------------------- 退款与人工审批


def test_small_refund_runs_without_approval(app, mock):
    events = ask(app, "订单 A1002 申请退款，因为尺码不合适")
    assert_well_formed(events)
    assert first(events, "tool_started")["tool_name"] == "request_refund"
    [row] = refunds(app, "A1002")
    assert (row["status"], row["approved_by"], row["amount"]) == ("approved", "auto", 399)


def test_large_refund_waits_for_approval_then_runs(app, mock):
    events = ask(app, "订单 A1003 申请退款，因为屏幕有坏点")
    assert_well_formed(events, last="approval_required")
    sid = first(events, "session")["session_id"]
    pending = first(events, "approval_required")
    assert pending["tool_name"] == "request_refund"
    assert json.loads(pending["arguments"])["order_id"] == "A1003"
    assert pending["agent"] == "售后退款专员" and "3299" in pending["message"]
    assert refunds(app, "A1003") == []  # 没批准之前什么都没执行

    body = messages(app, sid).json()
    assert [p["approval_id"] for p in body["pending_approvals"]] == [pending["approval_id"]]
    assert body["messages"] == [{"role": "user", "text": "订单 A1003 申请退款，因为屏幕有坏点",
                                 "pending": True}]
    blocked = ask(app, "在吗？", sid)
    assert names(blocked) == ["session", "error"]
    assert first(blocked, "error")["code"] == "approval_pending"

    resumed = stream(app, f"/api/approvals/{pending['approval_id']}/sse", params={"decision": "approve"})
    assert_well_formed(resumed)
    assert first(resumed, "session")["session_id"] == sid
    call_id = first(events, "tool_started")["call_id"]
    done_tool = first(resumed, "tool_completed")
    assert done_tool["call_id"] == call_id and done_tool["tool_name"] == "request_refund"
    [row] = refunds(app, "A1003")
    assert (row["status"], row["approved_by"], row["amount"]) == ("approved", "human", 3299)

    body = messages(app, sid).json()
    assert body["pending_approvals"] == []
    assert [m["role"] for m in body["messages"]] == ["user", "tool", "assistant"]
    again = stream(app, f"/api/approvals/{pending['approval_id']}/sse", params={"decision": "approve"})
    assert names(again) == ["error"] and again[0][1]["code"] == "approval_not_found"


def test_rejected_refund_is_not_executed(app, mock):
    events = ask(app, "订单 A1004 申请退款，因为不想要了")
    pending = first(events, "approval_required")
    resumed = stream(app, f"/api/approvals/{pending['approval_id']}/sse", params={"decision": "reject"})
    assert_well_formed(resumed)
    assert "拒绝" in first(resumed, "tool_completed")["tool_result"]
    assert refunds(app, "A1004") == []


def test_failed_resume_keeps_the_approval_and_does_not_double_refund(app, mock):
    sid = first(ask(app, "订单 A1009 申请退款，因为买错了"), "session")["session_id"]
    approval = messages(app, sid).json()["pending_approvals"][0]["approval_id"]
    arm(mock, "500")  # 工具已执行、接下来的模型请求失败
    failed = stream(app, f"/api/approvals/{approval}/sse", params={"decision": "approve"})
    assert names(failed) == ["session", "agent_updated", "tool_completed", "error"]
    assert first(failed, "error")["code"] == "server_error"
    body = messages(app, sid).json()
    assert body["messages"][-1].get("pending") is True  # 这一轮没写进历史，审批还在
    assert [p["approval_id"] for p in body["pending_approvals"]] == [approval]
    retried = stream(app, f"/api/approvals/{approval}/sse", params={"decision": "approve"})
    assert_well_formed(retried)
    assert len(refunds(app, "A1009")) == 1  # 退款工具是幂等的：重试不会重复退款


# ---------------------------------------------------------------- 坏输入


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"query": ""}, "empty_query"),
        ({"query": "   \n\t "}, "empty_query"),
        ({}, "empty_query"),
        ({"query": "查" * 2001}, "query_too_long"),
        ({"query": "你好", "session_id": "../etc/passwd"}, "bad_session_id"),
        ({"query": "你好", "session_id": "x" * 65}, "bad_session_id"),
    ],
    ids=["empty", "whitespace", "missing", "too_long", "path", "id_too_long"],
)
def test_bad_stream_input_gets_an_error_event(app, mock, params, code):
    method = "POST" if len(params.get("query", "")) > 1000 else "GET"
    kwargs = {"json": params} if method == "POST" else {"params": params}
    events = stream(app, method=method, **kwargs)
    assert names(events) == ["error"]
    assert events[0][1]["code"] == code
    assert events[0][1]["message"]


def test_bad_approval_requests_get_error_events(app, mock):
    unknown = stream(app, "/api/approvals/0123abcd/sse", params={"decision": "approve"})
    assert names(unknown) == ["error"] and unknown[0][1]["code"] == "approval_not_found"
    bad = stream(app, "/api/approvals/0123abcd/sse", params={"decision": "maybe"})
    assert names(bad) == ["error"] and bad[0][1]["code"] == "bad_decision"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/sessions/no-such-session/messages", 404, "session_not_found"),
        ("GET", "/api/sessions/no-such-session/pending", 404, "session_not_found"),
        ("DELETE", "/api/sessions/no-such-session", 404, "session_not_found"),
        ("GET", "/api/sessions/bad%20id!/messages", 400, "bad_session_id"),
        ("GET", "/api/no-such-endpoint", 404, "not_found"),
        ("POST", "/api/chat/sse", 422, "bad_request"),
    ],
)
def test_bad_plain_requests_get_4xx_json(app, mock, method, path, status, code):
    response = httpx2.request(method, f"{app.base}{path}", content=b"{not json",
                              headers={"content-type": "application/json"}, timeout=10)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and error["message"]


def test_delete_starts_over(app, mock):
    sid = first(ask(app, ORDER_QUESTION), "session")["session_id"]
    assert httpx2.delete(f"{app.base}/api/sessions/{sid}").json() == {"session_id": sid, "deleted": True}
    assert messages(app, sid).status_code == 404
    again = ask(app, "A1001 里买了什么商品？", sid)
    assert first(again, "agent_updated")["agent"] == "前台分诊"  # 最后的 Agent 也清掉了


# ---------------------------------------------------------------- 模型故障


@pytest.mark.parametrize(
    ("mode", "code"),
    [("500", "server_error"), ("429", "rate_limited"), ("401", "auth_error"),
     ("break", "connection_error"), ("timeout", "timeout")],
)
def test_model_failure_is_reported_and_leaves_the_session_consistent(app, mock, mode, code):
    sid = first(ask(app, ORDER_QUESTION), "session")["session_id"]
    before = messages(app, sid).json()["messages"]
    arm(mock, mode)
    events = ask(app, "A1001 里买了什么商品？", sid)
    assert names(events)[0] == "session" and names(events)[-1] == "error"
    error = first(events, "error")
    assert error["code"] == code
    assert not any(s in error["message"] for s in SECRETS), error["message"]
    assert messages(app, sid).json()["messages"] == before  # 失败的一轮什么都没留下
    after = ask(app, "A1001 里买了什么商品？", sid)  # 服务照常，会话照常
    assert_well_formed(after)
    assert app.health()["active_runs"] == 0


def test_stream_broken_midway_after_text_started(app, mock):
    sid = first(ask(app, "你好"), "session")["session_id"]
    before = messages(app, sid).json()["messages"]
    arm(mock, "break")
    events = ask(app, "你是谁？", sid)
    assert names(events)[-1] == "error"
    assert messages(app, sid).json()["messages"] == before


# ---------------------------------------------------------------- 断开与并发


def wait_idle(app: App, within: float) -> float:
    start = time.monotonic()
    while app.health()["active_runs"]:
        assert time.monotonic() - start < within, "浏览器断开后运行没有停下"
        time.sleep(0.05)
    return time.monotonic() - start


def test_client_disconnect_cancels_the_run(app, mock):
    os.environ["MOCK_STREAM_DELAY"] = "0.05"  # 回答要流好几秒
    sid = "disconnect-test"
    with httpx2.Client(base_url=app.base, timeout=30) as client, \
            client.stream("GET", "/api/chat/sse", params={"query": ORDER_QUESTION, "session_id": sid}) as r:
        seen = []
        for name, _ in parse_sse(r.iter_lines()):
            seen.append(name)
            if seen.count("text_delta") == 3:
                assert app.health()["active_runs"] == 1  # 正在回答
                break
    # 连接已关闭（跳出循环时 httpx 就关掉了响应）：服务端应在 1 秒内停掉这一轮
    wait_idle(app, within=1.0)
    assert messages(app, sid).json()["messages"] == []  # 没答完的一轮不写历史
    os.environ["MOCK_STREAM_DELAY"] = "0"
    assert_well_formed(ask(app, ORDER_QUESTION, sid))  # 会话没有被占着


def test_second_request_on_a_busy_session_is_refused(app, mock):
    os.environ["MOCK_STREAM_DELAY"] = "0.03"
    sid = "busy-test"
    with httpx2.Client(base_url=app.base, timeout=30) as client, \
            client.stream("GET", "/api/chat/sse", params={"query": ORDER_QUESTION, "session_id": sid}) as r:
        events = parse_sse(r.iter_lines())
        assert next(events)[0] == "session"
        assert next(events)[0] == "agent_updated"
        refused = ask(app, "A1001 里买了什么商品？", sid)
        assert names(refused) == ["session", "error"]
        assert first(refused, "error")["code"] == "session_busy"
        assert httpx2.delete(f"{app.base}/api/sessions/{sid}").status_code == 409
        rest = list(events)
    assert rest[-1][0] == "run_completed"
    body = messages(app, sid).json()
    assert [m["role"] for m in body["messages"]] == ["user", "tool", "assistant"]  # 只有第一轮


# ---------------------------------------------------------------- MCP 服务与重启


def test_mcp_server_is_restarted_after_it_dies(app, mock):
    before = app.health()
    assert before["mcp"] == "up"
    os.kill(before["mcp_pid"], signal.SIGKILL)
    assert not pid_alive(before["mcp_pid"])
    events = ask(app, ORDER_QUESTION)
    assert_well_formed(events)
    after = app.health()
    assert after["mcp"] == "up" and after["mcp_pid"] != before["mcp_pid"]
    assert after["mcp_restarts"] == before["mcp_restarts"] + 1


@pytest.fixture(scope="module")
def limited_app(mock_server, tmp_path_factory):
    """MCP 服务地址指向一个没人监听的端口；一轮最多跑 2 秒。"""
    dead = f"http://127.0.0.1:{free_port()}/mcp"
    instance = App(tmp_path_factory.mktemp("limited"), mock_server.base_url, ITS_MCP_URL=dead,
                   ITS_MCP_TIMEOUT="1", ITS_RUN_TIMEOUT="2").start()
    yield instance
    instance.stop()


def test_unreachable_mcp_server_reports_mcp_unavailable(limited_app, mock):
    app = limited_app
    assert app.health()["mcp"] == "down"
    products = ask(app, "有哪些蓝牙耳机？")  # 不需要订单系统的问题照常回答
    assert_well_formed(products)
    start = time.monotonic()
    events = ask(app, ORDER_QUESTION)
    assert time.monotonic() - start < 5
    assert names(events)[:4] == ["session", "agent_updated", "handoff", "agent_updated"]
    assert names(events)[-1] == "error"
    assert first(events, "error")["code"] == "mcp_unavailable"
    sid = first(events, "session")["session_id"]
    assert messages(app, sid).json()["messages"] == []


def test_run_longer_than_the_run_timeout_is_stopped(limited_app, mock):
    app = limited_app
    os.environ["MOCK_STREAM_DELAY"] = "0.1"  # 这样回答要流好几秒
    start = time.monotonic()
    events = ask(app, "有哪些蓝牙耳机？", "slow-session")
    assert time.monotonic() - start < 4
    assert names(events)[-1] == "error"
    error = first(events, "error")
    assert error["code"] == "timeout" and "2 秒" in error["message"]
    wait_idle(app, within=1.0)
    assert messages(app, "slow-session").json()["messages"] == []
    os.environ["MOCK_STREAM_DELAY"] = "0"
    assert_well_formed(ask(app, "有哪些蓝牙耳机？", "slow-session"))  # 会话没有被占着


def test_conversation_and_pending_approval_survive_a_restart(app, mock):
    sid = first(ask(app, ORDER_QUESTION), "session")["session_id"]
    approval = first(ask(app, "订单 A1010 申请退款，因为表盘有划痕"), "approval_required")

    # Ctrl+C 时还有一个对话在回答：它收到 shutting_down 后结束，服务随即退出
    os.environ["MOCK_STREAM_DELAY"] = "0.05"
    collected: list = []

    def consume() -> None:
        with httpx2.Client(base_url=app.base, timeout=30) as client, \
                client.stream("GET", "/api/chat/sse", params={"query": ORDER_QUESTION}) as r:
            collected.extend(parse_sse(r.iter_lines()))

    reader = threading.Thread(target=consume)
    reader.start()
    deadline = time.monotonic() + 10
    while "tool_started" not in names(collected) and time.monotonic() < deadline:
        time.sleep(0.02)
    app.stop()
    reader.join(10)
    os.environ["MOCK_STREAM_DELAY"] = "0"
    assert collected[-1] == ("error", {"code": "shutting_down",
                                       "message": "服务正在停止，这一轮没有完成，请稍后重试。"})

    app.start()  # 同一个数据目录，新的进程（和学员 Ctrl+C 后重新运行一样）
    second = ask(app, "A1001 里买了什么商品？", sid)
    assert_well_formed(second)
    assert "handoff" not in names(second)
    assert first(second, "agent_updated")["agent"] == "订单物流专员"
    assert len(messages(app, sid).json()["messages"]) == 6
    resumed = stream(app, f"/api/approvals/{approval['approval_id']}/sse",
                     params={"decision": "approve"})
    assert_well_formed(resumed)
    [row] = refunds(app, "A1010")
    assert (row["approved_by"], row["amount"]) == ("human", 1299 + 2 * 149)
