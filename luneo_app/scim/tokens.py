"""SCIM bearer tokens of a brand: made in the console, shown once, kept as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from ..audit import record
from ..core.clock import utcnow
from ..core.errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import Account, ScimToken

PREFIX = "lscim_"


@dataclass(frozen=True)
class IssuedToken:
    token: ScimToken
    plaintext: str


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def create(by: Account, name: str) -> IssuedToken:
    """A new SCIM token for ``by``'s brand (the plaintext is returned once). Commits."""
    label = (name or "").strip()[:120]
    if not label:
        raise ValidationFailed("Name the token.", details={"name": "required"})
    public = secrets.token_hex(4)
    plaintext = f"{PREFIX}{public}_{secrets.token_urlsafe(32)}"
    token = ScimToken(
        brand_id=by.brand_id,
        name=label,
        prefix=public,
        token_hash=_hash(plaintext),
        created_by=by.id,
        created_at=utcnow(),
    )
    db.session.add(token)
    db.session.flush()
    record(
        "scim.token_created",
        actor=f"account:{by.id}",
        brand_id=by.brand_id,
        target_type="scim_token",
        target_id=token.id,
        details={"name": label},
    )
    db.session.commit()
    return IssuedToken(token, plaintext)


def revoke(by: Account, token_id: str) -> None:
    """Revoke a token of ``by``'s brand (404 for another brand's). Commits."""
    token = db.session.get(ScimToken, token_id)
    if token is None or token.brand_id != by.brand_id:
        raise NotFound("No such SCIM token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(
            "scim.token_revoked",
            actor=f"account:{by.id}",
            brand_id=by.brand_id,
            target_type="scim_token",
            target_id=token.id,
        )
        db.session.commit()


def brand_tokens(brand_id: str) -> list[ScimToken]:
    return list(
        db.session.scalars(
            select(ScimToken).where(ScimToken.brand_id == brand_id).order_by(ScimToken.created_at)
        )
    )


def brand_of(presented: str) -> str | None:
    """The brand a live token belongs to (None for unknown or revoked); stamps its use at
    most once a minute."""
    if not presented.startswith(PREFIX) or len(presented) > 200:
        return None
    token = db.session.scalar(select(ScimToken).where(ScimToken.token_hash == _hash(presented)))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    last = token.last_used_at
    if (
        last is None
        or (now - (last if last.tzinfo else last.replace(tzinfo=now.tzinfo))).total_seconds() > 60
    ):
        token.last_used_at = now
        db.session.commit()
    return token.brand_id
