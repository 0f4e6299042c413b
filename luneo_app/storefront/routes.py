"""The demo storefront (embedded default, demo mode only): a product page with the Luneo block
and app embed, and a fake Ajax Cart API under ``/demo/store``.

``/demo/product`` imitates a theme's product page: the block's markup is the same as
``extensions/luneo-personalizer/blocks/personalize.liquid`` renders, and the app embed's config
and deferred SDK are what ``blocks/luneo-embed.liquid`` renders. ``?embed=0`` leaves the app
embed out (to measure its cost), ``?locale=fr`` shows the French storefront.
"""

from __future__ import annotations

import re
from typing import Any

from apiflask import APIBlueprint
from flask import Response, current_app, jsonify, make_response, render_template, request
from sqlalchemy import select

from ..core.errors import NotFound
from ..extensions import db
from ..models import Brand, Product, ShopInstall
from ..web_errors import error_body
from . import cart, checkout

bp = APIBlueprint(
    "storefront", __name__, url_prefix="/demo", template_folder="templates", enable_openapi=False
)
CART_COOKIE = "luneo_demo_cart"
_NEW_CART_KEY = "luneo.demo.new_cart_token"
DEFAULT_PRODUCT = "demo-mug"


def _demo_shop() -> tuple[ShopInstall, Brand]:
    if not current_app.config["DEMO_MODE"]:
        raise NotFound("The demo storefront exists in demo mode only.")
    row = db.session.execute(
        select(ShopInstall, Brand)
        .join(Brand, Brand.id == ShopInstall.brand_id)
        .where(ShopInstall.shop_domain == current_app.config["DEMO_SHOP_DOMAIN"])
    ).first()
    if row is None:
        raise NotFound("No demo shop yet: run `flask luneo seed-demo`.", code="no_demo_shop")
    return row[0], row[1]


def _catalog(brand: Brand) -> dict[int, cart.Variant]:
    products = db.session.scalars(
        select(Product).where(Product.brand_id == brand.id, Product.deleted_at.is_(None))
    ).all()
    variants = {}
    for p in products:
        vid = cart.variant_id_for(p.id)
        variants[vid] = cart.Variant(vid, p.title, cart.PRODUCT_PRICE_CENTS)
    variants[cart.FEE_VARIANT_ID] = cart.Variant(
        cart.FEE_VARIANT_ID, cart.FEE_TITLE, cart.FEE_PRICE_CENTS
    )
    return variants


@bp.get("/product")
def demo_product():  # type: ignore[no-untyped-def]
    """A theme-like product page with the Luneo block (and, unless ``embed=0``, the SDK)."""
    install, brand = _demo_shop()
    handle = (request.args.get("product") or DEFAULT_PRODUCT)[:128]
    product = db.session.scalar(
        select(Product).where(
            Product.brand_id == brand.id,
            Product.external_id == handle,
            Product.deleted_at.is_(None),
        )
    )
    if product is None:
        raise NotFound(f"No demo product {handle!r}.", code="product_not_found")
    asked = (request.args.get("locale") or "").lower()[:16]
    locale = "fr" if asked.startswith("fr") else "en"
    storage = current_app.extensions["luneo.storage"]
    embed_config: dict[str, Any] = {
        "host": current_app.config["APP_URL"],
        "shop": install.shop_domain,
        # the storefront's language as a theme gives it (de, es-mx ...); the page's own
        # strings are English or French
        "locale": asked if re.fullmatch(r"[a-z]{2}(-[a-z0-9]{2,8})?", asked) else locale,
        "cartAdd": "/demo/store/cart/add",
        "cartChange": "/demo/store/cart/change",
        "cartJs": "/demo/store/cart.js",
        "cartUrl": "/demo/product",
        "currency": brand.currency,
    }
    return render_template(
        "storefront/product.html",
        shop=install.shop_domain,
        brand=brand,
        product=product,
        image=storage.url(product.image_key) if product.image_key else None,
        price=cart.PRODUCT_PRICE_CENTS,
        variant_id=cart.variant_id_for(product.id),
        fee_variant_id=cart.FEE_VARIANT_ID,
        fee_unit_cents=cart.FEE_PRICE_CENTS,
        # The demo shop "has" Luneo's Cart Transform (its cart applies the same rule);
        # ?fee=units shows the fallback of shops without it.
        fee_mode="units" if request.args.get("fee") == "units" else "transform",
        embed=request.args.get("embed", "1") != "0",
        embed_config=embed_config,
        sdk_url=current_app.config["APP_URL"] + "/widget/sdk.js",
        locale=locale,
    )


def _cart_error(exc: cart.CartError) -> Response:
    body = error_body(422, exc.description, "cart_error")
    body.update({"status": 422, "message": "Cart Error", "description": exc.description})
    response = jsonify(body)
    response.status_code = 422
    return response


def _cart_token() -> str:
    token = request.cookies.get(CART_COOKIE, "")
    if not token or len(token) > 64:
        token = cart.new_token()
        request.environ[_NEW_CART_KEY] = token
    return token


def _with_cookie(response: Response) -> Response:
    token = request.environ.get(_NEW_CART_KEY)
    if token:
        response.set_cookie(
            CART_COOKIE, token, max_age=cart.CART_TTL, httponly=True, samesite="Lax", path="/demo"
        )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/store/cart.js")
def cart_js() -> Response:
    """The demo cart (Shopify's ``GET /cart.js``)."""
    _, brand = _demo_shop()
    token = _cart_token()
    lines = cart.expand(cart.load(token), _catalog(brand))
    return _with_cookie(jsonify(cart.summary(token, lines, brand.currency)))


@bp.post("/store/cart/add.js")
def cart_add() -> Response:
    """Add items (Shopify's ``POST /cart/add.js``): ``{items: [{id, quantity, properties}]}``."""
    _, brand = _demo_shop()
    token = _cart_token()
    try:
        items = cart.parse_items(request.get_json(silent=True))
        lines = cart.load(token)
        added = cart.add(lines, items, _catalog(brand))
    except cart.CartError as exc:
        return _cart_error(exc)
    cart.save(token, lines)
    shown = cart.expand(added, _catalog(brand))
    return _with_cookie(make_response(jsonify({"items": shown})))


@bp.post("/store/cart/change.js")
def cart_change() -> Response:
    """Change one line (Shopify's ``POST /cart/change.js``): ``{id: key | line: n, quantity,
    properties}``; new properties replace the line's, quantity 0 removes it. Answers the cart."""
    _, brand = _demo_shop()
    token = _cart_token()
    try:
        asked = cart.parse_change(request.get_json(silent=True))
        lines = cart.change(cart.load(token), asked)
    except cart.CartError as exc:
        return _cart_error(exc)
    cart.save(token, lines)
    shown = cart.expand(lines, _catalog(brand))
    return _with_cookie(jsonify(cart.summary(token, shown, brand.currency)))


@bp.post("/store/cart/clear.js")
def cart_clear() -> Response:
    """Empty the demo cart (Shopify's ``POST /cart/clear.js``)."""
    _, brand = _demo_shop()
    token = _cart_token()
    cart.save(token, [])
    return _with_cookie(jsonify(cart.summary(token, [], brand.currency)))


@bp.post("/store/checkout")
def cart_checkout() -> Response:
    """Check out the demo cart: a real ``orders/create`` for the demo shop, through the same
    webhook path as Shopify's (``storefront/checkout.py``), then an empty cart."""
    install, brand = _demo_shop()
    token = _cart_token()
    lines = cart.load(token)
    if not lines:
        return _cart_error(cart.CartError("The cart is empty."))
    body = checkout.order_body(lines, _catalog(brand), brand.currency)
    checkout.place_order(install.shop_domain, body)
    cart.save(token, [])
    return _with_cookie(
        jsonify(
            {"orderName": body["name"], "orderId": str(body["id"]), "ordersUrl": "/admin/orders"}
        )
    )
