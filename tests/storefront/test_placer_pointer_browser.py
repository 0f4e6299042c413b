"""Headless Chromium: the shopper places their photo with the mouse and with two fingers.

* Mouse: dragging the photo's handle moves the layer; the server preview shows the photo
  where it was dragged (pixel check on the engine's preview).
* Touch: a two-finger pinch (real touch points sent through Chromium's input pipeline, so
  the widget receives two touch pointers) resizes the photo; the preview shows it larger.

Screenshots go to ``$LUNEO_SCREENSHOTS``.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.storefront.test_layout_browser import (  # noqa: F401 - the fixture
    SHOTS,
    WIDTH,
    _design,
    served,
)
from tests.storefront.test_variant_browser import _next_preview, _open_with_photo, _remember
from tests.support.browser import CHROMIUM, WEBGL_ARGS

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


def _mark(rgb: np.ndarray) -> tuple[float, int]:
    """Mean column and height (rows) of the photo's magenta mark in a preview (its height:
    moved right and enlarged, the mark's right side may leave the slot and be clipped)."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    rows, cols = np.nonzero((r > 150) & (g < 100) & (b > 140))
    assert cols.size > 50, "the photo's mark is visible"
    return float(cols.mean()), int(rows.max() - rows.min() + 1)


def _photo_layer(app, design_id: str) -> dict:  # type: ignore[no-untyped-def]
    design, _ = _design(app, design_id)
    return next(la for la in design.layers if la["type"] == "image")


def test_a_mouse_drag_moves_the_photo_and_a_pinch_resizes_it(served):  # noqa: F811
    storefront, app = served
    seen: dict[str, str] = {}
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=WEBGL_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, has_touch=True)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("response", _remember(seen))
            frame = _open_with_photo(page, storefront)
            src, first_id, before = _next_preview(page, frame, seen, None)
            start_x, start_w = _mark(before)
            layer = _photo_layer(app, first_id)
            slot_px = layer["slot"]["width"] * 0.30 * WIDTH  # mug area: 30 % of the photo

            # 1. Mouse: drag the photo's box 30 px to the right.
            frame.get_by_role("button", name="Photo", exact=True).click()
            box = frame.locator(".placer__box.is-selected").bounding_box()
            slot = frame.locator(".placer__slot").bounding_box()  # the slot, on screen
            cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(cx, cy)
            page.mouse.down()
            page.mouse.move(cx + 15, cy, steps=5)
            page.mouse.move(cx + 30, cy, steps=5)
            page.mouse.up()
            src, dragged_id, after = _next_preview(page, frame, seen, src)
            moved = _photo_layer(app, dragged_id)
            # 30 px of the slot's width on screen, as a share of the slot
            assert moved["x"] == pytest.approx(0.5 + 30 / slot["width"], abs=0.02)
            assert moved["y"] == pytest.approx(0.5, abs=0.01)
            moved_x, _ = _mark(after)
            assert moved_x - start_x == pytest.approx((moved["x"] - 0.5) * slot_px, abs=2.0)
            page.screenshot(path=str(SHOTS / "widget-drag-1280.png"))

            # 2. Touch: two fingers 40 px apart spread to 80 px: the photo doubles.
            box = frame.locator(".placer__box.is-selected").bounding_box()
            cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            cdp = context.new_cdp_session(page)

            def touch(kind: str, spread: float | None) -> None:
                points = (
                    []
                    if spread is None
                    else [
                        {"x": cx - spread / 2, "y": cy, "id": 1},
                        {"x": cx + spread / 2, "y": cy, "id": 2},
                    ]
                )
                cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

            cdp.send(
                "Input.dispatchTouchEvent",
                {"type": "touchStart", "touchPoints": [{"x": cx - 20, "y": cy, "id": 1}]},
            )
            touch("touchStart", 40)
            for spread in (50, 60, 70, 80, 80):
                touch("touchMove", spread)
                page.wait_for_timeout(60)  # fingers rest a moment before lifting
            touch("touchEnd", None)
            src, pinched_id, pinched = _next_preview(page, frame, seen, src)
            grown = _photo_layer(app, pinched_id)
            assert grown["scale"] == pytest.approx(2.0, abs=0.1)
            assert grown.get("rotation", 0) == pytest.approx(0, abs=1)  # a pinch, no twist
            _, pinched_h = _mark(pinched)
            _, dragged_h = _mark(after)
            assert pinched_h / dragged_h == pytest.approx(grown["scale"], rel=0.1)
            page.screenshot(path=str(SHOTS / "widget-pinch-1280.png"))
            assert not errors, errors
        finally:
            browser.close()
