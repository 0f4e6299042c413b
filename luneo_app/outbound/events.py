"""The events other features emit, with their payloads in one place.

Each helper sends at most one event per domain fact (its ``dedup_key``), so calling it again
after a retry or a re-delivery sends nothing more.
"""

from __future__ import annotations

from typing import Any

from ..extensions import db
from ..models import Brand, BudgetAlert, Design, OutboundDelivery
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
    """``order.production_ready``: every line of an order has its production files."""
    key = f"order.production_ready:{order_data['orderId']}"
    return send_event(brand, "order.production_ready", order_data, dedup_key=key)


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
