"""The installs list's plan badges (payment overdue / over plan / near limit) and the
over-budget badge are SQL over grouped joins, and agree with billing's own answer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from luneo_app.billing import usage_for
from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.models import BillableEvent, BillingAccount, Brand, UsageRecord
from luneo_app.support import search
from luneo_app.support.health import badges_of
from tests.staff.helpers import make_staff, sign_in
from tests.support.factories import make_brand

ADMIN = "ada@luneo.example"


def _use(brand: Brand, kind: str, count: int, months_ago: int = 0) -> None:
    when = utcnow() - timedelta(days=32 * months_ago)
    for n in range(count):
        db.session.add(
            BillableEvent(
                brand_id=brand.id,
                kind=kind,
                idempotency_key=f"{kind}:{months_ago}:{n}",
                period=when.strftime("%Y-%m"),
                occurred_at=when,
            )
        )


def _brands() -> dict[str, Brand]:
    made = {
        "near": make_brand("Near", plan="free"),  # 19 of 25 designs: 76 %
        "over": make_brand("Over", plan="free"),  # 25 of 25, no overage
        "overage": make_brand("Overage", plan="growth"),  # all used, overage pays: near
        "named": make_brand("Named", plan="Pro"),  # a display name, nothing used
        "overdue": make_brand("Overdue", plan="free"),
        "unknown": make_brand("Unknown", plan="legacy-x"),  # reads as free: 20 AI images
        "last_month": make_brand("LastMonth", plan="free"),
        "budget": make_brand("Budget", plan="pro", monthly_ai_budget_cents=500),
    }
    _use(made["near"], "designs", 19)
    _use(made["over"], "designs", 25)
    _use(made["overage"], "designs", 250)
    _use(made["overdue"], "designs", 1)
    _use(made["unknown"], "aiImages", 20)
    _use(made["last_month"], "designs", 30, months_ago=1)
    db.session.add(
        BillingAccount(
            brand_id=made["overdue"].id, provider="stripe", grace_until=utcnow() - timedelta(days=1)
        )
    )
    for cents in (300, 250):
        db.session.add(
            UsageRecord(
                brand_id=made["budget"].id,
                kind="ai_image",
                provider="openai",
                units=1,
                cost_cents=cents,
                month=utcnow().strftime("%Y-%m"),
                occurred_at=utcnow(),
            )
        )
    db.session.commit()
    return made


def test_plan_badges_in_sql_agree_with_billing_and_filter_the_list(app, client):
    made = _brands()
    expected = {
        "near": "near_limit",
        "over": "over_plan",
        "overage": "near_limit",
        "named": "ok",
        "overdue": "payment_overdue",
        "unknown": "over_plan",
        "last_month": "ok",
        "budget": "ok",
    }
    assert {k: usage_for(b).badge for k, b in made.items()} == expected  # billing's answer

    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        rows = search.installs().rows
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 3  # the count, the page's ids, its rows with every badge
    plan_badges = {"payment_overdue", "over_plan", "near_limit"}
    by_id = {k: b.id for k, b in made.items()}
    shown = {}
    for row in rows:
        names = {badge.name for badge in badges_of(row)}
        shown[row[0].id] = names
    for key, brand_id in by_id.items():
        plan = shown[brand_id] & plan_badges
        assert plan == ({expected[key]} if expected[key] != "ok" else set()), key
    assert "over_budget" in shown[by_id["budget"]]
    assert not any("over_budget" in shown[by_id[k]] for k in by_id if k != "budget")

    secret = make_staff(ADMIN, "admin")
    sign_in(client, ADMIN, secret)
    page = client.get("/support?health=over_plan").get_data(as_text=True)
    assert "Over plan" in page
    listed = {k for k, b in made.items() if b.id in page}
    assert listed == {"over", "unknown"}
    page = client.get("/support?health=near_limit").get_data(as_text=True)
    assert {k for k, b in made.items() if b.id in page} == {"near", "overage"}
    page = client.get("/support?health=payment_overdue").get_data(as_text=True)
    assert {k for k, b in made.items() if b.id in page} == {"overdue"}
    page = client.get("/support?health=over_budget").get_data(as_text=True)
    assert {k for k, b in made.items() if b.id in page} == {"budget"}


def test_the_install_page_shows_the_plan_badge_and_this_months_use(app, client):
    made = _brands()
    secret = make_staff(ADMIN, "admin")
    sign_in(client, ADMIN, secret)
    page = client.get(f"/support/brands/{made['over'].id}").get_data(as_text=True)
    assert 'id="plan-badge">Over plan<' in page and "Ordered designs 25 of 25" in page
    page = client.get(f"/support/brands/{made['named'].id}").get_data(as_text=True)
    assert 'id="plan-badge"' not in page and "Pro" in page


def test_a_filtered_page_past_the_end_shows_the_last_page(app, client):
    made = _brands()
    past = search.installs(badge="over_plan", page=99)
    assert (past.total, past.page, past.pages) == (2, 1, 1)
    assert {row[0].id for row in past.rows} == {made["over"].id, made["unknown"].id}
    assert search.installs(badge="payment_overdue", q="no such brand").total == 0
