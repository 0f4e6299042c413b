"""API brands: Stripe Checkout from the console, the subscription from Stripe's signed
webhooks, Billing Meter events for usage beyond the plan, a failed payment's grace period
then 402 on new designs while an order placed before keeps producing."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from connectors.base import LineItem, OrderInfo
from luneo_app.accounts.passwords import hash_password
from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.models import Account, BillingAccount, Brand, Order, WebhookEvent
from luneo_app.orders.intake import sync_order
from tests.accounts.helpers import PASSWORD, console_sign_in
from tests.billing.helpers import bill, events
from tests.designs.helpers import brand_with_key, text_design
from tests.orders.helpers import make_design


@pytest.fixture()
def brand(app, client):  # type: ignore[no-untyped-def]
    brand, headers, product = brand_with_key(app)
    db.session.add(
        Account(brand_id=brand.id, email="owner@acme.test", role="owner", status="active",
                password_hash=hash_password(PASSWORD), email_verified_at=utcnow())
    )  # fmt: skip
    db.session.commit()
    csrf = console_sign_in(client, "owner@acme.test")
    return {"id": brand.id, "headers": headers, "product": product,
            "console": {"X-CSRF-Token": csrf}}  # fmt: skip


def _account(brand_id: str) -> BillingAccount:
    db.session.expire_all()
    return db.session.scalar(select(BillingAccount).filter_by(brand_id=brand_id))


def _subscribe(client, brand, fake_stripe, plan: str = "growth") -> str:  # type: ignore[no-untyped-def]
    answer = client.post("/console/api/billing/subscribe", json={"plan": plan},
                         headers=brand["console"])  # fmt: skip
    assert answer.status_code == 200, answer.get_json()
    sid = answer.get_json()["url"].rsplit("/", 1)[-1]
    fake_stripe.complete_checkout(sid)
    return sid


def test_choosing_a_plan_opens_checkout_with_the_metered_prices_and_automatic_tax(
    client, brand, fake_stripe
):
    sid = _subscribe(client, brand, fake_stripe)

    session = fake_stripe.sessions[sid]
    customer = fake_stripe.customers[session["customer"]]
    assert customer["metadata"] == {"brand_id": brand["id"]}
    assert session["mode"] == "subscription"
    assert session["automatic_tax"] == {"enabled": "true"}
    assert session["subscription_data"]["trial_period_days"] == "14"
    prices = [fake_stripe.prices[i["price"]]["lookup_key"] for i in session["line_items"]]
    assert prices == ["luneo_growth_monthly", "luneo_growth_designs", "luneo_growth_aiImages",
                      "luneo_growth_bakes3d", "luneo_growth_keptStorage"]  # fmt: skip
    assert session["line_items"][0]["quantity"] == "1"
    assert all("quantity" not in i for i in session["line_items"][1:])  # metered
    # Stripe's webhooks (checkout completed, subscription created, invoice paid) set the plan.
    db.session.expire_all()
    assert db.session.get(Brand, brand["id"]).plan == "growth"
    account = _account(brand["id"])
    assert (account.status, account.customer_id) == ("trialing", session["customer"])
    assert account.subscription_id in fake_stripe.subscriptions


def test_usage_beyond_the_plan_is_one_meter_event_each_with_its_identifier(
    app, client, brand, fake_stripe
):
    _subscribe(client, brand, fake_stripe)
    for n in range(6):
        bill(brand["id"], "designs", f"design:{n}")
    bill(brand["id"], "designs", "design:5")  # a duplicate delivery of the sixth

    sixth = [e for e in events(brand["id"]) if e.overage]
    assert len(sixth) == 1 and sixth[0].report_status == "reported"
    assert list(fake_stripe.meter_events) == [sixth[0].id]
    sent = fake_stripe.meter_events[sixth[0].id]
    assert sent["event_name"] == "luneo_ordered_designs"
    assert sent["payload"] == {"stripe_customer_id": _account(brand["id"]).customer_id,
                               "value": "1"}  # fmt: skip


def test_forged_or_unsigned_stripe_webhooks_get_401_and_nothing_is_written(
    client, brand, fake_stripe
):
    forged = fake_stripe.send_event("invoice.payment_failed", {"customer": "cus_x"},
                                    secret="whsec_not_ours")  # fmt: skip
    unsigned = client.post("/webhooks/stripe", data=b'{"id": "evt_1", "type": "invoice.paid"}')

    assert forged.status_code == 401 and unsigned.status_code == 401
    assert forged.get_json()["error"]["code"] == "invalid_signature"
    assert db.session.scalars(select(WebhookEvent)).all() == []


def test_a_redelivered_stripe_event_is_handled_once(client, brand, fake_stripe):
    _subscribe(client, brand, fake_stripe)
    customer = _account(brand["id"]).customer_id
    old = int(time.time()) - 3 * 86400
    first = fake_stripe.send_event("invoice.payment_failed", {"customer": customer},
                                   event_id="evt_same", created=old)  # fmt: skip
    again = fake_stripe.send_event("invoice.payment_failed", {"customer": customer},
                                   event_id="evt_same")  # fmt: skip

    assert first.get_json() == {"received": True, "duplicate": False}
    assert again.get_json() == {"received": True, "duplicate": True}
    grace = _account(brand["id"]).grace_until
    assert abs(
        grace.replace(tzinfo=UTC) - (datetime.fromtimestamp(old, UTC) + timedelta(days=7))
    ) < timedelta(seconds=2)  # noqa: E501


def test_a_failed_payment_gets_a_grace_period_then_402_while_a_placed_order_produces(
    client, brand, fake_stripe
):
    _subscribe(client, brand, fake_stripe)
    customer = _account(brand["id"]).customer_id
    product = brand["product"]
    ordered = make_design(product, "Ordered before")

    fake_stripe.invoice(customer, "open", 2900)  # payment failed just now: grace runs
    in_grace = client.post("/v1/designs", json=text_design(product.id), headers=brand["headers"])
    assert in_grace.status_code in (200, 202)
    assert _account(brand["id"]).status == "past_due"

    # The grace period (7 days) of a failure 8 days ago is over: new work stops.
    db.session.execute(
        BillingAccount.__table__.update().values(payment_failed_at=None, grace_until=None)
    )
    db.session.commit()
    fake_stripe.invoice(customer, "open", 2900, created=int(time.time()) - 8 * 86400)
    refused = client.post("/v1/designs", json=text_design(product.id, "After"),
                          headers=brand["headers"])  # fmt: skip
    assert refused.status_code == 402
    assert refused.get_json()["error"]["code"] == "payment_overdue"
    assert refused.get_json()["error"]["details"]["upgradeUrl"].endswith("/console/billing")

    line = LineItem("l1", 1, "Mug", 1, (("_luneo_design_id", ordered.id),))
    db.session.expire_all()
    sync_order(db.session.get(Brand, brand["id"]), "api", OrderInfo("o1", "#1", "open", (line,)))
    db.session.expire_all()
    assert db.session.query(Order).filter_by(external_id="o1").one().production_status == "ready"

    fake_stripe.invoice(customer, "paid", 2900)  # paid: new work again
    again = client.post("/v1/designs", json=text_design(product.id, "Paid"),
                        headers=brand["headers"])  # fmt: skip
    assert again.status_code in (200, 202)


def test_the_console_billing_page_shows_plan_usage_and_invoices(client, brand, fake_stripe):
    _subscribe(client, brand, fake_stripe)
    page = client.get("/console/billing")

    assert page.status_code == 200
    assert "Growth plan" in page.text and "LUNEO-0001" in page.text
    portal = client.post("/console/api/billing/portal", json={}, headers=brand["console"])
    assert portal.get_json()["url"].startswith(fake_stripe.origin + "/portal/")


def test_staff_see_revenue_and_usage_per_brand_as_json_and_csv(client, brand, fake_stripe):
    from luneo_app.staff.auth import create_staff, issue_api_token

    user = create_staff("ops@luneo.test", "correct horse battery staple", "support")
    staff = {"Authorization": f"Bearer {issue_api_token(user)}"}  # a staff API token
    db.session.commit()
    _subscribe(client, brand, fake_stripe)
    for n in range(7):
        bill(brand["id"], "designs", f"design:{n}")

    anonymous = client.get("/v1/admin/billing/revenue")
    report = client.get("/v1/admin/billing/revenue", headers=staff).get_json()
    as_csv = client.get("/v1/admin/billing/revenue?format=csv", headers=staff)

    assert anonymous.status_code == 401
    row = next(b for b in report["brands"] if b["brandId"] == brand["id"])
    assert (row["plan"], row["subscriptionCents"], row["usage"]["designs"]) == ("growth", 2900, 7)
    assert (row["overageUnits"], row["overageCents"]) == (2, 30)
    assert as_csv.mimetype == "text/csv" and brand["id"] in as_csv.text
