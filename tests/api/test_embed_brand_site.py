"""The widget on an API brand's own website: registered origins, both ways to mint a token,
the handshake, the server's price, and orders whose stated price disagrees."""

from __future__ import annotations

import pytest

from luneo_app.auth.apikeys import create_api_key
from luneo_app.extensions import db
from luneo_app.models import Brand
from tests.designs.helpers import brand_with_key, text_design

SITE = "https://shop.acme-mugs.example"
PRICED_OPTIONS = [
    {"id": "name", "type": "text", "label": "Name", "printArea": "front", "maxChars": 12,
     "priceCents": 300},
    {"id": "finish", "type": "material", "label": "Finish",
     "values": [{"value": None}, {"value": "gold", "priceCents": 500}]},
]  # fmt: skip


def _site(app, client, origins=(SITE,)):  # type: ignore[no-untyped-def]
    brand, headers, product = brand_with_key(app)
    answer = client.put("/v1/embed/origins", json={"origins": list(origins)}, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return brand, headers, product


def _handshake(client, brand_id: str, origin: str = SITE) -> str:
    minted = client.get(
        "/embed/token",
        query_string={"brand": brand_id, "origin": origin},
        headers={"Origin": origin},
    )
    assert minted.status_code == 200, minted.get_json()
    assert minted.headers["Access-Control-Allow-Origin"] == origin
    body = minted.get_json()
    done = client.post(
        "/embed/validate",
        query_string={"brand": brand_id},
        json={"token": body["token"], "nonce": body["nonce"]},
        headers={"Origin": origin},
    )
    assert done.status_code == 200, done.get_json()
    return body["token"]


def test_a_brand_registers_https_origins_and_reads_them_back(app, client):
    brand, headers, _ = brand_with_key(app)

    put = client.put(
        "/v1/embed/origins",
        json={"origins": ["https://Shop.Acme-Mugs.example:443/", "http://localhost:8000", SITE]},
        headers=headers,
    )
    got = client.get("/v1/embed/origins", headers=headers)

    assert put.status_code == 200
    assert got.get_json()["origins"] == [SITE, "http://localhost:8000"]  # normalised, once
    assert db.session.get(Brand, brand.id).settings["embedOrigins"] == [
        SITE,
        "http://localhost:8000",
    ]


@pytest.mark.parametrize(
    "origin",
    ["http://shop.example.com", "https://shop.example.com/cart", "shop.example.com",
     "javascript:alert(1)", "https://user:pw@shop.example.com", ""],
)  # fmt: skip
def test_origins_that_are_not_https_origins_are_refused_and_nothing_changes(app, client, origin):
    brand, headers, _ = _site(app, client)

    answer = client.put("/v1/embed/origins", json={"origins": [SITE, origin]}, headers=headers)

    assert answer.status_code == 422
    assert "origins[1]" in str(answer.get_json()["error"]["details"])
    assert client.get("/v1/embed/origins", headers=headers).get_json()["origins"] == [SITE]


def test_registering_origins_needs_the_embed_scope(app, client):
    brand, _headers, _ = brand_with_key(app)
    narrow = create_api_key(brand, scopes=["designs:read"])
    db.session.commit()

    answer = client.put(
        "/v1/embed/origins",
        json={"origins": [SITE]},
        headers={"Authorization": f"Bearer {narrow.plaintext}"},
    )

    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "insufficient_scope"


def test_a_registered_origin_gets_a_token_through_the_handshake_and_designs_work(app, client):
    brand, _headers, product = _site(app, client)

    token = _handshake(client, brand.id)
    design = client.post(
        "/v1/designs",
        json=text_design(product.id),
        headers={"Authorization": f"Bearer {token}", "Origin": SITE},
    )

    assert design.status_code in (200, 202), design.get_json()


def test_an_unregistered_origin_or_unknown_brand_gets_no_token(app, client):
    brand, _headers, _ = _site(app, client)
    other = "https://evil.example"

    foreign = client.get(
        "/embed/token", query_string={"brand": brand.id, "origin": other}, headers={"Origin": other}
    )
    lying = client.get(
        "/embed/token", query_string={"brand": brand.id, "origin": SITE}, headers={"Origin": other}
    )
    unknown = client.get(
        "/embed/token",
        query_string={"brand": "brd_" + "a" * 24, "origin": SITE},
        headers={"Origin": SITE},
    )
    malformed = client.get("/embed/token", query_string={"brand": "acme", "origin": SITE})

    assert foreign.status_code == 403 and "Access-Control-Allow-Origin" not in foreign.headers
    assert lying.status_code == 403 and lying.get_json()["error"]["code"] == "origin_mismatch"
    assert unknown.status_code == 403 and unknown.get_json()["error"]["code"] == "shop_not_active"
    assert malformed.status_code == 422


def test_a_token_is_bound_to_its_origin_and_dies_when_the_origin_is_removed(app, client):
    brand, headers, product = _site(app, client, origins=(SITE, "https://other.example"))
    token = _handshake(client, brand.id)
    auth = {"Authorization": f"Bearer {token}"}

    from_other = client.get(
        f"/embed/products/{product.id}", headers={**auth, "Origin": "https://other.example"}
    )
    from_site = client.get(f"/embed/products/{product.id}", headers={**auth, "Origin": SITE})
    client.put("/v1/embed/origins", json={"origins": ["https://other.example"]}, headers=headers)
    after_removal = client.get(f"/embed/products/{product.id}", headers={**auth, "Origin": SITE})

    assert from_other.status_code == 403 and from_other.get_json()["error"]["code"] == (
        "origin_mismatch"
    )
    assert from_site.status_code == 200
    assert after_removal.status_code == 401


def test_the_brand_backend_mints_a_token_that_needs_the_handshake_once(app, client):
    brand, headers, product = _site(app, client)

    minted = client.post("/v1/embed/tokens", json={"origin": SITE}, headers=headers)
    body = minted.get_json()
    before = client.get(
        f"/embed/products/{product.id}", headers={"Authorization": f"Bearer {body['token']}"}
    )
    first = client.post(
        "/embed/validate",
        query_string={"brand": brand.id},
        json={"token": body["token"], "nonce": body["nonce"]},
        headers={"Origin": SITE},
    )
    replay = client.post(
        "/embed/validate",
        query_string={"brand": brand.id},
        json={"token": body["token"], "nonce": body["nonce"]},
        headers={"Origin": SITE},
    )
    after = client.get(
        f"/embed/products/{product.id}", headers={"Authorization": f"Bearer {body['token']}"}
    )

    assert minted.status_code == 201 and minted.headers["Cache-Control"] == "no-store"
    assert body["expiresIn"] == app.config["EMBED_TOKEN_TTL"]
    assert before.status_code == 401  # not live before the handshake
    assert first.status_code == 200
    assert replay.status_code == 401 and replay.get_json()["error"]["code"] == "invalid_nonce"
    assert after.status_code == 200


def test_the_backend_cannot_mint_for_an_unregistered_origin(app, client):
    _brand, headers, _ = _site(app, client)

    answer = client.post(
        "/v1/embed/tokens", json={"origin": "https://evil.example"}, headers=headers
    )

    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "origin_not_registered"


def test_a_token_of_one_brand_cannot_complete_the_handshake_of_another(app, client):
    brand_a, headers_a, _ = _site(app, client)
    brand_b = Brand(name="Other", kind="api", settings={"embedOrigins": [SITE]})
    db.session.add(brand_b)
    db.session.commit()
    body = client.post("/v1/embed/tokens", json={"origin": SITE}, headers=headers_a).get_json()

    answer = client.post(
        "/embed/validate",
        query_string={"brand": brand_b.id},
        json={"token": body["token"], "nonce": body["nonce"]},
        headers={"Origin": SITE},
    )

    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "invalid_embed_token"


def test_the_design_carries_the_servers_price_and_a_disagreeing_order_is_flagged(app, client):
    brand, headers, product = _site(app, client)
    brand.currency = "EUR"
    product.template = {**product.template, "options": PRICED_OPTIONS}
    db.session.commit()
    body = {**text_design(product.id), "options": {"name": "Jessica", "finish": "gold"}}
    made = client.post("/v1/designs", json=body, headers=headers).get_json()
    design_id = made["designId"]

    shown = client.get(f"/v1/designs/{design_id}", headers=headers).get_json()
    honest = client.post(
        "/v1/orders",
        json={
            "designId": design_id,
            "externalOrderId": "A-1",
            "statedPrices": [{"designId": design_id, "addOnCents": 800, "currency": "EUR"}],
        },
        headers={**headers, "Idempotency-Key": "a-1"},
    )
    tampered = client.post(
        "/v1/orders",
        json={
            "designId": design_id,
            "externalOrderId": "A-2",
            "statedPrices": [{"designId": design_id, "addOnCents": 0}],
        },
        headers={**headers, "Idempotency-Key": "a-2"},
    )
    stray = client.post(
        "/v1/orders",
        json={
            "designId": design_id,
            "externalOrderId": "A-3",
            "statedPrices": [{"designId": "des_" + "b" * 24, "addOnCents": 0}],
        },
        headers={**headers, "Idempotency-Key": "a-3"},
    )

    assert shown["price"] == {"addOnCents": 800, "currency": "EUR"}  # 300 name + 500 gold
    assert honest.status_code == 201 and honest.get_json()["problems"] == []
    assert tampered.status_code == 201  # the order goes on; the brand sees the problem
    problems = tampered.get_json()["problems"]
    assert [p["code"] for p in problems] == ["price_mismatch"]
    assert problems[0]["designId"] == design_id and problems[0]["statedAddOnCents"] == 0
    assert "800 EUR" in problems[0]["message"]
    fetched = client.get(f"/v1/orders/{tampered.get_json()['orderId']}", headers=headers)
    assert fetched.get_json()["problems"][0]["code"] == "price_mismatch"
    assert stray.status_code == 422 and stray.get_json()["error"]["code"] == "invalid_prices"


@pytest.fixture()
def demo_app(_schema):  # type: ignore[no-untyped-def]
    from luneo_app import create_app
    from tests.conftest import clean_state, make_config

    application = create_app(make_config(DEMO_MODE=True))
    clean_state(application)
    with application.app_context():
        yield application
        db.session.remove()


def test_the_demo_store_shows_any_api_brands_personalizable_product_when_named(demo_app):
    from tests.support.factories import make_product, make_shop

    client = demo_app.test_client()
    brand, _headers, product = brand_with_key(demo_app)
    page = client.get("/demo/brand-store", query_string={"brand": brand.id, "product": "mug-1"})
    assert page.status_code == 200
    assert f'"brand": "{brand.id}"' in page.text and f'"productId": "{product.id}"' in page.text
    backend = client.get(
        "/demo/brand-store",
        query_string={"brand": brand.id, "product": product.id, "mint": "backend"},
    )
    assert f"embed-token?brand={brand.id}" in backend.text

    hidden = make_product(brand, template={}, external_id="plain", title="Plain")
    hidden.personalizable = False
    shop, _install = make_shop()
    db.session.commit()
    refused = {
        "product": (brand.id, "nope"),
        "hidden": (brand.id, hidden.external_id),
        "shopify brand": (shop.id, "mug-1"),
        "unknown brand": ("brd_unknown", "mug-1"),
    }
    for case, (brand_id, ref) in refused.items():
        r = client.get("/demo/brand-store", query_string={"brand": brand_id, "product": ref})
        assert r.status_code == 404, case
        assert r.get_json()["error"]["code"] in ("brand_not_found", "product_not_found"), case
    half = client.get("/demo/brand-store", query_string={"brand": brand.id})
    assert half.status_code == 422 and "product" in half.get_json()["error"]["details"]
    long = client.get("/demo/brand-store", query_string={"brand": "b" * 200, "product": "x"})
    assert long.status_code == 422


def test_a_named_brand_store_mints_tokens_for_that_brand_only(demo_app):
    client = demo_app.test_client()
    brand, headers, _product = brand_with_key(demo_app)
    site = "http://localhost:5000"
    client.put("/v1/embed/origins", json={"origins": [site]}, headers=headers)
    minted = client.post(
        f"/demo/brand-store/embed-token?brand={brand.id}&product=mug-1",
        json={"origin": site},
        headers={"Origin": site},
    )
    assert minted.status_code == 200, minted.get_json()
    validated = client.post(
        "/embed/validate",
        query_string={"brand": brand.id},
        json={"token": minted.get_json()["token"], "nonce": minted.get_json()["nonce"]},
        headers={"Origin": site},
    )
    assert validated.status_code == 200, validated.get_json()
