"""A fake WooCommerce store speaking the REST API v3 wire format, on a local port.

What it does as WooCommerce does (woocommerce/includes/rest-api, class-wc-auth.php):

* ``/wp-json/wc/v3/...`` needs a consumer key: HTTP basic auth only over HTTPS (this server
  is plain HTTP, so basic auth is refused like WooCommerce refuses it without SSL), else
  one-legged OAuth 1.0a in the query string, checked with WooCommerce's own algorithm
  (base string of method, URL and sorted RFC 3986-encoded parameters; HMAC-SHA1/SHA256 keyed
  by ``consumer_secret&``; timestamp within 15 minutes; nonce used once);
* errors are ``{"code", "message", "data": {"status"}}``; lists carry ``X-WP-Total`` and
  ``X-WP-TotalPages``;
* products, orders (``meta_data`` merged by key on PUT), order notes, webhooks (status
  ``active|paused|disabled``, a secret each);
* ``/wc-auth/v1/authorize``: the merchant's approval is :meth:`FakeWooCommerce.approve`,
  which gives the JSON body WooCommerce POSTs to ``callback_url``;
* :meth:`FakeWooCommerce.delivery` builds a webhook delivery as WooCommerce sends it
  (``X-WC-Webhook-*`` headers, base64 HMAC-SHA256 signature of the body), and
  :meth:`FakeWooCommerce.ping` the unsigned form-encoded ping sent when a webhook is made.

The Flask test client is not a network server, so tests carry the callback and deliveries
from this fake to the app themselves.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from tests.fakes._server import LocalServer

API = "/wp-json/wc/v3"


def _rfc3986(value: str) -> str:
    return quote(value, safe="~-._")


@dataclass
class Authorization:
    app_name: str
    scope: str
    user_id: str
    return_url: str
    callback_url: str


@dataclass
class FakeWooCommerce(LocalServer):
    """One WooCommerce store."""

    products: dict[int, dict[str, Any]] = field(default_factory=dict)
    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    notes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    webhooks: dict[int, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    authorizations: list[Authorization] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    _nonces: set[str] = field(default_factory=set)
    _fail: list[int] = field(default_factory=list)
    _next_id: int = 100
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> FakeWooCommerce:
        owner = self

        class Handler(_Handler):
            store = owner

        return self._serve(Handler)

    # --- the merchant's side --------------------------------------------------------------
    def add_product(self, name: str, images: list[str]) -> dict[str, Any]:
        with self._lock:
            product_id = self._new_id()
            body = {
                "id": product_id,
                "name": name,
                "slug": name.lower().replace(" ", "-"),
                "status": "publish",
                "date_modified_gmt": "2026-12-01T10:00:00",
                "images": [{"id": i + 1, "src": src, "alt": name} for i, src in enumerate(images)],
            }
            self.products[product_id] = body
            return body

    def add_order(self, lines: list[dict[str, Any]], status: str = "processing") -> dict[str, Any]:
        """``lines``: ``{"design": "des_..."}`` for a personalized line, ``{}`` for a plain one."""
        with self._lock:
            order_id = self._new_id()
            line_items = []
            for index, line in enumerate(lines):
                meta = []
                if line.get("design"):
                    meta.append(
                        {"id": index + 1, "key": "_luneo_design_id", "value": line["design"]}
                    )
                line_items.append(
                    {
                        "id": order_id * 10 + index,
                        "name": line.get("name", "Mug"),
                        "product_id": line.get("product_id", 1),
                        "quantity": line.get("quantity", 1),
                        "meta_data": meta,
                    }
                )
            body = {
                "id": order_id,
                "number": str(order_id),
                "status": status,
                "customer_id": 7,
                "date_modified_gmt": "2026-12-02T10:00:00",
                "meta_data": [],
                "line_items": line_items,
            }
            self.orders[order_id] = body
            return body

    def approve(self, authorization: Authorization | None = None) -> tuple[str, dict[str, Any]]:
        """The merchant clicks "Approve": a key is made; returns (callback URL, JSON body)."""
        auth = authorization or self.authorizations[-1]
        consumer_key = "ck_" + secrets.token_hex(20)
        consumer_secret = "cs_" + secrets.token_hex(20)
        with self._lock:
            key_id = len(self.keys) + 1
            self.keys[consumer_key] = {
                "secret": consumer_secret,
                "permissions": auth.scope,
                "revoked": False,
                "id": key_id,
            }
        body = {
            "key_id": key_id,
            "user_id": auth.user_id,
            "consumer_key": consumer_key,
            "consumer_secret": consumer_secret,
            "key_permissions": auth.scope,
        }
        return auth.callback_url, body

    def revoke_all_keys(self) -> None:
        """The merchant deletes Luneo's key under WooCommerce > Settings > Advanced > REST API."""
        with self._lock:
            for key in self.keys.values():
                key["revoked"] = True

    def disable_webhook(self, topic: str) -> None:
        """WooCommerce disables a webhook after too many failed deliveries."""
        with self._lock:
            for hook in self.webhooks.values():
                if hook["topic"] == topic:
                    hook["status"] = "disabled"

    def fail_next(self, status: int = 500, times: int = 1) -> None:
        with self._lock:
            self._fail.extend([status] * times)

    def delivery(self, topic: str, resource: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
        """A webhook delivery for ``topic`` as WooCommerce sends it: (URL, headers, body)."""
        with self._lock:
            hook = next(
                h for h in self.webhooks.values() if h["topic"] == topic and h["status"] == "active"
            )
        body = json.dumps(resource).encode()
        signature = base64.b64encode(
            hmac.new(hook["secret"].encode(), body, hashlib.sha256).digest()
        ).decode()
        kind, _, event = topic.partition(".")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "WooCommerce/10.3.0 Hookshot (WordPress/6.8)",
            "X-WC-Webhook-Source": self.origin + "/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": kind,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": signature,
            "X-WC-Webhook-ID": str(hook["id"]),
            "X-WC-Webhook-Delivery-ID": secrets.token_hex(16),
        }
        return hook["delivery_url"], headers, body

    def ping(self, topic: str) -> tuple[str, dict[str, str], bytes]:
        """The unsigned ping WooCommerce posts when a webhook is created."""
        hook = next(h for h in self.webhooks.values() if h["topic"] == topic)
        body = urlencode({"webhook_id": hook["id"]}).encode()
        return hook["delivery_url"], {"Content-Type": "application/x-www-form-urlencoded"}, body

    # --- the server -----------------------------------------------------------------------
    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> tuple:
        parts = urlsplit(raw_path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        self.requests.append((method, parts.path))
        if method == "GET" and parts.path in self.files:
            return 200, self.files[parts.path][0], {"Content-Type": self.files[parts.path][1]}
        if parts.path == "/wc-auth/v1/authorize":
            return self._authorize(query)
        if not parts.path.startswith(API + "/"):
            return _error(
                404, "rest_no_route", "No route was found matching the URL and request method."
            )
        with self._lock:
            if self._fail:
                status = self._fail.pop(0)
                return _error(status, "internal_server_error", "There has been a critical error.")
        refused = self._authenticate(method, parts.path, query, headers)
        if refused is not None:
            return refused
        payload = json.loads(body) if body else {}
        return self._route(method, parts.path[len(API) :], query, payload)

    def _authorize(self, query: dict[str, str]) -> tuple:
        required = ("app_name", "scope", "user_id", "return_url", "callback_url")
        missing = [name for name in required if not query.get(name)]
        if missing:
            return (
                400,
                {"code": "woocommerce_rest_missing_param", "message": f"Missing {missing}"},
                {},
            )
        if query["scope"] not in ("read", "write", "read_write"):
            return 400, {"code": "woocommerce_rest_invalid_scope", "message": "Invalid scope"}, {}
        self.authorizations.append(Authorization(**{k: query[k] for k in required}))
        return 200, {"page": "Luneo would like to connect to your store"}, {}

    def _authenticate(
        self, method: str, path: str, query: dict[str, str], headers: dict
    ) -> tuple | None:
        if headers.get("Authorization", "").startswith("Basic "):
            # Basic auth is read over SSL only (perform_basic_authentication).
            return _error(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        if "oauth_consumer_key" not in query:
            return _error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        key = self.keys.get(query["oauth_consumer_key"])
        if key is None or key["revoked"]:
            return _error(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        if abs(time.time() - int(query.get("oauth_timestamp") or 0)) > 15 * 60:
            return _error(401, "woocommerce_rest_authentication_error", "Invalid timestamp.")
        nonce = query.get("oauth_nonce", "")
        with self._lock:
            if not nonce or nonce in self._nonces:
                return _error(
                    401,
                    "woocommerce_rest_authentication_error",
                    "Invalid nonce - nonce has already been used.",
                )
            self._nonces.add(nonce)
        method_name = query.get("oauth_signature_method", "")
        digest = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}.get(method_name)
        if digest is None:
            return _error(
                401,
                "woocommerce_rest_authentication_error",
                "Invalid signature - signature method is invalid.",
            )
        params = {k: v for k, v in query.items() if k != "oauth_signature"}
        normalized = "&".join(f"{_rfc3986(k)}={_rfc3986(v)}" for k, v in sorted(params.items()))
        base = "&".join([method.upper(), _rfc3986(self.origin + path), _rfc3986(normalized)])
        expected = base64.b64encode(
            hmac.new((key["secret"] + "&").encode(), base.encode(), digest).digest()
        ).decode()
        if not hmac.compare_digest(expected, query.get("oauth_signature", "")):
            return _error(
                401,
                "woocommerce_rest_authentication_error",
                "Invalid signature - provided signature does not match.",
            )
        if method != "GET" and key["permissions"] == "read":
            return _error(
                401,
                "woocommerce_rest_cannot_edit",
                "Sorry, you are not allowed to edit this resource.",
            )
        return None

    def _route(self, method: str, path: str, query: dict[str, str], payload: Any) -> tuple:
        segments = [s for s in path.split("/") if s]
        with self._lock:
            if segments == ["products"] and method == "GET":
                items = [
                    p
                    for p in self.products.values()
                    if p["status"] == query.get("status", p["status"])
                ]
                return _page(items, query)
            if segments[:1] == ["products"] and len(segments) == 2 and method == "GET":
                product = self.products.get(_int(segments[1]))
                return (200, product, {}) if product else _invalid_id("product")
            if segments[:1] == ["orders"] and len(segments) >= 2:
                order = self.orders.get(_int(segments[1]))
                if order is None:
                    return _invalid_id("shop_order")
                if len(segments) == 2 and method == "GET":
                    return 200, order, {}
                if len(segments) == 2 and method == "PUT":
                    for meta in payload.get("meta_data") or []:
                        existing = next(
                            (m for m in order["meta_data"] if m["key"] == meta["key"]), None
                        )
                        if existing is None:
                            order["meta_data"].append({"id": self._new_id(), **meta})
                        else:
                            existing["value"] = meta["value"]
                    if "status" in payload:
                        order["status"] = payload["status"]
                    return 200, order, {}
                if segments[2:] == ["notes"] and method == "GET":
                    return 200, list(self.notes.get(order["id"], [])), {}
                if segments[2:] == ["notes"] and method == "POST":
                    note = {
                        "id": self._new_id(),
                        "note": payload.get("note", ""),
                        "customer_note": bool(payload.get("customer_note")),
                    }
                    self.notes.setdefault(order["id"], []).append(note)
                    return 201, note, {}
            if segments == ["webhooks"] and method == "POST":
                if not payload.get("topic") or not payload.get("delivery_url"):
                    return _error(
                        400,
                        "rest_missing_callback_param",
                        "Missing parameter(s): topic, delivery_url",
                    )
                hook_id = self._new_id()
                hook = {
                    "id": hook_id,
                    "name": payload.get("name", ""),
                    "status": payload.get("status", "active"),
                    "topic": payload["topic"],
                    "delivery_url": payload["delivery_url"],
                    "secret": payload.get("secret") or secrets.token_hex(16),
                }
                self.webhooks[hook_id] = hook
                return 201, {k: v for k, v in hook.items() if k != "secret"}, {}
            if segments[:1] == ["webhooks"] and len(segments) == 2:
                hook = self.webhooks.get(_int(segments[1]))
                if hook is None:
                    return _invalid_id("webhook")
                if method == "PUT":
                    hook.update(
                        {
                            k: v
                            for k, v in payload.items()
                            if k in ("status", "delivery_url", "secret")
                        }
                    )
                if method == "DELETE":
                    del self.webhooks[hook["id"]]
                return 200, {k: v for k, v in hook.items() if k != "secret"}, {}
        return _error(
            404, "rest_no_route", "No route was found matching the URL and request method."
        )


def _page(items: list[dict[str, Any]], query: dict[str, str]) -> tuple:
    per_page = max(1, min(_int(query.get("per_page", "10")), 100))
    page = max(1, _int(query.get("page", "1")))
    total = len(items)
    pages = max(1, -(-total // per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    return 200, chunk, {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}


def _invalid_id(kind: str) -> tuple:
    return _error(404, f"woocommerce_rest_{kind}_invalid_id", "Invalid ID.")


def _error(status: int, code: str, message: str) -> tuple:
    return status, {"code": code, "message": message, "data": {"status": status}}, {}


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    store: FakeWooCommerce

    def log_message(self, *_: Any) -> None:
        return

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name: value for name, value in self.headers.items()}
        status, payload, extra = self.store.handle(self.command, self.path, headers, body)
        raw = isinstance(payload, bytes)
        data = payload if raw else json.dumps(payload).encode()
        self.send_response(status)
        if not raw:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815
