"""Staff authentication: HTTP Basic against ``staff_users`` (werkzeug password hashes).

Staff endpoints (``/v1/admin/...``, later the support console) use :func:`require_staff`.
Failed sign-ins are counted per client address by Flask-Limiter (shared storage, see
:mod:`luneo_app.core.ratelimit`); past ``RATE_LIMIT_STAFF_SIGN_IN`` (10 per 15 minutes)
that address gets 429 with ``Retry-After``, even with the right password, until the window
passes.
Unknown e-mails cost the same hashing work as known ones, so timing tells nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any

from flask import g, jsonify, request
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.clock import utcnow
from ..core.errors import ValidationFailed
from ..core.ratelimit import setting
from ..extensions import db, limiter
from ..models import StaffUser
from ..web_errors import error_body

log = logging.getLogger("luneo.staff")

ROLES = ("support", "admin")
MIN_PASSWORD = 12


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked against when the e-mail is unknown, so both paths do one password hash."""
    return generate_password_hash("luneo-not-a-real-password")


def create_staff(email: str, password: str, role: str = "support") -> StaffUser:
    """Add a staff account (the caller commits); raises ``ValidationFailed``."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise ValidationFailed("Give a valid e-mail address.", code="invalid_email")
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(
            f"Use a password of at least {MIN_PASSWORD} characters.", code="weak_password"
        )
    if role not in ROLES:
        raise ValidationFailed(f"Role must be one of {', '.join(ROLES)}.", code="invalid_role")
    if db.session.scalar(select(StaffUser.id).where(func.lower(StaffUser.email) == email)):
        raise ValidationFailed("A staff account with this e-mail exists.", code="staff_exists")
    user = StaffUser(email=email, password_hash=generate_password_hash(password), role=role)
    db.session.add(user)
    db.session.flush()
    return user


def verify(email: str, password: str) -> StaffUser | None:
    """The active staff user with these credentials, else None."""
    user = db.session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
    )
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def _answer(status: int, message: str, code: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    response = jsonify(error_body(status, message, code))
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _failed_sign_in(response: Any) -> bool:
    """Counted against the client: a 401 to a request that did send credentials."""
    return response.status_code == 401 and request.authorization is not None


def require_staff(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: HTTP Basic staff sign-in (any role, or one of ``roles``)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @limiter.shared_limit(
            setting("RATE_LIMIT_STAFF_SIGN_IN"),
            scope="staff-sign-in",
            deduct_when=_failed_sign_in,
            error_message="Too many failed sign-ins.",
        )
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            auth = request.authorization
            user = None
            if auth is not None and auth.type == "basic" and auth.username and auth.password:
                user = verify(auth.username, auth.password)
            if user is None:
                if auth is not None:
                    log.warning("staff sign-in failed", extra={"ip": request.remote_addr})
                return _answer(
                    401,
                    "Staff sign-in required.",
                    "staff_auth_required",
                    {"WWW-Authenticate": 'Basic realm="Luneo staff", charset="UTF-8"'},
                )
            if roles and user.role not in roles:
                return _answer(403, "Your staff role may not use this.", "insufficient_role")
            user.last_login_at = utcnow()
            db.session.commit()
            g.staff = user
            return view(*args, **kwargs)

        return wrapper

    return decorate
