"""The OpenAPI document's finishing touches, and ``flask luneo openapi``.

APIFlask builds the document from the routes' schemas. :func:`finish_spec` then adds what the
decorators cannot say: the typed template / layer / options shapes of bodies that the domain
checks validate (see :mod:`.schemas`), the 401/403 answers of every authenticated operation,
the ``Idempotency-Key`` header, which operations storefront tokens may call, and the overview.
The committed ``openapi.yaml`` is this document; a test fails when they differ.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from ..config import PROJECT_ROOT
from .schemas import LAYER_EXAMPLE, OPTIONS_DOC, TEMPLATE_EXAMPLE, ErrorBody, Layer, Template

SPEC_FILE = PROJECT_ROOT / "openapi.yaml"
_REF = "#/components/schemas/"

DESCRIPTION = """\
Personalized products for brands: upload photos, create designs against a product's template,
follow their rendering, and turn them into orders with print-ready production files.

**Authentication.** Send `Authorization: Bearer <API key>` (`lk_...`, created in the console
with scopes such as `designs:write`). The storefront widget uses short-lived storefront tokens
(`StorefrontToken`) on the few operations marked with it.

**Errors.** Every error answer has the same body:
`{"error": {"code": "...", "message": "...", "details": {...} | null}}`, where `details` names
each bad field.

**Lists.** `GET /v1/products`, `/v1/designs` and `/v1/orders` answer `{data, nextCursor}`,
newest first; pass `nextCursor` back as `cursor` for the next page.

**Retries.** `POST /v1/orders` requires an `Idempotency-Key` header: the same key and body
answer with the same order.
"""

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "description": "A unique value per order (e.g. a UUID), 1-255 visible ASCII characters. "
    "Repeating a request with the same key and body answers with the same order "
    "(header `Idempotent-Replayed: true`); the same key with another body is a 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "example": "0b8f3a52-6c1e-4c1a-9a55-2f0f8c1f4d3e",
}

SECURITY_SCHEMES = {
    "BearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "A brand's API key: `Authorization: Bearer lk_...`.",
    },
    "StorefrontToken": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A storefront token from the widget's handshake (`/embed/token` and "
        "`/embed/validate`, or `POST /v1/embed/tokens`), bound to one storefront origin.",
    },
}


def _query(name: str, description: str, example: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
        "example": example,
    }


_SHOP = _query("shop", "The Shopify shop (or give `brand`).", "my-shop.myshopify.com")
_BRAND = _query("brand", "An API brand's id, for its own website (instead of `shop`).", "brd_...")
_ORIGIN = {
    **_query("origin", "Origin of the calling page.", "https://shop.example.com"),
    "required": True,
}
# The storefront handshake reads its query by hand (its errors must not reveal which shops
# exist), so its parameters are documented here.
_HANDSHAKE_PARAMS = {
    ("/embed/token", "get"): [_SHOP, _BRAND, _ORIGIN],
    ("/embed/validate", "post"): [_SHOP, _BRAND],
}

# Body properties whose shape the domain checks validate: documented with the typed schemas.
_TYPED = {
    ("ProductIn", "template"): {"$ref": _REF + "Template", "example": TEMPLATE_EXAMPLE},
    ("ProductOut", "template"): {"$ref": _REF + "Template"},
    ("DesignIn", "layers"): {
        "type": "array",
        "maxItems": 20,
        "items": {"$ref": _REF + "Layer"},
        "example": [LAYER_EXAMPLE],
    },
    ("DesignIn", "options"): OPTIONS_DOC,
    ("FinalizeIn", "layers"): {
        "type": ["array", "null"],
        "items": {"$ref": _REF + "Layer"},
        "description": "Layers the finalized design must have (else 409).",
    },
    ("FinalizeIn", "options"): {**OPTIONS_DOC, "type": ["object", "null"]},
    ("DesignOut", "layers"): {"type": "array", "items": {"$ref": _REF + "Layer"}},
    ("DesignOut", "options"): OPTIONS_DOC,
}


def _component_schemas() -> dict[str, Any]:
    """The typed schemas (and what they nest) as OpenAPI components."""
    spec = APISpec(
        "components",
        "1",
        "3.1.0",
        plugins=[MarshmallowPlugin(schema_name_resolver=lambda s: _name(s))],
    )
    for schema in (Template, Layer, ErrorBody):
        spec.components.schema(_name(schema), schema=schema)
    return spec.to_dict()["components"]["schemas"]


def _name(schema: Any) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _REF + "ErrorBody"}}},
    }


def finish_spec(app: Flask, spec: dict[str, Any]) -> dict[str, Any]:
    """Complete APIFlask's document (see the module docstring)."""
    from ..embed.verifier import STOREFRONT_ENDPOINTS

    spec = _merge_duplicates(spec)
    spec["info"]["description"] = DESCRIPTION
    spec["servers"] = [{"url": "/"}]
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(_component_schemas())
    for (component, prop), typed in _TYPED.items():
        properties = schemas.get(component, {}).get("properties", {})
        if prop in properties:
            description = properties[prop].get("description")
            properties[prop] = {**typed, **({"description": description} if description else {})}
    components["securitySchemes"] = SECURITY_SCHEMES

    endpoints = {
        (_openapi_path(rule.rule), method.lower()): rule.endpoint
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
    }
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            endpoint = endpoints.get((path, method), "")
            scope = getattr(app.view_functions.get(endpoint), "required_scope", None)
            if scope:  # every operation behind ``require(scope)`` says so
                operation["security"] = [{"BearerAuth": []}]
                if endpoint in STOREFRONT_ENDPOINTS:
                    operation["security"].append({"StorefrontToken": []})
                note = f"Scope: `{scope}`."
                operation["description"] = (
                    f"{operation['description']}\n\n{note}"
                    if operation.get("description")
                    else note
                )
            if operation.get("security"):
                responses.setdefault("401", _error_response("Missing or invalid credentials"))
                responses.setdefault(
                    "403", _error_response("The credential lacks the scope for this operation")
                )
            for code, response in responses.items():
                if code[0] in "45":
                    response["content"] = _error_response("")["content"]
            if (path, method) in _HANDSHAKE_PARAMS:
                operation["parameters"] = _HANDSHAKE_PARAMS[(path, method)]
            if path == "/v1/orders" and method == "post":
                operation.setdefault("parameters", []).insert(0, IDEMPOTENCY_KEY)
            operation["responses"] = dict(sorted(responses.items()))
    for name in ("HTTPError", "ValidationError"):
        schemas.pop(name, None)  # every error answer refers to ErrorBody instead
    return spec


def _merge_duplicates(spec: dict[str, Any]) -> dict[str, Any]:
    """One component per schema: a nested schema registered twice (``OrderOut1``) is merged."""
    schemas = spec["components"]["schemas"]
    renames = {}
    for name in list(schemas):
        match = re.fullmatch(r"(.+?)(\d+)", name)
        if match and schemas.get(match.group(1)) == schemas[name]:
            renames[_REF + name] = _REF + match.group(1)
            del schemas[name]
    if not renames:
        return spec

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (renames.get(v, v) if k == "$ref" else walk(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(spec)


def spec_yaml(app: Flask) -> str:
    """The served document as YAML (what ``openapi.yaml`` holds)."""
    import yaml

    with app.test_request_context():
        spec = app._get_spec("json", force_update=True)  # type: ignore[attr-defined]
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100)


def write_spec(app: Flask, path: Path = SPEC_FILE) -> Path:
    """Write ``openapi.yaml`` from the served document."""
    path.write_text(spec_yaml(app), encoding="utf-8")
    return path
