"""Reporting billable events to whoever charges them, once each.

:func:`report_event` runs in a job (published after the event's commit, and again by the
periodic sweep for anything left ``pending``). Under the event's row lock it decides whether
the event is beyond the plan — by its rank among the month's events of its kind, so two
events recorded together can never both be "the last included one" — then charges it:
``appUsageRecordCreate`` for Shopify merchants, a Billing Meter event for Stripe brands,
each with the event's id as the provider's idempotency key. A provider outage raises, and
the job retries with backoff; the row stays ``pending`` until it succeeds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, func, or_, select

from ..core.clock import utcnow
from ..extensions import db
from ..models import BillableEvent, BillingAccount, Brand
from .plans import STORAGE_KIND, plan_named
from .usage import record_alerts

log = logging.getLogger("luneo.billing")

CHARGEABLE = {"active", "trialing", "past_due"}


@dataclass(frozen=True)
class Charge:
    """What the provider said about one usage charge: its record, or held (and why)."""

    record_id: str | None
    held: bool
    message: str | None


Charger = Callable[[Brand, BillingAccount, BillableEvent], Charge]
_chargers: dict[str, Charger] = {}


def register_charger(provider: str, charger: Charger) -> None:
    """Connect the code that charges usage for ``provider`` (``shopify``, ``stripe``)."""
    _chargers[provider] = charger


DONE = {"included", "reported", "unbilled"}


def rank_of(event: BillableEvent) -> int:
    """1 for the month's first event of its kind, 2 for the second ... (ties by id)."""
    return int(
        db.session.scalar(
            select(func.count()).where(
                BillableEvent.brand_id == event.brand_id,
                BillableEvent.period == event.period,
                BillableEvent.kind == event.kind,
                or_(
                    BillableEvent.occurred_at < event.occurred_at,
                    and_(
                        BillableEvent.occurred_at == event.occurred_at,
                        BillableEvent.id <= event.id,
                    ),
                ),
            )
        )
        or 0
    )


def report_event(event_id: str) -> str:
    """Decide and charge one event; returns its report status. Commits; a provider error
    rolls back (the event stays ``pending``) and is raised for the job to retry."""
    try:
        return _report(event_id)
    except Exception:
        db.session.rollback()
        raise


def _report(event_id: str) -> str:
    event = db.session.scalar(
        select(BillableEvent).where(BillableEvent.id == event_id).with_for_update()
    )
    if event is None:
        db.session.rollback()
        return "missing"
    if event.report_status in DONE:
        db.session.rollback()
        return event.report_status
    brand = db.session.get(Brand, event.brand_id)
    plan = plan_named(brand.plan)
    event.attempts += 1
    alerts = record_alerts(brand, event.period)
    if event.kind == STORAGE_KIND:
        # Pay-to-keep storage is priced when measured and is all beyond the plan.
        price = int((event.details or {}).get("amountCents") or 0)
        beyond, allowed = price > 0, plan.pay_to_keep_cents_per_gb_month is not None
    else:
        included = plan.included(event.kind)
        beyond = included is not None and rank_of(event) > included
        price = plan.overage_cents.get(event.kind, 0)
        allowed = plan.overage_allowed(event.kind)
    if not beyond:
        event.overage, event.report_status = False, "included"
        db.session.commit()
        _dispatch(alerts)
        return event.report_status
    event.overage = True
    event.unit_price_cents = price
    account = db.session.scalar(select(BillingAccount).where(BillingAccount.brand_id == brand.id))
    if not allowed or account is None or account.status not in CHARGEABLE:
        # Beyond a plan that cannot charge for it (new work of this kind is refused from
        # here on); the event stays recorded for the usage figures.
        event.report_status = "unbilled"
        db.session.commit()
        _dispatch(alerts)
        return event.report_status
    charger = _chargers.get(account.provider)
    if charger is None:
        raise RuntimeError(f"no charger for {account.provider}")
    charge = charger(brand, account, event)
    event.external_id = charge.record_id
    event.error = charge.message
    event.report_status = "held" if charge.held else "reported"
    if event.report_status == "reported":
        event.reported_at = utcnow()
    else:
        log.warning("usage charge held", extra={"brand_id": brand.id, "event": event.id})
    db.session.commit()
    _dispatch(alerts)
    return event.report_status


def _dispatch(alerts: list) -> None:
    if alerts:
        from .alerts import dispatch

        dispatch(alerts)


def pending_event_ids(older_than_seconds: int = 60, limit: int = 500) -> list[str]:
    """Events still waiting to be reported (their job was lost or is retrying)."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    ids = db.session.scalars(
        select(BillableEvent.id)
        .where(BillableEvent.report_status == "pending", BillableEvent.occurred_at < cutoff)
        .order_by(BillableEvent.occurred_at)
        .limit(limit)
    ).all()
    db.session.rollback()
    return list(ids)
