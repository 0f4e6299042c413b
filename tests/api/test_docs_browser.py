"""``/docs`` renders the API's operations in headless Chromium with every outside request
blocked: the documentation UI is served by the app itself. Screenshots go to
``$LUNEO_SCREENSHOTS`` (default ``/tmp/luneo-storefront-shots``)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from luneo_app import create_app
from tests.conftest import make_config
from tests.support.browser import ARGS, CHROMIUM, free_port, require_chromium

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

SHOTS = Path(os.environ.get("LUNEO_SCREENSHOTS", "/tmp/luneo-storefront-shots"))


@pytest.fixture(scope="module")
def docs_url(_schema):  # type: ignore[no-untyped-def]
    require_chromium()
    port = free_port()
    app = create_app(make_config(APP_URL=f"http://127.0.0.1:{port}"))
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(5)


@pytest.mark.parametrize("width", [1280, 390])
def test_docs_render_the_operations_with_the_network_blocked(docs_url, width):
    own = urlsplit(docs_url).netloc
    blocked: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900})

        def guard(route):  # type: ignore[no-untyped-def]
            if urlsplit(route.request.url).netloc == own:
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.goto(f"{docs_url}/docs")
        expect(page.get_by_text("Luneo API", exact=False).first).to_be_visible(timeout=20000)
        expect(page.locator(".opblock-summary-path", has_text="/v1/orders").first).to_be_visible()
        operation = page.locator(".opblock-summary-path[data-path='/v1/embed/tokens']")
        expect(operation).to_be_visible()
        operation.click()
        expect(page.get_by_text("Mint a storefront token from your backend").first).to_be_visible()
        page.screenshot(path=str(SHOTS / f"docs-{width}.png"))
        browser.close()

    assert blocked == []  # the page asked for nothing outside the app
