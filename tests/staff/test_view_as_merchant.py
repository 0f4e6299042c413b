"""The read-only "view as merchant": opened with a reason, audited, time-limited, every
write refused, and no merchant token or write handed to the staff member."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.models import AuditEvent, Brand
from tests.shopify.helpers import SHOP, seed_install
from tests.staff.helpers import csrf_of, form_token, make_staff, sign_in

SUPPORT = "sam@luneo.example"
REASON = "merchant says the settings page is blank"


def _open(client, brand_id: str, reason: str = REASON):  # type: ignore[no-untyped-def]
    token = form_token(client, f"/support/brands/{brand_id}")
    return client.post(
        f"/support/brands/{brand_id}/view-as", data={"reason": reason, "csrf_token": token}
    )


def _signed_in_shop(app, client, fake):  # type: ignore[no-untyped-def]
    brand, install, grant = seed_install(app, fake)
    secret = make_staff(SUPPORT, role="support")  # read-only staff may view too
    assert sign_in(client, SUPPORT, secret).status_code == 302
    return brand, install, grant


def test_a_support_user_opens_the_merchants_pages_with_a_banner_and_it_is_audited(
    app, client, fake_shopify
):
    brand, install, grant = _signed_in_shop(app, client, fake_shopify)
    install_page = client.get(f"/support/brands/{brand.id}").get_data(as_text=True)
    assert "View as merchant" in install_page

    opened = _open(client, brand.id)

    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/support/brands/{brand.id}/as-merchant")
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "support.view_as_started")
    )
    assert event.actor == f"staff:{SUPPORT}" and event.brand_id == brand.id
    assert event.details["reason"] == REASON and event.details["shop"] == SHOP
    assert event.details["minutes"] == 30
    base = f"/support/brands/{brand.id}/as-merchant"
    for path in ("", "/products", "/designs", "/orders", "/webhooks", "/billing", "/settings"):
        page = client.get(base + path)
        html = page.get_data(as_text=True)
        assert page.status_code == 200, (path, html[:400])
        assert f"Read-only view as {SHOP}." in html, path
        assert REASON in html and "End view" in html
        # Nothing of the merchant's credentials reaches the staff member's browser.
        assert grant.access_token not in html and "id_token" not in html
        assert "app-bridge.js" not in html
        assert not [c for c in page.headers.getlist("Set-Cookie") if "luneo_support" not in c]
        assert page.headers["X-Frame-Options"] == "DENY"
    # Links between pages stay inside the view.
    home = client.get(base).get_data(as_text=True)
    assert f'href="{base}/settings"' in home
    assert not re.search(r'href="/admin(?!/static/)', home)
    # The pages' scripts read through the view's API.
    config = re.search(r'id="admin-config">(.*?)</script>', home).group(1)
    assert f'"apiBase": "{base}/api"' in config
    assert client.get(base + "/api/settings").status_code == 200
    assert client.get(base + "/api/billing").status_code == 200


def test_every_write_in_the_view_is_refused_with_a_clear_message(app, client, fake_shopify):
    brand, _install, _grant = _signed_in_shop(app, client, fake_shopify)
    _open(client, brand.id)
    base = f"/support/brands/{brand.id}/as-merchant"
    token = csrf_of(client.get(base).get_data(as_text=True))
    before = dict(db.session.get(Brand, brand.id).settings or {})
    headers = {"X-CSRF-Token": token}
    writes = [
        ("put", "/api/settings", {"retentionDays": 1}),
        ("put", "/api/products/gid-1/personalizable", {"personalizable": True}),
        ("put", "/api/products/prd_x/template", {"template": {}}),
        ("post", "/api/billing/subscribe", {"plan": "pro"}),
        ("post", "/api/designs/dsg_x/proof", {}),
        ("post", "/api/webhooks/deliveries/del_1/replay", {}),
        ("delete", "/api/settings", None),
    ]
    for method, path, body in writes:
        answer = getattr(client, method)(base + path, json=body, headers=headers)
        assert answer.status_code == 403, (path, answer.get_data(as_text=True)[:300])
        error = answer.get_json()["error"]
        assert error["code"] == "read_only_view"
        assert "read-only view as the merchant" in error["message"]
    db.session.expire_all()
    assert dict(db.session.get(Brand, brand.id).settings or {}) == before
    assert db.session.get(Brand, brand.id).plan == "free"
    # The merchant's own admin does not open for the staff member's browser either.
    assert client.get("/admin/settings").status_code in (302, 401)


def test_the_view_needs_a_reason_ends_on_request_and_after_its_time(
    app, client, fake_shopify, monkeypatch
):
    from luneo_app.support import view_as

    brand, _install, _grant = _signed_in_shop(app, client, fake_shopify)
    base = f"/support/brands/{brand.id}/as-merchant"
    # Never opened: the pages send back to the install page, the API says why.
    closed = client.get(base + "/orders")
    assert closed.status_code == 302 and "done=view_closed" in closed.headers["Location"]
    assert client.get(base + "/api/orders").get_json()["error"]["code"] == "view_as_closed"
    refused = _open(client, brand.id, reason="")
    assert refused.status_code == 422 and "Give a reason" in refused.get_data(as_text=True)
    assert client.get(base).status_code == 302

    assert _open(client, brand.id).status_code == 302
    assert client.get(base).status_code == 200
    later = utcnow() + timedelta(minutes=31)
    monkeypatch.setattr(view_as, "utcnow", lambda: later)
    assert client.get(base).status_code == 302  # timed out
    monkeypatch.undo()

    assert _open(client, brand.id).status_code == 302
    token = form_token(client, f"/support/brands/{brand.id}")
    ended = client.post(f"/support/brands/{brand.id}/view-as/end", data={"csrf_token": token})
    assert ended.status_code == 302
    assert client.get(base).status_code == 302
    actions = list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.brand_id == brand.id, AuditEvent.action.like("support.view_as%"))
            .order_by(AuditEvent.created_at)
        )
    )
    assert actions == [
        "support.view_as_started",
        "support.view_as_started",
        "support.view_as_ended",
    ]


def test_a_view_belongs_to_the_session_that_opened_it(app, client, fake_shopify):
    brand, _install, _grant = _signed_in_shop(app, client, fake_shopify)
    _open(client, brand.id)
    other = app.test_client()
    secret = make_staff("ada@luneo.example", role="admin")
    sign_in(other, "ada@luneo.example", secret)
    assert other.get(f"/support/brands/{brand.id}/as-merchant").status_code == 302
    # Signed out, the view is gone with the session.
    client.post("/support/logout", data={"csrf_token": form_token(client, "/support")})
    assert client.get(f"/support/brands/{brand.id}/as-merchant").status_code == 302
