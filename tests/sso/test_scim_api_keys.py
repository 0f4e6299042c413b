"""API keys end with the member who made them: the brand's IdP deactivating or deleting a
member over SCIM revokes every key that member created in the console, at once; keys of
other members keep working."""

from __future__ import annotations

import re

from sqlalchemy import select

from luneo_app.extensions import db
from luneo_app.models import ApiKey, AuditEvent
from tests.accounts.helpers import add_member, console_sign_in, csrf_of
from tests.sso.test_scim import PATCH, scim, token_for


def make_key(client, email: str, name: str) -> str:  # type: ignore[no-untyped-def]
    """Sign in to the console as ``email`` and create a key there; its plaintext."""
    csrf = console_sign_in(client, email)
    r = client.post(
        "/console/keys",
        data={"csrf_token": csrf, "name": name, "scopes": ["products:read"]},
    )
    assert r.status_code == 200, r.text[:300]
    key = re.search(r"lk_[0-9a-f]+_[A-Za-z0-9_\-]+", r.text).group(0)
    client.post("/console/logout", data={"csrf_token": csrf_of(client.get("/console").text)})
    return key


def products(client, key: str) -> int:  # type: ignore[no-untyped-def]
    return client.get("/v1/products", headers={"Authorization": f"Bearer {key}"}).status_code


def test_deactivating_a_member_over_scim_revokes_the_keys_they_made(client, owner):
    dev = add_member(owner, "dev@acme-brand.com", "developer")
    theirs = make_key(client, dev.email, "CI deploys")
    mine = make_key(client, owner.email, "Storefront")
    row = db.session.scalar(select(ApiKey).where(ApiKey.name == "CI deploys"))
    assert row.created_by == dev.account_id
    assert products(client, theirs) == 200 and products(client, mine) == 200
    token = token_for(owner)
    r = client.patch(
        f"/scim/v2/Users/{dev.account_id}",
        json={"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]},
        headers=scim(token),
    )
    assert r.status_code == 200, r.get_json()
    assert products(client, theirs) == 401  # the very next call
    assert products(client, mine) == 200
    db.session.expire_all()
    assert db.session.get(ApiKey, row.id).revoked_at is not None
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "api_key.revoked")
    ).all()
    assert [e.details["keys"] for e in events] == [[row.id]]
    # Reactivation does not bring a revoked key back.
    client.patch(
        f"/scim/v2/Users/{dev.account_id}",
        json={"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": True}}]},
        headers=scim(token),
    )
    assert products(client, theirs) == 401


def test_deleting_a_member_over_scim_revokes_the_keys_they_made(client, owner):
    dev = add_member(owner, "ops@acme-brand.com", "admin")
    theirs = make_key(client, dev.email, "Ops script")
    assert products(client, theirs) == 200
    r = client.delete(f"/scim/v2/Users/{dev.account_id}", headers=scim(token_for(owner)))
    assert r.status_code == 204
    assert products(client, theirs) == 401
    assert db.session.scalar(select(ApiKey).where(ApiKey.name == "Ops script")).revoked_at
