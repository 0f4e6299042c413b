"""Staff accounts: Argon2 passwords, TOTP two-factor and API tokens for scripts.

Passwords are Argon2id (:mod:`luneo_app.accounts.passwords`, the same as brand accounts).
Accounts made before that carry a werkzeug hash: it is still accepted once and replaced by
an Argon2 hash on that sign-in. Unknown e-mails cost the same hashing work as known ones.

People sign in to the support console (:mod:`luneo_app.support.session`); scripts call staff
endpoints such as the cost report with a personal API token (``Authorization: Bearer
lst_...``), of which only a SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from ..accounts import passwords
from ..core.clock import utcnow
from ..core.errors import Forbidden, LuneoError, ValidationFailed
from ..core.ratelimit import Throttle, client_address
from ..extensions import db
from ..models import StaffUser
from . import session

log = logging.getLogger("luneo.staff")

ROLES = ("support", "admin")
MIN_PASSWORD = 12
TOKEN_PREFIX = "lst_"

# Failed sign-ins (password, code or API token) per client address and per account.
SIGN_IN_THROTTLE = Throttle(
    "RATE_LIMIT_STAFF_SIGN_IN", "staff-sign-in", "Too many failed sign-ins."
)


class StaffAuthRequired(LuneoError):
    status = 401
    code = "staff_auth_required"


def find(email: str) -> StaffUser | None:
    """The staff user with this e-mail (any case), active or not."""
    return db.session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
    )


def create_staff(email: str, password: str, role: str = "support") -> StaffUser:
    """Add a staff account (the caller commits); raises ``ValidationFailed``."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise ValidationFailed("Give a valid e-mail address.", code="invalid_email")
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(
            f"Use a password of at least {MIN_PASSWORD} characters.", code="weak_password"
        )
    passwords.check_policy(password)
    if role not in ROLES:
        raise ValidationFailed(f"Role must be one of {', '.join(ROLES)}.", code="invalid_role")
    if find(email) is not None:
        raise ValidationFailed("A staff account with this e-mail exists.", code="staff_exists")
    user = StaffUser(email=email, password_hash=passwords.hash_password(password), role=role)
    db.session.add(user)
    db.session.flush()
    return user


def verify(email: str, password: str) -> StaffUser | None:
    """The active staff user with these credentials, else None (the caller commits: an old
    werkzeug hash is replaced by an Argon2 one on success)."""
    user = find(email)
    if user is None or not user.active:
        passwords.verify_password(None, password)
        return None
    stored = user.password_hash
    if stored.startswith("$argon2"):
        if not passwords.verify_password(stored, password):
            return None
        if passwords.needs_rehash(stored):
            user.password_hash = passwords.hash_password(password)
        return user
    if not check_password_hash(stored, password):
        return None
    user.password_hash = passwords.hash_password(password)
    return user


def totp_secret(user: StaffUser) -> str | None:
    """The user's TOTP secret in clear, if two-factor is set up."""
    if not user.totp_secret_enc:
        return None
    return current_app.extensions["luneo.keyring"].decrypt(user.totp_secret_enc)


def enable_totp(user: StaffUser, secret: str) -> None:
    """Store a confirmed TOTP secret, encrypted (the caller commits)."""
    user.totp_secret_enc = current_app.extensions["luneo.keyring"].encrypt(secret)
    user.totp_enabled_at = utcnow()


def issue_api_token(user: StaffUser) -> str:
    """A new API token for ``user`` (shown once; replaces the previous one; caller commits)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user.api_token_hash = _token_hash(token)
    user.api_token_created_at = utcnow()
    return token


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_of_token(token: str) -> StaffUser | None:
    """The active staff user holding this API token, else None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = _token_hash(token)
    user = db.session.scalar(select(StaffUser).where(StaffUser.api_token_hash == digest))
    if user is None or not user.active or not hmac.compare_digest(user.api_token_hash, digest):
        return None
    return user


def require_staff(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator for staff JSON endpoints: a support console session (same site) or a
    staff API token (``Authorization: Bearer lst_...``); with ``roles``, one of them.

    Failed tokens count against the client's address (429 past ``RATE_LIMIT_STAFF_SIGN_IN``).
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = session.current_staff()
            header = request.headers.get("Authorization", "")
            if user is None and header.lower().startswith("bearer "):
                SIGN_IN_THROTTLE.check(client_address())
                user = user_of_token(header[7:].strip())
                if user is None:
                    SIGN_IN_THROTTLE.hit(client_address())
                    log.warning("staff token refused", extra={"ip": client_address()})
            if user is None:
                raise StaffAuthRequired(
                    "Sign in to the support console, or send a staff API token "
                    "(Authorization: Bearer lst_...)."
                )
            if roles and user.role not in roles:
                raise Forbidden("Your staff role may not use this.", code="insufficient_role")
            g.staff = user
            return view(*args, **kwargs)

        return wrapper

    return decorate
