"""Headless Chromium: with files in an S3 bucket (another origin), the storefront widget's
preview and 3D tab load straight from the bucket, allowed by the widget's CSP and the
bucket's CORS rules that ``storage-setup`` wrote."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from luneo_app.extensions import db
from luneo_app.models import ShopInstall
from tests.conftest import clean_state, make_s3_app
from tests.support.browser import CHROMIUM, WEBGL_ARGS, free_port, require_chromium


@pytest.fixture()
def served_on_s3(_schema, s3_server):  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = make_s3_app(s3_server, APP_URL=base, DEMO_MODE=True)
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


def test_the_widget_shows_preview_and_3d_from_the_bucket(served_on_s3, s3_server, tmp_path):
    base, sync_api = served_on_s3
    storefront = base.replace("127.0.0.1", "localhost")
    shots = Path(os.environ.get("LUNEO_SCREENSHOTS") or tmp_path)
    expect = sync_api.expect
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=WEBGL_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 820})
            refused: list[str] = []
            page.on(
                "console",
                lambda msg: (
                    refused.append(msg.text)
                    if any(word in msg.text for word in ("img-src", "connect-src", "CORS"))
                    else None
                ),
            )
            from_bucket: list[str] = []
            page.on(
                "requestfinished",
                lambda request: (
                    from_bucket.append(request.url)
                    if request.url.startswith(s3_server.endpoint)
                    else None
                ),
            )
            page.goto(f"{storefront}/demo/product", wait_until="networkidle")
            page.get_by_role("button", name="Personalize").click()
            frame = page.frame_locator("iframe.luneo-frame")
            frame.get_by_label("Your text").press_sequentially("Jessica", delay=30)
            expect(frame.locator("#server-preview:not(.stale)")).to_be_visible(timeout=30_000)

            frame.locator("#tab-3d").click()
            viewer = frame.locator("model-viewer")
            expect(viewer).to_have_count(1, timeout=30_000)
            viewer.evaluate(
                "el => el.loaded || new Promise(ok => el.addEventListener('load', ok))",
                timeout=60_000,
            )
            assert viewer.get_attribute("src").startswith(s3_server.endpoint)
            textured = viewer.evaluate(
                "el => el.model.materials.find(m => m.name === 'print')"
                ".pbrMetallicRoughness.baseColorTexture.texture !== null"
            )
            assert textured
            frame.locator("#view-3d").screenshot(path=str(shots / "widget-3d-tab-s3.png"))
        finally:
            browser.close()
    assert any(".glb?" in url for url in from_bucket)  # fetched across origins, allowed
    assert any(".webp?" in url for url in from_bucket)  # the preview image too
    assert not refused, refused
