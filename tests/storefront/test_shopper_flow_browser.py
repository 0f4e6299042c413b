"""The shopper flow in headless Chromium against the demo product page, phone and desktop.

Luneo runs on 127.0.0.1 and the demo storefront page is opened as ``localhost``: two origins,
as a shop's domain and Luneo's are in production, so CORS, the iframe sandbox and the
postMessage origin checks are all exercised. Screenshots go to ``$LUNEO_SCREENSHOTS`` (default
``/tmp/luneo-storefront-shots``).
"""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image
from werkzeug.serving import make_server

from luneo_app import create_app
from luneo_app.demo.seed import seed_demo
from luneo_app.extensions import db
from luneo_app.models import ShopInstall
from luneo_app.storefront import cart
from render import samples
from tests.conftest import clean_state, make_config
from tests.support.browser import ARGS, CHROMIUM, free_port, require_chromium

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

SHOTS = Path(os.environ.get("LUNEO_SCREENSHOTS", "/tmp/luneo-storefront-shots"))
KEEPSAKE = {
    **samples.demo_template("mug"),
    "options": [
        {
            "id": "name",
            "type": "text",
            "label": "Name",
            "labels": {"fr": "Prénom"},  # the French storefront shows the merchant's French
            "printArea": "front",
            "maxChars": 14,
            "fonts": ["playfair-display", "dancing-script"],
            "priceCents": 300,
        },
        {
            "id": "finish",
            "type": "material",
            "label": "Finish",
            "labels": {"fr": "Finition"},
            "values": [
                {"value": None},
                {"value": "gold", "label": "Gold", "labels": {"fr": "Or"}, "priceCents": 500},
            ],
        },
        {"id": "photo", "type": "image", "label": "Photo", "printArea": "front", "minDpi": 150},
        {"id": "art", "type": "ai", "label": "Motif IA", "printArea": "front"},
    ],
}


@pytest.fixture(scope="module")
def storefront(_schema):  # type: ignore[no-untyped-def]
    """Luneo on 127.0.0.1:<port> (demo shop seeded), the storefront URL on localhost."""
    require_chromium()
    port = free_port()
    app = create_app(make_config(APP_URL=f"http://127.0.0.1:{port}", DEMO_MODE=True))
    clean_state(app)
    with app.app_context():
        demo = seed_demo()
        from luneo_app.models import Product

        db.session.add(
            Product(
                brand_id=demo.brand_id,
                platform="shopify",
                external_id="demo-keepsake",
                title="Keepsake Mug",
                personalizable=True,
                template=KEEPSAKE,
                image_key=db.session.get(Product, demo.product_id).image_key,
            )
        )
        install = db.session.query(ShopInstall).filter_by(shop_domain=demo.shop_domain).one()
        install.storefront_domains = [*install.storefront_domains, f"http://localhost:{port}"]
        db.session.commit()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield SimpleNamespace(url=f"http://localhost:{port}", app=app)
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="module")
def browser(storefront):  # type: ignore[no-untyped-def]
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _photo_png(width: int = 200, height: int = 150) -> bytes:
    """A smooth photo; 200 x 150 has too few pixels for the keepsake photo's 36 mm slot."""
    ramp = Image.linear_gradient("L").resize((width, height))
    flipped = ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    out = io.BytesIO()
    Image.merge("RGB", (ramp, flipped, ramp.rotate(90))).save(out, "PNG")
    return out.getvalue()


def _new_page(browser, **options):  # type: ignore[no-untyped-def]
    """A page whose console errors and failed responses show up in a failing test's output."""
    page = browser.new_page(**options)
    page.on("console", lambda m: m.type in ("error", "warning") and print("console:", m.text))
    page.on("pageerror", lambda e: print("page error:", e))
    page.on("response", lambda r: r.status >= 400 and print("HTTP", r.status, r.url))
    return page


def _preview(frame):  # type: ignore[no-untyped-def]
    return frame.locator("#server-preview:not(.stale)")


def test_phone_shopper_personalizes_and_adds_to_cart(storefront, browser):
    url = storefront.url
    page = _new_page(browser, viewport={"width": 390, "height": 844}, device_scale_factor=2)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{url}/demo/product")
    page.wait_for_load_state("networkidle")
    # The SDK is loaded but has created and fetched nothing before the shopper acts.
    assert page.locator("iframe").count() == 0
    assert not [u for u in requests if "/embed/" in u]
    assert page.evaluate("typeof window.LuneoWidget.init") == "function"

    page.get_by_role("button", name="Personalize").click()
    dialog = page.get_by_role("dialog", name="Personalize")
    expect(dialog).to_be_visible()
    iframe = page.locator("iframe.luneo-frame")
    assert iframe.get_attribute("sandbox") == "allow-scripts allow-same-origin"
    frame = page.frame_locator("iframe.luneo-frame")
    text = frame.get_by_label("Your text")
    text.press_sequentially("Jessica", delay=30)
    expect(_preview(frame)).to_be_visible(timeout=20000)
    first = _preview(frame).get_attribute("src")

    frame.get_by_text("Dancing Script", exact=True).click()
    expect(frame.get_by_role("radio", name="Dancing Script")).to_be_checked()
    frame.get_by_text("Gold", exact=True).click()
    expect(frame.get_by_role("radio", name="Gold", exact=True)).to_be_checked()
    expect(_preview(frame)).not_to_have_attribute("src", first, timeout=20000)
    with_gold = _preview(frame).get_attribute("src")

    text.press("End")
    text.press_sequentially(" M", delay=30)
    expect(frame.locator("#server-preview.stale")).to_have_count(1)  # the sketch shows at once
    expect(_preview(frame)).not_to_have_attribute("src", with_gold, timeout=20000)
    expect(frame.locator("#preview-status")).to_have_text("Preview updated")
    page.screenshot(path=str(SHOTS / "phone-widget.png"))

    # Keyboard activation (also avoids Playwright's flaky hit-target check in a cross-origin,
    # out-of-process iframe at device scale factor 2, where it misplaces the click point).
    frame.get_by_role("button", name="Add to cart").press("Enter")
    # Buyer consent: the price itemised and an explicit confirmation before anything is added.
    consent = frame.get_by_role("dialog", name="Your personalization")
    expect(consent).to_be_visible(timeout=20000)
    expect(frame.locator("#confirm-lines li")).to_have_count(0)  # nothing paid on this mug
    expect(frame.locator("#confirm-total")).to_have_text("Included")
    expect(frame.locator("#confirm-note")).to_have_text("No personalization charge.")
    assert page.request.get(f"{url}/demo/store/cart.js").json()["items"] == []
    frame.get_by_role("button", name="Confirm and add to cart").press("Enter")
    expect(dialog).to_be_hidden(timeout=20000)
    shown = page.request.get(f"{url}/demo/store/cart.js").json()
    lines = shown["items"]
    assert len(lines) == 1 and shown["item_count"] == 1
    assert shown["total_price"] == cart.PRODUCT_PRICE_CENTS
    properties = lines[0]["properties"]
    assert "_luneo_fee_cents" not in properties
    assert properties["_luneo_design_id"].startswith("des_")
    assert "Jessica M" in properties["Personalization"]
    assert (
        "Dancing Script" in properties["Personalization"]
        and "Gold" in properties["Personalization"]
    )
    opened = page.request.get(properties["Preview"])
    assert opened.ok and opened.headers["content-type"] == "image/webp"
    expect(page.locator("[data-luneo-preview] img")).to_be_visible()
    expect(page.locator("[data-luneo-label]")).to_have_text("Edit personalization")
    page.screenshot(path=str(SHOTS / "phone-after-add.png"))
    page.close()


@pytest.mark.parametrize(
    "viewport",
    [{"width": 390, "height": 844}, {"width": 1280, "height": 900}],
    ids=["phone", "desktop"],
)
def test_paid_options_are_itemised_confirmed_and_carried_at_the_exact_price(
    storefront, browser, viewport
):
    url = storefront.url
    page = _new_page(browser, viewport=viewport)
    page.goto(f"{url}/demo/product?product=demo-keepsake")
    page.request.post(f"{url}/demo/store/cart/clear.js")
    page.locator("[data-luneo-open]").click()
    frame = page.frame_locator("iframe.luneo-frame")
    frame.get_by_label("Name").fill("Anna & Tom")  # an English storefront: the English label
    frame.get_by_text("Gold", exact=True).click()
    expect(frame.locator("#price")).to_contain_text("8.00")
    expect(_preview(frame)).to_be_visible(timeout=20000)
    frame.get_by_role("button", name="Add to cart").press("Enter")

    consent = frame.get_by_role("dialog", name="Your personalization")
    expect(consent).to_be_visible(timeout=20000)
    expect(frame.locator("#confirm-lines li")).to_have_count(2)
    expect(frame.locator("#confirm-lines li").nth(0)).to_contain_text("$3.00")
    expect(frame.locator("#confirm-lines li").nth(1)).to_contain_text("Gold")
    expect(frame.locator("#confirm-total")).to_have_text("$8.00 per item")
    expect(frame.locator("#confirm-note")).to_contain_text("exactly this price")
    assert page.request.get(f"{url}/demo/store/cart.js").json()["items"] == []  # not yet
    name = "phone" if viewport["width"] < 700 else "desktop"
    page.screenshot(path=str(SHOTS / f"{name}-consent.png"))

    # "Back" adds nothing; confirming adds one line at the widget's exact total.
    frame.get_by_role("button", name="Back to editing").press("Enter")
    expect(consent).to_be_hidden()
    assert page.request.get(f"{url}/demo/store/cart.js").json()["items"] == []
    frame.get_by_role("button", name="Add to cart").press("Enter")
    frame.get_by_role("button", name="Confirm and add to cart").press("Enter")
    expect(page.get_by_role("dialog")).to_be_hidden(timeout=20000)
    shown = page.request.get(f"{url}/demo/store/cart.js").json()
    assert len(shown["items"]) == 1 and shown["item_count"] == 1
    assert shown["total_price"] == cart.PRODUCT_PRICE_CENTS + 800
    assert shown["items"][0]["properties"]["_luneo_fee_cents"] == "800"
    expect(page.locator("#mini-cart")).to_be_visible()  # the theme opens it after the add
    expect(page.locator("#cart-total")).to_have_text("$32.00")
    expect(page.locator("#cart-lines")).to_contain_text("Personalization add-on $8.00")
    page.screenshot(path=str(SHOTS / f"{name}-cart.png"))
    # The demo checkout places a real order through orders/create.
    page.get_by_role("button", name="Check out (demo order)").click()
    expect(page.locator("#checkout-result")).to_contain_text("placed", timeout=20000)
    expect(page.locator("#cart-count")).to_have_text("0")
    expect(page.locator("#checkout")).to_be_hidden()
    page.screenshot(path=str(SHOTS / f"{name}-checkout.png"))
    page.close()


def test_desktop_shopper_in_french_uses_photo_ai_and_paid_options(storefront, browser):
    url = storefront.url
    page = _new_page(browser, viewport={"width": 1280, "height": 800})
    page.goto(f"{url}/demo/product?product=demo-keepsake&locale=fr&fee=units")
    page.request.post(f"{url}/demo/store/cart/clear.js")
    opener = page.locator("[data-luneo-open]")
    expect(opener).to_have_accessible_name("Personnaliser")
    opener.click()
    frame = page.frame_locator("iframe.luneo-frame")
    name = frame.get_by_label("Prénom")
    name.fill("Léa")
    expect(_preview(frame)).to_be_visible(timeout=20000)

    # Keyboard: Escape closes the dialog and gives focus back; reopening keeps the work.
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(opener).to_be_focused()
    # The block's inline preview shows the design and the button now offers to edit it.
    expect(opener).to_have_accessible_name("Modifier la personnalisation")
    opener.click()
    expect(name).to_have_value("Léa")

    frame.get_by_text("Or", exact=True).click()
    expect(frame.locator("#price")).to_contain_text("8,00")  # 3,00 name + 5,00 gold

    frame.get_by_label("J’ai le droit d’utiliser cette photo.").check()
    frame.locator("input[type=file]").set_input_files(
        {"name": "photo.png", "mimeType": "image/png", "buffer": _photo_png()}
    )
    # The photo goes in its slot, the left half of the 72 x 82 mm area (36 x 49.2 mm): 200 px
    # over 36 mm is 141 dpi, under the 150 dpi the option asks for: refused at upload.
    expect(frame.locator(".field .hint[role=status]").filter(has_text="141 dpi")).to_contain_text(
        "Trop faible pour l’impression"
    )
    frame.locator("input[type=file]").set_input_files(
        {"name": "photo.png", "mimeType": "image/png", "buffer": _photo_png(700, 600)}
    )
    expect(frame.locator(".crop__frame img")).to_be_visible(timeout=20000)
    # cropped to the slot's shape: 600 px over its 49.2 mm height is 310 dpi
    expect(frame.locator(".quality")).to_contain_text("Bonne qualité d’impression : 310 dpi")
    frame.locator(".crop__frame").focus()
    page.keyboard.press("+")  # zooming in: the effective dpi follows live
    expect(frame.locator(".quality")).to_contain_text("282 dpi")  # 310 / 1.1
    page.keyboard.press("ArrowRight")

    # no AI provider here: the pattern generator, named as such (not "IA")
    frame.get_by_label("Motif à partir de vos mots").fill("un renard à l’aquarelle")
    frame.get_by_role("button", name="Générer").click()
    expect(frame.get_by_role("progressbar")).to_have_attribute(
        "aria-valuenow", "100", timeout=20000
    )
    expect(_preview(frame)).to_be_visible(timeout=20000)
    page.screenshot(path=str(SHOTS / "desktop-widget-fr.png"))

    frame.get_by_role("button", name="Ajouter au panier").click()
    # A shop without the Cart Transform: the fee-unit charge is said before adding.
    expect(frame.locator("#confirm-note")).to_contain_text("unités de 1,00", timeout=20000)
    page.screenshot(path=str(SHOTS / "desktop-consent-fr.png"))
    frame.get_by_role("button", name="Confirmer et ajouter au panier").click()
    expect(page.get_by_role("dialog")).to_be_hidden(timeout=20000)
    lines = page.request.get(f"{url}/demo/store/cart.js").json()["items"]
    product_line, fee_line = lines
    design_id = product_line["properties"]["_luneo_design_id"]
    assert "Léa" in product_line["properties"]["Personnalisation"]
    # The add-on is a separate fee line (8,00 $ in 1,00 $ units), tied to the same design.
    assert fee_line["id"] == cart.FEE_VARIANT_ID and fee_line["quantity"] == 8
    assert fee_line["properties"]["_luneo_design_id"] == design_id
    page.screenshot(path=str(SHOTS / "desktop-after-add-fr.png"))
    page.close()


def test_token_is_refreshed_before_expiry_without_losing_the_shoppers_work(storefront, browser):
    """With 66 s tokens the SDK refreshes after 6 s (a minute early); typing carries on."""
    storefront.app.config["EMBED_TOKEN_TTL"] = 66
    page = _new_page(browser, viewport={"width": 390, "height": 844})
    try:
        page.goto(f"{storefront.url}/demo/product")
        page.locator("[data-luneo-open]").click()
        frame = page.frame_locator("iframe.luneo-frame")
        text = frame.get_by_label("Your text")
        text.fill("Anna")
        expect(_preview(frame)).to_be_visible(timeout=20000)
        before = _preview(frame).get_attribute("src")
        with page.expect_response(lambda r: "/embed/validate" in r.url, timeout=20000) as done:
            with page.expect_request(lambda r: "/embed/token" in r.url, timeout=20000):
                pass
        assert done.value.ok
        text.press("End")
        text.press_sequentially(" B", delay=30)
        expect(_preview(frame)).not_to_have_attribute("src", before, timeout=20000)
        expect(text).to_have_value("Anna B")
        assert frame.locator("#preview-status").text_content() == "Preview updated"
    finally:
        storefront.app.config["EMBED_TOKEN_TTL"] = 300
        page.close()
