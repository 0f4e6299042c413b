"""Shopify's Billing API in the fake Shopify (``tests/fakes/shopify.py``), over Admin GraphQL.

Answers, in Shopify's shapes and with its ``userErrors``:

* ``BillingShopPlan``: ``shop { plan { partnerDevelopment } }`` (:attr:`development_shops`);
* ``appSubscriptionCreate``: a PENDING subscription with a recurring and a usage line item
  and a ``confirmationUrl`` on the fake's admin origin; an unknown plan shape, a missing
  capped amount or a zero price are refused as Shopify does;
* ``appSubscriptionCancel``;
* ``appUsageRecordCreate``: one usage record per idempotency key (a repeat answers the same
  record), refused with "Total price exceeds balance remaining" past the capped amount.

The merchant's answer on the confirmation page is :meth:`FakeBilling.approve` /
:meth:`FakeBilling.decline`, which return the ``app_subscriptions/update`` webhook body
Shopify would send; the browser test clicks the fake's confirmation page instead.
"""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

_ids = itertools.count(1000)


class FakeBilling:
    """App subscriptions and usage records of every shop of the fake."""

    def __init__(self, lock: threading.Lock, origin: Any) -> None:
        self._lock = lock
        self._origin = origin  # callable: the fake's origin once started
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.usage_records: dict[str, dict[str, Any]] = {}  # by idempotency key
        self.development_shops: set[str] = set()
        self.usage_calls = 0

    def handlers(self) -> list[tuple[str, Any]]:
        return [
            ("BillingShopPlan", self._shop_plan),
            ("appSubscriptionCreate", self._create),
            ("appSubscriptionCancel", self._cancel),
            ("appUsageRecordCreate", self._usage),
        ]

    # --- the merchant's side --------------------------------------------------------------
    def approve(self, subscription_id: str) -> dict[str, Any]:
        """The merchant approved: the subscription becomes ACTIVE, any other active one of
        the shop CANCELLED. Returns the ``app_subscriptions/update`` body."""
        with self._lock:
            sub = self.subscriptions[subscription_id]
            for other in self.subscriptions.values():
                if (
                    other is not sub
                    and other["shop"] == sub["shop"]
                    and other["status"] == "ACTIVE"
                ):
                    other["status"] = "CANCELLED"
            sub["status"] = "ACTIVE"
            return self.webhook_body(subscription_id)

    def decline(self, subscription_id: str) -> dict[str, Any]:
        with self._lock:
            self.subscriptions[subscription_id]["status"] = "DECLINED"
            return self.webhook_body(subscription_id)

    def raise_cap(self, subscription_id: str, cents: int) -> dict[str, Any]:
        with self._lock:
            self.subscriptions[subscription_id]["capCents"] = cents
            return self.webhook_body(subscription_id)

    def webhook_body(self, subscription_id: str) -> dict[str, Any]:
        sub = self.subscriptions[subscription_id]
        return {
            "app_subscription": {
                "admin_graphql_api_id": subscription_id,
                "name": sub["name"],
                "status": sub["status"],
                "admin_graphql_api_shop_id": "gid://shopify/Shop/1",
                "created_at": sub["createdAt"],
                "updated_at": datetime.now(UTC).isoformat(),
                "currency": "USD",
                "capped_amount": str(Decimal(sub["capCents"]) / 100),
            }
        }

    def records_of(self, shop: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.usage_records.values() if r["shop"] == shop]

    def pending_for(self, shop: str) -> str:
        """The newest PENDING subscription of a shop."""
        with self._lock:
            return [
                k
                for k, s in self.subscriptions.items()
                if s["shop"] == shop and s["status"] == "PENDING"
            ][-1]

    # --- GraphQL --------------------------------------------------------------------------
    def _shop_plan(self, shop: str, _v: dict, _b: dict) -> dict[str, Any]:
        dev = shop in self.development_shops
        return {"data": {"shop": {"plan": {"partnerDevelopment": dev}}}}

    def _create(self, shop: str, v: dict, _b: dict) -> dict[str, Any]:
        errors = []
        recurring = usage = None
        for item in v.get("lineItems") or []:
            plan = item.get("plan") or {}
            if "appRecurringPricingDetails" in plan:
                recurring = plan["appRecurringPricingDetails"]
            elif "appUsagePricingDetails" in plan:
                usage = plan["appUsagePricingDetails"]
            else:
                errors.append({"field": ["lineItems"], "message": "Invalid line item plan"})
        if recurring is None or Decimal(recurring["price"]["amount"]) <= 0:
            errors.append(
                {
                    "field": ["lineItems", "0", "plan", "appRecurringPricingDetails", "price"],
                    "message": "Price must be greater than zero",
                }
            )
        if usage is not None and Decimal(usage["cappedAmount"]["amount"]) <= 0:
            errors.append(
                {
                    "field": ["lineItems", "1", "plan", "appUsagePricingDetails", "cappedAmount"],
                    "message": "Capped amount must be greater than zero",
                }
            )
        if not str(v.get("returnUrl") or "").startswith(("https://", "http://")):
            errors.append({"field": ["returnUrl"], "message": "Return url is invalid"})
        if errors:
            return _answer(
                "appSubscriptionCreate",
                {"appSubscription": None, "confirmationUrl": None, "userErrors": errors},
            )
        n = next(_ids)
        gid = f"gid://shopify/AppSubscription/{n}"
        items = [
            {
                "id": f"gid://shopify/AppSubscriptionLineItem/{n}1?v=1&index=0",
                "plan": {"pricingDetails": {"__typename": "AppRecurringPricing"}},
            }
        ]
        if usage is not None:
            items.append(
                {
                    "id": f"gid://shopify/AppSubscriptionLineItem/{n}2?v=1&index=1",
                    "plan": {"pricingDetails": {"__typename": "AppUsagePricing"}},
                }
            )
        with self._lock:
            self.subscriptions[gid] = {
                "shop": shop,
                "name": v["name"],
                "status": "PENDING",
                "test": bool(v.get("test")),
                "trialDays": v.get("trialDays"),
                "returnUrl": v["returnUrl"],
                "capCents": int(Decimal(usage["cappedAmount"]["amount"]) * 100) if usage else 0,
                "usageItem": items[-1]["id"] if usage else None,
                "priceCents": int(Decimal(recurring["price"]["amount"]) * 100),
                "createdAt": datetime.now(UTC).isoformat(),
            }
        handle = shop.split(".")[0]
        url = (
            f"{self._origin()}/store/{handle}/charges/{n}"
            f"/confirm_recurring_application_charge?signature=fake{n}"
        )
        return _answer(
            "appSubscriptionCreate",
            {
                "appSubscription": {"id": gid, "status": "PENDING", "lineItems": items},
                "confirmationUrl": url,
                "userErrors": [],
            },
        )

    def _cancel(self, shop: str, v: dict, _b: dict) -> dict[str, Any]:
        with self._lock:
            sub = self.subscriptions.get(v.get("id"))
            if sub is None or sub["shop"] != shop:
                return _answer(
                    "appSubscriptionCancel",
                    {
                        "appSubscription": None,
                        "userErrors": [
                            {"field": ["id"], "message": "Couldn't find RecurringApplicationCharge"}
                        ],
                    },
                )
            sub["status"] = "CANCELLED"
            return _answer(
                "appSubscriptionCancel",
                {"appSubscription": {"id": v["id"], "status": "CANCELLED"}, "userErrors": []},
            )

    def _usage(self, shop: str, v: dict, _b: dict) -> dict[str, Any]:
        with self._lock:
            self.usage_calls += 1
            key = v.get("idempotencyKey")
            if key and key in self.usage_records:
                return _answer(
                    "appUsageRecordCreate",
                    {"appUsageRecord": {"id": self.usage_records[key]["id"]}, "userErrors": []},
                )
            sub = next(
                (
                    s
                    for s in self.subscriptions.values()
                    if s["usageItem"] == v.get("subscriptionLineItemId") and s["shop"] == shop
                ),
                None,
            )
            if sub is None or sub["status"] != "ACTIVE":
                return _answer(
                    "appUsageRecordCreate",
                    {
                        "appUsageRecord": None,
                        "userErrors": [
                            {
                                "field": ["subscriptionLineItemId"],
                                "message": "Subscription line item not found",
                            }
                        ],
                    },
                )
            cents = int(Decimal(v["price"]["amount"]) * 100)
            used = sum(
                r["cents"] for r in self.usage_records.values() if r["item"] == sub["usageItem"]
            )
            if used + cents > sub["capCents"]:
                return _answer(
                    "appUsageRecordCreate",
                    {
                        "appUsageRecord": None,
                        "userErrors": [
                            {"field": None, "message": "Total price exceeds balance remaining"}
                        ],
                    },
                )
            record = {
                "id": f"gid://shopify/AppUsageRecord/{next(_ids)}",
                "shop": shop,
                "item": sub["usageItem"],
                "cents": cents,
                "description": v.get("description"),
                "key": key,
            }
            self.usage_records[key or record["id"]] = record
            return _answer(
                "appUsageRecordCreate", {"appUsageRecord": {"id": record["id"]}, "userErrors": []}
            )


def _answer(field: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"data": {field: value}, "extensions": {"cost": {"requestedQueryCost": 10}}}
