"""WooCommerce's side of the commerce interface, over the REST API v3 (``/wp-json/wc/v3``).

A store is reached with the consumer key and secret that WooCommerce's key-authorisation
flow (``/wc-auth/v1/authorize``) handed Luneo. :class:`~connectors.base.StoreAccess` carries
the site URL as ``address`` and ``{"key": "ck_...", "secret": "cs_..."}`` (JSON) as
``credential``. Over HTTPS the key and secret go as HTTP basic auth; over plain HTTP
WooCommerce only accepts one-legged OAuth 1.0a signatures in the query string (HMAC-SHA256,
signed by ``oauthlib``; the key is the consumer secret followed by ``&``).

The write-back is order meta ``_luneo_production`` (the attachment's JSON, through the
order's ``meta_data``, which WooCommerce stores with ``WC_Order`` CRUD, HPOS or not) plus one
private order note, added only when the same note is not on the order already.

Webhooks: WooCommerce signs the raw body with the webhook's secret (``X-WC-Webhook-Signature``
= base64 HMAC-SHA256). Its topic, source and delivery-id headers are not signed, so the
caller takes the store from the delivery URL and the topic from the route, never from them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, SIGNATURE_TYPE_QUERY, Client

from .base import (
    ConnectorAuthError,
    ConnectorRequestError,
    ConnectorUnavailable,
    DesignAttachment,
    LineItem,
    OrderInfo,
    ProductImage,
    ProductInfo,
    StoreAccess,
    VerifiedWebhook,
    WebhookRejected,
    json_object,
    parse_time,
)

API_PREFIX = "/wp-json/wc/v3"
SIGNATURE_HEADER = "X-WC-Webhook-Signature"
PRODUCTION_META = "_luneo_production"
# WooCommerce's order statuses as Luneo's three.
_CANCELLED = {"cancelled", "refunded", "failed", "trash"}
_CLOSED = {"completed"}
# Error codes WooCommerce answers when the key is wrong, revoked or lacks permission.
_AUTH_CODES = (
    "woocommerce_rest_authentication_error",
    "woocommerce_rest_cannot_view",
    "woocommerce_rest_cannot_edit",
    "woocommerce_rest_cannot_create",
    "rest_forbidden",
)
PAGE_SIZE = 100
MAX_PAGES = 50


@dataclass(frozen=True)
class Keys:
    """A WooCommerce REST API key pair (never in ``repr``)."""

    key: str
    secret: str

    def __repr__(self) -> str:
        return f"Keys(key={self.key[:7]}...)"

    def as_credential(self) -> str:
        """The ``StoreAccess.credential`` form (encrypt it before storing)."""
        return json.dumps({"key": self.key, "secret": self.secret})

    @classmethod
    def from_credential(cls, credential: str) -> Keys:
        try:
            data = json.loads(credential)
            return cls(str(data["key"]), str(data["secret"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ConnectorAuthError("the stored key is unreadable", code="bad_key") from exc


@dataclass(frozen=True)
class Webhook:
    """A webhook as WooCommerce lists it."""

    id: str
    topic: str
    status: str  # active | paused | disabled
    delivery_url: str


@dataclass(frozen=True)
class ProductPage:
    """One page of the store's products and how many pages there are."""

    products: tuple[ProductInfo, ...]
    total: int
    total_pages: int


def webhook_signature(secret: str, body: bytes) -> str:
    """``X-WC-Webhook-Signature`` for a body: base64 of its HMAC-SHA256 with the secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def order_from_body(body: Mapping[str, Any]) -> OrderInfo:
    """A WooCommerce order (REST v3 shape, as GET and the webhooks send it) as OrderInfo.

    Raises :class:`ConnectorRequestError` (``bad_payload``) when it names no order.
    """
    order_id = body.get("id")
    if order_id is None or isinstance(order_id, bool) or not str(order_id).strip():
        raise ConnectorRequestError("the order carries no id", code="bad_payload")
    lines = []
    raw_lines = body.get("line_items")
    for index, raw in enumerate(raw_lines if isinstance(raw_lines, list) else [], start=1):
        if not isinstance(raw, dict) or raw.get("id") is None:
            continue
        meta = tuple(
            (str(m["key"])[:255], _meta_text(m.get("value")))
            for m in raw.get("meta_data") or []
            if isinstance(m, dict) and m.get("key") is not None
        )
        lines.append(
            LineItem(
                external_id=str(raw["id"])[:128],
                line_number=index,
                title=str(raw.get("name") or "")[:255],
                quantity=_int(raw.get("quantity"), 1),
                properties=meta,
                product_id=str(raw["product_id"]) if raw.get("product_id") else None,
            )
        )
    status = str(body.get("status") or "")
    customer = body.get("customer_id")
    return OrderInfo(
        external_id=str(order_id)[:128],
        name=f"#{body.get('number') or order_id}"[:128],
        status="cancelled" if status in _CANCELLED else "closed" if status in _CLOSED else "open",
        line_items=tuple(lines),
        customer_ref=str(customer) if customer else None,
        updated_at=parse_time(_gmt(body.get("date_modified_gmt"))),
        attributes=tuple(
            (str(m["key"])[:255], _meta_text(m.get("value")))
            for m in body.get("meta_data") or []
            if isinstance(m, dict) and m.get("key") and not str(m["key"]).startswith("_")
        ),
    )


def product_from_body(body: Mapping[str, Any]) -> ProductInfo:
    """A WooCommerce product (REST v3 shape) as ProductInfo with its images."""
    if body.get("id") is None:
        raise ConnectorRequestError("the product carries no id", code="bad_payload")
    images = tuple(
        ProductImage(url=str(image["src"]), alt=str(image.get("alt") or ""))
        for image in body.get("images") or []
        if isinstance(image, dict) and image.get("src")
    )
    return ProductInfo(
        external_id=str(body["id"])[:128],
        title=str(body.get("name") or "")[:255],
        handle=str(body["slug"])[:255] if body.get("slug") else None,
        images=images,
    )


class WooCommerceConnector:
    """A WooCommerce store's REST API v3 (see the module docstring)."""

    platform = "woocommerce"

    def __init__(
        self,
        webhook_secret: str | None = None,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._webhook_secret = webhook_secret
        self.timeout = timeout
        self._transport = transport

    def __repr__(self) -> str:
        return f"WooCommerceConnector(timeout={self.timeout!r})"

    # --- the commerce interface -----------------------------------------------------------
    def fetch_product(self, store: StoreAccess, product_id: str) -> ProductInfo:
        """``GET /products/{id}``."""
        return product_from_body(self._call(store, "GET", f"/products/{_seg(product_id)}"))

    def fetch_order(self, store: StoreAccess, order_id: str) -> OrderInfo:
        """``GET /orders/{id}``."""
        return order_from_body(self._call(store, "GET", f"/orders/{_seg(order_id)}"))

    def attach_designs(
        self, store: StoreAccess, order_id: str, attachment: DesignAttachment
    ) -> None:
        """Set the ``_luneo_production`` order meta and add the note once (idempotent)."""
        path = f"/orders/{_seg(order_id)}"
        meta = {"key": PRODUCTION_META, "value": json.dumps(attachment.as_json())}
        self._call(store, "PUT", path, {"meta_data": [meta]})
        notes = self._call_list(store, "GET", f"{path}/notes", {"type": "internal"})
        if not any(isinstance(n, dict) and n.get("note") == attachment.note for n in notes):
            self._call(store, "POST", f"{path}/notes", {"note": attachment.note})

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, url: str) -> VerifiedWebhook:
        """Check ``X-WC-Webhook-Signature`` with the webhook's secret, then read the body.

        ``topic`` and ``event_id`` are left to the caller: WooCommerce does not sign them.
        """
        signature = headers.get(SIGNATURE_HEADER) or ""
        if not self._webhook_secret or not signature:
            raise WebhookRejected("the webhook is not signed", code="unsigned")
        expected = webhook_signature(self._webhook_secret, body)
        if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
            raise WebhookRejected("the webhook signature does not match", code="invalid_signature")
        payload = json_object(body)
        return VerifiedWebhook(
            topic="",
            event_id="",
            store=url,
            payload=payload,
            occurred_at=parse_time(_gmt(payload.get("date_modified_gmt"))),
        )

    # --- more of WooCommerce than the interface -------------------------------------------
    def list_products(self, store: StoreAccess, page: int = 1) -> ProductPage:
        """One page of published products, with ``X-WP-Total`` / ``X-WP-TotalPages``."""
        response = self._send(
            store, "GET", "/products", {"per_page": PAGE_SIZE, "page": page, "status": "publish"}
        )
        body = _json(response)
        products = tuple(product_from_body(p) for p in body if isinstance(p, dict))
        return ProductPage(
            products=products,
            total=_int(response.headers.get("X-WP-Total"), len(products)),
            total_pages=_int(response.headers.get("X-WP-TotalPages"), 1),
        )

    def all_products(self, store: StoreAccess) -> list[ProductInfo]:
        """Every published product, page by page (at most ``MAX_PAGES`` pages)."""
        first = self.list_products(store, 1)
        products = list(first.products)
        for page in range(2, min(first.total_pages, MAX_PAGES) + 1):
            products.extend(self.list_products(store, page).products)
        return products

    def create_webhook(
        self, store: StoreAccess, topic: str, delivery_url: str, secret: str
    ) -> Webhook:
        """``POST /webhooks``: an active webhook for ``topic`` to ``delivery_url``."""
        body = self._call(
            store,
            "POST",
            "/webhooks",
            {
                "name": f"Luneo {topic}",
                "topic": topic,
                "delivery_url": delivery_url,
                "secret": secret,
                "status": "active",
            },
        )
        return _webhook(body)

    def get_webhook(self, store: StoreAccess, webhook_id: str) -> Webhook:
        """``GET /webhooks/{id}`` (WooCommerce disables a webhook after failed deliveries)."""
        return _webhook(self._call(store, "GET", f"/webhooks/{_seg(webhook_id)}"))

    def enable_webhook(self, store: StoreAccess, webhook_id: str) -> Webhook:
        """``PUT /webhooks/{id}`` with ``status: active``."""
        body = self._call(store, "PUT", f"/webhooks/{_seg(webhook_id)}", {"status": "active"})
        return _webhook(body)

    def delete_webhook(self, store: StoreAccess, webhook_id: str) -> None:
        """``DELETE /webhooks/{id}?force=true``; an already deleted webhook is fine."""
        try:
            self._call(store, "DELETE", f"/webhooks/{_seg(webhook_id)}", params={"force": "true"})
        except ConnectorRequestError as exc:
            if exc.code != "not_found":
                raise

    # --- HTTP -----------------------------------------------------------------------------
    def _call(
        self,
        store: StoreAccess,
        method: str,
        path: str,
        payload: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        body = _json(self._send(store, method, path, params, payload))
        return body if isinstance(body, dict) else {}

    def _call_list(
        self, store: StoreAccess, method: str, path: str, params: Mapping[str, Any] | None = None
    ) -> list[Any]:
        body = _json(self._send(store, method, path, params))
        return body if isinstance(body, list) else []

    def _send(
        self,
        store: StoreAccess,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        payload: Any = None,
    ) -> httpx.Response:
        keys = Keys.from_credential(store.credential)
        url = store.address.rstrip("/") + API_PREFIX + path
        if params:
            url += "?" + urlencode({k: str(v) for k, v in params.items()})
        headers = {"Accept": "application/json", "User-Agent": "Luneo"}
        auth: tuple[str, str] | None = None
        if urlsplit(url).scheme == "https":
            auth = (keys.key, keys.secret)
        else:
            # Plain HTTP: WooCommerce wants a one-legged OAuth 1.0a signature in the query.
            signer = Client(
                keys.key,
                client_secret=keys.secret,
                signature_method=SIGNATURE_HMAC_SHA256,
                signature_type=SIGNATURE_TYPE_QUERY,
            )
            url, _, _ = signer.sign(url, method)
        try:
            with httpx.Client(
                transport=self._transport, timeout=self.timeout, follow_redirects=False
            ) as client:
                response = client.request(method, url, json=payload, headers=headers, auth=auth)
        except httpx.HTTPError as exc:
            raise ConnectorUnavailable(
                f"could not reach the store: {type(exc).__name__}", code="network_error"
            ) from exc
        _raise_for_status(response, method, path)
        return response


def _raise_for_status(response: httpx.Response, method: str, path: str) -> None:
    status = response.status_code
    if status < 300:
        return
    code, message = "", ""
    try:
        error = response.json()
        if isinstance(error, dict):
            code, message = str(error.get("code") or ""), str(error.get("message") or "")
    except ValueError:
        pass
    if status == 401 or (status == 403 and code in _AUTH_CODES):
        raise ConnectorAuthError(
            f"the store refused the key: {code or status}", code="unauthorized", status=status
        )
    if status == 404:
        raise ConnectorRequestError(f"{path} not found", code="not_found", status=404)
    if status == 429 or status >= 500:
        raise ConnectorUnavailable(
            f"the store answered {status}", code="unavailable", status=status
        )
    raise ConnectorRequestError(
        f"the store refused {method} {path}: {status} {code} {message}"[:400],
        code="request_refused",
        status=status,
    )


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError as exc:
        raise ConnectorRequestError("the store answered no JSON", code="bad_answer") from exc


def _webhook(body: Mapping[str, Any]) -> Webhook:
    return Webhook(
        id=str(body.get("id") or ""),
        topic=str(body.get("topic") or ""),
        status=str(body.get("status") or ""),
        delivery_url=str(body.get("delivery_url") or ""),
    )


def _seg(value: str) -> str:
    return quote(str(value), safe="")


def _int(value: Any, default: int) -> int:
    try:
        return max(0, min(int(value), 1_000_000))
    except (TypeError, ValueError):
        return default


def _gmt(value: Any) -> Any:
    """WooCommerce's ``*_gmt`` times carry no zone: they are UTC."""
    if isinstance(value, str) and value and value[-1] not in "Zz" and "+" not in value[10:]:
        return value + "Z"
    return value


def _meta_text(value: Any) -> str:
    return (value if isinstance(value, str) else json.dumps(value))[:2000]
