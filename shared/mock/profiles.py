"""提供方差异（`--profile` / `MOCK_PROFILE`）：让模拟模型按某个真实提供方的 OpenAI 兼容接口回应。

决策（调哪个工具、回答什么）仍由 `brain.py` 做，和默认模拟模型完全一样；profile 只改“接口表面”：
- 收哪些模型名，没见过的模型回什么错误；
- 哪些请求参数被接受、被拒绝（400）或被悄悄忽略：`response_format`、`tool_choice`、
  `parallel_tool_calls`、思考开关（`enable_thinking` / `thinking`）、托管工具；
- 推理内容放在哪个字段（`reasoning_content` 或 Ollama 的 `reasoning`），哪些模型只能流式调用；
- 有没有 `/v1/responses`、它支持到什么程度；
- 401 / 404 / 429 / 内容审核等错误的状态码和响应体。

每条差异的出处（提供方的公开文档页面）和“文档没写、按更严格的行为处理”的地方，
见 `shared/mock/README.md` 的“提供方差异（--profile）”一节。

`openai` 是默认 profile：和没有 profile 时的行为逐字节相同（接受任何模型名）。
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse, PlainTextResponse, Response

from shared.content import content_text

__all__ = ["PROFILES", "Profile", "ProviderError", "adopt_schema_from_instructions", "get_profile"]


class ProviderError(Exception):
    """按提供方的格式回一个错误：状态码 + 响应体（dict 或纯文本）。"""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body
        self.headers = headers

    def response(self) -> Response:
        if isinstance(self.body, str):
            return PlainTextResponse(self.body, status_code=self.status, headers=self.headers)
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


@dataclass(frozen=True)
class ModelSpec:
    """一个模型在该提供方上的能力。"""

    thinking: str = "off"  # off：不推理；always：总是推理；default_on：默认推理、参数可关；param：参数开启
    tools: bool = True  # 接受 tools
    json_schema: bool = True  # response_format 接受 json_schema（非思考模式下）
    responses: bool = False  # /v1/responses 是否支持这个模型


# ---------------------------------------------------------------- 通用工具函数


def _mentions_json(body: dict) -> bool:
    """json_object 模式要求提示里出现 “json”（不分大小写）。"""
    return any("json" in content_text(m.get("content")).lower() for m in body.get("messages") or []
               if isinstance(m, dict))


def _tool_choice_kind(choice: Any) -> str:
    if choice is None:
        return "auto"
    if isinstance(choice, dict):
        return "named"
    return str(choice)


def adopt_schema_from_instructions(system: str) -> dict | None:
    """json_object 模式下，模型照着指令里给的 JSON Schema 输出：从系统指令里找出那个 Schema。

    不支持 json_schema 的提供方常见的做法是“json_object + 把 Schema 写进指令”（shared/factory.py
    就这样降级）。真实模型读得懂；模拟模型在这里把 Schema 找出来，交给和 json_schema 同样的生成逻辑。
    """
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", system or ""):
        try:
            value, _ = decoder.raw_decode(system, match.start())
        except ValueError:
            continue
        if isinstance(value, dict) and isinstance(value.get("properties"), dict):
            return value
    return None


# ---------------------------------------------------------------- Profile 基类


@dataclass
class Profile:
    """默认（openai）：今天的模拟模型，什么都接受。子类按提供方文档收紧。"""

    name: str = "openai"
    label: str = "OpenAI"
    chat_model: str = ""  # 预设的聊天模型（mock-model 在此 profile 下的别名）
    reasoning_model: str = ""  # 预设的推理模型（mock-reasoner 的别名）
    models: dict[str, ModelSpec] = field(default_factory=dict)  # 空：接受任何模型名
    reasoning_field: str = "reasoning_content"
    responses_endpoint: bool = True  # 有没有 /v1/responses 路由
    responses_stateful: bool = True  # 支持 previous_response_id
    hosted_tools: tuple[str, ...] = ("*",)  # Responses 里接受的托管工具类型；"*" 表示全部
    moderation: bool = True  # 有内容审核（故障模式 moderation 才会报错）

    @property
    def is_default(self) -> bool:
        return not self.models

    # ---- 模型名

    def resolve_model(self, name: str) -> str:
        """mock-model / mock-reasoner 是本 profile 预设模型的别名（进程内 MOCK_PROFILE 用）。"""
        if self.is_default:
            return name
        if name == "mock-model":
            return self.chat_model
        if name == "mock-reasoner":
            return self.reasoning_model
        return name

    def spec(self, model: str) -> ModelSpec:
        spec = self.models.get(model)
        if spec is None:
            raise self.model_not_found(model)
        return spec

    # ---- 错误体（子类覆盖）

    def envelope(self, status: int, message: str, kind: str, code: str | None = None,
                 param: str | None = None) -> ProviderError:
        headers = {"retry-after": "1"} if status == 429 else None
        return ProviderError(status, {"error": {"message": message, "type": kind, "param": param,
                                                "code": code}}, headers)

    def model_not_found(self, model: str) -> ProviderError:
        return self.envelope(404, f"The model `{model}` does not exist or you do not have access to it.",
                             "invalid_request_error", "model_not_found")

    def bad_request(self, message: str, param: str | None = None, code: str | None = None) -> ProviderError:
        return self.envelope(400, message, "invalid_request_error", code, param)

    def fault(self, mode: str, model: str) -> ProviderError | None:
        """故障注入（X-Mock-Fault / MOCK_FAULT）按本提供方的错误体返回；None 表示用默认的 OpenAI 错误。"""
        return None

    def no_responses(self) -> Response:
        return JSONResponse({"error": {"message": "Not Found", "type": "invalid_request_error",
                                       "param": None, "code": None}}, status_code=404)

    # ---- 请求检查与改写

    def thinking(self, model: str, body: dict) -> bool:
        return False

    def chat_body(self, body: dict) -> dict:
        """检查 Chat Completions 请求；返回（可能改写过的）请求体，交给 wire/brain。"""
        return body

    def responses_body(self, body: dict) -> dict:
        return body


# ---------------------------------------------------------------- 阿里云百炼（DashScope 兼容模式）


BAILIAN_DOC = "https://help.aliyun.com/zh/model-studio/error-code"


@dataclass
class Bailian(Profile):
    name: str = "bailian"
    label: str = "阿里云百炼 DashScope"
    chat_model: str = "qwen-plus"
    reasoning_model: str = "qwq-plus"
    models: dict[str, ModelSpec] = field(default_factory=lambda: {
        "qwen-plus": ModelSpec(thinking="param", responses=True),
        "qwen-plus-latest": ModelSpec(thinking="param", responses=True),
        "qwen-flash": ModelSpec(thinking="param", json_schema=False, responses=True),
        "qwen-max": ModelSpec(json_schema=False),
        "qwen3-max": ModelSpec(thinking="param", json_schema=False, responses=True),
        "qwen-turbo": ModelSpec(thinking="param", json_schema=False),
        "qwq-plus": ModelSpec(thinking="always", json_schema=False),
    })
    hosted_tools: tuple[str, ...] = ("web_search", "web_extractor", "code_interpreter")

    def _request_id(self) -> str:
        return str(uuid.uuid4())

    def envelope(self, status, message, kind, code=None, param=None):
        rid = self._request_id()
        headers = {"retry-after": "1"} if status == 429 else None
        return ProviderError(status, {
            "error": {"message": message, "type": kind, "param": param, "code": code},
            "id": f"chatcmpl-{rid}", "request_id": rid,
        }, headers)

    def model_not_found(self, model):
        return self.envelope(404, f"The model `{model}` does not exist or you do not have access to it.",
                             "invalid_request_error", "model_not_found")

    def bad_request(self, message, param=None, code=None):
        return self.envelope(400, message, "invalid_request_error", code or "invalid_parameter_error", param)

    def fault(self, mode, model):
        table = {
            "401": (401, "Incorrect API key provided. For details, see: " + BAILIAN_DOC + "#apikey-error",
                    "invalid_request_error", "invalid_api_key"),
            "403": (403, "Access denied.", "AccessDenied", "AccessDenied"),
            "429": (429, "Requests rate limit exceeded, please try again later.", "limit_requests",
                    "limit_requests"),
            "500": (500, "An internal error has occured, please try again later or contact service support.",
                    "internal_error", "internal_error"),
            "503": (503, "Too many requests in route. Please try again later.", "ServiceUnavailable",
                    "ServiceUnavailable"),
            "moderation": (400, "Input data may contain inappropriate content. For details, see: "
                           + BAILIAN_DOC + "#inappropriate-content", "data_inspection_failed",
                           "data_inspection_failed"),
        }
        if mode == "404":
            return self.model_not_found(model)
        if mode in table:
            return self.envelope(*table[mode])
        return None

    def no_responses(self):
        return self.envelope(404, "Requested resource not found.", "invalid_request_error", "NotFound")

    def thinking(self, model, body):
        spec = self.spec(model)
        if spec.thinking == "always":
            return True
        return spec.thinking == "param" and body.get("enable_thinking") is True

    def chat_body(self, body):
        model = self.resolve_model(str(body["model"]))
        spec = self.spec(model)
        thinking = self.thinking(model, body)
        if thinking and not body.get("stream"):
            if spec.thinking == "always":
                raise self.bad_request("This model only support stream mode, please enable the stream "
                                       "parameter to access the model.")
            raise self.bad_request("parameter.enable_thinking must be set to false for non-streaming calls")
        choice = _tool_choice_kind(body.get("tool_choice"))
        if body.get("tools") and thinking and choice in ("required", "named"):
            raise self.bad_request("The tool_choice parameter does not support being set to required or "
                                   "object in thinking mode")
        if body.get("tools") and choice == "required":
            raise self.bad_request('tool_choice is one of the strings that should be ["none", "auto"]')
        fmt = (body.get("response_format") or {}).get("type")
        if fmt in ("json_object", "json_schema") and thinking:
            raise self.bad_request(f"The response_format type {fmt} is not supported in thinking mode.")
        if fmt == "json_schema" and not spec.json_schema:
            raise self.bad_request("The response_format type json_schema is not supported by this model.")
        if fmt == "json_object" and not _mentions_json(body):
            raise self.bad_request("'messages' must contain the word 'json' in some form, to use "
                                   "'response_format' of type 'json_object'.")
        # parallel_tool_calls 照办；默认值文档没写清，按 OpenAI 的默认（可以并行）处理，见 README。
        return {**body, "model": model}

    def responses_body(self, body):
        model = self.resolve_model(str(body["model"]))
        if not self.spec(model).responses:
            raise self.bad_request(f"Model {model} is not supported by the Responses API.", "model")
        return {**body, "model": model}


# ---------------------------------------------------------------- DeepSeek


@dataclass
class DeepSeek(Profile):
    name: str = "deepseek"
    label: str = "DeepSeek"
    chat_model: str = "deepseek-flash"
    reasoning_model: str = "deepseek-v4-pro"
    models: dict[str, ModelSpec] = field(default_factory=lambda: {
        "deepseek-flash": ModelSpec(thinking="default_on", json_schema=False, responses=True),
        "deepseek-v4-flash": ModelSpec(thinking="default_on", json_schema=False, responses=True),
        "deepseek-v4-pro": ModelSpec(thinking="default_on", json_schema=False),
    })
    responses_stateful: bool = False
    hosted_tools: tuple[str, ...] = ()

    def envelope(self, status, message, kind, code=None, param=None):
        headers = {"retry-after": "1"} if status == 429 else None
        return ProviderError(status, {"error": {"message": message, "type": kind, "param": param,
                                                "code": code or "invalid_request_error"}}, headers)

    def model_not_found(self, model):
        return self.envelope(400, "Model Not Exist", "invalid_request_error")

    def fault(self, mode, model):
        table = {
            "401": (401, "Authentication Fails, Your api key: ****-key is invalid", "authentication_error"),
            "402": (402, "Insufficient Balance", "unknown_error"),
            "429": (429, "Rate Limit Reached", "rate_limit_error"),
            "500": (500, "Server Error", "server_error"),
            "503": (503, "Server Overloaded", "server_error"),
            "moderation": (400, "Content Exists Risk", "invalid_request_error"),
        }
        if mode == "404":
            return self.model_not_found(model)
        if mode in table:
            return self.envelope(*table[mode])
        return None

    def no_responses(self):
        return self.envelope(404, "Not Found", "invalid_request_error")

    def thinking(self, model, body):
        self.spec(model)
        thinking = body.get("thinking")
        return not (isinstance(thinking, dict) and thinking.get("type") == "disabled")

    def chat_body(self, body):
        model = self.resolve_model(str(body["model"]))
        spec = self.spec(model)
        thinking = self.thinking(model, body)
        choice = _tool_choice_kind(body.get("tool_choice"))
        if body.get("tools") and thinking and choice in ("required", "named"):
            raise self.bad_request("deepseek thinking mode does not support tool_choice 'required' or a "
                                   "named function; disable thinking ({\"thinking\": {\"type\": "
                                   "\"disabled\"}}) to force a tool call.", "tool_choice")
        fmt = (body.get("response_format") or {}).get("type")
        if fmt == "json_schema" and not spec.json_schema:
            raise self.bad_request("This response_format type is unavailable now")
        if fmt == "json_object" and not _mentions_json(body):
            raise self.bad_request("Prompt must contain the word 'json' in some form to use "
                                   "'response_format' of type 'json_object'.")
        if thinking:
            for i, m in enumerate(body.get("messages") or []):
                if (isinstance(m, dict) and m.get("role") == "assistant" and m.get("tool_calls")
                        and "reasoning_content" not in m):
                    raise self.bad_request(
                        "The `reasoning_content` in the thinking mode must be passed back to the API. "
                        f"Missing `reasoning_content` field in the assistant message at message index {i}",
                        "messages")
        # parallel_tool_calls 不是 DeepSeek 文档里的参数：忽略，模型自己决定。
        body = {k: v for k, v in body.items() if k != "parallel_tool_calls"}
        return {**body, "model": model}

    def responses_body(self, body):
        model = self.resolve_model(str(body["model"]))
        if not self.spec(model).responses:
            raise self.bad_request(f"Model {model} does not support the Responses API yet.", "model")
        return {**body, "model": model}


# ---------------------------------------------------------------- 硅基流动 SiliconFlow


@dataclass
class SiliconFlow(Profile):
    name: str = "siliconflow"
    label: str = "硅基流动 SiliconFlow"
    chat_model: str = "Qwen/Qwen3-32B"
    reasoning_model: str = "deepseek-ai/DeepSeek-R1"
    models: dict[str, ModelSpec] = field(default_factory=lambda: {
        "Qwen/Qwen3-32B": ModelSpec(thinking="default_on", json_schema=False),
        "Qwen/Qwen3-8B": ModelSpec(thinking="default_on", json_schema=False),
        "Qwen/Qwen2.5-72B-Instruct": ModelSpec(json_schema=False),
        "Qwen/Qwen2.5-7B-Instruct": ModelSpec(json_schema=False),
        "deepseek-ai/DeepSeek-V3": ModelSpec(json_schema=False),
        "deepseek-ai/DeepSeek-R1": ModelSpec(thinking="always", tools=False, json_schema=False),
    })
    responses_endpoint: bool = False

    def envelope(self, status, message, kind, code=None, param=None):
        headers = {"retry-after": "1"} if status == 429 else None
        return ProviderError(status, {"code": int(code) if str(code or "").isdigit() else 20015,
                                       "message": message, "data": None}, headers)

    def model_not_found(self, model):
        return ProviderError(400, {"code": 20012, "message": "Model does not exist. Please check it carefully.",
                                   "data": None})

    def fault(self, mode, model):
        if mode == "401":
            return ProviderError(401, "Invalid token")
        if mode == "404":
            return self.model_not_found(model)
        if mode == "429":
            return ProviderError(429, {"message": "Request was rejected due to rate limiting. Details: "
                                                  "TPM limit reached.", "data": None},
                                 {"retry-after": "1"})
        if mode == "403":
            return ProviderError(403, {"code": 30011, "message": "The model requires real-name "
                                                                  "authentication.", "data": None})
        if mode == "moderation":
            return ProviderError(400, {"code": 30001, "message": "The request contains sensitive content.",
                                       "data": None})
        if mode in ("500", "503"):
            return ProviderError(int(mode), {"code": 50505, "message": "Model service overloaded. Please "
                                                                       "try again later.", "data": None})
        return None

    def no_responses(self):
        return PlainTextResponse("404 page not found", status_code=404)

    def thinking(self, model, body):
        spec = self.spec(model)
        if spec.thinking == "always":
            return True
        return spec.thinking == "default_on" and body.get("enable_thinking") is not False

    def chat_body(self, body):
        model = self.resolve_model(str(body["model"]))
        spec = self.spec(model)
        if body.get("tools") and not spec.tools:
            raise ProviderError(400, {"code": 20015, "message": f"The model {model} does not support "
                                                                "function calling.", "data": None})
        fmt = (body.get("response_format") or {}).get("type")
        if fmt == "json_schema" and not spec.json_schema:
            raise ProviderError(400, {"code": 20015, "message": "response_format.type json_schema is not "
                                                                "supported, use json_object.", "data": None})
        # 文档的请求体里没有 tool_choice / parallel_tool_calls：按“被忽略”处理，模型自己决定。
        body = {k: v for k, v in body.items() if k not in ("tool_choice", "parallel_tool_calls")}
        return {**body, "model": model}


# ---------------------------------------------------------------- 本地 Ollama


@dataclass
class Ollama(Profile):
    name: str = "ollama"
    label: str = "本地 Ollama"
    chat_model: str = "qwen2.5:7b"
    reasoning_model: str = "deepseek-r1:7b"
    models: dict[str, ModelSpec] = field(default_factory=lambda: {
        "qwen2.5:7b": ModelSpec(responses=True),
        "qwen3:8b": ModelSpec(thinking="default_on", responses=True),
        "llama3.2": ModelSpec(responses=True),
        "deepseek-r1:7b": ModelSpec(thinking="always", tools=False, responses=True),
    })
    reasoning_field: str = "reasoning"
    responses_stateful: bool = False
    hosted_tools: tuple[str, ...] = ()
    moderation: bool = False

    def envelope(self, status, message, kind, code=None, param=None):
        kind = {400: "invalid_request_error", 404: "not_found_error"}.get(status, "api_error")
        return ProviderError(status, {"error": {"message": message, "type": kind, "param": None,
                                                "code": None}})

    def model_not_found(self, model):
        return self.envelope(404, f'model "{model}" not found, try pulling it first', "not_found_error")

    def fault(self, mode, model):
        table = {
            "401": (401, "unauthorized"),
            "403": (403, "this model requires a subscription, upgrade for access"),
            "429": (429, "you have reached your hourly usage limit, please upgrade to continue"),
            "500": (500, "an error was encountered while running the model"),
            "503": (503, "server busy, please try again.  maximum pending requests exceeded"),
        }
        if mode == "404":
            return self.model_not_found(model)
        if mode in table:
            return self.envelope(table[mode][0], table[mode][1], "")
        return None

    def thinking(self, model, body):
        spec = self.spec(model)
        if spec.thinking == "always":
            return True
        effort = body.get("reasoning_effort") or (body.get("reasoning") or {}).get("effort")
        return spec.thinking == "default_on" and effort != "none"

    def chat_body(self, body):
        model = self.resolve_model(str(body["model"]))
        spec = self.spec(model)
        if body.get("tools") and not spec.tools:
            raise self.envelope(400, f"registry.ollama.ai/library/{model} does not support tools", "")
        # 请求体里没有 tool_choice / parallel_tool_calls 字段（Ollama 文档标为不支持）：被忽略。
        body = {k: v for k, v in body.items() if k not in ("tool_choice", "parallel_tool_calls")}
        return {**body, "model": model}

    def responses_body(self, body):
        model = self.resolve_model(str(body["model"]))
        spec = self.spec(model)
        if body.get("tools") and not spec.tools and any(
            isinstance(t, dict) and t.get("type") == "function" for t in body["tools"]
        ):
            raise self.envelope(400, f"registry.ollama.ai/library/{model} does not support tools", "")
        return {**body, "model": model}


# ---------------------------------------------------------------- 共用：Responses 的限制


def check_responses(profile: Profile, body: dict) -> dict:
    """/v1/responses 上各提供方共有的限制：有没有状态（previous_response_id）、收哪些托管工具。"""
    if profile.is_default:
        return body
    body = profile.responses_body(body)
    if body.get("previous_response_id") and not profile.responses_stateful:
        raise profile.bad_request(f"{profile.label} 的 Responses 接口是无状态的：不支持 previous_response_id，"
                                  "请在 input 里带上完整的对话历史。", "previous_response_id")
    for t in body.get("tools") or []:
        kind = t.get("type") if isinstance(t, dict) else None
        if kind and kind != "function" and kind not in profile.hosted_tools:
            raise profile.bad_request(f"Tool type '{kind}' is not supported.", "tools")
    return body


PROFILES: dict[str, Profile] = {
    p.name: p for p in (Profile(), Bailian(), DeepSeek(), SiliconFlow(), Ollama())
}


def get_profile(name: str | None) -> Profile:
    """按名字取 profile；空字符串 / None 是默认的 openai。名字不对时抛 ValueError（中文说明）。"""
    key = (name or "openai").strip().lower()
    if key not in PROFILES:
        raise ValueError(f"MOCK_PROFILE / --profile={name!r} 不认识。可选值：{' / '.join(PROFILES)}。")
    return PROFILES[key]
