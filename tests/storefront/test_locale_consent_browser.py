"""Headless Chromium: a German storefront. The widget's own strings are English or French,
but what the shopper chose reads in their language: the merchant's German labels in the form,
the consent panel and the cart line's summary, and prices in the German format. Screenshots
at 1280 x 900 and 390 x 844 go to ``$LUNEO_SCREENSHOTS``."""

from __future__ import annotations

import pytest

from luneo_app.demo.seed import DEMO_PRODUCT_ID
from luneo_app.extensions import db
from luneo_app.models import Product
from render import samples
from tests.storefront.test_layout_browser import SHOTS, served  # noqa: F401
from tests.support.browser import CHROMIUM, WEBGL_ARGS

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

OPTIONS = [
    {"id": "name", "type": "text", "label": "Name", "labels": {"de": "Vorname", "fr": "Prénom"},
     "printArea": "front", "maxChars": 14, "fonts": ["lato"], "priceCents": 300},
    {"id": "finish", "type": "material", "label": "Finish", "labels": {"de": "Veredelung"},
     "values": [{"value": None, "label": "Printed", "labels": {"de": "Bedruckt"}, "priceCents": 0},
                {"value": "gold", "label": "Gold", "labels": {"de": "Goldfolie"},
                 "priceCents": 500}]},
]  # fmt: skip


def test_a_german_shopper_confirms_in_german_labels_and_german_prices(served):  # noqa: F811
    storefront, app = served
    with app.app_context():
        product = db.session.query(Product).filter_by(external_id=DEMO_PRODUCT_ID).one()
        product.template = {**samples.demo_template("mug"), "options": OPTIONS}
        db.session.commit()
        db.session.remove()
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=WEBGL_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{storefront}/demo/product?locale=de", wait_until="networkidle")
            page.get_by_role("button", name="Personalize").click()
            frame = page.frame_locator("iframe.luneo-frame")
            frame.get_by_role("textbox", name="Vorname").fill("Lena")
            frame.get_by_text("Goldfolie", exact=True).click()
            expect(frame.locator("#price")).to_contain_text("8,00\u00a0$")  # de-DE, not $8.00
            expect(frame.locator("#server-preview:not(.stale)")).to_be_visible(timeout=30_000)

            frame.get_by_role("button", name="Add to cart").click()
            consent = frame.get_by_role("dialog", name="Your personalization")
            expect(consent).to_be_visible(timeout=30_000)
            lines = [
                " ".join(item.split())
                for item in frame.locator("#confirm-lines li").all_inner_texts()
            ]
            assert lines == ["Vorname 3,00 $", "Veredelung: Goldfolie 5,00 $"], lines
            expect(frame.locator("#confirm-total")).to_contain_text("8,00\u00a0$")
            page.screenshot(path=str(SHOTS / "widget-consent-de-1280.png"))
            page.set_viewport_size({"width": 390, "height": 844})
            page.wait_for_timeout(400)
            page.screenshot(path=str(SHOTS / "widget-consent-de-390.png"))
            page.set_viewport_size({"width": 1280, "height": 900})
            frame.get_by_role("button", name="Confirm and add to cart").click()
            expect(page.get_by_role("dialog")).to_be_hidden(timeout=30_000)
            (line,) = page.request.get(f"{storefront}/demo/store/cart.js").json()["items"]
            summary = line["properties"]["Personalization"]
            assert "Vorname: Lena" in summary and "Veredelung: Goldfolie" in summary
            assert not errors, errors
        finally:
            browser.close()
