"""07 综合案例的业务数据层（its_service/shop/），在 SQLite 和一个真的 PostgreSQL 上各跑一遍：

- 新库：迁移到最新、和 models.py 的声明一模一样（Alembic 比不出差别）；演示数据写一次，再写不重复；
  `seed --reset` 两种库都能把演示数据恢复原样；
- 并发：很多线程、两个“业务服务”（两个独立的引擎和连接池）同时去退同一张订单、开同一张订单的审批单、
  决定同一张审批单、占同一次暂停的租约、开同一张订单同一类的工单——每样都恰好成一次；
- 旧格式的演示库（Alembic 之前 db.py 建的，tests/legacy_shop.py 现建）经 `db upgrade` 升到最新，一行不丢，
  时间换算成 UTC，租约搬进 pauses，业务规则照样由索引守住。

PostgreSQL 由 conftest 的 `postgres` 夹具在空闲端口、临时目录里起（非 root 用户）；装不了的机器上这些用例
跳过并写明原因。经 HTTP 的并发退款（多个会话、两个实例、两个业务服务连同一个 PostgreSQL）在
test_capstone_api.py 和 test_capstone_scale.py。
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests import lessons
from tests.capstone import LI, PROJECT, WANG, ZHANG, add_order, shop_rows
from tests.legacy_shop import NOW, create_legacy_shop

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    """一个空的业务库：SQLite 文件，或者临时 PostgreSQL 里新建的一个库。"""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shop.db'}"
    return request.getfixturevalue("postgres").create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def shops(url):
    """同一个库上的两个 Shop（各自的引擎、连接池）：相当于两个业务服务。"""
    from its_service.shop import Shop, create_database

    assert create_database(url) is True
    pair = (Shop(url), Shop(url))
    yield pair
    for shop in pair:
        shop.close()


def together(shops, count: int, call) -> list:
    """count 个线程同时开始（屏障），轮流用两个 Shop，各自在自己的事务里执行 call(shop, i)。"""
    barrier = threading.Barrier(count)

    def one(i: int):
        barrier.wait()
        return call(shops[i % 2], i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def cli(*args: str, fresh: bool = False, **env: str) -> tuple[int, str]:
    """`python -m its_service ...`。fresh=True：真正的新进程（fork 服务器里的子进程沿用它启动时的时区，
    换 TZ 要新进程）。"""
    argv, environ = ["-m", "its_service", *args], lessons.smoke_env(Path(tempfile.gettempdir()), **env)
    if fresh:
        done = subprocess.run([sys.executable, *argv], env=environ, cwd=PROJECT, capture_output=True, text=True,
                              timeout=60)
    else:
        done = lessons.run_python(argv, environ, timeout=60, cwd=PROJECT)
    return done.returncode, done.stdout + done.stderr


# ---------------------------------------------------------------- 新库、演示数据


def test_fresh_database_matches_the_models_and_seeds_once(url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from its_service.shop import create_database
    from its_service.shop.database import current_revision, head_revision, make_engine
    from its_service.shop.models import Base

    assert create_database(url) is True
    assert create_database(url) is False  # 已有数据：不重复写
    engine = make_engine(url)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:  # 迁移建出来的表 == models.py 声明的表（包括部分唯一索引）
            assert compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                    Base.metadata) == []
    finally:
        engine.dispose()
    assert [r["n"] for r in shop_rows(url, "SELECT COUNT(*) AS n FROM products")] == [11]


def test_seed_reset_restores_the_demo_data_on_both_backends(url):
    from its_service.shop import create_database

    create_database(url)
    seed = json.loads((PROJECT / "its_service" / "seed.json").read_text(encoding="utf-8"))
    add_order(url, "Z9001", "KT-17")
    code, out = cli("seed", "--url", url)
    assert code == 0 and "已有数据，未改动" in out, out
    code, out = cli("seed", "--reset", "--url", url)
    assert code == 0 and "已写入演示数据" in out, out
    orders = [r["order_id"] for r in shop_rows(url, "SELECT order_id FROM orders ORDER BY order_id")]
    assert orders == sorted(o["order_id"] for o in seed["orders"])
    code, out = cli("db", "current", "--url", url)
    assert code == 0 and "（最新）" in out, out


# ---------------------------------------------------------------- 并发：每条规则恰好成一次


def test_one_live_refund_per_order_from_many_sessions_and_two_services(shops, url):
    from its_service.shop import refunds

    add_order(url, "Z1001", "CH-65W")  # 149 元：不用审批
    results = together(shops, 16, lambda shop, i: shop.transaction(
        refunds.create_refund, shop.rules, "Z1001", "买多了", f"session-{i}:call", "", ZHANG))
    assert sum(r["created"] for r in results) == 1, results
    assert all("已经有退款单" in r["reason"] for r in results if not r["created"])
    assert len(shop_rows(url, "SELECT * FROM refunds WHERE order_id = 'Z1001'")) == 1
    # 同一次工具调用被重试（同一个幂等键），几个请求同时到：都拿到同一张
    add_order(url, "Z1002", "KT-17")
    same = together(shops, 8, lambda shop, i: shop.transaction(
        refunds.create_refund, shop.rules, "Z1002", "不想要了", "session-x:call-1", "", ZHANG))
    assert all(r["created"] for r in same) and len({r["refund"]["refund_id"] for r in same}) == 1


def test_large_refund_gets_one_review_one_decision_and_one_refund(shops, url):
    from its_service.shop import refunds

    add_order(url, "Z2001", "LP-MO14", customer=LI)  # 5999 元：要审批
    opened = together(shops, 10, lambda shop, i: shop.transaction(
        refunds.open_approval, shop.rules, f"ap-{i}", f"pause-{i}", f"session-{i}", "request_refund",
        json.dumps({"order_id": "Z2001", "reason": "屏幕太暗"}), "售后退款专员", "申请退款", f"call-{i}", LI))
    winners = [o for o in opened if o["created"]]
    assert len(winners) == 1 and all("已有一笔退款申请" in o["reason"] for o in opened if not o["created"])
    approval_id = winners[0]["approval"]["approval_id"]
    assert winners[0]["approval"]["amount"] == 5999
    decided = together(shops, 6, lambda shop, i: shop.transaction(
        refunds.decide_approval, approval_id, "approve" if i % 2 else "reject", f"staff-{i}"))
    assert sum(d["ok"] for d in decided) == 1
    assert all(d["error"] == "already_decided" for d in decided if not d["ok"])
    status = next(d for d in decided if d["ok"])["approval"]["status"]
    made = together(shops, 6, lambda shop, i: shop.transaction(
        refunds.create_refund, shop.rules, "Z2001", "屏幕太暗", f"resume-{i}:call", approval_id, LI))
    rows = shop_rows(url, "SELECT approved_by, approval_id FROM refunds WHERE order_id = 'Z2001'")
    if status == "approved":
        assert sum(m["created"] for m in made) == 1 and rows == [{"approved_by": "staff", "approval_id": approval_id}]
    else:  # 主管拒绝了：一张都不建
        assert not any(m["created"] for m in made) and rows == []


def test_a_decided_pause_is_claimed_by_exactly_one_worker(shops, url):
    import time

    from its_service.shop import refunds

    add_order(url, "Z3001", "PH-X20", customer=WANG)
    first = shops[0].transaction(refunds.open_approval, shops[0].rules, "ap-z3", "pause-z3", "s-z3", "request_refund",
                                 json.dumps({"order_id": "Z3001"}), "售后退款专员", "退款", "call-z3", WANG)
    assert shops[0].transaction(refunds.claim_resume, "early", 30)["pause_id"] is None  # 还没决定：谁都占不到
    assert shops[1].transaction(refunds.decide_approval, first["approval"]["approval_id"], "approve", "alice")["ok"]
    claims = together(shops, 8, lambda shop, i: shop.transaction(refunds.claim_resume, f"worker-{i}", 0.5, "pause-z3"))
    owners = [c for c in claims if c["pause_id"]]
    assert len(owners) == 1 and owners[0]["attempts"] == 1
    assert owners[0]["approvals"][0]["status"] == "approved"
    time.sleep(0.6)  # 占到的 worker “死了”：租约过期后别人再占，只有一个
    again = together(shops, 4, lambda shop, i: shop.transaction(refunds.claim_resume, f"late-{i}", 30, "pause-z3"))
    [taken] = [c for c in again if c["pause_id"]]
    assert taken["attempts"] == 2
    finished = together(shops, 4, lambda shop, i: shop.transaction(refunds.finish_resume, "pause-z3", "x", "completed"))
    assert finished.count(True) == 1
    assert shops[0].transaction(refunds.claim_resume, "after", 30)["pause_id"] is None


def test_one_open_ticket_per_order_and_category(shops, url):
    from its_service.shop import tickets

    results = together(shops, 10, lambda shop, i: shop.transaction(
        tickets.open_ticket, "投诉", "快递太慢", "A1001", f"session-{i}:call", ZHANG))
    assert len({r["ticket_id"] for r in results}) == 1
    assert len(shop_rows(url, "SELECT * FROM tickets WHERE order_id = 'A1001'")) == 1
    other = shops[0].transaction(tickets.open_ticket, "投诉", "快递太慢", "A1003", "k", ZHANG)  # 别人的订单
    assert other["created"] is False and "没有找到订单 A1003" in other["error"]


# ---------------------------------------------------------------- 旧格式的库升级（SQLite）


def test_an_old_format_demo_database_upgrades_without_losing_rows(tmp_path):
    from its_service.shop import Shop, refunds
    from its_service.shop.orders import get_order

    path = tmp_path / "its_shop.db"
    counts = create_legacy_shop(path)
    url = f"sqlite:///{path}"
    # 旧库的时间是写它的那台机器的本地时间：假装那是北京时间（UTC+8），升级后应当早 8 小时
    code, out = cli("db", "upgrade", "--url", url, fresh=True, TZ="Asia/Shanghai")
    assert code == 0 and "0001 → 0002" in out, out
    for table, count in counts.items():
        assert shop_rows(url, f"SELECT COUNT(*) AS n FROM {table}")[0]["n"] == count, table
    shop = Shop(url)
    try:
        with shop.session() as session:
            order = get_order(session, "A1001", ZHANG)
            # 旧库里写的是 NOW − 2 天 3 小时 = 2026-11-18 12:30（北京时间）
            assert order["created_at"] == "2026-11-18T04:30:00+00:00"
            assert [i["sku"] for i in order["items"]] == ["EP-AIR3"]
            assert get_order(session, "A1001", LI)["error"]  # 顾客的归属原样保留
            listed = {a["approval_id"]: a for a in refunds.list_approvals(session, "all")}
        assert (listed["AP1"]["status"], listed["AP1"]["decided_by"], listed["AP1"]["outcome"]) == \
            ("approved", "alice", "completed")
        assert listed["AP1"]["applied_at"] == listed["AP2"]["applied_at"] is not None
        assert listed["AP3"]["status"] == "pending" and listed["AP3"]["applied_at"] is None
        pauses = {r["pause_id"]: r for r in shop_rows(url, "SELECT * FROM pauses")}
        assert set(pauses) == {"P1", "P2"} and (pauses["P1"]["attempts"], pauses["P2"]["attempts"]) == (2, 0)
        assert pauses["P1"]["lease_owner"] == "worker-1"
        lease = datetime.fromisoformat(pauses["P1"]["lease_until"]).replace(tzinfo=timezone.utc)  # epoch 秒 → UTC
        assert lease.timestamp() == (NOW - timedelta(minutes=5)).timestamp()
        # 规则照样由索引守住：A1003 已有有效退款（幂等键还认得那次调用）；A1006 已有待审批的申请
        assert shop.transaction(refunds.create_refund, shop.rules, "A1003", "再退", "new-key", "", LI)["created"] is False
        again = shop.transaction(refunds.create_refund, shop.rules, "A1003", "屏幕坏点", "S1:call-AP1", "", LI)
        assert again["created"] and again["refund"]["refund_id"] == "R0002"
        blocked = shop.transaction(refunds.open_approval, shop.rules, "AP9", "P9", "S9", "request_refund",
                                   json.dumps({"order_id": "A1006"}), "售后退款专员", "退款", "c9", ZHANG)
        assert blocked["created"] is False and blocked["conflict"]["approval_id"] == "AP3"
    finally:
        shop.close()
    code, out = cli("db", "upgrade", "--url", url)
    assert code == 0 and "已是最新" in out, out


def test_an_older_format_or_a_bad_url_gets_a_clear_message(tmp_path):
    import sqlite3

    path = tmp_path / "v2.db"
    create_legacy_shop(path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 2")
    code, out = cli("db", "upgrade", "--url", f"sqlite:///{path}")
    assert code == 2 and "seed --reset" in out and "Traceback" not in out, out
    code, out = cli("seed", "--url", "mysql://shop")
    assert code == 2 and "postgresql+psycopg://" in out and "Traceback" not in out, out


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_unmigrated_database_says_where_to_run_the_upgrade(backend, request, tmp_path):
    """PostgreSQL 的库由部署的人先升级：业务服务碰到空库或旧版本时说清楚在哪个目录、运行哪两条命令。"""
    from its_service.shop.database import DatabaseError, check_current, make_engine

    url = (f"sqlite:///{tmp_path / 'empty.db'}" if backend == "sqlite"
           else request.getfixturevalue("postgres").create_database(f"t_{uuid.uuid4().hex[:12]}"))
    engine = make_engine(url)
    try:
        with pytest.raises(DatabaseError) as caught:
            check_current(engine)
    finally:
        engine.dispose()
    message = str(caught.value)
    assert "07_projects" in message and "python -m its_service db upgrade" in message and "seed" in message, message

