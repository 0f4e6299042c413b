"""Module boundaries: feature packages never import each other in a circle, and the render
engine imports nothing of the web application.

Every import counts, those inside functions included: a function-local import is still a
dependency, only a hidden one.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "luneo_app"
PACKAGES = sorted(p.name for p in APP.iterdir() if (p / "__init__.py").exists())


def _imported_modules(path: Path, package: tuple[str, ...]) -> list[tuple[str, int]]:
    """Absolute dotted names of every module ``path`` imports, with their line numbers."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, node.lineno))
            # ``from .. import orders`` imports the package ``orders``
            found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def feature_graph() -> dict[str, dict[str, list[str]]]:
    """``{package: {imported package: ["file:line", ...]}}`` between luneo_app's packages."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in APP.rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("").parts
        if len(rel) < 3:  # luneo_app/<module>.py: the factory wires everything
            continue
        package = rel[:-1] if path.name != "__init__.py" else rel[:-1]
        source = rel[1]
        for module, line in _imported_modules(path, package):
            parts = module.split(".")
            if len(parts) >= 2 and parts[0] == "luneo_app" and parts[1] in PACKAGES:
                target = parts[1]
                if target != source:
                    graph[source][target].append(f"{path.relative_to(ROOT)}:{line}")
    return graph


def _cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


def test_feature_packages_import_each_other_without_cycles():
    graph = feature_graph()
    cycles = _cycles(graph)
    explained = []
    for cycle in cycles:
        for a in cycle:
            for b in cycle:
                if b in graph.get(a, {}):
                    explained.append(f"{a} -> {b}: {', '.join(graph[a][b][:3])}")
    assert cycles == [], "import cycles between packages:\n" + "\n".join(explained)


def test_the_lifecycle_is_reached_through_signals_not_by_importing_its_listeners():
    graph = feature_graph()
    for listener in ("three_d", "orders", "outbound"):
        assert listener not in graph["designs"], graph["designs"].get(listener)


def test_the_render_engine_imports_nothing_of_the_web_application():
    offenders = []
    for path in (ROOT / "render").rglob("*.py"):
        package = path.relative_to(ROOT).with_suffix("").parts[:-1]
        for module, line in _imported_modules(path, package):
            if module.split(".")[0] in ("luneo_app", "flask", "sqlalchemy", "celery"):
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert offenders == []


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function():
    graph = {"a": {"b": ["a/x.py:3"]}, "b": {"c": ["b/y.py:9"]}, "c": {"a": ["c/z.py:12"]}}
    assert _cycles(graph) == [["a", "b", "c"]]
