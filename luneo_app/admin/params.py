"""Reading the admin's request parameters, with a message per bad field."""

from __future__ import annotations

from typing import Any

from flask import request

from ..core.errors import ValidationFailed
from .activity import DESIGN_STATUSES

MAX_QUERY_CHARS = 200


def json_body() -> dict[str, Any]:
    """The request's JSON object (422 for anything else)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("Send a JSON object.", code="invalid_body")
    return body


def text_arg(name: str) -> str | None:
    """A short optional query parameter."""
    value = request.args.get(name)
    if value is not None and len(value) > MAX_QUERY_CHARS:
        raise ValidationFailed(
            "A query parameter is too long.",
            details={name: f"at most {MAX_QUERY_CHARS} characters"},
        )
    return value or None


def page_arg() -> int:
    """``?page=`` as a number from 1 (1 when absent)."""
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise ValidationFailed("Unknown page.", details={"page": "a page number from 1"})
    return int(raw)


def status_arg() -> str | None:
    """``?status=`` as one of the design statuses, or ``draft``."""
    status = request.args.get("status") or None
    if status is not None and status not in (*DESIGN_STATUSES, "draft"):
        raise ValidationFailed(
            "Unknown status.",
            details={"status": "one of draft, " + ", ".join(DESIGN_STATUSES)},
        )
    return status
