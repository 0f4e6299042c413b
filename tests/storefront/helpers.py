"""Set-up shared by the storefront tests: an installed shop with a mug, and embed sessions."""

from __future__ import annotations

from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.files.storage import brand_prefix
from tests.designs.helpers import MUG_TEMPLATE, _photo
from tests.support.factories import make_product, make_shop

ORIGIN = "https://acme-mugs.example"


def storefront_shop(app, domain: str = "acme.myshopify.com", origins=(ORIGIN,), **fields):  # type: ignore[no-untyped-def]
    """An installed, active shop with storefront origins and a personalizable mug with a photo."""
    fields.setdefault("installed_at", utcnow())
    brand, install = make_shop(domain, storefront_domains=list(origins), **fields)
    product = make_product(brand, template=MUG_TEMPLATE, external_id="mug-1", title="Mug")
    key = f"{brand_prefix(brand.id)}products/{product.id}/photo.png"
    app.extensions["luneo.storage"].put(key, _photo(), "image/png")
    product.image_key = key
    db.session.commit()
    return brand, install, product


def get_token(client, shop: str, origin: str = ORIGIN, header_origin: str | None = "same"):  # type: ignore[no-untyped-def]
    """``GET /embed/token`` as a browser on ``origin`` would call it."""
    sent = origin if header_origin == "same" else header_origin
    headers = {"Origin": sent} if sent else {}
    query = {"shop": shop, "origin": origin}
    return client.get("/embed/token", query_string=query, headers=headers)


def validate(client, shop: str, token: str, nonce: str, origin: str = ORIGIN):  # type: ignore[no-untyped-def]
    return client.post(
        "/embed/validate",
        query_string={"shop": shop},
        json={"token": token, "nonce": nonce},
        headers={"Origin": origin},
    )


def live_token(client, shop: str, origin: str = ORIGIN) -> str:
    """A token that completed its handshake (nonce consumed), ready for the API."""
    answer = get_token(client, shop, origin)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    done = validate(client, shop, body["token"], body["nonce"], origin)
    assert done.status_code == 200, done.get_json()
    return body["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
