"""Storefront embed tokens and their one-time handshake nonces.

``issue`` mints a short-lived HS256 JWT bound to one storefront (a Shopify shop, or an API
brand's own website: ``shop`` is then empty) and one origin, with a
``jti``, and stores a random nonce (single use, same lifetime) that names that ``jti``.
``validate`` consumes the nonce once; only then is the token *live* and accepted by the API
(see :mod:`.verifier`). So a token fetched outside a completed handshake is useless, and a
nonce replayed a second time fails.

The signing key is derived from ``SECRET_KEY`` for this one purpose, so it never signs
anything else. Nonces and live markers are kept in the app's key-value store: Redis in
production, the database on the embedded default (shared by every process).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt
from flask import current_app

from ..core.errors import Unauthorized
from ..core.secret_keys import derived_keys, jwt_decode
from .shops import StorefrontShop

KEY_ID = "luneo-embed-1"
AUDIENCE = "luneo-storefront"
ALGORITHM = "HS256"
SCOPES = ("designs:read", "designs:write", "uploads:write")
_NONCE_PREFIX = "luneo:embed:nonce:"
_LIVE_PREFIX = "luneo:embed:live:"


@dataclass(frozen=True)
class IssuedEmbedToken:
    """What ``GET /embed/token`` answers: the token, its handshake nonce and lifetime."""

    token: str
    nonce: str
    jti: str
    expires_in: int


@dataclass(frozen=True)
class EmbedClaims:
    """The verified content of an embed token."""

    shop: str  # "" for an API brand's own website
    brand_id: str
    origin: str
    jti: str
    expires_at: int
    scopes: frozenset[str]

    def seconds_left(self) -> int:
        return max(0, self.expires_at - int(time.time()))


def _derive(secret: bytes) -> bytes:
    return hmac.new(secret, b"luneo:embed-token:v1", hashlib.sha256).digest()


def _signing_key() -> bytes:
    return derived_keys(_derive)[0]


def _verify(token: str) -> dict[str, Any]:
    """Decode with the current key, then with the older keys still accepted."""
    return jwt_decode(
        token,
        _derive,
        algorithms=[ALGORITHM],
        audience=AUDIENCE,
        issuer=current_app.config["APP_URL"],
        options={"require": ["exp", "iat", "nbf", "jti", "aud", "iss", "sub"]},
        leeway=5,
    )


def _kv():  # type: ignore[no-untyped-def]
    return current_app.extensions["luneo.kv"]


def _nonce_key(nonce: str) -> str:
    # Only a hash of the nonce is stored: a dump of the store does not hand out nonces.
    return _NONCE_PREFIX + hashlib.sha256(nonce.encode()).hexdigest()


def issue(shop: StorefrontShop, origin: str) -> IssuedEmbedToken:
    """Mint a token for ``shop`` bound to ``origin`` and store its nonce (single use)."""
    ttl = int(current_app.config["EMBED_TOKEN_TTL"])
    now = int(time.time())
    jti = secrets.token_urlsafe(16)
    claims = {
        "iss": current_app.config["APP_URL"],
        "aud": AUDIENCE,
        "sub": shop.shop_domain or shop.brand_id,
        "shop": shop.shop_domain,
        "brand": shop.brand_id,
        "origin": origin,
        "scope": " ".join(SCOPES),
        "jti": jti,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
    }
    token = jwt.encode(claims, _signing_key(), algorithm=ALGORITHM, headers={"kid": KEY_ID})
    nonce = secrets.token_urlsafe(24)
    if not _kv().set_if_absent(_nonce_key(nonce), jti, ttl):  # pragma: no cover - 192 bits
        raise RuntimeError("nonce collision")
    return IssuedEmbedToken(token=token, nonce=nonce, jti=jti, expires_in=ttl)


def looks_like_embed_token(token: str) -> bool:
    """True when ``token`` is a JWT carrying Luneo's embed key id (not yet verified)."""
    if token.count(".") != 2:
        return False
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        return False
    return header.get("kid") == KEY_ID


def decode(token: str) -> EmbedClaims:
    """Verify signature, audience, issuer and lifetime; 401 with a precise code otherwise."""
    try:
        payload = _verify(token)
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized(
            "The storefront token has expired; ask for a new one.", code="embed_token_expired"
        ) from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(
            "The storefront token is not valid.", code="invalid_embed_token"
        ) from exc
    fields = ("brand", "origin", "jti", "scope")
    if not all(isinstance(payload.get(f), str) and payload[f] for f in fields) or not (
        isinstance(payload.get("shop"), str)  # "" on an API brand's own website
    ):
        raise Unauthorized("The storefront token is not valid.", code="invalid_embed_token")
    granted = frozenset(payload["scope"].split()) & frozenset(SCOPES)
    return EmbedClaims(
        shop=payload["shop"],
        brand_id=payload["brand"],
        origin=payload["origin"],
        jti=payload["jti"],
        expires_at=int(payload["exp"]),
        scopes=granted,
    )


def consume_nonce(claims: EmbedClaims, nonce: str) -> None:
    """Use the handshake nonce of ``claims``' token once and make the token live.

    A nonce that is unknown, expired, already used or issued with another token fails the
    same way (401 ``invalid_nonce``), and is gone afterwards either way.
    """
    stored = _kv().take(_nonce_key(nonce)) if nonce else None
    if stored is None or not hmac.compare_digest(stored.encode(), claims.jti.encode()):
        raise Unauthorized(
            "This handshake nonce is unknown, expired or already used.", code="invalid_nonce"
        )
    _kv().set_if_absent(_LIVE_PREFIX + claims.jti, "1", max(1, claims.seconds_left()))


def is_live(claims: EmbedClaims) -> bool:
    """Whether the token completed its handshake (and has not expired since)."""
    return _kv().get(_LIVE_PREFIX + claims.jti) is not None
