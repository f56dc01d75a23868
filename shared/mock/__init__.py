"""内置模拟模型：一个真正的 OpenAI 兼容 HTTP 服务，让课程不用 Key、不联网也能跑。

- 课程脚本里不用管它：`LLM_PROVIDER=mock`（没填任何 Key 时的默认值）时，
  `shared.factory` 第一次需要模型时调用 `ensure_mock_server()`，在本进程后台线程里启动，
  监听 127.0.0.1 上的一个空闲端口，整个进程只启动一次。
- 单独运行：`python -m shared.mock --port 8765`，任何 OpenAI 兼容的工具都能指向
  `http://127.0.0.1:8765/v1` 使用它。`--profile bailian`（或环境变量 `MOCK_PROFILE`）让它按
  某个提供方的接口行为回应，见 profiles.py。

它会做什么、不会做什么，见同目录的 README.md。
"""

from __future__ import annotations

import logging
import os
import socket
import threading

__all__ = ["MockServer", "ensure_mock_server", "start_mock_server"]

_lock = threading.Lock()
_server: MockServer | None = None


class _QuietBrokenStream(logging.Filter):
    """故意掐断连接（故障模式 break）时，uvicorn 会记一条错误日志；这不是 bug，不打印。"""

    def filter(self, record: logging.LogRecord) -> bool:
        from shared.mock.app import BrokenStream

        exc = record.exc_info[1] if record.exc_info else None
        seen = set()
        while exc is not None and id(exc) not in seen:
            if isinstance(exc, BrokenStream):
                return False
            seen.add(id(exc))
            inner = getattr(exc, "exceptions", None)
            exc = inner[0] if inner else (exc.__cause__ or exc.__context__)
        return "without completing response" not in record.getMessage()


class _QuietMockAccess(logging.Filter):
    """进程内的模拟模型不打印访问日志。

    uvicorn 的访问日志记录器 `uvicorn.access` 是全进程共用的：同一进程里的应用（比如 07 的服务）
    一旦给它配上输出，模拟模型的每个请求也会被打印出来。这里按路径把模拟模型的请求滤掉。
    """

    PATHS = ("/v1/", "/mock/")

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        path = str(args[2]) if len(args) > 2 else ""
        return not (path.startswith(self.PATHS) or path == "/health")


class MockServer:
    """在后台线程里运行的 uvicorn；`base_url` 形如 http://127.0.0.1:PORT/v1。"""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, log_level: str = "error",
                 profile: str | None = None, wrap=None) -> None:
        import uvicorn

        from shared.mock.app import create_app

        # 进程内的模拟模型也可以换“提供方表面”：MOCK_PROFILE=bailian（默认 openai）。
        self.app = create_app(profile if profile is not None else os.environ.get("MOCK_PROFILE"))
        if wrap is not None:  # 外面再套一层 ASGI 应用（录像的录制 / 回放，见 proxy.py）
            self.app = wrap(self.app)
        # 必须写明 IPPROTO_TCP：协议号为 0 时 asyncio 不会给接入的连接设 TCP_NODELAY，
        # 每个请求都要白等 40 ms 的延迟确认（delayed ACK）。
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        config = uvicorn.Config(self.app, log_level=log_level, access_log=False, lifespan="off",
                                timeout_keep_alive=30)
        self._server = uvicorn.Server(config)
        logging.getLogger("uvicorn.error").addFilter(_QuietBrokenStream())
        logging.getLogger("uvicorn.access").addFilter(_QuietMockAccess())
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        name="mock-model", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> MockServer:
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("内置模拟模型启动失败")
            self._thread.join(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(5)


def start_mock_server(port: int = 0, host: str = "127.0.0.1", profile: str | None = None) -> MockServer:
    """启动一个新的模拟模型服务（测试和基准脚本用）；`profile` 见 profiles.py。"""
    return MockServer(host, port, profile=profile).start()


def ensure_mock_server() -> str:
    """本进程的模拟模型：第一次调用时启动，之后复用。返回 base_url。"""
    global _server
    with _lock:
        if _server is None:
            _server = start_mock_server()
        return _server.base_url
