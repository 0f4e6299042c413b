"""Budget alerts leave Luneo here: stored first, then handed to whoever delivers them.

The alert row is committed with the usage that crossed the threshold. :func:`dispatch` then
offers it to every registered sender. The outbound webhook system (issue 8) connects with
``register_sender(outbound.events.budget_alert)``: it signs and retries the delivery and
stamps ``delivered_at`` once the brand's endpoint accepted it. Until a sender is connected
alerts stay stored with ``delivered_at`` empty; :func:`pending` lists them and the admin
(and ``GET /v1/ai/usage``) shows them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import BudgetAlert

log = logging.getLogger("luneo.ai")

Sender = Callable[[BudgetAlert], Any]
_senders: list[Sender] = []


def register_sender(sender: Sender) -> None:
    """Connect a delivery channel; it is called with each new, committed alert."""
    if sender not in _senders:
        _senders.append(sender)


def unregister_sender(sender: Sender) -> None:
    """Disconnect a delivery channel."""
    if sender in _senders:
        _senders.remove(sender)


def dispatch(alerts: list[BudgetAlert]) -> None:
    """Log each new alert and offer it to the senders. A failing sender is logged and the
    alert stays pending (``delivered_at`` empty) for the delivery system to pick up."""
    for alert in alerts:
        log.info(
            "AI budget alert",
            extra={
                "brand_id": alert.brand_id,
                "threshold": alert.threshold_percent,
                "month": alert.month,
                "spent_cents": alert.spent_cents,
                "budget_cents": alert.budget_cents,
            },
        )
        for sender in list(_senders):
            try:
                sender(alert)
            except Exception:  # noqa: BLE001 - one channel failing must not lose the alert
                db.session.rollback()
                log.exception("budget alert sender failed")


def pending(brand_id: str | None = None) -> list[BudgetAlert]:
    """Alerts not delivered yet, oldest first."""
    query = select(BudgetAlert).where(BudgetAlert.delivered_at.is_(None))
    if brand_id:
        query = query.where(BudgetAlert.brand_id == brand_id)
    return list(db.session.scalars(query.order_by(BudgetAlert.created_at)))


def as_json(alert: BudgetAlert) -> dict[str, Any]:
    """An alert as the API shows it."""
    return {
        "alertId": alert.id,
        "month": alert.month,
        "thresholdPercent": alert.threshold_percent,
        "spentCents": alert.spent_cents,
        "budgetCents": alert.budget_cents,
        "createdAt": alert.created_at.isoformat() if alert.created_at else None,
        "deliveredAt": alert.delivered_at.isoformat() if alert.delivered_at else None,
    }
