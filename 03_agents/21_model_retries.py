"""模型调用失败了怎么办：两层重试（HTTP 客户端、SDK 的 `ModelSettings.retry`），对着模拟模型的 429 / 500 实测。

模型服务会限流（429，响应头 `retry-after` 告诉你等几秒）、偶尔出错（500 / 503），也会拒绝你（401 Key 无效）。
能重试的要重试，不该重试的要立刻报出来。请求会经过两层重试：
1. **HTTP 客户端**：`openai` 客户端自己会重试 429 和 5xx（`max_retries`，工厂里是 `LLM_MAX_RETRIES`，默认 2），
   SDK 完全看不到这些失败；
2. **SDK 的 runner 重试**：`ModelSettings(retry=ModelRetrySettings(max_retries=..., backoff=..., policy=...))`，
   `policy` 决定这次失败要不要重试（`retry_policies.http_status`、`retry_after`、`network_error`……可以组合），
   `backoff` 决定等多久。它能看到每次失败，适合记日志、按错误类型决定。
两层都开，请求数会相乘；本课第 1 段两层都开（客户端先把失败消化掉，SDK 的策略数一数自己看到几次），
第 2 段把客户端那层关掉（`with_options(max_retries=0)`），只用 SDK 的。

故障来自内置模拟模型：`POST /mock/faults {"mode": "500", "count": 2}` 让接下来 2 个模型请求失败
（见 shared/mock/README.md）；`GET /mock/stats` 数它一共收到几个请求。真实提供方不能这样预约故障，本课只运行第 0 段。

运行: python 03_agents/21_model_retries.py

预期输出（内置模拟模型）:
    【模型】提供方=mock（内置模拟模型） 模型=mock-model 地址=http://127.0.0.1:.../v1 Key=****
    === 0. 没有故障 ===
    回答：...；模型服务收到 1 个请求
    === 1. 客户端重试在前（max_retries=2）：预约 2 次 500 ===
    回答：...；模型服务收到 3 个请求，SDK 的重试策略看到 0 次失败
    === 2. 只有 SDK 重试（客户端 max_retries=0）：预约 2 次 500 ===
      第 1 次请求失败：HTTP 500 → 重试，等 0.1 秒
      第 2 次请求失败：HTTP 500 → 重试，等 0.2 秒
    回答：...；模型服务收到 3 个请求
    === 3. 限流：预约 1 次 429（retry-after: 1）===
      第 1 次请求失败：HTTP 429 → 重试，等 1 秒
    回答：...；模型服务收到 2 个请求，实际等了 ... 秒
    === 4. Key 无效：预约 1 次 401 ===
      第 1 次请求失败：HTTP 401 → 不重试
    ✗ 模型调用失败 [auth_error]：...
    模型服务收到 1 个请求
提供方预期输出（openai、bailian、deepseek、siliconflow、ollama）:
    === 0. 没有故障 ===
    回答：...
    故障注入只有内置模拟模型支持：当前提供方跳过第 1～4 段。
"""

from __future__ import annotations

import asyncio
import time

import httpx2
from agents import (
    Agent,
    ModelRetrySettings,
    ModelSettings,
    OpenAIChatCompletionsModel,
    RetryDecision,
    RetryPolicyContext,
    Runner,
    retry_policies,
)

from shared.factory import (
    explain_error,
    get_async_client,
    get_chat_model,
    print_provider,
)

QUESTION = "你好"

# 重试什么：服务端给了 retry-after 就按它等；429 / 5xx / 网络错误重试；其余（401、400……）不重试。
RETRYABLE = retry_policies.any(
    retry_policies.retry_after(),
    retry_policies.http_status([429, 500, 502, 503]),
    retry_policies.network_error(),
)


sdk_saw: list[int] = []  # SDK 的重试策略每看到一次失败记一笔（HTTP 状态码）


async def logged_policy(ctx: RetryPolicyContext) -> bool | RetryDecision:
    """在内置策略外面包一层：把 SDK 看到的每次失败和决定打印出来。"""
    sdk_saw.append(ctx.normalized.status_code)
    decision = await RETRYABLE(ctx)
    retry = decision.retry if isinstance(decision, RetryDecision) else bool(decision)
    delay = decision.delay if isinstance(decision, RetryDecision) else None
    if delay is None and retry:  # 策略没给等待时间：按 backoff 算（这里和 SDK 用同样的参数）
        delay = round(BACKOFF["initial_delay"] * BACKOFF["multiplier"] ** (ctx.attempt - 1), 3)
    wait = f"，等 {delay:g} 秒" if retry else ""
    print(f"  第 {ctx.attempt} 次请求失败：HTTP {ctx.normalized.status_code} → "
          f"{'重试' if retry else '不重试'}{wait}")
    return RetryDecision(retry=retry, delay=delay) if retry else False


BACKOFF = {"initial_delay": 0.1, "multiplier": 2.0, "max_delay": 2.0, "jitter": False}


class MockControl:
    """内置模拟模型的控制接口：预约故障、读请求计数。"""

    def __init__(self, base_url: str) -> None:
        self.http = httpx2.AsyncClient(base_url=base_url.removesuffix("/v1"))

    async def arm(self, mode: str, count: int) -> None:
        response = await self.http.post("/mock/faults", json={"mode": mode, "count": count})
        response.raise_for_status()

    async def requests(self) -> int:
        stats = (await self.http.get("/mock/stats")).json()
        return stats["requests"].get("chat", 0)


async def main() -> None:
    settings = print_provider()
    sdk_policy = ModelSettings(retry=ModelRetrySettings(max_retries=3, backoff=BACKOFF, policy=logged_policy))
    # 第 1 段：客户端照常重试，SDK 也挂着同一个会打印的策略——它看没看到失败，由它自己说。
    client_retries = Agent(name="客服", instructions="你是电商客服。", model=get_chat_model(),
                           model_settings=sdk_policy)
    # 第 2 段起：客户端不重试（同一个工厂客户端的副本），失败全部交给 SDK 的策略。
    no_client_retry = OpenAIChatCompletionsModel(
        model=settings.model, openai_client=get_async_client().with_options(max_retries=0)
    )
    sdk_retries = Agent(
        name="客服",
        instructions="你是电商客服。",
        model=no_client_retry,
        model_settings=sdk_policy,
    )

    print("=== 0. 没有故障 ===")
    if not settings.is_mock:
        result = await Runner.run(sdk_retries, QUESTION)
        print(f"回答：{result.final_output}")
        print("故障注入只有内置模拟模型支持：当前提供方跳过第 1～4 段。")
        return
    mock = MockControl(settings.base_url)
    before = await mock.requests()
    result = await Runner.run(client_retries, QUESTION)
    print(f"回答：{result.final_output}；模型服务收到 {await mock.requests() - before} 个请求")

    print(f"=== 1. 客户端重试在前（max_retries={settings.max_retries}）：预约 2 次 500 ===")
    before, seen = await mock.requests(), len(sdk_saw)
    await mock.arm("500", 2)
    result = await Runner.run(client_retries, QUESTION)
    print(f"回答：{result.final_output}；模型服务收到 {await mock.requests() - before} 个请求，"
          f"SDK 的重试策略看到 {len(sdk_saw) - seen} 次失败")

    print("=== 2. 只有 SDK 重试（客户端 max_retries=0）：预约 2 次 500 ===")
    before = await mock.requests()
    await mock.arm("500", 2)
    result = await Runner.run(sdk_retries, QUESTION)
    print(f"回答：{result.final_output}；模型服务收到 {await mock.requests() - before} 个请求")

    print("=== 3. 限流：预约 1 次 429（retry-after: 1）===")
    before = await mock.requests()
    await mock.arm("429", 1)
    start = time.perf_counter()
    result = await Runner.run(sdk_retries, QUESTION)
    print(f"回答：{result.final_output}；模型服务收到 {await mock.requests() - before} 个请求，"
          f"实际等了 {time.perf_counter() - start:.1f} 秒")

    print("=== 4. Key 无效：预约 1 次 401 ===")
    before = await mock.requests()
    await mock.arm("401", 1)
    try:
        await Runner.run(sdk_retries, QUESTION)
    except Exception as exc:  # noqa: BLE001  # 演示：把模型调用错误翻译成中文说明
        code, message = explain_error(exc) or ("unknown", str(exc))
        print(f"✗ 模型调用失败 [{code}]：{message}")
    print(f"模型服务收到 {await mock.requests() - before} 个请求")
    await mock.http.aclose()


if __name__ == "__main__":
    asyncio.run(main())
