"""The events other features emit, with their payloads in one place.

Each helper sends at most one event per domain fact (its ``dedup_key``), so calling it again
after a retry or a re-delivery sends nothing more. Helpers add to the caller's unit of work;
:func:`on_design_changed` (the design lifecycle's receiver) and the budget-alert sender
commit their own, as they run after their trigger's commit.
"""

from __future__ import annotations

from typing import Any

from ..ai import alerts
from ..billing import alerts as plan_alerts
from ..core import uow
from ..designs import lifecycle
from ..extensions import db
from ..models import Brand, BudgetAlert, Design, OutboundDelivery, PlanAlert
from .service import send_event


def design_completed(design: Design) -> OutboundDelivery | None:
    """``design.completed``: a design's production files are ready."""
    brand = db.session.get(Brand, design.brand_id)
    if brand is None:
        return None
    data = {
        "designId": design.id,
        "productId": design.product_id,
        "status": design.status,
        "printAreas": sorted((design.production_keys or {}).keys()),
    }
    return send_event(brand, "design.completed", data, dedup_key=f"design.completed:{design.id}")


def order_production_ready(brand: Brand, order_data: dict[str, Any]) -> OutboundDelivery | None:
    """``order.production_ready``: every line of an order has its production files.

    Sent once per order and number of lines with files: a line added to the order later
    (and produced) sends it again.
    """
    lines = sum(1 for item in order_data.get("items", []) if item.get("files"))
    key = f"order.production_ready:{order_data['orderId']}:{lines}"
    return send_event(brand, "order.production_ready", order_data, dedup_key=key)


def order_problem(
    brand: Brand, order: Any, code: str, message: str, details: dict[str, Any]
) -> OutboundDelivery | None:
    """``order.problem``: something on an order needs the merchant (a fee not paid in full).

    Sent once per order, problem and line.
    """
    data = {
        "orderId": order.id,
        "externalId": order.external_id,
        "name": order.name,
        "code": code,
        "message": message,
        **details,
    }
    key = f"order.problem:{order.id}:{code}:{details.get('lineItemId')}"
    return send_event(brand, "order.problem", data, dedup_key=key)


def budget_alert(alert: BudgetAlert) -> OutboundDelivery | None:
    """``budget.alert``: a brand's AI spending crossed a share of its monthly budget.

    The alert's ``delivered_at`` is set once the brand's endpoint accepted the event.
    """
    brand = db.session.get(Brand, alert.brand_id)
    if brand is None:
        return None
    data = {
        "alertId": alert.id,
        "month": alert.month,
        "thresholdPercent": alert.threshold_percent,
        "spentCents": alert.spent_cents,
        "budgetCents": alert.budget_cents,
    }
    return send_event(brand, "budget.alert", data, dedup_key=f"budget.alert:{alert.id}")


def offer_pending_alerts(limit: int = 500) -> int:
    """Send budget alerts not delivered yet (a sender failed, or the URL came later).

    Each alert is sent at most once (its ``dedup_key``); returns how many were offered.
    """
    pending = alerts.pending()[:limit]
    for alert in pending:
        budget_alert(alert)
        uow.commit()
    return len(pending)


def on_design_changed(design: Design, change: lifecycle.Change) -> None:
    """Lifecycle receiver: production files ready sends ``design.completed`` (once)."""
    if change.new == lifecycle.S.PRODUCTION_READY and change.old != change.new:
        design_completed(design)
        uow.commit()


def send_budget_alert(alert: BudgetAlert) -> None:
    """The AI budget's sender: record the alert's event and send it."""
    budget_alert(alert)
    uow.commit()


# The AI budget (luneo_app.ai.alerts) hands every new alert to its senders: this is one.
alerts.register_sender(send_budget_alert)


def plan_alert(alert: PlanAlert) -> OutboundDelivery | None:
    """``plan.alert``: a brand's use of a plan allowance reached 75 % or 100 % this month."""
    brand = db.session.get(Brand, alert.brand_id)
    if brand is None:
        return None
    return send_event(
        brand, "plan.alert", plan_alerts.as_json(alert), dedup_key=f"plan.alert:{alert.id}"
    )


def send_plan_alert(alert: PlanAlert) -> None:
    """The plan alerts' sender: record the alert's event and send it."""
    plan_alert(alert)
    uow.commit()


plan_alerts.register_sender(send_plan_alert)
