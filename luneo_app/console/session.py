"""Console sessions: a signed cookie (httpOnly, Secure over HTTPS, SameSite=Lax, path
``/console``) naming a server-side session in the shared key-value store, plus CSRF.

The cookie holds the session id, the account and its ``session_epoch``, when the password
was last entered and the CSRF token. Signing out deletes the server-side entry, so a copied
cookie dies with it; a password reset or removal from the team bumps the epoch and ends every
session of the account. Every state-changing request carries the CSRF token (a form field or
the ``X-CSRF-Token`` header) and must come from our own origin.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, g, redirect, request, session, url_for

from ..auth.permissions import scopes_of
from ..core.errors import Forbidden, LuneoError
from ..extensions import db
from ..models import Account, Brand

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_CACHE = "luneo.console_account"


class SignInRequired(LuneoError):
    status = 401
    code = "sign_in_required"


class ReauthRequired(LuneoError):
    status = 403
    code = "reauth_required"


def _kv():  # type: ignore[no-untyped-def]
    return current_app.extensions["luneo.kv"]


def _ttl() -> int:
    return int(current_app.config["CONSOLE_SESSION_HOURS"]) * 3600


def start(account: Account, auth_time: float) -> None:
    """Sign ``account`` in: a new session id and CSRF token (never reuse the old ones)."""
    end()
    sid = secrets.token_urlsafe(24)
    _kv().set_if_absent(f"luneo:console-session:{sid}", account.id, _ttl())
    session.clear()
    session.permanent = True
    session.update(
        sid=sid,
        acc=account.id,
        epoch=account.session_epoch,
        at=auth_time,
        csrf=secrets.token_urlsafe(24),
    )


def end() -> None:
    """Sign out: forget the server-side session and clear the cookie."""
    sid = session.get("sid")
    if sid:
        _kv().delete(f"luneo:console-session:{sid}")
    session.clear()


def load() -> Account | None:
    """The signed-in account of this request (looked up once per request), or None.

    Also sets ``g.console_account`` and ``g.brand`` for the views and templates.
    """
    environ = request.environ
    if _CACHE in environ:
        return environ[_CACHE]
    account = None
    sid, acc = session.get("sid"), session.get("acc")
    if sid and acc and _kv().get(f"luneo:console-session:{sid}") == acc:
        found = db.session.get(Account, acc)
        if (
            found is not None
            and found.status == "active"
            and found.session_epoch == session.get("epoch")
        ):
            account = found
    environ[_CACHE] = account
    g.console_account = account
    g.brand = db.session.get(Brand, account.brand_id) if account is not None else None
    return account


def current() -> Account:
    """The signed-in account (after :func:`console_view`)."""
    return g.console_account


def csrf_token() -> str:
    """This session's CSRF token (a new anonymous one before sign-in)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def check_csrf() -> None:
    """Refuse a state-changing request without this session's token or from another origin."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = session.get("csrf") or ""
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        raise Forbidden("This request came from another site.", code="csrf_failed")
    if not expected or not hmac.compare_digest(sent, expected):
        raise Forbidden("This form has expired; reload the page and try again.", code="csrf_failed")


def auth_age() -> float:
    """Seconds since the password was last entered in this session."""
    return time.time() - float(session.get("at") or 0)


def mark_reauthenticated(auth_time: float) -> None:
    session["at"] = auth_time


def require_recent_sign_in() -> None:
    """403 ``reauth_required`` unless the password was entered within ``REAUTH_MAX_AGE``."""
    if auth_age() > int(current_app.config["REAUTH_MAX_AGE"]):
        raise ReauthRequired("Confirm your password to do this.")


def console_view(
    scope: str, *, recent: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: a signed-in member whose role grants ``scope`` (403 otherwise);
    with ``recent``, a sign-in within ``REAUTH_MAX_AGE``. Pages without a session go to the
    sign-in page, the JSON API answers 401."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            account = load()
            if account is None:
                if request.method == "GET" and not request.path.startswith("/console/api/"):
                    return redirect(url_for("console_auth.login", next=request.full_path))
                raise SignInRequired("Sign in to the console first.")
            check_csrf()
            if scope not in scopes_of(account.role):
                raise Forbidden(
                    "Your role does not allow this; ask an admin of your brand.",
                    code="insufficient_role",
                )
            if recent:
                require_recent_sign_in()
            return view(*args, **kwargs)

        wrapper.required_scope = scope  # type: ignore[attr-defined]  # read by the role matrix
        return wrapper

    return decorate


def safe_next(target: str | None, default: str) -> str:
    """A same-site path to go back to after signing in (never another host)."""
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return default
