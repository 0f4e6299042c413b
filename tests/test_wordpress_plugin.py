"""The WooCommerce WordPress plugin: PHPUnit against stubbed WordPress/WooCommerce functions,
and phpcs (PSR-12). Both come from Debian (php-cli, phpunit, php-codesniffer)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

PLUGIN = Path(__file__).resolve().parent.parent / "connectors/woocommerce/wordpress-plugin"


def _run(tool: str) -> subprocess.CompletedProcess[str]:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (apt-get install php-cli phpunit php-codesniffer)")
    return subprocess.run(
        [tool], cwd=PLUGIN, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_plugins_phpunit_suite_passes():
    result = _run("phpunit")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK (" in result.stdout


def test_the_plugin_follows_psr12():
    result = _run("phpcs")
    assert result.returncode == 0, result.stdout + result.stderr
