"""Headless Chromium: the merchant gives the black mug its own photo and print area in the
template editor; what is saved is what the widget and the engine use. Screenshots at
1280 x 900 and 390 x 844 go to ``$LUNEO_SCREENSHOTS``."""

from __future__ import annotations

import io

from PIL import Image

from tests.admin.test_admin_browser import _shots_dir, _stored_template, served  # noqa: F401
from tests.support.browser import ARGS, CHROMIUM


def _black_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 900), (12, 12, 14)).save(out, "PNG")
    return out.getvalue()


def test_a_variant_gets_its_own_photo_and_print_area_in_the_editor(
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
            page.wait_for_selector("#areas .area")
            assert page.locator("#variant-view-field").is_hidden()

            def shown_photo() -> str:  # the photo's address, without its signature
                return page.locator("#photo").get_attribute("src").split("?")[0]

            product_photo = shown_photo()

            page.get_by_role("button", name="Add variant").click()
            page.get_by_label("Variant id").fill("44012")
            page.get_by_label("Name", exact=True).last.fill("Black")
            page.locator('[data-vaction="photo"]').set_input_files(
                {"name": "black.png", "mimeType": "image/png", "buffer": _black_photo()}
            )
            page.wait_for_selector(".variant__thumb")
            # the canvas now shows the black mug's photo
            assert shown_photo() != product_photo
            assert page.locator("#variant-view").input_value() == "0"
            assert "product’s print areas" in page.inner_text("#variant-note")

            # Its own print area: moved on its photo with the keyboard, the product's stays.
            page.get_by_label("Own print areas").check()
            assert page.locator("#area-id").get_attribute("readonly") is not None
            area = page.locator("#areas .area").first
            area.focus()
            for _ in range(5):
                page.keyboard.press("ArrowLeft")
            page.wait_for_timeout(700)  # the live preview is drawn on the variant
            assert page.locator("#preview").is_visible()
            page.screenshot(path=str(shots / "editor-variant-1280.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.wait_for_timeout(300)
            page.screenshot(path=str(shots / "editor-variant-390.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})

            page.get_by_role("button", name="Save").click()
            page.get_by_text("Template saved").wait_for()
            template = _stored_template(app, ids["product"])
            (variant,) = template["variants"]
            assert variant["id"] == "44012" and variant["label"] == "Black"
            assert variant["photoKey"].split("/")[-1].startswith("variant-44012-")
            own = variant["printAreas"][0]
            base_area = template["printAreas"][0]
            assert own["id"] == base_area["id"]
            assert own["x"] < base_area["x"]  # moved on the variant only

            # Back on the product photo: the product's own area, unmoved.
            page.locator("#variant-view").select_option("-1")
            assert shown_photo() == product_photo
            assert not errors, errors
        finally:
            browser.close()
