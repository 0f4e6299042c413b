"""What the install page shows about one brand: scopes, token, webhooks per topic, jobs,
outbound deliveries, order problems, plan and budget, API keys, audit trail, server errors
and notes. Every query is scoped to the brand and bounded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from ..ai import budget
from ..billing import PlanUsage, usage_for
from ..core.clock import as_utc, utcnow
from ..extensions import db
from ..models import (
    Account,
    ApiKey,
    AuditEvent,
    Brand,
    Order,
    OutboundDelivery,
    RenderJob,
    ServerError,
    ShopInstall,
    SupportNote,
    TokenRefreshAttempt,
    WebhookEvent,
)
from ..shopify.app_config import COMPLIANCE_TOPICS, load_app_config

# A queued or running job older than this, or past its lease, is "stuck".
STUCK_AFTER = timedelta(minutes=15)
SILENT_AFTER = timedelta(days=7)
# Topics that only fire on rare events: their silence says nothing about the install.
RARE_TOPICS = COMPLIANCE_TOPICS | {"app/uninstalled", "app/scopes_update", "shop/update"}
LIST_LIMIT = 25


@dataclass(frozen=True)
class Scopes:
    required: tuple[str, ...]
    granted: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]


@dataclass(frozen=True)
class TopicHealth:
    topic: str
    declared: bool
    last_24h: int
    last_7d: int
    failed_7d: int
    last_received: datetime | None
    silent: bool


@dataclass
class InstallReport:
    """Everything the install page shows (built by :func:`report`)."""

    brand: Brand
    install: ShopInstall | None
    scopes: Scopes | None = None
    refreshes: list[TokenRefreshAttempt] = field(default_factory=list)
    token_state: str = ""
    topics: list[TopicHealth] = field(default_factory=list)
    failed_webhooks: list[WebhookEvent] = field(default_factory=list)
    failed_jobs: list[RenderJob] = field(default_factory=list)
    stuck_jobs: list[RenderJob] = field(default_factory=list)
    deliveries: list[OutboundDelivery] = field(default_factory=list)
    problem_orders: list[Order] = field(default_factory=list)
    recent_orders: list[Order] = field(default_factory=list)
    budget_cents: int | None = None
    spent_cents: int = 0
    budget_raise: dict[str, Any] | None = None
    plan_usage: PlanUsage | None = None
    api_keys: list[ApiKey] = field(default_factory=list)
    team: list[Account] = field(default_factory=list)
    audit: list[AuditEvent] = field(default_factory=list)
    server_errors: list[ServerError] = field(default_factory=list)
    notes: list[SupportNote] = field(default_factory=list)


def _implied(scopes: set[str]) -> set[str]:
    """Shopify's ``write_x`` grants ``read_x`` too."""
    return scopes | {"read_" + s[6:] for s in scopes if s.startswith("write_")}


def scopes_of(install: ShopInstall) -> Scopes:
    """Scopes granted to the install against those ``shopify.app.toml`` requires."""
    required = tuple(load_app_config().scopes)
    granted = tuple(sorted(s.strip() for s in (install.scopes or "").split(",") if s.strip()))
    have = _implied(set(granted))
    return Scopes(
        required=required,
        granted=granted,
        missing=tuple(s for s in required if s not in have),
        extra=tuple(s for s in granted if s not in _implied(set(required))),
    )


def token_state(install: ShopInstall, last: TokenRefreshAttempt | None, now: datetime) -> str:
    """One line for the token: what a support engineer needs first."""
    if install.uninstalled_at is not None:
        return "uninstalled"
    if not install.access_token_enc:
        return "missing"
    if last is not None and not last.ok:
        return "refresh_failing"
    expires = as_utc(install.access_token_expires_at)
    if install.token_kind == "expiring" and expires is not None and expires <= now:
        return "expired"
    return "ok"


def topic_health(brand_id: str, install: ShopInstall | None, now: datetime) -> list[TopicHealth]:
    """Deliveries per topic over 24 h and 7 days against the toml's topics."""
    day, week = now - timedelta(days=1), now - timedelta(days=7)
    recent = db.session.execute(
        select(
            WebhookEvent.topic,
            func.count().filter(WebhookEvent.received_at >= day),
            func.count(),
            func.count().filter(WebhookEvent.status == "failed"),
        )
        .where(WebhookEvent.brand_id == brand_id, WebhookEvent.received_at >= week)
        .group_by(WebhookEvent.topic)
    ).all()
    counts = {row[0]: (row[1], row[2], row[3]) for row in recent}
    declared = sorted(load_app_config().topics)
    topics = sorted(set(declared) | set(counts))
    last = dict(
        db.session.execute(
            select(WebhookEvent.topic, func.max(WebhookEvent.received_at))
            .where(WebhookEvent.brand_id == brand_id, WebhookEvent.topic.in_(topics))
            .group_by(WebhookEvent.topic)
        ).all()
    )
    active = install is not None and install.uninstalled_at is None
    out = []
    for topic in topics:
        day_n, week_n, failed = counts.get(topic, (0, 0, 0))
        received = as_utc(last.get(topic))
        silent = (
            active
            and topic in declared
            and topic not in RARE_TOPICS
            and (received is None or now - received > SILENT_AFTER)
        )
        out.append(TopicHealth(topic, topic in declared, day_n, week_n, failed, received, silent))
    return out


def report(brand: Brand, now: datetime | None = None) -> InstallReport:
    """Assemble the install page of ``brand``."""
    now = now or utcnow()
    install = db.session.scalar(select(ShopInstall).where(ShopInstall.brand_id == brand.id))
    out = InstallReport(brand=brand, install=install)
    bid = brand.id
    if install is not None:
        out.scopes = scopes_of(install)
        out.refreshes = list(
            db.session.scalars(
                select(TokenRefreshAttempt)
                .where(TokenRefreshAttempt.install_id == install.id)
                .order_by(TokenRefreshAttempt.attempted_at.desc())
                .limit(LIST_LIMIT)
            )
        )
        out.token_state = token_state(install, out.refreshes[0] if out.refreshes else None, now)
        out.failed_webhooks = list(
            db.session.scalars(
                select(WebhookEvent)
                .where(
                    WebhookEvent.brand_id == bid,
                    WebhookEvent.status.in_(("failed", "retrying")),
                )
                .order_by(WebhookEvent.received_at.desc())
                .limit(LIST_LIMIT)
            )
        )
    out.topics = topic_health(bid, install, now) if install is not None else []
    out.failed_jobs = list(
        db.session.scalars(
            select(RenderJob)
            .where(RenderJob.brand_id == bid, RenderJob.status == "failed")
            .order_by(RenderJob.finished_at.desc().nulls_last())
            .limit(LIST_LIMIT)
        )
    )
    out.stuck_jobs = list(
        db.session.scalars(
            select(RenderJob)
            .where(
                RenderJob.brand_id == bid,
                RenderJob.status.in_(("queued", "running")),
                or_(RenderJob.enqueued_at < now - STUCK_AFTER, RenderJob.lease_until < now),
            )
            .order_by(RenderJob.enqueued_at)
            .limit(LIST_LIMIT)
        )
    )
    out.deliveries = list(
        db.session.scalars(
            select(OutboundDelivery)
            .where(OutboundDelivery.brand_id == bid)
            .order_by(OutboundDelivery.created_at.desc())
            .limit(LIST_LIMIT)
        )
    )
    out.problem_orders = list(
        db.session.scalars(
            select(Order)
            .where(
                Order.brand_id == bid,
                or_(
                    func.json_array_length(Order.problems) > 0,
                    Order.production_status == "failed",
                ),
            )
            .order_by(Order.created_at.desc())
            .limit(LIST_LIMIT)
        )
    )
    out.recent_orders = list(
        db.session.scalars(
            select(Order).where(Order.brand_id == bid).order_by(Order.created_at.desc()).limit(10)
        )
    )
    out.budget_cents = effective_budget(brand)
    out.spent_cents = budget.spent_cents(bid)
    out.budget_raise = budget_raise(brand)
    out.plan_usage = usage_for(brand)
    out.api_keys = list(
        db.session.scalars(select(ApiKey).where(ApiKey.brand_id == bid).order_by(ApiKey.created_at))
    )
    out.team = list(
        db.session.scalars(select(Account).where(Account.brand_id == bid).order_by(Account.email))
    )
    out.audit = list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.brand_id == bid)
            .order_by(AuditEvent.created_at.desc())
            .limit(50)
        )
    )
    out.server_errors = list(
        db.session.scalars(
            select(ServerError)
            .where(ServerError.brand_id == bid, ServerError.created_at >= now - timedelta(days=30))
            .order_by(ServerError.created_at.desc())
            .limit(LIST_LIMIT)
        )
    )
    out.notes = list(
        db.session.scalars(
            select(SupportNote)
            .where(SupportNote.brand_id == bid)
            .order_by(SupportNote.created_at.desc())
            .limit(50)
        )
    )
    return out


def budget_raise(brand: Brand) -> dict[str, Any] | None:
    """This month's AI budget raise made by support, if any."""
    extra = (brand.settings or {}).get("ai_budget_extra")
    if isinstance(extra, dict) and extra.get("month") == budget.month_of():
        return extra
    return None


def effective_budget(brand: Brand) -> int | None:
    """This month's AI budget with support's raise (None: no cap)."""
    return budget.budget_cents(brand)
