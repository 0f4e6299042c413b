"""Headless Chromium, a Shopify merchant against the fake Shopify: on the plan page they
choose Growth, approve it on Shopify's confirmation page, come back to Luneo on Growth; use
beyond the plan passes the capped amount, they raise the cap from the plan page, approve it,
and the held charges go out. Screenshots at desktop and phone width.

App Bridge is Shopify's script: the test serves a stand-in that hands out session tokens the
fake Shopify signed, as App Bridge does inside the admin. Screenshots go to
``$LUNEO_SCREENSHOTS`` when set, else a temporary folder.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from luneo_app import create_app
from luneo_app.extensions import db
from luneo_app.models import BillableEvent, Brand
from tests.billing.conftest import billing_config
from tests.billing.helpers import bill, events
from tests.billing.test_billing_pages_browser import VIEWPORTS, _shot
from tests.conftest import clean_state
from tests.shopify.helpers import _PATHS, SHOP, seed_install, webhook_headers
from tests.support.browser import ARGS, CHROMIUM, free_port, require_chromium


@pytest.fixture()
def served(_schema, fake_shopify, fake_stripe, plans_file):  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(billing_config(fake_shopify, fake_stripe, plans_file, APP_URL=base))
    clean_state(app)
    with app.app_context():
        brand, _install, _grant = seed_install(app, fake_shopify, SHOP)
        brand_id = brand.id
        db.session.remove()
    fake_shopify.application_url = f"{base}/admin"

    def deliver(topic: str, body: dict) -> None:  # Shopify's webhook, signed, over HTTP
        raw = json.dumps(body).encode()
        answer = requests.post(
            base + _PATHS[topic], data=raw, headers=webhook_headers(raw, topic), timeout=30
        )
        assert answer.status_code == 200, answer.text

    fake_shopify.billing.deliver = deliver
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, sync_api, app, brand_id
    finally:
        server.shutdown()
        thread.join(10)
        with app.app_context():
            db.engine.dispose()


def _app_bridge(fake_shopify):  # type: ignore[no-untyped-def]
    """The stand-in for cdn.shopify.com's App Bridge: ``shopify.idToken()``."""

    def handle(route) -> None:  # type: ignore[no-untyped-def]
        token = json.dumps(fake_shopify.session_token(SHOP, ttl=300))
        route.fulfill(
            status=200,
            content_type="text/javascript",
            body="window.shopify = { idToken: function () { return Promise.resolve("
            + token
            + "); } };",
        )

    return handle


def _open(page, base: str, fake_shopify, path: str = "/admin/billing") -> None:  # type: ignore[no-untyped-def]
    """The app as the shop's admin opens it (a fresh session token on the URL)."""
    token = fake_shopify.session_token(SHOP)
    page.goto(f"{base}{path}?shop={SHOP}&embedded=1&id_token={token}", wait_until="load")


def test_a_merchant_moves_to_growth_on_shopifys_page_and_raises_the_cap(
    served, fake_shopify, tmp_path
):
    base, sync_api, app, brand_id = served
    shots = Path(os.environ.get("LUNEO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORTS["desktop"])
            context.route("https://cdn.shopify.com/**", _app_bridge(fake_shopify))
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            _open(page, base, fake_shopify)
            assert page.locator(".plan--current h3").inner_text() == "Free"
            assert page.locator("#cap").count() == 0  # no usage charges on Free

            page.click("[data-choose=growth]")
            page.wait_for_url("**/confirm_recurring_application_charge?**")
            assert page.locator("#what").inner_text() == "Growth: $29.00 every 30 days"
            page.click("#approve")
            page.wait_for_url(f"{base}/admin/billing?**charge_id=**")

            assert page.locator(".plan--current h3").inner_text() == "Growth"
            assert page.locator("#plan-confirmed").inner_text() == (
                "You're on the Growth plan, with usage charges capped at 1.00 USD a month."
            )
            with app.app_context():
                assert db.session.get(Brand, brand_id).plan == "growth"
            _shot(page, shots, "shopify-plan-growth-desktop")

            # 5 included, then 8 at 0.15 USD against the 1.00 USD cap: 2 are held.
            with app.app_context():
                for n in range(13):
                    bill(brand_id, "designs", f"design:{n}")
                assert [e.report_status for e in events(brand_id) if e.overage].count("held") == 2
                db.session.remove()
            _open(page, base, fake_shopify)
            assert page.get_by_text("2 usage charge(s) are on hold").is_visible()
            assert "(2 waiting now)" in page.locator("#cap").inner_text()

            page.fill("#cap-amount", "1")  # not above the current cap: said next to the field
            page.click("#cap-raise")
            page.locator("#cap-error").wait_for(state="visible")
            assert "above the current 1.00 USD" in page.locator("#cap-error").inner_text()

            page.fill("#cap-amount", "5")
            page.click("#cap-raise")
            page.wait_for_url("**/confirm_update_capped_amount?**")
            assert page.locator("#what").inner_text() == "Raise the monthly cap to $5.00"
            page.click("#approve")
            page.wait_for_url(f"{base}/admin/billing?**charge_id=**")

            assert "capped at 5.00 USD a month" in page.locator("#plan-confirmed").inner_text()
            assert page.get_by_text("usage charge(s) are on hold").count() == 0
            with app.app_context():
                overage = [e for e in events(brand_id) if e.overage]
                assert [e.report_status for e in overage] == ["reported"] * 8
                assert db.session.query(BillableEvent).filter_by(report_status="held").count() == 0
                db.session.remove()
            records = fake_shopify.billing.records_of(SHOP)
            assert len(records) == 8 and sum(r["cents"] for r in records) == 120
            _shot(page, shots, "shopify-plan-cap-raised-desktop")
            page.set_viewport_size(VIEWPORTS["phone"])
            _open(page, base, fake_shopify)
            _shot(page, shots, "shopify-plan-cap-raised-phone")
            page.close()
        finally:
            browser.close()
    assert errors == []
