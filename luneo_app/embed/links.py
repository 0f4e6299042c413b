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

from ..core.secret_keys import derived_keys


def _derive(secret: bytes) -> bytes:
    return hmac.new(secret, b"luneo:preview-link:v1", hashlib.sha256).digest()


def _sign(key: bytes, design_id: str) -> str:
    return hmac.new(key, design_id.encode(), hashlib.sha256).hexdigest()[:32]


def signature(design_id: str) -> str:
    """The link signature of a design (32 hex characters), with the current ``SECRET_KEY``."""
    return _sign(derived_keys(_derive)[0], design_id)


def verify(design_id: str, sig: str | None) -> bool:
    """Constant-time check of a link signature against the current key and the older keys
    still accepted (links already sent keep working through a rotation)."""
    if not sig:
        return False
    matched = False
    for key in derived_keys(_derive):
        matched |= hmac.compare_digest(_sign(key, design_id), str(sig))
    return matched


def preview_link(design_id: str) -> str:
    """The absolute, non-expiring preview URL of a design."""
    path = url_for("embed.preview", design_id=design_id, sig=signature(design_id))
    return current_app.config["APP_URL"] + path
