"""Domain errors that views map to HTTP answers with the uniform JSON error body."""

from __future__ import annotations

from typing import Any


class LuneoError(Exception):
    """An error with a machine code, a human message, an HTTP status and optional details."""

    status = 400
    code = "bad_request"
    retry_after: int | None = None  # seconds, sent as ``Retry-After`` (429, 503)

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details


class ValidationFailed(LuneoError):
    status = 422
    code = "validation_failed"


class PaymentRequired(LuneoError):
    status = 402
    code = "payment_required"


class NotFound(LuneoError):
    status = 404
    code = "not_found"


class Conflict(LuneoError):
    status = 409
    code = "conflict"


class Unauthorized(LuneoError):
    status = 401
    code = "unauthorized"


class Forbidden(LuneoError):
    status = 403
    code = "forbidden"
