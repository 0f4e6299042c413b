"""Rotating an API key keeps the old one working for the chosen window, then refuses it;
an older ``SECRET_KEY`` listed in ``SECRET_KEY_FALLBACKS`` still opens sessions and tokens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from luneo_app import create_app
from luneo_app.auth import apikeys
from luneo_app.core import clock
from luneo_app.extensions import db
from luneo_app.models import ApiKey, AuditEvent
from tests.accounts.helpers import api_sign_up, bearer, console_sign_in, login
from tests.conftest import clean_state, make_config


def travel(monkeypatch, ahead: timedelta) -> None:  # type: ignore[no-untyped-def]
    """Move the clock the API key check reads (``core/clock.py``) ``ahead``."""
    monkeypatch.setattr(apikeys, "utcnow", lambda: clock.utcnow() + ahead)


def _new_key(client, csrf: str) -> tuple[str, ApiKey]:  # type: ignore[no-untyped-def]
    r = client.post(
        "/console/keys",
        data={"name": "Server", "scopes": ["designs:read"], "csrf_token": csrf},
    )
    plaintext = re.search(r'<code id="new-key">(lk_[^<]+)</code>', r.text).group(1)
    return plaintext, db.session.scalar(select(ApiKey))


def test_a_rotated_key_works_inside_its_overlap_window_and_is_refused_after(
    client, mailbox, monkeypatch
):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    csrf = console_sign_in(client, owner.email)
    old, row = _new_key(client, csrf)

    r = client.post(
        f"/console/keys/{row.id}/rotate", data={"csrf_token": csrf, "overlap_hours": "24"}
    )
    new = re.search(r'<code id="new-key">(lk_[^<]+)</code>', r.text).group(1)
    assert new != old
    assert client.get("/v1/ai/usage", headers=bearer(old)).status_code == 200
    assert client.get("/v1/ai/usage", headers=bearer(new)).status_code == 200
    page = client.get("/console/keys").text
    assert "works until" in page
    # A key being replaced is not rotated a second time.
    client.post(f"/console/keys/{row.id}/rotate", data={"csrf_token": csrf})
    assert db.session.scalar(select(db.func.count()).select_from(ApiKey)) == 2

    travel(monkeypatch, timedelta(hours=23, minutes=59))
    assert client.get("/v1/ai/usage", headers=bearer(old)).status_code == 200
    travel(monkeypatch, timedelta(hours=24, seconds=1))
    r = client.get("/v1/ai/usage", headers=bearer(old))
    assert r.status_code == 401 and r.get_json()["error"]["code"]
    assert client.get("/v1/ai/usage", headers=bearer(new)).status_code == 200
    assert "Expired" in client.get("/console/keys").text

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_key.rotated"))
    assert event.details["overlapHours"] == 24


def test_revoking_a_key_in_its_window_stops_it_at_once(client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    csrf = console_sign_in(client, owner.email)
    old, row = _new_key(client, csrf)
    client.post(f"/console/keys/{row.id}/rotate", data={"csrf_token": csrf})  # default 24 h
    assert client.get("/v1/ai/usage", headers=bearer(old)).status_code == 200
    client.post(f"/console/keys/{row.id}/revoke", data={"csrf_token": csrf})
    assert client.get("/v1/ai/usage", headers=bearer(old)).status_code == 401


@pytest.mark.parametrize("hours", ["169", "-1", "a day", "1.5"])
def test_an_overlap_outside_the_bounds_is_refused_and_nothing_rotates(client, mailbox, hours):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    csrf = console_sign_in(client, owner.email)
    old, row = _new_key(client, csrf)
    r = client.post(
        f"/console/keys/{row.id}/rotate",
        data={"csrf_token": csrf, "overlap_hours": hours},
        follow_redirects=True,
    )
    assert "Choose an overlap from 0 to 168 hours" in r.text
    assert db.session.scalar(select(db.func.count()).select_from(ApiKey)) == 1
    db.session.refresh(row)
    assert row.expires_at is None and row.revoked_at is None


def _app(mailbox, **settings):  # type: ignore[no-untyped-def]
    app = create_app(make_config(SMTP_URL=mailbox.url, **settings))
    return app


def test_sessions_and_tokens_made_with_an_older_secret_key_verify_while_it_is_a_fallback(
    _schema, mailbox
):
    before = _app(mailbox, SECRET_KEY="the-old-app-secret")
    clean_state(before)
    with before.app_context():
        client = before.test_client()
        owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
        console_sign_in(client, owner.email)
        cookie = client.get_cookie("luneo_console", path="/console").value
        access = login(client, owner.email)["accessToken"]
        db.session.remove()

    def opens(app) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        with app.app_context():
            c = app.test_client()
            c.set_cookie("luneo_console", cookie, path="/console")
            page = c.get("/console")
            api = c.get("/v1/ai/usage", headers=bearer(access))
            db.session.remove()
            return page.status_code, api.status_code

    rotated = _app(
        mailbox, SECRET_KEY="the-new-app-secret", SECRET_KEY_FALLBACKS=["the-old-app-secret"]
    )
    assert opens(rotated) == (200, 200)
    # Once the old secret leaves the list, what it signed is refused.
    assert opens(_app(mailbox, SECRET_KEY="the-new-app-secret")) == (302, 401)

    # New sessions are signed with the current key: the old key alone does not open them.
    with rotated.app_context():
        client = rotated.test_client()
        console_sign_in(client, owner.email)
        cookie = client.get_cookie("luneo_console", path="/console").value
        access = login(client, owner.email)["accessToken"]
        db.session.remove()
    assert opens(_app(mailbox, SECRET_KEY="the-old-app-secret")) == (302, 401)
    assert opens(_app(mailbox, SECRET_KEY="the-new-app-secret")) == (200, 200)


def test_secret_key_fallbacks_come_from_the_environment_or_a_secret_file(tmp_path):
    listed = tmp_path / "fallbacks"
    listed.write_text("old-one\nolder-one\n")
    config = make_config()
    assert config.SECRET_KEY_FALLBACKS == []
    from luneo_app.config import Config

    assert Config({"SECRET_KEY_FALLBACKS": "a, b"}).SECRET_KEY_FALLBACKS == ["a", "b"]
    from_file = Config({"SECRET_KEY_FALLBACKS_FILE": str(listed)})
    assert from_file.SECRET_KEY_FALLBACKS == ["old-one", "older-one"]


def test_the_console_rotates_the_webhook_secret_with_the_chosen_overlap(app, client, mailbox):
    app.config["OUTBOUND_WEBHOOK_ALLOW_PRIVATE"] = True  # the endpoint below is local
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    csrf = console_sign_in(client, owner.email)
    r = client.post(
        "/console/webhooks", data={"csrf_token": csrf, "url": "http://127.0.0.1:9/hooks/luneo"}
    )
    first = re.search(r'<code id="webhook-secret">([^<]+)</code>', r.text).group(1)
    r = client.post(
        "/console/webhooks/secret",
        data={"csrf_token": csrf, "overlap_hours": "500"},
        follow_redirects=True,
    )
    assert "Choose an overlap from 0 to 168 hours" in r.text
    assert 'id="webhook-secret"' not in r.text

    r = client.post("/console/webhooks/secret", data={"csrf_token": csrf, "overlap_hours": "72"})
    second = re.search(r'<code id="webhook-secret">([^<]+)</code>', r.text).group(1)
    assert second != first and r.headers["Cache-Control"] == "no-store"
    assert "two signatures" in r.text
    page = client.get("/console/webhooks").text
    assert 'id="previous-secret"' in page and first not in page and second not in page
    from luneo_app.models import Brand
    from luneo_app.outbound import endpoints

    brand = db.session.get(Brand, owner.brand_id)
    until = endpoints.previous_secret_until(brand)
    assert timedelta(hours=71) < until - clock.utcnow() <= timedelta(hours=72)


def test_links_and_storefront_tokens_signed_before_a_secret_rotation_still_open(app):
    """Preview links on cart lines, saved-design links, proof links, storefront tokens and
    console sign-in links made with the old app secret keep working while it is a fallback."""
    from luneo_app.designs import proof, saved
    from luneo_app.embed import links, tokens
    from luneo_app.embed.shops import StorefrontShop
    from luneo_app.staff import session as staff_session

    shop = StorefrontShop("acme.myshopify.com", "brand-1", "install-1", frozenset())

    def made() -> dict:
        return {
            "preview": links.signature("design-1"),
            "saved": saved._serializer().dumps({"d": "design-1", "b": "brand-1"}),
            "proof": proof._signer().dumps({"d": "design-1"}),
            "embed": tokens.issue(shop, "https://acme.example").token,
            "staff": staff_session._signer("session").dumps({"s": "sid"}),
        }

    def opened(signed: dict) -> dict:
        result = {"preview": links.verify("design-1", signed["preview"])}
        for name, signer in (
            ("saved", saved._serializer()),
            ("proof", proof._signer()),
            ("staff", staff_session._signer("session")),
        ):
            try:
                signer.loads(signed[name])
                result[name] = True
            except Exception:  # noqa: BLE001 - a bad signature is the refusal we look for
                result[name] = False
        try:
            result["embed"] = tokens.decode(signed["embed"]).shop == shop.shop_domain
        except Exception:  # noqa: BLE001
            result["embed"] = False
        return result

    app.config.update(SECRET_KEY="the-old-app-secret", SECRET_KEY_FALLBACKS=[])
    old = made()
    app.config.update(SECRET_KEY="the-new-app-secret", SECRET_KEY_FALLBACKS=["the-old-app-secret"])
    assert opened(old) == dict.fromkeys(old, True)
    new = made()
    assert all(new[name] != old[name] for name in ("preview", "saved", "proof"))
    # Once the old secret leaves the list, everything it signed is refused.
    app.config.update(SECRET_KEY_FALLBACKS=[])
    assert opened(old) == dict.fromkeys(old, False)
    assert opened(new) == dict.fromkeys(new, True)
