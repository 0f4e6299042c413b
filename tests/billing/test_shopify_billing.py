"""Shopify merchants: the plan page calls appSubscriptionCreate, the webhook sets the plan,
usage beyond the plan is charged with appUsageRecordCreate (one per event, however often it
is delivered), charges past the capped amount are held and sent once the cap allows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from luneo_app.extensions import db
from luneo_app.models import BillingAccount, Brand, WebhookEvent
from tests.admin.helpers import bearer
from tests.billing.helpers import bill, concurrently, events
from tests.shopify.helpers import SHOP, post_webhook, seed_install


@pytest.fixture()
def shop(app, fake_shopify):  # type: ignore[no-untyped-def]
    brand, install, _ = seed_install(app, fake_shopify, SHOP)
    return {"brand_id": brand.id, "headers": bearer(fake_shopify.session_token(SHOP))}


def _brand(brand_id: str) -> Brand:
    db.session.expire_all()
    return db.session.get(Brand, brand_id)


def _subscribe(client, shop, fake_shopify, plan: str = "growth"):  # type: ignore[no-untyped-def]
    """Choose a plan in the admin, approve it on Shopify's page, deliver the webhook."""
    answer = client.post("/admin/api/billing/subscribe", json={"plan": plan},
                         headers=shop["headers"])  # fmt: skip
    assert answer.status_code == 200, answer.get_json()
    gid = fake_shopify.billing.pending_for(SHOP)
    assert post_webhook(client, "app_subscriptions/update",
                        fake_shopify.billing.approve(gid)).status_code == 200  # fmt: skip
    return answer.get_json(), gid


def test_choosing_a_plan_creates_the_subscription_and_the_webhook_sets_the_plan(
    client, shop, fake_shopify
):
    fake_shopify.billing.development_shops.add(SHOP)
    answer, gid = _subscribe(client, shop, fake_shopify)

    assert "/confirm_recurring_application_charge" in answer["confirmationUrl"]
    sub = fake_shopify.billing.subscriptions[gid]
    assert (sub["name"], sub["priceCents"], sub["capCents"], sub["trialDays"]) == (
        "Growth",
        2900,
        100,
        14,
    )
    assert sub["test"] is True  # a development store gets test charges
    assert _brand(shop["brand_id"]).plan == "growth"
    account = db.session.scalar(select(BillingAccount).filter_by(brand_id=shop["brand_id"]))
    assert (account.status, account.subscription_id) == ("active", gid)
    assert account.usage_item_id == sub["usageItem"]


def test_a_plan_that_does_not_exist_is_refused_and_nothing_is_created(client, shop, fake_shopify):
    answer = client.post("/admin/api/billing/subscribe", json={"plan": "platinum"},
                         headers=shop["headers"])  # fmt: skip
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "plan_not_found"
    assert fake_shopify.billing.subscriptions == {}


def test_a_declined_confirmation_leaves_the_plan_and_says_so(client, shop, fake_shopify):
    client.post("/admin/api/billing/subscribe", json={"plan": "pro"}, headers=shop["headers"])
    gid = fake_shopify.billing.pending_for(SHOP)
    post_webhook(client, "app_subscriptions/update", fake_shopify.billing.decline(gid))

    assert _brand(shop["brand_id"]).plan == "free"
    page = client.get("/admin/api/billing", headers=shop["headers"]).get_json()
    assert page["account"]["lastDeclined"] == {"plan": "pro", "status": "declined"}
    assert page["account"]["pendingPlan"] is None


def test_usage_beyond_the_plan_is_one_usage_record_per_event_under_100_duplicates(
    app, client, shop, fake_shopify
):
    _subscribe(client, shop, fake_shopify)
    brand_id = shop["brand_id"]
    for n in range(5):  # growth includes 5 ordered designs
        bill(brand_id, "designs", f"design:included-{n}")
    assert fake_shopify.billing.records_of(SHOP) == []

    errors = concurrently(app, 100, lambda: bill(brand_id, "designs", "design:the-sixth"))

    assert errors == []
    records = fake_shopify.billing.records_of(SHOP)
    assert len(records) == 1 and records[0]["cents"] == 15
    sixth = [e for e in events(brand_id) if e.idempotency_key == "design:the-sixth"]
    assert len(sixth) == 1
    assert (sixth[0].report_status, sixth[0].external_id) == ("reported", records[0]["id"])
    assert records[0]["key"] == sixth[0].id  # Shopify's idempotency key is the event's id


def test_charges_past_the_capped_amount_are_held_then_sent_when_the_cap_is_raised(
    client, shop, fake_shopify
):
    _answer, gid = _subscribe(client, shop, fake_shopify)
    brand_id = shop["brand_id"]
    for n in range(5 + 7):  # 7 beyond the plan at 15 cents against a 1.00 USD cap
        bill(brand_id, "designs", f"design:{n}")

    statuses = [e.report_status for e in events(brand_id) if e.overage]
    assert statuses == ["reported"] * 6 + ["held"]
    assert len(fake_shopify.billing.records_of(SHOP)) == 6
    page = client.get("/admin/api/billing", headers=shop["headers"]).get_json()
    assert page["heldCharges"] == 1

    # The merchant approves a higher cap: Shopify's webhook carries it; held charges go out.
    post_webhook(client, "app_subscriptions/update", fake_shopify.billing.raise_cap(gid, 500))

    assert [e.report_status for e in events(brand_id) if e.overage] == ["reported"] * 7
    assert len(fake_shopify.billing.records_of(SHOP)) == 7


def test_approaching_the_cap_is_shown_to_the_merchant(client, shop, fake_shopify):
    _answer, gid = _subscribe(client, shop, fake_shopify)
    body = fake_shopify.billing.webhook_body(gid)
    body["app_subscription"]["balance_used"] = "90.0"
    post = post_webhook(client, "app_subscriptions/approaching_capped_amount", body)
    assert post.status_code == 200
    page = client.get("/admin/api/billing", headers=shop["headers"]).get_json()
    assert page["account"]["approachingCap"]["balanceUsedCents"] == 9000


def test_a_forged_billing_webhook_is_rejected_and_nothing_is_written(client, shop, fake_shopify):
    body = {"app_subscription": {"admin_graphql_api_id": "gid://shopify/AppSubscription/9",
                                 "name": "Pro", "status": "ACTIVE"}}  # fmt: skip
    forged = post_webhook(client, "app_subscriptions/update", body, secret="not-the-secret")

    assert forged.status_code == 401
    assert _brand(shop["brand_id"]).plan == "free"
    assert db.session.scalars(select(WebhookEvent)).all() == []


def test_a_downgrade_is_explained_before_it_applies(client, shop, fake_shopify):
    _subscribe(client, shop, fake_shopify, plan="pro")
    for n in range(8):
        bill(shop["brand_id"], "designs", f"design:{n}")

    first = client.post("/admin/api/billing/subscribe", json={"plan": "growth"},
                        headers=shop["headers"])  # fmt: skip
    assert first.status_code == 409
    error = first.get_json()["error"]
    assert error["code"] == "downgrade_needs_confirmation"
    messages = " ".join(e["message"] for e in error["details"]["effects"])
    assert "8 ordered designs used this month; Growth includes 5" in messages
    assert "kept 90 days" not in messages  # retention 90 (default) fits growth's 180

    confirmed = client.post("/admin/api/billing/subscribe", json={"plan": "growth",
                            "confirm": True}, headers=shop["headers"])  # fmt: skip
    assert "confirmationUrl" in confirmed.get_json()


def test_free_to_growth_then_orders_beyond_the_plan_match_the_usage_records_exactly(
    app, client, shop, fake_shopify
):
    from tests.orders.helpers import make_design, mug, order_body

    _subscribe(client, shop, fake_shopify, plan="growth")
    brand = _brand(shop["brand_id"])
    product = mug(app, brand)
    designs = [make_design(product, f"Name {n}") for n in range(7)]
    draft = make_design(product, "Never ordered")
    orders = [
        order_body(7001, [{"design": designs[0].id}, {"design": designs[0].id}]),
        order_body(7002, [{"design": designs[1].id}, {"design": designs[2].id}]),
        order_body(7003, [{"design": designs[3].id}]),
        order_body(7004, [{"design": designs[4].id}, {"design": designs[5].id}]),
        order_body(7005, [{"design": designs[6].id}, {"design": designs[1].id}]),
    ]
    for body in orders:
        fake_shopify.orders.add(SHOP, body)
        assert post_webhook(client, "orders/create", body).status_code == 200
    assert post_webhook(client, "orders/create", orders[-1]).status_code == 200  # redelivered

    billed = events(shop["brand_id"], "designs")
    assert sorted(e.idempotency_key for e in billed) == sorted(f"design:{d.id}" for d in designs)
    assert f"design:{draft.id}" not in {e.idempotency_key for e in billed}
    beyond = [e for e in billed if e.overage]
    assert len(beyond) == 2 and {e.report_status for e in beyond} == {"reported"}
    records = fake_shopify.billing.records_of(SHOP)
    assert sorted(r["key"] for r in records) == sorted(e.id for e in beyond)
    assert sorted(r["id"] for r in records) == sorted(e.external_id for e in beyond)
    assert sum(r["cents"] for r in records) == 2 * 15


def test_uninstalling_ends_the_subscription_so_a_reinstall_starts_on_the_free_plan(
    client, shop, fake_shopify
):
    _subscribe(client, shop, fake_shopify)
    assert _brand(shop["brand_id"]).plan == "growth"

    gone = post_webhook(
        client, "app/uninstalled", {"id": fake_shopify.shop_id(SHOP), "domain": SHOP}
    )
    assert gone.status_code == 200

    assert _brand(shop["brand_id"]).plan == "free"
    account = db.session.scalar(select(BillingAccount).filter_by(brand_id=shop["brand_id"]))
    assert (account.status, account.subscription_id, account.usage_item_id) == (
        "cancelled",
        None,
        None,
    )


def test_raising_the_cap_from_the_plan_page_needs_approval_then_sends_the_held_charges(
    client, shop, fake_shopify
):
    _answer, gid = _subscribe(client, shop, fake_shopify)
    brand_id = shop["brand_id"]
    for n in range(5 + 8):  # 8 beyond the plan at 15 cents against a 1.00 USD cap
        bill(brand_id, "designs", f"design:{n}")
    assert [e.report_status for e in events(brand_id) if e.overage] == ["reported"] * 6 + [
        "held"
    ] * 2

    for bad in (100, 50, "5.00", True, None, 10**9):  # not above the cap, not cents, too high
        refused = client.post("/admin/api/billing/cap", json={"cappedAmountCents": bad},
                              headers=shop["headers"])  # fmt: skip
        assert refused.status_code == 422, bad
        assert "cappedAmountCents" in refused.get_json()["error"]["details"]
    assert "pendingCapCents" not in fake_shopify.billing.subscriptions[gid]

    asked = client.post("/admin/api/billing/cap", json={"cappedAmountCents": 500},
                        headers=shop["headers"])  # fmt: skip
    assert asked.status_code == 200, asked.get_json()
    assert "/confirm_update_capped_amount" in asked.get_json()["confirmationUrl"]
    page = client.get("/admin/api/billing", headers=shop["headers"]).get_json()
    assert (page["account"]["cappedAmountCents"], page["account"]["pendingCapCents"]) == (100, 500)
    assert page["heldCharges"] == 2  # nothing is sent before the merchant approves
    assert len(fake_shopify.billing.records_of(SHOP)) == 6

    approved = post_webhook(client, "app_subscriptions/update",
                            fake_shopify.billing.approve_cap(gid))  # fmt: skip
    assert approved.status_code == 200

    assert [e.report_status for e in events(brand_id) if e.overage] == ["reported"] * 8
    records = fake_shopify.billing.records_of(SHOP)
    assert len(records) == 8 and sum(r["cents"] for r in records) == 8 * 15
    page = client.get("/admin/api/billing", headers=shop["headers"]).get_json()
    assert (page["account"]["cappedAmountCents"], page["account"]["pendingCapCents"]) == (500, None)
    assert page["heldCharges"] == 0


def test_a_cap_cannot_be_raised_without_a_paid_plan(client, shop, fake_shopify):
    refused = client.post("/admin/api/billing/cap", json={"cappedAmountCents": 500},
                          headers=shop["headers"])  # fmt: skip
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "no_usage_charges"
