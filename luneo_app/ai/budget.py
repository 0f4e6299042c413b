"""Monthly AI budgets: what a brand spent, the 402 gate, and the 75 % / 100 % alerts."""

from __future__ import annotations

import math
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..core.clock import utcnow
from ..core.errors import PaymentRequired
from ..extensions import db
from ..models import Brand, BudgetAlert, UsageRecord

THRESHOLDS = (75, 100)  # percent of the monthly budget that raise an alert, once a month each


def month_of(when: datetime | None = None) -> str:
    """``YYYY-MM`` of ``when`` (now by default), the unit budgets are counted in."""
    return (when or utcnow()).strftime("%Y-%m")


def budget_cents(brand: Brand) -> int | None:
    """The brand's monthly AI budget, else the deployment default (None = no cap), plus a
    raise support made for this month (``settings.ai_budget_extra``: month and cents)."""
    if brand.monthly_ai_budget_cents is not None:
        base = int(brand.monthly_ai_budget_cents)
    else:
        base = current_app.config.get("AI_DEFAULT_MONTHLY_BUDGET_CENTS")
    if base is None:
        return None
    extra = (brand.settings or {}).get("ai_budget_extra")
    if isinstance(extra, dict) and extra.get("month") == month_of():
        base += int(extra.get("cents") or 0)
    return base


def spent_cents(brand_id: str, month: str | None = None) -> int:
    """What the brand's usage records cost in ``month`` (this month by default)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(UsageRecord.cost_cents), 0)).where(
            UsageRecord.brand_id == brand_id, UsageRecord.month == (month or month_of())
        )
    )
    return int(total or 0)


def exhausted(brand: Brand) -> bool:
    """True when this month's spending has reached the budget."""
    budget = budget_cents(brand)
    return budget is not None and spent_cents(brand.id) >= budget


def require_budget(brand: Brand) -> None:
    """Raise 402 when the brand's AI budget for this month is used up.

    Only new AI generations are stopped: text and photo designs keep working.
    """
    if exhausted(brand):
        raise PaymentRequired(
            "This shop's AI artwork allowance for this month is used up. Text and photo "
            "designs are still available; AI artwork will be back next month.",
            code="ai_budget_exhausted",
            details={"budgetCents": budget_cents(brand), "month": month_of()},
        )


def record_alerts(brand: Brand, month: str | None = None) -> list[BudgetAlert]:
    """Add an alert for every threshold the month's spending has reached and that has no
    alert yet. The unique (brand, month, threshold) makes each alert happen exactly once,
    even when two workers cross the line together. The caller commits."""
    budget = budget_cents(brand)
    if not budget or budget <= 0:
        return []
    month = month or month_of()
    spent = spent_cents(brand.id, month)
    existing = set(
        db.session.scalars(
            select(BudgetAlert.threshold_percent).where(
                BudgetAlert.brand_id == brand.id, BudgetAlert.month == month
            )
        )
    )
    added = []
    for threshold in THRESHOLDS:
        if threshold in existing or spent < math.ceil(budget * threshold / 100):
            continue
        alert = BudgetAlert(
            brand_id=brand.id,
            month=month,
            threshold_percent=threshold,
            spent_cents=spent,
            budget_cents=budget,
            created_at=utcnow(),
        )
        try:
            with db.session.begin_nested():
                db.session.add(alert)
        except IntegrityError:
            continue  # another worker recorded it first
        added.append(alert)
    return added
