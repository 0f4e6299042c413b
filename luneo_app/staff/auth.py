"""Staff authentication: HTTP Basic against ``staff_users`` (werkzeug password hashes).

Staff endpoints (``/v1/admin/...``, later the support console) use :func:`require_staff`.
Failed sign-ins are counted per client address in the shared kv store; after
``STAFF_MAX_FAILURES`` within 15 minutes that address gets 429 until the window passes.
Unknown e-mails cost the same hashing work as known ones, so timing tells nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any

from flask import current_app, g, jsonify, request
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.clock import utcnow
from ..core.errors import ValidationFailed
from ..extensions import db
from ..models import StaffUser
from ..web_errors import error_body

log = logging.getLogger("luneo.staff")

ROLES = ("support", "admin")
MIN_PASSWORD = 12
STAFF_MAX_FAILURES = 10
FAILURE_WINDOW = 900


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


def require_staff(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: HTTP Basic staff sign-in (any role, or one of ``roles``)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kv = current_app.extensions["luneo.kv"]
            counter = f"luneo:staff:failures:{request.remote_addr or 'unknown'}"
            if int(kv.get(counter) or 0) >= STAFF_MAX_FAILURES:
                return _answer(
                    429,
                    "Too many failed sign-ins; try again later.",
                    "rate_limited",
                    {"Retry-After": str(FAILURE_WINDOW)},
                )
            auth = request.authorization
            user = None
            if auth is not None and auth.type == "basic" and auth.username and auth.password:
                user = verify(auth.username, auth.password)
            if user is None:
                if auth is not None:
                    kv.incr(counter, ttl=FAILURE_WINDOW)
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
