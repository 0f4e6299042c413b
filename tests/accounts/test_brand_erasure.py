"""``DELETE /v1/brands/{id}/data``: the owner only, signed in and re-authenticated, never an
API key; a cancellable delay; the same erasure and audit as Shopify's ``shop/redact``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from luneo_app.accounts.erasure import erase_due
from luneo_app.auth.apikeys import create_api_key
from luneo_app.core.clock import as_utc, utcnow
from luneo_app.extensions import db
from luneo_app.models import Account, AuditEvent, Brand, Product
from tests.accounts.helpers import add_member, api_sign_up, bearer, login


def _erase(client, brand_id, token):  # type: ignore[no-untyped-def]
    return client.delete(f"/v1/brands/{brand_id}/data", headers=bearer(token))


def test_api_keys_admins_and_foreign_owners_cannot_erase_a_brand(client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    admin = add_member(owner, "admin@acme-brand.com", "admin")
    other = api_sign_up(client, mailbox, "owner@other-brand.com", brand="Other")
    brand = db.session.get(Brand, owner.brand_id)
    key = create_api_key(brand, "server")
    db.session.commit()

    r = _erase(client, owner.brand_id, key.plaintext)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "user_sign_in_required"
    r = _erase(client, owner.brand_id, login(client, admin.email)["accessToken"])
    assert r.status_code == 403
    r = _erase(client, owner.brand_id, login(client, other.email)["accessToken"])
    assert r.status_code == 404
    db.session.expire_all()
    assert db.session.get(Brand, owner.brand_id).erasure_due_at is None


def test_an_old_sign_in_must_re_authenticate(app, client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    pair = login(client, owner.email)
    app.config["REAUTH_MAX_AGE"] = -1  # as if the password was entered long ago
    r = _erase(client, owner.brand_id, pair["accessToken"])
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "reauth_required"
    # A refreshed token keeps the original sign-in time: refreshing is no re-authentication.
    refreshed = client.post("/v1/auth/refresh", json={"refreshToken": pair["refreshToken"]})
    r = _erase(client, owner.brand_id, refreshed.get_json()["accessToken"])
    assert r.status_code == 403


def test_erasure_waits_can_be_cancelled_and_then_removes_everything(app, client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    other = api_sign_up(client, mailbox, "owner@other-brand.com", brand="Other")
    brand = db.session.get(Brand, owner.brand_id)
    db.session.add(Product(brand_id=brand.id, platform="api", external_id="p1", title="Ring"))
    db.session.add(Product(brand_id=other.brand_id, platform="api", external_id="p1", title="Mug"))
    db.session.commit()
    token = login(client, owner.email)["accessToken"]

    r = _erase(client, owner.brand_id, token)
    assert r.status_code == 202
    due = as_utc(db.session.get(Brand, owner.brand_id).erasure_due_at)
    assert timedelta(hours=47) < due - utcnow() <= timedelta(hours=48)
    assert erase_due() == []  # not yet

    r = client.post(f"/v1/brands/{owner.brand_id}/data/erasure/cancel", headers=bearer(token))
    assert r.status_code == 200
    db.session.expire_all()
    assert db.session.get(Brand, owner.brand_id).erasure_due_at is None
    assert erase_due(utcnow() + timedelta(days=3)) == []

    assert _erase(client, owner.brand_id, token).status_code == 202
    assert erase_due(utcnow() + timedelta(hours=49)) == [owner.brand_id]
    db.session.expire_all()
    assert db.session.get(Brand, owner.brand_id) is None
    assert db.session.scalar(select(Account).where(Account.brand_id == owner.brand_id)) is None
    assert db.session.scalars(select(Product.title)).all() == ["Mug"]  # the other brand's
    erased = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "compliance.brand_erased")
    )
    assert erased.brand_id is None and erased.target_id == owner.brand_id
    assert erased.details["rows"]["products"] == 1 and erased.details["rows"]["brands"] == 1
    # The owner's token dies with the account.
    assert client.get("/v1/ai/usage", headers=bearer(token)).status_code == 401
