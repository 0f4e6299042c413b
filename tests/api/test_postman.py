"""The Postman collection is generated from openapi.yaml and kept current."""

from __future__ import annotations

import json
import re

import yaml

from luneo_app.apidocs.openapi import SPEC_FILE
from luneo_app.apidocs.postman import COLLECTION_FILE, SCHEMA, collection_json


def test_the_committed_collection_is_what_openapi_yaml_generates():
    assert COLLECTION_FILE.read_text("utf-8") == collection_json(), (
        "run `FLASK_APP=wsgi.py flask luneo postman` after `flask luneo openapi`"
    )


def test_every_operation_is_one_request_with_its_path_variables_and_body():
    spec = yaml.safe_load(SPEC_FILE.read_text("utf-8"))
    made = json.loads(collection_json())
    assert made["info"]["schema"] == SCHEMA
    assert made["auth"]["type"] == "bearer"
    requests = [item["request"] for folder in made["item"] for item in folder["item"]]
    seen = {(r["method"], "/" + "/".join(r["url"]["path"])) for r in requests}
    expected = set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            postman_path = "/".join(
                f":{part[1:-1]}" if part.startswith("{") else part for part in path.split("/")
            )
            expected.add((method.upper(), postman_path))
            [request] = [
                r
                for r in requests
                if r["method"] == method.upper()
                and "/" + "/".join(r["url"]["path"]) == postman_path
            ]
            names = {v["key"] for v in request["url"].get("variable", [])}
            assert names == set(re.findall(r"\{([^}]+)\}", path)), path
            if "application/json" in (operation.get("requestBody") or {}).get("content", {}):
                json.loads(request["body"]["raw"])  # a JSON example, ready to edit
    assert seen == expected and len(requests) == len(expected)
