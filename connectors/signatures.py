"""Luneo's webhook signature: ``Luneo-Signature: t=<unix>,v1=<hex>``.

``v1`` is the hex HMAC-SHA256 of ``"{t}.{body}"`` with the endpoint's secret. The timestamp
is signed with the body so a captured request cannot be replayed later than the tolerance;
several ``v1`` values may appear (during a secret rotation) and any one may match.
Comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Luneo-Signature"
DEFAULT_TOLERANCE = 300  # seconds


class SignatureMismatch(Exception):
    """The signature header is missing, malformed, too old or does not match."""


def compute(secret: str, timestamp: int, body: bytes) -> str:
    """The hex ``v1`` value for a body sent at ``timestamp``."""
    message = str(int(timestamp)).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value for ``body``: ``t=<unix>,v1=<hex>``."""
    stamp = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={stamp},v1={compute(secret, stamp, body)}"


def verify(
    secrets: str | list[str],
    header: str | None,
    body: bytes,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> int:
    """Check a header against the body with any of ``secrets``; returns the timestamp.

    Raises :class:`SignatureMismatch` when the header is malformed, older (or newer) than
    ``tolerance`` seconds, or no ``v1`` matches.
    """
    if not header or len(header) > 2048:
        raise SignatureMismatch("missing signature")
    stamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            stamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if stamp is None or not candidates:
        raise SignatureMismatch("malformed signature")
    if abs((time.time() if now is None else now) - stamp) > tolerance:
        raise SignatureMismatch("signature timestamp outside the tolerance")
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    matched = False
    for secret in keys:
        expected = compute(secret, stamp, body)
        for candidate in candidates:
            # Every pair is compared (no early exit), each in constant time.
            matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise SignatureMismatch("signature does not match")
    return stamp
