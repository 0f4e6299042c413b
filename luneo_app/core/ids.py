"""Public identifiers: a short type prefix and 24 random base32 characters (``des_...``)."""

from __future__ import annotations

import base64
import secrets


def new_id(prefix: str) -> str:
    """Return a new random id such as ``des_k3m9...`` (prefix, underscore, 24 chars)."""
    raw = base64.b32encode(secrets.token_bytes(15)).decode("ascii").lower()
    return f"{prefix}_{raw}"
