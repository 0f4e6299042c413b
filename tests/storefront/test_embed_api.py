"""Storefront tokens on the ``/v1`` API: same code path as API keys, narrower permissions."""

from __future__ import annotations

import time

from sqlalchemy import select

from luneo_app.core.clock import utcnow
from luneo_app.embed import tokens
from luneo_app.extensions import db
from luneo_app.models import Design
from tests.designs.helpers import text_design
from tests.storefront.helpers import (
    ORIGIN,
    bearer,
    get_token,
    live_token,
    storefront_shop,
)

SHOP = "acme.myshopify.com"
OTHER = "bravo.myshopify.com"


def test_a_validated_token_creates_and_reads_a_storefront_design(app, client):
    _, _, product = storefront_shop(app)
    token = live_token(client, SHOP)
    created = client.post("/v1/designs", json=text_design("mug-1"), headers=bearer(token))
    assert created.status_code == 202, created.get_json()
    design_id = created.get_json()["designId"]
    got = client.get(f"/v1/designs/{design_id}", headers=bearer(token))
    assert got.status_code == 200 and got.get_json()["previewUrl"]
    row = db.session.scalar(select(Design).where(Design.id == design_id))
    assert row.source == "storefront" and row.product_id == product.id


def test_a_token_is_useless_until_its_handshake_consumed_the_nonce(app, client):
    storefront_shop(app)
    token = get_token(client, SHOP).get_json()["token"]
    answer = client.post("/v1/designs", json=text_design("mug-1"), headers=bearer(token))
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "embed_token_not_validated"
    assert db.session.scalar(select(Design)) is None


def test_an_expired_token_is_refused_by_the_api(app, client, monkeypatch):
    storefront_shop(app)
    token = live_token(client, SHOP)
    real = time.time
    monkeypatch.setattr(tokens.jwt.api_jwt, "datetime", _FutureDatetime(real() + 400))
    answer = client.post("/v1/designs", json=text_design("mug-1"), headers=bearer(token))
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "embed_token_expired"


def test_a_token_for_shop_a_cannot_read_shop_b_designs(app, client):
    storefront_shop(app)
    storefront_shop(app, domain=OTHER, origins=("https://bravo.example",))
    token_b = live_token(client, OTHER, origin="https://bravo.example")
    design_b = client.post(
        "/v1/designs", json=text_design("mug-1"), headers=bearer(token_b)
    ).get_json()["designId"]
    token_a = live_token(client, SHOP)
    for path in (f"/v1/designs/{design_b}", f"/v1/designs/{design_b}/events"):
        answer = client.get(path, headers=bearer(token_a))
        assert answer.status_code == 404, path
        assert answer.get_json()["error"]["code"] == "design_not_found"
    finalize = client.post(f"/v1/designs/{design_b}/finalize", json={}, headers=bearer(token_a))
    assert finalize.status_code == 404
    # Shop B's own token still reads it: the 404 above is isolation, not a broken design.
    assert client.get(f"/v1/designs/{design_b}", headers=bearer(token_b)).status_code == 200


def test_a_storefront_token_cannot_reach_merchant_endpoints(app, client):
    storefront_shop(app)
    token = live_token(client, SHOP)
    # PUT /v1/products asks for designs:write, which the token has: the endpoint list stops it.
    put = client.put(
        "/v1/products",
        json={"externalId": "mug-1", "title": "Hacked", "template": {}},
        headers=bearer(token),
    )
    assert put.status_code == 403
    assert put.get_json()["error"]["code"] == "storefront_not_allowed"
    assert client.get("/v1/products/mug-1", headers=bearer(token)).status_code == 403


def test_a_token_presented_from_a_foreign_origin_is_refused(app, client):
    storefront_shop(app)
    token = live_token(client, SHOP)
    headers = {**bearer(token), "Origin": "https://evil.example"}
    answer = client.post("/v1/designs", json=text_design("mug-1"), headers=headers)
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "origin_mismatch"
    for origin in (app.config["APP_URL"], ORIGIN):  # the widget iframe and the shop's page
        ok = client.post(
            "/v1/designs", json=text_design("mug-1"), headers={**bearer(token), "Origin": origin}
        )
        assert ok.status_code in (200, 202), ok.get_json()


def test_tokens_stop_working_when_the_shop_uninstalls(app, client):
    _, install, _ = storefront_shop(app)
    token = live_token(client, SHOP)
    install.uninstalled_at = utcnow()
    db.session.commit()
    answer = client.post("/v1/designs", json=text_design("mug-1"), headers=bearer(token))
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "shop_not_active"


def test_storefront_product_view_hides_merchant_only_parts(app, client):
    _, _, product = storefront_shop(app)
    product.template = {
        **product.template,
        "notes": "supplier: ACME, cost 1.20",
        "printAreas": [{**product.template["printAreas"][0], "mask": "data:image/png;base64,AAAA"}],
    }
    db.session.commit()
    token = live_token(client, SHOP)
    body = client.get("/embed/products/mug-1", headers=bearer(token)).get_json()
    assert body["productId"] == product.id and body["title"] == "Mug"
    assert "notes" not in body and body["printAreas"][0]["mask"] == "rect"
    assert [o["id"] for o in body["options"]] == ["name", "photo"]
    assert [f["id"] for f in body["fonts"]] == [
        "playfair-display",
        "dancing-script",
        "lato",
        "bebas-neue",
    ]
    assert body["imageUrl"] and body["currency"] == "USD"


def test_a_template_without_options_gets_a_text_field_and_a_material_picker(app, client):
    _, _, product = storefront_shop(app)
    product.template = {k: v for k, v in product.template.items() if k != "options"}
    db.session.commit()
    token = live_token(client, SHOP)
    options = client.get("/embed/products/mug-1", headers=bearer(token)).get_json()["options"]
    assert [(o["type"], o["synthetic"]) for o in options] == [("text", True), ("material", True)]
    assert [v["value"] for v in options[1]["values"]] == [None, "gold", "silver", "rose-gold"]


def test_product_view_is_for_storefront_tokens_only(app, client):
    storefront_shop(app)
    assert client.get("/embed/products/mug-1").status_code == 401


def test_preview_link_is_permanent_and_signed(app, client):
    storefront_shop(app)
    token = live_token(client, SHOP)
    design_id = client.post(
        "/v1/designs", json=text_design("mug-1"), headers=bearer(token)
    ).get_json()["designId"]
    link = client.get(f"/embed/designs/{design_id}/preview-link", headers=bearer(token))
    url = link.get_json()["previewUrl"]
    assert url.startswith(app.config["APP_URL"] + f"/embed/designs/{design_id}/preview?sig=")
    opened = client.get(url.replace(app.config["APP_URL"], ""))
    assert opened.status_code == 302 and "/files/" in opened.headers["Location"]
    tampered = client.get(url.replace(app.config["APP_URL"], "")[:-2] + "00")
    assert tampered.status_code == 403


class _FutureDatetime:
    """Stands in for ``datetime`` inside PyJWT so its clock reads a later time."""

    def __init__(self, timestamp: float) -> None:
        from datetime import UTC, datetime

        self._now = datetime.fromtimestamp(timestamp, tz=UTC)
        self._real = datetime

    def now(self, tz=None):  # type: ignore[no-untyped-def]
        return self._now

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._real, name)
