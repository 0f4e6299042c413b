"""Shopify's Billing API in the fake Shopify (``tests/fakes/shopify.py``), over Admin GraphQL.

Answers, in Shopify's shapes and with its ``userErrors``:

* ``BillingShopPlan``: ``shop { plan { partnerDevelopment } }`` (:attr:`development_shops`);
* ``appSubscriptionCreate``: a PENDING subscription with a recurring and a usage line item
  and a ``confirmationUrl`` on the fake's admin origin; an unknown plan shape, a missing
  capped amount or a zero price are refused as Shopify does;
* ``appSubscriptionCancel``;
* ``appSubscriptionLineItemUpdate``: a higher capped amount, pending until the merchant
  approves it on its own confirmation URL (a lower or equal one is refused);
* ``appUsageRecordCreate``: one usage record per idempotency key (a repeat answers the same
  record), refused with "Total price exceeds balance remaining" past the capped amount.

The merchant's answer on the confirmation page is :meth:`FakeBilling.approve` /
:meth:`FakeBilling.decline` / :meth:`FakeBilling.approve_cap`, which return the
``app_subscriptions/update`` webhook body Shopify would send. In a browser, the fake serves
the confirmation page itself (:meth:`FakeBilling.confirmation_page`): approving sends that
webhook through :attr:`FakeBilling.deliver` and redirects to the ``returnUrl`` with
``charge_id``, as Shopify does.
"""

from __future__ import annotations

import html
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
        # callable(topic, body): how the confirmation page sends its webhook to the app.
        self.deliver: Any = None

    def handlers(self) -> list[tuple[str, Any]]:
        return [
            ("BillingShopPlan", self._shop_plan),
            ("appSubscriptionCreate", self._create),
            ("appSubscriptionCancel", self._cancel),
            ("appUsageRecordCreate", self._usage),
            ("appSubscriptionLineItemUpdate", self._line_item_update),
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

    def approve_cap(self, subscription_id: str) -> dict[str, Any]:
        """The merchant approved the pending capped amount; the webhook body."""
        with self._lock:
            sub = self.subscriptions[subscription_id]
            sub["capCents"] = sub.pop("pendingCapCents")
            return self.webhook_body(subscription_id)

    def confirmation_page(self, charge: str) -> str | None:
        """The HTML of Shopify's approval page for charge number ``charge``."""
        found = self._by_charge(charge)
        if found is None:
            return None
        gid, sub = found
        if "pendingCapCents" in sub:
            what = f"Raise the monthly cap to ${Decimal(sub['pendingCapCents']) / 100:.2f}"
        else:
            what = f"{sub['name']}: ${Decimal(sub['priceCents']) / 100:.2f} every 30 days"
        return _PAGE.format(what=html.escape(what), gid=html.escape(gid))

    def confirm(self, charge: str, approved: bool) -> str | None:
        """The merchant's answer on the page: the webhook goes to the app; where the
        browser goes next (``returnUrl`` with ``charge_id``)."""
        found = self._by_charge(charge)
        if found is None:
            return None
        gid, sub = found
        if "pendingCapCents" in sub:
            body = self.approve_cap(gid) if approved else None
        else:
            body = self.approve(gid) if approved else self.decline(gid)
        if body is not None and self.deliver is not None:
            self.deliver("app_subscriptions/update", body)
        glue = "&" if "?" in sub["returnUrl"] else "?"
        return f"{sub['returnUrl']}{glue}charge_id={charge}"

    def _by_charge(self, charge: str) -> tuple[str, dict[str, Any]] | None:
        gid = f"gid://shopify/AppSubscription/{charge}"
        sub = self.subscriptions.get(gid)
        return None if sub is None else (gid, sub)

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

    def _line_item_update(self, shop: str, v: dict, _b: dict) -> dict[str, Any]:
        with self._lock:
            found = next(
                (
                    (gid, s)
                    for gid, s in self.subscriptions.items()
                    if s["usageItem"] == v.get("id") and s["shop"] == shop
                ),
                None,
            )
            if found is None or found[1]["status"] != "ACTIVE":
                return _answer(
                    "appSubscriptionLineItemUpdate",
                    {
                        "appSubscription": None,
                        "confirmationUrl": None,
                        "userErrors": [
                            {"field": ["id"], "message": "Subscription line item not found"}
                        ],
                    },
                )
            gid, sub = found
            cents = int(Decimal(v["cappedAmount"]["amount"]) * 100)
            if cents <= sub["capCents"]:
                return _answer(
                    "appSubscriptionLineItemUpdate",
                    {
                        "appSubscription": None,
                        "confirmationUrl": None,
                        "userErrors": [
                            {
                                "field": ["cappedAmount"],
                                "message": "The capped amount must be greater than the "
                                "existing capped amount",
                            }
                        ],
                    },
                )
            sub["pendingCapCents"] = cents
            n = gid.rsplit("/", 1)[-1]
        handle = shop.split(".")[0]
        url = (
            f"{self._origin()}/store/{handle}/charges/{n}"
            f"/confirm_update_capped_amount?signature=fake{n}"
        )
        return _answer(
            "appSubscriptionLineItemUpdate",
            {"appSubscription": {"id": gid}, "confirmationUrl": url, "userErrors": []},
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


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Approve charge · Fake Shopify</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:sans-serif;max-width:520px;margin:40px auto;padding:0 16px">
<h1>Approve charge</h1><p id="what">{what}</p><p><small>{gid}</small></p>
<form method="post"><button id="approve" name="answer" value="approve">Approve</button>
<button id="decline" name="answer" value="decline">Decline</button></form>
</body></html>"""
