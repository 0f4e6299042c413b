"""Signing brands and members up, in and out, as the tests' people do."""

from __future__ import annotations

import re
from dataclasses import dataclass

from luneo_app.extensions import db
from luneo_app.models import Account
from tests.accounts.mailbox import Mailbox

PASSWORD = "correct horse battery"


@dataclass
class Member:
    email: str
    account_id: str
    brand_id: str
    password: str = PASSWORD


def api_sign_up(client, mailbox: Mailbox, email: str, brand: str = "Acme Engraving") -> Member:  # type: ignore[no-untyped-def]
    """Sign a brand up with the JSON API and open the emailed verification link."""
    r = client.post(
        "/v1/auth/signup", json={"brandName": brand, "email": email, "password": PASSWORD}
    )
    assert r.status_code == 201, r.get_json()
    token = mailbox.last(email, "verify").token()
    assert client.post("/v1/auth/verify-email", json={"token": token}).status_code == 200
    body = r.get_json()
    return Member(email, body["accountId"], body["brandId"])


def login(client, email: str, password: str = PASSWORD, **extra: str) -> dict:  # type: ignore[no-untyped-def]
    r = client.post("/v1/auth/login", json={"email": email, "password": password, **extra})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def add_member(owner: Member, email: str, role: str) -> Member:
    """A verified, active member of the owner's brand (as after accepting an invitation)."""
    from luneo_app.accounts.passwords import hash_password
    from luneo_app.core.clock import utcnow

    account = Account(
        brand_id=owner.brand_id,
        email=email,
        role=role,
        status="active",
        password_hash=hash_password(PASSWORD),
        email_verified_at=utcnow(),
    )
    db.session.add(account)
    db.session.commit()
    return Member(email, account.id, owner.brand_id)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def console_sign_in(client, email: str, password: str = PASSWORD) -> str:  # type: ignore[no-untyped-def]
    """Sign in through the console's form; returns the session's CSRF token."""
    page = client.get("/console/login")
    r = client.post(
        "/console/login",
        data={"csrf_token": csrf_of(page.text), "email": email, "password": password},
    )
    assert r.status_code == 302, r.text[:500]
    return csrf_of(client.get("/console").text)
