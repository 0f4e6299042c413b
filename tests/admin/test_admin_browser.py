"""Headless Chromium (Debian's) on the embedded default: the template editor end to end, and a
screenshot of every admin page at desktop and phone width.

Screenshots go to ``$LUNEO_SCREENSHOTS`` when set (to look at them), else a temporary folder.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from werkzeug.serving import make_server

from luneo_app import create_app
from luneo_app.extensions import db
from luneo_app.models import Product
from tests.admin.helpers import demo_shop, design_for, order_for
from tests.conftest import clean_state, make_config
from tests.support.browser import ARGS, CHROMIUM, free_port, require_chromium

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture()
def served(_schema):  # type: ignore[no-untyped-def]
    """The demo admin on a loopback port: the demo shop, two designs and an order."""
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(make_config(APP_URL=base, DEMO_MODE=True, SHOPIFY_API_SECRET=None))
    clean_state(app)
    with app.app_context():
        brand, product = demo_shop(app)
        ordered = design_for(brand, product, text="Ada", order=True)
        design_for(brand, product, text="Grace")
        order_for(brand, [ordered], name="#1001")
        ids = {"product": product.id, "design": ordered.id}
        db.session.remove()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, sync_api, app, ids
    finally:
        server.shutdown()
        thread.join(10)
        with app.app_context():
            db.engine.dispose()


def _shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LUNEO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _stored_template(app, product_id):  # type: ignore[no-untyped-def]
    with app.app_context():
        template = db.session.get(Product, product_id).template
        db.session.remove()
        return template


def test_draw_a_print_area_add_a_text_option_save_reload_and_it_is_there(served, tmp_path):
    base, sync_api, app, ids = served
    shots = _shots_dir(tmp_path)
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORTS["desktop"])
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/admin/products/{ids['product']}/template", wait_until="load")
            page.wait_for_selector("#areas .area")
            assert page.locator("#areas .area").count() == 1

            box = page.locator("#areas").bounding_box()
            page.mouse.move(box["x"] + box["width"] * 0.05, box["y"] + box["height"] * 0.06)
            page.mouse.down()
            page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.14, steps=6)
            page.mouse.move(
                box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.18, steps=6
            )
            page.mouse.up()
            assert page.locator("#areas .area").count() == 2
            drawn = page.locator('#areas .area[data-index="1"]')
            assert drawn.get_attribute("aria-pressed") == "true"
            left_before = page.input_value("#area-x")
            drawn.focus()
            page.keyboard.press("ArrowRight")  # keyboard moves the selected area by 1 %
            assert float(page.input_value("#area-x")) == pytest.approx(float(left_before) + 1, 0.05)
            page.fill("#area-widthMm", "90")

            page.click('button[data-add="text"]')
            new_option = page.locator("#text-options .option").last
            new_option.locator('[data-key="label"]').fill("Message")
            new_option.locator('[data-key="printArea"]').select_option("area-1")
            new_option.locator('[data-key="maxChars"]').fill("24")
            page.click("#save")
            page.wait_for_selector("#toast.is-visible")
            assert page.text_content("#toast") == "Template saved"

            saved = _stored_template(app, ids["product"])
            assert [a["id"] for a in saved["printAreas"]] == ["front", "area-1"]
            assert saved["printAreas"][1]["widthMm"] == 90
            message = next(o for o in saved["options"] if o.get("label") == "Message")
            assert (message["type"], message["printArea"], message["maxChars"]) == (
                "text",
                "area-1",
                24,
            )

            page.reload(wait_until="load")
            page.wait_for_selector("#areas .area")
            assert page.locator("#areas .area").count() == 2
            labels = page.locator('#text-options [data-key="label"]')
            assert "Message" in [labels.nth(i).input_value() for i in range(labels.count())]
            assert page.locator("#suggested-banner").count() == 0

            # A refused save shows the server's message next to the field, nothing is stored.
            first = page.locator("#text-options .option").first
            first.locator('[data-key="maxChars"]').fill("0")
            page.click("#save")
            error = page.locator('[data-error-for="options[0].maxChars"]')
            error.wait_for(state="visible")
            assert "at least 1" in error.text_content()
            assert first.locator('[data-key="maxChars"]').get_attribute("aria-invalid") == "true"
            assert _stored_template(app, ids["product"]) == saved
            page.wait_for_selector("#preview:not([hidden])")
            page.screenshot(path=str(shots / "editor-errors-desktop.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []


PAGES = {
    "home": "/admin",
    "products": "/admin/products",
    "editor": "/admin/products/{product}/template",
    "designs": "/admin/designs",
    "design": "/admin/designs/{design}",
    "orders": "/admin/orders",
    "settings": "/admin/settings",
    "billing": "/admin/billing",
}


def test_every_admin_page_renders_at_desktop_and_phone_width(served, tmp_path):
    base, sync_api, _app, ids = served
    shots = _shots_dir(tmp_path)
    errors: list[str] = []
    taken = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            for size, viewport in VIEWPORTS.items():
                page = browser.new_page(viewport=viewport)
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                for name, path in PAGES.items():
                    page.goto(base + path.format(**ids), wait_until="load")
                    if name == "editor":
                        page.wait_for_selector("#preview:not([hidden])")
                    page.wait_for_function("document.fonts.status === 'loaded'")
                    assert page.locator("h1").first.is_visible()
                    overflow = page.evaluate(
                        "(d => d.scrollWidth - d.clientWidth)(document.documentElement)"
                    )
                    assert overflow <= 0, f"{name} scrolls sideways at {size} width"
                    target = shots / f"admin-{name}-{size}.png"
                    page.screenshot(path=str(target), full_page=True)
                    taken.append(target)
                page.close()
        finally:
            browser.close()
    assert errors == []
    for target in taken:
        pixels = np.asarray(Image.open(target).convert("L"), np.float32)
        assert pixels.std() > 8, f"{target.name} looks blank"


def test_the_editor_draws_bleed_and_safe_zone_of_the_print_profile(served, tmp_path):
    base, sync_api, app, ids = served
    with app.app_context():
        product = db.session.get(Product, ids["product"])
        template = dict(product.template)
        template["printAreas"] = [
            dict(a, profile={"kind": "print-cmyk", "bleedMm": 3, "safeMm": 6})
            for a in template["printAreas"]
        ]
        product.template = template
        db.session.commit()
        area_mm = template["printAreas"][0]["widthMm"]
        db.session.remove()
    shots = _shots_dir(tmp_path)
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            for size, viewport in VIEWPORTS.items():
                page = browser.new_page(viewport=viewport)
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(base + PAGES["editor"].format(**ids), wait_until="load")
                page.wait_for_selector("#preview:not([hidden])")
                area = page.locator(".area").first
                area.click()
                boxes = {
                    name: page.locator(f".area[data-index='0'] .area__{name}").bounding_box()
                    for name in ("bleed", "safe")
                }
                outer = page.locator(".area[data-index='0']").bounding_box()
                px_per_mm = outer["width"] / area_mm
                # the bleed is drawn 3 mm outside the area, the safe zone 6 mm inside
                assert boxes["bleed"]["x"] == pytest.approx(outer["x"] - 3 * px_per_mm, abs=2)
                assert boxes["safe"]["x"] == pytest.approx(outer["x"] + 6 * px_per_mm, abs=2)
                assert page.locator("#area-profile").input_value() == "print-cmyk"
                page.screenshot(path=str(shots / f"editor-profile-{size}.png"), full_page=True)
                page.select_option("#area-profile", "engraving")  # no bleed, 1 mm safe zone
                assert page.locator(".area[data-index='0'] .area__bleed").count() == 0
                assert page.locator(".area[data-index='0'] .area__safe").count() == 1
                page.close()
        finally:
            browser.close()
    assert errors == []
