"""Headless Chromium (Debian's) against the console on a loopback port: a brand signs up,
verifies its email from the mail the SMTP server received, creates an API key that then
works on the API, adds a product and draws its template; and a screenshot of every console
page at desktop (1280) and phone (390) width.

Screenshots go to ``$LUNEO_SCREENSHOTS`` when set (to look at them), else a temporary folder.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image
from werkzeug.serving import make_server

from luneo_app import create_app
from luneo_app.extensions import db
from luneo_app.models import Product
from tests.accounts.helpers import PASSWORD
from tests.conftest import clean_state, make_config
from tests.support.browser import ARGS, CHROMIUM, free_port, require_chromium

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
EMAIL = "owner@acme-brand.com"


@pytest.fixture()
def served(_schema, mailbox):  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(make_config(APP_URL=base, SMTP_URL=mailbox.url))
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


def _shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LUNEO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


PAGES = {
    "dashboard": "/console",
    "keys": "/console/keys",
    "webhooks": "/console/webhooks",
    "products": "/console/products",
    "editor": "/console/products/{product}/template",
    "designs": "/console/designs",
    "orders": "/console/orders",
    "team": "/console/team",
    "settings": "/console/settings",
    "account": "/console/account",
    "embed": "/console/embed",
}
SIGNED_OUT = {"login": "/console/login", "signup": "/console/signup", "forgot": "/console/forgot"}


def test_sign_up_verify_create_a_key_and_a_product_template_then_every_page(
    served, mailbox, tmp_path
):
    base, sync_api, app = served
    shots = _shots_dir(tmp_path)
    errors: list[str] = []
    taken: list[Path] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORTS["desktop"])
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            page.goto(f"{base}/console/signup", wait_until="load")
            page.fill("#brandName", "Acme Engraving")
            page.fill("#email", EMAIL)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/console")
            assert "Verify your email address" in page.content()

            link = mailbox.last(EMAIL, "verify").link("/console/verify")
            page.goto(base + link, wait_until="load")
            assert page.locator("h1").text_content() == "Email verified"
            page.click("text=Open the console")
            page.wait_for_url(f"{base}/console")
            assert "Verify your email address" not in page.content()

            page.click("nav >> text=API keys")
            page.fill("#key-name", "Production server")
            page.click("text=Create key")
            key = page.locator("#new-key").text_content()
            assert key.startswith("lk_")
            usage = httpx.get(f"{base}/v1/ai/usage", headers={"Authorization": f"Bearer {key}"})
            assert usage.status_code == 200

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
            page.wait_for_selector("#toast.is-visible")
            assert page.text_content("#toast") == "Template saved"
            with app.app_context():
                product = db.session.query(Product).filter_by(external_id="RING-01").one()
                assert len(product.template["printAreas"]) == 1
                assert any(o.get("label") == "Engraving" for o in product.template["options"])
                ids = {"product": product.id}
                db.session.remove()
            r = httpx.get(f"{base}/v1/products/RING-01", headers={"Authorization": f"Bearer {key}"})
            assert r.status_code == 200 and r.json()["title"] == "Engraved ring"

            for size, viewport in VIEWPORTS.items():
                page.set_viewport_size(viewport)
                for name, path in PAGES.items():
                    page.goto(base + path.format(**ids), wait_until="load")
                    if name == "editor":
                        page.wait_for_selector("#preview:not([hidden])")
                    taken.append(_shoot(page, shots, name, size))
            signed_out = browser.new_page()
            signed_out.on("pageerror", lambda exc: errors.append(str(exc)))
            for size, viewport in VIEWPORTS.items():
                signed_out.set_viewport_size(viewport)
                for name, path in SIGNED_OUT.items():
                    signed_out.goto(base + path, wait_until="load")
                    taken.append(_shoot(signed_out, shots, name, size))
        finally:
            browser.close()
    assert errors == []
    for target in taken:
        pixels = np.asarray(Image.open(target).convert("L"), np.float32)
        assert pixels.std() > 8, f"{target.name} looks blank"


def _shoot(page, shots: Path, name: str, size: str) -> Path:  # type: ignore[no-untyped-def]
    page.wait_for_function("document.fonts.status === 'loaded'")
    assert page.locator("h1").first.is_visible(), name
    overflow = page.evaluate("(d => d.scrollWidth - d.clientWidth)(document.documentElement)")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .filter(e => { for (let p = e.parentElement; p; p = p.parentElement) {
            if (['auto', 'hidden', 'scroll'].includes(getComputedStyle(p).overflowX)) return false;
          } return true; })
          .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 30))"""
    )
    assert overflow <= 0, f"{name} scrolls sideways at {size} width: {wide}"
    target = shots / f"console-{name}-{size}.png"
    page.screenshot(path=str(target), full_page=True)
    return target
