"""Designs a shopper saves to come back to: account-less reopen tokens.

A reopen token is an ``itsdangerous`` signature (``SECRET_KEY``, its own salt) of the design's
id *and* its brand, with the time it was issued: nobody can make one without the key, and a
token names one brand, so another shop's storefront is refused it (as an unknown token: 404,
nothing learnt about the other shop). It lives as long as the design is kept
(``retention.retention_of``): the saved-design retention once saved, the committed one for a
design in a cart; past that it answers 410, and the purge removes the design anyway.

The same token rides on the cart line (``Edit design`` property), so a shopper reopens the
widget from the cart with the design's choices, text, photo and placement restored, and the
storefront script replaces that cart line when the edited design is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from ..core.clock import as_utc, utcnow
from ..core.errors import LuneoError, NotFound
from ..core.secret_keys import itsdangerous_keys
from ..core.uow import commit
from ..extensions import db
from ..models import Design, Upload
from .retention import retention_of

SALT = "luneo-saved-design-v1"
MAX_TOKEN_LENGTH = 512


class SavedDesignExpired(LuneoError):
    status = 410
    code = "saved_design_expired"


@dataclass(frozen=True)
class ReopenLink:
    """A design's reopen token and until when it works."""

    design_id: str
    token: str
    expires_at: datetime

    def as_json(self) -> dict[str, str]:
        return {
            "designId": self.design_id,
            "token": self.token,
            "expiresAt": self.expires_at.isoformat(),
        }


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(itsdangerous_keys(), salt=SALT)


def _kept(design: Design) -> timedelta:
    kept = retention_of(design, current_app.config)
    # a draft still rendering has no retention yet; it settles as a draft
    return kept or timedelta(hours=int(current_app.config["DRAFT_TTL_HOURS"]))


def reopen_link(design: Design) -> ReopenLink:
    """A token that reopens ``design`` on its brand's storefront, valid while it is kept."""
    token = _serializer().dumps({"d": design.id, "b": design.brand_id})
    return ReopenLink(design.id, token, utcnow() + _kept(design))


def save(design: Design) -> ReopenLink:
    """The shopper saves the design to come back to it: kept for the saved-design retention
    (``saved_at``); idempotent. Commits."""
    if design.saved_at is None:
        design.saved_at = utcnow()
    design.updated_at = utcnow()  # retention counts from the last change
    commit()
    return reopen_link(design)


def _unknown() -> NotFound:
    return NotFound(
        "This saved design link is not valid for this shop.", code="saved_design_not_found"
    )


def open_saved(brand_id: str, token: str) -> Design:
    """The design a reopen token names, for the storefront of ``brand_id``.

    404 for a token that is malformed, forged, another brand's or whose design is gone;
    410 once the token outlived the design's retention.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise _unknown()
    try:
        claims, issued = _serializer().loads(token, return_timestamp=True)
    except BadSignature:
        raise _unknown() from None
    if not isinstance(claims, dict) or claims.get("b") != brand_id:
        raise _unknown()
    design = db.session.scalar(
        select(Design).where(Design.id == str(claims.get("d")), Design.brand_id == brand_id)
    )
    if design is None:
        raise _unknown()
    if utcnow() - (as_utc(issued) or utcnow()) > _kept(design):
        raise SavedDesignExpired(
            "This saved design has expired. Start a new personalization.",
        )
    return design


def restore_state(design: Design) -> dict[str, Any]:
    """What the widget needs to reopen a design: its product, layers (choices, text, fonts,
    placement), options and prompt, and fresh links to its photos."""
    upload_ids = [str(layer["uploadId"]) for layer in design.layers if layer.get("uploadId")]
    storage = current_app.extensions["luneo.storage"]
    photos: dict[str, dict[str, Any]] = {}
    if upload_ids:
        uploads = db.session.scalars(
            select(Upload).where(Upload.brand_id == design.brand_id, Upload.id.in_(upload_ids))
        ).all()
        for upload in uploads:
            photos[upload.id] = {
                "url": storage.url(upload.key),
                "width": upload.width,
                "height": upload.height,
            }
    return {
        "designId": design.id,
        "productId": design.product_id,
        "layers": design.layers,
        "options": design.options,
        "prompt": design.prompt or "",
        "photos": photos,
        "savedAt": design.saved_at.isoformat() if design.saved_at else None,
        "expiresAt": reopen_link(design).expires_at.isoformat(),
    }
