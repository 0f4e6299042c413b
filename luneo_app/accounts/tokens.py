"""The JSON token pair of API clients: a 15-minute access JWT and a rotating refresh token.

Access tokens are HS256 JWTs (PyJWT) signed with a key derived from ``SECRET_KEY``; the
verifier registered with :func:`~luneo_app.auth.principal.register_verifier` turns one into a user
:class:`~luneo_app.auth.principal.Principal` with the scopes of the member's *current* role.
Refresh tokens (``lr_<secret>``) are random; only their SHA-256 is stored, each is used once,
and presenting a used or revoked one again revokes its whole family.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from flask import current_app
from sqlalchemy import select, update

from ..audit import record
from ..auth.permissions import scopes_of
from ..auth.principal import Principal
from ..core.clock import utcnow
from ..core.errors import Forbidden, Unauthorized
from ..core.ids import new_id
from ..core.secret_keys import jwt_decode
from ..extensions import db
from ..models import Account, RefreshToken

AUDIENCE = "luneo-api"
ALGORITHM = "HS256"
KEY_ID = "luneo-user"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int

    def as_json(self) -> dict[str, Any]:
        return {
            "accessToken": self.access_token,
            "refreshToken": self.refresh_token,
            "tokenType": "Bearer",
            "expiresIn": self.expires_in,
        }


def _derive(secret: bytes) -> bytes:
    return hmac.new(secret, b"luneo-user-access-token", hashlib.sha256).digest()


def signing_key() -> bytes:
    """A key for access tokens only, derived from ``SECRET_KEY`` (sessions and links use
    the secret for other purposes; a separate key keeps one from standing in for another)."""
    return _derive(str(current_app.config["SECRET_KEY"]).encode())


def _decode(token: str) -> dict[str, Any]:
    """The claims of an access token signed with the current key or, during a rotation of
    ``SECRET_KEY``, with one of ``SECRET_KEY_FALLBACKS``."""
    return jwt_decode(
        token,
        _derive,
        algorithms=[ALGORITHM],
        audience=AUDIENCE,
        issuer=current_app.config["APP_URL"],
        options={"require": ["exp", "iat", "sub", "brand", "auth_time"]},
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


def access_token(account: Account, auth_time: datetime) -> str:
    """A signed access JWT for ``account`` (``auth_time``: when the password was entered)."""
    now = utcnow()
    ttl = int(current_app.config["ACCESS_TOKEN_TTL"])
    claims = {
        "iss": current_app.config["APP_URL"],
        "aud": AUDIENCE,
        "sub": account.id,
        "brand": account.brand_id,
        "epoch": account.session_epoch,
        "auth_time": int(auth_time.timestamp()),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl)).timestamp()),
        "typ": "access",
    }
    return jwt.encode(claims, signing_key(), algorithm=ALGORITHM, headers={"kid": KEY_ID})


def issue_pair(account: Account, auth_time: datetime, family_id: str | None = None) -> TokenPair:
    """A new access token and the next refresh token of ``family_id`` (a new family when
    None). The caller commits."""
    now = utcnow()
    plaintext = "lr_" + secrets.token_urlsafe(32)
    db.session.add(
        RefreshToken(
            account_id=account.id,
            brand_id=account.brand_id,
            family_id=family_id or new_id("fam"),
            token_hash=_hash(plaintext),
            auth_time=auth_time,
            created_at=now,
            expires_at=now + timedelta(seconds=int(current_app.config["REFRESH_TOKEN_TTL"])),
        )
    )
    return TokenPair(
        access_token(account, auth_time), plaintext, int(current_app.config["ACCESS_TOKEN_TTL"])
    )


def _revoke_family(family_id: str) -> int:
    return db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount


def rotate(presented: str, address: str) -> TokenPair:
    """Use up a refresh token and return the next pair. Commits.

    A token seen before (used or revoked) revokes its whole family and is a 401; so are
    unknown and expired tokens, and tokens of an account that is no longer active.
    """
    row = db.session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == _hash(presented)).with_for_update()
    )
    if row is None:
        raise Unauthorized("This refresh token is not valid.", code="invalid_refresh_token")
    if row.used_at is not None or row.revoked_at is not None:
        revoked = _revoke_family(row.family_id)
        record(
            "auth.refresh_reused",
            actor=f"account:{row.account_id}",
            brand_id=row.brand_id,
            target_type="account",
            target_id=row.account_id,
            details={"family": row.family_id, "revoked": revoked, "address": address},
        )
        db.session.commit()
        raise Unauthorized(
            "This refresh token was already used; every session of it has been signed out.",
            code="refresh_token_reused",
        )
    account = row.account
    if _aware(row.expires_at) <= utcnow() or account.status != "active":
        raise Unauthorized("This refresh token has expired.", code="invalid_refresh_token")
    row.used_at = utcnow()
    pair = issue_pair(account, _aware(row.auth_time), row.family_id)
    db.session.commit()
    return pair


def revoke(presented: str) -> bool:
    """Sign out the family of a refresh token (logout). Commits. False when unknown."""
    row = db.session.scalar(select(RefreshToken).where(RefreshToken.token_hash == _hash(presented)))
    if row is None:
        return False
    _revoke_family(row.family_id)
    record(
        "auth.logout",
        actor=f"account:{row.account_id}",
        brand_id=row.brand_id,
        target_type="account",
        target_id=row.account_id,
    )
    db.session.commit()
    return True


def revoke_all(account: Account) -> None:
    """End every refresh family and session of ``account`` (caller commits)."""
    db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.account_id == account.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    account.session_epoch = (account.session_epoch or 0) + 1


def user_principal(token: str) -> Principal | None:
    """Verifier of access JWTs (registered with the principal module); None for other tokens."""
    if token.count(".") != 2:
        return None
    try:
        if jwt.get_unverified_header(token).get("kid") != KEY_ID:
            return None
    except jwt.InvalidTokenError:
        return None
    try:
        claims = _decode(token)
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The access token has expired.", code="token_expired") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized("The access token is not valid.", code="invalid_token") from exc
    if claims.get("typ") != "access":
        return None
    account = db.session.get(Account, claims["sub"])
    if (
        account is None
        or account.brand_id != claims["brand"]
        or account.status != "active"
        or account.session_epoch != claims.get("epoch")
    ):
        raise Unauthorized("This session has ended; sign in again.", code="session_ended")
    if not account.verified:
        raise Forbidden("Verify your email address first.", code="email_unverified")
    return Principal(
        brand_id=account.brand_id,
        kind="user",
        scopes=scopes_of(account.role),
        subject=account.id,
        claims={"auth_time": int(claims["auth_time"]), "role": account.role},
    )
