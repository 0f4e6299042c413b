"""Headless Chromium: the plan page in the embedded admin (demo shop) and the console's
billing page (Stripe fake), at desktop and phone width, screenshots to look at; choosing a
plan in the console goes to Stripe's hosted Checkout and comes back on the new plan.

Screenshots go to ``$LUNEO_SCREENSHOTS`` when set, else a temporary folder.
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
from luneo_app.accounts.passwords import hash_password
from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.models import Account, Brand
from tests.accounts.helpers import PASSWORD
from tests.admin.helpers import demo_shop
from tests.billing.helpers import bill
from tests.conftest import clean_state, make_config
from tests.support.browser import ARGS, CHROMIUM, free_port, require_chromium
from tests.support.factories import make_brand

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture()
def served(_schema, fake_stripe, plans_file):  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    fake_stripe.webhook_url = f"{base}/webhooks/stripe"
    app = create_app(
        make_config(
            APP_URL=base,
            DEMO_MODE=True,
            SHOPIFY_API_SECRET=None,
            BILLING_PLANS_FILE=str(plans_file),
            STRIPE_API_KEY=fake_stripe.api_key,
            STRIPE_API_BASE=fake_stripe.origin,
            STRIPE_WEBHOOK_SECRET=fake_stripe.webhook_secret,
        )
    )
    clean_state(app)
    with app.app_context():
        shop, _product = demo_shop(app)
        shop.plan = "growth"
        db.session.commit()
        for n in range(4):  # 4 of growth's 5 ordered designs: the 75 % banner
            bill(shop.id, "designs", f"design:{n}")
        bill(shop.id, "aiImages", "ai:1")
        brand = make_brand(name="Acme Engraving")
        db.session.add(
            Account(brand_id=brand.id, email="owner@acme.test", role="owner", status="active",
                    password_hash=hash_password(PASSWORD), email_verified_at=utcnow())
        )  # fmt: skip
        db.session.commit()
        for n in range(3):  # the free plan's 3 ordered designs: over the plan
            bill(brand.id, "designs", f"design:{n}")
        ids = {"brand": brand.id}
        db.session.remove()
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


def _shot(page, folder: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    overflow = page.evaluate("(d => d.scrollWidth - d.clientWidth)(document.documentElement)")
    assert overflow <= 0, f"{name} scrolls sideways"
    target = folder / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    pixels = np.asarray(Image.open(target).convert("L"), np.float32)
    assert pixels.std() > 8, f"{name} looks blank"
    return target


def test_plan_pages_render_and_a_console_brand_subscribes_through_stripe_checkout(served, tmp_path):
    base, sync_api, app, ids = served
    shots = Path(os.environ.get("LUNEO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            for size, viewport in VIEWPORTS.items():
                page = browser.new_page(viewport=viewport)
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(f"{base}/admin/billing", wait_until="load")
                assert page.locator("h1").first.inner_text() == "Plan and billing"
                assert page.get_by_text("75% or more of an allowance").is_visible()
                _shot(page, shots, f"admin-billing-{size}")

                page.goto(f"{base}/console/login", wait_until="load")
                page.fill("#email", "owner@acme.test")
                page.fill("#password", PASSWORD)
                page.locator("form button[type=submit]").first.click()
                page.wait_for_url(f"{base}/console")
                assert page.get_by_text("allowance for this month is used up").is_visible()
                page.goto(f"{base}/console/billing", wait_until="load")
                _shot(page, shots, f"console-billing-{size}")
                page.close()

            # Free -> Growth from the console: Stripe's hosted page, then back on Growth.
            page = browser.new_page(viewport=VIEWPORTS["desktop"])
            page.goto(f"{base}/console/login", wait_until="load")
            page.fill("#email", "owner@acme.test")
            page.fill("#password", PASSWORD)
            page.locator("form button[type=submit]").first.click()
            page.wait_for_url(f"{base}/console")
            page.goto(f"{base}/console/billing", wait_until="load")
            page.click("[data-choose=growth]")
            page.wait_for_url("**/pay/**")
            page.click("#pay")
            page.wait_for_url(f"{base}/console/billing?checkout=done")
            page.reload(wait_until="load")
            assert page.locator(".plan--current h3").inner_text() == "Growth"
            _shot(page, shots, "console-billing-after-checkout-desktop")
            page.close()
        finally:
            browser.close()
    assert errors == []
    with app.app_context():
        assert db.session.get(Brand, ids["brand"]).plan == "growth"
