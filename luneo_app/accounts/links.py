"""Signed, expiring links sent by email: verify an address, reset a password, join a team.

Signed with ``itsdangerous`` (``SECRET_KEY``, one salt per purpose). Each link is single-use
by what it carries: a reset link names a fragment of the password hash it replaces, an
invitation works only while the account is still ``invited``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..core.errors import LuneoError
from ..core.secret_keys import itsdangerous_keys

MAX_AGE = {"verify": 3 * 86400, "reset": 3600, "invite": 7 * 86400}


class BadLink(LuneoError):
    status = 400
    code = "invalid_link"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(itsdangerous_keys(), salt=f"luneo-{purpose}")


def make(purpose: str, payload: dict[str, Any]) -> str:
    """A signed token for ``purpose`` carrying ``payload``."""
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str) -> dict[str, Any]:
    """The payload of a valid, unexpired token; :class:`BadLink` otherwise."""
    try:
        payload = _serializer(purpose).loads(token or "", max_age=MAX_AGE[purpose])
    except SignatureExpired as exc:
        raise BadLink("This link has expired; ask for a new one.", code="link_expired") from exc
    except BadSignature as exc:
        raise BadLink("This link is not valid.") from exc
    if not isinstance(payload, dict):
        raise BadLink("This link is not valid.")
    return payload


def url(path: str, token: str) -> str:
    """An absolute link to ``path`` on this app carrying ``token``."""
    return f"{current_app.config['APP_URL']}{path}?token={token}"
