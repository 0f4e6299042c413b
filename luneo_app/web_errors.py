"""Uniform error answers.

API callers get ``{"error": {"code", "message", "details"}}`` with the right status; people
in the admin (HTML pages) get a readable HTML page. Nothing is half-written: the session is
rolled back before the answer is built.
"""

from __future__ import annotations

import logging
from typing import Any

from apiflask.exceptions import HTTPError
from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .core.errors import LuneoError
from .extensions import db

log = logging.getLogger("luneo.errors")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def error_body(status: int, message: str, code: str | None = None, details: Any = None) -> dict:
    """The JSON error envelope every API answer uses."""
    return {
        "error": {
            "code": code or _CODES.get(status, "error"),
            "message": message,
            "details": details,
        }
    }


def wants_html() -> bool:
    """Admin pages (not their JSON API) and the support console answer errors in HTML."""
    path = request.path
    if path.startswith(("/admin/api", "/support/api", "/console/api")):
        return False
    return (
        path.startswith(("/admin", "/support", "/demo", "/console"))
        and request.accept_mimetypes.accept_html
    )


def _answer(
    status: int,
    message: str,
    code: str | None = None,
    details: Any = None,
    headers: dict | None = None,
):  # type: ignore[no-untyped-def]
    try:
        db.session.rollback()
    except Exception:  # pragma: no cover - the database itself may be the failure
        log.warning("rollback failed while answering an error", exc_info=True)
    if wants_html():
        body = render_template("errors/error.html", status=status, message=message)
        return body, status, headers or {}
    response = jsonify(error_body(status, message, code, details))
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def init_error_handlers(app: Flask) -> None:
    """Register the handlers that give every error the uniform shape."""

    @app.errorhandler(LuneoError)
    def _domain(exc: LuneoError):  # type: ignore[no-untyped-def]
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        return _answer(exc.status, exc.message, exc.code, exc.details, headers)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_exc: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
        limit = app.config.get("MAX_CONTENT_LENGTH")
        return _answer(
            413,
            f"The request body is larger than the limit of {limit} bytes.",
            details={"limit": limit},
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # type: ignore[no-untyped-def]
        status = exc.code or 500
        headers = {}
        if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        message = exc.description or _CODES.get(status, "error")
        if status == 404:
            message = "No such resource."
        elif status == 405:
            message = f"Method {request.method} is not allowed here."
        return _answer(status, message, headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error")
        return _answer(500, "Something went wrong on our side. It has been logged.")


def apiflask_error_processor(error: HTTPError):  # type: ignore[no-untyped-def]
    """APIFlask validation and ``abort`` errors in the uniform envelope."""
    details = error.detail or None
    message = error.message
    code = _CODES.get(error.status_code)
    if error.status_code in (400, 422) and details:
        message = "The request body or query did not pass validation."
        code = "validation_failed"
        error.status_code = 422
    if isinstance(error.extra_data, dict) and error.extra_data.get("code"):
        code = error.extra_data["code"]
    return error_body(error.status_code, message, code, details), error.status_code, error.headers
