"""ITS 智能客服（综合案例）：FastAPI + SSE 流式接口 + 多 Agent 客服团队 + 业务服务（MCP）+ 主管审批后台。

把前面几章学的东西装进一个能用的服务：前台分诊 Agent 把问题 handoff 给订单物流、售后退款、
售前导购三位专员；订单、退款、工单、审批单这些业务数据只归一个业务服务管（MCP over HTTP，
本服务自己拉起，或用 ITS_MCP_URL 指向已在运行的）；退款超过 500 元要客服主管在后台 /console 审批，
审批后服务器自己接着运行，把结果推给顾客；会话状态放在 SQLite（默认）或 Redis（ITS_REDIS_URL），
所以可以开多个 worker。顾客页面 http://127.0.0.1:8200/ ，后台 /console，接口文档 /docs。

运行: python 07_projects/app.py            （可加 --host 0.0.0.0 --port 8200 --workers 2；Ctrl+C 停止）
自检: python 07_projects/app.py --self-check（起在空闲端口上，问一个订单问题，打印事件后退出）

测试参数: --self-check
测试超时: 90
预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    打开 http://127.0.0.1:.../
    自检 GET /healthz：status=ok provider=mock mcp=up store=sqlite
    自检 客服后台：没有令牌 401，带令牌 200（待审批 0 条）
    自检 顾客登录：张三（C001，订单 A1001、A1002）；没登录提问 401，GET 提问 405
    自检提问：订单 A1001 现在到哪了？
    事件：session → guardrail_passed×2 → agent_updated → handoff → agent_updated → tool_started → guardrail_passed → tool_completed → text_delta×... → guardrail_passed → run_completed
    工具：track_shipment {"order_id": "A1001"}
    护栏：话题相关性✓、越狱检测✓、个人信息遮盖✓（track_shipment 的结果里遮盖了 2 处手机号。）、回答检查✓
    回答（订单物流专员）：订单 A1001：订单状态：已发货，运单号：SF1400012345，快递公司：顺丰速运，...
    自检通过
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import httpx2
import uvicorn
from its_service.auth import new_token
from its_service.business import READY_PREFIX
from its_service.main import create_app
from its_service.mcp_client import business_command
from its_service.settings import load_settings

from shared.config import ConfigError
from shared.factory import print_provider

HERE = Path(__file__).resolve().parent

SELF_CHECK_QUESTION = "订单 A1001 现在到哪了？"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="ITS 智能客服服务")
    parser.add_argument("--host", default=None, help="监听地址（默认 ITS_HOST 或 127.0.0.1）")
    parser.add_argument("--port", type=int, default=None, help="端口（默认 ITS_PORT 或 8200）")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker 进程数（默认 ITS_WORKERS 或 1）；多个 worker 共用会话存储和业务服务")
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
        settings = settings.model_copy(update={
            "shop_db_url": f"sqlite:///{Path(tmp) / 'its_shop.db'}", "conversations_db": Path(tmp) / "its_conversations.db",
            "redis_url": "", "mcp_url": "", "staff_token": new_token(), "workers": 1})
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
                  f"mcp={health['mcp']} store={health['store']}")
            anonymous = client.get("/api/staff/approvals").status_code
            staff = client.get("/api/staff/approvals",
                               headers={"Authorization": f"Bearer {settings.staff_token}"})
            print(f"自检 客服后台：没有令牌 {anonymous}，带令牌 {staff.status_code}"
                  f"（待审批 {len(staff.json().get('approvals', []))} 条）")
            who = client.get("/api/customers").json()["customers"][0]
            anonymous = client.post("/api/chat/sse", json={"query": SELF_CHECK_QUESTION}).status_code
            client.post("/api/login", json={"customer_id": who["customer_id"]}).raise_for_status()
            old_get = client.get("/api/chat/sse", params={"query": SELF_CHECK_QUESTION}).status_code
            print(f"自检 顾客登录：{who['name']}（{who['customer_id']}，订单 {'、'.join(who['orders'])}）；"
                  f"没登录提问 {anonymous}，GET 提问 {old_get}")
            print(f"自检提问：{SELF_CHECK_QUESTION}")
            names, tools, checks, final, agent = [], [], [], None, ""
            with client.stream("POST", "/api/chat/sse", json={"query": SELF_CHECK_QUESTION}) as r:
                for name, data in read_sse(r):
                    last, _, count = (names[-1] if names else "").partition("×")
                    if name == last:  # 连续的同名事件合成一项：text_delta×12
                        names[-1] = f"{name}×{int(count or 1) + 1}"
                    else:
                        names.append(name)
                    if name == "tool_started":
                        tools.append(f"{data['tool_name']} {data['arguments']}")
                    if name in ("guardrail_passed", "guardrail_tripped"):
                        mark = "✓" if name == "guardrail_passed" else "✗"
                        checks.append((data["stage"], f"{data['title']}{mark}"
                                       + (f"（{data['reasoning']}）" if data.get("masked") else "")))
                    if name == "run_completed":
                        final, agent = data["final_output"], data["agent"]
                    if name == "error":
                        print(f"✗ 出错 [{data['code']}]：{data['message']}")
            # 文字增量有几个随时机变（护栏放行前攒着的增量一起发出时会合成一个）：只说“有”
            print("事件：" + " → ".join(n if not n.startswith("text_delta") else "text_delta×..." for n in names))
            for tool in tools:
                print(f"工具：{tool}")
            # 两个输入护栏并行跑，谁先报结论不一定：按 输入 → 工具结果 → 输出 的顺序、同阶段按名字打印
            stages = {"input": 0, "tool": 1, "output": 2}
            print("护栏：" + "、".join(text for _, text in sorted(checks, key=lambda c: (stages.get(c[0], 3), c[1]))))
            if final is None:
                return 1
            print(f"回答（{agent}）：{final}")
    finally:
        server.should_exit = True
        thread.join(10)
    print("自检通过")
    return 0


def staff_console_line(settings, shown_host: str) -> str:
    """后台地址打印一次。令牌放在 # 后面：浏览器不会把它发给服务器、也不会出现在访问日志里。"""
    url = f"http://{shown_host}:{settings.port}/console"
    if os.environ.get("ITS_STAFF_TOKEN_GENERATED"):
        return f"客服后台 {url}#token={settings.staff_token}   （本次启动生成的令牌；固定令牌请设 ITS_STAFF_TOKEN）"
    return f"客服后台 {url}   （令牌见 ITS_STAFF_TOKEN）"


def start_business_service(settings, token: str) -> tuple[subprocess.Popen, str]:
    """多个 worker 共用一个业务服务：由这里（父进程）拉起，令牌经标准输入交给它；
    地址和令牌经 ITS_MCP_URL、ITS_MCP_TOKEN 交给每个 worker（它们是这个进程的子进程）。"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))}
    env.pop("ITS_MCP_TOKEN", None)
    proc = subprocess.Popen(business_command(settings.shop_db_url), cwd=HERE, env=env, stdout=subprocess.PIPE,
                            stdin=subprocess.PIPE, text=True)
    proc.stdin.write(f"{token}\n")
    proc.stdin.close()
    line = proc.stdout.readline().strip() if proc.stdout else ""
    if not line.startswith(READY_PREFIX):
        proc.kill()
        raise SystemExit("业务服务没能启动")
    return proc, line.removeprefix(READY_PREFIX)


def main() -> int:
    args = parse_args()
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port), ("workers", args.workers))
                 if v is not None}
    try:
        settings = load_settings(**overrides)
        print_provider()
    except ConfigError as exc:
        print(exc, file=sys.stderr)  # ConfigError 自己带着“✗ 配置错误：”
        return 2
    setup_logging()
    if args.self_check:
        return self_check(settings)
    if not settings.staff_token:  # 像 Jupyter 一样：生成一个令牌，和后台地址一起打印一次
        os.environ["ITS_STAFF_TOKEN"] = new_token()
        os.environ["ITS_STAFF_TOKEN_GENERATED"] = "1"
        settings = settings.model_copy(update={"staff_token": os.environ["ITS_STAFF_TOKEN"]})
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    print(f"打开 http://{shown}:{settings.port}/   （接口文档 /docs，Ctrl+C 停止）")
    print(staff_console_line(settings, shown))
    print(f"会话存储：{'Redis ' + settings.redis_url.split('@')[-1] if settings.redis_url else 'SQLite ' + str(settings.conversations_db)}"
          f"；worker 数：{settings.workers}")
    try:
        if settings.workers > 1:
            return run_workers(settings)
        config = server_config(create_app(settings), settings.access_log,
                               host=settings.host, port=settings.port)
        ItsServer(config).run()
    except KeyboardInterrupt:  # uvicorn 收尾后会把 Ctrl+C 信号再抛一次：这是正常的停止
        pass
    return 0


def setup_logging() -> None:
    """本服务的日志（业务服务启停、模型报错的详细原因、审批）打到终端；第三方库只留警告。"""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s:     %(message)s")
    logging.getLogger("its_service").setLevel(logging.INFO)


def server_config(app, access_log: bool, **options) -> uvicorn.Config:  # noqa: ANN001
    """一个 worker 的 uvicorn 配置（单 worker 和多 worker 共用）。Ctrl+C 后最多等 5 秒让连接收尾，然后强制
    结束；keep-alive 75 秒：默认 5 秒时，很忙的服务可能刚关掉空闲连接、客户端正好在上面发下一个请求。"""
    return uvicorn.Config(app, timeout_graceful_shutdown=5, timeout_keep_alive=75, access_log=access_log,
                          **options)


def run_workers(settings) -> int:
    """N 个 worker 进程共用一个端口、一个会话存储、一个业务服务。

    每个 worker 自己开一个监听 socket，都绑同一个端口（`SO_REUSEPORT`）：内核按连接的四元组把新连接
    均匀分给它们。uvicorn 自带的 `--workers` 是几个进程共用**一个** socket，谁先醒谁接——几百个连接同时
    到来时，先醒的那个 worker 一口气把排队的连接全接走，另一个闲着（压测里两个 worker 的 CPU 差到 2:3）。
    worker 意外退出（崩溃、被 kill）时这里重新拉起一个；Ctrl+C / SIGTERM 时让每个 worker 优雅关闭
    （进行中的对话带着 error 事件结束）再退出。配置经环境变量交给每个 worker（create_app() 自己读）。"""
    os.environ.update(ITS_HOST=settings.host, ITS_PORT=str(settings.port), ITS_WORKERS="1")
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:  # 端口被别的程序占着：现在就说清楚
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.host, settings.port))
        except OSError as exc:
            print(f"✗ 端口 {settings.port} 不能用（{exc.strerror}）：换一个 --port，或先停掉占着它的程序",
                  file=sys.stderr)
            return 2
    business = None
    if not settings.mcp_url:
        token = new_token()  # 这一次启动的业务服务令牌：只交给它和这些 worker
        business, url = start_business_service(settings, token)
        os.environ.update(ITS_MCP_URL=url, ITS_MCP_TOKEN=token)
        print(f"业务服务：{url}（pid {business.pid}，{settings.workers} 个 worker 共用）")
    if not settings.redis_url:
        print("提示：没有设置 ITS_REDIS_URL，几个 worker 共用 SQLite 会话库（只适合一台机器）")
    # forkserver：第一次拉 worker 时起一个干净的小进程，它把本文件（连同 SDK、FastAPI……）导入一次，之后每个
    # worker 都从它 fork 出来——不用每个 worker 各自再导入几秒，崩溃后补上的 worker 也是立刻就绪，导入的
    # 代码在内存里共用。没有 forkserver 的平台（Windows）退回 spawn：每个 worker 一个全新的解释器。
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # 要预先导入的模块得点名，forkserver 也得找得到它（Python 3.11 的 forkserver 不用父进程的 sys.path）
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
        context.set_forkserver_preload(["its_service.main"])
    else:
        context = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start(index: int) -> multiprocessing.Process:
        worker = context.Process(target=serve_worker, args=(settings.host, settings.port, settings.access_log),
                                 name=f"its-worker-{index + 1}")
        worker.start()
        return worker

    def forward(_sig: int, _frame) -> None:  # noqa: ANN001
        # 第一次：给每个 worker 发 SIGTERM（优雅关闭）。终端里按 Ctrl+C 时 worker 自己也收到了 SIGINT，
        # 再转发一个 SIGINT 会被 uvicorn 当成“第二次 Ctrl+C、立刻退出”；SIGTERM 不会。再按一次才强制退出。
        again = stopping.is_set()
        stopping.set()
        for worker in workers:
            if worker.pid and worker.is_alive():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGINT if again else signal.SIGTERM)

    workers: list[multiprocessing.Process] = []
    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        workers.extend(start(i) for i in range(settings.workers))
        while not stopping.wait(0.5):
            for i, worker in enumerate(workers):
                if not worker.is_alive() and not stopping.is_set():
                    print(f"worker {i + 1}（pid {worker.pid}）退出了（退出码 {worker.exitcode}），重新拉起一个",
                          file=sys.stderr)
                    workers[i] = start(i)
        for worker in workers:  # 每个 worker 收尾最多 10 秒（uvicorn 优雅关闭 5 秒 + 余量）
            worker.join(10)
            if worker.is_alive():
                worker.kill()
                worker.join(5)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if business is not None:
            business.terminate()
            try:
                business.wait(5)
            except subprocess.TimeoutExpired:
                business.kill()
    return 0


def serve_worker(host: str, port: int, access_log: bool) -> None:
    """一个 worker 进程：自己的监听 socket（SO_REUSEPORT，和别的 worker 绑同一个端口）+ 一个 uvicorn。"""
    setup_logging()
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    config = server_config(create_app(), access_log, log_level="warning")
    try:
        ItsServer(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
