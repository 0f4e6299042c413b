"""Headless Chromium: text, a photo and AI artwork on one mug land in their own slots.

The demo mug's template is one saved before slots existed (three options in the first print
area, no slots): it is laid out at read time. The test checks, on the preview the widget
shows, that the three layers do not cover one another; that a placement the shopper makes
with the keyboard reaches the preview; and that the print PNG and the GLB's texture carry the
same placement (pixel comparison). Screenshots go to ``$LUNEO_SCREENSHOTS``.
"""

from __future__ import annotations

import io
import os
import re
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from werkzeug.serving import make_server

import render
from luneo_app import create_app
from luneo_app.designs.spec import build_spec
from luneo_app.extensions import db
from luneo_app.models import Design, Product, ShopInstall
from render import samples
from tests.conftest import clean_state, make_config
from tests.support.browser import CHROMIUM, WEBGL_ARGS, free_port, require_chromium
from tests.three_d.helpers import design_box, mean_abs_diff, print_image

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

SHOTS = Path(os.environ.get("LUNEO_SCREENSHOTS", "/tmp/luneo-layout-shots"))
OPTIONS = [  # as saved before slots: everything in "front", nowhere to go but on top
    {"id": "name", "type": "text", "label": "Name", "printArea": "front", "maxChars": 14,
     "fonts": ["lato"], "minSize": 8, "maxSize": 40},
    {"id": "photo", "type": "image", "label": "Photo", "printArea": "front", "minDpi": 100},
    {"id": "art", "type": "ai", "label": "Artwork", "printArea": "front"},
]  # fmt: skip
WIDTH = 600  # px of the previews compared


@pytest.fixture()
def served(_schema):  # type: ignore[no-untyped-def]
    require_chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(make_config(APP_URL=base, DEMO_MODE=True))
    app.config["THREE_D_TEXTURE_PX"] = 512
    clean_state(app)
    with app.app_context():
        from luneo_app.demo.seed import seed_demo

        demo = seed_demo()
        product = db.session.get(Product, demo.product_id)
        product.template = {**samples.demo_template("mug"), "options": OPTIONS}
        install = db.session.query(ShopInstall).filter_by(shop_domain=demo.shop_domain).one()
        install.storefront_domains = [*install.storefront_domains, f"http://localhost:{port}"]
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield base.replace("127.0.0.1", "localhost"), app
    finally:
        server.shutdown()
        thread.join(10)


def _photo() -> bytes:
    """A 1200 px photo in saturated green with a magenta mark in its middle, easy to tell
    from the mug, the text and the artwork, and to follow when the shopper moves it."""
    im = Image.new("RGB", (1200, 1200), (20, 200, 40))
    im.paste((230, 30, 220), (500, 500, 700, 700))
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def _mark_x(rgb: np.ndarray) -> float:
    """Mean column of the photo's magenta mark in a preview."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    cols = np.nonzero((r > 150) & (g < 100) & (b > 140))[1]
    assert cols.size > 50, "the photo's mark is visible"
    return float(cols.mean())


def _design(app, design_id: str):  # type: ignore[no-untyped-def]
    with app.app_context():
        design = db.session.get(Design, design_id)
        product = db.session.get(Product, design.product_id)
        db.session.expunge_all()
        return design, product


def _rgb(data: bytes) -> np.ndarray:
    im = Image.open(io.BytesIO(data)).convert("RGB")
    return np.asarray(im.resize((WIDTH, round(WIDTH * im.height / im.width))), np.float32)


def _footprints(app, design, product) -> tuple[np.ndarray, list[np.ndarray], list[str]]:
    """The engine's full preview and, per layer, the pixels it changes on the bare mug."""
    with app.app_context():
        spec = build_spec(product, design.layers)
    full = _rgb(render.preview(spec, width=WIDTH, fmt="png"))
    bare = _rgb(render.preview({**spec, "layers": []}, width=WIDTH, fmt="png"))
    marks = []
    for layer in spec["layers"]:
        alone = _rgb(render.preview({**spec, "layers": [layer]}, width=WIDTH, fmt="png"))
        marks.append(np.abs(alone - bare).max(-1) > 30)
    return full, marks, [layer["type"] for layer in design.layers]


def _assert_apart(marks: list[np.ndarray], kinds: list[str]) -> None:
    for i, a in enumerate(marks):
        assert a.sum() > 200, f"layer {kinds[i]} is not visible"
        for j in range(i + 1, len(marks)):
            shared = (a & marks[j]).sum() / min(a.sum(), marks[j].sum())
            assert shared < 0.01, f"{kinds[i]} and {kinds[j]} overlap ({shared:.1%})"


def _shown_design(page, frame, seen: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    src = frame.locator("#server-preview").get_attribute("src")
    assert src in seen, "the preview shown is one of the designs the widget made"
    return seen[src]


def test_text_photo_and_artwork_get_their_own_places_in_preview_print_and_3d(served):
    storefront, app = served
    seen: dict[str, str] = {}  # previewUrl -> designId

    def remember(response):  # type: ignore[no-untyped-def]
        if (
            "/v1/designs/" in response.url
            and response.request.method == "GET"
            and response.ok
            and response.headers.get("content-type", "").startswith("application/json")
        ):  # the design's JSON, not its server-sent events stream
            body = response.json()
            if body.get("previewUrl"):
                seen[body["previewUrl"]] = body["designId"]

    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=WEBGL_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("response", remember)
            page.goto(f"{storefront}/demo/product", wait_until="networkidle")
            page.get_by_role("button", name="Personalize").click()
            frame = page.frame_locator("iframe.luneo-frame")
            frame.get_by_role("textbox", name=re.compile("^Name")).fill("ANNA & TOM")
            frame.get_by_label("I have the right to use this photo.").check()
            frame.locator("input[type=file]").set_input_files(
                {"name": "photo.png", "mimeType": "image/png", "buffer": _photo()}
            )
            expect(frame.locator(".crop__frame img")).to_be_visible(timeout=20_000)
            frame.get_by_role("textbox", name="Pattern from your words").fill(
                "a red fox sleeping under a crescent moon"
            )
            frame.get_by_role("button", name="Generate").click()
            expect(frame.get_by_role("progressbar")).to_have_attribute(
                "aria-valuenow", "100", timeout=30_000
            )
            preview = frame.locator("#server-preview:not(.stale)")
            expect(preview).to_be_visible(timeout=30_000)
            page.wait_for_timeout(300)
            first_id = _shown_design(page, frame, seen)
            page.screenshot(path=str(SHOTS / "widget-layers-1280.png"))

            # 1. On the preview the widget shows, the three layers do not cover one another.
            design, product = _design(app, first_id)
            assert sorted(la["type"] for la in design.layers) == ["ai", "image", "text"]
            assert all("slot" in la for la in design.layers)
            full, marks, kinds = _footprints(app, design, product)
            shown = _rgb(
                page.request.get(frame.locator("#server-preview").get_attribute("src")).body()
            )
            assert np.abs(shown - full).mean() < 3.0  # the widget shows the engine's preview
            _assert_apart(marks, kinds)
            mark_before = _mark_x(full)

            # 2. The shopper moves and enlarges the photo with the keyboard: the preview
            # follows, and the photo stays in its own place.
            frame.get_by_role("button", name="Photo", exact=True).click()
            box = frame.locator(".placer__box.is-selected")
            expect(box).to_be_focused()
            for key in ["+", "+", "+", "Shift+ArrowRight", "Shift+ArrowRight", "Shift+ArrowRight"]:
                box.press(key)
            expect(preview).to_be_visible(timeout=30_000)
            expect(frame.locator("#server-preview")).not_to_have_attribute(
                "src", next(u for u, d in seen.items() if d == first_id), timeout=30_000
            )
            expect(preview).to_be_visible(timeout=30_000)
            page.wait_for_timeout(300)
            moved_id = _shown_design(page, frame, seen)
            moved, product = _design(app, moved_id)
            photo = next(la for la in moved.layers if la["type"] == "image")
            assert photo["x"] == pytest.approx(0.65)
            assert photo["scale"] == pytest.approx(1.05**3, abs=0.002)
            full, marks, kinds = _footprints(app, moved, product)
            _assert_apart(marks, kinds)  # still in its own place, however it was moved
            shown = _rgb(
                page.request.get(frame.locator("#server-preview").get_attribute("src")).body()
            )
            assert np.abs(shown - full).mean() < 3.0
            # moved right on the preview shown, by 15 % of its slot (mug area: 30 % of the photo)
            expected = 0.15 * photo["slot"]["width"] * 0.30 * WIDTH
            assert _mark_x(shown) - mark_before == pytest.approx(expected, abs=1.5)
            page.screenshot(path=str(SHOTS / "widget-layers-moved-1280.png"))
            page.set_viewport_size({"width": 390, "height": 844})
            page.wait_for_timeout(600)  # the sketch and the handles follow the new size
            page.screenshot(path=str(SHOTS / "widget-layers-moved-390.png"))
            page.set_viewport_size({"width": 1280, "height": 900})

            # 3. Add to cart: the design is finalized, the shopper confirms the price in the
            # consent panel, and the print PNG and the GLB's texture carry the same placement.
            frame.get_by_role("button", name="Add to cart").click()
            consent = frame.get_by_role("dialog", name="Your personalization")
            expect(consent).to_be_visible(timeout=30_000)
            assert page.request.get(f"{storefront}/demo/store/cart.js").json()["items"] == []
            page.screenshot(path=str(SHOTS / "widget-layers-consent-1280.png"))
            frame.get_by_role("button", name="Confirm and add to cart").click()
            expect(page.get_by_role("dialog")).to_be_hidden(timeout=30_000)
            lines = page.request.get(f"{storefront}/demo/store/cart.js").json()["items"]
            assert [la["properties"]["_luneo_design_id"] for la in lines] == [moved_id]
            assert not errors, errors
        finally:
            browser.close()

    with app.app_context():
        final = db.session.get(Design, moved_id)
        product = db.session.get(Product, final.product_id)
        storage = app.extensions["luneo.storage"]
        assert final.finalized_at is not None
        png = Image.open(io.BytesIO(storage.get(final.production_keys["front"]["png"])))
        glb = storage.get(final.glb_key)
        unmoved = build_spec(product, db.session.get(Design, first_id).layers)
        uv_rect = product.model_settings["uvRect"]
    _, canvas = print_image(glb)
    got = canvas.crop(design_box(canvas, uv_rect))
    glaze = Image.new("RGBA", got.size, canvas.getpixel((2, 2)))
    printed = Image.alpha_composite(glaze, png.convert("RGBA").resize(got.size, Image.LANCZOS))
    before = render.production(unmoved, "front").png
    control = Image.alpha_composite(
        glaze, Image.open(io.BytesIO(before)).convert("RGBA").resize(got.size, Image.LANCZOS)
    )
    same, other = mean_abs_diff(got, printed), mean_abs_diff(got, control)
    assert same < 6.0, same  # the 3D texture is the print file, pixel for pixel
    assert other > same + 3.0, (same, other)  # and the photo's move shows in both
