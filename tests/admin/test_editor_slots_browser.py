"""Headless Chromium: the template editor's slots. Inside a print area each text, photo and
artwork option has its own place; a new option gets a free one, an overlap is called out,
the area's size label follows a resize, and what is saved is what the widget and the engine
use. Screenshots at 1280 x 900 and 390 x 844 go to ``$LUNEO_SCREENSHOTS``."""

from __future__ import annotations

from tests.admin.test_admin_browser import _shots_dir, _stored_template, served  # noqa: F401
from tests.support.browser import ARGS, CHROMIUM


def _boxes_apart(a: dict, b: dict) -> bool:
    return (
        a["x"] + a["width"] <= b["x"] + 1e-6
        or b["x"] + b["width"] <= a["x"] + 1e-6
        or a["y"] + a["height"] <= b["y"] + 1e-6
        or b["y"] + b["height"] <= a["y"] + 1e-6
    )


def test_new_options_get_a_free_slot_overlaps_are_called_out_and_slots_are_saved(
    served,  # noqa: F811 - the admin browser tests' fixture
    tmp_path,
):
    base, sync_api, app, ids = served
    shots = _shots_dir(tmp_path)
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/admin/products/{ids['product']}/template", wait_until="load")
            page.wait_for_selector("#areas .slot")
            text_slot = page.locator("#areas .slot--text").first
            # the suggested text field fills the area: make it the lower third
            text_slot.focus()
            for _ in range(33):
                page.keyboard.press("Shift+ArrowUp")
            for _ in range(33):
                page.keyboard.press("ArrowDown")

            page.locator('[data-action="toggle-image"]').check()
            page.locator('[data-action="toggle-ai"]').check()
            assert page.locator("#areas .slot").count() == 3
            assert page.locator("#areas .slot--overlap").count() == 0  # each got a free place
            assert page.inner_text("#slot-warnings") == ""

            # Moving the photo onto the text is allowed, and said clearly.
            photo = page.locator("#areas .slot--image")
            photo.focus()
            for _ in range(40):
                page.keyboard.press("ArrowDown")
            assert page.locator("#areas .slot--overlap").count() >= 2
            assert "overlap" in page.inner_text("#slot-warnings")
            for _ in range(40):
                page.keyboard.press("ArrowUp")
            assert page.inner_text("#slot-warnings") == ""

            # The size label follows a resize of the area (same mm per share of the photo).
            area = page.locator('#areas .area[data-index="0"]')
            area.click(position={"x": 5, "y": 5})
            label = area.locator(".area__size")
            before = label.inner_text()
            handle = area.locator('[data-handle="se"]').bounding_box()
            page.mouse.move(handle["x"] + 5, handle["y"] + 5)
            page.mouse.down()
            page.mouse.move(handle["x"] + 45, handle["y"] + 25, steps=5)
            page.mouse.up()
            after = label.inner_text()
            assert after != before
            width_before, width_after = int(before.split(" ")[0]), int(after.split(" ")[0])
            assert width_after > width_before

            # The text follows an arc of the merchant's radius.
            page.locator('#text-options [data-key="arcRadiusMm"]').first.fill("40")
            page.screenshot(path=str(shots / "editor-slots-1280.png"), full_page=True)
            page.click("#save")
            page.wait_for_selector("#toast.is-visible")
            assert page.text_content("#toast") == "Template saved"
            page.set_viewport_size({"width": 390, "height": 844})
            page.reload(wait_until="load")
            page.wait_for_selector("#areas .slot")
            page.locator("#areas .slot--image").focus()
            page.screenshot(path=str(shots / "editor-slots-390.png"), full_page=True)
        finally:
            browser.close()
    assert not errors, errors
    saved = _stored_template(app, ids["product"])
    placed = {
        o["type"]: o["slot"] for o in saved["options"] if o["type"] in ("text", "image", "ai")
    }
    assert set(placed) == {"text", "image", "ai"}
    assert _boxes_apart(placed["text"], placed["image"])
    assert _boxes_apart(placed["text"], placed["ai"])
    assert _boxes_apart(placed["image"], placed["ai"])
    assert placed["text"]["arcRadiusMm"] == 40 and placed["text"]["arcDirection"] == "arch"
    assert saved["printAreas"][0]["widthMm"] > 72  # followed the resize
