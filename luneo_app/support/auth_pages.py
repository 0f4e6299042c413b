"""``/support`` sign-in: password, then the TOTP code (or enrolment on first sign-in), or
single sign-on through the staff IdP; and sign-out. Failed passwords and codes are throttled
per address and per account."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..accounts import passwords
from ..audit import record
from ..core.clock import utcnow
from ..core.ratelimit import RateLimited, client_address
from ..extensions import db
from ..models import StaffUser
from ..sso import staff as staff_sso
from ..staff import auth, session
from .blueprints import auth_bp as bp


def _page(template: str, status: int = 200, **context: Any) -> Response:
    response = Response(render_template(f"support/{template}", **context), status)
    response.mimetype = "text/html"
    return response


def _throttled(email: str) -> None:
    auth.SIGN_IN_THROTTLE.check(client_address())
    if email:
        auth.SIGN_IN_THROTTLE.check(f"staff:{email.strip().lower()}")


def _failed(email: str) -> None:
    auth.SIGN_IN_THROTTLE.hit(client_address())
    if email:
        auth.SIGN_IN_THROTTLE.hit(f"staff:{email.strip().lower()}")


def _return_path(raw: str | None) -> str:
    """``raw`` when it is a page of the support console on this host, else the installs list
    (the ``next`` of a sign-in comes from a URL anyone can craft)."""
    path = (raw or "").strip()
    segments = path.split("?", 1)[0].split("#", 1)[0].lower().replace("%2e", ".").split("/")
    if (
        not {".", ".."} & set(segments)
        and (path == session.PATH or path.startswith((session.PATH + "/", session.PATH + "?")))
        and "//" not in path
        and "\\" not in path
        and not any(ord(ch) < 32 for ch in path)
        and not path.startswith(session.PATH + "/login")
        and not path.startswith(session.PATH + "/sso/")
    ):
        return path
    return url_for("support.installs")


def _sso_link() -> str | None:
    """The "Sign in with SSO" link when the staff IdP is on."""
    if staff_sso.realm() is None:
        return None
    return staff_sso.login_url(_return_path(request.args.get("next")))


@bp.before_request
def _csrf() -> None:
    session.current_staff()
    session.check_csrf()


@bp.after_request
def _cookies(response: Response) -> Response:
    return session.keep_anonymous_csrf(response)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """E-mail and password; then the code step."""
    if request.method == "GET":
        if session.current_staff() is not None:
            return redirect(_return_path(request.args.get("next")))
        return _page("login.html", sso_url=_sso_link())
    email = request.form.get("email", "")
    try:
        _throttled(email)
    except RateLimited as exc:
        return _page("login.html", 429, email=email, error=exc.message, sso_url=_sso_link())
    user = auth.verify(email, request.form.get("password", ""))
    if user is None:
        _failed(email)
        return _page(
            "login.html", 401, email=email, error="Wrong e-mail or password.", sso_url=_sso_link()
        )
    db.session.commit()  # a rehashed password
    enrol = None if user.totp_secret_enc else passwords.new_totp_secret()
    response = redirect(url_for("support_auth.code"))
    session.start_pending(response, user, enrol)
    return response


@bp.route("/login/code", methods=["GET", "POST"])
def code() -> Response:
    """The TOTP code; on first sign-in, enrolment of the authenticator app."""
    item = session.pending()
    if item is None:
        return redirect(url_for("support_auth.login"))
    user = db.session.get(StaffUser, item.staff_id)
    if user is None or not user.active:
        return redirect(url_for("support_auth.login"))
    secret = item.enrol_secret or auth.totp_secret(user) or ""
    context: dict[str, Any] = {"enrol": item.enrol_secret is not None}
    if item.enrol_secret:
        uri = passwords.totp_uri(item.enrol_secret, user.email)
        context.update(secret=item.enrol_secret, qr=passwords.totp_qr_svg(uri))
    if request.method == "GET":
        return _page("code.html", **context)
    try:
        _throttled(user.email)
    except RateLimited as exc:
        return _page("code.html", 429, error=exc.message, **context)
    entered = (request.form.get("code") or "").replace(" ", "")
    if not passwords.totp_matches(secret, entered) or not session.code_unused(user, entered):
        _failed(user.email)
        return _page("code.html", 401, error="That code is not right; try the next one.", **context)
    if item.enrol_secret:
        auth.enable_totp(user, item.enrol_secret)
        record(
            "staff.totp_enabled",
            actor=f"staff:{user.email}",
            target_type="staff_user",
            target_id=user.id,
        )
    user.last_login_at = utcnow()
    record(
        "staff.signed_in",
        actor=f"staff:{user.email}",
        target_type="staff_user",
        target_id=user.id,
        details={"method": "password+totp", "ip": client_address()},
    )
    db.session.commit()
    response = redirect(url_for("support.installs"))
    session.end_pending(response, item)
    session.start_session(response, user, "password+totp")
    return response


@bp.get("/sso/complete")
def sso_complete() -> Response:
    """The staff IdP's ACS hands over here with a one-time ticket: open the session and go to
    the page the sign-in started from."""
    user = staff_sso.redeem_ticket(request.args.get("ticket", ""))
    if user is None:
        # Unknown, used or expired ticket, or an account switched off since the IdP answered.
        return _page("sso_failed.html", 400, sso_url=_sso_link())
    response = redirect(_return_path(request.args.get("next")))
    session.sign_in_verified(response, user, "saml")
    record(
        "staff.signed_in",
        actor=f"staff:{user.email}",
        target_type="staff_user",
        target_id=user.id,
        details={"method": "saml", "ip": client_address()},
    )
    db.session.commit()
    return response


@bp.post("/logout")
def logout() -> Response:
    user = session.current_staff()
    response = redirect(url_for("support_auth.login"))
    if user is not None:
        record(
            "staff.signed_out",
            actor=f"staff:{user.email}",
            target_type="staff_user",
            target_id=user.id,
        )
        db.session.commit()
    session.end_session(response)
    return response
