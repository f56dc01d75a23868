"""录像（cassette）：把真实模型的一问一答存成一个人能读、能改的文本文件，离线时照着回放。

一个录像是一个 JSON Lines 文件（UTF-8，每行一个 JSON 对象）：

- 第 1 行是文件头：`{"format": "its-cassette/1", "provider": "deepseek", "model": "deepseek-flash", ...}`，
  记下录制时的提供方和模型（回放时课程按它们发出同样的请求）；
- 之后每行一次往返（一个条目）：

      {"key": "3f9a0c1b2d4e5f60", "lesson": "05_stream_events/07_persistent_session.py", "seq": 0,
       "summary": "chat · deepseek-flash · 流式 · 工具 get_weather · 用户：武汉的天气怎么样？",
       "request": {"method": "POST", "path": "/v1/chat/completions", "body": {...}},
       "response": {"status": 200, "content_type": "text/event-stream",
                    "events": [{"t": 0.41, "data": {...}}, ..., {"t": 1.2, "data": "[DONE]"}]}}

  非流式的回答是 `"elapsed": 0.83, "body": {...}`；流式的回答是每个 SSE 事件和它到达的时刻 `t`（秒，
  从发出请求算起），回放时按这个节奏发（或按倍速更快）。每个事件都一样的字段（chat 流每块都重复的 id、
  model……）只在 `common` 里存一次，回放时合并回去。

**怎么认出“同一个请求”（key）**：对请求体做一次规范化再取 SHA-256 的前 16 位（`normalise()`）。
留下会改变回答的部分：模型、messages / input、instructions、tools、tool_choice、response_format /
text.format（schema）、temperature 这类采样参数、思考开关（thinking / enable_thinking / reasoning）、
是否流式。去掉不改变回答的部分：请求头（包括 Key）、URL 的查询串、`user` / `metadata` /
`store` / `prompt_cache_key` 这类记账字段。每次运行都不一样的东西换成占位符：工具调用 id、
消息 id 按出现顺序换成 `<id1>`、`<id2>`……；引用前面某个回答的 id（`previous_response_id`、
会话 id）换成“第几号条目的回答”；文字里的日期、时刻换成 `<日期>` / `<时刻>`；工具结果（JSON 文本）里的进程号、
端口、时间戳、耗时（`VOLATILE_FIELDS`）换成 `<pid>` 这样的占位符。

**手改录像**：`request.body` 就是规范化之后的请求，读取时按它重新计算 key（文件里的 `key` 只是给人看、
方便 grep 的）。改了回答（`response`）就回放改过的；改了请求，就按改过的请求去匹配。

**密钥不进录像**：请求头根本不存；回答头只存 `content_type`；所有文字再过一遍 `Scrubber`：
已知的 Key（.env 里各提供方的 Key 变量）原样出现的地方、`Bearer …`、`sk-…` 形式的 Key、
“api key: ****abcd” 这类报错里回显的打码 Key，都换成 `[已删除]`。哪些地方可能藏着密钥、为什么这样处理，
见 README 的“录像与回放”一节。
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from shared.content import content_text

__all__ = [
    "FORMAT",
    "Cassette",
    "CassetteError",
    "Entry",
    "Scrubber",
    "clean_url",
    "normalise",
    "request_key",
    "summarise",
]

FORMAT = "its-cassette/1"
REDACTED = "[已删除]"

# 不改变回答、只用来记账 / 缓存 / 追踪的请求字段：不参与 key，也不存进录像。
IGNORED_FIELDS = frozenset({
    "user", "metadata", "store", "service_tier", "prompt_cache_key", "prompt_cache_retention",
    "safety_identifier", "stream_options", "background",
})
# 值是“这次运行才有”的 id 的字段：换成按出现顺序编号的占位符。
ID_FIELDS = frozenset({"id", "call_id", "tool_call_id", "item_id", "previous_response_id", "conversation"})
# 工具结果（消息里的 JSON 文本）中每次运行都不一样的字段：进程号、端口、时间戳、耗时。值换成 `<字段名>`。
# 只认这几个名字：订单号、金额这类决定回答的值一个都不动。
VOLATILE_FIELDS = frozenset({"pid", "ppid", "port", "uptime", "uptime_seconds", "elapsed", "elapsed_ms",
                             "duration_ms", "latency_ms", "timestamp", "started_at", "created_at", "updated_at"})

_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日")
_CLOCK = re.compile(r"(?<![\d:])\d{1,2}:\d{2}:\d{2}(?:\.\d+)?(?![\d:])")


class CassetteError(Exception):
    """录像文件读不懂、或者和当前配置对不上：消息是给人看的中文说明。"""


# ---------------------------------------------------------------- 密钥清理


class Scrubber:
    """把文字里的密钥换成 `[已删除]`。

    `secrets`：已知的 Key 原文（来自 .env / 环境变量）。此外不管认不认识，以下形式也都清掉：
    `Bearer xxx`、`sk-` 开头的长串、`api key: ****abcd` / `api_key=...` / `API key provided: sk-ab***cd`
    这类报错里回显的（打码或没打码的）Key。
    """

    PATTERNS = (
        re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=\-]{6,}"),
        re.compile(r"(?i)(\bapi[ _-]?key\b[^:=\n\"]{0,24}?[:=]\s*[\"']?)[^\s\"',;}]{3,}"),
        re.compile(r"()\bsk-[A-Za-z0-9_*\-]{6,}"),
    )

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # 太短的“Key”（ollama、占位符）不当密钥处理：替换它会把普通文字也换掉。
        self.secrets = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        for pattern in self.PATTERNS:
            value = pattern.sub(lambda m: m.group(1) + REDACTED, value)
        return value

    def value(self, obj: Any) -> Any:
        """递归清理 JSON 值里的每个字符串（字典的键也清）。"""
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, list):
            return [self.value(v) for v in obj]
        if isinstance(obj, dict):
            return {self.text(k): self.value(v) for k, v in obj.items()}
        return obj


def clean_url(url: str) -> str:
    """去掉地址里的用户名、密码和查询串（有的服务把 Key 放在 ?key=... 里）。"""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


# ---------------------------------------------------------------- 规范化与 key


def _mask_times(text: str) -> str:
    text = _DATETIME.sub("<时间>", text)
    text = _DATE.sub("<日期>", text)
    return _CLOCK.sub("<时刻>", text)


class _Normaliser:
    def __init__(self, known: dict[str, str]) -> None:
        self.known = known  # 之前回答里出现过的 id → “<条目 KEY 的回答>”
        self.ids: dict[str, str] = {}

    def placeholder(self, value: str) -> str:
        if value in self.known:
            return self.known[value]
        if value.startswith("<") and value.endswith(">"):  # 已经是占位符（读取手改过的录像时）
            return value
        if value not in self.ids:
            self.ids[value] = f"<id{len(self.ids) + 1}>"
        return self.ids[value]

    def walk(self, obj: Any, key: str | None = None, top: bool = False) -> Any:
        if isinstance(obj, dict):
            return {k: self.walk(v, k) for k, v in obj.items() if not (top and k in IGNORED_FIELDS)}
        if isinstance(obj, list):
            return [self.walk(v) for v in obj]
        if isinstance(obj, str):
            if key in ID_FIELDS and obj:
                return self.placeholder(obj)
            if obj in self.known:
                return self.known[obj]
            return _mask_times(_mask_volatile(obj))
        return obj


def _mask_volatile(text: str) -> str:
    """消息里的 JSON 文本（多半是工具结果）：把 VOLATILE_FIELDS 的值换成占位符，按规范格式重写。"""
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return text
    try:
        data = json.loads(stripped)
    except ValueError:
        return text

    def walk(obj: Any) -> Any:
        if isinstance(obj, dict):
            return {k: f"<{k}>" if k in VOLATILE_FIELDS and not isinstance(v, (dict, list)) else walk(v)
                    for k, v in obj.items()}
        if isinstance(obj, list):
            return [walk(v) for v in obj]
        return obj

    masked = walk(data)
    return json.dumps(masked, ensure_ascii=False, sort_keys=True) if masked != data else text


def normalise(method: str, path: str, body: Any, known: dict[str, str] | None = None,
              scrubber: Scrubber | None = None) -> dict:
    """请求 → 它的“身份”：`{"method", "path", "body"}`，只留下会改变回答的部分（见模块说明）。

    `known`：之前的回答里出现过、后面的请求可能引用的 id（Responses 的 response id、会话 id）→ 占位符。
    """
    known = known or {}
    normaliser = _Normaliser(known)
    segments = [known.get(s, s) for s in urlsplit(path).path.split("/")]
    clean_path = "/".join(segments)
    if body is not None:
        body = normaliser.walk(body, top=True)
    request = {"method": method.upper(), "path": clean_path, "body": body}
    return (scrubber or Scrubber()).value(request)


def request_key(request: dict) -> str:
    """规范化之后的请求 → 16 位十六进制的 key。"""
    text = json.dumps(request, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _last_user_text(body: dict) -> str:
    for source in (body.get("messages"), body.get("input")):
        if isinstance(source, str):
            return source
        if isinstance(source, list):
            for item in reversed(source):
                if isinstance(item, dict) and item.get("role") == "user":
                    return " ".join(content_text(item.get("content")).split())
    return ""


def _clip(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def summarise(request: dict) -> str:
    """给人看的一行：接口 · 模型 · 流式 · 工具 · 这一轮在等什么（最后一句用户的话，或者工具结果）。"""
    body = request.get("body")
    path = str(request.get("path", ""))
    api = {"/v1/chat/completions": "chat", "/v1/responses": "responses"}.get(path, f"{request.get('method')} {path}")
    if not isinstance(body, dict):
        return api
    parts = [api]
    if body.get("model"):
        parts.append(str(body["model"]))
    if body.get("stream"):
        parts.append("流式")
    tools = [
        (t.get("function") or {}).get("name") or t.get("name") or t.get("type")
        for t in body.get("tools") or [] if isinstance(t, dict)
    ]
    if tools:
        shown = "、".join(str(t) for t in tools[:3]) + ("…" if len(tools) > 3 else "")
        parts.append(f"工具 {shown}")
    user = _last_user_text(body)
    if user:
        parts.append("用户：" + _clip(user))
    items = body.get("messages") if isinstance(body.get("messages"), list) else body.get("input")
    last = items[-1] if isinstance(items, list) and items else None
    if isinstance(last, dict) and (last.get("role") == "tool" or last.get("type") == "function_call_output"):
        parts.append("带着工具结果：" + _clip(content_text(last.get("content") or last.get("output")), 24))
    return " · ".join(parts)


# ---------------------------------------------------------------- 条目与文件


@dataclass
class Entry:
    """录像里的一次往返。"""

    request: dict
    response: dict
    lesson: str = ""
    seq: int = 0  # 同一课里第几次发出这个（规范化后相同的）请求
    key: str = ""
    summary: str = ""

    def __post_init__(self) -> None:
        self.key = request_key(self.request)
        self.summary = summarise(self.request)

    @property
    def stream(self) -> bool:
        return "events" in self.response

    @property
    def status(self) -> int:
        return int(self.response.get("status", 200))

    def to_json(self) -> dict:
        return {"key": self.key, "lesson": self.lesson, "seq": self.seq, "summary": self.summary,
                "request": self.request, "response": self.response}

    def line(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"

    def returned_ids(self) -> list[str]:
        """这个回答里、后面的请求可能引用的 id：Responses 的 response id、会话 id。"""
        found: list[str] = []
        bodies = [self.response.get("body")]
        bodies += [e.get("data") for e in self.response.get("events", [])]
        for body in bodies:
            if not isinstance(body, dict):
                continue
            for obj in (body, body.get("response")):
                if isinstance(obj, dict) and obj.get("object") in ("response", "conversation"):
                    rid = obj.get("id")
                    if isinstance(rid, str) and rid and rid not in found:
                        found.append(rid)
        return found

    @property
    def reference(self) -> str:
        """别的请求引用这个回答时，规范化成的占位符。"""
        return f"<条目 {self.key} 的回答>"


@dataclass
class Cassette:
    """一个录像文件：文件头 + 条目。读取时按 `request` 重新计算 key，同一（key、课、seq）后写的覆盖先写的。

    写入只追加一行（多个进程同时录同一个文件也不会互相覆盖）；`compact()` 把文件整理成去重后的样子。
    """

    path: Path
    header: dict = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    # ---- 读

    @classmethod
    def load(cls, path: str | os.PathLike) -> Cassette:
        path = Path(path)
        cassette = cls(path)
        if not path.exists():
            return cassette
        latest: dict[tuple[str, str, int], Entry] = {}
        with path.open(encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except ValueError as exc:
                    raise CassetteError(f"录像 {path} 第 {number} 行不是合法的 JSON（{exc}）。"
                                        "手改时每个条目必须写在一行里。") from None
                if not isinstance(data, dict):
                    raise CassetteError(f"录像 {path} 第 {number} 行不是 JSON 对象。")
                if "format" in data:
                    if data["format"] != FORMAT:
                        raise CassetteError(f"录像 {path} 的格式是 {data['format']!r}，这里只认 {FORMAT!r}。")
                    cassette.header = data
                    continue
                try:
                    entry = Entry(normalise(data["request"]["method"], data["request"]["path"],
                                            data["request"].get("body")),
                                  data["response"], str(data.get("lesson") or ""), int(data.get("seq") or 0))
                except (KeyError, TypeError, ValueError, AttributeError):
                    raise CassetteError(f"录像 {path} 第 {number} 行缺少 request / response。") from None
                if data.get("key") and data["key"] != entry.key:
                    cassette.warnings.append(
                        f"第 {number} 行的请求被改过：key 按改过的请求重新计算为 {entry.key}（文件里写的是 {data['key']}）")
                latest.pop((entry.key, entry.lesson, entry.seq), None)  # 后写的排到后面
                latest[(entry.key, entry.lesson, entry.seq)] = entry
        cassette.entries = list(latest.values())
        return cassette

    def known_ids(self) -> dict[str, str]:
        return {rid: e.reference for e in self.entries for rid in e.returned_ids()}

    def find(self, key: str, lesson: str, seq: int) -> Entry | None:
        """回放：同一课第 seq 次发出这个请求 → 那一次录下的回答（录到的次数不够时用最后一次）。

        这一课没录到这个请求、别的课录到过（一模一样的请求）时，用别的课的。
        """
        same = [e for e in self.entries if e.key == key and e.lesson == lesson]
        pool = same or [e for e in self.entries if e.key == key]
        if not pool:
            return None
        exact = [e for e in pool if e.seq == seq]
        return exact[-1] if exact else max(pool, key=lambda e: e.seq)

    # ---- 写

    def ensure_header(self, header: dict) -> None:
        """第一次写入时写文件头；已有文件头且提供方不同时拒绝（一个录像只录一个提供方）。"""
        if self.header:
            mine, theirs = self.header.get("provider"), header.get("provider")
            if mine and theirs and mine != theirs:
                raise CassetteError(
                    f"录像 {self.path} 是用 {mine} 录的，现在的提供方是 {theirs}：换一个录像文件名，"
                    "或删掉这个文件重新录。")
            return
        self.header = {"format": FORMAT, **header}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists() and self.path.stat().st_size:
            self.compact()  # 旧文件没有文件头：整理时补上
        else:
            self._append(json.dumps(self.header, ensure_ascii=False) + "\n")

    def add(self, entry: Entry) -> None:
        for i, old in enumerate(self.entries):
            if (old.key, old.lesson, old.seq) == (entry.key, entry.lesson, entry.seq):
                del self.entries[i]
                break
        self.entries.append(entry)
        self._append(entry.line())

    def _append(self, text: str) -> None:
        # 一次 write() 写完一整行，O_APPEND：并发的写入各自落在文件末尾，不会交错。
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, text.encode("utf-8"))
        finally:
            os.close(fd)

    def drop_lessons(self, lessons: Iterable[str]) -> int:
        """删掉这些课的全部条目（重新录制一课之前）；返回删了几个。"""
        names = set(lessons)
        before = len(self.entries)
        self.entries = [e for e in self.entries if e.lesson not in names]
        if len(self.entries) != before:
            self.compact()
        return before - len(self.entries)

    def compact(self) -> None:
        """把文件重写成去重后的样子（文件头 + 每个条目一行，按录制顺序）。"""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            if self.header:
                f.write(json.dumps(self.header, ensure_ascii=False) + "\n")
            for entry in self.entries:
                f.write(entry.line())
        tmp.replace(self.path)

    # ---- 给人看

    def size(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def listing(self) -> Iterator[str]:
        """`python -m shared.mock --list 录像`：每个条目一行，再按课程汇总条目数和大小。"""
        head = self.header
        yield (f"录像 {self.path}：提供方 {head.get('provider', '?')}（模型 {head.get('model', '?')}），"
               f"录自 {head.get('upstream', '?')}")
        streams = sum(e.stream for e in self.entries)
        yield f"  {len(self.entries)} 个条目（流式 {streams} 个），文件 {_kb(self.size())}"
        for warning in self.warnings:
            yield f"  注意：{warning}"
        if not self.entries:
            return
        yield ""
        yield f"  {'#':>3}  {'key':16}  {'状态':4}  {'用时':>6}  课程 / 请求"
        for n, e in enumerate(self.entries, 1):
            took = e.response.get("elapsed") if not e.stream else (e.response["events"] or [{}])[-1].get("t")
            took_text = f"{float(took):.2f}s" if isinstance(took, (int, float)) else "-"
            seq = f" 第 {e.seq + 1} 次" if e.seq else ""
            yield f"  {n:>3}  {e.key}  {e.status:<4}  {took_text:>6}  {e.lesson or '（未知课程）'}{seq}"
            yield f"  {'':>3}  {'':16}  {'':4}  {'':>6}  {e.summary}"
        yield ""
        yield "  按课程："
        per: dict[str, list[Entry]] = {}
        for e in self.entries:
            per.setdefault(e.lesson or "（未知课程）", []).append(e)
        for lesson, items in per.items():
            size = sum(len(e.line().encode("utf-8")) for e in items)
            yield f"    {lesson}  {len(items)} 个条目  {_kb(size)}"


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KB（{size} 字节）"
