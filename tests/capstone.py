"""07 综合案例测试共用的工具：起服务进程、起 redis-server、PostgreSQL 和业务服务、读 SSE、查业务库。

- `App`：一个 `python 07_projects/app.py --port N` 进程，就像学员启动它一样；模拟模型跑在测试进程里
  （conftest 的 mock_server），服务通过 MOCK_BASE_URL 连它——测试可以随时给模型预约故障、调节流式节奏
  （MOCK_STREAM_DELAY 在模拟模型所在的进程里按请求读取）。`stop()` 用 Ctrl+C 同样的信号，
  检查退出码 0、日志里没有 traceback。
- `RedisServer`：在空闲端口上前台运行 redis-server（不后台化、不落盘，数据目录在临时目录里），
  结束时停掉。没装 redis-server 时相关测试跳过。
- `BusinessService`：单独运行的业务服务（`python -m its_service mcp`，带令牌 `MCP_TOKEN`），几个 App 共用它；
  业务库是 SQLite 文件，或者给一个 PostgreSQL 地址（两个业务服务连同一个库）。
- 业务库：`shop_rows(地址, SQL, 参数=值)` 直接查（SQLAlchemy，SQLite 和 PostgreSQL 一样写），`add_order()`
  给测试加一张订单（经数据层的模型写，时间是 UTC）。地址是 `sqlite:///…` 或 `postgresql+psycopg://…`。
- 顾客：每个请求都代表一位登录的演示顾客（seed.json：张三 C001 有 A1001/A1002，李四 C002 有 A1003/A1005，
  王五 C003 有 A1004/A1007，赵六 C004 有 A1006/A1008，孙七 C005 有 A1009/A1010）。`app.client(顾客)` 是一个
  登录过的 httpx 客户端（cookie 在里面）；`ask(app, 问题, 会话, who=顾客)` 用它发 POST。
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import httpx2

from tests import lessons
from tests.lessons import REPO, free_port, smoke_env

PROJECT = REPO / "07_projects"
if str(PROJECT) not in sys.path:  # its_service（签 cookie、读团队）
    sys.path.insert(0, str(PROJECT))
ZHANG, LI, WANG, ZHAO, SUN = "C001", "C002", "C003", "C004", "C005"  # 演示顾客
STAFF_TOKEN = "staff-token-for-tests"
STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}
# 两位主管（ITS_STAFF_TOKEN 的“名字:令牌”写法）：测“两个人同时点”
TWO_STAFF = f"主管:{STAFF_TOKEN},bob:bob-token-for-tests"
BOB = {"Authorization": "Bearer bob-token-for-tests"}
MCP_TOKEN = "business-token-for-tests"  # 单独运行的业务服务的令牌（ITS_MCP_TOKEN）


def temp_postgres():  # noqa: ANN201
    """07_projects/temp_postgres.py 的 TempPostgres（那个文件夹在上面放进了 sys.path）。"""
    from temp_postgres import TempPostgres

    return TempPostgres


def pid_alive(pid: int, within: float = 3) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.05)
    return True


class App:
    """一个服务进程（一个 worker）。"""

    def __init__(self, data_dir: Path, mock_url: str, **env: str) -> None:
        self.data_dir = data_dir
        self.env = smoke_env(data_dir, MOCK_BASE_URL=mock_url, LLM_MAX_RETRIES="0",
                             LLM_TIMEOUT="2", **{"ITS_STAFF_TOKEN": TWO_STAFF, **env})
        self.proc: subprocess.Popen | None = None
        self.base = ""
        self.logs: list[Path] = []
        self.clients: dict[str, httpx2.Client] = {}

    @property
    def shop_url(self) -> str:
        """这个服务的业务库（自己拉起业务服务时）：ITS_SHOP_DB_URL，默认数据目录里的 its_shop.db。"""
        return self.env.get("ITS_SHOP_DB_URL") or f"sqlite:///{self.data_dir / 'its_shop.db'}"

    def client(self, customer: str = ZHANG) -> httpx2.Client:
        """一位顾客的客户端：第一次用时登录（POST /api/login），之后复用它的 cookie。"""
        if customer not in self.clients:
            client = httpx2.Client(base_url=self.base, timeout=30)
            response = client.post("/api/login", json={"customer_id": customer})
            assert response.status_code == 200, response.text
            self.clients[customer] = client
        return self.clients[customer]

    def anonymous(self) -> httpx2.Client:
        return httpx2.Client(base_url=self.base, timeout=30)

    def signed_in(self, customer: str, secret: str) -> httpx2.Client:
        """不经 /api/login，直接带一个用 ITS_SECRET_KEY 签好的 cookie（业务服务不可用、登录不了时，
        模拟“早就登录过”的顾客）。"""
        from its_service.auth import COOKIE, sign_customer

        client = httpx2.Client(base_url=self.base, timeout=30,
                               cookies={COOKIE: sign_customer(secret.encode(), customer, 1)})
        self.clients[customer] = client
        return client

    def start(self) -> App:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        log_path = self.data_dir / f"app-{port}.log"
        self.logs.append(log_path)
        self.log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115
        self.proc = lessons.spawn([str(PROJECT / "app.py"), "--port", str(port)], self.env, REPO,
                                  stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                if httpx2.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx2.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"服务 60 秒内没有就绪\n{self.output()}")

    def output(self) -> str:
        return self.logs[-1].read_text(encoding="utf-8")

    def health(self) -> dict:
        return httpx2.get(f"{self.base}/healthz", timeout=5).json()

    def stop(self) -> None:
        """像 Ctrl+C 一样停：退出码 0，没有 traceback，自己拉起的业务服务也停了。"""
        if self.proc is None:
            return
        mcp_pid = None
        try:
            mcp_pid = self.health().get("mcp_pid")
        except httpx2.HTTPError:
            pass
        self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            raise AssertionError("服务收到 Ctrl+C 后 15 秒没有退出") from None
        finally:
            self.proc = None
            self.log.close()
            self._forget_clients()
        assert code == 0, f"Ctrl+C 后退出码应为 0，实际 {code}\n{self.output()[-3000:]}"
        assert "Traceback" not in self.output(), self.output()[-5000:]
        if mcp_pid:
            assert not pid_alive(mcp_pid), "服务停止后业务服务子进程还在"

    def kill(self) -> None:
        """kill -9：worker 死在半路（不收尾、不放锁）。"""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc = None
        self.log.close()
        self._forget_clients()

    def _forget_clients(self) -> None:
        for client in self.clients.values():
            client.close()
        self.clients.clear()


class RedisServer:
    """前台运行的 redis-server：空闲端口、只听 127.0.0.1、不落盘（--save "" --appendonly no）。"""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> RedisServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder), "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError("redis-server 10 秒内没有就绪")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


class BusinessService:
    """单独运行的业务服务；几个 App 用 ITS_MCP_URL、ITS_MCP_TOKEN 共用它。`db`：业务库地址
    （默认数据目录里的 SQLite 文件；PostgreSQL 的库要先建好：create_database(地址)）。"""

    def __init__(self, data_dir: Path, db: str | None = None, name: str = "business", **env: str) -> None:
        self.db = db or f"sqlite:///{data_dir / 'its_shop.db'}"
        self.env = smoke_env(data_dir, ITS_MCP_TOKEN=MCP_TOKEN, **env)
        self.env["PYTHONPATH"] = str(PROJECT)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.log_path = data_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    @staticmethod
    def headers() -> dict[str, str]:
        return {"Authorization": f"Bearer {MCP_TOKEN}"}

    def app_env(self) -> dict[str, str]:
        """连这个业务服务的 App 要设的环境变量。"""
        return {"ITS_MCP_URL": self.url, "ITS_MCP_TOKEN": MCP_TOKEN}

    def start(self) -> BusinessService:
        self.log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115
        self.proc = lessons.spawn(["-m", "its_service", "mcp", "--url", self.db, "--port", str(self.port)],
                                  self.env, PROJECT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while "MCP_READY" not in self.log_path.read_text(encoding="utf-8"):
            assert self.proc.poll() is None, self.log_path.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, "业务服务 60 秒内没有就绪"
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
            self.log.close()


# ---------------------------------------------------------------- SSE 客户端


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


def stream(app: App, path: str = "/api/chat/sse", method: str = "POST", who: str = ZHANG, **kwargs) -> list:
    with app.client(who).stream(method, path, **kwargs) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        return list(parse_sse(response.iter_lines()))


def ask(app: App, query: str, session_id: str | None = None, who: str = ZHANG) -> list:
    body = {"query": query}
    if session_id:
        body["session_id"] = session_id
    return stream(app, json=body, who=who)


def new_session(app: App, who: str = ZHANG) -> str:
    response = app.client(who).post("/api/sessions")
    assert response.status_code == 201, response.text
    return response.json()["session_id"]


def names(events: list) -> list[str]:
    return [name for name, _ in events]


def first(events: list, name: str) -> dict:
    return next(data for n, data in events if n == name)


def text_of(events: list) -> str:
    """这一轮最后显示的文字：护栏拦下时，之前的文字作废，只算拦截之后的那句固定回答。"""
    names_ = [n for n, _ in events]
    start = max((i for i, n in enumerate(names_) if n == "guardrail_tripped"), default=-1) + 1
    return "".join(data["text"] for name, data in events[start:] if name == "text_delta")


def verdicts(events: list) -> dict[str, bool]:
    """护栏 → 这一轮的结论（True 放行）；工具结果护栏每次调用一条，取最后一条。"""
    return {data["guardrail"]: name == "guardrail_passed" for name, data in events
            if name in ("guardrail_passed", "guardrail_tripped")}


def roles(app: App, session_id: str, who: str = ZHANG) -> list[str]:
    return [m["role"] for m in messages(app, session_id, who).json()["messages"]]


def messages(app: App, session_id: str, who: str = ZHANG) -> httpx2.Response:
    return app.client(who).get(f"/api/sessions/{session_id}/messages", timeout=10)


def assert_well_formed(events: list, last: str = "run_completed") -> None:
    """契约：session 第一个；终止事件最后且只有一个；工具开始在完成之前、call_id 对得上；文本 == 最终输出；
    输入护栏的结论在 Agent 的任何事件之前（放行前 Agent 的事件先攒着）。"""
    assert events[0][0] == "session"
    assert events[-1][0] == last, names(events)
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
        if "guardrail_tripped" not in names(events):
            assert "agent_updated" in names(events)[:first_text]
    agent_events = [i for i, (n, d) in enumerate(events)
                    if n in ("agent_updated", "handoff", "tool_started", "text_delta")]
    inputs = [i for i, (n, d) in enumerate(events) if n.startswith("guardrail_") and d["stage"] == "input"]
    if agent_events and inputs:
        assert max(inputs) < min(agent_events), names(events)


# ---------------------------------------------------------------- 业务服务的门


def mcp_call(url: str, tool: str, arguments: dict, headers: dict | None = None) -> httpx2.Response:
    """直接对业务服务发一个 MCP `tools/call`（JSON-RPC，HTTP POST），不经任何 MCP 客户端。"""
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}
    return httpx2.post(url, json=body, timeout=10,
                       headers={"Accept": "application/json, text/event-stream", **(headers or {})})


def business_url(log: str) -> str:
    """服务日志里它拉起的业务服务的地址（一个 worker：“业务服务已启动：地址”；--workers：“业务服务：地址”）。"""
    found = re.findall(r"业务服务(?:已启动)?：(http://\S+/mcp)", log)
    assert found, log[-3000:]
    return found[-1]


def assert_closed_without_token(url: str) -> None:
    """没带令牌、令牌不对：decide_approval 一律 401，什么都没做。"""
    decide = {"approval_id": "any", "decision": "approve", "staff": "mallory"}
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "Basic bWFsbG9yeQ=="}):
        response = mcp_call(url, "decide_approval", decide, headers)
        assert response.status_code == 401, (headers, response.status_code, response.text)
        assert response.headers.get("www-authenticate") == "Bearer"


# ---------------------------------------------------------------- 主管与业务库


def staff_list(app: App, status: str = "pending", headers: dict | None = None) -> httpx2.Response:
    return httpx2.get(f"{app.base}/api/staff/approvals", params={"status": status},
                      headers=STAFF if headers is None else headers, timeout=10)


def decide(app: App, approval_id: str, decision: str = "approve", note: str = "",
           headers: dict | None = None) -> httpx2.Response:
    return httpx2.post(f"{app.base}/api/staff/approvals/{approval_id}",
                       json={"decision": decision, "note": note},
                       headers=STAFF if headers is None else headers, timeout=15)


@cache
def _engine(url: str):  # noqa: ANN202
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(url, poolclass=NullPool)  # 不留连接：测试结束时要能删掉 PostgreSQL 的库


def shop_rows(db: str, sql: str, **params: object) -> list[dict]:
    """直接查业务库（不经业务服务）。参数用 :名字 的写法，SQLite 和 PostgreSQL 一样。"""
    from sqlalchemy import text

    with _engine(db).connect() as conn:
        return [dict(r) for r in conn.execute(text(sql), params).mappings()]


def add_order(db: str, order_id: str, sku: str, delivered_days_ago: int = 1, customer: str = ZHANG) -> float:
    """测试准备：往业务库里给一位顾客加一张已签收的新订单（并发测试各用自己的订单，互不影响）。返回金额。"""
    from its_service.shop.models import Customer, Order, OrderItem, Product, Shipment
    from sqlalchemy.orm import Session

    delivered = datetime.now(timezone.utc) - timedelta(days=delivered_days_ago)
    with Session(_engine(db)) as session, session.begin():
        product, who = session.get(Product, sku), session.get(Customer, customer)
        session.add(Order(order_id=order_id, customer_id=customer, customer=who.name, phone=who.phone,
                          city=who.city, address=who.address, status="已签收", total_amount=product.price,
                          created_at=delivered))
        session.flush()
        session.add(OrderItem(order_id=order_id, sku=sku, name=product.name, quantity=1, unit_price=product.price))
        session.add(Shipment(order_id=order_id, carrier="顺丰速运", tracking_no="SF0000000000",
                             delivered_at=delivered))
        return product.price


def approval_record(db: str, approval_id: str) -> dict | None:
    """审批单，连同它那次暂停的进度（applied_at、outcome、attempts、lease_owner）。"""
    rows = shop_rows(db, "SELECT a.*, p.applied_at, p.outcome, p.attempts, p.lease_owner FROM approvals a"
                         " JOIN pauses p ON p.pause_id = a.pause_id WHERE a.approval_id = :id", id=approval_id)
    return rows[0] if rows else None


def wait_until(check, within: float = 20, every: float = 0.1, message: str = "条件没有满足"):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(message)


def wait_applied(db: str, approval_id: str, within: float = 30) -> dict:
    """等服务器接着运行、把结果写回对话（那次暂停的 applied_at 有值）。"""
    return wait_until(lambda: (lambda r: r if r and r["applied_at"] is not None else None)(
        approval_record(db, approval_id)), within, message=f"审批 {approval_id} 在 {within}s 内没有写回对话")
