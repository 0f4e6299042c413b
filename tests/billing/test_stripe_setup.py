"""``flask luneo stripe-setup`` against the fake Stripe: the plans file becomes products,
prices (by lookup key) and Billing Meters; a second run changes nothing; a new price in the
plans file replaces the old one under the same lookup key, and Checkout uses it."""

from __future__ import annotations

import copy
import json

from luneo_app.billing import stripe_billing
from luneo_app.billing.plans import plan_named
from tests.billing.conftest import PLANS


def _run(app) -> str:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["luneo", "stripe-setup"])
    assert result.exit_code == 0, result.output
    return result.output


def _price(fake, lookup_key: str) -> dict:  # type: ignore[no-untyped-def]
    (price,) = [p for p in fake.prices.values() if p["lookup_key"] == lookup_key]
    return price


def test_stripe_setup_builds_the_catalogue_from_the_plans_file_once(app, fake_stripe):
    fake_stripe.prices.clear()  # a new Stripe account

    first = _run(app)

    meters = {m["event_name"]: m for m in fake_stripe.meters.values()}
    assert set(meters) == {
        "luneo_ordered_designs",
        "luneo_ai_images",
        "luneo_3d_bakes",
        "luneo_kept_storage_cents",
    }
    designs_meter = meters["luneo_ordered_designs"]
    assert designs_meter["default_aggregation"] == {"formula": "sum"}
    assert designs_meter["customer_mapping"]["event_payload_key"] == "stripe_customer_id"
    assert designs_meter["value_settings"] == {"event_payload_key": "value"}
    products = {p["metadata"]["luneo_plan"]: p for p in fake_stripe.products.values()}
    assert {k: p["name"] for k, p in products.items()} == {
        "growth": "Luneo Growth",
        "pro": "Luneo Pro",
    }  # the free plan charges nothing: no product
    monthly = _price(fake_stripe, "luneo_growth_monthly")
    assert (monthly["unit_amount"], monthly["currency"], monthly["product"]) == (
        2900,
        "usd",
        products["growth"]["id"],
    )
    assert monthly["recurring"]["interval"] == "month"
    overage = _price(fake_stripe, "luneo_pro_designs")
    assert overage["unit_amount"] == 10
    assert overage["recurring"]["usage_type"] == "metered"
    assert overage["recurring"]["meter"] == designs_meter["id"]
    kept = _price(fake_stripe, "luneo_growth_keptStorage")  # pay-to-keep, in cents
    assert (kept["unit_amount"], kept["recurring"]["meter"]) == (
        1,
        meters["luneo_kept_storage_cents"]["id"],
    )
    assert len(fake_stripe.prices) == 2 * 5  # monthly + 3 metered + kept storage, per plan
    assert "created  price   luneo_growth_aiImages" in first
    assert first.strip().endswith("16 change(s), 0 already up to date")

    before = (copy.deepcopy(fake_stripe.prices), copy.deepcopy(fake_stripe.products))
    again = _run(app)
    assert (fake_stripe.prices, fake_stripe.products) == before
    assert len(fake_stripe.meters) == 4
    assert again.strip().endswith("0 change(s), 16 already up to date")

    # Checkout finds exactly these prices.
    items = stripe_billing.prices_for(plan_named("growth"))
    assert items[0] == {"price": monthly["id"], "quantity": 1}
    assert {i["price"] for i in items[1:]} == {
        _price(fake_stripe, f"luneo_growth_{m}")["id"]
        for m in ("designs", "aiImages", "bakes3d", "keptStorage")
    }


def test_a_new_price_in_the_plans_file_replaces_the_old_one_under_its_lookup_key(
    app, fake_stripe, tmp_path
):
    fake_stripe.prices.clear()
    _run(app)
    old = _price(fake_stripe, "luneo_growth_monthly")

    raised = copy.deepcopy(PLANS)
    next(p for p in raised["plans"] if p["key"] == "growth")["priceCents"] = 3900
    changed = tmp_path / "plans.json"
    changed.write_text(json.dumps(raised))
    app.config["BILLING_PLANS_FILE"] = str(changed)

    output = _run(app)

    new = _price(fake_stripe, "luneo_growth_monthly")
    assert new["id"] != old["id"] and new["unit_amount"] == 3900
    assert (
        fake_stripe.prices[old["id"]]["active"],
        fake_stripe.prices[old["id"]]["lookup_key"],
    ) == (
        False,
        None,
    )
    assert f"replaced price   luneo_growth_monthly ({new['id']})" in output
    assert output.strip().endswith("1 change(s), 15 already up to date")
    assert stripe_billing.prices_for(plan_named("growth"))[0]["price"] == new["id"]
