"""Permanent preview links for cart lines and orders.

A cart line keeps its properties for as long as the cart (and then the order) lives, longer
than any expiring download link. So the line carries ``/embed/designs/<id>/preview?sig=...``:
an HMAC of the design id with a key derived from ``SECRET_KEY``. Opening it redirects to a
fresh short-lived download URL of the design's current preview.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, url_for


def _key() -> bytes:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"luneo:preview-link:v1", hashlib.sha256).digest()


def signature(design_id: str) -> str:
    """The link signature of a design (32 hex characters)."""
    return hmac.new(_key(), design_id.encode(), hashlib.sha256).hexdigest()[:32]


def verify(design_id: str, sig: str | None) -> bool:
    """Constant-time check of a link signature."""
    return bool(sig) and hmac.compare_digest(signature(design_id), str(sig))


def preview_link(design_id: str) -> str:
    """The absolute, non-expiring preview URL of a design."""
    path = url_for("embed.preview", design_id=design_id, sig=signature(design_id))
    return current_app.config["APP_URL"] + path
