"""Plans and what they include, read from ``plans.json`` (the one place their numbers live).

A brand's plan is ``Brand.plan`` (a plan key). Older rows may hold a Shopify subscription's
display name ("Pro"): :func:`plan_named` accepts keys and names alike, case-insensitively,
and anything unknown reads as the default plan, so a typo never unlocks unlimited use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context

from ..core.errors import NotFound

PLANS_FILE = Path(__file__).with_name("plans.json")

# What is metered, in the merchant's words; the keys of ``includes`` and ``overage``.
METRICS = ("designs", "aiImages", "bakes3d")
# Pay-to-keep storage: one event per brand and month, priced when it is measured
# (``details.amountCents``), charged only on plans with ``payToKeep``.
STORAGE_KIND = "keptStorage"
# The same in the middle of a sentence ("5 AI images / month").
METRIC_UNITS = {
    "designs": "ordered designs",
    "aiImages": "AI images",
    "bakes3d": "3D/AR models",
    "productionFiles": "production files",
    "seats": "team seats",
}
METRIC_LABELS = {
    "designs": "Ordered designs",
    "aiImages": "AI images",
    "bakes3d": "3D/AR models",
    "productionFiles": "Production files",
    "seats": "Team seats",
    STORAGE_KIND: "Kept storage",
}


@dataclass(frozen=True)
class Plan:
    """One plan: price, trial, monthly allowances, overage prices, retention."""

    key: str
    name: str
    price_cents: int
    trial_days: int
    includes: dict[str, int | None]
    overage_cents: dict[str, int]
    retention_days: int
    pay_to_keep_cents_per_gb_month: int | None
    usage_cap_cents: int
    public: bool

    def included(self, metric: str) -> int | None:
        """The monthly allowance of ``metric`` (None: unlimited)."""
        return self.includes.get(metric)

    def overage_allowed(self, metric: str) -> bool:
        """True when use beyond the allowance is charged rather than refused."""
        return metric in self.overage_cents

    def as_json(self) -> dict[str, Any]:
        """The plan as the API and the pages show it."""
        return {
            "key": self.key,
            "name": self.name,
            "priceCents": self.price_cents,
            "trialDays": self.trial_days,
            "includes": dict(self.includes),
            "overageCents": dict(self.overage_cents),
            "retentionDays": self.retention_days,
            "payToKeepCentsPerGbMonth": self.pay_to_keep_cents_per_gb_month,
            "usageCapCents": self.usage_cap_cents,
        }


def _plan(raw: dict[str, Any]) -> Plan:
    keep = raw.get("payToKeep") or {}
    return Plan(
        key=raw["key"],
        name=raw["name"],
        price_cents=int(raw["priceCents"]),
        trial_days=int(raw.get("trialDays") or 0),
        includes={k: (None if v is None else int(v)) for k, v in raw["includes"].items()},
        overage_cents={k: int(v) for k, v in (raw.get("overage") or {}).items()},
        retention_days=int(raw["retentionDays"]),
        pay_to_keep_cents_per_gb_month=keep.get("centsPerGbMonth"),
        usage_cap_cents=int(raw.get("usageCapCents") or 0),
        public=bool(raw.get("public", True)),
    )


def plans_file() -> Path:
    """The plans data file: ``BILLING_PLANS_FILE`` when set (a deployment's own prices),
    else the one shipped with Luneo."""
    configured = current_app.config.get("BILLING_PLANS_FILE") if has_app_context() else None
    return Path(configured) if configured else PLANS_FILE


@cache
def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def raw_catalog() -> dict[str, Any]:
    """The plans file as data (read once per process and path)."""
    return _read(plans_file())


def catalog() -> tuple[dict[str, Plan], str]:
    """Every plan by key, and the default plan's key."""
    raw = raw_catalog()
    plans = {p["key"]: _plan(p) for p in raw["plans"]}
    if raw["default"] not in plans:  # pragma: no cover - guarded by tests/billing
        raise ValueError("plans file: the default plan is not a plan")
    return plans, raw["default"]


def public_plans() -> list[Plan]:
    """Plans a merchant may choose, cheapest first."""
    return sorted((p for p in catalog()[0].values() if p.public), key=lambda p: p.price_cents)


def find_plan(value: str | None) -> Plan | None:
    """The plan with this key or display name, else None."""
    plans, _ = catalog()
    wanted = (value or "").strip().lower()
    if wanted in plans:
        return plans[wanted]
    return next((p for p in plans.values() if p.name.lower() == wanted), None)


def plan_named(value: str | None) -> Plan:
    """The plan with this key or name; the default plan for anything unknown."""
    plans, default = catalog()
    return find_plan(value) or plans[default]


def choosable_plan(value: Any) -> Plan:
    """A public plan a merchant asked for by key; 404 ``plan_not_found`` otherwise."""
    plan = find_plan(value) if isinstance(value, str) else None
    if plan is None or not plan.public:
        names = ", ".join(p.key for p in public_plans())
        raise NotFound(
            f"There is no plan {str(value)[:40]!r}; choose one of {names}.", code="plan_not_found"
        )
    return plan
