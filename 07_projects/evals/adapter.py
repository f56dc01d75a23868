"""评测和客服服务内部之间的**唯一**接口：怎么像服务那样建起团队、怎么拿到一份新的演示数据、怎么发一句话。

评测的其余部分（场景、打分、报告、`--url` 模式）只认这里给出的几样东西，不碰 `its_service` 的任何模块：

- `demo_data()`：演示数据（seed.json）里的顾客和订单——打分时用来认出“别的顾客的数据”；
- `seed_demo_db(path)`：在 `path` 建一份新的演示业务库；`restore_demo_db(原样, 现用)` 把用过的库恢复原样；
- `InProcessService`：在本进程里**照服务的样子**启动一个 worker（`create_app()` 的 lifespan：会话存储、
  业务服务子进程和 MCP 长连接、护栏、`build_team()`、`ChatService`），`ask(顾客, 这句话, 会话)` 走的就是
  `POST /api/chat/sse` 背后那个 `ChatService.chat()`——同样的 Agent、护栏、业务服务，顾客编号放在运行上下文里，
  产出同样的 SSE 事件，只是没有 HTTP 这一层；
- `WEAKENINGS` / `InProcessService(weaken=...)`：故意削弱团队（拿掉前台到退款专员的 handoff、拿掉越狱检测护栏），
  看评测能不能发现——也是课堂上演示“改坏了一处，哪些分数掉了”的办法；
- `team_card()`：团队的样子（和 `GET /api/team` 同一个函数产出），场景文件里写的 Agent 和工具名用它核对。

**业务库换了实现时，只需要改这个文件**：`seed_demo_db` 用数据层的 `create_database()`（Alembic 建表 +
seed.json），评测的库总是一个临时 SQLite 文件；`restore_demo_db` 用 SQLite 的在线备份接口
（`sqlite3.Connection.backup`，业务服务开着连接也能安全地整库覆盖）。

为什么要动 `sys.path`：评测脚本在 `07_projects/evals/` 里运行（`python 07_projects/evals/run.py`），
`its_service` 在上一层目录，综合案例本身不是安装进环境的包（和 `app.py` 一样靠“脚本所在目录”找到它）。
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent  # 07_projects/
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

SEED_FILE = PROJECT_DIR / "its_service" / "seed.json"
# 故意削弱团队的几种办法：名字 → 说明（run.py --weaken 的可选值）
WEAKENINGS = {
    "no-refund-handoff": "前台分诊不再能把对话交给售后退款专员（拿掉 triage → refund 的 handoff）",
    "no-jailbreak-guardrail": "四位 Agent 都不挂越狱检测护栏（话题相关性等其余护栏照旧）",
}


def demo_data() -> dict[str, Any]:
    """演示数据：顾客（编号、名字、手机号、地址）、订单（属于谁、运单号），以及数据里出现的全部中文值
    （商品名、快递公司、地名、状态……）。打分时用来认出“别人的数据”，判断回答语言时先去掉这些专有名词。"""
    seed = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    customers = {c["customer_id"]: dict(c) for c in seed["customers"]}
    orders = {o["order_id"]: {"customer_id": o["customer_id"],
                              "tracking_no": (o.get("shipment") or {}).get("tracking_no", "")}
              for o in seed["orders"]}
    vocabulary: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if not key.startswith("_"):
                    collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, str) and len(value) >= 2:
            vocabulary.add(value)

    collect(seed)
    return {"customers": customers, "orders": orders, "vocabulary": sorted(vocabulary, key=len, reverse=True)}


def seed_demo_db(path: Path) -> None:
    """在 `path` 建一份新的演示业务库（SQLite；最新的表结构 + seed.json 的数据，时间相对于现在）。"""
    from its_service.shop import create_database

    create_database(sqlite_url(path), reset=True)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def restore_demo_db(pristine: Path, live: Path) -> None:
    """把 `live` 整库恢复成 `pristine` 的样子。业务服务子进程一直开着 `live`：用 SQLite 的在线备份接口
    覆盖（它在一个写事务里换掉全部页面，别的连接下次读时看到的就是新内容），不能直接复制文件。"""
    with sqlite3.connect(pristine) as source, sqlite3.connect(live, timeout=30) as target:
        source.backup(target)


class InProcessService:
    """本进程里的一个客服 worker，和 `python 07_projects/app.py` 启动的那个一模一样（同一个 `create_app()`），
    只是不监听端口。业务库放在 `workdir` 里：先用 `pristine` 复制一份，每个场景开始前 `reset()` 恢复原样。"""

    def __init__(self, workdir: Path, pristine: Path, weaken: str | None = None) -> None:
        self.workdir = workdir
        self.pristine = pristine
        self.weaken = weaken
        self.shop_db = workdir / "its_shop.db"
        self._lifespan: AbstractAsyncContextManager[Any] | None = None
        self._app: Any = None

    async def start(self) -> None:
        from its_service.main import create_app
        from its_service.settings import load_settings

        self.workdir.mkdir(parents=True, exist_ok=True)
        restore_demo_db(self.pristine, self.shop_db)
        # 服务自己的配置照常从环境变量 / .env 读（ITS_GUARDRAILS、退款门槛……），只把数据放进临时目录；
        # 后台令牌随便给一个，免得 create_app 生成并打印一个用不上的。
        settings = load_settings(shop_db_url=sqlite_url(self.shop_db), conversations_db=self.workdir / "conversations.db",
                                 staff_token="evals-not-used", mcp_url="", redis_url="")
        self._app = create_app(settings)
        self._lifespan = self._app.router.lifespan_context(self._app)
        await self._lifespan.__aenter__()
        if self.weaken:
            _weaken(self._app.state.chat.team, self.weaken)

    async def reset(self) -> None:
        """下一个场景之前：业务库恢复成刚建好的样子（退款单、工单、审批单都清掉）。"""
        restore_demo_db(self.pristine, self.shop_db)

    async def ask(self, customer_id: str, query: str, session_id: str | None) -> AsyncIterator[tuple[str, dict]]:
        """一位登录的顾客说一句话：和 `POST /api/chat/sse` 同一个 `ChatService.chat()`，产出 (事件名, data)。"""
        async for event in self._app.state.chat.chat(customer_id, query, session_id):
            yield event.name, event.data

    def team_card(self) -> dict[str, Any]:
        """团队的样子：`GET /api/team` 用的同一个 `Team.describe()`（MCP 工具清单还没取过时用业务服务的常量）。"""
        return self._app.state.chat.describe_team()

    async def close(self) -> None:
        if self._lifespan is not None:
            lifespan, self._lifespan = self._lifespan, None
            await lifespan.__aexit__(None, None, None)


def _weaken(team: Any, how: str) -> None:
    """启动之后改动团队里的 Agent 对象（所有对话共用它们）。"""
    from its_service.agents import REFUND
    from its_service.guardrails import JAILBREAK

    if how == "no-refund-handoff":
        team.triage.handoffs = [h for h in team.triage.handoffs if getattr(h, "name", "") != REFUND]
    elif how == "no-jailbreak-guardrail":
        for agent in team.members.values():
            agent.input_guardrails = [g for g in agent.input_guardrails if g.get_name() != JAILBREAK]
    else:
        raise ValueError(f"不认识的削弱方式 {how!r}（可选：{'、'.join(WEAKENINGS)}）")


def new_workdir(prefix: str = "its-evals-") -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))
