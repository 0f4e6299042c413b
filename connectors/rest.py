"""The generic REST connector: a brand's own commerce API, called with a bearer token.

A brand that sells on its own platform exposes three JSON endpoints under a base URL (the
:class:`~connectors.base.StoreAccess` ``address``; the credential is sent as
``Authorization: Bearer ...``):

``GET {base}/products/{id}``
    ``{"id", "title", "handle"?, "images": [{"url", "alt"?, "width"?, "height"?}]}``
``GET {base}/orders/{id}``
    ``{"id", "name", "status": "open"|"cancelled"|"closed", "updatedAt"?, "customerRef"?,
    "attributes"?: {k: v}, "lineItems": [{"id", "title", "quantity", "productId"?,
    "properties": {"_luneo_design_id": "des_..."}}]}``
``PUT {base}/orders/{id}/luneo``
    Luneo's designs and production links (:meth:`DesignAttachment.as_json` plus ``note``);
    a PUT, so repeating it is harmless.

Its order events to Luneo are signed like Luneo's own webhooks (:mod:`connectors.signatures`:
``Luneo-Signature: t=...,v1=...``, HMAC-SHA256 over ``"{t}.{raw body}"``) with the brand's
inbound secret. The event's id and type are inside the signed body, never only in headers::

    {"id": "evt_1", "type": "order.created", "createdAt"?: "...",
     "data": {"order": {...the GET /orders/{id} shape...}} | {"orderId": "1001"}}

Luneo's write-back to the brand goes through Luneo's outbound webhooks (signed the same way),
not through this client; :meth:`RestConnector.attach_designs` is the direct form of the same
write for callers that hold the brand's key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from . import signatures
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

_STATUSES = {"open", "cancelled", "closed"}
_EVENT_ID = re.compile(r"^[\x21-\x7e]{1,100}$")


EVENT_TYPES = frozenset({"order.created", "order.updated", "order.cancelled"})


def order_from_body(body: Mapping[str, Any], order_id: str | None = None) -> OrderInfo:
    """A brand's order (the ``GET /orders/{id}`` shape) as :class:`OrderInfo`.

    Raises :class:`ConnectorRequestError` (``bad_payload``) when it names no order.
    """
    external = body.get("id") if body.get("id") is not None else order_id
    if external is None or isinstance(external, bool) or not str(external).strip():
        raise ConnectorRequestError("the order carries no id", code="bad_payload")
    lines = []
    raw_lines = body.get("lineItems")
    for index, raw in enumerate(raw_lines if isinstance(raw_lines, list) else [], start=1):
        if not isinstance(raw, dict) or raw.get("id") is None:
            continue
        props = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}
        lines.append(
            LineItem(
                external_id=str(raw["id"])[:128],
                line_number=index,
                title=str(raw.get("title") or "")[:255],
                quantity=_int_or_none(raw.get("quantity")) or 1,
                properties=tuple((str(k)[:255], str(v)[:2000]) for k, v in props.items()),
                product_id=None if raw.get("productId") is None else str(raw["productId"]),
            )
        )
    status = str(body.get("status") or "open")
    attributes = body.get("attributes") if isinstance(body.get("attributes"), dict) else {}
    return OrderInfo(
        external_id=str(external)[:128],
        name=str(body.get("name") or external)[:128],
        status=status if status in _STATUSES else "open",
        line_items=tuple(lines),
        customer_ref=None if body.get("customerRef") is None else str(body["customerRef"])[:128],
        updated_at=parse_time(body.get("updatedAt")),
        attributes=tuple((str(k), str(v)) for k, v in attributes.items()),
    )


class RestConnector:
    """A brand's REST commerce API (see the module docstring for the contract)."""

    platform = "rest"

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
        return f"RestConnector(timeout={self.timeout!r})"

    def fetch_product(self, store: StoreAccess, product_id: str) -> ProductInfo:
        """``GET /products/{id}``."""
        body = self._call(store, "GET", f"/products/{quote(product_id, safe='')}")
        images = tuple(
            ProductImage(
                url=str(image["url"]),
                alt=str(image.get("alt") or ""),
                width=_int_or_none(image.get("width")),
                height=_int_or_none(image.get("height")),
            )
            for image in body.get("images") or []
            if isinstance(image, dict) and image.get("url")
        )
        return ProductInfo(
            external_id=str(body.get("id") or product_id),
            title=str(body.get("title") or "")[:255],
            handle=body.get("handle"),
            images=images,
        )

    def fetch_order(self, store: StoreAccess, order_id: str) -> OrderInfo:
        """``GET /orders/{id}``."""
        body = self._call(store, "GET", f"/orders/{quote(order_id, safe='')}")
        return order_from_body(body, order_id)

    def attach_designs(
        self, store: StoreAccess, order_id: str, attachment: DesignAttachment
    ) -> None:
        """``PUT /orders/{id}/luneo`` with the designs, file links and note."""
        payload = {**attachment.as_json(), "note": attachment.note}
        self._call(store, "PUT", f"/orders/{quote(order_id, safe='')}/luneo", payload)

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, url: str) -> VerifiedWebhook:
        """Check ``Luneo-Signature`` with the brand's inbound secret, then read the event.

        The event id and type come from the signed body (``id``, ``type``); an event
        without them, or of a type Luneo does not take, is ``bad_payload``.
        """
        if not self._webhook_secret:
            raise WebhookRejected("no inbound secret is set for this brand", code="unsigned")
        try:
            signatures.verify(self._webhook_secret, headers.get(signatures.HEADER), body)
        except signatures.SignatureMismatch as exc:
            raise WebhookRejected(str(exc), code="invalid_signature") from exc
        payload = json_object(body)
        event_id, event_type = payload.get("id"), payload.get("type")
        if not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
            raise WebhookRejected("the event has no valid id", code="bad_payload")
        if event_type not in EVENT_TYPES:
            raise WebhookRejected(
                f"the event type must be one of {sorted(EVENT_TYPES)}", code="bad_payload"
            )
        data = payload.get("data")
        if not isinstance(data, dict) or not (
            isinstance(data.get("order"), dict)
            or (isinstance(data.get("orderId"), str | int) and str(data["orderId"]).strip())
        ):
            raise WebhookRejected(
                "data must carry the order, or the orderId to read it", code="bad_payload"
            )
        return VerifiedWebhook(
            topic=event_type,
            event_id=event_id,
            store=url,
            payload=payload,
            occurred_at=parse_time(payload.get("createdAt")),
        )

    def _call(
        self, store: StoreAccess, method: str, path: str, payload: Any = None
    ) -> dict[str, Any]:
        url = store.address.rstrip("/") + path
        headers = {
            "Authorization": f"Bearer {store.credential}",
            "Accept": "application/json",
            "User-Agent": "Luneo",
        }
        try:
            with httpx.Client(transport=self._transport, timeout=self.timeout) as client:
                response = client.request(method, url, json=payload, headers=headers)
        except httpx.HTTPError as exc:
            raise ConnectorUnavailable(
                f"could not reach the store: {type(exc).__name__}", code="network_error"
            ) from exc
        status = response.status_code
        if status in (401, 403):
            raise ConnectorAuthError("the store refused the credential", code="unauthorized")
        if status == 404:
            raise ConnectorRequestError(f"{path} not found", code="not_found", status=404)
        if status == 429 or status >= 500:
            raise ConnectorUnavailable(
                f"the store answered {status}", code="unavailable", status=status
            )
        if status >= 400:
            raise ConnectorRequestError(
                f"the store refused {method} {path}: {status}",
                code="request_refused",
                status=status,
            )
        if not response.content:
            return {}
        try:
            body = response.json()
        except ValueError as exc:
            raise ConnectorRequestError("the store answered no JSON", code="bad_answer") from exc
        return body if isinstance(body, dict) else {}


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
