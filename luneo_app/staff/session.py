"""Support console sessions: a signed cookie naming a server-side session, with an idle
timeout, and CSRF tokens.

The cookie ``luneo_support`` (path ``/support``, HttpOnly, SameSite=Strict, Secure over
HTTPS) carries an itsdangerous-signed session id and is signed again on every answer: a
cookie older than ``SUPPORT_IDLE_MINUTES`` is refused, which makes the idle timeout. The
session itself lives in the shared key-value store for at most ``SUPPORT_SESSION_HOURS``
(signing out deletes it, so a copied cookie dies with it); a bump of the user's
``session_epoch`` ends every session of theirs.

Signing in takes two steps: the password opens a *pending* sign-in (five minutes, in the
store, named by its own cookie), the TOTP code turns it into a session. Any other verified
identity (the staff SAML IdP) signs in with :func:`sign_in_verified`.

CSRF: signed-in forms carry an HMAC of the session id; the sign-in forms carry a random
token that must match the ``luneo_support_csrf`` cookie. Both check the ``Origin`` too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..core.errors import Forbidden
from ..core.secret_keys import itsdangerous_keys
from ..extensions import db
from ..models import StaffUser

COOKIE = "luneo_support"
PENDING_COOKIE = "luneo_support_pending"
CSRF_COOKIE = "luneo_support_csrf"
PATH = "/support"
PENDING_SECONDS = 300
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SESSION_KEY = "luneo:support-session:"
_PENDING_KEY = "luneo:support-pending:"


@dataclass(frozen=True)
class Pending:
    """A sign-in whose password (or IdP) was verified, waiting for its TOTP code."""

    pid: str
    staff_id: str
    enrol_secret: str | None  # a fresh TOTP secret when the user has none yet


def _kv():  # type: ignore[no-untyped-def]
    return current_app.extensions["luneo.kv"]


def _signer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(itsdangerous_keys(), salt=f"luneo-support-{purpose}")


def _set_cookie(response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PATH,
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Strict",
    )


def _state() -> dict:
    """Per-request state (``g`` may outlive a request when an app context is already pushed)."""
    return request.environ.setdefault("luneo.support", {})


def current_sid() -> str | None:
    """The signed-in session's id on this request (after :func:`current_staff`)."""
    return _state().get("sid")


def _idle_seconds() -> int:
    return int(current_app.config["SUPPORT_IDLE_MINUTES"]) * 60


# --- sessions ---------------------------------------------------------------------------


def _session_id() -> str | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        return str(_signer("session").loads(raw, max_age=_idle_seconds()))
    except BadSignature:  # forged, or idle for too long (SignatureExpired is a BadSignature)
        return None


def current_staff() -> StaffUser | None:
    """The staff user signed in to the support console on this request, or None."""
    state = _state()
    if "staff" in state:
        return state["staff"]
    user = None
    sid = _session_id()
    raw = _kv().get(_SESSION_KEY + sid) if sid else None
    if raw:
        data = json.loads(raw)
        found = db.session.get(StaffUser, data["staff"])
        if found is not None and found.active and found.session_epoch == data["epoch"]:
            user = found
            state["sid"] = sid
            state["method"] = data.get("method", "password")
    state["staff"] = user
    g.support_staff = user  # for templates
    return user


def start_session(response: Response, user: StaffUser, method: str) -> None:
    """Sign ``user`` in on ``response`` (a new session id; ``method``: password+totp, saml)."""
    end_session(response)
    sid = secrets.token_urlsafe(24)
    value = json.dumps(
        {"staff": user.id, "epoch": user.session_epoch, "method": method, "at": time.time()}
    )
    _kv().set_if_absent(
        _SESSION_KEY + sid, value, int(current_app.config["SUPPORT_SESSION_HOURS"]) * 3600
    )
    _set_cookie(response, COOKIE, _signer("session").dumps(sid), _idle_seconds())
    _state().update(sid=sid, staff=user)
    g.support_staff = user


def sign_in_verified(response: Response, user: StaffUser, method: str) -> None:
    """The hook for identity providers: sign in ``user`` whose identity ``method`` (such as
    ``"saml"``) has verified. The caller has checked the assertion and that the user is
    active; this only opens the session (the caller records the audit event and commits)."""
    if not user.active:
        raise Forbidden("This staff account is deactivated.", code="staff_inactive")
    start_session(response, user, method)


def touch(response: Response) -> Response:
    """``after_request`` on the console: sign the session cookie again (the idle clock)."""
    state = _state()
    sid = state.get("sid")
    if sid and state.get("staff") is not None and not state.get("signed_out"):
        _set_cookie(response, COOKIE, _signer("session").dumps(sid), _idle_seconds())
    return response


def end_session(response: Response) -> None:
    """Sign out: forget the server-side session and clear the cookie."""
    state = _state()
    sid = state.get("sid") or _session_id()
    if sid:
        _kv().delete(_SESSION_KEY + sid)
    response.delete_cookie(COOKIE, path=PATH)
    state.update(sid=None, staff=None, signed_out=True)


# --- the pending (second) step ------------------------------------------------------------


def start_pending(response: Response, user: StaffUser, enrol_secret: str | None) -> None:
    """The password was right: wait up to five minutes for the TOTP code."""
    pid = secrets.token_urlsafe(24)
    value = json.dumps({"staff": user.id, "secret": enrol_secret})
    _kv().set_if_absent(_PENDING_KEY + pid, value, PENDING_SECONDS)
    _set_cookie(response, PENDING_COOKIE, _signer("pending").dumps(pid), PENDING_SECONDS)


def pending() -> Pending | None:
    """The sign-in waiting for its code on this request, if any."""
    raw = request.cookies.get(PENDING_COOKIE)
    if not raw:
        return None
    try:
        pid = str(_signer("pending").loads(raw, max_age=PENDING_SECONDS))
    except BadSignature:
        return None
    stored = _kv().get(_PENDING_KEY + pid)
    if not stored:
        return None
    data = json.loads(stored)
    return Pending(pid=pid, staff_id=data["staff"], enrol_secret=data.get("secret"))


def end_pending(response: Response, item: Pending | None) -> None:
    if item is not None:
        _kv().delete(_PENDING_KEY + item.pid)
    response.delete_cookie(PENDING_COOKIE, path=PATH)


def code_unused(user: StaffUser, code: str) -> bool:
    """True the first time a TOTP code is presented for ``user`` (a code works once)."""
    return _kv().set_if_absent(f"luneo:support-totp:{user.id}:{code}", "1", 120)


# --- CSRF -----------------------------------------------------------------------------------


def csrf_token() -> str:
    """The token forms carry: bound to the session, else to the anonymous CSRF cookie."""
    sid = current_sid()
    if sid:
        key = current_app.config["SECRET_KEY"].encode()
        return hmac.new(key, f"support-csrf:{sid}".encode(), hashlib.sha256).hexdigest()
    state = _state()
    if "anon_csrf" not in state:
        state["anon_csrf"] = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    return state["anon_csrf"]


def keep_anonymous_csrf(response: Response) -> Response:
    """``after_request``: store the anonymous token a sign-in form was given."""
    token = _state().get("anon_csrf")
    if token and request.cookies.get(CSRF_COOKIE) != token:
        _set_cookie(response, CSRF_COOKIE, token, None)
    return response


def check_csrf() -> None:
    """Refuse a state-changing request without the right token or from another origin."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        raise Forbidden("This request came from another site.", code="csrf_failed")
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    if current_sid():
        expected = csrf_token()
    else:
        expected = request.cookies.get(CSRF_COOKIE) or ""
    if not expected or not hmac.compare_digest(sent, expected):
        raise Forbidden("This form has expired; reload the page and try again.", code="csrf_failed")
