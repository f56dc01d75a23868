"""its_service 的命令行（在 07_projects 目录下运行）：

    python -m its_service mcp [--host 127.0.0.1] [--port 0]          启动业务服务（MCP），要 ITS_MCP_TOKEN
    python -m its_service mcp --local-dev [--port 8201]              本机开发：不要令牌，只听 127.0.0.1
    python -m its_service mcp --list-tools                           只打印业务服务的工具清单
    python -m its_service db upgrade                                 业务库升级到最新的表结构（Alembic）
    python -m its_service db current                                 业务库现在的版本
    python -m its_service db revision -m "说明"                      改了 shop/models.py 之后：自动生成一个迁移
    python -m its_service seed [--reset]                             建业务库、写入演示数据；--reset 删掉重建
    python -m its_service settings                                   打印配置表（README 里那张就是它生成的）

业务库默认是 ITS_SHOP_DB_URL（sqlite:///data/its_shop.db），每个命令都可以用 `--url` 换。
主服务 `python 07_projects/app.py` 没设 ITS_MCP_URL 时会自己拉起业务服务（并给它一个随机令牌）；
多台机器、多个 worker 共用业务服务时，先单独运行它，再让每个 worker 设 ITS_MCP_URL、ITS_MCP_TOKEN 指向它。
"""

from __future__ import annotations

import argparse
import sys

from its_service.settings import load_settings, settings_table

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m its_service", description="ITS 客服服务的命令行")
    sub = parser.add_subparsers(dest="command", required=True)
    url_help = "业务库地址（默认 ITS_SHOP_DB_URL）"

    mcp = sub.add_parser("mcp", help="启动业务服务（MCP，streamable HTTP）")
    mcp.add_argument("--url", default=settings.shop_db_url, help=url_help)
    mcp.add_argument("--host", default="127.0.0.1")
    mcp.add_argument("--port", type=int, default=0, help="0 = 自动选一个空闲端口")
    mcp.add_argument("--local-dev", action="store_true",
                     help="本机开发：没有 ITS_MCP_TOKEN 也启动（只许听 127.0.0.1，谁都能调用，别用在别处）")
    mcp.add_argument("--token-stdin", action="store_true", help=argparse.SUPPRESS)  # app.py 拉起时经标准输入给令牌
    mcp.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    mcp.add_argument("--list-tools", action="store_true", help="打印工具清单后退出")

    db = sub.add_parser("db", help="业务库的表结构（Alembic 迁移）")
    db_sub = db.add_subparsers(dest="action", required=True)
    up = db_sub.add_parser("upgrade", help="升级到最新（旧版本的演示库也能升级，数据不丢）")
    up.add_argument("--url", default=settings.shop_db_url, help=url_help)
    up.add_argument("--revision", default="head", help="升级到哪个版本（默认最新）")
    current = db_sub.add_parser("current", help="库现在的版本和最新的版本")
    current.add_argument("--url", default=settings.shop_db_url, help=url_help)
    revision = db_sub.add_parser("revision", help="按 shop/models.py 和库的差别自动生成一个迁移（库要先升到最新）")
    revision.add_argument("-m", "--message", required=True, help="这个迁移做了什么（一句话）")
    revision.add_argument("--url", default=settings.shop_db_url, help=url_help)

    seed = sub.add_parser("seed", help="建业务库（升级到最新）并写入 seed.json 里的演示数据")
    seed.add_argument("--url", default=settings.shop_db_url, help=url_help)
    seed.add_argument("--reset", action="store_true", help="先删掉库里的所有表，再从头建、写入演示数据")

    sub.add_parser("settings", help="打印配置表（Markdown）")
    args = parser.parse_args(argv)

    if args.command == "settings":
        print(settings_table())
        return 0
    if args.command == "mcp" and args.list_tools:
        from its_service import mcp_server

        for line in mcp_server.list_tools():
            print(f"- {line}")
        return 0
    try:
        return run(args, settings)
    except KeyboardInterrupt:  # Ctrl+C 是正常的停止方式
        return 0


def run(args: argparse.Namespace, settings) -> int:  # noqa: ANN001
    from sqlalchemy.exc import OperationalError

    from its_service.shop import DatabaseError, RefundRules, create_database
    from its_service.shop.database import check_url, shown

    try:
        url = check_url(args.url)
    except ValueError as exc:
        print(f"✗ 业务库地址 {args.url!r} 不对：{exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "seed":
            seeded = create_database(url, reset=args.reset)
            print(f"业务库 {shown(url)}：{'已写入演示数据' if seeded else '已有数据，未改动（要重建加 --reset）'}")
            return 0
        if args.command == "db":
            return database_command(args, url)
        rules = RefundRules(settings.refund_approval_threshold, settings.refund_window_days)
        return serve_business(args, settings, url, rules)
    except DatabaseError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"✗ 连不上业务库 {shown(url)}：{str(exc.orig).strip()}", file=sys.stderr)
        return 2


def database_command(args: argparse.Namespace, url: str) -> int:
    from its_service.shop import database

    if args.action == "upgrade":
        before, after = database.upgrade(url, args.revision)
        print(f"业务库 {database.shown(url)}：{before or '空库'} → {after}"
              + ("（已是最新）" if before == after else ""))
        return 0
    engine = database.make_engine(url)
    try:
        have = database.current_revision(engine)
    finally:
        engine.dispose()
    head = database.head_revision()
    if args.action == "current":
        state = "最新" if have == head else "需要升级：python -m its_service db upgrade"
        print(f"业务库 {database.shown(url)}：版本 {have or '空库'}，最新 {head}（{state}）")
        return 0
    from alembic import command
    from alembic.script import ScriptDirectory

    if have != head:
        raise database.DatabaseError(f"业务库的版本是 {have or '空库'}，先升级到最新（{head}）再生成迁移")
    config = database.alembic_config(url)
    number = len(list(ScriptDirectory.from_config(config).walk_revisions())) + 1
    command.revision(config, message=args.message, autogenerate=True, rev_id=f"{number:04d}")
    return 0


def serve_business(args: argparse.Namespace, settings, url: str, rules) -> int:  # noqa: ANN001
    from its_service import mcp_server
    from its_service.shop import Shop, check_current, create_database
    from its_service.shop.database import is_sqlite

    token = sys.stdin.readline().strip() if args.token_stdin else settings.mcp_token
    if not token and not args.local_dev:
        print("✗ 业务服务要有访问令牌：设置 ITS_MCP_TOKEN（worker 设同一个）。只在本机开发时，可以加 --local-dev "
              "不要令牌（只听 127.0.0.1）。", file=sys.stderr)
        return 2
    if not token and args.host not in LOOPBACK:
        print(f"✗ --local-dev 只能听本机（127.0.0.1），不能听 {args.host}：别的机器要连，请设 ITS_MCP_TOKEN。",
              file=sys.stderr)
        return 2
    shop = Shop(url, rules, pool_size=settings.shop_db_pool)
    if is_sqlite(url):  # 默认的嵌入式库：自己升级到最新，第一次写入演示数据
        create_database(url)
    else:  # PostgreSQL：几台机器共用，由部署的人升级（db upgrade），这里只核对版本
        check_current(shop.engine)
    mcp_server.serve(shop, token, args.host, args.port, parent_pid=args.parent_pid,
                     allowed_hosts=settings.mcp_allowed_hosts)
    return 0


sys.exit(main())
