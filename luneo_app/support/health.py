"""Health badges of installs, each one SQL condition so the list's badges and its filters
agree and the database does the work (10,000 installs stay fast).

A badge is a :class:`Badge` in :data:`BADGES`: add one by appending its condition; the
list, the filters and the install page pick it up. Conditions read ``Brand``, its
``ShopInstall`` and ``BillingAccount`` and this month's per-brand aggregates
(:class:`Sources`: AI spend and billable events, each one grouped subquery outer-joined once
by :func:`joined`), never a query per brand. The plan badges (payment overdue / over plan /
near limit) are ``billing.usage_for(brand).badge`` written in SQL, the plans' allowances
coming from ``plans.json`` as ``CASE`` expressions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Integer, Select, and_, case, exists, false, func, literal, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from ..ai.budget import month_of
from ..billing.metering import period_of
from ..billing.plans import METRICS, catalog
from ..models import (
    BillableEvent,
    BillingAccount,
    Brand,
    CommerceConnection,
    RenderJob,
    ShopInstall,
    TokenRefreshAttempt,
    UsageRecord,
    WebhookEvent,
)

# A failed webhook delivery or render job counts against health for this long.
WEBHOOK_WINDOW = timedelta(days=7)
JOB_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Sources:
    """What badge conditions read at time ``now`` besides the joined rows: this month's AI
    spend and billable events per brand, as grouped subqueries (see :func:`sources`)."""

    now: datetime
    ai_spend: Subquery  # brand_id, cents
    plan_use: Subquery  # brand_id, one count column per billing metric


def sources(now: datetime, brand_ids: list[str] | None = None) -> Sources:
    """The per-brand aggregates of the month of ``now``, to join with :func:`joined`; with
    ``brand_ids`` (a page of the list) only those brands' rows are aggregated."""
    only_spend = [UsageRecord.brand_id.in_(brand_ids)] if brand_ids is not None else []
    only_use = [BillableEvent.brand_id.in_(brand_ids)] if brand_ids is not None else []
    spend = (
        select(
            UsageRecord.brand_id.label("brand_id"),
            func.sum(UsageRecord.cost_cents).cast(Integer).label("cents"),
        )
        .where(UsageRecord.month == month_of(now), *only_spend)
        .group_by(UsageRecord.brand_id)
        .subquery("ai_spend")
    )
    use = (
        select(
            BillableEvent.brand_id.label("brand_id"),
            *[
                func.count().filter(BillableEvent.kind == metric).label(metric)
                for metric in METRICS
            ],
        )
        .where(BillableEvent.period == period_of(now), *only_use)
        .group_by(BillableEvent.brand_id)
        .subquery("plan_use")
    )
    return Sources(now, spend, use)


def joined(src: Sources, *columns: Any) -> Select[Any]:
    """``select(*columns)`` from brands outer-joined to their install, billing account and
    the month's aggregates (PostgreSQL drops the joins a query does not read)."""
    return (
        select(*columns)
        .select_from(Brand)
        .outerjoin(ShopInstall, ShopInstall.brand_id == Brand.id)
        .outerjoin(BillingAccount, BillingAccount.brand_id == Brand.id)
        .outerjoin(src.ai_spend, src.ai_spend.c.brand_id == Brand.id)
        .outerjoin(src.plan_use, src.plan_use.c.brand_id == Brand.id)
    )


@dataclass(frozen=True)
class Badge:
    """One health state: its filter name, label, tone (admin.css ``badge--<tone>``) and the
    SQL condition over the rows of :func:`joined` with :class:`Sources`."""

    name: str
    label: str
    tone: str
    condition: Callable[[Sources], ColumnElement[bool]]


def installed() -> ColumnElement[bool]:
    return and_(ShopInstall.id.is_not(None), ShopInstall.uninstalled_at.is_(None))


def latest_refresh_ok() -> Any:
    """The outcome of the install's latest token refresh attempt (NULL when none)."""
    return (
        select(TokenRefreshAttempt.ok)
        .where(TokenRefreshAttempt.install_id == ShopInstall.id)
        .order_by(TokenRefreshAttempt.attempted_at.desc())
        .limit(1)
        .scalar_subquery()
    )


def budget_cents() -> Any:
    """This month's AI budget: the brand's, else the deployment default, plus a raise made
    for this month by support (``settings.ai_budget_extra``)."""
    default = current_app.config.get("AI_DEFAULT_MONTHLY_BUDGET_CENTS")
    base = (
        func.coalesce(Brand.monthly_ai_budget_cents, literal(int(default)))
        if default is not None
        else Brand.monthly_ai_budget_cents
    )
    extra = Brand.settings["ai_budget_extra"]
    raise_ = case((extra["month"].as_string() == month_of(), extra["cents"].as_integer()), else_=0)
    return base + func.coalesce(raise_, 0)


def _token_failing(_src: Sources) -> ColumnElement[bool]:
    return and_(
        installed(),
        or_(ShopInstall.access_token_enc.is_(None), latest_refresh_ok() == false()),
    )


def _webhooks_failing(src: Sources) -> ColumnElement[bool]:
    return exists().where(
        WebhookEvent.brand_id == Brand.id,
        WebhookEvent.status == "failed",
        WebhookEvent.received_at >= src.now - WEBHOOK_WINDOW,
    )


def _jobs_failing(src: Sources) -> ColumnElement[bool]:
    return exists().where(
        RenderJob.brand_id == Brand.id,
        RenderJob.status == "failed",
        RenderJob.finished_at >= src.now - JOB_WINDOW,
    )


def _store_failing(_src: Sources) -> ColumnElement[bool]:
    """A connected store (REST or WooCommerce) refused the key or disabled a webhook."""
    return exists().where(
        CommerceConnection.brand_id == Brand.id, CommerceConnection.status == "failing"
    )


def _over_budget(src: Sources) -> ColumnElement[bool]:
    budget = budget_cents()
    spent = func.coalesce(src.ai_spend.c.cents, 0)
    return and_(budget.is_not(None), spent >= budget)


# --- the plan badge (``billing.usage.PlanUsage.badge`` in SQL) ------------------------------


def _allowance(metric: str, *, hard_only: bool) -> Any:
    """The brand's monthly allowance of ``metric`` from its plan (NULL: unlimited, or with
    ``hard_only`` one that overage pays for). ``Brand.plan`` matches a plan's key or name,
    case-insensitively; anything else reads as the default plan (``plans.plan_named``)."""
    plans, default = catalog()
    wanted = func.lower(func.trim(func.coalesce(Brand.plan, "")))

    def value(plan: Any) -> Any:
        included = plan.included(metric)
        if included is None or (hard_only and plan.overage_allowed(metric)):
            return literal(None, Integer)
        return literal(included, Integer)

    whens = [
        (wanted.in_(sorted({plan.key.lower(), plan.name.lower()})), value(plan))
        for plan in plans.values()
    ]
    return case(*whens, else_=value(plans[default]))


def _used(src: Sources, metric: str) -> Any:
    return func.coalesce(src.plan_use.c[metric], 0)


def _payment_overdue(src: Sources) -> ColumnElement[bool]:
    return and_(BillingAccount.grace_until.is_not(None), BillingAccount.grace_until <= src.now)


def _plan_exhausted(src: Sources) -> ColumnElement[bool]:
    """An allowance without overage is used up (``PlanUsage.over_plan``)."""
    terms = []
    for metric in METRICS:
        hard = _allowance(metric, hard_only=True)
        terms.append(and_(hard.is_not(None), _used(src, metric) >= hard))
    return or_(*terms)


def _plan_near(src: Sources) -> ColumnElement[bool]:
    """Some allowance is 75 % used or more (``MetricUsage.percent >= 75``)."""
    terms = []
    for metric in METRICS:
        included, used = _allowance(metric, hard_only=False), _used(src, metric)
        terms.append(
            and_(
                included.is_not(None),
                or_(
                    and_(included == 0, used > 0),
                    and_(included > 0, used * 100 >= included * 75),
                ),
            )
        )
    return or_(*terms)


def _over_plan(src: Sources) -> ColumnElement[bool]:
    return and_(not_(_payment_overdue(src)), _plan_exhausted(src))


def _near_limit(src: Sources) -> ColumnElement[bool]:
    return and_(not_(_payment_overdue(src)), not_(_plan_exhausted(src)), _plan_near(src))


BADGES: tuple[Badge, ...] = (
    Badge(
        "active",
        "Active",
        "success",
        lambda _src: and_(Brand.status == "active", or_(ShopInstall.id.is_(None), installed())),
    ),
    Badge(
        "uninstalled", "Uninstalled", "info", lambda _src: ShopInstall.uninstalled_at.is_not(None)
    ),
    Badge("suspended", "Suspended", "critical", lambda _src: Brand.status == "suspended"),
    Badge("token_failing", "Token failing", "critical", _token_failing),
    Badge("webhooks_failing", "Webhooks failing", "warning", _webhooks_failing),
    Badge("jobs_failing", "Jobs failing", "warning", _jobs_failing),
    Badge("store_failing", "Store failing", "critical", _store_failing),
    Badge("over_budget", "Over AI budget", "attention", _over_budget),
    Badge("payment_overdue", "Payment overdue", "critical", _payment_overdue),
    Badge("over_plan", "Over plan", "warning", _over_plan),
    Badge("near_limit", "Near plan limit", "attention", _near_limit),
)
BY_NAME = {badge.name: badge for badge in BADGES}


def badge_columns(src: Sources) -> list[Any]:
    """One labelled boolean column per badge, for a select from :func:`joined`."""
    return [badge.condition(src).label(f"badge_{badge.name}") for badge in BADGES]


def badges_of(row: Any) -> list[Badge]:
    """The badges a row selected with :func:`badge_columns` carries."""
    return [badge for badge in BADGES if getattr(row, f"badge_{badge.name}")]
