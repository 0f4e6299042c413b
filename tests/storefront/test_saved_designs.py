"""Saving a design and reopening it: account-less tokens scoped to the shop and its retention."""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from luneo_app.core.clock import utcnow
from luneo_app.designs import saved
from luneo_app.designs.retention import purge_expired_designs
from luneo_app.extensions import db
from luneo_app.models import Design
from tests.designs.helpers import text_design
from tests.storefront.helpers import bearer, live_token, storefront_shop

SHOP = "acme.myshopify.com"
OTHER = "bravo.myshopify.com"
BRAVO = "https://bravo.example"


def _design(client, token: str, text: str = "Anna & Tom") -> str:
    created = client.post(
        "/v1/designs", json=text_design("mug-1", text=text), headers=bearer(token)
    )
    assert created.status_code in (200, 202), created.get_json()
    return created.get_json()["designId"]


def _save(client, token: str, design_id: str):  # type: ignore[no-untyped-def]
    return client.post(f"/embed/designs/{design_id}/save", json={}, headers=bearer(token))


def _open(client, token: str, reopen: str):  # type: ignore[no-untyped-def]
    return client.post("/embed/saved", json={"token": reopen}, headers=bearer(token))


def test_a_saved_design_reopens_with_its_text_font_and_product(app, client):
    _, _, product = storefront_shop(app)
    token = live_token(client, SHOP)
    design_id = _design(client, token)
    answer = _save(client, token, design_id)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["designId"] == design_id and design_id not in body["token"]
    days = (saved.reopen_link(db.session.get(Design, design_id)).expires_at - utcnow()).days
    assert days >= app.config["DESIGN_SAVED_RETENTION_DAYS"] - 1

    reopened = _open(client, live_token(client, SHOP), body["token"])
    assert reopened.status_code == 200, reopened.get_json()
    assert reopened.headers["Cache-Control"] == "no-store"
    design = reopened.get_json()
    assert design["designId"] == design_id and design["productId"] == product.id
    [layer] = design["layers"]
    assert layer["text"] == "Anna & Tom" and layer["font"] == "dancing-script"
    assert design["savedAt"]


def test_saving_keeps_a_draft_past_the_draft_expiry(app, client):
    storefront_shop(app)
    token = live_token(client, SHOP)
    kept_id = _design(client, token, "Kept")
    dropped_id = _design(client, token, "Dropped")
    assert _save(client, token, kept_id).status_code == 200
    later = utcnow() + timedelta(hours=app.config["DRAFT_TTL_HOURS"] + 5)
    purge_expired_designs(now=later)
    db.session.expire_all()
    left = set(db.session.scalars(select(Design.id)))
    assert kept_id in left and dropped_id not in left


def test_another_shops_token_is_refused_as_unknown(app, client):
    storefront_shop(app)
    storefront_shop(app, domain=OTHER, origins=(BRAVO,))
    token_a = live_token(client, SHOP)
    reopen_a = _save(client, token_a, _design(client, token_a)).get_json()["token"]
    token_b = live_token(client, OTHER, origin=BRAVO)
    answer = _open(client, token_b, reopen_a)
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "saved_design_not_found"
    assert "Anna" not in answer.get_data(as_text=True)
    # nor can shop B save (and so mint a token for) shop A's design
    design_a = db.session.scalar(select(Design.id))
    assert _save(client, token_b, design_a).status_code == 404


def test_a_forged_or_edited_token_is_refused(app, client):
    brand, _, _ = storefront_shop(app)
    token = live_token(client, SHOP)
    design_id = _design(client, token)
    real = _save(client, token, design_id).get_json()["token"]
    forged = URLSafeTimedSerializer("not-our-key", salt=saved.SALT).dumps(
        {"d": design_id, "b": brand.id}
    )
    for bad in (forged, real[:-2] + ("AA" if real[-2:] != "AA" else "BB"), "x" * 600, "nope"):
        answer = _open(client, token, bad)
        assert answer.status_code in (404, 422), bad
        if answer.status_code == 404:
            assert answer.get_json()["error"]["code"] == "saved_design_not_found"
    assert _open(client, token, "").status_code == 422


def test_a_token_past_the_designs_retention_is_gone(app, client, monkeypatch):
    storefront_shop(app)
    token = live_token(client, SHOP)
    design_id = _design(client, token)
    reopen = _save(client, token, design_id).get_json()["token"]
    later = utcnow() + timedelta(days=app.config["DESIGN_SAVED_RETENTION_DAYS"] + 1)
    monkeypatch.setattr(saved, "utcnow", lambda: later)
    answer = _open(client, token, reopen)
    assert answer.status_code == 410
    assert answer.get_json()["error"]["code"] == "saved_design_expired"


def test_the_cart_link_of_a_design_reopens_it(app, client):
    storefront_shop(app)
    token = live_token(client, SHOP)
    design_id = _design(client, token, "Cart line")
    link = client.get(f"/embed/designs/{design_id}/preview-link", headers=bearer(token))
    assert link.status_code == 200
    reopened = _open(client, token, link.get_json()["editToken"])
    assert reopened.status_code == 200
    assert reopened.get_json()["layers"][0]["text"] == "Cart line"
    # a cart link alone does not mark the design saved (its own retention applies)
    assert db.session.get(Design, design_id).saved_at is None
