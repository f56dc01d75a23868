"""Alembic 的运行环境：业务库的迁移从这里开始（由 `python -m its_service db ...` 调用，不需要 alembic.ini）。

`its_service.shop.database.upgrade()` 把已经开好事务的连接放在 `config.attributes["connection"]` 里交过来：
整个升级在一个事务里（SQLite 和 PostgreSQL 的 DDL 都能回滚），中途失败库保持原样。
`target_metadata` 是 models.py 里声明的表：`db revision` 按它和数据库的差别自动生成新迁移。
"""

from __future__ import annotations

from alembic import context
from its_service.shop.database import make_engine
from its_service.shop.models import Base


def run() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    options = {"target_metadata": Base.metadata, "compare_type": True,
               "render_as_batch": True}  # SQLite 改表要重建表：自动生成的迁移用 batch 写法，两种库都能跑
    if connection is not None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"), migrating=True)
    try:
        with engine.begin() as connection:
            context.configure(connection=connection, **options)
            context.run_migrations()
    finally:
        engine.dispose()


run()
