"""Headless Chromium: the widget follows the product variant picked on the page. The
theme's product form switches variant; the widget redraws on that variant's photo and print
area (sketch and server preview), and the design it makes records the variant. Screenshots
at 1280 x 900 and 390 x 844 go to ``$LUNEO_SCREENSHOTS``."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from luneo_app.demo.seed import DEMO_PRODUCT_ID
from luneo_app.designs import variants
from luneo_app.extensions import db
from luneo_app.models import Design, Product
from tests.storefront.test_layout_browser import (  # noqa: F401 - the fixture
    SHOTS,
    _design,
    _photo,
    _rgb,
    served,
)
from tests.support.browser import CHROMIUM, WEBGL_ARGS

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


def _remember(seen: dict[str, str]):  # type: ignore[no-untyped-def]
    def remember(response):  # type: ignore[no-untyped-def]
        if (
            "/v1/designs/" in response.url
            and response.request.method == "GET"
            and response.ok
            and response.headers.get("content-type", "").startswith("application/json")
        ):
            body = response.json()
            if body.get("previewUrl"):
                seen[body["previewUrl"]] = body["designId"]

    return remember


def _open_with_photo(page, storefront):  # type: ignore[no-untyped-def]
    page.goto(f"{storefront}/demo/product", wait_until="networkidle")
    page.get_by_role("button", name="Personalize").click()
    frame = page.frame_locator("iframe.luneo-frame")
    frame.get_by_label("I have the right to use this photo.").check()
    frame.locator("input[type=file]").set_input_files(
        {"name": "photo.png", "mimeType": "image/png", "buffer": _photo()}
    )
    expect(frame.locator(".crop__frame img")).to_be_visible(timeout=20_000)
    return frame


def _next_preview(page, frame, seen, previous_src):  # type: ignore[no-untyped-def]
    """Wait for a fresh server preview (not ``previous_src``); its design and pixels."""
    shown = frame.locator("#server-preview")
    if previous_src:
        expect(shown).not_to_have_attribute("src", previous_src, timeout=30_000)
    expect(frame.locator("#server-preview:not(.stale)")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(300)
    src = shown.get_attribute("src")
    assert src in seen, "the preview shown is one the widget asked for"
    return src, seen[src], _rgb(page.request.get(src).body())


def _black_variant(app) -> str:  # type: ignore[no-untyped-def]
    """The demo mug gets a black variant (``7001``): its own photo and a wider print area."""
    with app.app_context():
        product = db.session.query(Product).filter_by(external_id=DEMO_PRODUCT_ID).one()
        key = f"{variants.photo_prefix(product.brand_id, product.id)}7001-abc.png"
        out = io.BytesIO()
        Image.new("RGB", (1000, 1000), (14, 14, 16)).save(out, "PNG")
        app.extensions["luneo.storage"].put(key, out.getvalue(), "image/png")
        area = {**product.template["printAreas"][0], "x": 0.2, "width": 0.5, "widthMm": 120}
        product.template = {
            **product.template,
            "variants": [{"id": "7001", "label": "Black", "photoKey": key, "printAreas": [area]}],
        }
        db.session.commit()
        db.session.remove()
    return "7001"


def test_the_widget_follows_the_variant_picked_on_the_page(served):  # noqa: F811
    storefront, app = served
    variant_id = _black_variant(app)
    seen: dict[str, str] = {}
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=WEBGL_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("response", _remember(seen))
            frame = _open_with_photo(page, storefront)
            src, white_id, white = _next_preview(page, frame, seen, None)
            assert white[5, 5].sum() > 400  # the mug photo's light backdrop

            # The theme's variant picker sets the product form's variant and fires `change`.
            page.evaluate(
                """(id) => {
                  const input = document.querySelector('form[action*="/cart/add"] [name=id]');
                  input.dataset.was = input.value;
                  input.value = id;
                  input.dispatchEvent(new Event('change', { bubbles: true }));
                }""",
                variant_id,
            )
            src, black_id, black = _next_preview(page, frame, seen, src)
            assert black[5, 5].sum() < 60  # drawn on the black mug's photo
            sketch = frame.locator("#sketch").screenshot()
            corner = Image.open(io.BytesIO(sketch)).convert("RGB").getpixel((20, 20))
            assert sum(corner) < 60  # the instant sketch switched too
            with app.app_context():
                design = db.session.get(Design, black_id)
                assert design.variant_id == variant_id
                db.session.remove()
            _, black_design = _design(app, black_id)
            page.screenshot(path=str(SHOTS / "widget-variant-1280.png"))
            page.set_viewport_size({"width": 390, "height": 844})
            page.wait_for_timeout(500)
            page.screenshot(path=str(SHOTS / "widget-variant-390.png"))
            page.set_viewport_size({"width": 1280, "height": 900})

            # Back to the plain variant: the product's own photo, a design without variant.
            page.evaluate(
                """() => {
                  const input = document.querySelector('form[action*="/cart/add"] [name=id]');
                  input.value = input.dataset.was;
                  input.dispatchEvent(new Event('change', { bubbles: true }));
                }"""
            )
            expect(frame.locator("#server-preview")).to_have_attribute(
                "src", next(u for u, d in seen.items() if d == white_id), timeout=30_000
            )
            assert not errors, errors
        finally:
            browser.close()
