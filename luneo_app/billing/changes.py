"""Plan changes explained before they apply: what a move to another plan takes away from
what the brand uses now (seats, retention, this month's allowances)."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Brand
from .plans import METRIC_UNITS, Plan, plan_named
from .retention import retention_of
from .seats import seats_in_use
from .usage import usage_for


@dataclass(frozen=True)
class Effect:
    """One thing the brand loses or must do on the new plan."""

    what: str  # seats | retention | designs | aiImages | bakes3d
    message: str


def is_downgrade(current: Plan, new: Plan) -> bool:
    return new.price_cents < current.price_cents


def effects_of_change(brand: Brand, new: Plan) -> list[Effect]:
    """What moving to ``new`` changes for this brand now (empty when nothing is lost)."""
    effects: list[Effect] = []
    seats, allowed = seats_in_use(brand), new.included("seats")
    if allowed is not None and seats > allowed:
        effects.append(
            Effect(
                "seats",
                f"{new.name} has {allowed} team seats and {seats} are in use: remove "
                f"{seats - allowed} member(s) first, or they keep access until you do.",
            )
        )
    now = retention_of(brand)
    after = retention_of(brand, new)
    if after.days < now.days:
        effects.append(
            Effect(
                "retention",
                f"Print files are kept {after.days} days after an order closes instead of "
                f"{now.days}: files of orders closed longer ago are removed at the next "
                "clean-up.",
            )
        )
    usage = usage_for(brand)
    for m in usage.metrics:
        included = new.included(m.metric)
        if included is None or m.used <= included:
            continue
        label = METRIC_UNITS[m.metric]
        if new.overage_allowed(m.metric):
            tail = f"each one beyond is charged {new.overage_cents[m.metric] / 100:.2f} USD."
        else:
            tail = "new ones are refused until next month (orders are still produced)."
        effects.append(
            Effect(
                m.metric,
                f"{m.used} {label} used this month; {new.name} includes {included}: {tail}",
            )
        )
    return effects


def current_plan(brand: Brand) -> Plan:
    return plan_named(brand.plan)
