"""API keys: ``lk_<prefix>_<secret>``; only the prefix and a SHA-256 of the key are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..core.clock import as_utc, utcnow
from ..extensions import db
from ..models import ApiKey, Brand

DEFAULT_SCOPES = [
    "designs:read",
    "designs:write",
    "embed:write",
    "orders:read",
    "orders:write",
    "products:read",
    "products:write",
    "uploads:write",
]


@dataclass(frozen=True)
class IssuedKey:
    """A freshly created key: the plaintext is shown once and never stored."""

    id: str
    prefix: str
    plaintext: str


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(
    brand: Brand,
    name: str = "",
    scopes: list[str] | None = None,
    created_by: str | None = None,
) -> IssuedKey:
    """Create a key for a brand (caller commits). Returns the plaintext once.

    ``created_by`` is the member who made it (None from the command line): when the brand's
    identity provider deactivates or deletes that member, the key is revoked with them."""
    prefix = secrets.token_hex(5)
    plaintext = f"lk_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        brand_id=brand.id,
        name=name,
        prefix=prefix,
        key_hash=_hash(plaintext),
        scopes=list(scopes or DEFAULT_SCOPES),
        created_by=created_by,
    )
    db.session.add(row)
    db.session.flush()
    return IssuedKey(id=row.id, prefix=prefix, plaintext=plaintext)


def find_api_key(presented: str) -> ApiKey | None:
    """The active key matching a presented ``lk_...`` string, compared in constant time."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != "lk" or not parts[1]:
        return None
    row = db.session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if row is None or not is_active(row):
        # Same work either way, so timing does not tell which prefixes exist.
        hmac.compare_digest(_hash(presented), "0" * 64)
        return None
    if not hmac.compare_digest(_hash(presented), row.key_hash):
        return None
    return row


def is_active(row: ApiKey) -> bool:
    """True while the key may be used: not revoked, and inside its overlap window if it was
    rotated."""
    if row.revoked_at is not None:
        return False
    return row.expires_at is None or as_utc(row.expires_at) > utcnow()


TOUCH_EVERY = timedelta(minutes=1)


def touch(row: ApiKey) -> None:
    """Remember when a key was last used, at most once a minute.

    The stamp is its own short transaction on its own connection: it never commits (or
    waits for) the request's unit of work, and a request that fails still counts as a use.
    """
    now = utcnow()
    if row.last_used_at is not None and now - as_utc(row.last_used_at) < TOUCH_EVERY:
        return
    with db.engine.begin() as connection:
        connection.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
    set_committed_value(row, "last_used_at", now)


def brand_keys(brand_id: str) -> list[ApiKey]:
    """The brand's keys, active first, newest first."""
    rows = db.session.scalars(
        select(ApiKey).where(ApiKey.brand_id == brand_id).order_by(ApiKey.created_at.desc())
    ).all()
    return sorted(rows, key=lambda r: not is_active(r))


def brand_key(brand_id: str, key_id: str) -> ApiKey | None:
    """One key of the brand (None for another brand's)."""
    row = db.session.get(ApiKey, key_id)
    return row if row is not None and row.brand_id == brand_id else None


def revoke(row: ApiKey) -> None:
    """Revoke a key now (caller commits)."""
    row.revoked_at = row.revoked_at or utcnow()


def revoke_created_by(brand_id: str, account_id: str) -> list[str]:
    """Revoke now every active key the member made, rotated keys still in their overlap
    window included (caller commits); their ids."""
    rows = db.session.scalars(
        select(ApiKey).where(
            ApiKey.brand_id == brand_id,
            ApiKey.created_by == account_id,
            ApiKey.revoked_at.is_(None),
        )
    ).all()
    for row in rows:
        revoke(row)
    return [row.id for row in rows]


def rotate(brand: Brand, row: ApiKey, overlap: timedelta, by: str | None = None) -> IssuedKey:
    """Replace a key by a new one with the same name and scopes, made by ``by`` (caller
    commits).

    The old key keeps working for ``overlap`` (see ``core/rotation.py``), then is refused;
    a zero overlap revokes it now.
    """
    if overlap <= timedelta(0):
        revoke(row)
    else:
        row.expires_at = utcnow() + overlap
    return create_api_key(brand, row.name, list(row.scopes), created_by=by)
