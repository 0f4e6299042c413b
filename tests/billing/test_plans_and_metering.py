"""Plans in one data file, one metering path with idempotency keys, usage against the plan,
alerts at 75 % / 100 %, retention decided by the plan."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from connectors.base import LineItem, OrderInfo
from luneo_app.billing import usage_for
from luneo_app.billing.plans import METRICS, PLANS_FILE, choosable_plan, plan_named
from luneo_app.billing.retention import retention_of
from luneo_app.core.errors import NotFound
from luneo_app.extensions import db
from luneo_app.models import PlanAlert
from luneo_app.orders.intake import sync_order
from luneo_app.orders.retention import retention_days
from tests.billing.helpers import bill, concurrently, count_events, events
from tests.orders.helpers import make_design, mug
from tests.support.factories import make_brand


def test_the_shipped_plans_file_names_every_allowance_of_every_plan():
    raw = json.loads(PLANS_FILE.read_text())
    keys = [p["key"] for p in raw["plans"]]
    assert raw["default"] in keys and len(set(keys)) == len(keys)
    public = [p for p in raw["plans"] if p.get("public", True)]
    assert [p["key"] for p in public] == ["free", "growth", "pro"]
    assert [p["priceCents"] for p in public] == sorted(p["priceCents"] for p in public)
    for plan in raw["plans"]:
        assert set(plan["includes"]) == {*METRICS, "productionFiles", "seats"}, plan["key"]
        assert set(plan["overage"] or {}) <= set(METRICS)
        assert plan["retentionDays"] >= 1
        if plan["overage"]:  # a plan that charges usage has a cap Shopify can enforce
            assert plan["usageCapCents"] > 0 and plan["priceCents"] > 0
    assert set(raw["stripeMeters"]) == {*METRICS, "keptStorage"}  # + pay-to-keep storage


def test_an_unknown_plan_reads_as_the_default_and_cannot_be_chosen(app):
    assert plan_named("platinum").key == "free"
    assert plan_named("Growth").key == "growth"  # Shopify subscriptions carry the name
    with pytest.raises(NotFound) as refused:
        choosable_plan("platinum")
    assert refused.value.code == "plan_not_found"
    assert "free, growth, pro" in refused.value.message


def test_one_billable_event_from_100_concurrent_duplicate_deliveries_is_one_row(app):
    brand = make_brand()
    brand_id = brand.id
    results: list[bool] = []

    errors = concurrently(app, 100, lambda: results.append(bill(brand_id, "designs", "design:x")))

    assert errors == []
    assert results.count(True) == 1 and len(results) == 100
    assert count_events(brand_id) == 1


def test_placed_orders_bill_each_design_once_and_drafts_never(app):
    brand = make_brand()
    product = mug(app, brand)
    first, second, draft = (
        make_design(product),
        make_design(product, "Sam"),
        make_design(product, "Draft only"),
    )

    def line(n: int, design_id: str) -> LineItem:
        return LineItem(f"l{n}", n, "Mug", 1, (("_luneo_design_id", design_id),))

    sync_order(brand, "api", OrderInfo("o1", "#1", "open", (line(1, first.id), line(2, first.id))))
    sync_order(brand, "api", OrderInfo("o1", "#1", "open", (line(1, first.id),)))  # redelivery
    sync_order(brand, "api", OrderInfo("o2", "#2", "open", (line(1, first.id), line(2, second.id))))

    billed = events(brand.id, "designs")
    assert sorted(e.idempotency_key for e in billed) == sorted(
        [f"design:{first.id}", f"design:{second.id}"]
    )
    assert f"design:{draft.id}" not in {e.idempotency_key for e in billed}
    assert {e.report_status for e in billed} == {"included"}  # within the free plan


def test_usage_against_the_plan_and_alerts_at_75_and_100_percent_once(app):
    brand = make_brand(plan="growth")  # 5 designs included
    for n in range(3):
        bill(brand.id, "designs", f"design:{n}")
    usage = usage_for(brand)
    assert usage.metric("designs").as_json()["percent"] == 60
    assert usage.badge == "ok"
    assert db.session.scalars(select(PlanAlert)).all() == []

    bill(brand.id, "designs", "design:3")
    assert usage_for(brand).badge == "near_limit"
    bill(brand.id, "designs", "design:4")
    bill(brand.id, "designs", "design:5")  # beyond: charged (growth allows overage)

    db.session.expire_all()
    alerts = db.session.scalars(select(PlanAlert).order_by(PlanAlert.threshold_percent)).all()
    assert [(a.metric, a.threshold_percent, a.used) for a in alerts] == [
        ("designs", 75, 4),
        ("designs", 100, 5),
    ]
    usage = usage_for(brand)
    assert (usage.metric("designs").used, usage.metric("designs").over) == (6, 1)
    assert usage.over_plan is False  # overage is allowed on growth: nothing is refused
    assert usage.as_json()["metrics"][0]["overageCents"] == 15


def test_the_plan_sets_the_longest_retention_and_the_brand_chooses_within_it(app):
    brand = make_brand(plan="free", settings={"retentionDays": 365})
    assert retention_days(brand) == 30
    assert retention_of(brand).limited_by_plan is True
    brand.plan = "growth"
    assert retention_days(brand) == 180
    brand.settings = {"retentionDays": 14}
    assert retention_days(brand) == 14
    assert retention_of(brand).limited_by_plan is False


def test_an_event_whose_report_job_was_lost_is_reported_by_the_scheduled_sweep(app):
    """The schedule runs the billing sweep; an event left pending (its job lost with a
    broker outage) is reported by it, once."""
    from datetime import timedelta

    from luneo_app.billing.tasks import sweep_task
    from luneo_app.core.clock import utcnow
    from luneo_app.jobs import schedule
    from luneo_app.models import BillableEvent

    assert "luneo.billing.sweep" in {entry.task for entry in schedule.entries(app.config)}
    brand_id = make_brand().id
    bill(brand_id, "designs", "design:lost")
    event = events(brand_id, "designs")[0]
    event.report_status = "pending"
    event.occurred_at = utcnow() - timedelta(minutes=10)
    db.session.commit()

    assert sweep_task.run() == 1

    db.session.expire_all()
    assert db.session.get(BillableEvent, event.id).report_status == "included"
    assert sweep_task.run() == 0  # nothing left pending
