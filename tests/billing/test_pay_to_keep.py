"""Pay-to-keep storage: the designs a brand keeps past their retention are billed once a
month at the plan's price per GB-month, through the one metering path (one event per brand
and month, one usage charge at Shopify however often it is measured); a plan without
pay-to-keep keeps nothing past retention and bills nothing."""

from __future__ import annotations

from datetime import timedelta

from luneo_app.billing.plans import STORAGE_KIND
from luneo_app.billing.storage import amount_cents
from luneo_app.core.clock import utcnow
from luneo_app.designs.retention import meter_kept_designs, purge_expired_designs
from luneo_app.extensions import db
from luneo_app.files.storage import brand_prefix
from luneo_app.models import Brand, Design
from tests.billing.helpers import events
from tests.billing.test_shopify_billing import _subscribe, shop  # noqa: F401 - fixture
from tests.billing.test_stripe_billing import _account, brand  # noqa: F401 - fixture
from tests.billing.test_stripe_billing import _subscribe as _checkout
from tests.designs.test_retention import _design
from tests.orders.helpers import mug
from tests.shopify.helpers import SHOP
from tests.support.factories import make_brand

MB = 1_000_000


def _kept_design(app, product, text: str, days_old: int, size: int):  # type: ignore[no-untyped-def]
    """A finalized design, ``days_old`` days untouched, with a print file of ``size`` bytes."""
    now = utcnow()
    design_id, preview = _design(
        app, product, text, days_old, finalized_at=now - timedelta(days=days_old)
    )
    key = f"{brand_prefix(product.brand_id)}designs/{design_id}/print.png"
    app.extensions["luneo.storage"].put(key, b"\0" * size, "image/png")
    return design_id, len(b"RIFF-preview-" + text.encode()) + size


def test_a_month_of_kept_designs_is_one_charge_at_the_plans_price(app, client, shop, fake_shopify):  # noqa: F811
    _subscribe(client, shop, fake_shopify, plan="growth")  # 0.10 USD per GB-month
    merchant = db.session.get(Brand, shop["brand_id"])
    merchant.settings = {**(merchant.settings or {}), "keepDesigns": True}
    db.session.commit()
    product = mug(app, merchant)
    old_a, size_a = _kept_design(app, product, "old a", 120, 6 * MB)
    old_b, size_b = _kept_design(app, product, "old b", 95, 4 * MB)
    _kept_design(app, product, "recent", 2, 50 * MB)  # within retention: not billed
    now = utcnow()

    assert meter_kept_designs(now) == 1
    assert purge_expired_designs(now).designs == 0  # kept, since the merchant pays for it

    [kept] = events(merchant.id, STORAGE_KIND)
    assert kept.idempotency_key == f"keep:{now:%Y-%m}"
    assert kept.details["designs"] == 2 and kept.details["bytes"] == size_a + size_b
    assert (kept.overage, kept.unit_price_cents, kept.report_status) == (True, 1, "reported")
    [record] = fake_shopify.billing.records_of(SHOP)
    assert record["cents"] == 1 and record["key"] == kept.id
    assert record["description"].startswith("Designs kept past retention")
    assert "2 designs, 0.01 GB" in record["description"]

    # Measured again this month: the same event, no second charge.
    assert meter_kept_designs(now + timedelta(days=3)) == 0
    assert len(events(merchant.id, STORAGE_KIND)) == 1
    assert len(fake_shopify.billing.records_of(SHOP)) == 1

    # Next month is a new charge.
    later = now.replace(day=1) + timedelta(days=32)
    assert meter_kept_designs(later) == 1
    assert [e.period for e in events(merchant.id, STORAGE_KIND)] == [
        f"{now:%Y-%m}",
        f"{later:%Y-%m}",
    ]
    assert len(fake_shopify.billing.records_of(SHOP)) == 2


def test_a_stripe_brand_gets_one_meter_event_carrying_the_months_amount(
    app,
    client,
    brand,  # noqa: F811
    fake_stripe,
):
    _checkout(client, brand, fake_stripe, plan="pro")  # 0.08 USD per GB-month
    row = db.session.get(Brand, brand["id"])
    row.settings = {**(row.settings or {}), "keepDesigns": True}
    db.session.commit()
    _kept_design(app, brand["product"], "old", 200, 30 * MB)

    assert meter_kept_designs() == 1
    assert meter_kept_designs() == 0

    [kept] = events(brand["id"], STORAGE_KIND)
    assert (kept.report_status, kept.unit_price_cents) == ("reported", 1)
    assert list(fake_stripe.meter_events) == [kept.id]
    sent = fake_stripe.meter_events[kept.id]
    assert sent["event_name"] == "luneo_kept_storage_cents"
    assert sent["payload"] == {
        "stripe_customer_id": _account(brand["id"]).customer_id,
        "value": "1",  # cents: the keptStorage price is 1 cent per unit
    }


def test_a_plan_without_pay_to_keep_keeps_nothing_past_retention_and_bills_nothing(app):
    free_brand = make_brand(name="Free Mugs", plan="free", settings={"keepDesigns": True})
    design_id, _size = _kept_design(app, mug(app, free_brand), "old", 120, MB)

    assert meter_kept_designs() == 0
    assert events(free_brand.id, STORAGE_KIND) == []
    assert purge_expired_designs().designs == 1
    db.session.expire_all()
    assert db.session.get(Design, design_id) is None


def test_the_month_is_priced_per_gb_and_rounded_up_to_the_cent():
    assert amount_cents(2_500_000_000, 10) == 25
    assert amount_cents(1, 10) == 1
    assert amount_cents(0, 10) == 0
    assert amount_cents(1_000_000_000, 8) == 8
