"""The support console: staff sign-in (password, TOTP), sessions, CSRF, roles, the installs
list with its health badges, the install page, audited actions and the PII reveal."""

from __future__ import annotations

import re
import time

import pyotp
from sqlalchemy import select

from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.models import (
    Account,
    AuditEvent,
    Brand,
    Order,
    OrderItem,
    RenderJob,
    StaffUser,
    TokenRefreshAttempt,
    WebhookEvent,
)
from tests.shopify.helpers import seed_install
from tests.staff.helpers import PASSWORD, csrf_of, form_token, make_staff, sign_in, unhealthy_shop
from tests.support.factories import make_brand

ADMIN, SUPPORT = "admin@luneo.test", "support@luneo.test"


def _actions(brand_id: str) -> list[str]:
    return [
        f"/support/brands/{brand_id}/refresh-token",
        f"/support/brands/{brand_id}/suspend",
        f"/support/brands/{brand_id}/resume",
        f"/support/brands/{brand_id}/raise-budget",
        f"/support/brands/{brand_id}/webhooks/whe_x/replay",
        f"/support/brands/{brand_id}/jobs/job_x/retry",
        f"/support/brands/{brand_id}/deliveries/obd_x/resend",
    ]


def test_first_sign_in_enrols_totp_then_every_sign_in_needs_a_fresh_code(app, client):
    make_staff(ADMIN, "admin", totp=False)
    page = client.get("/support/login")
    assert page.status_code == 200
    step = client.post(
        "/support/login",
        data={
            "email": ADMIN,
            "password": PASSWORD,
            "csrf_token": csrf_of(page.get_data(as_text=True)),
        },
    )
    assert step.headers["Location"].endswith("/support/login/code")
    enrol = client.get("/support/login/code").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', enrol).group(1)
    token = csrf_of(enrol)
    wrong = client.post("/support/login/code", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 401
    assert client.get("/support").status_code == 302  # not signed in yet
    done = client.post(
        "/support/login/code", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/support")
    cookie = [c for c in done.headers.getlist("Set-Cookie") if c.startswith("luneo_support=")][-1]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/support" in cookie
    assert client.get("/support").status_code == 200
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == ADMIN))
    assert user.totp_enabled_at is not None and user.password_hash.startswith("$argon2")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.signed_in"))

    # sign out ends the server-side session; the same code cannot be used twice
    client.post("/support/logout", data={"csrf_token": form_token(client, "/support")})
    assert client.get("/support").status_code == 302
    page = client.get("/support/login")
    client.post(
        "/support/login",
        data={
            "email": ADMIN,
            "password": PASSWORD,
            "csrf_token": csrf_of(page.get_data(as_text=True)),
        },
    )
    again = client.post(
        "/support/login/code",
        data={
            "code": pyotp.TOTP(secret).now(),
            "csrf_token": form_token(client, "/support/login/code"),
        },
    )
    assert again.status_code == 401


def test_legacy_werkzeug_hashes_still_sign_in_once_and_become_argon2(app, client):
    from werkzeug.security import generate_password_hash

    secret = make_staff(SUPPORT)
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == SUPPORT))
    user.password_hash = generate_password_hash(PASSWORD)
    db.session.commit()
    assert sign_in(client, SUPPORT, secret).status_code == 302
    db.session.expire_all()
    assert db.session.get(StaffUser, user.id).password_hash.startswith("$argon2")


def test_wrong_passwords_are_throttled_even_for_the_right_one(app, client):
    make_staff(SUPPORT)
    app.config["RATE_LIMIT_STAFF_SIGN_IN"] = "3 per 15 minutes"
    token = csrf_of(client.get("/support/login").get_data(as_text=True))
    for _ in range(3):
        bad = client.post(
            "/support/login",
            data={"email": SUPPORT, "password": "nope-nope-nope", "csrf_token": token},
        )
        assert bad.status_code == 401
    blocked = client.post(
        "/support/login", data={"email": SUPPORT, "password": PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429


def test_a_session_ends_after_the_idle_timeout(app, client, monkeypatch):
    secret = make_staff(SUPPORT)
    sign_in(client, SUPPORT, secret)
    assert client.get("/support").status_code == 200
    later = time.time() + 31 * 60
    monkeypatch.setattr("itsdangerous.timed.TimestampSigner.get_timestamp", lambda self: int(later))
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    assert client.get("/support").status_code == 302


def test_forms_without_the_csrf_token_are_refused(app, client):
    secret = make_staff(ADMIN, "admin")
    brand = make_brand("Acme")
    sign_in(client, ADMIN, secret)
    answer = client.post(f"/support/brands/{brand.id}/notes", data={"body": "hello"})
    assert answer.status_code == 403
    other_site = client.post(
        f"/support/brands/{brand.id}/notes",
        data={"body": "hello", "csrf_token": form_token(client, "/support")},
        headers={"Origin": "https://evil.example"},
    )
    assert other_site.status_code == 403
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "support.note_added"))
        is None
    )


def test_a_support_user_cannot_act(app, client):
    secret = make_staff(SUPPORT)
    brand = make_brand("Acme")
    sign_in(client, SUPPORT, secret)
    token = form_token(client, f"/support/brands/{brand.id}")
    for url in _actions(brand.id):
        answer = client.post(
            url, data={"reason": "because I can", "amount": "5", "csrf_token": token}
        )
        assert answer.status_code == 403, url
    db.session.expire_all()
    assert db.session.get(Brand, brand.id).status == "active"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("support.%"))) is None


def test_personal_data_is_masked_until_an_audited_reveal(app, client):
    secret = make_staff(SUPPORT)
    brand = make_brand("Acme")
    db.session.add(Account(brand_id=brand.id, email="jane.doe@example.com", role="owner"))
    order = Order(
        brand_id=brand.id,
        platform="api",
        external_id="A-1",
        name="#1001",
        shipping={
            "name": "Jane Doe",
            "address1": "12 Rose Street",
            "city": "Lyon",
            "country": "FR",
        },
    )
    db.session.add(order)
    db.session.commit()
    sign_in(client, SUPPORT, secret)
    page = client.get(f"/support/brands/{brand.id}").get_data(as_text=True)
    timeline = client.get(f"/support/orders/{order.id}").get_data(as_text=True)
    for html in (page, timeline):
        assert "jane.doe@example.com" not in html and "Jane Doe" not in html
        assert "Rose Street" not in html
    assert "j•••@e•••.com" in page and "J••• D•••" in timeline
    no_reason = client.post(
        f"/support/brands/{brand.id}/reveal", data={"reason": "", "csrf_token": csrf_of(page)}
    )
    assert no_reason.status_code == 422
    done = client.post(
        f"/support/brands/{brand.id}/reveal",
        data={"reason": "ticket 4411: wrong address", "csrf_token": csrf_of(page)},
    )
    assert done.status_code == 302
    assert "12 Rose Street" in client.get(f"/support/orders/{order.id}").get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "support.pii_revealed"))
    assert (
        event.actor == f"staff:{SUPPORT}"
        and event.details["reason"] == "ticket 4411: wrong address"
    )


def test_the_install_page_shows_each_health_problem_and_the_refresh_is_recorded(
    app, client, fake_shopify
):
    brand, install = unhealthy_shop(app, fake_shopify)
    make_brand("Healthy Co")
    secret = make_staff(ADMIN, "admin")
    sign_in(client, ADMIN, secret)
    page = client.get(f"/support/brands/{brand.id}").get_data(as_text=True)
    refreshed = client.post(
        f"/support/brands/{brand.id}/refresh-token",
        data={"reason": "merchant says admin is blank", "csrf_token": csrf_of(page)},
    )
    assert refreshed.status_code == 502  # Shopify refused: shown, and recorded
    attempt = db.session.scalar(select(TokenRefreshAttempt))
    assert attempt.install_id == install.id and not attempt.ok and attempt.trigger == "staff"
    audit = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "support.token_refreshed")
    )
    assert audit.details["outcome"] == "failed" and audit.details["reason"]

    html = client.get(f"/support/brands/{brand.id}").get_data(as_text=True)
    assert "Missing:" in html and "write_orders" in html and "read_themes" in html
    assert 'id="token-state">missing' in html  # tokens were dropped after the refusal
    assert "refused by Shopify" in html
    silent = re.search(r'data-topic="products/update">(.*?)</tr>', html, re.S).group(1)
    assert "Silent 7 days" in silent
    busy = re.search(r'data-topic="orders/create">(.*?)</tr>', html, re.S).group(1)
    assert "Silent" not in busy
    assert "RenderError: font missing" in html

    listing = client.get("/support?health=token_failing").get_data(as_text=True)
    assert brand.name in listing and "Healthy Co" not in listing
    assert "Jobs failing" in client.get("/support?health=jobs_failing").get_data(as_text=True)
    assert "Healthy Co" in client.get("/support?health=active").get_data(as_text=True)
    assert brand.name in client.get("/support?q=acme-mugs.myshop").get_data(as_text=True)


def test_suspend_resume_and_budget_raise_change_the_brand_and_are_audited(app, client):
    secret = make_staff(ADMIN, "admin")
    brand = make_brand("Acme", monthly_ai_budget_cents=1000)
    sign_in(client, ADMIN, secret)
    token = form_token(client, f"/support/brands/{brand.id}")
    reason = {"reason": "fraud review", "csrf_token": token}
    assert client.post(f"/support/brands/{brand.id}/suspend", data=reason).status_code == 302
    db.session.expire_all()
    assert db.session.get(Brand, brand.id).status == "suspended"
    assert "Suspended" in client.get(f"/support/brands/{brand.id}").get_data(as_text=True)
    assert client.post(f"/support/brands/{brand.id}/resume", data=reason).status_code == 302
    db.session.expire_all()
    assert db.session.get(Brand, brand.id).status == "active"
    raised = client.post(
        f"/support/brands/{brand.id}/raise-budget", data={**reason, "amount": "25.50"}
    )
    assert raised.status_code == 302
    from luneo_app.ai.budget import budget_cents

    db.session.expire_all()
    assert budget_cents(db.session.get(Brand, brand.id)) == 1000 + 2550
    actions = set(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.brand_id == brand.id))
    )
    assert {
        "support.brand_suspended",
        "support.brand_resumed",
        "support.ai_budget_raised",
    } <= actions
    log = client.get("/support/audit").get_data(as_text=True)
    assert "support.brand_suspended" in log and "fraud review" in log


def test_a_suspended_brand_gets_403_on_the_api(app, client):
    from luneo_app.auth.apikeys import create_api_key

    brand = make_brand("Acme")
    key = create_api_key(brand)
    brand.status = "suspended"
    db.session.commit()
    answer = client.get("/v1/products", headers={"Authorization": f"Bearer {key.plaintext}"})
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "brand_suspended"


def test_searching_an_order_number_or_design_id_lands_on_its_timeline(app, client):
    secret = make_staff(SUPPORT)
    brand = make_brand("Acme")
    order = Order(
        brand_id=brand.id, platform="shopify", external_id="820982911946154508", name="#1042"
    )
    db.session.add(order)
    db.session.flush()
    db.session.add(OrderItem(brand_id=brand.id, order_id=order.id, line_item_id="1", title="Mug"))
    db.session.commit()
    sign_in(client, SUPPORT, secret)
    for q in ("1042", "#1042", "820982911946154508", order.id):
        answer = client.get("/support", query_string={"q": q})
        assert answer.status_code == 302 and answer.headers["Location"].endswith(
            f"/support/orders/{order.id}"
        ), q
    timeline = client.get(f"/support/orders/{order.id}").get_data(as_text=True)
    assert "received" in timeline and "linked" in timeline


def test_staff_api_token_from_the_account_page_opens_the_cost_report(app, client):
    secret = make_staff(SUPPORT)
    sign_in(client, SUPPORT, secret)
    made = client.post(
        "/support/account", data={"csrf_token": form_token(client, "/support/account")}
    )
    token = re.search(r'id="api-token"[^>]*>([^<]+)<', made.get_data(as_text=True)).group(1)
    assert client.get("/support/costs").status_code == 200
    other = app.test_client()
    assert other.get("/v1/admin/ai/costs").status_code == 401
    assert (
        other.get("/v1/admin/ai/costs", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )


def test_retrying_a_failed_job_runs_it_again_and_an_unfinalized_designs_production_is_refused(
    app, client
):
    from luneo_app.models import Design
    from tests.support.factories import make_product

    secret = make_staff(ADMIN, "admin")
    brand = make_brand("Acme")
    order = Order(brand_id=brand.id, platform="api", external_id="A-9", name="#9")
    db.session.add(order)
    db.session.flush()
    now = utcnow()
    packaging = RenderJob(
        brand_id=brand.id,
        kind="package",
        queue="default",
        status="failed",
        attempts=3,
        payload={"task": "luneo.orders.package", "args": [order.id]},
        error="S3 down",
        enqueued_at=now,
        finished_at=now,
    )
    db.session.add(packaging)
    product = make_product(brand)
    design = Design(brand_id=brand.id, product_id=product.id, status="failed", content_hash="x")
    db.session.add(design)
    db.session.flush()
    rendering = RenderJob(
        brand_id=brand.id,
        design_id=design.id,
        kind="production",
        status="failed",
        payload={"task": "luneo.designs.render_production", "args": []},
        enqueued_at=now,
    )
    db.session.add(rendering)
    db.session.commit()
    sign_in(client, ADMIN, secret)
    token = form_token(client, f"/support/brands/{brand.id}")
    data = {"reason": "S3 is back", "csrf_token": token}
    assert (
        client.post(f"/support/brands/{brand.id}/jobs/{packaging.id}/retry", data=data).status_code
        == 302
    )
    again = db.session.scalars(
        select(RenderJob).where(RenderJob.id != packaging.id, RenderJob.kind == "package")
    ).all()
    assert len(again) == 1 and again[0].payload["retry_of"] == packaging.id
    refused = client.post(f"/support/brands/{brand.id}/jobs/{rendering.id}/retry", data=data)
    assert refused.status_code == 409 and "never finalized" in refused.get_data(as_text=True)
    assert db.session.get(Design, design.id).status == "failed"
    retried = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "support.job_retried")
    )
    assert retried.target_id == packaging.id and retried.details["new_job"] == again[0].id


def test_a_5xx_is_recorded_with_its_brand_and_request_id_and_found_by_search(app, client):
    from flask import g

    from luneo_app.models import ServerError

    brand = make_brand("Acme")

    def broken():  # type: ignore[no-untyped-def]
        g.brand = db.session.get(Brand, brand.id)
        raise RuntimeError("boom")

    app.view_functions["health.healthz"] = broken
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "health.healthz")
    answer = client.get(rule.rule)
    assert answer.status_code == 500
    request_id = answer.headers["X-Request-Id"]
    row = db.session.scalar(select(ServerError))
    assert row.brand_id == brand.id and row.request_id == request_id
    assert row.error == "RuntimeError" and row.status == 500
    secret = make_staff(SUPPORT)
    sign_in(client, SUPPORT, secret)
    assert request_id in client.get(f"/support/brands/{brand.id}").get_data(as_text=True)
    found = client.get("/support", query_string={"q": request_id}).get_data(as_text=True)
    assert "Server errors with request id" in found


def test_replaying_a_stored_webhook_handles_it_again_and_is_audited(app, client, fake_shopify):
    brand, install, _grant = seed_install(app, fake_shopify)
    event = WebhookEvent(
        brand_id=brand.id,
        platform="shopify",
        event_id="evt-9",
        topic="shop/update",
        shop_domain=install.shop_domain,
        received_at=utcnow(),
        status="failed",
        attempts=5,
        error="RuntimeError: boom",
        payload='{"id": 1}',
    )
    db.session.add(event)
    db.session.commit()
    secret = make_staff(ADMIN, "admin")
    sign_in(client, ADMIN, secret)
    token = form_token(client, f"/support/brands/{brand.id}")
    answer = client.post(
        f"/support/brands/{brand.id}/webhooks/{event.id}/replay",
        data={"reason": "handler fixed", "csrf_token": token},
    )
    assert answer.status_code == 302
    db.session.expire_all()
    again = db.session.get(WebhookEvent, event.id)
    assert again.attempts == 1 and again.status != "failed"
    audit = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "support.webhook_replayed")
    )
    assert audit.target_id == event.id and audit.details["reason"] == "handler fixed"


def test_resending_an_outbound_event_queues_it_again_and_is_audited(app, client):
    from luneo_app.models import OutboundDelivery

    brand = make_brand("Acme", webhook_url="https://hooks.acme.example/luneo")
    now = utcnow()
    delivery = OutboundDelivery(
        brand_id=brand.id,
        event_id="evt_1",
        event_type="order.production_ready",
        url=brand.webhook_url,
        body="{}",
        status="failed",
        attempts=8,
        next_attempt_at=now,
        expires_at=now,
        last_error="connection refused",
    )
    db.session.add(delivery)
    db.session.commit()
    secret = make_staff(ADMIN, "admin")
    sign_in(client, ADMIN, secret)
    token = form_token(client, f"/support/brands/{brand.id}")
    answer = client.post(
        f"/support/brands/{brand.id}/deliveries/{delivery.id}/resend",
        data={"reason": "endpoint fixed", "csrf_token": token},
    )
    assert answer.status_code == 302
    db.session.expire_all()
    again = db.session.get(OutboundDelivery, delivery.id)
    assert again.expires_at > now and again.event_id == "evt_1"
    audit = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "support.outbound_resent")
    )
    assert audit.target_id == delivery.id and audit.details["reason"] == "endpoint fixed"


def test_a_brand_whose_store_refused_its_key_is_flagged_and_filtered(app, client):
    """Connected stores (REST, WooCommerce) that fail show on the installs list."""
    from luneo_app.models import CommerceConnection

    failing = make_brand("Woo Failing Co")
    make_brand("Woo Fine Co")
    db.session.add(
        CommerceConnection(
            brand_id=failing.id,
            platform="woocommerce",
            status="failing",
            store_url="https://shop.example",
            last_error="401 woocommerce_rest_cannot_view",
        )
    )
    db.session.commit()
    secret = make_staff(SUPPORT, "support")
    sign_in(client, SUPPORT, secret)

    listing = client.get("/support?health=store_failing").get_data(as_text=True)

    assert "Woo Failing Co" in listing and "Woo Fine Co" not in listing
    assert "Store failing" in listing
