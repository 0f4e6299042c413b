"""Dependency hygiene: every runtime pin is used by production code, and packages only the
tests use are pinned in requirements-dev.txt."""

from __future__ import annotations

import ast
import re
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_CODE = ["luneo_app", "render", "connectors", "migrations", "wsgi.py", "asgi.py"]
# Programs the deployment runs by name rather than by import.
DEPLOYMENT_FILES = ["Dockerfile", "docker-compose.yml", "scripts/start"]
# Pinned ahead of the issue that uses it (none now: billing imports stripe).
WAITING_FOR_THEIR_ISSUE: set[str] = set()


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-r"):
            continue
        dist = re.split(r"[\[=<>~!; ]", line, maxsplit=1)[0]
        pins[_norm(dist)] = line
    return pins


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imports(paths: list[str]) -> set[str]:
    modules: set[str] = set()
    for entry in paths:
        path = ROOT / entry
        files = [path] if path.is_file() else list(path.rglob("*.py"))
        for file in files:
            for node in ast.walk(ast.parse(file.read_text(), str(file))):
                if isinstance(node, ast.Import):
                    modules |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules.add(node.module.split(".")[0])
    return modules


def _used_distributions(paths: list[str]) -> set[str]:
    owners = packages_distributions()
    used = {_norm(dist) for module in _imports(paths) for dist in owners.get(module, [])}
    text = "\n".join(
        p.read_text()
        for entry in paths
        for p in ([ROOT / entry] if (ROOT / entry).is_file() else (ROOT / entry).rglob("*.py"))
    )
    # The database driver SQLAlchemy loads from the URL (``postgresql+psycopg://``).
    used |= {_norm(driver) for driver in re.findall(r"\+(\w+)://", text)}
    deployment = "\n".join((ROOT / f).read_text() for f in DEPLOYMENT_FILES if (ROOT / f).exists())
    used |= {_norm(word) for word in re.findall(r"[\w-]+", deployment)}
    return used


def test_every_runtime_pin_is_used_by_production_code():
    used = _used_distributions(PRODUCTION_CODE)
    unused = sorted(
        line
        for dist, line in _pins("requirements.txt").items()
        if dist not in used and dist not in WAITING_FOR_THEIR_ISSUE
    )
    assert unused == [], f"pinned for production but never used there: {unused}"


def test_packages_only_the_tests_use_are_dev_requirements():
    runtime = set(_pins("requirements.txt"))
    dev = set(_pins("requirements-dev.txt"))
    test_only = _used_distributions(["tests", "bench"]) - _used_distributions(PRODUCTION_CODE)
    owners = {_norm(d) for dists in packages_distributions().values() for d in dists}
    misplaced = sorted((test_only & owners & runtime) - WAITING_FOR_THEIR_ISSUE)
    assert misplaced == [], f"used only by tests, yet pinned as runtime: {misplaced}"
    unpinned = sorted(
        dist for dist in test_only & owners - runtime - dev if dist in _direct_test_imports()
    )
    assert unpinned == [], f"imported by tests but pinned nowhere: {unpinned}"


def _direct_test_imports() -> set[str]:
    owners = packages_distributions()
    return {
        _norm(dist) for module in _imports(["tests", "bench"]) for dist in owners.get(module, [])
    }
