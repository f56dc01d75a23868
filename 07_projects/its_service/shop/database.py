"""连上业务库：一个地址（`ITS_SHOP_DB_URL`），两种数据库，同一套代码。

    sqlite:///data/its_shop.db                       默认：一个文件，不用装任何服务（快速开始的两条命令）
    postgresql+psycopg://用户:密码@主机:5432/库名     多台机器：每台机器上的业务服务连同一个库

两种数据库在事务上的差别都收在这个文件里，数据层的其余代码（orders.py、refunds.py……）不分数据库：

- **SQLite**：Python 自带的 sqlite3 驱动默认自己决定什么时候 BEGIN（读不开事务、SAVEPOINT 不在事务里），
  这里按 SQLAlchemy 文档的做法接管：连接上 `isolation_level = None`，每个事务由我们发 `BEGIN IMMEDIATE`
  ——事务一开始就拿到写锁，事务里“先复核再写”不会和别的连接交错；SAVEPOINT 也真正在事务里。
  另外打开 WAL（读写互不阻塞）、外键检查和 10 秒的忙等待。
- **PostgreSQL**（psycopg 3）：默认的 READ COMMITTED。并发的两个请求都可能通过复核，第二个 INSERT 撞上
  唯一索引，数据层在 SAVEPOINT 里接住 `IntegrityError`、读出先到的那一张（`insert_or_lose`）；
  “只能变一次”的状态变化都是带条件的 UPDATE（`WHERE status = 'pending'`），第二个等第一个提交后重新判断条件，
  改到 0 行。

表结构由 Alembic 迁移管理（migrations/）：`upgrade(url)` 把库升到最新，`python -m its_service db upgrade`
就是它。默认的 SQLite 库由业务服务启动时自己升级；PostgreSQL 由部署的人先升级一次（几台机器同时启动时
不会抢着迁移），业务服务启动时只检查版本对不对。
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError
from sqlalchemy.orm import Session

log = logging.getLogger("its_service.shop")
MIGRATIONS = Path(__file__).with_name("migrations")
LEGACY_REVISION = "0001"  # Alembic 之前的库（db.py 的 PRAGMA user_version = 3）相当于这个版本


class DatabaseError(Exception):
    """业务库用不了：地址不对、版本不对、太旧。消息是给人看的中文。"""


def normalize_url(url: str) -> str:
    """`postgresql://` / `postgres://` 没写驱动时用 psycopg 3（SQLAlchemy 默认找的 psycopg2 没有安装）。"""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def check_url(url: str) -> str:
    """地址能用就返回规范化的地址，不能用抛 ValueError（中文，说明该怎么写）。"""
    url = normalize_url(url.strip())
    try:
        parsed = make_url(url)
    except ArgumentError:
        parsed = None
    if parsed is None or parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise ValueError("只支持 sqlite:///文件路径 或 postgresql+psycopg://用户:密码@主机:端口/库名")
    return url


def shown(url: str) -> str:
    """打印用的地址：密码换成 ***。"""
    return make_url(url).render_as_string(hide_password=True)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, migrating: bool = False, pool_size: int = 8) -> Engine:
    """建引擎。`migrating=True`：迁移用（SQLite 上关掉外键检查：迁移要重建表，临时会有悬空的引用）。"""
    url = check_url(url)
    if is_sqlite(url):
        return _sqlite_engine(url, migrating)
    # pool_pre_ping：数据库重启过、连接被防火墙掐断时，取连接前先试一下，不把死连接交给请求
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _sqlite_engine(url: str, migrating: bool) -> Engine:
    path = make_url(url).database
    memory = path in (None, "", ":memory:")
    if not memory:
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 10, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # 驱动不再自己 BEGIN，交给下面的 on_begin
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute(f"PRAGMA foreign_keys = {'OFF' if migrating else 'ON'}")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def insert_or_lose(session: Session, *rows: Any) -> bool:
    """在 SAVEPOINT 里插入这几行；撞上唯一索引（别的请求抢先了）返回 False，一行都不留，外面的事务照常可用。"""
    try:
        with session.begin_nested():
            for row in rows:  # 按给的顺序写（外键：被引用的那一行在前）
                session.add(row)
                session.flush()
    except IntegrityError:
        return False
    return True


# ---------------------------------------------------------------- 表结构的版本（Alembic）


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", check_url(url).replace("%", "%%"))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    """库现在的版本：Alembic 管理的库返回版本号；Alembic 之前的旧库返回 LEGACY_REVISION；空库返回 None。"""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
        if revision is not None:
            return revision
        tables = inspect(connection).get_table_names()
        if "products" not in tables:
            return None
        version = connection.exec_driver_sql("PRAGMA user_version").scalar() if engine.dialect.name == "sqlite" else 0
    if version != 3:
        raise DatabaseError(f"业务库是更早的格式（user_version={version}），不能自动升级。"
                            "请重建演示数据：python -m its_service seed --reset")
    return LEGACY_REVISION


def upgrade(url: str, revision: str = "head") -> tuple[str | None, str]:
    """把库升级到 revision（默认最新）。返回 (升级前的版本, 升级后的版本)。
    Alembic 之前的旧库（db.py 建的）先记为 0001，再一步步升上去：数据一行不丢。"""
    from alembic import command

    engine = make_engine(url, migrating=True)
    try:
        before = current_revision(engine)
        config = alembic_config(url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            if before == LEGACY_REVISION and _unstamped(connection):
                command.stamp(config, LEGACY_REVISION)
            command.upgrade(config, revision)
        after = current_revision(engine) or ""
    finally:
        engine.dispose()
    if before != after:
        log.info("业务库 %s：%s → %s", shown(url), before or "空库", after)
    return before, after


def _unstamped(connection: Any) -> bool:
    return "alembic_version" not in inspect(connection).get_table_names()


def check_current(engine: Engine) -> None:
    """业务服务启动时（PostgreSQL）：库的版本必须是最新的，不然说清楚该运行什么。"""
    have, want = current_revision(engine), head_revision()
    if have != want:
        raise DatabaseError(f"业务库的表结构版本是 {have or '空库'}，代码需要 {want}：先在 07_projects 目录下运行 "
                            "python -m its_service db upgrade（空库再运行 python -m its_service seed 写入演示数据；"
                            "几台机器共用一个库时只需运行一次）")


def drop_everything(url: str) -> None:
    """删掉库里的所有表（包括 Alembic 的版本表）：`seed --reset` 用，两种数据库一样。"""
    engine = make_engine(url, migrating=True)
    try:
        with engine.begin() as connection:
            tables = MetaData()
            tables.reflect(connection)
            tables.drop_all(connection)
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA user_version = 0")
    finally:
        engine.dispose()
