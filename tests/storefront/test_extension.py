"""The theme app extension: lint clean, translated, nothing render-blocking."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.env import services_required

EXT = Path(__file__).resolve().parents[2] / "extensions"
THEME = EXT / "luneo-personalizer"


def _flatten(data: dict, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in data.items():
        path = f"{prefix}{key}"
        keys |= _flatten(value, path + ".") if isinstance(value, dict) else {path}
    return keys


def test_theme_check_passes_with_zero_errors():
    if shutil.which("node") is None or not (EXT / "node_modules" / "@shopify").is_dir():
        message = "run `npm ci --prefix extensions` to install theme-check"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        ["node", str(EXT / "theme-check.mjs"), str(THEME)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 errors" in result.stdout


def test_extension_has_an_app_block_and_an_app_embed():
    schemas = {}
    for path in (THEME / "blocks").glob("*.liquid"):
        match = re.search(r"{% schema %}(.*?){% endschema %}", path.read_text(), re.S)
        schemas[path.stem] = json.loads(match.group(1))
    assert schemas["personalize"]["target"] == "section"
    assert schemas["personalize"]["enabled_on"] == {"templates": ["product"]}
    settings = {s.get("id") for s in schemas["personalize"]["settings"]}
    assert {"label", "button_color", "text_color", "placement", "fee_product"} <= settings
    assert schemas["luneo-embed"]["target"] == "body"


def test_storefront_and_editor_strings_exist_in_english_and_french():
    for kind in ("", ".schema"):
        english = json.loads((THEME / "locales" / f"en.default{kind}.json").read_text())
        french = json.loads((THEME / "locales" / f"fr{kind}.json").read_text())
        assert _flatten(english) == _flatten(french), kind or "storefront"


def test_scripts_are_deferred_and_no_stylesheet_blocks_rendering():
    for path in (THEME / "blocks").glob("*.liquid"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*\bsrc=[^>]*>", text):
            assert re.search(r"\b(defer|async)\b", tag), f"{path.name}: {tag}"
        assert "stylesheet_tag" not in text and 'rel="stylesheet"' not in text, path.name
        assert '"stylesheet"' not in text and '"javascript"' not in text, path.name
