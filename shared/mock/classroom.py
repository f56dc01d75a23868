"""课堂工作流的命令行：在家对着真实模型录像，课堂上离线回放（`python -m shared.mock` 的录像参数）。

    # 在家（有 Key、有网络）：把要演示的一个文件夹的课逐个跑一遍，每个请求都转发给提供方并录下
    python -m shared.mock --record cassettes/05.jsonl --upstream deepseek --run 05_stream_events
    # 检查录像：不联网回放这些课，哪个请求没录到就报错
    python -m shared.mock --replay cassettes/05.jsonl --strict --speed 0 --run 05_stream_events
    # 看录像里有什么：每个条目、来自哪一课、多大
    python -m shared.mock --list cassettes/05.jsonl

课堂上：`.env` 里写一行 `MOCK_CASSETTE=cassettes/05.jsonl`，每课照常 `python 05_stream_events/xx.py`，
就在本进程里回放（shared.config → proxy.ensure_cassette_server），不用另开进程。

也可以单独起一个录制代理 / 回放服务，给任何 OpenAI 兼容的程序用：

    python -m shared.mock --record cassettes/demo.jsonl --upstream deepseek --port 8765
    python -m shared.mock --replay cassettes/demo.jsonl [--strict | --record-on-miss --upstream deepseek]

`--upstream` 是提供方名字（Key 和地址按 shared.config 从 .env 读，和课程脚本完全一样）或一个 base URL。
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from shared.config import PRESETS, REPO_ROOT, ConfigError, Settings, load_settings
from shared.mock.cassette import Cassette, CassetteError, clean_url

__all__ = ["add_arguments", "handle"]

ARGS_LINE = re.compile(r"^\s*测试参数[:：]\s*(.*)$", re.M)
# 不跟着文件夹一起录的脚本：综合案例的压测（对着真实提供方会发出成百上千个一样的请求）。
SKIP = ("load_test.py",)
MISS_MARKERS = ("⚠ 录像里没有这个请求", "✗ 录像 ")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("录像（在家录、课堂上离线回放；见 shared/mock/classroom.py）")
    mode = group.add_mutually_exclusive_group()
    mode.add_argument("--record", metavar="录像", help="录制：每个请求转发给 --upstream，回答存进这个录像文件")
    mode.add_argument("--replay", metavar="录像", help="回放这个录像；没录到的请求由模拟模型代答（或见 --strict）")
    mode.add_argument("--list", metavar="录像", help="列出录像的条目、它们来自哪一课、文件大小")
    group.add_argument("--upstream", metavar="提供方或地址",
                       help="录制时转发到哪里：openai / bailian / deepseek / siliconflow / ollama / custom，"
                            "或 http(s)://…/v1；Key 从 .env 读（不写时用 .env 里配置的提供方）")
    group.add_argument("--strict", action="store_true", help="回放时没录到的请求直接报错，说明是哪个请求")
    group.add_argument("--record-on-miss", action="store_true", help="回放时没录到的请求转发给 --upstream 并补录")
    group.add_argument("--speed", type=float, default=None,
                       help="回放倍速：1（默认）= 录制时的节奏，2 = 快一倍，0 = 不等待")
    group.add_argument("--run", nargs="+", metavar="课程", help="不起服务：把这些课程文件夹 / 脚本逐个跑一遍")
    group.add_argument("--data-dir", metavar="目录",
                       help="--run 时课程的数据目录（每次开跑前清空；默认 data/cassettes/<录像名>）")
    group.add_argument("--log", metavar="目录", help="--run 时把每课的输出存到这个目录（<课程>.out / .err）")


def handle(args: argparse.Namespace) -> int | None:
    """处理录像相关的参数；没有用到它们时返回 None（照常启动模拟模型）。"""
    if args.list:
        return _list(Path(args.list))
    cassette = args.record or args.replay
    if not cassette:
        if args.run or args.strict or args.record_on_miss or args.upstream:
            print("✗ --run / --strict / --record-on-miss / --upstream 要和 --record 或 --replay 一起用。",
                  file=sys.stderr)
            return 2
        return None
    mode = "record" if args.record else "strict" if args.strict else "record-on-miss" if args.record_on_miss \
        else "replay"
    if args.strict and args.record_on_miss:
        print("✗ --strict 和 --record-on-miss 只能选一个。", file=sys.stderr)
        return 2
    try:
        if args.run:
            return _run_lessons(Path(cassette).resolve(), mode, args)
        return _serve(Path(cassette).resolve(), mode, args)
    except (ConfigError, CassetteError) as exc:
        print(exc if isinstance(exc, ConfigError) and str(exc).startswith("✗") else f"✗ {exc}", file=sys.stderr)
        return 1


# ---------------------------------------------------------------- 上游：和课程脚本读同一套配置


def _upstream_settings(target: str | None) -> Settings:
    """`--upstream` → 上游的配置（地址、Key、提供方、模型），按 shared.config 读 .env。"""
    # 读的是“不走录像时”这个提供方的配置：设成空字符串，.env 里的 MOCK_CASSETTE 也不会再填进来。
    os.environ["MOCK_CASSETTE"] = ""
    if target:
        name = target.strip().lower()
        if name in PRESETS and name != "mock":
            os.environ["LLM_PROVIDER"] = name
        elif target.startswith(("http://", "https://")):
            os.environ["OPENAI_BASE_URL"] = target
        else:
            raise ConfigError(f"--upstream={target!r} 既不是提供方名字（{' / '.join(p for p in PRESETS if p != 'mock')}）"
                              "，也不是 http(s):// 开头的地址。")
    settings = load_settings()
    if settings.is_mock:
        raise ConfigError(
            "录制要有一个真实的上游：在 .env 里配置提供方和 Key（例如 LLM_PROVIDER=deepseek、DEEPSEEK_API_KEY=…），"
            "或者加 --upstream deepseek；转发到自定义地址时还要设置 LLM_PROVIDER（例如 custom）。")
    return settings


def _header(settings: Settings) -> dict:
    return {"provider": settings.provider, "model": settings.model, "reasoning_model": settings.reasoning_model,
            "supports_responses": settings.supports_responses, "upstream": clean_url(settings.base_url)}


# ---------------------------------------------------------------- 单独的录制代理 / 回放服务


def _serve(path: Path, mode: str, args: argparse.Namespace) -> int:
    import uvicorn

    from shared.config import known_secrets
    from shared.mock.app import create_app
    from shared.mock.profiles import PROFILES
    from shared.mock.proxy import CassetteApp, Upstream, replay_speed

    cassette = Cassette.load(path)
    forwarding = mode in ("record", "record-on-miss")
    settings = _upstream_settings(args.upstream) if forwarding else None
    provider = settings.provider if settings else cassette.header.get("provider")
    profile = provider if provider in PROFILES else args.profile
    upstream = Upstream(settings.base_url, settings.api_key) if settings else None
    speed = args.speed if args.speed is not None else replay_speed()
    app = CassetteApp(create_app(profile), cassette, mode, upstream, speed,
                      header=_header(settings) if settings else {}, secrets=known_secrets())
    print(f"录像服务：http://{args.host}:{args.port}/v1   （Ctrl+C 停止）")
    if forwarding:
        print(f"  {'录制' if mode == 'record' else '回放 + 补录'}到 {path}；上游 {clean_url(settings.base_url)}"
              f"（{settings.label}，Key={settings.masked_key}）")
    else:
        miss = "报错" if mode == "strict" else f"由模拟模型（{profile}）代答"
        print(f"  回放 {path}：{len(cassette.entries)} 个条目，倍速 {speed:g}；没录到的请求{miss}")
    if provider in PRESETS and provider != "mock":
        key_env = PRESETS[provider].key_env
        key = f" {key_env}=sk-随便填" if key_env and not forwarding else ""
        print(f"  课程脚本用它：LLM_PROVIDER={provider}{key} OPENAI_BASE_URL=http://{args.host}:{args.port}/v1 "
              "python 某课.py")
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


# ---------------------------------------------------------------- 把一个文件夹的课逐个跑一遍


def _lessons(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        path = path if path.is_absolute() else (Path.cwd() / path)
        if not path.exists():
            raise ConfigError(f"--run {raw}：没有这个文件或文件夹。")
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
        for file in files:
            tree = ast.parse(file.read_text(encoding="utf-8"))
            if file.name in SKIP and path.is_dir():
                continue
            if any(isinstance(n, ast.If) and "__main__" in ast.unparse(n.test) for n in tree.body):
                found.append(file.resolve())
    if not found:
        raise ConfigError(f"--run {' '.join(paths)}：里面没有可以运行的课程脚本。")
    return found


def _name(path: Path) -> str:
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def _run_lessons(path: Path, mode: str, args: argparse.Namespace) -> int:
    lessons = _lessons(args.run)
    env = dict(os.environ)
    forwarding = mode in ("record", "record-on-miss")
    if forwarding:
        settings = _upstream_settings(args.upstream)  # 先在这里检查一遍：配置不对就不用逐课失败
        env.update(LLM_PROVIDER=settings.provider)
        if args.upstream and args.upstream.startswith(("http://", "https://")):
            env["OPENAI_BASE_URL"] = args.upstream
        target = f"转发到 {clean_url(settings.base_url)}（{settings.label}，模型 {settings.model}）"
    else:
        if not path.exists():
            raise ConfigError(f"录像 {path} 不存在：先在有网络的地方用 --record 录下来。")
        target = f"倍速 {args.speed if args.speed is not None else 1:g}"
    env.update(MOCK_CASSETTE=str(path), MOCK_CASSETTE_MODE=mode, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    if args.speed is not None:
        env["MOCK_REPLAY_SPEED"] = str(args.speed)
    data_dir = Path(args.data_dir).resolve() if args.data_dir else REPO_ROOT / "data" / "cassettes" / path.stem
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env["ITS_DATA_DIR"] = str(data_dir)
    log = Path(args.log).resolve() if args.log else None
    if log:
        log.mkdir(parents=True, exist_ok=True)

    names = [_name(p) for p in lessons]
    if mode == "record":
        dropped = Cassette.load(path).drop_lessons(names)
        if dropped:
            print(f"重新录制：先删掉录像里这些课原有的 {dropped} 个条目")
    verb = {"record": "录制", "record-on-miss": "回放 + 补录", "strict": "严格回放", "replay": "回放"}[mode]
    print(f"{verb} {len(lessons)} 个课程脚本，录像 {path}，{target}，数据目录 {data_dir}")

    failed = 0
    total = time.perf_counter()
    for n, (lesson, name) in enumerate(zip(lessons, names, strict=True), 1):
        doc = ast.get_docstring(ast.parse(lesson.read_text(encoding="utf-8"))) or ""
        match = ARGS_LINE.search(doc)
        extra = shlex.split(match.group(1)) if match else []
        before = _count(path, name)
        start = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, str(lesson), *extra], cwd=REPO_ROOT, env=env,
                                  stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
            code, out, err = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as exc:
            code, out, err = None, exc.stdout or b"", (exc.stderr or b"") + "\n（超过 600 秒，已停止）".encode()
        seconds = time.perf_counter() - start
        err_text = err.decode("utf-8", "replace")
        misses = sum(line.startswith(MISS_MARKERS) for line in err_text.splitlines())
        if log:
            stem = name.replace("/", "__")
            (log / f"{stem}.out").write_bytes(out)
            (log / f"{stem}.err").write_bytes(err)
        ok = code == 0
        what = f"录了 {_count(path, name) - before} 个请求" if forwarding else \
            f"{misses} 个请求没录到" if misses else "全部命中" if ok else "没有走到模型请求"
        failed += not ok
        print(f"[{n}/{len(lessons)}] {'✓' if ok else '✗'} {name}  退出码 {code}，{seconds:.1f} 秒，{what}")
        if not ok:
            tail = [line for line in err_text.splitlines() if line.strip()][-3:]
            for line in tail:
                print(f"      {line}")

    cassette = Cassette.load(path)
    if forwarding:
        cassette.compact()
    print(f"完成：{len(lessons) - failed} 个成功，{failed} 个失败，用时 {time.perf_counter() - total:.0f} 秒；"
          f"录像 {len(cassette.entries)} 个条目，{cassette.size() / 1024:.1f} KB")
    if forwarding:
        print(f"  看条目：python -m shared.mock --list {_name(path)}")
        print(f"  课堂上：.env 里写 MOCK_CASSETTE={_name(path)}，照常运行各课")
    return 1 if failed else 0


def _count(path: Path, lesson: str) -> int:
    try:
        return sum(e.lesson == lesson for e in Cassette.load(path).entries)
    except CassetteError:
        return 0


def _list(path: Path) -> int:
    if not path.exists():
        print(f"✗ 录像 {path} 不存在。", file=sys.stderr)
        return 1
    try:
        cassette = Cassette.load(path)
    except CassetteError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    try:
        for line in cassette.listing():
            print(line)
    except BrokenPipeError:  # python -m shared.mock --list 录像 | head：读的一方先走了，不算错
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  # 解释器退出时还要刷新 stdout
    return 0
