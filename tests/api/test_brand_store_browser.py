"""The widget on a store that is not on Shopify (``/demo/brand-store``), in headless Chromium.

Luneo runs on 127.0.0.1 and the store page is opened as ``localhost``: two origins, as a
brand's website and Luneo are in production. The shopper personalizes, the page's own cart
receives ``{designId, price, summary, previewUrl}``, and the store's backend sends the order to
``POST /v1/orders``. Screenshots go to ``$LUNEO_SCREENSHOTS`` (default
``/tmp/luneo-storefront-shots``).
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from luneo_app import create_app
from luneo_app.auth.apikeys import create_api_key
from luneo_app.demo.seed import seed_demo
from luneo_app.extensions import db
from luneo_app.models import Brand
from tests.conftest import clean_state, make_config
from tests.support.browser import ARGS, CHROMIUM, free_port, require_chromium

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

SHOTS = Path(os.environ.get("LUNEO_SCREENSHOTS", "/tmp/luneo-storefront-shots"))


@pytest.fixture(scope="module")
def store(_schema):  # type: ignore[no-untyped-def]
    """Luneo on 127.0.0.1:<port> with the demo store seeded; its page registered on localhost."""
    require_chromium()
    port = free_port()
    luneo = f"http://127.0.0.1:{port}"
    app = create_app(make_config(APP_URL=luneo, DEMO_MODE=True))
    clean_state(app)
    with app.app_context():
        brand = db.session.get(Brand, seed_demo().brand_id)
        store_brand = db.session.query(Brand).filter(Brand.kind == "api").one()
        key = create_api_key(store_brand).plaintext
        db.session.commit()
        del brand
        headers = {"Authorization": f"Bearer {key}"}
        current = app.test_client().get("/v1/embed/origins", headers=headers).get_json()
        answer = app.test_client().put(
            "/v1/embed/origins",
            json={"origins": [*current["origins"], f"http://localhost:{port}"]},
            headers=headers,
        )
        assert answer.status_code == 200, answer.get_json()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield SimpleNamespace(url=f"http://localhost:{port}", luneo=luneo, headers=headers, app=app)
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser(store):  # type: ignore[no-untyped-def]
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _new_page(browser, requests: list[str], **options):  # type: ignore[no-untyped-def]
    page = browser.new_page(**options)
    page.on("console", lambda m: m.type in ("error", "warning") and print("console:", m.text))
    page.on("pageerror", lambda e: print("page error:", e))
    page.on("response", lambda r: r.status >= 400 and print("HTTP", r.status, r.url))
    page.on("request", lambda r: requests.append(r.url))
    return page


def _personalize(page, name: str, gold: bool, shot: str = "") -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Personalize").click()
    dialog = page.get_by_role("dialog", name="Personalize your mug")
    expect(dialog).to_be_visible()
    frame = page.frame_locator("iframe.luneo-frame")
    frame.get_by_label("Name").fill(name)
    expect(frame.locator("#server-preview:not(.stale)")).to_be_visible(timeout=20000)
    if gold:
        gold_radio = frame.get_by_role("radio", name=re.compile(r"^Gold"))
        frame.get_by_text(re.compile(r"^Gold")).first.click()
        expect(gold_radio).to_be_checked()
    if shot:
        page.screenshot(path=str(SHOTS / shot))
    frame.get_by_role("button", name="Add to cart").press("Enter")
    _confirm(
        page,
        frame,
        "€8.00 per item" if gold else "€3.00 per item",
        shot.replace("widget", "consent"),
    )
    expect(dialog).to_be_hidden(timeout=30000)


def _confirm(page, frame, total: str, shot: str = "") -> None:  # type: ignore[no-untyped-def]
    """The buyer's consent panel: the price stated, nothing in the page's cart until confirmed."""
    consent = frame.get_by_role("dialog", name="Your personalization")
    expect(consent).to_be_visible(timeout=30000)
    expect(frame.locator("#confirm-total")).to_have_text(total)
    expect(frame.locator("#confirm-note")).to_have_text("Added to your cart at this price.")
    assert page.evaluate("window.acmeCart.lines()") == []
    if shot:
        page.screenshot(path=str(SHOTS / shot))
    frame.get_by_role("button", name="Confirm and add to cart").press("Enter")


def test_desktop_shopper_personalizes_the_cart_gets_the_design_and_the_order_is_placed(
    store, browser
):
    requests: list[str] = []
    page = _new_page(browser, requests, viewport={"width": 1280, "height": 860})
    page.goto(f"{store.url}/demo/brand-store")
    page.evaluate("localStorage.clear()")
    page.reload()
    expect(page.locator("#cart-count")).to_have_text("0")
    page.screenshot(path=str(SHOTS / "brand-store-desktop-empty.png"))

    _personalize(page, "Jessica", gold=True, shot="brand-store-desktop-widget.png")

    lines = page.evaluate("window.acmeCart.lines()")
    assert len(lines) == 1
    line = lines[0]
    assert line["designId"].startswith("des_")
    assert line["price"] == {"addOnCents": 800, "currency": "EUR"}  # 3 € name + 5 € gold
    assert "Jessica" in line["summary"] and "Gold" in line["summary"]
    assert page.request.get(line["previewUrl"]).ok
    expect(page.locator("#cart-count")).to_have_text("1")
    expect(page.locator(".line-price")).to_have_text("€32.00")  # 24 € mug + 8 € personalization
    expect(page.locator("#cart-lines img")).to_be_visible()
    # Luneo minted the token for the registered origin (no backend of the store involved).
    assert any("/embed/token?brand=" in u for u in requests)

    page.get_by_role("button", name="Checkout").click()
    body = json.loads(page.locator("#order-body").text_content())
    page.screenshot(path=str(SHOTS / "brand-store-desktop-cart.png"), full_page=True)
    placed = page.request.post(
        f"{store.luneo}/v1/orders",
        data=json.dumps(body),
        headers={**store.headers, "Idempotency-Key": body["externalOrderId"],
                 "Content-Type": "application/json"},
    )  # fmt: skip
    assert placed.status == 201, placed.text()
    order = placed.json()
    assert order["items"][0]["designId"] == line["designId"]
    assert order["problems"] == []

    # A cart that charged less than the server's price: the order is flagged.
    cheap = {
        **body,
        "externalOrderId": body["externalOrderId"] + "-b",
        "statedPrices": [{**body["statedPrices"][0], "addOnCents": 0}],
    }
    flagged = page.request.post(
        f"{store.luneo}/v1/orders",
        data=json.dumps(cheap),
        headers={**store.headers, "Idempotency-Key": cheap["externalOrderId"],
                 "Content-Type": "application/json"},
    ).json()  # fmt: skip
    assert [p["code"] for p in flagged["problems"]] == ["price_mismatch"]
    page.close()


def test_phone_shopper_on_a_store_whose_backend_mints_the_token(store, browser):
    requests: list[str] = []
    page = _new_page(
        browser, requests, viewport={"width": 390, "height": 844}, device_scale_factor=2
    )
    page.goto(f"{store.url}/demo/brand-store?mint=backend")
    page.evaluate("localStorage.clear()")
    page.reload()

    page.get_by_role("button", name="Personalize").click()
    frame = page.frame_locator("iframe.luneo-frame")
    frame.get_by_label("Name").fill("Léa")
    expect(frame.locator("#server-preview:not(.stale)")).to_be_visible(timeout=20000)
    page.screenshot(path=str(SHOTS / "brand-store-phone-widget.png"))
    frame.get_by_role("button", name="Add to cart").press("Enter")
    _confirm(page, frame, "€3.00 per item", "brand-store-phone-consent.png")
    expect(page.get_by_role("dialog")).to_be_hidden(timeout=30000)

    lines = page.evaluate("window.acmeCart.lines()")
    assert [line["price"] for line in lines] == [{"addOnCents": 300, "currency": "EUR"}]
    assert any(u.endswith("/demo/brand-store/embed-token") for u in requests)
    assert not any("/embed/token?" in u for u in requests)
    expect(page.locator("#cart-count")).to_have_text("1")
    page.screenshot(path=str(SHOTS / "brand-store-phone-cart.png"), full_page=True)
    page.close()
