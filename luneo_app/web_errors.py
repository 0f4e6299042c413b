"""Uniform error answers.

API callers get ``{"error": {"code", "message", "details"}}`` with the right status; people
in the admin (HTML pages) get a readable HTML page. Nothing is half-written: the session is
rolled back before the answer is built.
"""

from __future__ import annotations

import logging
from typing import Any

import redis.exceptions
import sqlalchemy.exc
from apiflask.exceptions import HTTPError
from flask import Flask, g, jsonify, render_template, request
from kombu.exceptions import OperationalError as BrokerError
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
    """Admin pages (not their JSON API), the support console and the shopper's proof page
    answer errors in HTML."""
    path = request.path
    if path.startswith(("/admin/api", "/support/api", "/console/api")):
        return False
    return (
        path.startswith(("/admin", "/support", "/demo", "/console", "/proof/"))
        and request.accept_mimetypes.accept_html
    )


def error_response(
    status: int,
    message: str,
    code: str | None = None,
    details: Any = None,
    headers: dict | None = None,
):  # type: ignore[no-untyped-def]
    """The error answer (JSON envelope, or an HTML page in the admin) after a rollback."""
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
        headers = dict(getattr(exc, "headers", None) or {})
        if getattr(exc, "retry_after", None):
            headers.setdefault("Retry-After", str(exc.retry_after))
        return error_response(exc.status, exc.message, exc.code, exc.details, headers or None)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_exc: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
        limit = app.config.get("MAX_CONTENT_LENGTH")
        return error_response(
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
        return error_response(status, message, headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error")
        g.server_error = type(exc).__name__  # recorded with the request id (support console)
        return error_response(500, "Something went wrong on our side. It has been logged.")


#: Errors that mean "a service Luneo needs is down", by which service.
OUTAGES: tuple[tuple[type[BaseException], str], ...] = (
    (sqlalchemy.exc.OperationalError, "database"),
    (sqlalchemy.exc.InterfaceError, "database"),
    (sqlalchemy.exc.TimeoutError, "database"),  # no pooled connection came free
    (redis.exceptions.ConnectionError, "redis"),
    (redis.exceptions.TimeoutError, "redis"),
    (BrokerError, "broker"),
)
OUTAGE_ERRORS = tuple(error for error, _ in OUTAGES)


def init_outage_handlers(app: Flask) -> None:
    """A dependency that is down answers 503 with ``Retry-After`` in the uniform body.

    The session is rolled back first, so nothing of the request is half-written; the next
    request reconnects (``pool_pre_ping``; redis-py reconnects on its own), so recovery
    needs no restart. Publishing a job is never the cause: jobs are published after the
    commit from the outbox, and a broker that is down leaves them waiting for the sweeper.
    """
    retry_after = str(app.config.get("OUTAGE_RETRY_AFTER", 5))

    def _handler(dependency: str):  # type: ignore[no-untyped-def]
        def handle(exc: BaseException):  # type: ignore[no-untyped-def]
            log.warning(
                "%s unavailable: %s",
                dependency,
                type(exc).__name__,
                extra={"dependency": dependency},
            )
            return error_response(
                503,
                "A service Luneo depends on is unavailable. Nothing was saved; try again shortly.",
                "unavailable",
                {"dependency": dependency},
                headers={"Retry-After": retry_after},
            )

        return handle

    for error, dependency in OUTAGES:
        app.register_error_handler(error, _handler(dependency))


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
