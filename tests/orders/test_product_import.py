"""Importing one store product for a template goes through the brand's connector
(``fetch_product``), whatever the platform: a REST brand's own API with its key, a Shopify
shop's Admin GraphQL product query (the fake Shopify), with the photo from where the
platform serves it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import current_app

from connectors.base import ConnectorError
from luneo_app.commerce.catalog import import_product
from luneo_app.extensions import db
from luneo_app.models import CommerceConnection, Product
from tests.fakes.shopify_cdn import FakeShopifyCdn
from tests.orders.helpers import photo
from tests.orders.test_rest_connector import (  # noqa: F401 - brand_api is a fixture
    _key_header,
    brand_api,
    rest_brand,
)
from tests.shopify.helpers import SHOP, seed_install
from tests.support.factories import make_brand


@pytest.fixture()
def cdn(app) -> Iterator[FakeShopifyCdn]:  # type: ignore[no-untyped-def]
    with FakeShopifyCdn() as fake:
        app.config["SHOPIFY_CDN_ORIGIN"] = fake.origin
        yield fake


def _stored(product: Product) -> bytes:
    return current_app.extensions["luneo.storage"].get(product.image_key)


def test_a_rest_brand_imports_a_product_from_its_api_with_its_key_and_photo(app, brand_api):  # noqa: F811
    brand, _secret, _mug = rest_brand(app, brand_api)
    picture = brand_api.serve_file("/cdn/travel-mug.png", photo())
    brand_api.route(
        "GET",
        "/api/products/SKU-1001",
        200,
        {"id": "SKU-1001", "title": "Travel Mug", "handle": "travel-mug",
         "images": [{"url": picture, "alt": "Blue mug"}]},
    )  # fmt: skip

    product, created = import_product(brand, "SKU-1001")
    db.session.commit()

    assert created is True
    assert (product.brand_id, product.platform, product.external_id) == (
        brand.id, "api", "SKU-1001"
    )  # fmt: skip
    assert (product.title, product.handle, product.personalizable) == (
        "Travel Mug", "travel-mug", False
    )  # fmt: skip
    assert _stored(product) == photo()
    read = next(r for r in brand_api.received if r.path == "/api/products/SKU-1001")
    assert read.headers["Authorization"] == "Bearer brand-api-key"

    again, created_again = import_product(brand, "SKU-1001")
    db.session.commit()
    assert again.id == product.id and created_again is False
    photo_reads = [r for r in brand_api.received if r.path == "/cdn/travel-mug.png"]
    assert len(photo_reads) == 1  # the same picture is not fetched twice


def test_a_rest_product_the_api_does_not_know_is_not_found_and_nothing_is_written(
    app,
    brand_api,  # noqa: F811
):
    brand, _secret, _mug = rest_brand(app, brand_api)
    brand_api.route("GET", "/api/products/NOPE", 404, {"error": "not found"})

    with pytest.raises(ConnectorError) as refused:
        import_product(brand, "NOPE")

    assert refused.value.code == "not_found"
    db.session.rollback()
    assert db.session.scalar(db.select(Product).where(Product.external_id == "NOPE")) is None


def test_a_brand_without_a_store_has_nothing_to_import_from(app):
    brand = make_brand(name="Orders by API only")
    db.session.commit()

    with pytest.raises(ConnectorError) as refused:
        import_product(brand, "1")

    assert refused.value.code == "not_connected"


def test_a_shopify_shop_imports_through_the_admin_graphql_product_query(app, fake_shopify, cdn):
    brand, _install, _grant = seed_install(app, fake_shopify, SHOP)
    picture = cdn.add("/s/files/1/mug.png", photo())
    fake_shopify.orders.add_product(SHOP, "7001", "Enamel Mug", [picture])
    # Shopify refuses the first call (a rotated token): the connector refreshes it once.
    fake_shopify.fail_next("graphql", 401, {"errors": "[API] Invalid API key or access token"})

    product, created = import_product(brand, "7001")
    db.session.commit()

    assert created is True
    assert (product.platform, product.external_id, product.title, product.handle) == (
        "shopify", "7001", "Enamel Mug", "enamel-mug"
    )  # fmt: skip
    assert _stored(product) == photo() and cdn.requests == ["/s/files/1/mug.png"]
    assert fake_shopify.count("refresh", SHOP) == 1
    assert fake_shopify.count("graphql", SHOP) == 2


def test_another_shops_product_is_not_found_and_a_photo_off_shopifys_cdn_is_not_fetched(
    app, fake_shopify, cdn
):
    brand, _install, _grant = seed_install(app, fake_shopify, SHOP)
    fake_shopify.orders.add_product("other-shop.myshopify.com", "9", "Not Yours", [])
    fake_shopify.orders.add_product(SHOP, "8", "Odd Photo", ["http://127.0.0.1:9/evil.png"])

    with pytest.raises(ConnectorError) as refused:
        import_product(brand, "9")
    assert refused.value.code == "not_found"

    product, _created = import_product(brand, "8")
    db.session.commit()
    assert product.title == "Odd Photo" and product.image_key is None
    assert cdn.requests == []


def test_the_api_imports_a_store_product_and_answers_each_failure_in_the_uniform_shape(
    app,
    client,
    brand_api,  # noqa: F811
):
    brand, _secret, _mug = rest_brand(app, brand_api)
    headers = _key_header(brand)
    brand_api.route("GET", "/api/products/SKU-1", 200, {"id": "SKU-1", "title": "Tote"})
    brand_api.route("GET", "/api/products/SKU-404", 404, {"error": "no"})
    url = "/v1/connectors/products/{}/import"

    first = client.post(url.format("SKU-1"), headers=headers)
    again = client.post(url.format("SKU-1"), headers=headers)
    missing = client.post(url.format("SKU-404"), headers=headers)
    invalid = client.post(url.format("bad%20id"), headers=headers)
    brand_api.route("GET", "/api/products/SKU-2", 401, {"error": "revoked"})
    refused = client.post(url.format("SKU-2"), headers=headers)
    brand_api.route("GET", "/api/products/SKU-3", 503, {"error": "down"})
    down = client.post(url.format("SKU-3"), headers=headers)
    unsigned = client.post(url.format("SKU-1"))

    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert (body["externalId"], body["title"], body["created"]) == ("SKU-1", "Tote", True)
    assert again.get_json()["created"] is False
    assert again.get_json()["productId"] == body["productId"]
    answers = {
        "missing": missing, "invalid": invalid, "refused": refused, "down": down,
        "unsigned": unsigned,
    }  # fmt: skip
    assert {k: (r.status_code, r.get_json()["error"]["code"]) for k, r in answers.items()} == {
        "missing": (404, "store_product_not_found"),
        "invalid": (422, "invalid_product_id"),
        "refused": (502, "store_refused_key"),
        "down": (503, "store_unavailable"),
        "unsigned": (401, unsigned.get_json()["error"]["code"]),
    }
    row = db.session.scalar(db.select(CommerceConnection))
    db.session.refresh(row)
    assert row.status == "failing"


def test_the_api_says_to_connect_a_store_first(app, client):
    brand = make_brand(name="Orders by API only")
    db.session.commit()

    answer = client.post("/v1/connectors/products/1/import", headers=_key_header(brand))

    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "no_store"
