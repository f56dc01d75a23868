"""综合案例的浏览器端到端测试：真的 Chromium 打开真的服务，像用户一样点页面。

- 浏览器：Debian 的 /usr/bin/chromium，由 Playwright 驱动（不用 `playwright install` 下载浏览器）；
  没有这个文件时整个模块跳过。
- 服务：`python 07_projects/app.py` 子进程，内置模拟模型，临时数据目录，空闲的本机端口。
  模拟模型保持默认的流式节奏（MOCK_STREAM_DELAY=0.02），页面上才看得到“逐字出现”。
- 主流程：问订单 → 工具标签从“调用中”变“完成”、Agent 徽章和转接提示、流式回答；
  新对话 → 问超额退款 → “已提交客服主管审核”卡片（没有任何按钮）→ 主管在后台 /console 批准 →
  顾客页面上卡片变成“已批准”、工具完成、回答出现；刷新 → 历史恢复。
- 待审批时刷新页面 → 卡片恢复 → 主管经接口拒绝 → 页面显示结果；手机尺寸的布局；
  后台令牌不对时回到输入令牌的表单。
- 另外几条用 Playwright 的 route 伪造 SSE 响应，检查断流和 error 事件的显示、
  模型文字不被当成 HTML、EventSource 不会自动重连把问题再发一遍、放不进 URL 的长消息改走
  POST（页面自己用 fetch 解析 SSE）。
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import httpx2
import pytest

from tests.capstone import STAFF, STAFF_TOKEN, TWO_STAFF
from tests.lessons import REPO, smoke_env

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="没有 /usr/bin/chromium（Debian: apt-get install chromium），跳过浏览器测试",
)

sys.path.insert(0, str(REPO / "07_projects"))
from its_service.agents import ORDER, REFUND, TRIAGE, display_name  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ORDER_QUESTION = "订单 A1001 现在到哪了？"
# A1003 是 3299 元的手机，签收两天：能退，但超过 500 元的审批门槛
REFUND_QUESTION = "订单 A1003 申请退款，因为屏幕有划痕"
TIMEOUT_MS = 30_000

# 在页面脚本之前注入：记下每个工具标签的 class 变化、最后一个回答气泡每次变化后的长度。
# 运行中→完成 可能只隔几毫秒，轮询 DOM 会错过；MutationObserver 不会。
RECORDER = """
window.__chips = [];
window.__textLengths = [];
new MutationObserver((mutations) => {
  for (const m of mutations) {
    const nodes = m.type === "attributes" ? [m.target] : [...m.addedNodes];
    for (const n of nodes) {
      if (n.nodeType === 1 && n.classList.contains("tool-chip")) {
        window.__chips.push([n.dataset.callId, n.className]);
      }
    }
  }
  const bubbles = document.querySelectorAll(".bubble.assistant");
  if (bubbles.length) window.__textLengths.push(bubbles[bubbles.length - 1].textContent.length);
}).observe(document, { subtree: true, childList: true, characterData: true,
                       attributes: true, attributeFilter: ["class"] });
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """真的服务进程；结束时像 Ctrl+C 一样停它（它会停掉自己拉起的 MCP 服务），再清理整个进程组。"""
    port = _free_port()
    env = smoke_env(tmp_path_factory.mktemp("capstone_browser"), MOCK_STREAM_DELAY="0.02",
                    ITS_STAFF_TOKEN=TWO_STAFF, ITS_RESUME_POLL="0.3")
    log = tmp_path_factory.mktemp("capstone_log") / "app.log"
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "07_projects" / "app.py"), "--port", str(port)],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"服务没能启动：\n{log.read_text(encoding='utf-8')}"
            with suppress(httpx2.HTTPError):
                if httpx2.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, f"服务 60s 内没有就绪：\n{log.read_text(encoding='utf-8')}"
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, service):
    """开一个新的浏览器上下文（干净的 localStorage），记下页面报错和发出的 SSE 请求。"""
    contexts = []

    def _open(viewport=None, path="/"):
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.add_init_script(RECORDER)
        page.problems = []
        page.sse_requests = []
        page.on("pageerror", lambda exc: page.problems.append(f"pageerror: {exc}"))
        page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
        page.on("request", lambda req: ("/sse" in req.url or "/updates" in req.url)
                and page.sse_requests.append(req.url if req.method == "GET" else f"{req.method} {req.url}"))
        page.goto(service + path)
        return page

    yield _open
    for context in contexts:
        context.close()


def _session_id(page) -> str | None:
    return page.evaluate("localStorage.getItem('its.session_id')")


def _transcript(service: str, session_id: str) -> httpx2.Response:
    return httpx2.get(f"{service}/api/sessions/{session_id}/messages", timeout=10)


def _squash(text: str) -> str:
    return "".join(text.split())


def _ask(page, text: str) -> None:
    page.fill("#query", text)
    page.click("#send")


def _wait_idle(page) -> None:
    """一轮结束（run_completed / approval_required / error）后页面会重新启用发送按钮。"""
    page.wait_for_function("!document.querySelector('#send').disabled")


def test_order_refund_approval_and_history(open_page, service, tmp_path):
    page = open_page()
    assert page.locator("#agent-badge").is_hidden()

    # ---- 订单问题：handoff 给订单专员，调 MCP 工具，流式回答
    _ask(page, ORDER_QUESTION)
    assert page.locator("#send").is_disabled(), "回答过程中发送按钮应当禁用"
    page.wait_for_selector(".bubble.user")
    _wait_idle(page)
    page.screenshot(path=str(tmp_path / "order.png"))

    chip = page.locator(".tool-chip").first
    assert "done" in chip.get_attribute("class")
    call_id = chip.get_attribute("data-call-id")
    states = [cls for cid, cls in page.evaluate("window.__chips") if cid == call_id]
    assert "running" in states[0] and "done" in states[-1], f"工具标签应当先运行中后完成：{states}"
    title = chip.get_attribute("title")
    assert "track_shipment" in title and "A1001" in title and "结果" in title, title

    assert display_name(ORDER) in page.inner_text("#agent-badge")
    handoff_line = page.inner_text(".row.system")
    assert f"{display_name(TRIAGE)} → {display_name(ORDER)}" in handoff_line

    sid = _session_id(page)
    assert sid, "session 事件里的会话 id 应当存进 localStorage"
    history = _transcript(service, sid).json()
    answer = [m for m in history["messages"] if m["role"] == "assistant"][-1]["text"]
    bubble = page.locator(".bubble.assistant").last.inner_text()
    assert _squash(bubble) == _squash(answer), "页面上的回答应当和服务器记下的完整回答一致"
    lengths = page.evaluate("window.__textLengths")
    assert len(set(lengths)) >= 3, f"回答应当逐段出现（流式），而不是一次性出现：{lengths}"

    # ---- 新对话：清空页面、服务器上的旧会话被删掉
    page.click("#new-chat")
    assert page.locator(".bubble").count() == 0
    assert _session_id(page) is None
    deadline = time.monotonic() + 10
    while _transcript(service, sid).status_code != 404:
        assert time.monotonic() < deadline, "点“新对话”后旧会话应当被 DELETE"
        time.sleep(0.1)

    # ---- 超额退款：顾客只看到“已提交审核”，没有按钮；主管在后台批准；顾客页面实时显示结果
    _ask(page, REFUND_QUESTION)
    card = page.wait_for_selector(".approval")
    page.wait_for_selector("body:not(.busy)")
    card_text = card.inner_text()
    assert "已提交客服主管审核" in card_text and "A1003" in card_text and "3299" in card_text, card_text
    assert page.locator(".approval button").count() == 0, "顾客不能自己批准"
    assert page.locator("#send").is_disabled(), "审核期间不能继续提问"
    assert display_name(REFUND) in page.inner_text("#agent-badge")
    refund_chip = page.locator(".tool-chip", has_text="request_refund")
    assert "running" in refund_chip.get_attribute("class"), "等审批的工具应当还在“调用中”"
    page.screenshot(path=str(tmp_path / "approval.png"))

    console = open_page(path=f"/console#token={STAFF_TOKEN}")
    staff_card = console.wait_for_selector(".approval-card")
    assert "A1003" in staff_card.inner_text() and REFUND_QUESTION in staff_card.inner_text()
    assert "#token" not in console.url, "令牌应当从地址栏里抹掉"
    console.fill(".approval-card textarea.note", "屏幕划痕属实")
    console.click(".approval-card button.approve")
    console.wait_for_selector(".approval-card .card-result")
    assert "批准" in console.inner_text(".approval-card .card-result")

    page.wait_for_selector(".approval.decided.approve")
    assert "屏幕划痕属实" in page.inner_text(".approval")
    page.wait_for_function("!document.querySelector('#send').disabled")
    assert "done" in refund_chip.get_attribute("class"), "批准后原来那个工具标签应当变成完成"
    assert "staff" in refund_chip.get_attribute("title"), "工具结果里应当记着是主管批准的"
    new_sid = _session_id(page)
    assert new_sid and new_sid != sid
    history = _transcript(service, new_sid).json()
    assert not history["pending_approvals"]
    answer = [m for m in history["messages"] if m["role"] == "assistant"][-1]["text"]
    assert _squash(page.locator(".bubble.assistant").last.inner_text()) == _squash(answer)
    assert page.locator(".bubble.error").count() == 0
    page.screenshot(path=str(tmp_path / "approved.png"))

    # ---- 刷新：历史从服务器恢复
    page.reload()
    page.wait_for_selector(".bubble.assistant")
    _wait_idle(page)
    assert page.locator(".bubble.user").all_inner_texts() == [REFUND_QUESTION]
    assert _squash(page.locator(".bubble.assistant").last.inner_text()) == _squash(answer)
    assert "done" in page.locator(".tool-chip", has_text="request_refund").get_attribute("class")
    assert display_name(REFUND) in page.inner_text("#agent-badge")
    assert page.locator(".approval").count() == 0
    page.screenshot(path=str(tmp_path / "restored.png"))

    # 每个问题恰好一个对话请求：EventSource 没有在流结束后自动重连（重连会重发问题）
    chats = [u for u in page.sse_requests if "/api/chat/sse" in u]
    assert len(chats) == 2, page.sse_requests
    assert page.problems == [] and console.problems == []


def test_pending_approval_survives_reload_and_shows_a_rejection(open_page, service):
    question = "订单 A1004 申请退款，因为不想要了"  # 未发货，两件共 608 元：超过审批门槛
    page = open_page()
    _ask(page, question)
    page.wait_for_selector(".approval")

    page.reload()  # 审批卡片和那句问题都要从服务器恢复，页面接着等结果
    card = page.wait_for_selector(".approval")
    assert "A1004" in card.inner_text()
    assert page.locator(".bubble.user").all_inner_texts() == [question]
    deadline = time.monotonic() + 10
    while not any("/updates" in u for u in page.sse_requests):  # 页面已经在等结果了
        assert time.monotonic() < deadline, page.sse_requests
        page.wait_for_timeout(50)
    page.wait_for_timeout(300)

    approval_id = card.get_attribute("data-approval-id")
    decided = httpx2.post(f"{service}/api/staff/approvals/{approval_id}", headers=STAFF,
                          json={"decision": "reject", "note": "订单还没发货，可以直接取消"}, timeout=10)
    assert decided.status_code == 200, decided.text
    page.wait_for_selector(".approval.decided.reject")
    page.wait_for_function("!document.querySelector('#send').disabled")
    assert "直接取消" in page.inner_text(".approval")
    chip = page.locator(".tool-chip", has_text="request_refund")
    assert "rejected" in chip.get_attribute("class")
    assert "A1004" in chip.get_attribute("title"), "刷新后补上的工具标签应当带着审批卡片上的参数"
    history = _transcript(service, _session_id(page)).json()
    assert not history["pending_approvals"]
    refund = [m for m in history["messages"] if m["role"] == "tool"][-1]
    assert refund["tool_name"] == "request_refund" and "拒绝" in refund["tool_result"]
    assert page.locator(".bubble.error").count() == 0
    assert page.problems == []


def test_console_asks_for_a_token_and_rejects_a_wrong_one(open_page):
    console = open_page(path="/console")
    console.wait_for_selector("#token-form:not([hidden])")
    console.fill("#token-input", "wrong-token")
    console.click("#token-form button[type=submit]")
    console.wait_for_selector("#token-error:not([hidden])")
    assert "令牌不对" in console.inner_text("#token-error")
    console.fill("#token-input", STAFF_TOKEN)
    console.click("#token-form button[type=submit]")
    console.wait_for_selector("#board:not([hidden])")
    assert "主管" in console.inner_text("#who")
    console.problems = [p for p in console.problems if "401" not in p]  # 故意的 401 会记一条控制台错误
    assert console.problems == []


def test_phone_layout(open_page, tmp_path):
    page = open_page({"width": 390, "height": 844})
    _ask(page, "有哪些蓝牙耳机？")
    _wait_idle(page)
    page.screenshot(path=str(tmp_path / "phone.png"))
    assert page.locator(".bubble.assistant").count() >= 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"手机宽度下不应出现横向滚动（页面宽 {width}px）"
    box = page.locator("#query").bounding_box()
    assert box["y"] + box["height"] > 844 - 80, f"输入框应当固定在屏幕底部：{box}"
    assert page.locator("#send").bounding_box()["x"] + 10 < 390
    assert page.problems == []


def _fake_stream(*events: tuple[str, dict]) -> str:
    # retry: 50 —— 如果页面忘了关 EventSource，50ms 后就会重连，下面的请求计数能抓到
    body = "retry: 50\n\n"
    for name, data in events:
        body += f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
    return body


def _route_chat(page, body: str) -> None:
    page.route("**/api/chat/sse*", lambda route: route.fulfill(
        status=200, headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"},
        body=body))


def test_stream_cut_short_shows_error_without_resending(open_page):
    page = open_page()
    _route_chat(page, _fake_stream(("session", {"session_id": "cut-short"}),
                                   ("agent_updated", {"agent": "前台分诊"}),
                                   ("text_delta", {"text": "说到一半"}),
                                   ("tool_started", {"tool_name": "get_order", "call_id": "c1",
                                                     "arguments": "{}"})))
    _ask(page, "你好")
    page.wait_for_selector(".bubble.error")
    _wait_idle(page)
    assert "连接中断" in page.inner_text(".bubble.error")
    assert "说到一半" in page.inner_text(".bubble.assistant")
    assert page.get_attribute(".tool-chip", "class") == "tool-chip stopped", "断开后工具标签不应一直转圈"
    page.wait_for_timeout(500)
    assert len(page.sse_requests) == 1, f"断流后不能自动重连重发问题：{page.sse_requests}"


def test_error_event_is_shown(open_page):
    page = open_page()
    _route_chat(page, _fake_stream(("session", {"session_id": "with-error"}),
                                   ("error", {"code": "rate_limited",
                                              "message": "模型服务太忙（限流），请稍后再试。"})))
    _ask(page, "你好")
    page.wait_for_selector(".bubble.error")
    _wait_idle(page)
    assert "请稍后再试" in page.inner_text(".bubble.error")
    page.wait_for_timeout(500)
    assert len(page.sse_requests) == 1, page.sse_requests


def test_model_text_is_never_html(open_page):
    page = open_page()
    text = "联系 139****8888，**加粗**，`code` <img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=1</script>"
    _route_chat(page, _fake_stream(
        ("session", {"session_id": "xss-check"}),
        ("tool_started", {"tool_name": "lookup<b>", "call_id": "c1", "arguments": "{\"q\": \"<i>x</i>\"}"}),
        ("tool_completed", {"tool_name": "lookup<b>", "call_id": "c1", "tool_result": "<img src=y>"}),
        ("text_delta", {"text": text}),
        ("run_completed", {"final_output": text, "agent": "<b>前台</b>", "usage": {}})))
    _ask(page, "你好")
    _wait_idle(page)
    bubble = page.locator(".bubble.assistant")
    assert bubble.locator("img, script, b, i").count() == 0
    assert page.locator(".tool-chip img, .tool-chip b, #agent-badge b").count() == 0
    shown = bubble.inner_text()
    assert "<img src=x" in shown and "<script>" in shown and "139****8888" in shown
    assert bubble.locator("strong").all_inner_texts() == ["加粗"]
    assert bubble.locator("code").all_inner_texts() == ["code"]
    assert page.evaluate("window.__pwned") is None


def test_long_message_goes_by_post(open_page):
    page = open_page()
    posted = []

    def fulfill(route):
        posted.append((route.request.method, route.request.post_data_json))
        # 用 \r\n 换行、夹一行心跳注释：页面自己的 SSE 解析器（fetch 分支）要都能处理
        body = _fake_stream(("session", {"session_id": "long-one"}),
                            ("text_delta", {"text": "收到"}), ("text_delta", {"text": "长消息"}),
                            ("run_completed", {"final_output": "收到长消息", "agent": "前台分诊"}))
        body = body.replace("\n\n", "\n: ping\n\n", 1).replace("\n", "\r\n")
        route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=body)

    page.route("**/api/chat/sse*", fulfill)
    question = "请帮我看看这段描述：" + "耳机左边没有声音，" * 100  # URL 编码后约 9KB，放不进 GET
    _ask(page, question)
    _wait_idle(page)
    assert posted == [("POST", {"query": question})]
    assert page.inner_text(".bubble.assistant") == "收到长消息"
    assert _session_id(page) == "long-one"
    assert page.locator(".bubble.error").count() == 0
