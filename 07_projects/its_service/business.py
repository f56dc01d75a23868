"""worker 和业务服务之间的约定：两边都导入这个文件，它自己不导入任何一边（也不碰数据库）。

- 业务服务的名字、就绪时打印的那一行、MCP 请求 `_meta` 里放顾客编号的键；
- 哪些业务服务的工具交给订单专员 Agent（其余的只由 worker 的代码调用，模型看不到）；
- 主管的两种决定和审批单上对应的状态（后台接口校验它，业务库按它改状态）；
- `Business`：worker 眼里的业务服务——`await business.call("create_refund", customer=..., **参数)`。
  线上是 mcp_client.BusinessClient（MCP 长连接）；压测地板、评测用 shop.LocalBusiness（同一个进程里直接调用）。
"""

from __future__ import annotations

from typing import Any, Protocol

NAME = "its-business"
READY_PREFIX = "MCP_READY "
CUSTOMER_META = "its/customer_id"  # MCP 请求 _meta 里的顾客编号（worker 按会话的主人填，模型填不了）
AGENT_TOOLS = ("get_order", "track_shipment")
DECISIONS = {"approve": "approved", "reject": "rejected"}  # 主管的决定 → 审批单的状态


class Business(Protocol):
    """业务服务的客户端：调一个业务操作，返回解析好的 JSON。`customer`：代表哪位顾客。"""

    async def call(self, name: str, *, customer: str | None = None, **arguments: Any) -> Any: ...
