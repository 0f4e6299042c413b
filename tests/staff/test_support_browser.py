"""Headless Chromium (Debian's) against /support on a loopback port: an admin enrols TOTP on
first sign-in, finds an unhealthy shop (made by the fake Shopify: a refused refresh, a
missing scope, a silent topic, a failed job), refreshes its token and suspends it, reveals
an order's address; and a screenshot of every page at 1280x900 and 390x844.

Screenshots go to ``$LUNEO_SCREENSHOTS`` when set (to look at them), else a temporary folder.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pyotp
import pytest
from werkzeug.serving import make_server

from luneo_app import create_app
from luneo_app.extensions import db
from luneo_app.models import AuditEvent, Order, TokenRefreshAttempt
from tests.conftest import clean_state
from tests.shopify.conftest import shopify_config
from tests.staff.helpers import PASSWORD, make_staff, unhealthy_shop
from tests.support.browser import ARGS, CHROMIUM, free_port, require_chromium

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
ADMIN = "admin@luneo.test"


@pytest.fixture()
def served(_schema, fake_shopify):  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(shopify_config(fake_shopify, APP_URL=base))
    clean_state(app)
    with app.app_context():
        brand, _install = unhealthy_shop(app, fake_shopify)
        order = Order(
            brand_id=brand.id,
            platform="shopify",
            external_id="820982911946154508",
            name="#1042",
            problems=[
                {
                    "code": "render_failed",
                    "message": "Production render failed",
                    "at": "2026-12-03T08:00:00+00:00",
                }
            ],
            shipping={
                "name": "Jane Doe",
                "address1": "12 Rose Street",
                "city": "Lyon",
                "country": "FR",
            },
        )
        db.session.add(order)
        db.session.commit()
        make_staff(ADMIN, "admin", totp=False)
        ids = {"brand": brand.id, "order": order.id}
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, sync_api, app, ids
    finally:
        server.shutdown()
        thread.join(10)
        with app.app_context():
            db.engine.dispose()


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LUNEO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_admin_enrols_totp_repairs_an_unhealthy_shop_and_every_page_is_shot(served, tmp_path):
    base, sync_api, app, ids = served
    shots = _shots(tmp_path)
    errors: list[str] = []
    pages = {
        "installs": "/support",
        "installs-token-failing": "/support?health=token_failing",
        "install": f"/support/brands/{ids['brand']}",
        "order": f"/support/orders/{ids['order']}",
        "audit": "/support/audit",
        "costs": "/support/costs",
        "account": "/support/account",
    }
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORTS["desktop"])
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/support", wait_until="load")
            assert page.url.endswith("/support/login")
            page.screenshot(path=str(shots / "login-desktop.png"), full_page=True)
            page.fill("#email", ADMIN)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/support/login/code")
            page.screenshot(path=str(shots / "enrol-desktop.png"), full_page=True)
            secret = page.locator("#totp-secret").text_content()
            page.fill("#code", "123456" if pyotp.TOTP(secret).now() != "123456" else "654321")
            page.click("button[type=submit]")
            assert "not right" in page.content()
            page.fill("#code", pyotp.TOTP(secret).now())
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/support")
            assert "Token failing" in page.content() or "Jobs failing" in page.content()

            page.goto(base + pages["install"], wait_until="load")
            assert "Missing:" in page.content() and "Silent 7 days" in page.content()
            assert "RenderError: font missing" in page.content()
            page.fill('#token input[name="reason"]', "merchant reports a blank admin")
            page.click("#token >> text=Refresh now")
            page.wait_for_load_state("load")
            assert "The refresh failed" in page.content()
            page.goto(base + pages["install"], wait_until="load")
            page.fill(
                '#plan form:has(button:text("Suspend brand")) input[name="reason"]',
                "chargeback review",
            )
            page.click("text=Suspend brand")
            page.wait_for_url(f"**/support/brands/{ids['brand']}?done=suspended")
            assert page.locator("#status-badge").text_content() == "Suspended"

            page.goto(base + pages["order"], wait_until="load")
            assert "Rose Street" not in page.content()
            page.fill('input[name="reason"]', "ticket 4411: wrong address")
            page.click("text=Reveal personal data")
            page.goto(base + pages["order"], wait_until="load")
            assert "12 Rose Street" in page.content()

            for viewport, size in VIEWPORTS.items():
                page.set_viewport_size(size)
                for name, path in pages.items():
                    page.goto(base + path, wait_until="load")
                    page.screenshot(path=str(shots / f"{name}-{viewport}.png"), full_page=True)
            context.close()
            phone = browser.new_context(viewport=VIEWPORTS["phone"]).new_page()
            phone.goto(f"{base}/support/login", wait_until="load")
            phone.screenshot(path=str(shots / "login-phone.png"), full_page=True)
        finally:
            browser.close()
    assert not errors
    with app.app_context():
        assert (
            db.session.query(TokenRefreshAttempt).filter_by(ok=False, trigger="staff").count() == 1
        )
        actions = {a for (a,) in db.session.query(AuditEvent.action)}
        assert {
            "support.token_refreshed",
            "support.brand_suspended",
            "support.pii_revealed",
            "staff.totp_enabled",
        } <= actions


def _sign_in(page, base: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/support/login", wait_until="load")
    page.fill("#email", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/support/login/code")
    secret = page.locator("#totp-secret").text_content()
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/support")


def test_view_as_merchant_in_chromium_refuses_a_save_and_every_page_is_shot(served, tmp_path):
    base, sync_api, app, ids = served
    shots = _shots(tmp_path)
    errors: list[str] = []
    install = f"{base}/support/brands/{ids['brand']}"
    view = f"{install}/as-merchant"
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORTS["desktop"])
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            _sign_in(page, base)
            page.goto(install, wait_until="load")
            page.fill('#view-as input[name="reason"]', "merchant says settings do not save")
            page.click("#view-as >> text=View as merchant")
            page.wait_for_url(view)
            banner = page.locator("#view-as-banner")
            assert "Read-only view as" in banner.text_content()
            assert "merchant says settings do not save" in banner.text_content()

            page.goto(f"{view}/settings", wait_until="load")
            page.click("#save-settings")
            # The empty toast is in the page all along (at opacity 0): wait for it to be shown.
            toast = page.locator("#toast.is-visible")
            toast.wait_for(state="visible")
            assert "read-only view as the merchant" in toast.text_content()

            pages = {
                "view-as-home": view,
                "view-as-settings": f"{view}/settings",
                "view-as-orders": f"{view}/orders",
                "install-with-staff": f"{install}?shop_staff=1#shop-staff",
            }
            for viewport, size in VIEWPORTS.items():
                page.set_viewport_size(size)
                for name, url in pages.items():
                    page.goto(url, wait_until="load")
                    page.screenshot(path=str(shots / f"{name}-{viewport}.png"), full_page=True)
            page.goto(view, wait_until="load")
            page.click("#view-as-banner >> text=End view")
            page.wait_for_url(f"**/support/brands/{ids['brand']}?done=view_ended")
            page.goto(view, wait_until="load")
            assert "done=view_closed" in page.url
        finally:
            browser.close()
    assert not errors
    with app.app_context():
        actions = [a for (a,) in db.session.query(AuditEvent.action)]
        assert "support.view_as_started" in actions and "support.view_as_ended" in actions
