"""its_service 的命令行（在 07_projects 目录下运行）：

    python -m its_service mcp [--db PATH] [--host 127.0.0.1] [--port 0]   启动业务服务（MCP）
    python -m its_service mcp --list-tools                                只打印业务服务的工具清单
    python -m its_service seed [--reset]                                  建业务库；--reset 重建演示数据

主服务 `python 07_projects/app.py` 没设 ITS_MCP_URL 时会自己用第一条命令拉起业务服务；
多台机器、多个 worker 共用一个业务服务时，先单独运行它，再让每个 worker 设 ITS_MCP_URL 指向它。
"""

from __future__ import annotations

import argparse
import sys

from its_service.db import RefundRules, ShopDB
from its_service.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()
    rules = RefundRules(settings.refund_approval_threshold, settings.refund_window_days)
    parser = argparse.ArgumentParser(prog="python -m its_service", description="ITS 客服服务的命令行")
    sub = parser.add_subparsers(dest="command", required=True)
    mcp = sub.add_parser("mcp", help="启动业务服务（MCP，streamable HTTP）")
    mcp.add_argument("--db", default=str(settings.shop_db), help="业务库路径")
    mcp.add_argument("--host", default="127.0.0.1")
    mcp.add_argument("--port", type=int, default=0, help="0 = 自动选一个空闲端口")
    mcp.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    mcp.add_argument("--list-tools", action="store_true", help="打印工具清单后退出")
    seed = sub.add_parser("seed", help="建业务库并填入 seed.json 里的演示数据")
    seed.add_argument("--db", default=str(settings.shop_db), help="业务库路径")
    seed.add_argument("--reset", action="store_true", help="删掉已有的业务库后重建")
    args = parser.parse_args(argv)

    if args.command == "seed":
        seeded = ShopDB(args.db, rules).init(reset=args.reset)
        print(f"业务库 {args.db}：{'已写入演示数据' if seeded else '已存在，未改动（要重建加 --reset）'}")
        return 0

    from its_service import mcp_server

    ShopDB(args.db, rules).init()
    if args.list_tools:
        for line in mcp_server.list_tools(args.db):
            print(f"- {line}")
        return 0
    try:
        mcp_server.serve(args.db, args.host, args.port, parent_pid=args.parent_pid, rules=rules)
    except KeyboardInterrupt:  # Ctrl+C 是正常的停止方式
        pass
    return 0


sys.exit(main())
