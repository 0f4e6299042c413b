"""The console's Store page in headless Chromium against a live app: the REST connector set up
(secrets shown once, "Send test" reaching the brand's order endpoint signed), then WooCommerce
connected through the fake store's key authorisation, a disabled webhook shown and turned on
again. Screenshots at 1280x900 and 390x844 go to ``$LUNEO_SCREENSHOTS`` when set."""

from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlsplit

import httpx
import numpy as np
import pytest
from PIL import Image
from werkzeug.serving import make_server

from luneo_app import create_app
from luneo_app.extensions import db
from luneo_app.models import CommerceConnection, Product
from tests.accounts.helpers import PASSWORD, api_sign_up
from tests.accounts.test_console_browser import _shoot, _shots_dir
from tests.conftest import clean_state, make_config
from tests.fakes.receiver import FakeReceiver
from tests.fakes.woocommerce import FakeWooCommerce
from tests.orders.helpers import photo
from tests.support.browser import ARGS, CHROMIUM, free_port, require_chromium

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
EMAIL = "owner@acme-store.com"


@pytest.fixture()
def served(_schema, mailbox):  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(
        make_config(APP_URL=base, SMTP_URL=mailbox.url, OUTBOUND_WEBHOOK_ALLOW_PRIVATE=True)
    )
    clean_state(app)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, sync_api, app
    finally:
        server.shutdown()
        thread.join(10)
        with app.app_context():
            db.engine.dispose()


def test_the_store_page_sets_up_rest_and_woocommerce(served, mailbox, tmp_path):
    base, sync_api, app = served
    shots = _shots_dir(tmp_path)
    taken = []
    errors: list[str] = []
    with app.test_client() as client, app.app_context():
        api_sign_up(client, mailbox, EMAIL, brand="Acme Store")
        db.session.remove()

    def both(page, name: str) -> None:  # type: ignore[no-untyped-def]
        for size, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            taken.append(_shoot(page, shots, name, size))
        page.set_viewport_size(VIEWPORTS["desktop"])

    with FakeReceiver() as brand_api, FakeWooCommerce() as woo, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_context(viewport=VIEWPORTS["desktop"]).new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/console/login", wait_until="load")
            page.fill("#email", EMAIL)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/console")
            page.click("nav >> text=Store")
            page.wait_for_url(f"{base}/console/connector")
            both(page, "connector-empty")

            page.fill("#base_url", brand_api.url + "/api")
            page.fill("#api_key", "brand-api-key")
            page.fill("#order_endpoint", brand_api.url + "/luneo/orders")
            page.click("text=Save")
            inbound = page.locator("#inbound-secret").text_content()
            outbound = page.locator("#outbound-secret").text_content()
            assert inbound.startswith("lcin_") and outbound.startswith("whsec_")
            both(page, "connector-rest-secrets")
            page.goto(f"{base}/console/connector", wait_until="load")
            assert page.locator("#inbound-secret").count() == 0  # shown once
            brand_api.secret = outbound
            page.click("#send-test")
            page.wait_for_selector(".banner--success")
            assert "answered 200" in page.content()
            test = [r for r in brand_api.received if r.path == "/luneo/orders"]
            assert test and test[0].signature_ok and test[0].json()["type"] == "connector.test"
            both(page, "connector-rest")

            picture = brand_api.serve_file("/cdn/travel-mug.png", photo())
            product = {"id": "SKU-1001", "title": "Travel Mug", "images": [{"url": picture}]}
            brand_api.route("GET", "/api/products/SKU-1001", 200, product)
            page.fill("#product_id", "SKU-1001")
            page.click("#import-title >> xpath=.. >> button[type=submit]")
            page.wait_for_selector(".banner--success")
            assert "Travel Mug” imported" in page.content()
            both(page, "connector-rest-imported")
            with app.app_context():
                imported = db.session.scalar(
                    db.select(Product).where(Product.external_id == "SKU-1001")
                )
                assert imported.title == "Travel Mug" and imported.image_key
                db.session.remove()

            page.once("dialog", lambda dialog: dialog.accept())
            page.click("text=Disconnect")
            page.wait_for_selector("#store_url")
            page.fill("#store_url", woo.origin)
            page.click("text=Connect WooCommerce")
            page.wait_for_url(f"{woo.origin}/wc-auth/v1/authorize*")
            auth = woo.authorizations[-1]
            callback_url, body = woo.approve(auth)
            assert httpx.post(callback_url, json=body).status_code == 200
            assert parse_qs(urlsplit(page.url).query)["return_url"] == [f"{base}/console/connector"]
            page.goto(auth.return_url + "?success=1&user_id=" + auth.user_id, wait_until="load")
            assert page.locator("#woo-webhooks tbody tr").count() == 3
            both(page, "connector-woocommerce")

            woo.disable_webhook("order.created")
            page.click("text=Check webhooks")
            page.wait_for_selector("#connection-failing")
            both(page, "connector-woocommerce-failing")
            page.click("text=Turn webhooks on again")
            page.wait_for_selector(".banner--success")
            assert page.locator("#connection-failing").count() == 0
            with app.app_context():
                row = db.session.scalar(db.select(CommerceConnection))
                assert row.status == "connected" and row.platform == "woocommerce"
                db.session.remove()
        finally:
            browser.close()
    assert errors == []
    for target in taken:
        pixels = np.asarray(Image.open(target).convert("L"), np.float32)
        assert pixels.std() > 8, f"{target.name} looks blank"
