"""05/08 本地 tracing：换成本地处理器后，span 树照样打印、JSONL 照样写，而且 trace 一个字节都不上传。

怎么证明“不上传”：让脚本以为自己在用 OpenAI（LLM_PROVIDER=openai + 假 Key，此时 SDK 默认会上报 trace），
模型地址指向本机的模拟模型，再把 HTTPS_PROXY 指向一个只做记录的本地代理：任何发往
api.openai.com 的上报都会先到这个代理。对照组用默认处理器跑同样的设置，代理必须记到上报，
这样“课程脚本运行时代理什么都没记到”才有意义。
"""

from __future__ import annotations

import json
import socket
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests import lessons

SCRIPT = lessons.REPO / "05_stream_events" / "08_local_tracing.py"
FAKE_KEY = "sk-fake.key.for.tests.0000"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="代理环境变量的写法按 POSIX")


class RecordingProxy:
    """只记录不转发的 HTTP 代理：记下每个请求行（CONNECT api.openai.com:443 ……），回 403。"""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.requests: list[str] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    line = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                    self.requests.append(line)
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def proxy():
    p = RecordingProxy()
    yield p
    p.close()


@pytest.fixture
def control_proxy():
    p = RecordingProxy()
    yield p
    p.close()


def openai_env(tmp_path, mock_server, proxy) -> dict[str, str]:
    """“用 OpenAI”：tracing 按默认打开；模型请求直连本机模拟模型，其余 HTTPS 都经过记录代理。"""
    proxy_url = f"http://127.0.0.1:{proxy.port}"
    return lessons.smoke_env(
        tmp_path, LLM_PROVIDER="openai", OPENAI_API_KEY=FAKE_KEY, OPENAI_BASE_URL=mock_server.base_url,
        OPENAI_AGENTS_DISABLE_TRACING="0", HTTPS_PROXY=proxy_url, HTTP_PROXY=proxy_url,
        https_proxy=proxy_url, http_proxy=proxy_url, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost",
    )


CONTROL = textwrap.dedent('''\
    """对照组：同样的设置，不换处理器。默认处理器在退出时把 trace 上报到 api.openai.com。"""
    import asyncio

    from agents import Agent, Runner, set_tracing_disabled
    from agents.tracing import default_exporter

    from shared.factory import get_chat_model

    default_exporter().max_retries = 0  # 只试一次：测试不必等它的退避重试


    async def main():
        model = get_chat_model()
        # 工厂只在真正的 api.openai.com 上打开 tracing；这里模型指向模拟模型，手动打开，模拟那种情况
        set_tracing_disabled(False)
        result = await Runner.run(Agent(name="a", instructions="你好", model=model), "你好")
        print("回答：", bool(result.final_output))


    asyncio.run(main())
    ''')


def test_local_tracing_prints_the_tree_writes_jsonl_and_never_uploads(tmp_path, mock_server, proxy,
                                                                       control_proxy):
    control = tmp_path / "control.py"
    control.write_text(CONTROL, encoding="utf-8")
    lesson_dir, control_dir = tmp_path / "lesson", tmp_path / "control"
    with ThreadPoolExecutor(2) as pool:  # 两个脚本同时跑
        lesson_run = pool.submit(lessons.run_script, SCRIPT, [], openai_env(lesson_dir, mock_server, proxy), 60)
        control_run = pool.submit(lessons.run_script, control, [],
                                  openai_env(control_dir, mock_server, control_proxy), 60)
        code, out, err, _, _ = lesson_run.result()
        ccode, cout, cerr, _, _ = control_run.result()

    # 对照组：默认处理器确实去上报了（经过它的代理），说明这个测试能看见上传。
    assert ccode == 0, f"{cout}\n{cerr}"
    assert any("api.openai.com" in line for line in control_proxy.requests), control_proxy.requests
    # 课程脚本：提供方是 openai、tracing 是开着的，span 树打印了，但没有任何请求经过代理。
    assert code == 0, f"{out}\n{err}"
    assert "提供方=openai" in out
    assert not proxy.requests, f"课程脚本发出了上报请求：{proxy.requests}"
    assert "handoff" in out and "triage_agent → order_agent" in out
    assert "function track_shipment" in out and "guardrail order_topic_rule" in out

    lines = (lesson_dir / "traces.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert records[0]["object"] == "trace" and records[0]["workflow_name"] == "ITS 客服工作流"
    spans = records[1:]
    assert {s["trace_id"] for s in spans} == {records[0]["id"]}
    types = [s["span_data"]["type"] for s in spans]
    for kind in ("agent", "generation", "function", "handoff", "guardrail"):
        assert kind in types, types
    ids = {s["id"] for s in spans}
    assert all(s["parent_id"] is None or s["parent_id"] in ids for s in spans)  # 树是完整的


def test_local_tracing_works_on_the_mock_provider_too(tmp_path):
    """默认的模拟模型（工厂平时对它关掉 tracing）：换成本地处理器后一样有 span 树。"""
    code, out, err, _, _ = lessons.run_script(SCRIPT, [], lessons.smoke_env(tmp_path), 60)
    assert code == 0, f"{out}\n{err}"
    assert "span 类型：" in out and "generation=3" in out
    assert (tmp_path / "traces.jsonl").exists()
