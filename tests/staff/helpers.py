"""Signing staff in to /support through the real forms (password, then TOTP)."""

from __future__ import annotations

import re

import pyotp

from luneo_app.extensions import db
from luneo_app.staff.auth import create_staff, enable_totp

PASSWORD = "correct horse battery staple"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def make_staff(email: str, role: str = "support", totp: bool = True) -> str | None:
    """A staff user (with TOTP set up unless ``totp`` is False); returns the TOTP secret."""
    user = create_staff(email, PASSWORD, role)
    secret = pyotp.random_base32() if totp else None
    if secret:
        enable_totp(user, secret)
    db.session.commit()
    return secret


def sign_in(client, email: str, secret: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Password then the current code; returns the final answer."""
    page = client.get("/support/login")
    token = csrf_of(page.get_data(as_text=True))
    step = client.post(
        "/support/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert step.status_code == 302, step.get_data(as_text=True)[:300]
    code_page = client.get("/support/login/code")
    token = csrf_of(code_page.get_data(as_text=True))
    return client.post(
        "/support/login/code", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token}
    )


def form_token(client, path: str) -> str:
    """The CSRF token of a signed-in page."""
    return csrf_of(client.get(path).get_data(as_text=True))
