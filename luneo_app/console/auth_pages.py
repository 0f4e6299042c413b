"""``/console`` sign-in, sign-up, email verification, password reset and invitations
(public pages; each form carries the CSRF token of the anonymous session)."""

from __future__ import annotations

import time
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..accounts import links, service
from ..accounts.mail import MailUnavailable, outbox_enabled
from ..accounts.throttle import TooManyAttempts, client_address
from ..audit import record
from ..core.errors import LuneoError
from ..extensions import db
from . import session as console_session
from .blueprints import auth_bp as bp


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(f"console/{template}", outbox=outbox_enabled(), **context), status


@bp.before_request
def _csrf() -> None:
    console_session.check_csrf()


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    """Email and password (and code); a new session on success."""
    next_url = request.values.get("next")
    if request.method == "GET":
        if console_session.load() is not None:
            return redirect(console_session.safe_next(next_url, url_for("console.dashboard")))
        return _render("login.html", next=next_url)
    email = request.form.get("email", "")
    code = request.form.get("code") or None
    try:
        done = service.sign_in(email, request.form.get("password", ""), code, client_address())
    except TooManyAttempts as exc:
        return _render("login.html", 429, email=email, next=next_url, error=exc.message)
    except LuneoError as exc:
        need_code = exc.code in ("totp_required", "invalid_totp")
        return _render(
            "login.html", 401, email=email, next=next_url, need_code=need_code, error=exc.message
        )
    console_session.start(done.account, done.auth_time.timestamp())
    return redirect(console_session.safe_next(next_url, url_for("console.dashboard")))


@bp.post("/logout")
def logout() -> Response:
    account = console_session.load()
    if account is not None:
        record(
            "auth.signed_out",
            actor=f"account:{account.id}",
            brand_id=account.brand_id,
            target_type="account",
            target_id=account.id,
        )
        db.session.commit()
    console_session.end()
    flash("You are signed out.", "success")
    return redirect(url_for("console_auth.login"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():  # type: ignore[no-untyped-def]
    """Create a brand and its owner; the verification link goes out by mail."""
    if request.method == "GET":
        return _render("signup.html", form={}, errors={})
    form = {k: request.form.get(k, "") for k in ("brandName", "email")}
    try:
        done = service.sign_up(
            form["brandName"], form["email"], request.form.get("password"), client_address()
        )
    except LuneoError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        return _render("signup.html", exc.status, form=form, errors=details, error=exc.message)
    console_session.start(done.account, time.time())
    if done.mailed:
        flash(
            f"Welcome! We sent a link to {done.account.email}: open it to switch the API on.",
            "success",
        )
    else:
        flash(
            "Your brand is ready, but the verification email could not be sent yet: "
            "send it again from the banner below in a minute.",
            "warning",
        )
    return redirect(url_for("console.dashboard"))


@bp.get("/verify")
def verify():  # type: ignore[no-untyped-def]
    """The emailed verification link."""
    try:
        account = service.verify_email(request.args.get("token", ""))
    except links.BadLink as exc:
        return _render(
            "message.html",
            400,
            title="This link does not work",
            text=exc.message,
            action=("Sign in", url_for("console_auth.login")),
        )
    return _render(
        "message.html",
        title="Email verified",
        text=f"{account.email} is verified. The API is on for your brand.",
        action=("Open the console", url_for("console.dashboard")),
    )


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():  # type: ignore[no-untyped-def]
    """Ask for a reset link; the same answer whether the address is known or not."""
    if request.method == "GET":
        return _render("forgot.html")
    try:
        service.request_password_reset(request.form.get("email"))
    except MailUnavailable as exc:
        return _render("forgot.html", 503, error=exc.message)
    return _render(
        "message.html",
        title="Check your email",
        text="If this address has a Luneo account, a link to reset its password is on its way.",
    )


@bp.route("/reset", methods=["GET", "POST"])
def reset():  # type: ignore[no-untyped-def]
    """Choose a new password from the emailed link."""
    token = request.values.get("token", "")
    page = {"title": "Choose a new password", "button": "Save password", "token": token}
    if request.method == "GET":
        return _render("new_password.html", errors={}, **page)
    try:
        service.reset_password(token, request.form.get("password"))
    except LuneoError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        return _render("new_password.html", exc.status, errors=details, error=exc.message, **page)
    flash("Your password is changed. Sign in with it.", "success")
    return redirect(url_for("console_auth.login"))


@bp.route("/join", methods=["GET", "POST"])
def join():  # type: ignore[no-untyped-def]
    """Accept an invitation: choose a password, then sign in."""
    token = request.values.get("token", "")
    try:
        invited = service.invitation(token)
    except links.BadLink as exc:
        return _render("message.html", 400, title="This invitation does not work", text=exc.message)
    page = {
        "title": "Join your team on Luneo",
        "intro": f"You were invited as {invited.role} with {invited.email}. Choose a password.",
        "button": "Join",
        "token": token,
    }
    if request.method == "GET":
        return _render("new_password.html", errors={}, **page)
    try:
        account = service.accept_invitation(token, request.form.get("password"))
    except LuneoError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        return _render("new_password.html", exc.status, errors=details, error=exc.message, **page)
    console_session.start(account, time.time())
    return redirect(url_for("console.dashboard"))
