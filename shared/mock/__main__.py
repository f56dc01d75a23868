"""单独运行内置模拟模型：python -m shared.mock --port 8765

之后任何 OpenAI 兼容的程序都可以这样用它：
    OPENAI_BASE_URL=http://127.0.0.1:8765/v1  OPENAI_API_KEY=任意值  模型名 mock-model
让课程脚本共用这个服务（而不是各自在进程内启动一个）：
    LLM_PROVIDER=mock MOCK_BASE_URL=http://127.0.0.1:8765/v1 python 03_agents/....py
在家录下真实模型的回答、课堂上离线回放（--record / --replay / --list，见 classroom.py）：
    python -m shared.mock --record cassettes/05.jsonl --upstream deepseek --run 05_stream_events
按某个提供方的接口行为回应（--profile，默认 openai），离线演练“改 .env 换提供方”：
    python -m shared.mock --port 8766 --profile bailian
    LLM_PROVIDER=bailian DASHSCOPE_API_KEY=sk-dummy \
        OPENAI_BASE_URL=http://127.0.0.1:8766/v1 python 01_models/02_responses_api.py
"""

from __future__ import annotations

import argparse
import os

import uvicorn

from shared.mock import classroom
from shared.mock.app import create_app
from shared.mock.profiles import PROFILES


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.mock", description="内置 OpenAI 兼容模拟模型")
    parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    parser.add_argument("--port", type=int, default=8765, help="端口（默认 8765）")
    parser.add_argument("--log-level", default="info", help="uvicorn 日志级别（默认 info）")
    parser.add_argument(
        "--profile", choices=list(PROFILES), default=os.environ.get("MOCK_PROFILE") or "openai",
        help="按哪个提供方的接口行为回应（默认 openai，也可用环境变量 MOCK_PROFILE）",
    )
    classroom.add_arguments(parser)
    args = parser.parse_args()
    handled = classroom.handle(args)  # 录像：--record / --replay / --list
    if handled is not None:
        raise SystemExit(handled)
    profile = PROFILES[args.profile]
    print(f"内置模拟模型：http://{args.host}:{args.port}/v1   （Ctrl+C 停止）")
    if not profile.is_default:
        print(f"  提供方差异：{profile.name}（{profile.label}）  模型：{', '.join(profile.models)}")
    print("  流式分片间隔：MOCK_STREAM_DELAY（秒，默认 0.02）；故障注入：请求头 X-Mock-Fault")
    uvicorn.run(create_app(args.profile), host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
