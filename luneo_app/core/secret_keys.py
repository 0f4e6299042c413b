"""The app secret and its fallbacks: new signatures use ``SECRET_KEY``; values signed with
a key listed in ``SECRET_KEY_FALLBACKS`` (older keys, during a rotation) still verify.

Flask's own session cookie reads ``SECRET_KEY_FALLBACKS`` itself (Flask 3.1); every other
signer (links, cursors, access tokens, download and production links) asks here.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import jwt
from flask import current_app


def secret_keys() -> list[str]:
    """The current ``SECRET_KEY`` first, then the older keys still accepted."""
    current = str(current_app.config["SECRET_KEY"])
    older = [str(k) for k in current_app.config.get("SECRET_KEY_FALLBACKS") or () if k]
    return [current, *(k for k in older if k != current)]


def itsdangerous_keys() -> list[str]:
    """The keys in itsdangerous' order: it signs with the last and verifies with any."""
    return list(reversed(secret_keys()))


def derived_keys(derive: Callable[[bytes], bytes]) -> list[bytes]:
    """``derive(secret)`` for every accepted secret, the current one first."""
    return [derive(k.encode()) for k in secret_keys()]


def matches_any(keys: list[bytes], message: bytes, presented: str) -> bool:
    """True when ``presented`` is the hex HMAC-SHA256 of ``message`` under one of ``keys``;
    every key is compared, each in constant time."""
    matched = False
    for key in keys:
        expected = hmac.new(key, message, hashlib.sha256).hexdigest()
        matched |= hmac.compare_digest(expected, presented)
    return matched


def jwt_decode(token: str, derive: Callable[[bytes], bytes], **options: Any) -> dict[str, Any]:
    """``jwt.decode(token, key, **options)`` with the key derived from the current secret,
    then from each older one still accepted; PyJWT's errors as it raises them (a bad
    signature under every key raises ``InvalidSignatureError``)."""
    keys = derived_keys(derive)
    for key in keys[:-1]:
        try:
            return jwt.decode(token, key, **options)
        except jwt.InvalidSignatureError:
            continue
    return jwt.decode(token, keys[-1], **options)
