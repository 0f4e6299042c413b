"""The Cart Transform function's logic, run with node (Shopify's build tools are not here)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_node_tests(env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``node --test`` on the function's tests; fails the caller's test on any failure."""
    node = shutil.which("node")
    assert node, "node is needed to test the Cart Transform function"
    return subprocess.run(
        [node, "--test", str(ROOT / "tests/extensions/fee_transform.test.mjs")],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_the_cart_transform_function_expands_personalized_lines_at_the_exact_fee():
    result = run_node_tests()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout
    assert "# pass 6" in result.stdout
