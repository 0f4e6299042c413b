"""``/v1/embed``: an API brand puts the widget on its own website.

``PUT /v1/embed/origins`` registers the storefront origins; the widget's handshake then works
from those pages (``LuneoWidget.init({brand})``). ``POST /v1/embed/tokens`` lets the brand's
backend mint the token and nonce itself (``LuneoWidget.init({brand, tokenUrl})``).
"""

from __future__ import annotations

from apiflask import APIBlueprint, Schema
from apiflask.fields import Integer, List, String
from apiflask.validators import Length
from flask import g, jsonify

from ..auth.principal import require
from ..core.errors import Forbidden, ValidationFailed
from . import tokens
from .origins import MAX_ORIGINS, registered_origins, set_origins
from .shops import active_brand_site, parse_origin

bp = APIBlueprint("embed_api", __name__, url_prefix="/v1/embed", tag="Embed")

_ORIGIN_EXAMPLE = "https://shop.example.com"


class OriginsIn(Schema):
    origins = List(
        String(validate=Length(max=300)),
        required=True,
        validate=Length(max=MAX_ORIGINS),
        metadata={
            "description": "Every origin (scheme://host[:port]) of the pages that embed the "
            "widget; replaces the list. https only (http for localhost).",
            "example": [_ORIGIN_EXAMPLE, "https://www.example.com"],
        },
    )


class OriginsOut(Schema):
    origins = List(String(), metadata={"example": [_ORIGIN_EXAMPLE]})


class EmbedTokenIn(Schema):
    origin = String(
        required=True,
        validate=Length(1, 300),
        metadata={
            "description": "Origin of the page the widget opens on (registered).",
            "example": _ORIGIN_EXAMPLE,
        },
    )


class EmbedTokenOut(Schema):
    token = String(metadata={"description": "JWT bound to the brand and the origin."})
    nonce = String(metadata={"description": "One-time handshake nonce."})
    expiresIn = Integer(metadata={"description": "Seconds the token lives.", "example": 300})  # noqa: N815


@bp.get("/origins")
@require("embed:write")
@bp.output(OriginsOut)
@bp.doc(security="BearerAuth", summary="List the registered storefront origins")
def get_origins():  # type: ignore[no-untyped-def]
    """The origins whose pages may embed the widget."""
    return {"origins": registered_origins(g.brand)}


@bp.put("/origins")
@require("embed:write")
@bp.input(OriginsIn, arg_name="body")
@bp.output(OriginsOut)
@bp.doc(
    security="BearerAuth",
    summary="Register the storefront origins",
    description="Pages on these origins may open the widget with "
    "`LuneoWidget.init({brand})`. Tokens of an origin removed here stop working at once.",
    responses={403: "Not an API brand", 422: "An origin is not an https origin"},
)
def put_origins(body: dict):  # type: ignore[no-untyped-def]
    """Replace the brand's storefront origins."""
    if g.brand.kind != "api":
        raise Forbidden(
            "Shopify shops embed the widget through the theme app extension.",
            code="not_an_api_brand",
        )
    origins = set_origins(g.brand, body["origins"], actor=f"api_key:{g.principal.subject}")
    return {"origins": origins}


@bp.post("/tokens")
@require("embed:write")
@bp.input(EmbedTokenIn, arg_name="body")
@bp.output(EmbedTokenOut, status_code=201)
@bp.doc(
    security="BearerAuth",
    summary="Mint a storefront token from your backend",
    description="For `LuneoWidget.init({brand, tokenUrl})`: your `tokenUrl` calls this with "
    "your API key and hands `{token, nonce, expiresIn}` to the page. The token works only "
    "after the widget's handshake consumed the nonce, and only from `origin`.",
    responses={422: "The origin is not one of the brand's registered origins"},
)
def mint_token(body: dict):  # type: ignore[no-untyped-def]
    """A token and nonce bound to the brand and a registered origin."""
    issued = mint_site_token(g.brand.id, body["origin"])
    response = jsonify(
        {"token": issued.token, "nonce": issued.nonce, "expiresIn": issued.expires_in}
    )
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


def mint_site_token(brand_id: str, origin_value: str) -> tokens.IssuedEmbedToken:
    """A token and nonce for a brand's registered origin; 422 for any other origin."""
    origin = parse_origin(origin_value)
    site = active_brand_site(brand_id)
    if site is None or not site.allows(origin):
        raise ValidationFailed(
            "Register this origin first (PUT /v1/embed/origins).",
            code="origin_not_registered",
            details={"origin": "not a registered origin of this brand"},
        )
    return tokens.issue(site, origin)
