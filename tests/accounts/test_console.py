"""The brand console: cookie sessions with CSRF, API keys shown once, webhooks, the team,
two-factor sign-in, re-authentication before erasing, the local outbox."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from luneo_app import create_app
from luneo_app.extensions import db
from luneo_app.models import Account, ApiKey, AuditEvent, Brand, Product
from tests.accounts.helpers import (
    PASSWORD,
    add_member,
    api_sign_up,
    bearer,
    console_sign_in,
    csrf_of,
)
from tests.conftest import clean_state, make_config


def test_console_sign_up_verifies_by_mail_and_sets_a_safe_cookie(_schema, mailbox):
    app = create_app(make_config(SMTP_URL=mailbox.url, APP_URL="https://console.luneo.example"))
    clean_state(app)
    with app.app_context():
        client = app.test_client()
        https = {"base_url": "https://console.luneo.example"}
        page = client.get("/console/signup", **https)
        r = client.post(
            "/console/signup",
            data={
                "csrf_token": csrf_of(page.text),
                "brandName": "Acme Engraving",
                "email": "owner@acme-brand.com",
                "password": PASSWORD,
            },
            **https,
        )
        assert r.status_code == 302
        cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith("luneo_console="))
        assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
        assert "Path=/console" in cookie
        home = client.get("/console", **https)
        assert "Verify your email address" in home.text
        link = mailbox.last("owner@acme-brand.com", "verify").link("/console/verify")
        assert "verified" in client.get(link, **https).text
        assert "Verify your email address" not in client.get("/console", **https).text
        db.session.remove()


def test_state_changes_need_the_csrf_token(client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    csrf = console_sign_in(client, owner.email)
    r = client.post("/console/keys", data={"name": "x", "scopes": ["designs:read"]})
    assert r.status_code == 403
    r = client.post(
        "/console/keys",
        data={"name": "x", "scopes": ["designs:read"], "csrf_token": "forged"},
    )
    assert r.status_code == 403
    r = client.put("/console/api/settings", json={"retentionDays": 5})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf_failed"
    r = client.post(
        "/console/keys",
        data={"name": "x", "scopes": ["designs:read"], "csrf_token": csrf},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    assert db.session.scalar(select(ApiKey)) is None


def test_an_api_key_is_shown_once_works_and_stops_when_revoked(client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    csrf = console_sign_in(client, owner.email)
    r = client.post(
        "/console/keys",
        data={"name": "Server", "scopes": ["designs:read", "keys:manage"], "csrf_token": csrf},
    )
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    plaintext = re.search(r'<code id="new-key">(lk_[^<]+)</code>', r.text).group(1)
    row = db.session.scalar(select(ApiKey))
    assert row.scopes == ["designs:read"]  # console-only scopes never go on a key
    assert plaintext not in client.get("/console/keys").text

    assert client.get("/v1/ai/usage", headers=bearer(plaintext)).status_code == 200
    assert "Never" not in client.get("/console/keys").text  # last used is shown

    r = client.post(
        f"/console/keys/{row.id}/rotate", data={"csrf_token": csrf, "overlap_hours": "0"}
    )
    rotated = re.search(r'<code id="new-key">(lk_[^<]+)</code>', r.text).group(1)
    assert client.get("/v1/ai/usage", headers=bearer(plaintext)).status_code == 401
    assert client.get("/v1/ai/usage", headers=bearer(rotated)).status_code == 200
    new_row = db.session.scalar(select(ApiKey).where(ApiKey.revoked_at.is_(None)))
    client.post(f"/console/keys/{new_row.id}/revoke", data={"csrf_token": csrf})
    assert client.get("/v1/ai/usage", headers=bearer(rotated)).status_code == 401
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"api_key.created", "api_key.rotated", "api_key.revoked"} <= actions


def test_an_unverified_owner_cannot_create_keys(client, mailbox):
    client.post(
        "/v1/auth/signup",
        json={"brandName": "Acme", "email": "owner@acme-brand.com", "password": PASSWORD},
    )
    csrf = console_sign_in(client, "owner@acme-brand.com")
    r = client.post(
        "/console/keys", data={"name": "x", "scopes": ["designs:read"], "csrf_token": csrf}
    )
    assert r.status_code == 302
    assert db.session.scalar(select(ApiKey)) is None
    # Nor lift the AI budget of 0 before verifying.
    r = client.put(
        "/console/api/settings",
        json={"monthlyAiBudgetCents": 100000},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "email_unverified"
    assert db.session.scalar(select(Brand)).monthly_ai_budget_cents == 0


def test_an_invitation_by_mail_makes_a_member_with_that_role(app, mailbox):
    owner_client, guest = app.test_client(), app.test_client()
    owner = api_sign_up(owner_client, mailbox, "owner@acme-brand.com")
    csrf = console_sign_in(owner_client, owner.email)
    r = owner_client.post(
        "/console/team",
        data={"email": "dev@acme-brand.com", "role": "developer", "csrf_token": csrf},
    )
    assert r.status_code == 302
    link = mailbox.last("dev@acme-brand.com", "join").link("/console/join")
    page = guest.get(link)
    assert "developer" in page.text
    token = link.split("token=")[1]
    r = guest.post(
        "/console/join",
        data={"csrf_token": csrf_of(page.text), "token": token, "password": "devs own password"},
    )
    assert r.status_code == 302
    assert guest.get("/console/keys").status_code == 200
    assert guest.get("/console/team").status_code == 200
    # A developer manages keys but not the team.
    r = guest.post(
        "/console/team",
        data={"email": "x@acme-brand.com", "role": "admin", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 403
    assert guest.get(link).status_code == 400  # the invitation is used up
    member = db.session.scalar(select(Account).where(Account.email == "dev@acme-brand.com"))
    assert member.role == "developer" and member.verified and member.brand_id == owner.brand_id

    # Removing them ends their session at once.
    r = owner_client.post(f"/console/team/{member.id}/remove", data={"csrf_token": csrf})
    assert r.status_code == 302
    assert guest.get("/console/keys").status_code == 302  # back to sign-in


def test_two_factor_sign_in_with_a_code_or_a_recovery_code(client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    csrf = console_sign_in(client, owner.email)
    client.post("/console/account/2fa", data={"csrf_token": csrf})
    page = client.get("/console/account")
    assert "<svg" in page.text  # the QR code
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    r = client.post(
        "/console/account/2fa/confirm",
        data={"csrf_token": csrf, "code": pyotp.TOTP(secret).now()},
    )
    codes = re.findall(r"<li>([0-9a-f]{6}-[0-9a-f]{6})</li>", r.text)
    assert len(codes) == 10

    r = client.post("/v1/auth/login", json={"email": owner.email, "password": PASSWORD})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "totp_required"
    r = client.post(
        "/v1/auth/login", json={"email": owner.email, "password": PASSWORD, "totp": "000000"}
    )
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "invalid_totp"
    good = {"email": owner.email, "password": PASSWORD, "totp": pyotp.TOTP(secret).now()}
    assert client.post("/v1/auth/login", json=good).status_code == 200
    assert client.post("/v1/auth/login", json=good).status_code == 401  # a code works once
    recovery = {"email": owner.email, "password": PASSWORD, "totp": codes[0]}
    assert client.post("/v1/auth/login", json=recovery).status_code == 200
    assert client.post("/v1/auth/login", json=recovery).status_code == 401
    account = db.session.get(Account, owner.account_id)
    db.session.refresh(account)
    assert len(account.recovery_codes) == 9


def test_erasing_from_the_console_asks_for_the_password_again(app, client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    csrf = console_sign_in(client, owner.email)
    app.config["REAUTH_MAX_AGE"] = 0
    import time

    time.sleep(1.01)
    r = client.post("/console/settings/erase", data={"csrf_token": csrf})
    assert r.status_code == 403 and "Confirm it" in r.text
    db.session.expire_all()
    assert db.session.get(Brand, owner.brand_id).erasure_due_at is None
    app.config["REAUTH_MAX_AGE"] = 600
    r = client.post(
        "/console/api/account/reauth",
        data={"csrf_token": csrf, "password": "wrong password!!", "next": "/console/settings"},
    )
    assert r.status_code == 401
    r = client.post(
        "/console/api/account/reauth",
        data={"csrf_token": csrf, "password": PASSWORD, "next": "/console/settings"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/console/settings")
    assert client.post("/console/settings/erase", data={"csrf_token": csrf}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Brand, owner.brand_id).erasure_due_at is not None
    assert "will be erased" in client.get("/console/settings").text


def test_a_viewer_reads_but_cannot_change_settings(client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    viewer = add_member(owner, "viewer@acme-brand.com", "viewer")
    csrf = console_sign_in(client, viewer.email)
    assert client.get("/console/settings").status_code == 200
    r = client.put(
        "/console/api/settings", json={"retentionDays": 5}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 403
    page = client.get("/console")
    assert "API keys" not in page.text  # the navigation shows only what the role may use


def test_the_outbox_page_exists_only_without_a_mail_server(app, client):
    assert client.get("/console/outbox").status_code == 404


def test_the_embed_page_registers_and_removes_storefront_origins(client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    csrf = console_sign_in(client, owner.email)
    page = client.get("/console/embed")
    assert "No origin yet" in page.text
    assert f"brand: '{owner.brand_id}'" in page.text and "onAddToCart" in page.text
    assert "not available in this version" not in page.text

    add = {"csrf_token": csrf, "origin": "https://Shop.Example.com/"}
    assert client.post("/console/embed/origins", data=add).status_code == 302
    client.post("/console/embed/origins", data={**add, "origin": "http://localhost:8000"})
    # Luneo now mints widget tokens for a registered origin, and only for it.
    token = f"/embed/token?brand={owner.brand_id}&origin="
    assert client.get(token + "http://localhost:8000").status_code == 200
    assert client.get(token + "https://other.example").status_code == 403
    listed = client.get("/console/embed").text
    assert "https://shop.example.com" in listed and "http://localhost:8000" in listed
    brand = db.session.get(Brand, owner.brand_id)
    assert brand.settings["embedOrigins"] == ["https://shop.example.com", "http://localhost:8000"]

    bad = client.post("/console/embed/origins", data={**add, "origin": "http://shop.example.com"})
    assert bad.status_code == 302
    assert "expected an https origin" in client.get("/console/embed").text
    without_csrf = client.post("/console/embed/origins", data={"origin": "https://a.example"})
    assert without_csrf.status_code == 403

    removed = client.post(
        "/console/embed/origins/remove",
        data={"csrf_token": csrf, "origin": "https://shop.example.com"},
    )
    assert removed.status_code == 302
    db.session.expire_all()
    brand = db.session.get(Brand, owner.brand_id)
    assert brand.settings["embedOrigins"] == ["http://localhost:8000"]
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "embed.origins_updated")
    ).all()
    assert len(events) == 3


def test_a_viewer_sees_the_origins_but_cannot_change_them(client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    viewer = add_member(owner, "viewer@acme-brand.com", "viewer")
    csrf = console_sign_in(client, viewer.email)
    page = client.get("/console/embed")
    assert page.status_code == 200 and "Add origin" not in page.text
    r = client.post(
        "/console/embed/origins", data={"csrf_token": csrf, "origin": "https://a.example"}
    )
    assert r.status_code == 403


def test_personalization_is_switched_on_only_for_a_product_with_a_print_area(client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    csrf = console_sign_in(client, owner.email)
    client.post(
        "/console/products", data={"csrf_token": csrf, "title": "Ring", "externalId": "RING-01"}
    )
    product = db.session.scalars(select(Product).where(Product.brand_id == owner.brand_id)).one()
    switch = f"/console/products/{product.id}/personalizable"
    client.post(switch, data={"csrf_token": csrf, "on": "1"})
    assert "Draw a print area" in client.get("/console/products").text
    db.session.refresh(product)
    assert product.personalizable is False

    product.template = {"printAreas": [{"id": "front", "x": 10, "y": 10, "width": 80,
                                        "height": 40}]}  # fmt: skip
    db.session.commit()
    assert client.post(switch, data={"csrf_token": csrf, "on": "1"}).status_code == 302
    db.session.refresh(product)
    assert product.personalizable is True
    client.post(switch, data={"csrf_token": csrf, "on": "0"})
    db.session.refresh(product)
    assert product.personalizable is False
