"""Brand accounts: sign-up, email verification, sign-in, password reset, invitations, roles
and two-factor. Each public function is one unit of work: it commits (or raises before
writing) and records the security event in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select

from ..audit import record
from ..auth.permissions import ROLES
from ..core.clock import utcnow
from ..core.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from ..extensions import db
from ..models import Account, Brand, SamlIdentityProvider
from . import links, passwords, throttle, tokens
from .mail import MailUnavailable, send_mail

BAD_SIGN_IN = "The email or password is not right."

signals = Namespace()
# Sent with the brand before a member who takes a seat is added; a receiver that raises
# (billing: 402 ``plan_limit_reached`` when the plan's seats are taken) stops the addition.
member_adding = signals.signal("member-adding")


@dataclass(frozen=True)
class SignUp:
    account: Account
    mailed: bool


@dataclass(frozen=True)
class SignIn:
    """A successful sign-in: who, and when the password was entered."""

    account: Account
    auth_time: datetime


def normalize_email(value: object, field: str = "email") -> str:
    """A syntactically valid, lower-cased address (no DNS lookup), else 422."""
    if not isinstance(value, str) or len(value) > 320:
        raise ValidationFailed("Enter a valid email address.", details={field: "invalid"})
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(
            "Enter a valid email address.", code="invalid_email", details={field: str(exc)}
        ) from exc
    return checked.normalized.lower()


def find_by_email(email: str) -> Account | None:
    return db.session.scalar(select(Account).where(func.lower(Account.email) == email.lower()))


def _actor(account: Account) -> str:
    return f"account:{account.id}"


def _audit(action: str, account: Account, **details: object) -> None:
    record(
        action,
        actor=_actor(account),
        brand_id=account.brand_id,
        target_type="account",
        target_id=account.id,
        details=dict(details),
    )


# ----------------------------------------------------------------------------- sign-up
def sign_up(brand_name: object, email: object, password: object, address: str) -> SignUp:
    """Create an API brand and its owner (unverified), and mail the verification link.

    The brand stays ``unverified`` (no API use) with an AI budget of 0 until the owner opens
    the link. A mail relay that is down does not undo the sign-up (``mailed`` is False).
    A taken address is a 409 that says only that the address cannot be used.
    """
    name = brand_name.strip() if isinstance(brand_name, str) else ""
    if not 2 <= len(name) <= 120:
        raise ValidationFailed("Name your brand.", details={"brandName": "2 to 120 characters"})
    address_ = normalize_email(email)
    secret = passwords.check_policy(password)
    throttle.allow_signup(address)
    if find_by_email(address_) is not None:
        raise Conflict(
            "This email address cannot be used for a new brand.", code="email_unavailable"
        )
    brand = Brand(kind="api", name=name, status="unverified", monthly_ai_budget_cents=0)
    db.session.add(brand)
    db.session.flush()
    account = Account(
        brand_id=brand.id,
        email=address_,
        role="owner",
        status="active",
        password_hash=passwords.hash_password(secret),
    )
    db.session.add(account)
    db.session.flush()
    _audit("account.signed_up", account, address=address)
    db.session.commit()
    try:
        send_verification(account)
    except MailUnavailable:
        return SignUp(account, mailed=False)  # the console offers to send it again
    return SignUp(account, mailed=True)


def send_verification(account: Account) -> None:
    """Mail (again) the link that verifies the account's address."""
    token = links.make("verify", {"a": account.id, "e": account.email})
    send_mail(
        account.email,
        "Verify your email for Luneo",
        "Welcome to Luneo.\n\nOpen this link to verify your email address and start using "
        f"the API:\n\n{links.url('/console/verify', token)}\n\nThe link works for 3 days. "
        "If you did not sign up, ignore this email.\n",
    )


def verify_email(token: str) -> Account:
    """Mark the address verified; the owner's verification activates the brand (API use, the
    default AI budget). Idempotent. Commits."""
    payload = links.read("verify", token)
    account = db.session.get(Account, payload.get("a"))
    if account is None or account.email != payload.get("e"):
        raise links.BadLink("This link is not valid.")
    if account.email_verified_at is None:
        account.email_verified_at = utcnow()
        brand = db.session.get(Brand, account.brand_id)
        if account.role == "owner" and brand.status == "unverified":
            brand.status = "active"
            brand.monthly_ai_budget_cents = None  # the platform's default cap from now on
        _audit("account.email_verified", account)
        db.session.commit()
    return account


# ----------------------------------------------------------------------------- sign-in
def sign_in(email: object, password: object, code: object, address: str) -> SignIn:
    """Check email, password and (when enabled) the two-factor code. Commits.

    Unknown email and wrong password give the same 401 after the same work; failures earn
    progressive waits (429 with ``Retry-After``) per address, account and pair.
    """
    if not isinstance(email, str) or not isinstance(password, str) or len(password) > 1024:
        raise Unauthorized(BAD_SIGN_IN, code="invalid_credentials")
    key = email.strip().lower()[:320]
    throttle.check(key, address)
    account = find_by_email(key)
    ok = passwords.verify_password(account.password_hash if account else None, password)
    if not ok or account is None or account.status != "active":
        throttle.failed(key, address)
        if account is not None:
            _audit("auth.sign_in_failed", account, address=address)
            db.session.commit()
        raise Unauthorized(BAD_SIGN_IN, code="invalid_credentials")
    _password_allowed(account, address)
    if account.totp_enabled_at is not None:
        _second_factor(account, code, address)
    throttle.succeeded(key, address)
    if passwords.needs_rehash(account.password_hash or ""):
        account.password_hash = passwords.hash_password(password)
    now = utcnow()
    account.last_login_at = now
    _audit(
        "auth.signed_in", account, address=address, twoFactor=account.totp_enabled_at is not None
    )
    db.session.commit()
    return SignIn(account, now)


def _password_allowed(account: Account, address: str) -> None:
    """403 ``sso_required`` when the brand requires single sign-on and ``account`` is not its
    break-glass owner (checked after the password, so it tells nothing to a guesser)."""
    provider = db.session.scalar(
        select(SamlIdentityProvider).where(
            SamlIdentityProvider.realm == "brand",
            SamlIdentityProvider.brand_id == account.brand_id,
        )
    )
    if provider is None or not provider.require_sso or not provider.enabled:
        return
    if account.id == provider.break_glass_account_id and account.role == "owner":
        _audit("auth.break_glass_sign_in", account, address=address)
        return
    _audit("auth.sign_in_refused", account, address=address, reason="sso required")
    db.session.commit()
    raise Forbidden(
        'Your brand signs in with its identity provider: use "Sign in with SSO".',
        code="sso_required",
    )


def _second_factor(account: Account, code: object, address: str) -> None:
    if not isinstance(code, str) or not code.strip():
        raise Unauthorized("Enter the code from your authenticator app.", code="totp_required")
    secret = current_app.extensions["luneo.keyring"].decrypt(account.totp_secret_enc)
    digits = code.replace(" ", "")
    if passwords.totp_matches(secret, digits):
        kv = current_app.extensions["luneo.kv"]
        if kv.set_if_absent(f"luneo:totp-used:{account.id}:{digits}", "1", 120):
            return
    else:
        remaining = passwords.use_recovery_code(account.recovery_codes or [], code)
        if remaining is not None:
            account.recovery_codes = remaining
            _audit("auth.recovery_code_used", account, left=len(remaining))
            return
    throttle.failed(account.email, address)
    _audit("auth.totp_failed", account, address=address)
    db.session.commit()
    raise Unauthorized("That code is not right.", code="invalid_totp")


def reauthenticate(account: Account, password: object, code: object, address: str) -> datetime:
    """Confirm the password (and code) of a signed-in member; the new ``auth_time``."""
    if not isinstance(password, str):
        raise Unauthorized(BAD_SIGN_IN, code="invalid_credentials")
    return sign_in(account.email, password, code, address).auth_time


# ----------------------------------------------------------------------------- reset
def request_password_reset(email: object) -> None:
    """Mail a reset link when the address belongs to an account; the same answer otherwise."""
    if not isinstance(email, str):
        return
    account = find_by_email(email.strip().lower()[:320])
    if account is None or account.status != "active" or not account.password_hash:
        return
    token = links.make("reset", {"a": account.id, "p": account.password_hash[-16:]})
    _audit("auth.reset_requested", account)
    db.session.commit()
    send_mail(
        account.email,
        "Reset your Luneo password",
        f"Open this link to choose a new password:\n\n{links.url('/console/reset', token)}\n\n"
        "It works once, for one hour. If you did not ask for it, ignore this email.\n",
    )


def reset_password(token: str, password: object) -> Account:
    """Set a new password from a reset link, end every session and verify the address (the
    link came by mail). Commits."""
    payload = links.read("reset", token)
    account = db.session.get(Account, payload.get("a"))
    if (
        account is None
        or not account.password_hash
        or account.password_hash[-16:] != payload.get("p")
    ):
        raise links.BadLink("This link was already used or is not valid.")
    account.password_hash = passwords.hash_password(passwords.check_policy(password))
    account.email_verified_at = account.email_verified_at or utcnow()
    tokens.revoke_all(account)
    _audit("auth.password_reset", account)
    db.session.commit()
    return account


def change_password(account: Account, current: object, new: object, address: str) -> None:
    """Change the password of a signed-in member: other sessions end. Commits."""
    if not isinstance(current, str) or not passwords.verify_password(
        account.password_hash, current
    ):
        throttle.failed(account.email, address)
        raise Unauthorized("The current password is not right.", code="invalid_credentials")
    account.password_hash = passwords.hash_password(passwords.check_policy(new, "newPassword"))
    tokens.revoke_all(account)
    _audit("auth.password_changed", account)
    db.session.commit()


# ----------------------------------------------------------------------------- team
def _role(value: object) -> str:
    if value not in ROLES or value == "owner":
        raise ValidationFailed("Choose a role.", details={"role": "admin, developer or viewer"})
    return str(value)


def invite(by: Account, email: object, role: object) -> Account:
    """Invite someone to the brand with a role (not owner) and mail them the link. Commits."""
    address = normalize_email(email)
    chosen = _role(role)
    if find_by_email(address) is not None:
        raise Conflict("This email address already has a Luneo account.", code="email_unavailable")
    member_adding.send(db.session.get(Brand, by.brand_id))
    account = Account(
        brand_id=by.brand_id, email=address, role=chosen, status="invited", invited_by=by.id
    )
    db.session.add(account)
    db.session.flush()
    record(
        "team.invited",
        actor=_actor(by),
        brand_id=by.brand_id,
        target_type="account",
        target_id=account.id,
        details={"role": chosen},
    )
    db.session.commit()
    send_invitation(account, by)
    return account


def send_invitation(account: Account, by: Account) -> None:
    brand = db.session.get(Brand, account.brand_id)
    token = links.make("invite", {"a": account.id, "e": account.email})
    send_mail(
        account.email,
        f"Join {brand.name} on Luneo",
        f"{by.email} invited you to {brand.name} on Luneo as {account.role}.\n\n"
        f"Open this link to choose your password:\n\n{links.url('/console/join', token)}\n\n"
        "The link works for 7 days.\n",
    )


def invitation(token: str) -> Account:
    """The invited account a link is for, while the invitation is open."""
    payload = links.read("invite", token)
    account = db.session.get(Account, payload.get("a"))
    if account is None or account.status != "invited" or account.email != payload.get("e"):
        raise links.BadLink("This invitation was already used or withdrawn.")
    return account


def accept_invitation(token: str, password: object) -> Account:
    """Choose a password and join; the address is verified by the mailed link. Commits."""
    account = invitation(token)
    account.password_hash = passwords.hash_password(passwords.check_policy(password))
    account.status = "active"
    account.email_verified_at = utcnow()
    _audit("team.joined", account, role=account.role)
    db.session.commit()
    return account


def member_of(by: Account, account_id: str) -> Account:
    """A member of ``by``'s brand (404 for any other brand's)."""
    account = db.session.get(Account, account_id)
    if account is None or account.brand_id != by.brand_id:
        raise NotFound("No such team member.")
    return account


def change_role(by: Account, account_id: str, role: object) -> Account:
    """Give a member another role (never to or from owner). Commits."""
    account = member_of(by, account_id)
    if account.role == "owner":
        raise Forbidden("The owner's role cannot be changed.", code="owner_role")
    before, account.role = account.role, _role(role)
    record(
        "team.role_changed",
        actor=_actor(by),
        brand_id=by.brand_id,
        target_type="account",
        target_id=account.id,
        details={"from": before, "to": account.role},
    )
    db.session.commit()
    return account


def remove_member(by: Account, account_id: str) -> None:
    """Remove a member (or withdraw an invitation); their sessions end at once. Commits."""
    account = member_of(by, account_id)
    if account.role == "owner":
        raise Forbidden("The owner cannot be removed.", code="owner_role")
    record(
        "team.removed",
        actor=_actor(by),
        brand_id=by.brand_id,
        target_type="account",
        target_id=account.id,
        details={"role": account.role, "status": account.status},
    )
    db.session.delete(account)
    db.session.commit()


def team(brand_id: str) -> list[Account]:
    return list(
        db.session.scalars(
            select(Account).where(Account.brand_id == brand_id).order_by(Account.created_at)
        )
    )


# ----------------------------------------------------------------------------- two-factor
def start_two_factor(account: Account) -> str:
    """Store a new (not yet enabled) TOTP secret; returns the enrolment URI. Commits."""
    if account.totp_enabled_at is not None:
        raise Conflict("Two-factor sign-in is already on.", code="totp_enabled")
    secret = passwords.new_totp_secret()
    account.totp_secret_enc = current_app.extensions["luneo.keyring"].encrypt(secret)
    db.session.commit()
    return passwords.totp_uri(secret, account.email)


def enrolment_uri(account: Account) -> str | None:
    if account.totp_secret_enc is None or account.totp_enabled_at is not None:
        return None
    secret = current_app.extensions["luneo.keyring"].decrypt(account.totp_secret_enc)
    return passwords.totp_uri(secret, account.email)


def confirm_two_factor(account: Account, code: object) -> list[str]:
    """Turn two-factor on with a first good code; returns the recovery codes (shown once)."""
    if account.totp_secret_enc is None or account.totp_enabled_at is not None:
        raise Conflict("Start two-factor set-up first.", code="totp_not_started")
    secret = current_app.extensions["luneo.keyring"].decrypt(account.totp_secret_enc)
    if not isinstance(code, str) or not passwords.totp_matches(secret, code):
        raise ValidationFailed("That code is not right.", details={"code": "not the current code"})
    codes, hashes = passwords.new_recovery_codes()
    account.totp_enabled_at = utcnow()
    account.recovery_codes = hashes
    _audit("auth.totp_enabled", account)
    db.session.commit()
    return codes


def disable_two_factor(account: Account) -> None:
    """Turn two-factor off (the caller re-authenticated). Commits."""
    account.totp_secret_enc = None
    account.totp_enabled_at = None
    account.recovery_codes = []
    _audit("auth.totp_disabled", account)
    db.session.commit()
