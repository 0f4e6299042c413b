"""Accessibility of the storefront widget (the EU Accessibility Act applies to shops since
June 2025): axe-core (WCAG 2.1 A/AA: labels, names, contrast, ARIA) finds nothing in the
widget, the keyboard reaches every control in reading order, and a finish is chosen with
the keyboard alone. axe-core comes from ``tests/a11y`` (npm, installed by scripts/test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.browser import CHROMIUM, WEBGL_ARGS
from tests.three_d.test_widget_browser import served  # noqa: F401 - the served app fixture

AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe(frame) -> list[dict]:  # type: ignore[no-untyped-def]
    if not frame.evaluate("() => typeof axe !== 'undefined'"):
        frame.add_script_tag(path=str(AXE))
    result = frame.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    assert len(result["passes"]) >= 10  # the rules did run on the widget
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_the_widget_passes_axe_and_works_with_the_keyboard(served, width, height):  # noqa: F811
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (scripts/test runs npm ci in tests/a11y)")
    base, sync_api = served
    storefront = base.replace("127.0.0.1", "localhost")
    expect = sync_api.expect
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=WEBGL_ARGS)
        try:
            # axe is injected as a script: the test's own page only, never the product
            context = browser.new_context(
                viewport={"width": width, "height": height}, bypass_csp=True
            )
            page = context.new_page()
            page.goto(f"{storefront}/demo/product", wait_until="networkidle")
            opener = page.get_by_role("button", name="Personalize")
            opener.focus()
            page.keyboard.press("Enter")
            frame = page.frame_locator("iframe.luneo-frame")
            text = frame.get_by_label("Your text")
            expect(text).to_be_visible(timeout=20_000)
            text.press_sequentially("Jessica", delay=20)
            expect(frame.locator("#server-preview:not(.stale)")).to_be_visible(timeout=30_000)
            widget = next(f for f in page.frames if "/embed/widget" in f.url)

            violations = _axe(widget)
            assert violations == [], json.dumps(violations, indent=1)

            # Tab order follows reading order: close, views, text, fonts ..., add to cart
            text.focus()
            seen = []
            for _ in range(30):
                page.keyboard.press("Tab")
                seen.append(
                    widget.evaluate(
                        "() => { const a = document.activeElement;"
                        " return a ? (a.id || a.getAttribute('aria-label') || a.textContent"
                        " || a.tagName).trim().slice(0, 40) : ''; }"
                    )
                )
                if seen[-1] == "add":
                    break
            assert seen[-1] == "add", seen  # the add-to-cart button is reached
            # a finish is chosen with the keyboard alone
            frame.get_by_role("radio", name="Printed", exact=True).focus()
            page.keyboard.press("ArrowRight")  # radio group: arrows move the choice
            expect(frame.get_by_role("radio", name="Gold", exact=True)).to_be_checked()
            violations = _axe(widget)  # still clean with a finish picked
            assert violations == [], json.dumps(violations, indent=1)
            # the check can fail: an unlabelled field is caught
            widget.evaluate(
                "() => document.getElementById('fields').append(document.createElement('input'))"
            )
            assert "label" in {v["id"] for v in _axe(widget)}
        finally:
            browser.close()
