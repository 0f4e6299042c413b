"""Revenue and usage per brand for Luneo's staff (JSON and CSV), one month at a time."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass

from sqlalchemy import case, func, select

from ..extensions import db
from ..models import BillableEvent, BillingAccount, Brand
from .plans import METRICS, plan_named


@dataclass(frozen=True)
class BrandRevenue:
    """One brand's month: plan, subscription price, usage and charged overage."""

    brand_id: str
    brand_name: str
    kind: str
    plan: str
    provider: str
    billing_status: str
    subscription_cents: int
    designs: int
    ai_images: int
    bakes_3d: int
    overage_units: int
    overage_cents: int
    held_cents: int


def revenue(period: str) -> list[BrandRevenue]:
    """Every brand with a plan price or billable events in ``period``."""
    per_kind = {kind: func.sum(case((BillableEvent.kind == kind, 1), else_=0)) for kind in METRICS}
    charged = case((BillableEvent.report_status == "reported", BillableEvent.unit_price_cents))
    held = case((BillableEvent.report_status == "held", BillableEvent.unit_price_cents))
    events = (
        select(
            BillableEvent.brand_id,
            *[per_kind[k].label(k) for k in METRICS],
            func.sum(case((BillableEvent.overage.is_(True), 1), else_=0)).label("over"),
            func.coalesce(func.sum(charged), 0).label("charged"),
            func.coalesce(func.sum(held), 0).label("held"),
        )
        .where(BillableEvent.period == period)
        .group_by(BillableEvent.brand_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Brand, BillingAccount, events)
        .outerjoin(BillingAccount, BillingAccount.brand_id == Brand.id)
        .outerjoin(events, events.c.brand_id == Brand.id)
        .order_by(Brand.name)
    ).all()
    out = []
    for row in rows:
        brand, account = row[0], row[1]
        plan = plan_named(brand.plan)
        paying = account is not None and account.status in ("active", "trialing", "past_due")
        used = {k: int(getattr(row, k) or 0) for k in METRICS}
        if not paying and not any(used.values()):
            continue
        out.append(
            BrandRevenue(
                brand_id=brand.id,
                brand_name=brand.name,
                kind=brand.kind,
                plan=plan.key,
                provider=account.provider if account else "",
                billing_status=account.status if account else "none",
                subscription_cents=plan.price_cents if paying else 0,
                designs=used["designs"],
                ai_images=used["aiImages"],
                bakes_3d=used["bakes3d"],
                overage_units=int(row.over or 0),
                overage_cents=int(row.charged or 0),
                held_cents=int(row.held or 0),
            )
        )
    return out


def as_json(period: str) -> dict:
    """The month's revenue report: totals and one entry per brand."""
    rows = revenue(period)
    return {
        "period": period,
        "totals": {
            "subscriptionCents": sum(r.subscription_cents for r in rows),
            "overageCents": sum(r.overage_cents for r in rows),
            "heldCents": sum(r.held_cents for r in rows),
            "brands": len(rows),
        },
        "brands": [
            {
                "brandId": r.brand_id,
                "brandName": r.brand_name,
                "kind": r.kind,
                "plan": r.plan,
                "provider": r.provider,
                "billingStatus": r.billing_status,
                "subscriptionCents": r.subscription_cents,
                "usage": {"designs": r.designs, "aiImages": r.ai_images, "bakes3d": r.bakes_3d},
                "overageUnits": r.overage_units,
                "overageCents": r.overage_cents,
                "heldCents": r.held_cents,
            }
            for r in rows
        ],
    }


def as_csv(period: str) -> str:
    """The same report as CSV, one line per brand (cells that could be formulas escaped)."""
    out = io.StringIO()
    rows = revenue(period)
    fields = list(BrandRevenue.__dataclass_fields__)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", *fields])
    for r in rows:
        values = asdict(r)
        name = values["brand_name"]
        if name[:1] in ("=", "+", "-", "@", "\t", "\r"):
            values["brand_name"] = "'" + name
        writer.writerow([period, *(values[f] for f in fields)])
    return out.getvalue()
