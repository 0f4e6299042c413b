"""Passwords (Argon2id via argon2-cffi), TOTP two-factor (pyotp) and recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets

import pyotp
import qrcode
import qrcode.image.svg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..core.errors import ValidationFailed

MIN_LENGTH = 10
MAX_LENGTH = 256
RECOVERY_CODES = 10

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def check_policy(password: object, field: str = "password") -> str:
    """The password if it is acceptable, else :class:`ValidationFailed` naming the field."""
    if not isinstance(password, str) or not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise ValidationFailed(
            f"Choose a password of {MIN_LENGTH} to {MAX_LENGTH} characters.",
            code="weak_password",
            details={field: f"{MIN_LENGTH} to {MAX_LENGTH} characters"},
        )
    if len(set(password)) < 4:
        raise ValidationFailed(
            "This password is too easy to guess.",
            code="weak_password",
            details={field: "use more different characters"},
        )
    return password


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (salted, with the library's current parameters)."""
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored``; the same work when there is no hash."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored)


def new_totp_secret() -> str:
    """A fresh base32 TOTP secret."""
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="Luneo")


def totp_qr_svg(uri: str) -> str:
    """The enrolment URI as an inline SVG QR code."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def totp_matches(secret: str, code: str) -> bool:
    """True when ``code`` is the current (or the neighbouring 30 s) TOTP code."""
    code = (code or "").replace(" ", "")
    return code.isdigit() and len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)


def new_recovery_codes() -> tuple[list[str], list[str]]:
    """``(codes to show once, their hashes to store)``."""
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    return codes, [recovery_hash(c) for c in codes]


def recovery_hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()


def use_recovery_code(stored: list[str], code: str) -> list[str] | None:
    """The remaining hashes when ``code`` is one of ``stored`` (it is used up), else None."""
    presented = recovery_hash(code)
    for item in stored:
        if hmac.compare_digest(item, presented):
            return [h for h in stored if h != item]
    return None
