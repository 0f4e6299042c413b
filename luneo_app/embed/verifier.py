"""The embed-token verifier: storefront tokens become principals on the same path as API keys.

Registered with :func:`luneo_app.auth.principal.register_verifier`. A storefront token is
limited more tightly than an API key:

* its brand is the shop's (or the API brand's), read again on every call: an uninstalled
  shop's tokens, or those of an origin the brand removed, stop working at once;
* its scopes are ``designs:read``, ``designs:write``, ``uploads:write`` and nothing else;
* it is accepted only on the endpoints the widget uses (create/read/finalize/follow, save and
  reopen a design, upload a photo, the storefront product view), whatever scope another
  endpoint asks for, so a shopper's token can never reach merchant endpoints that happen to
  share a scope;
* it must have completed its handshake (nonce consumed), and a browser may only present it
  from Luneo's own origin (the widget iframe) or the storefront origin it is bound to.
"""

from __future__ import annotations

from flask import current_app, request

from ..auth.principal import Principal
from ..core.errors import Forbidden, Unauthorized
from . import tokens
from .shops import active_brand_site, active_shop, normalize_origin

STOREFRONT_ENDPOINTS = frozenset(
    {
        "designs.create_design",
        "designs.get_design",
        "designs.finalize",
        "designs.events",
        "uploads.upload",
        "embed.product",
        "embed.preview_link",
        "embed.save_design",  # "Save for later"
        "embed.open_saved",  # reopening a saved design or a cart line
        "three_d.design_ar",  # the widget's 3D / AR tab
    }
)


def embed_principal(token: str) -> Principal | None:
    """The principal of a storefront embed token; None when ``token`` is not one.

    Raises 401 for an expired, forged, not-yet-handshaken token or an inactive shop, and 403
    when used from a foreign origin or on an endpoint storefront tokens may not use.
    """
    if not tokens.looks_like_embed_token(token):
        return None
    claims = tokens.decode(token)
    if not tokens.is_live(claims):
        raise Unauthorized(
            "This storefront token has not completed its handshake.",
            code="embed_token_not_validated",
        )
    shop = active_shop(claims.shop) if claims.shop else active_brand_site(claims.brand_id)
    # An uninstalled shop, or an origin the brand has since removed, ends its tokens at once.
    if shop is None or shop.brand_id != claims.brand_id or not shop.allows(claims.origin):
        raise Unauthorized("Luneo is not active on this shop.", code="shop_not_active")
    sent_origin = request.headers.get("Origin")
    if sent_origin is not None:
        own = normalize_origin(current_app.config["APP_URL"])
        if normalize_origin(sent_origin) not in (own, claims.origin):
            raise Forbidden(
                "This storefront token is bound to another origin.", code="origin_mismatch"
            )
    if request.endpoint not in STOREFRONT_ENDPOINTS:
        raise Forbidden(
            "Storefront tokens may not use this endpoint.", code="storefront_not_allowed"
        )
    return Principal(
        brand_id=shop.brand_id,
        kind="embed",
        scopes=claims.scopes,
        subject=claims.jti,
        claims={"shop": claims.shop, "origin": claims.origin, "jti": claims.jti},
    )
