"""07 综合案例的横向扩展：两个服务实例（两个 worker 进程）共用一个 Redis 和一个业务服务。

- 一段对话在两个实例之间交替进行，记忆不丢（历史、最后回答的 Agent 都在 Redis 里）；
- 同一会话在 A 上正在回答时，B 拒绝第二条（session_busy：锁在 Redis 里）；
- 在 A 上暂停的审批，通过 B 的主管接口决定，由某一个实例接着运行，只执行一次；
  两个实例的主管同时点，只有一个成功；
- A 在一轮中途被 kill -9：历史里没有半轮，锁在 TTL 到期后消失，B 接着处理；
- A 在“审批后接着运行”的中途被 kill -9：租约到期后 B 接手，退款只有一张、对话只写一次；
- 许多会话经两个实例同时为同一订单申请退款：只有一张退款单。

redis-server 由测试自己起在空闲端口上（前台、不落盘、数据目录在临时目录），没装就跳过。
两个实例设同一个 ITS_SECRET_KEY（多台机器就是这样配的）：在 A 上登录的 cookie，B 也认；会话的主人
记在 Redis 里，两边核对的是同一份。
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest

from tests import lessons
from tests.capstone import (
    BOB,
    LI,
    STAFF,
    ZHANG,
    App,
    BusinessService,
    RedisServer,
    add_order,
    approval_record,
    ask,
    assert_closed_without_token,
    assert_well_formed,
    business_url,
    decide,
    first,
    messages,
    names,
    new_session,
    parse_sse,
    shop_rows,
    staff_list,
    wait_applied,
    wait_until,
)
from tests.lessons import REPO, free_port

PROJECT = REPO / "07_projects"

pytestmark = pytest.mark.skipif(not RedisServer.available(),
                                reason="没有 redis-server（Debian: apt-get install redis-server），跳过")

ORDER_QUESTION = "订单 A1001 现在到哪了？"


@pytest.fixture(scope="module")
def redis(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


def instance_env(redis: RedisServer, business: BusinessService) -> dict[str, str]:
    return {"ITS_REDIS_URL": redis.url, **business.app_env(), "ITS_LOCK_TTL": "3", "ITS_RESUME_LEASE": "3",
            "ITS_RESUME_POLL": "0.3", "ITS_SECRET_KEY": "shared-by-both-instances"}


@pytest.fixture(scope="module")
def cluster(mock_server, redis, tmp_path_factory):
    """一个 Redis、一个业务服务（SQLite 业务库）、两个服务实例（A、B），都在空闲端口上。"""
    root = tmp_path_factory.mktemp("scale")
    business = BusinessService(root).start()
    apps = []
    try:
        for name in ("a", "b"):
            folder = root / name
            folder.mkdir()
            apps.append(App(folder, mock_server.base_url, **instance_env(redis, business)).start())
        yield apps[0], apps[1], business
    finally:
        for app in apps:
            if app.proc is not None:
                app.stop()
        business.stop()


@pytest.fixture(scope="module")
def pg_cluster(mock_server, redis, postgres, tmp_path_factory):
    """多台机器的样子：一个 PostgreSQL 业务库、两个业务服务都连它，每个服务实例（A、B）连自己的那个业务服务。
    返回 (A, B, A 的业务服务)：业务服务的 `db` 就是那个共用的 PostgreSQL 库。"""
    from its_service.shop import create_database

    root = tmp_path_factory.mktemp("scale_pg")
    url = postgres.create_database("its_scale")
    create_database(url)  # 部署的人先做一次：升级到最新、写入演示数据
    services, apps = [], []
    try:
        for name in ("a", "b"):
            folder = root / name
            folder.mkdir()
            services.append(BusinessService(folder, db=url, name=f"business-{name}").start())
            apps.append(App(folder, mock_server.base_url, **instance_env(redis, services[-1])).start())
        yield apps[0], apps[1], services[0]
    finally:
        for app in apps:
            if app.proc is not None:
                app.stop()
        for service in services:
            service.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_cluster(request):
    """一个业务服务（SQLite），或者两个业务服务连同一个 PostgreSQL：并发退款两种都跑。"""
    return request.getfixturevalue("cluster" if request.param == "sqlite" else "pg_cluster")


def refunds(business: BusinessService, order_id: str) -> list[dict]:
    return shop_rows(business.db, "SELECT * FROM refunds WHERE order_id = :order", order=order_id)


def test_instances_are_different_workers_on_one_store(cluster, mock):
    a, b, business = cluster
    ha, hb = a.health(), b.health()
    assert ha["store"] == hb["store"] == "redis"
    assert ha["worker"] != hb["worker"] and ha["pid"] != hb["pid"]
    assert ha["mcp_pid"] is None and hb["mcp_pid"] is None  # 谁都没自己拉起业务服务：共用一个
    assert ha["mcp"] == hb["mcp"] == "up"


def test_a_conversation_alternates_between_instances_with_its_memory(cluster, mock):
    a, b, _ = cluster
    sid = first(ask(a, ORDER_QUESTION), "session")["session_id"]
    second = ask(b, "A1001 里买了什么商品？", sid)  # 换了一个 worker：仍由订单专员接着答
    assert_well_formed(second)
    assert "handoff" not in names(second)
    assert first(second, "agent_updated")["agent"] == "订单物流专员"
    assert first(second, "tool_started")["tool_name"] == "get_order"
    # 在 A 上登录拿到的 cookie，B 也认（同一个 ITS_SECRET_KEY）；会话的主人在 Redis 里，两边都核对
    cookie = a.client(ZHANG).cookies
    with httpx2.Client(base_url=b.base, cookies=cookie, timeout=10) as carried:
        assert carried.get(f"/api/sessions/{sid}/messages").status_code == 200
    assert b.client(LI).get(f"/api/sessions/{sid}/messages").status_code == 404
    third = ask(a, "我想退货", sid)  # 回到 A：不归订单专员管，交回前台再转售后
    assert [e["to_agent"] for n, e in third if n == "handoff"] == ["前台分诊", "售后退款专员"]
    for app in (a, b):  # 两边看到的是同一段历史
        body = messages(app, sid).json()
        assert [m["role"] for m in body["messages"]].count("user") == 3
        assert body["agent"] == "售后退款专员"
        assert body["usage"]["total_tokens"] > 0


def test_a_busy_session_is_refused_across_instances(cluster, mock):
    a, b, _ = cluster
    os.environ["MOCK_STREAM_DELAY"] = "0.03"
    sid = new_session(a)
    with a.client().stream("POST", "/api/chat/sse", json={"query": ORDER_QUESTION, "session_id": sid}) as r:
        events = parse_sse(r.iter_lines())
        assert next(events)[0] == "session"
        assert next(e for e in events if not e[0].startswith("guardrail_"))[0] == "agent_updated"
        refused = ask(b, "A1001 里买了什么商品？", sid)
        assert names(refused) == ["session", "error"]
        assert first(refused, "error")["code"] == "session_busy"
        rest = list(events)
    assert rest[-1][0] == "run_completed"
    os.environ["MOCK_STREAM_DELAY"] = "0"
    assert_well_formed(ask(b, "A1001 里买了什么商品？", sid))  # A 答完就放开了


def test_approval_paused_on_one_instance_is_decided_through_the_other_once(cluster, mock):
    a, b, business = cluster
    events = ask(a, "订单 A1003 申请退款，因为屏幕有坏点", who=LI)
    assert names(events)[-1] == "approval_required"
    sid = first(events, "session")["session_id"]
    aid = first(events, "approval_required")["approval_id"]
    assert [x["approval_id"] for x in staff_list(b).json()["approvals"]] == [aid]

    updates: list = []

    def watch() -> None:  # 顾客的页面连在 A 上；决定在 B 上做、可能由任一实例接着运行
        with a.client(LI).stream("GET", f"/api/sessions/{sid}/updates") as r:
            updates.extend(parse_sse(r.iter_lines()))

    reader = threading.Thread(target=watch)
    reader.start()
    time.sleep(0.5)
    with ThreadPoolExecutor(2) as pool:  # 两个实例上的两位主管同时点
        answers = list(pool.map(lambda pair: decide(pair[0], aid, "approve", headers=pair[1]),
                                [(b, STAFF), (a, BOB)]))
    assert sorted(r.status_code for r in answers) == [200, 409]
    reader.join(30)
    assert names(updates)[1] == "approval_decided" and names(updates)[-1] == "run_completed"
    record = wait_applied(business.db, aid)
    assert record["outcome"] == "completed"
    [row] = refunds(business, "A1003")
    assert (row["approved_by"], row["approval_id"]) == ("staff", aid)
    for app in (a, b):
        body = messages(app, sid, LI).json()
        assert body["pending_approvals"] == []
        tools = [m for m in body["messages"] if m["role"] == "tool"]
        assert [t["tool_name"] for t in tools] == ["request_refund"]  # 只写进历史一次
        assert json.loads(tools[0]["tool_result"])["refund"]["refund_id"] == row["refund_id"]


def test_a_worker_killed_mid_turn_leaves_no_half_turn_and_no_stuck_lock(cluster, mock):
    a, b, _ = cluster
    sid = first(ask(a, "你好"), "session")["session_id"]
    before = messages(b, sid).json()["messages"]
    os.environ["MOCK_STREAM_DELAY"] = "0.1"
    collected: list = []

    client = a.client()

    def consume() -> None:
        try:
            with client.stream("POST", "/api/chat/sse", json={"query": ORDER_QUESTION, "session_id": sid}) as r:
                collected.extend(parse_sse(r.iter_lines()))
        except httpx2.HTTPError:
            pass

    reader = threading.Thread(target=consume)
    reader.start()
    wait_until(lambda: "tool_started" in names(collected), 15, message="A 没有开始回答")
    a.kill()  # kill -9：不收尾、不放锁
    reader.join(10)
    os.environ["MOCK_STREAM_DELAY"] = "0"
    killed_at = time.monotonic()
    refused = ask(b, "你好", sid)
    if time.monotonic() - killed_at < 1.5:  # 锁还在（A 死前一秒内刚续过期）：B 先拒绝
        assert first(refused, "error")["code"] == "session_busy"
    # 锁的 TTL 是 3 秒：到期后 B 接得上，历史里没有被打断的那一轮
    done = wait_until(lambda: (lambda e: e if names(e)[-1] == "run_completed" else None)(ask(b, "你好", sid)),
                      within=10, every=0.5, message="锁在 TTL 之后仍然没有放开")
    assert time.monotonic() - killed_at < 8
    assert_well_formed(done)
    after = messages(b, sid).json()["messages"]
    assert after[:len(before)] == before
    assert [m["role"] for m in after[len(before):]] == ["user", "assistant"]  # 只有 B 的这一轮
    assert ORDER_QUESTION not in [m.get("text") for m in after]
    a.start()  # 同一个数据目录、新的进程：给后面的测试用


def test_a_worker_killed_mid_resume_is_taken_over_and_applied_once(cluster, mock):
    a, b, business = cluster
    add_order(business.db, "C3001", "WT-S2")  # 1299 元：要审批
    events = ask(a, "订单 C3001 申请退款，因为表带断了")
    sid = first(events, "session")["session_id"]
    aid = first(events, "approval_required")["approval_id"]
    os.environ["MOCK_STREAM_DELAY"] = "0.2"  # 接着运行要流好几秒：有时间在中途杀掉它
    assert decide(a, aid, "approve").status_code == 200

    def holder() -> str | None:
        record = approval_record(business.db, aid)
        return record["lease_owner"] if record else None

    owner = wait_until(holder, 10, message="没有实例接手接着运行")
    victim, survivor = (a, b) if owner == a.health()["worker"] else (b, a)
    wait_until(lambda: refunds(business, "C3001"), 10, message="被批准的退款没有执行")
    victim.kill()  # 退款已执行、回答还在流：这时死掉
    os.environ["MOCK_STREAM_DELAY"] = "0"
    record = wait_applied(business.db, aid, within=30)  # 租约 3 秒到期后，另一个实例接手重跑
    assert record["outcome"] == "completed" and record["attempts"] >= 2
    assert len(refunds(business, "C3001")) == 1  # 重跑时退款工具带同一个幂等键：还是那一张
    body = messages(survivor, sid).json()
    assert body["pending_approvals"] == []
    assert [m["role"] for m in body["messages"]] == ["user", "handoff", "tool", "approval", "assistant"]
    victim.start()


def test_concurrent_refunds_through_two_instances_create_exactly_one(any_cluster, mock):
    """许多会话经两个实例同时退同一张订单（门槛以下：直接退；门槛以上：审批后退）。PostgreSQL 那一组里
    两个实例各连自己的业务服务，两个业务服务连同一个库：规则由数据库守住，照样只成一张。"""
    a, b, business = any_cluster
    add_order(business.db, "C3002", "KT-17")  # 129 元：不用审批
    add_order(business.db, "C3003", "PH-X20")  # 3299 元：要审批
    apps = [a, b] * 6
    with ThreadPoolExecutor(12) as pool:
        small = list(pool.map(lambda app: ask(app, "订单 C3002 申请退款，因为不想要了"), apps))
    assert all(names(r)[-1] == "run_completed" for r in small)
    assert len(refunds(business, "C3002")) == 1
    with ThreadPoolExecutor(6) as pool:
        large = list(pool.map(lambda app: ask(app, "订单 C3003 申请退款，因为信号差"), apps[:6]))
    paused = [r for r in large if names(r)[-1] == "approval_required"]
    assert len(paused) == 1
    aid = first(paused[0], "approval_required")["approval_id"]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda pair: decide(pair[0], aid, "approve", headers=pair[1]), [(a, STAFF), (b, BOB)]))
    wait_applied(business.db, aid)
    assert len(refunds(business, "C3003")) == 1


def test_workers_flag_spreads_connections_restarts_a_dead_worker_and_stops_cleanly(cluster, mock, tmp_path):
    """`app.py --workers 2`：两个 worker 各自监听同一个端口（SO_REUSEPORT），新连接两个都接得到；
    kill -9 一个，主进程重新拉起一个；给主进程 SIGINT（像服务管理器那样），全部退出、退出码 0、没有 traceback。
    主进程自己拉起的业务服务（令牌只交给它和这两个 worker）对没有令牌的调用者一律 401。"""
    a, _b, _business = cluster
    env = {**{k: v for k, v in a.env.items() if k not in ("ITS_MCP_URL", "ITS_MCP_TOKEN")},
           "ITS_DATA_DIR": str(tmp_path)}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "workers.log"
    with open(log_path, "w", encoding="utf-8") as log:
        proc = lessons.spawn([str(PROJECT / "app.py"), "--port", str(port), "--workers", "2"], env, REPO,
                             stdout=log, stderr=subprocess.STDOUT)

    def answering(seconds: float, wanted: int, exclude: set[int] = frozenset()) -> set[int]:
        seen: set[int] = set()
        deadline = time.monotonic() + seconds
        while len(seen) < wanted and time.monotonic() < deadline:
            assert proc.poll() is None, log_path.read_text(encoding="utf-8")
            try:  # 每次一个新连接：内核按连接把它交给其中一个 worker
                pid = httpx2.get(base + "/healthz", timeout=2).json()["pid"]
            except httpx2.HTTPError:
                time.sleep(0.1)
                continue
            if pid not in exclude:
                seen.add(pid)
        return seen

    try:
        workers = answering(90, 2)
        assert len(workers) == 2, log_path.read_text(encoding="utf-8")
        assert_closed_without_token(business_url(log_path.read_text(encoding="utf-8")))
        # 压测脚本按同样的办法找 worker（主进程的后代里回答 /healthz 的）：worker 换了拉起方式时它也要跟上
        import load_test

        assert load_test.wait_workers(base, proc, 2, seconds=10) == sorted(workers)
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        replacement = answering(90, 1, exclude=workers)
        assert replacement, log_path.read_text(encoding="utf-8")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
        output = log_path.read_text(encoding="utf-8")
        assert f"pid {victim}）退出了" in output and "Traceback" not in output
        wait_until(lambda: not _group_alive(proc.pid), 10, message="进程组里还有进程（worker 或业务服务没停）")
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
