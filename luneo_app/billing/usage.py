"""Usage against the plan, for a brand: what the admin, the console, the API, support and
enforcement all read (one answer, one place). Also the 75 % / 100 % plan alerts."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..core.clock import as_utc, utcnow
from ..extensions import db
from ..models import BillableEvent, BillingAccount, Brand, PlanAlert
from .metering import period_of
from .plans import METRIC_LABELS, METRICS, Plan, plan_named

log = logging.getLogger("luneo.billing")

THRESHOLDS = (75, 100)  # percent of an allowance that raise an alert, once a month each


@dataclass(frozen=True)
class MetricUsage:
    """One allowance this month: used, included (None: unlimited), beyond it."""

    metric: str
    label: str
    used: int
    included: int | None
    overage_allowed: bool
    unit_price_cents: int

    @property
    def percent(self) -> int | None:
        """Share of the allowance used (None when unlimited; 100+ when at or over)."""
        if self.included is None:
            return None
        if self.included == 0:
            return 100 if self.used else 0
        return math.floor(self.used * 100 / self.included)

    @property
    def over(self) -> int:
        """Units beyond the allowance."""
        return 0 if self.included is None else max(0, self.used - self.included)

    @property
    def exhausted(self) -> bool:
        """No allowance left."""
        return self.included is not None and self.used >= self.included

    def as_json(self) -> dict:
        return {
            "metric": self.metric,
            "label": self.label,
            "used": self.used,
            "included": self.included,
            "percent": self.percent,
            "over": self.over,
            "overageAllowed": self.overage_allowed,
            "overageCentsPerUnit": self.unit_price_cents,
            "overageCents": self.over * self.unit_price_cents if self.overage_allowed else 0,
        }


@dataclass(frozen=True)
class PlanUsage:
    """A brand's plan and this month's use of it (support console badges read this)."""

    brand_id: str
    plan: Plan
    period: str
    metrics: tuple[MetricUsage, ...]
    billing_status: str
    payment_overdue: bool

    def metric(self, name: str) -> MetricUsage:
        return next(m for m in self.metrics if m.metric == name)

    @property
    def over_plan(self) -> bool:
        """True when an allowance without overage is used up (new work of that kind stops)."""
        return any(m.exhausted and not m.overage_allowed for m in self.metrics)

    @property
    def badge(self) -> str:
        """``ok`` | ``near_limit`` (75 %+) | ``over_plan`` | ``payment_overdue``."""
        if self.payment_overdue:
            return "payment_overdue"
        if self.over_plan:
            return "over_plan"
        if any((m.percent or 0) >= 75 for m in self.metrics):
            return "near_limit"
        return "ok"

    def as_json(self) -> dict:
        return {
            "brandId": self.brand_id,
            "plan": self.plan.as_json(),
            "period": self.period,
            "metrics": [m.as_json() for m in self.metrics],
            "billingStatus": self.billing_status,
            "paymentOverdue": self.payment_overdue,
            "overPlan": self.over_plan,
            "badge": self.badge,
        }


def counts(brand_id: str, period: str) -> dict[str, int]:
    """Billable events per kind in ``period``."""
    rows = db.session.execute(
        select(BillableEvent.kind, func.count())
        .where(BillableEvent.brand_id == brand_id, BillableEvent.period == period)
        .group_by(BillableEvent.kind)
    ).all()
    return {kind: int(n) for kind, n in rows}


def usage_for(brand: Brand, period: str | None = None) -> PlanUsage:
    """The brand's plan and its use this month (or ``period``)."""
    plan = plan_named(brand.plan)
    period = period or period_of()
    used = counts(brand.id, period)
    account = db.session.scalar(select(BillingAccount).where(BillingAccount.brand_id == brand.id))
    now = utcnow()
    overdue = bool(
        account is not None
        and account.grace_until is not None
        and as_utc(account.grace_until) <= now
    )
    metrics = tuple(
        MetricUsage(
            metric=m,
            label=METRIC_LABELS[m],
            used=used.get(m, 0),
            included=plan.included(m),
            overage_allowed=plan.overage_allowed(m),
            unit_price_cents=plan.overage_cents.get(m, 0),
        )
        for m in METRICS
    )
    return PlanUsage(
        brand_id=brand.id,
        plan=plan,
        period=period,
        metrics=metrics,
        billing_status=account.status if account is not None else "none",
        payment_overdue=overdue,
    )


def record_alerts(brand: Brand, period: str | None = None) -> list[PlanAlert]:
    """Add an alert for each allowance that reached 75 % or 100 % this month and has none
    yet; the unique (brand, period, metric, threshold) makes each happen once even when two
    workers cross the line together. The caller commits."""
    usage = usage_for(brand, period)
    existing = {
        (metric, threshold)
        for metric, threshold in db.session.execute(
            select(PlanAlert.metric, PlanAlert.threshold_percent).where(
                PlanAlert.brand_id == brand.id, PlanAlert.period == usage.period
            )
        ).all()
    }
    added = []
    for m in usage.metrics:
        if not m.included:
            continue
        for threshold in THRESHOLDS:
            if (m.metric, threshold) in existing or m.used < math.ceil(
                m.included * threshold / 100
            ):
                continue
            alert = PlanAlert(
                brand_id=brand.id,
                period=usage.period,
                metric=m.metric,
                threshold_percent=threshold,
                used=m.used,
                included=m.included,
                created_at=utcnow(),
            )
            try:
                with db.session.begin_nested():
                    db.session.add(alert)
            except IntegrityError:
                continue
            added.append(alert)
            log.info(
                "plan alert",
                extra={"brand_id": brand.id, "metric": m.metric, "threshold": threshold},
            )
    return added


def alerts_of(brand_id: str, period: str | None = None) -> list[PlanAlert]:
    """This month's plan alerts of a brand, newest first."""
    return list(
        db.session.scalars(
            select(PlanAlert)
            .where(PlanAlert.brand_id == brand_id, PlanAlert.period == (period or period_of()))
            .order_by(PlanAlert.created_at.desc())
        )
    )
