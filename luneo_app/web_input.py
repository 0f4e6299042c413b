"""Hostile input refused before any view sees it, the same way on every route.

Two things no view can meet safely on its own:

* JSON nested deeper than :data:`MAX_JSON_DEPTH`: Python's parser recurses, so 100,000
  brackets end in a ``RecursionError`` (a 500) wherever a body is parsed. The nesting is
  measured on the raw bytes before anything parses them, stopping at the first bracket too
  deep, so the refusal costs time linear in the body and nothing more.
  Answer: 400 ``json_too_deep``.
* NUL characters (``\\u0000`` in JSON, ``%00`` in a query or form): PostgreSQL text cannot
  store them, so they fail at the insert. Luneo stores no binary in text fields: a NUL in
  any JSON string or key, query parameter, form field or path segment is refused rather than
  stripped, so what is stored is what was sent. Answer: 422 ``nul_character`` naming the field.

Both answers use the uniform error body (:mod:`.web_errors`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request

from .core.errors import LuneoError

MAX_JSON_DEPTH = 64

_TOKEN = re.compile(rb'["\[\]{}]')
# The rest of a JSON string after its opening quote (escapes included), unrolled-loop form.
_STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class JSONTooDeep(LuneoError):
    status = 400
    code = "json_too_deep"


class NulCharacter(LuneoError):
    status = 422
    code = "nul_character"


def json_depth_exceeds(data: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when arrays and objects in ``data`` nest deeper than ``limit``.

    Brackets inside strings do not count. Malformed JSON is not judged here (the parser that
    reads it later says what is wrong); only its nesting is.
    """
    depth = 0
    pos = 0
    while True:
        token = _TOKEN.search(data, pos)
        if token is None:
            return False
        char = data[token.start()]
        if char == 0x22:  # '"': skip the whole string
            rest = _STRING_REST.match(data, token.end())
            if rest is None:
                return False
            pos = rest.end()
            continue
        if char in (0x5B, 0x7B):  # '[' '{'
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
        pos = token.end()


def nul_path(value: Any, path: str = "") -> str | None:
    """The path (``layers[2].text``) of the first string or key holding a NUL, if any."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where.replace("\x00", "\\u0000")
            found = nul_path(item, where)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = nul_path(item, f"{path}[{index}]")
            if found:
                return found
    return None


def check_request() -> None:
    """Refuse the current request if it carries hostile JSON or NUL characters."""
    for name, values in request.args.lists():
        if "\x00" in name or any("\x00" in v for v in values):
            _refuse_nul(name)
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and "\x00" in value:
            _refuse_nul(name)
    if request.mimetype in _FORM_TYPES:
        for name, values in request.form.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                _refuse_nul(name)
    elif request.is_json or request.mimetype == "text/plain":
        _check_json_body(request.get_data(cache=True), nul=not _is_webhook())


def _is_webhook() -> bool:
    """Shopify's webhooks are signed bodies Luneo does not choose: a NUL in them is the
    handler's to deal with, and refusing would make Shopify retry and then drop the
    subscription. Only their depth is checked."""
    return (request.endpoint or "").startswith("shopify.webhook_")


def _check_json_body(data: bytes, nul: bool = True) -> None:
    if not data:
        return
    if json_depth_exceeds(data):
        raise JSONTooDeep(
            f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.",
            details={"maxDepth": MAX_JSON_DEPTH},
        )
    if not nul or (b"\\u0000" not in data.lower() and b"\x00" not in data):
        return
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError):
        return  # not JSON: the view's own parser answers
    where = nul_path(parsed)
    if where:
        _refuse_nul(where)


def _refuse_nul(field: str) -> None:
    raise NulCharacter(
        "Text may not contain NUL characters (\\u0000).",
        details={"field": field.replace("\x00", "\\u0000")},
    )


def init_input_checks(app: Flask) -> None:
    """Run :func:`check_request` before every view."""
    app.before_request(check_request)
