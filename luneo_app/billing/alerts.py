"""Plan alerts (75 % and 100 % of an allowance) leave Luneo here, like the AI budget's:
stored first (:func:`.usage.record_alerts`, committed with the usage that crossed the line),
then offered to every registered sender. The outbound webhook system registers one that
sends ``plan.alert`` to the brand's endpoint; the admin and the console show the alerts as a
banner either way."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..extensions import db
from ..models import PlanAlert

log = logging.getLogger("luneo.billing")

Sender = Callable[[PlanAlert], Any]
_senders: list[Sender] = []


def register_sender(sender: Sender) -> None:
    """Connect a delivery channel; it is called with each new, committed alert."""
    if sender not in _senders:
        _senders.append(sender)


def dispatch(alerts: list[PlanAlert]) -> None:
    """Offer each new alert to the senders; a failing sender is logged, the alert stays."""
    for alert in alerts:
        for sender in list(_senders):
            try:
                sender(alert)
            except Exception:  # noqa: BLE001 - one channel failing must not lose the alert
                db.session.rollback()
                log.exception("plan alert sender failed")


def as_json(alert: PlanAlert) -> dict[str, Any]:
    """An alert as the API and the pages show it."""
    return {
        "alertId": alert.id,
        "period": alert.period,
        "metric": alert.metric,
        "thresholdPercent": alert.threshold_percent,
        "used": alert.used,
        "included": alert.included,
        "createdAt": alert.created_at.isoformat() if alert.created_at else None,
    }
