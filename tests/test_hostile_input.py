"""Hostile JSON and NUL characters get a 4xx in the uniform error body, on every route."""

from __future__ import annotations

import io
import json

import pytest

from luneo_app.extensions import db
from luneo_app.models import Design, Order, Product, Upload
from luneo_app.web_input import MAX_JSON_DEPTH, json_depth_exceeds
from tests.designs.helpers import brand_with_key, text_design

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/v1/designs"),
        ("PUT", "/v1/products"),
        ("POST", "/v1/orders"),
        ("PUT", "/admin/api/settings"),
        ("POST", "/embed/validate?shop=acme.myshopify.com"),
        ("POST", "/webhooks/shopify/orders-create"),
    ],
)
def test_json_nested_100000_deep_is_refused_with_400(app, client, method, path, body):
    _brand, headers, _product = brand_with_key(app)

    response = client.open(
        path, method=method, data=body, headers={**headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "json_too_deep"
    assert error["details"] == {"maxDepth": MAX_JSON_DEPTH}


def test_the_depth_limit_counts_brackets_not_text_inside_strings():
    assert not json_depth_exceeds(_nested(MAX_JSON_DEPTH))
    assert json_depth_exceeds(_nested(MAX_JSON_DEPTH + 1))
    text = json.dumps({"text": "[" * 5000 + '{"\\"[[' * 100}).encode()
    assert not json_depth_exceeds(text)


def test_a_design_whose_text_is_full_of_brackets_is_accepted(app, client):
    _brand, headers, product = brand_with_key(app)

    response = client.post(
        "/v1/designs", json=text_design(product.id, text="[[[[{{{{"), headers=headers
    )

    assert response.status_code in (200, 201, 202), response.get_json()


def test_a_nul_in_a_designs_customer_ref_is_refused_and_nothing_is_stored(app, client):
    _brand, headers, product = brand_with_key(app)
    design = {**text_design(product.id), "customerRef": "jane\u0000doe"}

    response = client.post("/v1/designs", json=design, headers=headers)

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "nul_character"
    assert response.get_json()["error"]["details"] == {"field": "customerRef"}
    assert db.session.query(Design).count() == 0


def test_a_nul_deep_inside_a_design_names_the_field(app, client):
    _brand, headers, product = brand_with_key(app)
    design = text_design(product.id, text="Jess\u0000ica")

    response = client.post("/v1/designs", json=design, headers=headers)

    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["field"].startswith("layers[0].")


def test_a_nul_in_a_product_title_is_refused(app, client):
    _brand, headers, _product = brand_with_key(app)
    product = {"externalId": "mug-2", "title": "Mug\u0000", "template": {}}

    response = client.put("/v1/products", json=product, headers=headers)

    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"field": "title"}
    assert db.session.query(Product).filter_by(external_id="mug-2").count() == 0


def test_a_nul_in_an_external_order_id_is_refused(app, client):
    _brand, headers, _product = brand_with_key(app)
    order = {"externalOrderId": "A-1\u0000", "designId": "des_x"}

    response = client.post("/v1/orders", json=order, headers=headers)

    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"field": "externalOrderId"}
    assert db.session.query(Order).count() == 0


def test_a_nul_in_an_upload_form_field_is_refused(app, client):
    _brand, headers, _product = brand_with_key(app)
    form = {"file": (io.BytesIO(b"not read"), "me.jpg"), "customerRef": "jane\x00"}

    response = client.post(
        "/v1/uploads", data=form, headers=headers, content_type="multipart/form-data"
    )

    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"field": "customerRef"}
    assert db.session.query(Upload).count() == 0


def test_a_nul_in_a_query_parameter_is_refused(app, client):
    _brand, headers, _product = brand_with_key(app)

    response = client.get("/v1/designs?customerRef=jane%00", headers=headers)

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "nul_character"


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(app, client):
    _brand, headers, product = brand_with_key(app)
    design = {**text_design(product.id), "customerRef": "C:\\u0000"}

    response = client.post("/v1/designs", json=design, headers=headers)

    assert response.status_code in (200, 201, 202), response.get_json()
