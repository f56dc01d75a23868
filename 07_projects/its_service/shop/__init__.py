"""业务数据层：ITS 商城的订单、物流、商品、政策、退款、审批单、工单（SQLAlchemy 2，SQLite 或 PostgreSQL）。

只有业务服务（mcp_server.py）和命令行（`python -m its_service db / seed`）导入这个包；worker 从不导入它
（tests/test_capstone_layers.py 检查），它们经 MCP 调用业务服务。每样东西在哪里：

    models.py      表（每张表声明一次）、业务规则的部分唯一索引、UTC 时间类型
    database.py    ITS_SHOP_DB_URL → 引擎；SQLite / PostgreSQL 在事务上的差别；Alembic 升级、版本检查
    orders.py      顾客、订单与物流（只看这位顾客自己的订单）
    catalog.py     商品与服务政策
    refunds.py     退款资格、退款单、审批单、审批后接着运行的租约
    tickets.py     工单
    seed.py        演示数据（seed.json）、create_database()：新建一个带演示数据的库
    service.py     Shop：业务服务的每个操作（一个事务一个）；LocalBusiness：不经 MCP 直接调用
    migrations/    Alembic 迁移（versions/ 下一个文件一个版本）

新建一份演示数据（测试、压测、评测用）：

    from its_service.shop import Shop, LocalBusiness, create_database
    create_database("sqlite:////tmp/shop.db", reset=True)        # 或 python -m its_service seed --reset --url ...
    business = LocalBusiness(Shop("sqlite:////tmp/shop.db"))     # await business.call("get_order", customer="C001", order_id="A1001")
"""

from its_service.shop.database import DatabaseError, check_current, upgrade
from its_service.shop.refunds import RefundRules
from its_service.shop.seed import SEED_PATH, create_database
from its_service.shop.service import LocalBusiness, Shop

__all__ = ["SEED_PATH", "DatabaseError", "LocalBusiness", "RefundRules", "Shop", "check_current",
           "create_database", "upgrade"]
