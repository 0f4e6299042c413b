"""Who is calling the ``/v1`` API, and what they may do.

Every caller becomes a :class:`Principal` bound to exactly one brand. API keys
(``Bearer lk_...``) are verified here; other credentials (the storefront embed token) plug in
through :func:`register_verifier`, so every endpoint goes through the same code path.
Wrong credentials are counted per client address (``RATE_LIMIT_BAD_CREDENTIALS``); past
the limit that address gets 429 with ``Retry-After`` until the window passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import g, request

from ..core.errors import Forbidden, Unauthorized
from ..core.ratelimit import Throttle, client_address
from ..extensions import db
from ..models import Brand
from .apikeys import find_api_key, touch


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: its brand, how it authenticated, and its scopes."""

    brand_id: str
    kind: str  # api_key | embed | user (a console member's access token)
    scopes: frozenset[str]
    subject: str
    claims: dict[str, Any] = field(default_factory=dict)

    def can(self, scope: str) -> bool:
        return scope in self.scopes


Verifier = Callable[[str], Principal | None]
_verifiers: list[Verifier] = []


def register_verifier(verifier: Verifier) -> None:
    """Add a credential verifier (tried after API keys) for bearer tokens."""
    if verifier not in _verifiers:
        _verifiers.append(verifier)


# Wrong keys and unknown credentials are counted per client (guessing); an expired storefront
# token is an ordinary shopper moment and is not.
_GUESSES = frozenset({"invalid_api_key", "invalid_credentials"})
_BAD_CREDENTIALS = Throttle(
    "RATE_LIMIT_BAD_CREDENTIALS", "bad-credentials", "Too many requests with a wrong credential."
)


def _api_key_principal(token: str) -> Principal | None:
    if not token.startswith("lk_"):
        return None
    row = find_api_key(token)
    if row is None:
        raise Unauthorized("This API key is not valid or has been revoked.", code="invalid_api_key")
    touch(row)
    return Principal(
        brand_id=row.brand_id, kind="api_key", scopes=frozenset(row.scopes), subject=row.id
    )


def authenticate(allow_query_token: bool = False) -> Principal:
    """Resolve the request's bearer credential to a principal of an active brand.

    ``allow_query_token`` accepts ``?access_token=`` for endpoints a browser opens without
    headers (``EventSource`` for server-sent events).
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header and allow_query_token and request.args.get("access_token"):
        scheme, token = "bearer", request.args["access_token"]
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "Send 'Authorization: Bearer <API key or embed token>'.", code="missing_credentials"
        )
    token = token.strip()
    client = client_address()
    _BAD_CREDENTIALS.check(client)
    try:
        principal = _api_key_principal(token)
        if principal is None:
            for verifier in _verifiers:
                principal = verifier(token)
                if principal is not None:
                    break
        if principal is None:
            raise Unauthorized("The credential was not recognised.", code="invalid_credentials")
    except Unauthorized as exc:
        if exc.code in _GUESSES:
            _BAD_CREDENTIALS.hit(client)
        raise
    brand = db.session.get(Brand, principal.brand_id)
    if brand is not None and brand.status == "unverified":
        raise Forbidden(
            "Verify the owner's email address before using the API.", code="email_unverified"
        )
    if brand is not None and brand.status == "suspended":
        raise Forbidden("This brand is suspended; contact Luneo support.", code="brand_suspended")
    if brand is None or brand.status != "active":
        raise Unauthorized("This brand is not active.", code="brand_inactive")
    g.principal = principal
    g.brand = brand
    return principal


def require(
    scope: str, allow_query_token: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: authenticate, then require ``scope``."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = authenticate(allow_query_token)
            if not principal.can(scope):
                raise Forbidden(
                    f"This credential may not use '{scope}'.", code="insufficient_scope"
                )
            return view(*args, **kwargs)

        wrapper.required_scope = scope  # type: ignore[attr-defined] - read by the OpenAPI document and the role matrix
        return wrapper

    return decorate


def current_principal() -> Principal:
    """The principal of the current request (after ``require``)."""
    return g.principal
