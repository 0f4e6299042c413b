"""Signing staff in to /support through the real forms (password, then TOTP)."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp

from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.models import RenderJob, WebhookEvent
from luneo_app.staff.auth import create_staff, enable_totp
from tests.shopify.helpers import seed_install

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


def unhealthy_shop(app, fake):  # type: ignore[no-untyped-def]
    """A shop with a missing scope, a failing refresh, a silent topic and a failed job."""
    brand, install, _grant = seed_install(app, fake, expires_in=60)
    install.scopes = "read_products,read_orders"  # write_orders and read_themes missing
    install.installed_at = utcnow() - timedelta(days=30)
    now = utcnow()
    db.session.add(
        WebhookEvent(
            brand_id=brand.id,
            platform="shopify",
            event_id="e-1",
            topic="orders/create",
            shop_domain=install.shop_domain,
            received_at=now - timedelta(hours=2),
            status="done",
        )
    )
    db.session.add(
        RenderJob(
            brand_id=brand.id,
            kind="production",
            status="failed",
            attempts=3,
            error="RenderError: font missing",
            enqueued_at=now - timedelta(hours=1),
            finished_at=now - timedelta(minutes=50),
            duration_ms=1200,
        )
    )
    db.session.commit()
    fake.fail_next("refresh", 400, {"error": "invalid_grant", "error_description": "revoked"})
    return brand, install
