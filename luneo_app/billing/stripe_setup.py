"""``flask luneo stripe-setup``: Stripe's catalogue made to match ``plans.json``.

Run on deploy (and whenever the plans file changes); running it twice changes nothing.
Things are found, never remembered: a product by ``metadata.luneo_plan``, a price by its
lookup key (``luneo_<plan>_monthly``, ``luneo_<plan>_<metric>``, what Checkout asks for), a
Billing Meter by its event name (``stripeMeters`` in the plans file). Stripe prices cannot
change amount, so a new amount is a new price that takes over the lookup key
(``transfer_lookup_key``) and the old one is archived; subscriptions already on it keep it
until they change plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .plans import METRIC_LABELS, METRICS, STORAGE_KIND, Plan, catalog, raw_catalog
from .stripe_billing import client, meter_names


@dataclass(frozen=True)
class Step:
    """One thing the set-up did: ``created`` | ``updated`` | ``replaced`` | ``kept``."""

    action: str
    kind: str  # product | price | meter
    name: str
    stripe_id: str

    def line(self) -> str:
        return f"{self.action:8} {self.kind:7} {self.name} ({self.stripe_id})"


def _all(lister: Any, params: dict[str, Any]) -> Iterable[Any]:
    """Every object of a Stripe list, page after page."""
    return lister.list(params={**params, "limit": 100}).auto_paging_iter()


def billed_plans() -> list[Plan]:
    """Plans Stripe bills: public ones with a price or usage charges."""
    plans, _ = catalog()
    return [p for p in plans.values() if p.public and (p.price_cents or p.overage_cents)]


def sync_meters(steps: list[Step]) -> dict[str, str]:
    """A Billing Meter per metered metric (sum of ``value``, customer from
    ``stripe_customer_id``: what :func:`~.stripe_billing.send_meter_event` sends); their ids
    by metric."""
    api = client().v1.billing.meters
    existing = {m.event_name: m for m in _all(api, {"status": "active"})}
    ids = {}
    for metric, event_name in meter_names().items():
        meter = existing.get(event_name)
        if meter is None:
            meter = api.create(
                params={
                    "display_name": f"Luneo {METRIC_LABELS[metric].lower()}",
                    "event_name": event_name,
                    "default_aggregation": {"formula": "sum"},
                    "customer_mapping": {
                        "type": "by_id",
                        "event_payload_key": "stripe_customer_id",
                    },
                    "value_settings": {"event_payload_key": "value"},
                }
            )
            steps.append(Step("created", "meter", event_name, meter.id))
        else:
            steps.append(Step("kept", "meter", event_name, meter.id))
        ids[metric] = meter.id
    return ids


def sync_product(plan: Plan, products: dict[str, Any], steps: list[Step]) -> str:
    """The plan's product (named like the plan), created or renamed; its id."""
    api = client().v1.products
    name = f"Luneo {plan.name}"
    product = products.get(plan.key)
    if product is None:
        product = api.create(params={"name": name, "metadata": {"luneo_plan": plan.key}})
        steps.append(Step("created", "product", name, product.id))
    elif product.name != name:
        product = api.update(product.id, params={"name": name})
        steps.append(Step("updated", "product", name, product.id))
    else:
        steps.append(Step("kept", "product", name, product.id))
    return str(product.id)


def sync_price(
    lookup_key: str,
    wanted: dict[str, Any],
    current: Any | None,
    steps: list[Step],
) -> None:
    """The price under ``lookup_key`` as ``wanted``: kept when it matches, else a new price
    takes the lookup key over and the old one is archived."""
    if current is not None and _matches(current, wanted):
        steps.append(Step("kept", "price", lookup_key, current.id))
        return
    api = client().v1.prices
    created = api.create(
        params={
            **wanted,
            "lookup_key": lookup_key,
            "transfer_lookup_key": current is not None,
            "metadata": {"luneo_lookup_key": lookup_key},
        }
    )
    if current is not None:
        api.update(current.id, params={"active": False})
        steps.append(Step("replaced", "price", lookup_key, created.id))
    else:
        steps.append(Step("created", "price", lookup_key, created.id))


def _matches(found: Any, wanted: dict[str, Any]) -> bool:
    price = found.to_dict()
    recurring = price.get("recurring") or {}
    want = wanted["recurring"]
    return (
        price.get("product") == wanted["product"]
        and int(price.get("unit_amount") or 0) == wanted["unit_amount"]
        and str(price.get("currency")) == wanted["currency"]
        and recurring.get("interval") == want["interval"]
        and (recurring.get("usage_type") or "licensed") == want.get("usage_type", "licensed")
        and recurring.get("meter") == want.get("meter")
    )


def sync_catalog() -> list[Step]:
    """Make Stripe's products, prices and meters match the plans file; what was done."""
    steps: list[Step] = []
    currency = str(raw_catalog().get("currency") or "USD").lower()
    meters = sync_meters(steps)
    stripe = client().v1
    products = {}
    for product in _all(stripe.products, {"active": True}):
        plan_key = (product.to_dict().get("metadata") or {}).get("luneo_plan")
        if plan_key:
            products[plan_key] = product
    plans = billed_plans()
    keys = [f"luneo_{p.key}_monthly" for p in plans] + [
        f"luneo_{p.key}_{m}" for p in plans for m in (*METRICS, STORAGE_KIND)
    ]
    prices = {}
    for start in range(0, len(keys), 10):  # Stripe takes up to 10 lookup keys per list
        found = stripe.prices.list(
            params={"lookup_keys": keys[start : start + 10], "active": True, "limit": 100}
        )
        prices.update({p.lookup_key: p for p in found.data})
    for plan in plans:
        product_id = sync_product(plan, products, steps)
        monthly = f"luneo_{plan.key}_monthly"
        sync_price(
            monthly,
            {
                "product": product_id,
                "currency": currency,
                "unit_amount": plan.price_cents,
                "recurring": {"interval": "month"},
                "nickname": f"{plan.name} monthly",
            },
            prices.get(monthly),
            steps,
        )
        for metric in METRICS:
            if not plan.overage_allowed(metric):
                continue
            key = f"luneo_{plan.key}_{metric}"
            sync_price(
                key,
                {
                    "product": product_id,
                    "currency": currency,
                    "unit_amount": plan.overage_cents[metric],
                    "recurring": {
                        "interval": "month",
                        "usage_type": "metered",
                        "meter": meters[metric],
                    },
                    "nickname": f"{plan.name}: {METRIC_LABELS[metric].lower()} beyond the plan",
                },
                prices.get(key),
                steps,
            )
        if plan.pay_to_keep_cents_per_gb_month is not None:
            key = f"luneo_{plan.key}_{STORAGE_KIND}"
            sync_price(  # metered in cents: the month's amount is computed by Luneo
                key,
                {
                    "product": product_id,
                    "currency": currency,
                    "unit_amount": 1,
                    "recurring": {
                        "interval": "month",
                        "usage_type": "metered",
                        "meter": meters[STORAGE_KIND],
                    },
                    "nickname": f"{plan.name}: designs kept past retention (per cent)",
                },
                prices.get(key),
                steps,
            )
    return steps
