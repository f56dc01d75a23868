"""错误码与中文说明：普通请求返回 4xx JSON，流式请求发 `error` 事件，两边用同一套码。

给浏览器的说明只讲“哪一类问题、用户能做什么”，不带 Key、地址、traceback 这些内部细节；
详细原因（`shared.factory.explain_error` 的说明、异常栈）写进服务端日志，给运维看。
"""

from __future__ import annotations

import logging

from agents.exceptions import MaxTurnsExceeded, ModelBehaviorError

from shared.factory import explain_error

log = logging.getLogger("its_service")

MESSAGES = {
    "empty_query": "请输入您的问题。",
    "query_too_long": "消息太长了（最多 {limit} 个字），请精简后再发。",
    "bad_session_id": "会话 id 格式不对：只能包含字母、数字、下划线和连字符，最长 64 个字符。",
    "session_not_found": "没有找到这个会话，它可能已被清空。请开始新对话。",
    "login_required": "请先选择顾客登录（POST /api/login），或者登录已过期。",
    "customer_not_found": "没有这位顾客。可选的演示顾客见 GET /api/customers。",
    "cross_site": "拒绝来自其他网站的请求。",
    "use_post": "发送消息请用 POST（JSON：{\"query\": \"...\", \"session_id\": \"...\"}）。"
                "GET 会被链接、预取、爬虫随手触发，不能用来改变状态。",
    "session_busy": "这个会话上一条消息还在处理中，请等它答完再发。",
    "approval_pending": "您的申请已提交客服主管审核，审核结果会显示在这个对话里。审核期间这个对话暂不接受新问题；"
                        "有别的问题，可以点“新对话”。",
    "approval_not_found": "没有找到这条审批。",
    "approval_decided": "这条审批已经处理过了。",
    "bad_decision": "审批结果只能是 approve（批准）或 reject（拒绝）。",
    "staff_auth_required": "需要客服后台令牌：请求头 Authorization: Bearer <令牌>（令牌见服务启动时打印的后台地址，或 ITS_STAFF_TOKEN）。",
    "staff_auth_invalid": "客服后台令牌不对。",
    "body_too_large": "请求体太大（最多 {limit} 字节）。",
    "bad_request": "请求格式不对：{detail}",
    "not_found": "没有这个地址。",
    "auth_error": "模型服务拒绝了 API Key（401）。请管理员检查 .env 里的 Key 是否正确、是否过期。",
    "permission_denied": "模型服务拒绝访问（403）：当前 Key 没有调用该模型的权限。",
    "not_found_model": "模型服务找不到配置的模型（404），请管理员检查模型名称。",
    "rate_limited": "模型服务限流或额度不足（429），请稍后再试。",
    "timeout": "模型服务响应超时，请稍后再试。",
    "run_timeout": "这次处理时间太长（超过 {seconds:g} 秒），已经停止，请稍后再试或换个问法。",
    "connection_error": "连不上模型服务，或连接中途断开了，请稍后再试。",
    "server_error": "模型服务内部出错（5xx），请稍后再试。",
    "bad_model_request": "模型服务拒绝了这次请求（400）。",
    "model_error": "调用模型服务出错，请稍后再试。",
    "model_behavior": "模型返回了无法处理的内容，请换个问法再试。",
    "max_turns": "这个问题需要的步骤太多，已经停止，请把问题拆小一点再试。",
    "mcp_unavailable": "订单/业务系统暂时不可用，请稍后再试。",
    "shutting_down": "服务正在停止，这一轮没有完成，请稍后重试。",
    "store_unavailable": "会话存储暂时不可用，请稍后再试。",
    "lock_lost": "这一轮处理得太久，已经停止（没有写进历史），请重试。",
    "internal_error": "服务内部出错了，请稍后再试。",
}


def message(code: str, **kwargs: object) -> str:
    return MESSAGES[code].format(**kwargs)


class McpUnavailable(Exception):
    """业务服务不可用（没启动起来、进程挂了、超时）：mcp_client.py 抛，这里翻译成 `mcp_unavailable`。"""


class BusinessError(Exception):
    """业务服务执行操作时报错（参数不对之类，不是连接问题）。"""


class ApiError(Exception):
    """普通（非流式）请求的错误：由 main.py 的异常处理器转成 `{"error": {...}}`。"""

    def __init__(self, status: int, code: str, text: str | None = None,
                 extra: dict | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(text or MESSAGES.get(code, code))
        self.status = status
        self.code = code
        self.message = text or MESSAGES.get(code, code)
        self.extra = extra or {}
        self.headers = headers


# explain_error 的码 → 给浏览器的 (码, 说明)。超时、限流这些码本身就是契约里的码。
_MODEL_CODES = {
    "auth_error": ("auth_error", "auth_error"),
    "permission_denied": ("permission_denied", "permission_denied"),
    "not_found": ("not_found", "not_found_model"),
    "rate_limited": ("rate_limited", "rate_limited"),
    "timeout": ("timeout", "timeout"),
    "connection_error": ("connection_error", "connection_error"),
    "server_error": ("server_error", "server_error"),
    "bad_request": ("bad_request", "bad_model_request"),
}


def describe_failure(exc: BaseException, *, mcp_failed: bool = False) -> tuple[str, str]:
    """一轮运行失败的原因 → (错误码, 中文说明)；同时把详细原因记进日志。"""
    if mcp_failed or _caused_by(exc, McpUnavailable):
        log.warning("业务服务不可用：%s", exc)
        return "mcp_unavailable", MESSAGES["mcp_unavailable"]
    explained = explain_error(exc)
    if explained is not None:
        code, detail = explained
        log.warning("模型调用失败 [%s]：%s", code, detail)
        public_code, text = _MODEL_CODES.get(code, ("model_error", "model_error"))
        return public_code, MESSAGES[text]
    if isinstance(exc, MaxTurnsExceeded):
        return "max_turns", MESSAGES["max_turns"]
    if isinstance(exc, ModelBehaviorError):
        log.warning("模型输出无法处理：%s", exc)
        return "model_behavior", MESSAGES["model_behavior"]
    log.error("运行失败（内部错误）", exc_info=exc)
    return "internal_error", MESSAGES["internal_error"]


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        err = stack.pop()
        if id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, kind):
            return True
        stack.extend(e for e in (err.__cause__, err.__context__) if e is not None)
        stack.extend(getattr(err, "exceptions", ()))  # ExceptionGroup
    return False
