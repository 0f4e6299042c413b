"""Health badges of installs, each one SQL condition so the list's badges and its filters
agree and the database does the work (10,000 installs stay fast).

A badge is a :class:`Badge` in :data:`BADGES`: add one (a plan's quota, a billing state)
by appending its condition; the list, the filters and the install page pick it up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Integer, and_, case, exists, false, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ..ai.budget import month_of
from ..models import (
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
class Badge:
    """One health state: its filter name, label, tone (admin.css ``badge--<tone>``) and the
    SQL condition over ``Brand`` outer-joined to ``ShopInstall`` at time ``now``."""

    name: str
    label: str
    tone: str
    condition: Callable[[datetime], ColumnElement[bool]]


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


def spent_cents() -> Any:
    return (
        select(func.coalesce(func.sum(UsageRecord.cost_cents), 0).cast(Integer))
        .where(UsageRecord.brand_id == Brand.id, UsageRecord.month == month_of())
        .scalar_subquery()
    )


def _token_failing(_now: datetime) -> ColumnElement[bool]:
    return and_(
        installed(),
        or_(ShopInstall.access_token_enc.is_(None), latest_refresh_ok() == false()),
    )


def _webhooks_failing(now: datetime) -> ColumnElement[bool]:
    return exists().where(
        WebhookEvent.brand_id == Brand.id,
        WebhookEvent.status == "failed",
        WebhookEvent.received_at >= now - WEBHOOK_WINDOW,
    )


def _jobs_failing(now: datetime) -> ColumnElement[bool]:
    return exists().where(
        RenderJob.brand_id == Brand.id,
        RenderJob.status == "failed",
        RenderJob.finished_at >= now - JOB_WINDOW,
    )


def _store_failing(_now: datetime) -> ColumnElement[bool]:
    """A connected store (REST or WooCommerce) refused the key or disabled a webhook."""
    return exists().where(
        CommerceConnection.brand_id == Brand.id, CommerceConnection.status == "failing"
    )


def _over_budget(_now: datetime) -> ColumnElement[bool]:
    budget = budget_cents()
    return and_(budget.is_not(None), spent_cents() >= budget)


BADGES: tuple[Badge, ...] = (
    Badge(
        "active",
        "Active",
        "success",
        lambda _now: and_(Brand.status == "active", or_(ShopInstall.id.is_(None), installed())),
    ),
    Badge(
        "uninstalled", "Uninstalled", "info", lambda _now: ShopInstall.uninstalled_at.is_not(None)
    ),
    Badge("suspended", "Suspended", "critical", lambda _now: Brand.status == "suspended"),
    Badge("token_failing", "Token failing", "critical", _token_failing),
    Badge("webhooks_failing", "Webhooks failing", "warning", _webhooks_failing),
    Badge("jobs_failing", "Jobs failing", "warning", _jobs_failing),
    Badge("store_failing", "Store failing", "critical", _store_failing),
    Badge("over_budget", "Over AI budget", "attention", _over_budget),
)
BY_NAME = {badge.name: badge for badge in BADGES}


def badge_columns(now: datetime) -> list[Any]:
    """One labelled boolean column per badge, for a select."""
    return [badge.condition(now).label(f"badge_{badge.name}") for badge in BADGES]


def badges_of(row: Any) -> list[Badge]:
    """The badges a row selected with :func:`badge_columns` carries."""
    return [badge for badge in BADGES if getattr(row, f"badge_{badge.name}")]
