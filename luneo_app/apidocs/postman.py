"""A Postman collection (format v2.1) generated from ``openapi.yaml``.

One folder per OpenAPI tag, one request per operation, named by its summary and documented by
its description. Requests use collection variables: ``{{baseUrl}}``, ``{{apiKey}}`` (bearer
auth of the whole collection), ``{{storefrontToken}}`` for storefront operations, one
``:name`` path variable per path parameter. JSON bodies are examples built from the
operation's schema (its own examples where the spec has them). ``flask luneo postman`` writes
:data:`COLLECTION_FILE`; ``--check`` fails when it is out of date (CI).
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from ..config import PROJECT_ROOT
from .openapi import SPEC_FILE

COLLECTION_FILE = PROJECT_ROOT / "docs" / "luneo.postman_collection.json"
SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
METHODS = ("get", "post", "put", "patch", "delete")


def collection_json(spec_text: str | None = None) -> str:
    """The collection as the committed file's text (stable key order, trailing newline)."""
    spec = yaml.safe_load(spec_text if spec_text is not None else SPEC_FILE.read_text("utf-8"))
    return json.dumps(collection(spec), indent=2, ensure_ascii=False) + "\n"


def collection(spec: dict[str, Any]) -> dict[str, Any]:
    """The Postman collection of an OpenAPI document."""
    folders: dict[str, list[dict[str, Any]]] = {tag["name"]: [] for tag in spec.get("tags", [])}
    for path, operations in spec["paths"].items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or ["Other"])[0]
            folders.setdefault(tag, []).append(_request(spec, path, method, operation))
    return {
        "info": {
            "name": spec["info"].get("title", "Luneo API"),
            "description": spec["info"].get("description", ""),
            "version": spec["info"].get("version", ""),
            "schema": SCHEMA,
        },
        "auth": _bearer("{{apiKey}}"),
        "variable": [
            {"key": "baseUrl", "value": "http://127.0.0.1:5000", "type": "string"},
            {"key": "apiKey", "value": "lk_test_replace_me", "type": "string"},
            {"key": "storefrontToken", "value": "", "type": "string"},
        ],
        "item": [
            {"name": name, "item": sorted(items, key=lambda item: item["name"])}
            for name, items in folders.items()
            if items
        ],
    }


def _bearer(token: str) -> dict[str, Any]:
    return {"type": "bearer", "bearer": [{"key": "token", "value": token, "type": "string"}]}


def _request(spec: dict[str, Any], path: str, method: str, operation: dict[str, Any]) -> dict:
    parameters = [_resolve(spec, p) for p in operation.get("parameters", [])]
    segments = [re.sub(r"^\{(.+)\}$", r":\1", part) for part in path.strip("/").split("/")]
    query = [
        {
            "key": p["name"],
            "value": str(_example(spec, p.get("schema", {}))),
            "description": p.get("description", ""),
            "disabled": not p.get("required", False),
        }
        for p in parameters
        if p.get("in") == "query"
    ]
    url: dict[str, Any] = {
        "raw": "{{baseUrl}}/" + "/".join(segments),
        "host": ["{{baseUrl}}"],
        "path": segments,
    }
    if query:
        url["query"] = query
        url["raw"] += "?" + "&".join(f"{q['key']}={q['value']}" for q in query if not q["disabled"])
        url["raw"] = url["raw"].rstrip("?")
    variables = [
        {"key": p["name"], "value": "", "description": p.get("description", "")}
        for p in parameters
        if p.get("in") == "path"
    ]
    if variables:
        url["variable"] = variables
    headers = [
        {"key": p["name"], "value": str(_example(spec, p.get("schema", {}))), "type": "text"}
        for p in parameters
        if p.get("in") == "header"
    ]
    request: dict[str, Any] = {
        "method": method.upper(),
        "header": headers,
        "url": url,
        "description": operation.get("description", ""),
    }
    body = (operation.get("requestBody") or {}).get("content", {})
    if "application/json" in body:
        request["header"].append(
            {"key": "Content-Type", "value": "application/json", "type": "text"}
        )
        example = _example(spec, body["application/json"].get("schema", {}))
        request["body"] = {
            "mode": "raw",
            "raw": json.dumps(example, indent=2, ensure_ascii=False),
            "options": {"raw": {"language": "json"}},
        }
    elif "multipart/form-data" in body:
        schema = _resolve(spec, body["multipart/form-data"].get("schema", {}))
        request["body"] = {
            "mode": "formdata",
            "formdata": [
                {"key": name, "type": "file" if prop.get("format") == "binary" else "text"}
                for name, prop in schema.get("properties", {}).items()
            ],
        }
    security = operation.get("security", spec.get("security"))
    if security == []:
        request["auth"] = {"type": "noauth"}
    elif security and all("StorefrontToken" in entry for entry in security):
        request["auth"] = _bearer("{{storefrontToken}}")
    return {"name": operation.get("summary") or f"{method.upper()} {path}", "request": request}


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _example(spec: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> Any:
    """An example value for a JSON schema: its example, default or first enum value, else
    one built from its type."""
    schema = _resolve(spec, schema)
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    for combined in ("allOf", "oneOf", "anyOf"):
        if schema.get(combined):
            return _example(spec, schema[combined][0], depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 6:
            return {}
        required = set(schema.get("required", []))
        properties = schema.get("properties", {})
        chosen = [name for name in properties if name in required] or list(properties)[:6]
        return {name: _example(spec, properties[name], depth + 1) for name in chosen}
    if kind == "array":
        return [] if depth > 6 else [_example(spec, schema.get("items", {}), depth + 1)]
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "number":
        return schema.get("minimum", 1.0)
    if kind == "boolean":
        return False
    if schema.get("format") == "date-time":
        return "2026-01-01T00:00:00Z"
    if schema.get("format") == "email":
        return "owner@example.com"
    if schema.get("format") in ("uri", "url"):
        return "https://example.com/"
    return "string"
