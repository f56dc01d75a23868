"""ITS 智能客服（综合案例）：FastAPI + SSE 流式接口 + 多 Agent 客服团队 + MCP 服务 + SQLite。

把前面几章学的东西装进一个能用的服务：前台分诊 Agent 把问题 handoff 给订单物流、售后退款、
售前导购三位专员；订单和物流工具由一个独立的 MCP 服务提供（本服务自己拉起和停止）；
退款超过 500 元要人工审批；对话历史存在 SQLite，重启服务后接着聊。浏览器页面在
http://127.0.0.1:8200/ ，接口文档在 /docs。架构和事件契约见 07_projects/README.md。

运行: python 07_projects/app.py            （可加 --host 0.0.0.0 --port 8200；Ctrl+C 停止）
自检: python 07_projects/app.py --self-check（起在空闲端口上，问一个订单问题，打印事件后退出）

测试参数: --self-check
测试超时: 90
预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    打开 http://127.0.0.1:.../
    自检 GET /healthz：status=ok provider=mock mcp=up
    自检提问：订单 A1001 现在到哪了？
    事件：session → agent_updated → handoff → agent_updated → tool_started → tool_completed → text_delta×... → run_completed
    工具：track_shipment {"order_id": "A1001"}
    回答（订单物流专员）：订单 A1001：订单状态：已发货，运单号：SF1400012345，快递公司：顺丰速运，...
    自检通过
"""

from __future__ import annotations

import argparse
import json
import logging
import socket
import sys
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

import httpx2
import uvicorn
from its_service.main import create_app
from its_service.settings import load_settings

from shared.factory import print_provider

SELF_CHECK_QUESTION = "订单 A1001 现在到哪了？"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="ITS 智能客服服务")
    parser.add_argument("--host", default=None, help="监听地址（默认 ITS_HOST 或 127.0.0.1）")
    parser.add_argument("--port", type=int, default=None, help="端口（默认 ITS_PORT 或 8200）")
    parser.add_argument("--self-check", action="store_true",
                        help="在空闲端口上启动、问一个问题、打印事件后退出")
    return parser.parse_args()


class ItsServer(uvicorn.Server):
    """Ctrl+C 时先让进行中的对话带着 error 事件结束，uvicorn 再照常关闭，不用等满超时。"""

    def handle_exit(self, sig, frame) -> None:  # noqa: ANN001
        chat = getattr(self.config.app.state, "chat", None)
        if chat is not None:
            chat.stop_soon()
        super().handle_exit(sig, frame)


def read_sse(response: httpx2.Response):
    """最小的 SSE 解析：空行分隔事件，取 event: 和 data: 两个字段。"""
    event, data = "message", []
    for line in response.iter_lines():
        if not line:
            if data:
                yield event, json.loads("\n".join(data))
            event, data = "message", []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())


def self_check(settings) -> int:
    """起一个真的服务（空闲端口），走一遍 HTTP + SSE，和浏览器看到的一样。
    数据放在临时目录：自检不碰 data/ 里你自己的对话和订单。"""
    with tempfile.TemporaryDirectory(prefix="its-self-check-") as tmp:
        settings = replace(settings, shop_db=Path(tmp) / "its_shop.db",
                           conversations_db=Path(tmp) / "its_conversations.db")
        return _self_check(settings)


def _self_check(settings) -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    print(f"打开 {base}/")
    try:
        while not server.started:
            if not thread.is_alive():
                print("✗ 服务没能启动", file=sys.stderr)
                return 1
            thread.join(0.05)
        with httpx2.Client(base_url=base, timeout=30) as client:
            health = client.get("/healthz").json()
            print(f"自检 GET /healthz：status={health['status']} provider={health['provider']} "
                  f"mcp={health['mcp']}")
            print(f"自检提问：{SELF_CHECK_QUESTION}")
            names, tools, final, agent = [], [], None, ""
            with client.stream("GET", "/api/chat/sse", params={"query": SELF_CHECK_QUESTION}) as r:
                for name, data in read_sse(r):
                    if name == "text_delta" and names and names[-1].startswith("text_delta"):
                        count = int(names[-1].partition("×")[2] or 1) + 1
                        names[-1] = f"text_delta×{count}"
                        continue
                    names.append("text_delta×1" if name == "text_delta" else name)
                    if name == "tool_started":
                        tools.append(f"{data['tool_name']} {data['arguments']}")
                    if name == "run_completed":
                        final, agent = data["final_output"], data["agent"]
                    if name == "error":
                        print(f"✗ 出错 [{data['code']}]：{data['message']}")
            print("事件：" + " → ".join(names))
            for tool in tools:
                print(f"工具：{tool}")
            if final is None:
                return 1
            print(f"回答（{agent}）：{final}")
    finally:
        server.should_exit = True
        thread.join(10)
    print("自检通过")
    return 0


def main() -> int:
    args = parse_args()
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = load_settings(**overrides)
    print_provider()
    # 本服务的日志（MCP 启停、模型报错的详细原因）打到终端；第三方库只留警告。
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s:     %(message)s")
    logging.getLogger("its_service").setLevel(logging.INFO)
    if args.self_check:
        return self_check(settings)
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    print(f"打开 http://{shown}:{settings.port}/   （接口文档 /docs，Ctrl+C 停止）")
    # Ctrl+C 后最多等 5 秒让连接收尾，然后强制结束（MCP 子进程在 lifespan 里停掉）。
    config = uvicorn.Config(create_app(settings), host=settings.host, port=settings.port,
                            timeout_graceful_shutdown=5)
    ItsServer(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
