"""``/embed``: the storefront handshake, the widget iframe page and the widget's own reads.

Handshake (see DESIGN.md, "Storefront"):

1. the SDK on the shop's page calls ``GET /embed/token?shop=&origin=`` (CORS, answered for the
   shop's own origins only) and gets ``{token, nonce, expiresIn}``; an API brand's website names
   itself with ``?brand=`` instead of ``?shop=`` (its registered origins), or gets the pair
   from its own backend, which calls ``POST /v1/embed/tokens`` with an API key;
2. it opens ``/embed/widget`` in a sandboxed iframe with the nonce in the URL fragment; the
   iframe posts ``{type: 'handshake', nonce}`` to the parent (both sides check origins);
3. the SDK calls ``POST /embed/validate?shop=`` with token and nonce: the nonce is consumed
   once and the token becomes live; the SDK hands the token to the iframe.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from apiflask import APIBlueprint, Schema
from apiflask.fields import Integer, String
from apiflask.validators import Length
from flask import Response, current_app, g, jsonify, redirect, render_template, request

from ..auth.principal import require
from ..billing import enforcement
from ..core.errors import (
    Forbidden,
    LuneoError,
    NotFound,
    PaymentRequired,
    Unauthorized,
    ValidationFailed,
)
from ..core.ratelimit import client_address, setting
from ..designs import saved
from ..designs import service as designs
from ..extensions import db, limiter
from ..models import Design
from . import links, tokens
from .assets import viewer_style_hashes
from .catalog import storefront_product
from .shops import StorefrontShop, normalize_origin, parse_origin, storefront_from

SHOPPER_LOCALE = re.compile(r"[a-z]{2}(-[a-z0-9]{2,8})?")  # a language tag, lower-cased
bp = APIBlueprint(
    "embed", __name__, url_prefix="/embed", tag="Storefront", template_folder="templates"
)


class TokenOut(Schema):
    token = String(metadata={"description": "JWT bound to the shop and origin (5 minutes)"})
    nonce = String(metadata={"description": "one-time handshake nonce"})
    expiresIn = Integer()  # noqa: N815 - API casing


class ValidateIn(Schema):
    token = String(required=True, validate=Length(1, 4096))
    nonce = String(required=True, validate=Length(8, 128))


class ValidateOut(Schema):
    ok = String()
    expiresIn = Integer()  # noqa: N815


# Per request (not ``g``, which an outer app context may share between requests).
_CORS_KEY = "luneo.embed.cors_origin"
_STOREFRONT_KEY = "luneo.embed.storefront"


@bp.after_request
def _cors(response: Response) -> Response:
    """Answer cross-origin only to an origin already checked against the shop's origins."""
    origin = request.environ.get(_CORS_KEY)
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    response.vary.add("Origin")
    return response


def _storefront() -> StorefrontShop:
    """The storefront named by ``?shop=`` or ``?brand=``; 403 when it may not embed."""
    shop = storefront_from(request.args)
    if shop is None:
        # Unknown and uninstalled shops answer alike: nothing to learn about who installed us.
        raise Forbidden("Luneo is not available on this shop.", code="shop_not_active")
    return shop


def _foreign_origin() -> Forbidden:
    return Forbidden("This origin is not one of the shop's storefronts.", code="origin_not_allowed")


def _asked_by_a_storefront(view: Callable[..., Any]) -> Callable[..., Any]:
    """Check the shop and its origin before the rate limit (outside its decorator).

    So refused requests are not counted against the shop's allowance, and a 429 goes to an
    origin already checked, with the CORS headers the SDK needs to read it.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        shop = _storefront()
        origin = parse_origin(request.args.get("origin"))
        sent = request.headers.get("Origin")
        if sent is not None and normalize_origin(sent) != origin:
            raise Forbidden("The origin does not match the calling page.", code="origin_mismatch")
        if not shop.allows(origin):
            raise _foreign_origin()
        request.environ[_CORS_KEY] = origin
        request.environ[_STOREFRONT_KEY] = (shop, origin)
        return view(*args, **kwargs)

    return wrapper


def _shop_and_client() -> str:
    """Embed tokens are counted per storefront (shop or brand) and client address."""
    shop, _origin = request.environ[_STOREFRONT_KEY]
    return f"{shop.shop_domain or shop.brand_id}|{client_address()}"


@bp.get("/token")
@bp.output(TokenOut)
@bp.doc(
    summary="Get a storefront embed token",
    description="Called by the storefront SDK from the shop's page (CORS). The shop must have "
    "Luneo installed and active, and `origin` must be one of its storefront origins. The token "
    "is usable only after `POST /embed/validate` consumed its nonce.",
    responses={403: "Shop not active or origin not allowed", 429: "Too many requests"},
)
@_asked_by_a_storefront
@limiter.limit(
    setting("RATE_LIMIT_EMBED_TOKEN"),
    key_func=_shop_and_client,
    error_message="Too many token requests.",
)
def token():  # type: ignore[no-untyped-def]
    """Mint ``{token, nonce, expiresIn}`` for a shop's storefront origin."""
    shop, origin = request.environ[_STOREFRONT_KEY]
    issued = tokens.issue(shop, origin)
    response = jsonify(
        {"token": issued.token, "nonce": issued.nonce, "expiresIn": issued.expires_in}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _validate_origin(shop: StorefrontShop) -> str | None:
    sent = request.headers.get("Origin")
    if sent is None:
        return None
    origin = normalize_origin(sent)
    if not shop.allows(origin):
        raise _foreign_origin()
    request.environ[_CORS_KEY] = origin
    return origin


@bp.route("/validate", methods=["OPTIONS"])
@bp.doc(hide=True)
def validate_preflight() -> Response:
    """CORS preflight of ``POST /embed/validate`` for the shop's own origins."""
    _validate_origin(_storefront())
    return Response(status=204)


@bp.post("/validate", provide_automatic_options=False)
@bp.input(ValidateIn, arg_name="body")
@bp.output(ValidateOut)
@bp.doc(
    summary="Complete the storefront handshake",
    description="Consumes the token's one-time nonce (a second use fails) and makes the token "
    "usable on the designs API.",
    responses={401: "Bad token or nonce already used", 403: "Origin or shop mismatch"},
)
def validate(body: dict):  # type: ignore[no-untyped-def]
    """Consume the handshake nonce; the token is live afterwards."""
    shop = _storefront()
    origin = _validate_origin(shop)
    claims = tokens.decode(body["token"])
    if claims.shop != shop.shop_domain or claims.brand_id != shop.brand_id:
        raise Unauthorized("This token belongs to another shop.", code="invalid_embed_token")
    if origin is not None and origin != claims.origin:
        raise Forbidden("This token is bound to another origin.", code="origin_mismatch")
    tokens.consume_nonce(claims, body["nonce"])
    response = jsonify({"ok": "true", "expiresIn": claims.seconds_left()})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/widget")
@bp.doc(hide=True)
def widget() -> Response:
    """The widget app, framed by the shop's page (``frame-ancestors`` = that page's origin)."""
    try:
        shop = _storefront()
        origin = parse_origin(request.args.get("origin"))
        if not shop.allows(origin):
            raise Forbidden("origin not allowed", code="origin_not_allowed")
        product = (request.args.get("product") or "").strip()
        if not product or len(product) > 128:
            raise ValidationFailed("product missing", code="invalid_product")
    except LuneoError as exc:
        html = render_template("embed/unavailable.html", status=exc.status)
        return Response(html, status=exc.status, mimetype="text/html")
    asked = (request.args.get("locale") or "").lower()
    locale = "fr" if asked.startswith("fr") else "en"
    # the storefront's language for the merchant's own per-language labels (any language)
    label_locale = asked[:2] if asked[:2].isascii() and asked[:2].isalpha() else locale
    # prices and numbers in the shopper's own format (de: "14,50 $"), whatever the language
    # of the widget's own strings
    shopper_locale = asked if SHOPPER_LOCALE.fullmatch(asked) else locale
    html = render_template(
        "embed/widget.html",
        config={
            "shop": shop.shop_domain or shop.brand_id,
            "parentOrigin": origin,
            "productId": product,
            "variantId": (request.args.get("variant") or "")[:64],
            "page": _page_path(request.args.get("page")),
            "locale": locale,
            "labelLocale": label_locale,
            "shopperLocale": shopper_locale,
            **_fee_config(shop.shop_domain),
        },
        locale=locale,
    )
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = _widget_csp(origin)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "strict-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _page_path(value: str | None) -> str:
    """The storefront page's path and query (where reopen links lead): a path on the parent
    origin only, never another host (``//evil.example``) or a script URL."""
    path = (value or "").strip()
    if not path.startswith("/") or path.startswith("//") or len(path) > 1024 or "\\" in path:
        return "/"
    return path


def _fee_config(shop_domain: str) -> dict[str, Any]:
    """How the page's cart carries the fee, for the shopper's consent panel: ``transform``
    (exact, one line), ``units`` (fee-product units of ``feeUnitCents``, rounded up) or
    ``page`` (a brand's own cart takes the server's price). From the SDK's query; only the
    wording depends on it (the order check at intake is what enforces the fee)."""
    if not shop_domain:
        return {"feeMode": "page", "feeUnitCents": 0}
    mode = request.args.get("fee") or ""
    unit = request.args.get("feeUnit") or ""
    if mode not in ("transform", "units", "none"):
        mode = "none"
    cents = int(unit) if unit.isdigit() and 0 < int(unit) <= 100_000 else 0
    if mode == "units" and not cents:
        mode = "none"
    return {"feeMode": mode, "feeUnitCents": cents if mode == "units" else 0}


def _widget_csp(parent_origin: str) -> str:
    """The widget page's policy. Previews are images and the 3D tab fetches GLB/USDZ files:
    both come from the file store's origin when it is not Luneo's own (an S3 bucket)."""
    files = ""
    storage_origin = normalize_origin(current_app.extensions["luneo.storage"].public_origin)
    if storage_origin and storage_origin != normalize_origin(current_app.config["APP_URL"]):
        files = f" {storage_origin}"
    viewer_styles = " ".join(viewer_style_hashes())
    return (
        # 'wasm-unsafe-eval': <model-viewer> compiles its mesh decoder from WebAssembly; it
        # allows WebAssembly compilation only, never eval or inline script
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; "
        # the viewer's shadow-root <style> by hash (embed/assets.viewer_style_hashes); its
        # own element styles are constructed stylesheets, which CSP does not govern
        f"style-src 'self' {viewer_styles}; font-src 'self'; "
        f"img-src 'self' data: blob:{files}; "
        # blob: in connect-src: <model-viewer> (3D tab) decodes a GLB's textures from blob URLs
        f"connect-src 'self' blob:{files}; base-uri 'none'; form-action 'none'; "
        f"frame-ancestors {parent_origin}"
    )


@bp.get("/products/<product_ref>")
@require("designs:read")
@bp.doc(
    summary="A product as the storefront widget sees it",
    description="Photo, print areas, the options to fill in, fonts (served as webfonts) and "
    "currency. Storefront tokens only.",
    responses={
        402: "Personalization is unavailable (the shop's plan): sell the product as it is",
        404: "No such personalizable product in this shop",
    },
)
def product(product_ref: str):  # type: ignore[no-untyped-def]
    """The storefront-safe description of a personalizable product."""
    row = designs.find_product(g.brand.id, product_ref)
    if not row.personalizable:
        raise NotFound("This product is not personalizable.", code="product_not_found")
    if not enforcement.personalization_available(g.brand):
        # The widget says personalization is unavailable; the product stays buyable as is.
        raise PaymentRequired(
            "Personalization is not available for this shop right now.",
            code="personalization_unavailable",
        )
    return storefront_product(row, g.brand)


@bp.get("/designs/<design_id>/preview-link")
@require("designs:read")
@bp.doc(summary="Permanent preview link of a design (for cart line properties)")
def preview_link(design_id: str):  # type: ignore[no-untyped-def]
    """``{designId, previewUrl}`` where the URL does not expire."""
    design = designs.get_design(g.brand.id, design_id)
    reopen = saved.reopen_link(design)
    return {
        "designId": design.id,
        "previewUrl": links.preview_link(design.id),
        "editToken": reopen.token,
        "editExpiresAt": reopen.expires_at.isoformat(),
    }


class SavedOpenIn(Schema):
    token = String(required=True, validate=Length(1, saved.MAX_TOKEN_LENGTH))


@bp.post("/designs/<design_id>/save")
@require("designs:write")
@bp.doc(
    summary="Save a design to come back to it",
    description="Keeps the design for the saved-design retention and answers an "
    "account-less reopen token (`{designId, token, expiresAt}`), valid on this shop only.",
    responses={404: "No such design in this shop"},
)
def save_design(design_id: str):  # type: ignore[no-untyped-def]
    """Mark the design saved and answer its reopen token."""
    return saved.save(designs.get_design(g.brand.id, design_id)).as_json()


@bp.post("/saved")
@require("designs:read")
@bp.input(SavedOpenIn, arg_name="body")
@bp.doc(
    summary="Reopen a saved design",
    description="The design a reopen token names (its product, layers, options, prompt and "
    "fresh photo links), for the widget to restore. The token travels in the body, never "
    "in a URL Luneo logs.",
    responses={
        404: "Not a valid token for this shop (forged, another shop's, or the design is gone)",
        410: "The saved design outlived its retention",
    },
)
def open_saved(body: dict):  # type: ignore[no-untyped-def]
    """Restore what a reopen token names, for this shop's storefront only."""
    response = jsonify(saved.restore_state(saved.open_saved(g.brand.id, body["token"])))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/designs/<design_id>/preview")
@bp.doc(hide=True)
def preview(design_id: str) -> Response:
    """Redirect a signed permanent link to a fresh download URL of the design's preview."""
    if len(design_id) > 64 or not links.verify(design_id, request.args.get("sig")):
        raise Forbidden("This preview link is not valid.", code="bad_signature")
    design = db.session.get(Design, design_id)
    if design is None or not design.preview_key:
        raise NotFound("This design has no preview.", code="design_not_found")
    url = current_app.extensions["luneo.storage"].url(design.preview_key, 600)
    response = redirect(url, code=302)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
