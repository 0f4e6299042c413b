"""The OpenAPI document: valid 3.1, committed as openapi.yaml, typed bodies, the real error
envelope, security and the Idempotency-Key; /docs needs nothing from outside."""

from __future__ import annotations

import re

import yaml
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from luneo_app.apidocs.openapi import SPEC_FILE
from luneo_app.apidocs.schemas import TEMPLATE_EXAMPLE
from luneo_app.designs.template import validate_template
from tests.designs.helpers import brand_with_key


def _spec(client) -> dict:  # type: ignore[no-untyped-def]
    answer = client.get("/openapi.json")
    assert answer.status_code == 200
    return answer.get_json()


def _operations(spec: dict):  # type: ignore[no-untyped-def]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_the_served_document_is_valid_openapi_3_1(client):
    spec = _spec(client)

    validate(spec)

    assert spec["openapi"].startswith("3.1")


def test_openapi_yaml_is_the_served_document(client):
    committed = yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))

    assert committed == _spec(client), "openapi.yaml is stale: run `flask luneo openapi`"


def test_every_error_answer_is_documented_with_the_real_envelope(app, client):
    spec = _spec(client)
    error_responses = [
        (path, method, code, response)
        for path, method, operation in _operations(spec)
        for code, response in operation["responses"].items()
        if code[0] in "45"
    ]
    # A real error answer matches the documented schema.
    _brand, headers, _product = brand_with_key(app)
    real = client.get("/v1/designs?limit=0", headers=headers).get_json()
    unauthorized = client.get("/v1/designs").get_json()
    schema = {"components": spec["components"], "$ref": "#/components/schemas/ErrorBody"}

    assert len(error_responses) > 50
    for path, method, code, response in error_responses:
        ref = response["content"]["application/json"]["schema"]["$ref"]
        assert ref == "#/components/schemas/ErrorBody", (path, method, code)
    OAS31Validator(schema).validate(real)
    OAS31Validator(schema).validate(unauthorized)
    assert real["error"]["code"] == "validation_failed"
    assert "detail" not in str(spec["components"]["schemas"].get("HTTPError", ""))


def test_every_authenticated_operation_declares_security_scope_and_401_403(app, client):
    spec = _spec(client)
    secured = {
        re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "required_scope", None)
    }

    assert {"/v1/designs", "/v1/orders", "/v1/embed/tokens"} <= secured
    for path, method, operation in _operations(spec):
        if path not in secured or method == "options":
            continue
        assert {"BearerAuth": []} in operation["security"], (path, method)
        assert {"401", "403"} <= set(operation["responses"]), (path, method)
        assert "Scope: `" in operation["description"], (path, method)
    widget_op = spec["paths"]["/v1/designs"]["post"]
    assert {"StorefrontToken": []} in widget_op["security"]
    assert {"StorefrontToken": []} not in spec["paths"]["/v1/orders"]["post"]["security"]
    assert set(spec["components"]["securitySchemes"]) == {"BearerAuth", "StorefrontToken"}


def test_idempotency_key_and_pagination_parameters_are_documented(client):
    spec = _spec(client)
    create_order = spec["paths"]["/v1/orders"]["post"]
    header = [p for p in create_order["parameters"] if p["name"] == "Idempotency-Key"]

    assert header and header[0]["in"] == "header" and header[0]["required"] is True
    assert {"400", "409", "422"} <= set(create_order["responses"])
    for path in ("/v1/products", "/v1/designs", "/v1/orders"):
        names = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
        assert {"limit", "cursor", "createdAfter", "createdBefore"} <= names, path
    assert {"status", "productId"} <= {
        p["name"] for p in spec["paths"]["/v1/designs"]["get"]["parameters"]
    }


def test_bodies_are_typed_with_nested_schemas_and_examples(app, client):
    spec = _spec(client)
    schemas = spec["components"]["schemas"]
    template_prop = schemas["ProductIn"]["properties"]["template"]
    layers = schemas["DesignIn"]["properties"]["layers"]
    _brand, headers, _product = brand_with_key(app)

    assert template_prop["$ref"] == "#/components/schemas/Template"
    assert template_prop["example"]["printAreas"][0]["widthMm"] == 80
    area = schemas["Template"]["properties"]["printAreas"]["items"]["$ref"]
    option = schemas["Template"]["properties"]["options"]["items"]["$ref"]
    assert area.endswith("/PrintArea") and option.endswith("/TemplateOption")
    assert {"x", "y", "width", "height", "widthMm", "heightMm"} <= set(
        schemas["PrintArea"]["required"]
    )
    assert schemas["TemplateOption"]["properties"]["values"]["items"]["$ref"].endswith(
        "/OptionValue"
    )
    assert layers["items"]["$ref"] == "#/components/schemas/Layer" and layers["example"]
    assert schemas["DesignIn"]["properties"]["options"]["example"] == {
        "name": "Jessica",
        "finish": "gold",
    }
    assert "uploadId" in schemas["Layer"]["properties"]
    assert schemas["UploadOut"]["properties"]["printQuality"]
    assert schemas["DesignOut"]["properties"]["price"]
    # The examples are true: the documented template is accepted as it is.
    validate_template(TEMPLATE_EXAMPLE)
    put = client.put(
        "/v1/products",
        json={"externalId": "doc-example", "title": "Mug", "template": TEMPLATE_EXAMPLE},
        headers=headers,
    )
    assert put.status_code == 200, put.get_json()


def test_docs_page_loads_only_the_apps_own_pinned_assets(client):
    page = client.get("/docs")
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)

    assert page.status_code == 200
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))], assets
    for asset in assets:
        if asset.startswith("/docs/assets/"):
            fetched = client.get(asset)
            assert fetched.status_code == 200, asset
            assert len(fetched.data) > 100, asset
    assert any("swagger-ui-5.35.0/swagger-ui-bundle.js" in a for a in assets)
