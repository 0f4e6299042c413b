"""Headless Chromium: the 3D tab loads <model-viewer> only when opened, with Luneo's USDZ."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from werkzeug.serving import make_server

from luneo_app import create_app
from luneo_app.extensions import db
from tests.conftest import clean_state, make_config
from tests.support.env import services_required

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def served(_schema):  # type: ignore[no-untyped-def]
    """The app with the demo shop seeded, served on a loopback port."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() or not shutil.which(CHROMIUM):
        if services_required():
            pytest.fail("chromium is missing")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(make_config(APP_URL=base))
    app.config["THREE_D_TEXTURE_PX"] = 256
    clean_state(app)
    with app.app_context():
        from luneo_app.demo.seed import seed_demo

        seed_demo()
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
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
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
