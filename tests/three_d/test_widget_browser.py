"""Headless Chromium: the 3D tab loads <model-viewer> only when opened, with Luneo's USDZ.

Once on the 3D demo page (``/3d/demo``) and once in the storefront widget (demo product page
opened as ``localhost``, Luneo on ``127.0.0.1``). Screenshots go to ``$LUNEO_SCREENSHOTS``.
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
from luneo_app.models import ShopInstall
from tests.conftest import clean_state, make_config
from tests.support.browser import CHROMIUM, WEBGL_ARGS, free_port, require_chromium


@pytest.fixture()
def served(_schema):  # type: ignore[no-untyped-def]
    """The app with the demo shop seeded, served on a loopback port."""
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(make_config(APP_URL=base, DEMO_MODE=True))
    app.config["THREE_D_TEXTURE_PX"] = 256
    clean_state(app)
    with app.app_context():
        from luneo_app.demo.seed import seed_demo

        demo = seed_demo()
        install = db.session.query(ShopInstall).filter_by(shop_domain=demo.shop_domain).one()
        install.storefront_domains = [*install.storefront_domains, f"http://localhost:{port}"]
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, sync_api
    finally:
        server.shutdown()
        thread.join(10)


def test_the_3d_tab_loads_model_viewer_only_when_opened(served, tmp_path):
    base, sync_api = served
    shots = Path(os.environ.get("LUNEO_SCREENSHOTS") or tmp_path)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=WEBGL_ARGS)
        try:
            page = browser.new_page(viewport={"width": 640, "height": 720})
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto(f"{base}/3d/demo", wait_until="networkidle", timeout=60_000)
            assert any(url.endswith("/widget/three-d.js") for url in requested)
            assert not [url for url in requested if "model-viewer" in url]
            assert page.evaluate("customElements.get('model-viewer') === undefined")

            page.click("#tab-3d")
            page.wait_for_function("!!customElements.get('model-viewer')", timeout=30_000)
            viewer = page.locator("model-viewer")
            page.wait_for_function(
                "document.querySelector('model-viewer') && "
                "document.querySelector('model-viewer').loaded",
                timeout=60_000,
            )
            loaded = [url for url in requested if "model-viewer" in url]
            assert len(loaded) == 1 and "/widget/vendor/model-viewer-" in loaded[0]
            assert viewer.get_attribute("ar") == ""
            assert viewer.get_attribute("ar-modes") == "webxr scene-viewer quick-look"
            assert ".usdz?" in viewer.get_attribute("ios-src")
            assert ".glb?" in viewer.get_attribute("src")
            assert any(".glb?" in url for url in requested)  # the GLB came from Luneo
            page.wait_for_timeout(500)  # let a frame render
            path = shots / "three-d-tab.png"
            viewer.screenshot(path=str(path))
        finally:
            browser.close()
    pixels = np.asarray(Image.open(path).convert("RGB"), np.float32)
    assert pixels.std() > 10  # a model is drawn, not an empty panel
    assert _ink(path) > 0.002  # with the design's lettering on it


def test_the_storefront_widget_shows_the_design_in_3d_with_luneos_usdz(served, tmp_path):
    base, sync_api = served
    storefront = base.replace("127.0.0.1", "localhost")
    shots = Path(os.environ.get("LUNEO_SCREENSHOTS") or tmp_path)
    expect = sync_api.expect
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=WEBGL_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 820})
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto(f"{storefront}/demo/product", wait_until="networkidle")
            page.get_by_role("button", name="Personalize").click()
            frame = page.frame_locator("iframe.luneo-frame")
            frame.get_by_label("Your text").press_sequentially("Jessica", delay=30)
            expect(frame.locator("#server-preview:not(.stale)")).to_be_visible(timeout=30_000)
            assert not [url for url in requested if "model-viewer" in url or "three-d" in url]

            frame.locator("#tab-3d").click()
            viewer = frame.locator("model-viewer")
            expect(viewer).to_have_count(1, timeout=30_000)
            viewer.evaluate(
                "el => el.loaded || new Promise(ok => el.addEventListener('load', ok))",
                timeout=60_000,
            )
            assert viewer.get_attribute("ar-modes") == "webxr scene-viewer quick-look"
            assert ".usdz?" in viewer.get_attribute("ios-src")
            assert [url for url in requested if "/widget/vendor/model-viewer-" in url]
            textured = viewer.evaluate(
                "el => el.model.materials.find(m => m.name === 'print')"
                ".pbrMetallicRoughness.baseColorTexture.texture !== null"
            )
            assert textured  # the design texture decoded inside the widget's CSP
            path = shots / "widget-3d-tab.png"
            # The tab was hidden while the viewer booted: let it re-measure its canvas and
            # settle the camera, then look (a few tries; software rendering is slow here).
            for _ in range(12):
                viewer.evaluate(
                    "el => { window.dispatchEvent(new Event('resize'));"
                    " el.jumpCameraToGoal && el.jumpCameraToGoal(); }"
                )
                page.wait_for_timeout(500)
                frame.locator("#view-3d").screenshot(path=str(path))
                if _ink(path) > 0.002:
                    break
            frame.locator("#tab-2d").click()
            expect(frame.locator("#view-2d")).to_be_visible()
            expect(frame.locator("#view-3d")).to_be_hidden()
        finally:
            browser.close()
    assert _ink(path) > 0.002  # the navy lettering shows on the white mug


def _ink(path: Path) -> float:
    """Share of dark-blue pixels (the design's lettering) in a screenshot."""
    rgb = np.asarray(Image.open(path).convert("RGB"), np.int16)
    navy = (rgb[..., 2] - rgb[..., 0] > 15) & (rgb.sum(-1) < 400)
    return float(navy.mean())
