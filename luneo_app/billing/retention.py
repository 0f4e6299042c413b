"""Retention of production files, decided here: the plan sets the longest period, the
brand's setting (``settings["retentionDays"]``) chooses within it. Everyone else asks."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from ..models import Brand
from .plans import Plan, plan_named

MIN_DAYS = 1


@dataclass(frozen=True)
class Retention:
    """The days files are kept, the plan's longest, and whether the brand's choice was cut."""

    days: int
    plan_max_days: int
    chosen_days: int | None
    limited_by_plan: bool


def retention_of(brand: Brand, plan: Plan | None = None) -> Retention:
    """How long this brand's production files are kept after an order closes."""
    plan = plan or plan_named(brand.plan)
    default = int(current_app.config["ORDER_RETENTION_DAYS"])
    raw = (brand.settings or {}).get("retentionDays")
    try:
        chosen = int(raw) if raw is not None else None
    except (TypeError, ValueError):
        chosen = None
    wanted = chosen if chosen is not None else default
    days = max(MIN_DAYS, min(wanted, plan.retention_days))
    return Retention(
        days=days,
        plan_max_days=plan.retention_days,
        chosen_days=chosen,
        limited_by_plan=wanted > plan.retention_days,
    )


def retention_days(brand: Brand) -> int:
    """Days production files are kept after the order closed or was cancelled."""
    return retention_of(brand).days


def pays_to_keep(brand: Brand) -> bool:
    """Pay-to-keep: the brand keeps every design it made (``settings["keepDesigns"]``) and
    its plan sells that (``payToKeep``); the storage is billed monthly (:mod:`.storage`)."""
    plan = plan_named(brand.plan)
    return plan.pay_to_keep_cents_per_gb_month is not None and bool(
        (brand.settings or {}).get("keepDesigns")
    )
