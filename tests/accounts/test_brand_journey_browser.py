"""The whole journey of an API brand in headless Chromium, from sign-up to the print files.

Luneo runs on 127.0.0.1 and the brand's store page is opened as ``localhost``: two origins,
as the brand's website and Luneo are in production. The brand signs up in the console, opens
the verification mail the SMTP server received, signs in, creates an API key (shown once),
creates a product and saves its template, registers its store's origin on the embed page;
a shopper personalizes in the widget on the plain HTML store (``/demo/brand-store`` for this
brand), the page's cart receives the design, the store's backend sends ``POST /v1/orders``
with the key, and the brand downloads the production ZIP from the console's orders page.
Previews and production run on a real Celery worker process (all queues) against the same
PostgreSQL, Redis and storage.
Screenshots go to ``$LUNEO_SCREENSHOTS`` when set, else a temporary folder.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from werkzeug.serving import make_server

from luneo_app import create_app
from luneo_app.extensions import db
from tests.accounts.helpers import PASSWORD
from tests.accounts.test_console_browser import VIEWPORTS, _shoot
from tests.conftest import clean_state, make_config
from tests.support.browser import ARGS, CHROMIUM, free_port, require_chromium
from tests.support.worker import celery_worker

EMAIL = "owner@acme-brand.com"


@pytest.fixture()
def luneo(_schema, mailbox):  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    port = free_port()
    app = create_app(
        make_config(
            APP_URL=f"http://127.0.0.1:{port}",
            SMTP_URL=mailbox.url,
            DEMO_MODE=True,
            CELERY_EAGER=False,
        )
    )
    clean_state(app)  # flushes Redis before the worker declares its queues
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()  # before anything can fail: shutdown() waits for ever on an unstarted server
    try:
        with celery_worker(app, concurrency=1):
            yield port, sync_api
    finally:
        server.shutdown()
        thread.join(10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_sign_up_to_production_zip_through_the_widget_on_the_brands_own_store(
    luneo, mailbox, tmp_path
):
    port, sync_api = luneo
    base, store = f"http://127.0.0.1:{port}", f"http://localhost:{port}"
    shots = Path(os.environ.get("LUNEO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    expect = sync_api.expect
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORTS["desktop"])
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            # Sign up, open the mailed link, sign in again.
            page.goto(f"{base}/console/signup")
            page.fill("#brandName", "Acme Engraving")
            page.fill("#email", EMAIL)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/console")
            page.goto(base + mailbox.last(EMAIL, "verify").link("/console/verify"))
            expect(page.locator("h1")).to_have_text("Email verified")
            context.clear_cookies()
            page.goto(f"{base}/console/login")
            page.fill("#email", EMAIL)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/console")
            assert "Verify your email address" not in page.content()

            # An API key, shown once.
            page.click("nav >> text=API keys")
            page.fill("#key-name", "Store backend")
            page.click("text=Create key")
            key = page.locator("#new-key").text_content()
            assert key.startswith("lk_")
            page.goto(f"{base}/console/keys")
            assert key not in page.content()
            api = {"Authorization": f"Bearer {key}"}

            # A product and its template: one print area, one engraved text.
            page.click("nav >> text=Products")
            page.fill("#title", "Engraved ring")
            page.fill("#externalId", "RING-01")
            page.click("text=Add and set up the template")
            page.wait_for_selector("#editor")
            page.click("#add-area")
            page.wait_for_selector("#areas .area")
            page.click('button[data-add="text"]')
            option = page.locator("#text-options .option").last
            option.locator('[data-key="label"]').fill("Engraving")
            option.locator('[data-key="maxChars"]').fill("20")
            page.click("#save")
            expect(page.locator("#toast")).to_have_text("Template saved")
            page.click("nav >> text=Products")
            page.get_by_role("button", name="Turn on personalization of Engraved ring").click()
            expect(page.locator("#products")).to_contain_text("Personalizable")

            # Register the store's origin on the embed page; the snippet names this brand.
            page.click("nav >> text=Embed")
            expect(page.locator("#origins")).to_contain_text("No origin yet")
            page.fill("#origin", store)
            page.click("text=Add origin")
            expect(page.locator("#origins")).to_contain_text(store)
            brand_id = page.locator("dt:has-text('Brand id') + dd").text_content()
            snippet = page.locator("#snippet").text_content()
            assert f"brand: '{brand_id}'" in snippet and "productId: 'RING-01'" in snippet
            for size, viewport in VIEWPORTS.items():
                page.set_viewport_size(viewport)
                _shoot(page, shots, "embed-with-origin", size)
            page.set_viewport_size(VIEWPORTS["desktop"])

            # The shopper on the brand's own store (another origin) personalizes.
            shopper = browser.new_page(viewport=VIEWPORTS["desktop"])
            shopper.on("pageerror", lambda exc: errors.append(str(exc)))
            shopper.goto(f"{store}/demo/brand-store?brand={brand_id}&product=RING-01")
            shopper.evaluate("localStorage.clear()")
            shopper.reload()
            expect(shopper.locator("#cart-count")).to_have_text("0")
            shopper.get_by_role("button", name="Personalize").click()
            dialog = shopper.get_by_role("dialog", name="Personalize Engraved ring")
            expect(dialog).to_be_visible()
            frame = shopper.frame_locator("iframe.luneo-frame")
            frame.get_by_label("Engraving").fill("Jessica")
            expect(frame.locator("#server-preview:not(.stale)")).to_be_visible(timeout=30000)
            frame.get_by_role("button", name="Add to cart").press("Enter")
            # the buyer's consent panel: the price stated, nothing added until confirmed
            consent = frame.get_by_role("dialog", name="Your personalization")
            expect(consent).to_be_visible(timeout=30000)
            assert shopper.evaluate("window.acmeCart.lines()") == []
            frame.get_by_role("button", name="Confirm and add to cart").press("Enter")
            expect(dialog).to_be_hidden(timeout=30000)
            expect(shopper.locator("#cart-count")).to_have_text("1")
            lines = shopper.evaluate("window.acmeCart.lines()")
            assert len(lines) == 1 and lines[0]["designId"].startswith("des_")
            assert "Jessica" in lines[0]["summary"]
            shopper.screenshot(path=str(shots / "journey-store-cart.png"), full_page=True)

            # The store's backend places the order with the key.
            shopper.get_by_role("button", name="Checkout").click()
            body = json.loads(shopper.locator("#order-body").text_content())
            placed = httpx.post(
                f"{base}/v1/orders",
                json=body,
                headers={**api, "Idempotency-Key": body["externalOrderId"]},
                timeout=120,
            )
            assert placed.status_code == 201, placed.text
            order = placed.json()
            assert order["items"][0]["designId"] == lines[0]["designId"]
            assert order["problems"] == []

            # The worker renders the print files; then the console's orders page has the ZIP.
            page.goto(f"{base}/console/orders")
            link = page.get_by_role("link", name="All files (ZIP)")
            deadline = time.monotonic() + 120
            while not link.is_visible() and time.monotonic() < deadline:
                page.wait_for_timeout(1000)
                page.reload()
            expect(link).to_be_visible()
            with page.expect_download() as download:
                link.click()
            data = Path(download.value.path()).read_bytes()
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
                design = lines[0]["designId"]
                assert any(n.endswith(f"{design}.png") for n in names), names
                assert any(n.endswith(f"{design}.pdf") for n in names), names
                png = next(n for n in names if n.endswith(".png"))
                assert archive.read(png)[:8] == b"\x89PNG\r\n\x1a\n"
                pdf = next(n for n in names if n.endswith(".pdf"))
                assert archive.read(pdf)[:5] == b"%PDF-"
        finally:
            browser.close()
    assert errors == []
