"""A local Stripe that speaks Stripe's wire format, for the official ``stripe`` library.

Requests are form-encoded with Stripe's bracket notation (``line_items[0][price]=...``),
answers are JSON objects with ``id`` and ``object``, errors are ``{"error": {...}}`` with
Stripe's status codes, ``Idempotency-Key`` replays the first answer, and events are signed
the way Stripe signs them (``Stripe-Signature: t=...,v1=HMAC-SHA256(t.body)``).

Objects: customers, prices (found by ``lookup_keys``), Checkout sessions (subscription and
setup mode; a hosted page at ``/pay/{id}`` that completes them), subscriptions, billing
portal sessions, Billing Meter events (deduplicated by ``identifier``) and invoices.
:meth:`FakeStripe.send_event` posts a signed event to the app's ``/webhooks/stripe``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from tests.fakes._server import LocalServer

_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}_fake{next(_ids):06d}"


def parse_form(body: str) -> dict[str, Any]:
    """Stripe's bracket notation into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    """Dicts keyed 0..n become lists (Stripe's arrays)."""
    if isinstance(node, dict):
        node = {k: _lists(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """``Stripe-Signature`` for ``payload``, as Stripe computes it."""
    t = int(timestamp if timestamp is not None else time.time())
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


class FakeStripe(LocalServer):
    """Stripe's API for one account; ``api_key`` is the only key it accepts."""

    def __init__(self, api_key: str = "sk_test_luneo", webhook_secret: str = "whsec_luneo") -> None:
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.webhook_url: str | None = None  # the app's /webhooks/stripe, for send_event
        # Or a callable(body, headers) that delivers (a Flask test client in tests).
        self.deliver: Any = None
        self.lock = threading.Lock()
        self.customers: dict[str, dict[str, Any]] = {}
        self.prices: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.invoices: dict[str, dict[str, Any]] = {}
        self.meter_events: dict[str, dict[str, Any]] = {}  # by identifier
        self.products: dict[str, dict[str, Any]] = {}
        self.meters: dict[str, dict[str, Any]] = {}
        self.meter_event_calls = 0
        self.portal_sessions: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self._idempotent: dict[str, tuple[int, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.webhook_session = requests.Session()

    def start(self) -> FakeStripe:
        fake = self

        class Handler(_Handler):
            owner = fake

        return self._serve(Handler)

    # --- set-up ---------------------------------------------------------------------------
    def add_price(self, lookup_key: str, unit_amount: int, *, metered: bool = False) -> dict:
        price = {
            "id": new_id("price"),
            "object": "price",
            "active": True,
            "currency": "usd",
            "lookup_key": lookup_key,
            "unit_amount": unit_amount,
            "recurring": {"interval": "month", "usage_type": "metered" if metered else "licensed"},
            "type": "recurring",
        }
        self.prices[price["id"]] = price
        return price

    def add_plan_prices(self, plan: str, monthly: int, metered: dict[str, int]) -> None:
        self.add_price(f"luneo_{plan}_monthly", monthly)
        for metric, cents in metered.items():
            self.add_price(f"luneo_{plan}_{metric}", cents, metered=True)

    def _create_price(self, p: dict[str, Any]) -> tuple[int, Any]:
        """``POST /v1/prices``: a lookup key in use is refused unless transferred."""
        if p.get("product") not in self.products:
            return 400, _error("invalid_request_error", f"No such product: '{p.get('product')}'",
                               param="product", code="resource_missing")  # fmt: skip
        recurring = dict(p.get("recurring") or {})
        if recurring.get("usage_type") == "metered" and recurring.get("meter") not in self.meters:
            return 400, _error("invalid_request_error", "Metered prices need an active meter.",
                               param="recurring[meter]")  # fmt: skip
        key = p.get("lookup_key")
        holder = next((x for x in self.prices.values() if key and x["lookup_key"] == key), None)
        if holder is not None and p.get("transfer_lookup_key") != "true":
            return 400, _error(
                "invalid_request_error",
                f"A price ({holder['id']}) already uses that lookup key.",
                param="lookup_key",
            )
        if holder is not None:
            holder["lookup_key"] = None
        price = {
            "id": new_id("price"),
            "object": "price",
            "active": True,
            "currency": p.get("currency"),
            "lookup_key": key,
            "product": p["product"],
            "unit_amount": int(p.get("unit_amount") or 0),
            "recurring": recurring,
            "type": "recurring" if recurring else "one_time",
            "metadata": p.get("metadata") or {},
        }
        self.prices[price["id"]] = price
        return 200, price

    # --- what happens on Stripe's pages ---------------------------------------------------
    def complete_checkout(self, session_id: str) -> dict[str, Any]:
        """The customer paid on the hosted page: the subscription exists and its events are
        sent (``checkout.session.completed``, ``customer.subscription.created``,
        ``invoice.paid``). Returns the subscription."""
        with self.lock:
            session = self.sessions[session_id]
            sub = {
                "id": new_id("sub"),
                "object": "subscription",
                "customer": session["customer"],
                "status": "trialing"
                if (session.get("subscription_data") or {}).get("trial_period_days")
                else "active",
                "metadata": (session.get("subscription_data") or {}).get("metadata") or {},
                "cancel_at_period_end": False,
                "items": {
                    "object": "list",
                    "data": [
                        {
                            "id": new_id("si"),
                            "price": self.prices[i["price"]],
                            "current_period_end": int(time.time()) + 30 * 86400,
                        }
                        for i in session["line_items"]
                    ],
                },
            }
            self.subscriptions[sub["id"]] = sub
            session.update(status="complete", subscription=sub["id"])
        self.send_event("checkout.session.completed", {**session})
        self.send_event("customer.subscription.created", sub)
        self.invoice(sub["customer"], "paid", 2900)
        return sub

    def invoice(
        self, customer: str, status: str, total: int, tax: int = 0, created: int | None = None
    ) -> dict[str, Any]:
        """An invoice of the customer; ``paid`` or ``open`` (payment failed) sends its event."""
        inv = {
            "id": new_id("in"),
            "object": "invoice",
            "customer": customer,
            "number": f"LUNEO-{len(self.invoices) + 1:04d}",
            "status": status,
            "total": total,
            "tax": tax,
            "currency": "usd",
            "created": int(time.time()),
            "hosted_invoice_url": f"{self.origin}/invoice/{len(self.invoices) + 1}",
        }
        with self.lock:
            self.invoices[inv["id"]] = inv
        kind = "invoice.paid" if status == "paid" else "invoice.payment_failed"
        self.send_event(kind, inv, created=created)
        return inv

    def send_event(
        self,
        kind: str,
        obj: dict[str, Any],
        *,
        secret: str | None = None,
        event_id: str | None = None,
        created: int | None = None,
    ) -> Any:
        """POST a signed event to the app, as Stripe delivers it."""
        event = {
            "id": event_id or new_id("evt"),
            "object": "event",
            "api_version": "2025-09-30.clover",
            "created": created or int(time.time()),
            "type": kind,
            "livemode": False,
            "data": {"object": obj},
        }
        self.events.append(event)
        body = json.dumps(event).encode()
        headers = {
            "Content-Type": "application/json",
            "Stripe-Signature": signature_header(body, secret or self.webhook_secret),
        }
        if self.deliver is not None:
            return self.deliver(body, headers)
        if not self.webhook_url:
            return None
        return self.webhook_session.post(self.webhook_url, data=body, headers=headers, timeout=10)

    # --- the API --------------------------------------------------------------------------
    def handle(
        self, method: str, path: str, query: str, form: dict[str, Any], headers: Any
    ) -> tuple[int, Any]:
        auth = headers.get("Authorization", "")
        if auth != f"Bearer {self.api_key}":
            return 401, _error(
                "invalid_request_error", "Invalid API Key provided", code="api_key_invalid"
            )
        with self.lock:
            self.requests.append((method, path))
            key = headers.get("Idempotency-Key")
            if method == "POST" and key and key in self._idempotent:
                return self._idempotent[key]
        answer = self._route(method, path, parse_form(query) if method == "GET" else form)
        if method == "POST" and key:
            with self.lock:
                self._idempotent[key] = answer
        return answer

    def _route(self, method: str, path: str, p: dict[str, Any]) -> tuple[int, Any]:
        if (method, path) == ("POST", "/v1/customers"):
            customer = {
                "id": new_id("cus"),
                "object": "customer",
                "name": p.get("name"),
                "email": p.get("email") or None,
                "metadata": p.get("metadata") or {},
            }
            self.customers[customer["id"]] = customer
            return 200, customer
        if (method, path) == ("GET", "/v1/prices"):
            keys = p.get("lookup_keys")
            data = [
                x
                for x in self.prices.values()
                if (keys is None or x["lookup_key"] in keys)
                and (p.get("active") is None or str(x["active"]).lower() == p["active"])
            ]
            return 200, _page(data, p, "/v1/prices")
        if (method, path) == ("POST", "/v1/prices"):
            return self._create_price(p)
        if method == "POST" and path.startswith("/v1/prices/"):
            price = self.prices.get(path.rsplit("/", 1)[-1])
            if price is None:
                return 404, _error(
                    "invalid_request_error", "No such price", code="resource_missing"
                )
            if "active" in p:
                price["active"] = p["active"] == "true"
            price["metadata"] = {**price.get("metadata", {}), **(p.get("metadata") or {})}
            return 200, price
        if (method, path) == ("GET", "/v1/products"):
            return 200, _page(list(self.products.values()), p, "/v1/products")
        if (method, path) == ("POST", "/v1/products"):
            if not p.get("name"):
                return 400, _error("invalid_request_error", "Missing required param: name.",
                                   param="name")  # fmt: skip
            product = {
                "id": p.get("id") or new_id("prod"),
                "object": "product",
                "active": True,
                "name": p["name"],
                "description": p.get("description"),
                "metadata": p.get("metadata") or {},
            }
            self.products[product["id"]] = product
            return 200, product
        if method == "POST" and path.startswith("/v1/products/"):
            product = self.products.get(path.rsplit("/", 1)[-1])
            if product is None:
                return 404, _error("invalid_request_error", "No such product",
                                   code="resource_missing")  # fmt: skip
            for field in ("name", "description"):
                if field in p:
                    product[field] = p[field]
            product["metadata"] = {**product["metadata"], **(p.get("metadata") or {})}
            return 200, product
        if (method, path) == ("GET", "/v1/billing/meters"):
            data = [m for m in self.meters.values() if p.get("status") in (None, m["status"])]
            return 200, _page(data, p, "/v1/billing/meters")
        if (method, path) == ("POST", "/v1/billing/meters"):
            name = p.get("event_name")
            if any(m["event_name"] == name for m in self.meters.values()):
                return 400, _error(
                    "invalid_request_error",
                    f"A meter with event_name {name} already exists.",
                    param="event_name",
                )
            meter = {
                "id": new_id("mtr"),
                "object": "billing.meter",
                "status": "active",
                "display_name": p.get("display_name"),
                "event_name": name,
                "default_aggregation": p.get("default_aggregation"),
                "customer_mapping": p.get("customer_mapping"),
                "value_settings": p.get("value_settings"),
            }
            self.meters[meter["id"]] = meter
            return 200, meter
        if (method, path) == ("POST", "/v1/checkout/sessions"):
            if p.get("customer") not in self.customers:
                return 400, _error(
                    "invalid_request_error",
                    f"No such customer: '{p.get('customer')}'",
                    param="customer",
                    code="resource_missing",
                )
            for item in p.get("line_items") or []:
                if item.get("price") not in self.prices:
                    return 400, _error(
                        "invalid_request_error",
                        f"No such price: '{item.get('price')}'",
                        param="line_items",
                        code="resource_missing",
                    )
            sid = new_id("cs")
            session = {
                "id": sid,
                "object": "checkout.session",
                "url": f"{self.origin}/pay/{sid}",
                "status": "open",
                **p,
            }
            self.sessions[sid] = session
            return 200, session
        if (method, path) == ("POST", "/v1/billing_portal/sessions"):
            if p.get("customer") not in self.customers:
                return 400, _error(
                    "invalid_request_error",
                    "No such customer",
                    param="customer",
                    code="resource_missing",
                )
            portal = {
                "id": new_id("bps"),
                "object": "billing_portal.session",
                "url": f"{self.origin}/portal/{p['customer']}",
                **p,
            }
            self.portal_sessions.append(portal)
            return 200, portal
        if (method, path) == ("POST", "/v1/billing/meter_events"):
            with self.lock:
                self.meter_event_calls += 1
                ident = p.get("identifier") or new_id("mev")
                payload = p.get("payload") or {}
                if payload.get("stripe_customer_id") not in self.customers:
                    return 400, _error("invalid_request_error", "No such customer", param="payload")
                self.meter_events.setdefault(
                    ident,
                    {
                        **p,
                        "object": "billing.meter_event",
                        "identifier": ident,
                        "created": int(time.time()),
                    },
                )
                return 200, self.meter_events[ident]
        if (method, path) == ("GET", "/v1/invoices"):
            data = [i for i in self.invoices.values() if i["customer"] == p.get("customer")]
            data.sort(key=lambda i: i["created"], reverse=True)
            return 200, {
                "object": "list",
                "data": data[: int(p.get("limit") or 10)],
                "has_more": False,
                "url": "/v1/invoices",
            }
        return 404, _error("invalid_request_error", f"Unrecognized request URL ({method}: {path}).")


def _page(items: list[dict[str, Any]], p: dict[str, Any], url: str) -> dict[str, Any]:
    """A Stripe list page (``limit``, ``starting_after``)."""
    limit = int(p.get("limit") or 10)
    after = p.get("starting_after")
    if after:
        ids = [i["id"] for i in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    return {"object": "list", "data": items[:limit], "has_more": len(items) > limit, "url": url}


def _error(kind: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, **extra}}


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Fake Stripe Checkout</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:sans-serif;max-width:480px;margin:40px auto;padding:0 16px">
<h1>Subscribe</h1><p>Session {sid}</p>
<form method="post"><button id="pay" type="submit">Subscribe</button></form>
</body></html>"""


class _Handler(BaseHTTPRequestHandler):
    owner: FakeStripe

    def log_message(self, *_: Any) -> None:
        pass

    def _read(self) -> str:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode() if length else ""

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if url.path.startswith("/pay/"):
            return self._html(_PAGE.format(sid=url.path.rsplit("/", 1)[-1]))
        self._send(*self.owner.handle("GET", url.path, url.query, {}, self.headers))

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        body = self._read()
        if url.path.startswith("/pay/"):
            sid = url.path.rsplit("/", 1)[-1]
            self.owner.complete_checkout(sid)
            self.send_response(303)
            self.send_header("Location", self.owner.sessions[sid]["success_url"])
            self.end_headers()
            return
        self._send(*self.owner.handle("POST", url.path, "", parse_form(body), self.headers))

    def _html(self, text: str) -> None:
        data = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Request-Id", new_id("req"))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
