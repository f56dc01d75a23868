"""07 综合案例的“房间”各管各的：读源码里的 import（`ast`，不执行任何代码）检查

- its_service 里没有导入的环（函数里面的 import 也算：那只是把环藏起来了）；
- worker（its_service.main 和它导入的一切，app.py）不导入业务数据层（its_service.shop）、业务服务
  （mcp_server）和 SQLAlchemy：worker 只经 MCP 调用业务服务；
- 路由（routes/）只调用服务对象的公开方法：不碰 `.store`、`.business`、`.team`、`.admission` 这些内部零件，
  也不翻 `app.state` 里的东西；
- 消息内容拍平成文字只有一个函数：shared/content.py 的 `content_text`（这里也测它的行为）。
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.lessons import REPO

PROJECT = REPO / "07_projects"
PACKAGE = PROJECT / "its_service"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}


def imports_of(path: Path, name: str | None = None) -> set[str]:
    """一个文件导入的全部模块（任何位置的 import）。`from 包 import 子模块` 记成子模块。"""
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # 相对导入
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            submodules = {f"{base}.{alias.name}" for alias in node.names} & set(MODULES)
            found.update(submodules)
            if len(submodules) < len(node.names):  # 还从包本身导入了名字
                found.add(base)
    return found


GRAPH = {name: {m for m in imports_of(path, name) if m in MODULES and m != name} for name, path in MODULES.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """深度优先找一个环，找到就返回它（首尾是同一个模块）。"""
    state: dict[str, int] = {}  # 1 = 正在走，2 = 走完了
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def closure(start: set[str]) -> set[str]:
    seen, todo = set(), list(start)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(GRAPH.get(name, ()))
        if "." in name and name.rpartition(".")[0] in MODULES:  # 导入子模块时，它的包也被导入
            todo.append(name.rpartition(".")[0])
    return seen


def test_the_capstone_has_no_import_cycle():
    assert len(MODULES) > 30  # 真的读到了整个包
    assert find_cycle(GRAPH) is None, " → ".join(find_cycle(GRAPH) or [])


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_workers_never_import_the_business_database():
    app_imports = {m for m in imports_of(PROJECT / "app.py", "app") if m in MODULES}
    worker = closure({"its_service.main", *app_imports})
    assert "its_service.chat" in worker and "its_service.mcp_client" in worker
    forbidden = {m for m in worker if m.startswith(("its_service.shop", "its_service.mcp_server"))}
    assert not forbidden, f"worker 导入了业务数据层：{sorted(forbidden)}"
    third_party = set().union(*(imports_of(MODULES[m]) for m in worker), imports_of(PROJECT / "app.py"))
    assert not {m for m in third_party if m.split(".")[0] in ("sqlalchemy", "alembic", "psycopg")}
    # 反过来：业务服务那一边也不导入 worker 的东西（两边只共享 business.py、settings.py）
    business_side = closure({"its_service.mcp_server", "its_service.__main__"})
    assert business_side & {"its_service.main", "its_service.chat", "its_service.mcp_client"} == set()


INTERNALS = {"store", "business", "team", "admission", "supervisor", "locks", "lock_tasks", "active_runs", "running"}


@pytest.mark.parametrize("path", sorted((PACKAGE / "routes").glob("*.py")), ids=lambda p: p.name)
def test_routes_call_services_through_their_public_methods(path):
    """路由里不出现 `chat.store`、`approvals.business` 这种取内部零件的写法，也不从 app.state 直接拿服务。"""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    reached = sorted({f"{ast.unparse(node.value)}.{node.attr}" for node in ast.walk(tree)
                      if isinstance(node, ast.Attribute) and node.attr in INTERNALS
                      and not (isinstance(node.value, ast.Attribute) and node.value.attr == "state")})
    assert reached == [], f"{path.name} 直接用了服务的内部零件：{reached}"
    state = sorted({ast.unparse(node) for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Attribute) and node.value.attr == "state"
                    and node.attr not in ("chat", "approvals", "customers", "business", "worker_id")})
    assert state == [], f"{path.name} 从 app.state 取了服务以外的东西：{state}"


def test_message_content_is_flattened_in_one_place():
    from shared.content import content_text

    assert content_text("你好") == "你好"
    assert content_text(None) == "" and content_text(42) == ""
    assert content_text([{"type": "input_text", "text": "订单"}, {"type": "output_text", "text": " A1001"}]) == "订单 A1001"
    assert content_text({"type": "text", "text": "{\"a\": 1}"}) == "{\"a\": 1}"
    assert content_text([{"type": "refusal", "refusal": "不能说"}, {"type": "input_image", "image_url": "x"}]) == "不能说"
    assert content_text(["a", {"text": "b"}]) == "ab"

    class Block:  # MCP SDK 的 TextContent 这类对象
        type, text = "text", "来自对象"

    assert content_text([Block()]) == "来自对象"
    # 综合案例里再没有自己拍平内容块的代码：用到的地方都导入这一个函数
    users = {name for name, path in MODULES.items() if "shared.content" in imports_of(path)}
    assert {"its_service.sessions", "its_service.guardrails", "its_service.mcp_client"} <= users
    mock = {f"shared.mock.{p.stem}": p for p in (REPO / "shared" / "mock").glob("*.py")}  # 模拟模型读请求也用它
    assert "shared.content" in imports_of(mock["shared.mock.wire"], "shared.mock.wire")
    for name, path in {**MODULES, **mock}.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        assert not defined & {"content_text", "_content_text", "_text_of", "tool_text_of"}, name
