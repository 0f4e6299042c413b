"""``/demo/brand-store``: a plain HTML store that is not on Shopify, with the widget embedded.

It is what an API brand puts on its own website: ``LuneoWidget.init({brand, productId,
host, onAddToCart})`` and a cart of its own (in the page's ``localStorage``) that receives
``{designId, price, summary, previewUrl}``. Its checkout shows the ``POST /v1/orders`` body the
store's backend sends. ``?mint=backend`` makes the page get its token from the store's own
backend (``tokenUrl``), which mints it as ``POST /v1/embed/tokens`` does.
``?brand=<brand id>&product=<product id or the brand's own id>`` shows another API brand's
personalizable product instead of the seeded one, so a brand that signed up can try its own
widget here. Embedded default (demo mode) only.
"""

from __future__ import annotations

from urllib.parse import urlencode

from apiflask import APIBlueprint
from flask import current_app, jsonify, render_template, request

from ..core.errors import Forbidden, NotFound, ValidationFailed
from ..demo.seed import store_product
from ..designs.service import find_product
from ..embed.api import mint_site_token
from ..embed.shops import normalize_origin
from ..extensions import db
from ..models import Brand, Product

bp = APIBlueprint(
    "brand_store",
    __name__,
    url_prefix="/demo/brand-store",
    template_folder="templates",
    enable_openapi=False,
)
BASE_PRICE_CENTS = 2400


def _chosen(brand_id: object, product_ref: object) -> tuple[Brand, Product]:
    """The API brand and personalizable product named by the query; 422 or 404 otherwise."""
    problems = {
        name: "expected an id of at most 128 characters"
        for name, value in (("brand", brand_id), ("product", product_ref))
        if not isinstance(value, str) or not 1 <= len(value) <= 128
    }
    if problems:
        raise ValidationFailed("Name both the brand and the product.", details=problems)
    brand = db.session.get(Brand, brand_id)
    if brand is None or brand.kind != "api":
        raise NotFound("No such brand.", code="brand_not_found")
    product = find_product(brand.id, str(product_ref))
    if not product.personalizable:
        raise NotFound("This product is not personalizable.", code="product_not_found")
    return brand, product


def _store() -> tuple[Brand, Product]:
    if not current_app.config["DEMO_MODE"]:
        raise NotFound("The demo store exists in demo mode only.")
    if "brand" in request.args or "product" in request.args:
        return _chosen(request.args.get("brand"), request.args.get("product"))
    product = store_product()
    if product is None:
        raise NotFound("No demo store yet: run `flask luneo seed-demo`.", code="no_demo_store")
    return db.session.get(Brand, product.brand_id), product


@bp.get("")
def page():  # type: ignore[no-untyped-def]
    """The store's product page, its cart and the embedded widget."""
    brand, product = _store()
    storage = current_app.extensions["luneo.storage"]
    widget = {
        "host": current_app.config["APP_URL"],
        "brand": brand.id,
        "productId": product.id,
    }
    chosen = {k: request.args[k] for k in ("brand", "product") if k in request.args}
    if request.args.get("mint") == "backend":
        widget["tokenUrl"] = "/demo/brand-store/embed-token" + (
            "?" + urlencode(chosen) if chosen else ""
        )
    response = current_app.make_response(
        render_template(
            "storefront/brand_store.html",
            brand=brand,
            product=product,
            image=storage.url(product.image_key) if product.image_key else None,
            base_price=BASE_PRICE_CENTS,
            widget=widget,
            seeded=not chosen,
            sdk_url=current_app.config["APP_URL"] + "/widget/sdk.js",
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/embed-token")
def embed_token():  # type: ignore[no-untyped-def]
    """The store backend's ``tokenUrl``: a token for the calling page's own origin."""
    brand, _ = _store()
    body = request.get_json(silent=True) or {}
    origin = body.get("origin") if isinstance(body, dict) else None
    sent = normalize_origin(request.headers.get("Origin"))
    if sent is None or sent != normalize_origin(origin if isinstance(origin, str) else None):
        raise Forbidden("Only the store's own pages may ask for a token.", code="origin_mismatch")
    issued = mint_site_token(brand.id, sent)
    response = jsonify(
        {"token": issued.token, "nonce": issued.nonce, "expiresIn": issued.expires_in}
    )
    response.headers["Cache-Control"] = "no-store"
    return response
