"""The WordPress plugin's page script in headless Chromium.

The plugin's own PHP renders the Personalize button (``tests/render.php`` with the stubbed
WordPress functions) into a static page shaped like a WooCommerce single-product page; the
browser loads the real ``widget/sdk.js`` and the plugin's ``luneo-woocommerce.js``. Every
request is answered inside the browser (Playwright routes, nothing reaches a network): the
store at ``https://shop.example.com`` (the plugin's embed-token route, the add-to-cart post)
and Luneo at ``https://app.luneo.io`` (the SDK, ``/embed/validate`` and a stand-in widget
frame that completes the SDK's handshake and sends ``add-to-cart`` like the real widget).
Screenshots at 1280x900 and 390x844 go to ``$LUNEO_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from PIL import Image

from tests.support.browser import ARGS, CHROMIUM, require_chromium

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "connectors/woocommerce/wordpress-plugin"
STORE = "https://shop.example.com"
LUNEO = "https://app.luneo.io"
PRODUCT_URL = f"{STORE}/product/travel-mug/"
BRAND = "brd_eqp6txbihqac5euya5bpatvb"
DESIGN = "des_abcdefghijklmnopqrstuvwx"
PREVIEW = f"{LUNEO}/files/previews/{DESIGN}.png"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

# Stands in for Luneo's widget iframe: the handshake, then "Add to cart" as the real one sends.
WIDGET = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<style>body{margin:0;height:100vh;display:grid;place-items:center;font:16px system-ui;
background:#f6f6f7;color:#303030}main{text-align:center}button{padding:12px 24px;font:inherit;
border-radius:8px;border:0;background:#303030;color:#fff}</style></head><body><main>
<h1>Personalize your mug</h1><p id="state">Connecting…</p>
<button id="add" type="button" disabled>Add to cart</button></main><script>
var q = new URLSearchParams(location.search), parentOrigin = q.get('origin');
var nonce = decodeURIComponent(location.hash.replace('#nonce=', ''));
parent.postMessage({luneo: 1, type: 'handshake', nonce: nonce}, parentOrigin);
addEventListener('message', function (e) {
  if (e.origin !== parentOrigin || !e.data || e.data.luneo !== 1) return;
  if (e.data.type === 'token') {
    document.getElementById('state').textContent = 'Designing product ' + q.get('product');
    document.getElementById('add').disabled = false;
    parent.postMessage({luneo: 1, type: 'ready'}, parentOrigin);
  }
});
document.getElementById('add').onclick = function () {
  parent.postMessage({luneo: 1, type: 'add-to-cart', designId: '__DESIGN__',
    summary: {Name: 'Ada', Colour: 'Blue'}, previewUrl: '__PREVIEW__', price: null}, parentOrigin);
};
</script></body></html>""".replace("__DESIGN__", DESIGN).replace("__PREVIEW__", PREVIEW)

STYLE = """<style>body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1e1e1e}
header{padding:16px 24px;border-bottom:1px solid #ddd;font-weight:700}
.product{display:flex;flex-wrap:wrap;gap:32px;padding:24px;max-width:1100px;margin:auto}
.woocommerce-product-gallery{flex:1 1 320px;aspect-ratio:1;background:#dfe7ef;border-radius:8px}
.summary{flex:1 1 320px}.price{font-size:1.4em}form.cart{display:flex;flex-wrap:wrap;gap:8px}
.qty{width:4em;padding:8px}.button{padding:10px 18px;border-radius:4px;border:1px solid #333;
background:#fff;font:inherit;cursor:pointer}.single_add_to_cart_button{background:#333;color:#fff}
.wrap{padding:24px;max-width:900px}.form-table th{text-align:left;padding:12px 12px 12px 0}
.regular-text{width:25em;max-width:100%;padding:6px}.notice-error{border-left:4px solid #d63638;
padding:1px 12px;background:#fff}</style>"""


def _render(kind: str, options: dict, product_id: int = 42) -> dict:
    """What the plugin's PHP prints (and the scripts it asks WordPress to print)."""
    if shutil.which("php") is None:
        pytest.skip("php is not installed (apt-get install php-cli)")
    result = subprocess.run(
        ["php", "tests/render.php", kind, json.dumps(options), str(product_id)],
        cwd=PLUGIN,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def _product_page(rendered: dict) -> str:
    """A WooCommerce single-product page with the plugin's output where its hook prints it
    (``woocommerce_after_add_to_cart_button``, inside ``form.cart``) and its scripts in the
    footer in WordPress's order (inline "before" code, then each script)."""
    footer = []
    for script in rendered["scripts"]:
        if "inline" in script:
            footer.insert(0, f"<script>{script['inline']}</script>")
    for script in rendered["scripts"]:
        if "src" in script:
            footer.append(f'<script src="{script["src"]}"></script>')
    return f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Travel Mug – Acme Woo</title>{STYLE}</head>
<body class="product-template-default single single-product woocommerce">
<header class="site-header">Acme Woo</header><main id="main" class="site-main">
<div id="product-42" class="product type-product post-42 status-publish instock">
<div class="woocommerce-product-gallery" role="img" aria-label="Travel Mug"></div>
<div class="summary entry-summary"><h1 class="product_title entry-title">Travel Mug</h1>
<p class="price"><span class="woocommerce-Price-amount amount"><bdi>€19.00</bdi></span></p>
<form class="cart" action="{PRODUCT_URL}" method="post" enctype="multipart/form-data">
<div class="quantity"><label class="screen-reader-text" for="quantity_1">Quantity</label>
<input type="number" id="quantity_1" class="input-text qty text" name="quantity" value="1"
min="1" step="1"></div>
<button type="submit" name="add-to-cart" value="42"
class="single_add_to_cart_button button alt">Add to cart</button>
{rendered["html"]}
</form></div></div></main>{"".join(footer)}</body></html>"""


def _form_fields(content_type: str, body: bytes) -> dict[str, str]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    return {
        part.get_param("name", header="content-disposition"): part.get_content()
        for part in message.iter_parts()
    }


class Site:
    """Answers every request of the browser: the store, Luneo, nothing else."""

    def __init__(self, product_page: str, settings_page: str) -> None:
        self.product_page = product_page
        self.settings_page = settings_page
        self.token_requests: list[dict] = []
        self.validations: list[dict] = []
        self.widget_queries: list[dict[str, list[str]]] = []
        self.cart_posts: list[dict[str, str]] = []
        self.refused: list[str] = []

    def handle(self, route) -> None:  # type: ignore[no-untyped-def]
        request = route.request
        url, method = request.url, request.method
        path = urlsplit(url).path
        if url.startswith(STORE):
            if path == "/product/travel-mug/" and method == "GET":
                return route.fulfill(body=self.product_page, content_type="text/html")
            if path == "/product/travel-mug/" and method == "POST":
                fields = _form_fields(request.headers["content-type"], request.post_data_buffer)
                self.cart_posts.append(fields)
                cart = "<!doctype html><title>Cart</title><h1>“Travel Mug” added to your cart</h1>"
                return route.fulfill(body=cart, content_type="text/html")
            if path == "/wp-json/luneo/v1/embed-token" and method == "POST":
                self.token_requests.append(json.loads(request.post_data))
                token = {"token": "emb_test_token", "nonce": "n0nce-123", "expiresIn": 600}
                return route.fulfill(json=token, status=201)
            if path == "/wp-content/plugins/luneo/assets/luneo-woocommerce.js":
                return route.fulfill(path=PLUGIN / "assets/luneo-woocommerce.js")
            if path == "/wp-admin/admin.php":
                return route.fulfill(body=self.settings_page, content_type="text/html")
        if url.startswith(LUNEO):
            if path == "/widget/sdk.js":
                return route.fulfill(path=ROOT / "widget/sdk.js")
            if path == "/embed/validate" and method == "POST":
                self.validations.append(json.loads(request.post_data))
                return route.fulfill(json={"valid": True})
            if path == "/embed/widget":
                self.widget_queries.append(parse_qs(urlsplit(url).query))
                return route.fulfill(body=WIDGET, content_type="text/html")
        self.refused.append(f"{method} {url}")
        return route.abort()


def _shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LUNEO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_plugin_embeds_the_widget_for_the_product_and_carries_the_design_to_the_cart(
    tmp_path,
):
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    options = {"luneo_brand_id": BRAND, "luneo_host": LUNEO, "luneo_api_key": "lk_secret"}
    site = Site(
        _product_page(_render("product", options)),
        _settings_page(_render("settings", options)),
    )
    shots, taken, errors = _shots_dir(tmp_path), [], []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORTS["desktop"])
            context.route("**/*", site.handle)
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            def both(name: str) -> None:
                for size, viewport in VIEWPORTS.items():
                    page.set_viewport_size(viewport)
                    target = shots / f"wordpress-{name}-{size}.png"
                    page.screenshot(path=str(target))
                    taken.append(target)
                page.set_viewport_size(VIEWPORTS["desktop"])

            page.goto(PRODUCT_URL, wait_until="load")
            assert "lk_secret" not in page.content()  # the key never reaches the browser
            both("product-page")

            page.get_by_role("button", name="Personalize").click()
            frame = page.frame_locator("iframe.luneo-frame")
            frame.locator("#state").filter(has_text="Designing product 42").wait_for()
            both("widget-open")

            [query] = site.widget_queries
            assert query["product"] == ["42"] and query["brand"] == [BRAND]
            assert query["origin"] == [STORE]
            assert site.token_requests == [{"origin": STORE}]
            assert site.validations == [{"token": "emb_test_token", "nonce": "n0nce-123"}]

            with page.expect_navigation():
                frame.get_by_role("button", name="Add to cart").click()
            assert "added to your cart" in page.content()
            [posted] = site.cart_posts
            assert posted["add-to-cart"] == "42" and posted["quantity"] == "1"
            assert posted["luneo_design_id"] == DESIGN
            assert posted["luneo_summary"] == "Name: Ada, Colour: Blue"
            assert posted["luneo_preview"] == PREVIEW

            page.goto(f"{STORE}/wp-admin/admin.php?page=luneo-personalize", wait_until="load")
            assert page.get_by_label("Brand id").input_value() == BRAND
            assert page.get_by_label("Luneo address").input_value() == LUNEO
            key = page.get_by_label("API key")
            assert key.get_attribute("type") == "password" and key.input_value() == ""
            assert "lk_secret" not in page.content()
            both("settings")
        finally:
            browser.close()
    assert errors == [] and site.refused == []
    for target in taken:
        pixels = np.asarray(Image.open(target).convert("L"), np.float32)
        assert pixels.std() > 8, f"{target.name} looks blank"


def _settings_page(rendered: dict) -> str:
    return f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Luneo Personalize ‹ Acme Woo — WordPress</title>{STYLE}</head>
<body class="wp-admin woocommerce_page_luneo-personalize">{rendered["html"]}</body></html>"""
