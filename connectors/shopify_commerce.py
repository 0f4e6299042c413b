"""Shopify's side of the commerce interface (``connectors.base``), over the Admin GraphQL API.

:class:`ShopifyCommerce` is mixed into :class:`connectors.shopify.ShopifyAdmin`, which gives
it ``graphql`` (errors already mapped to the connector errors) and the app's secrets. It reads
a product with its images and an order with its line items, writes Luneo's designs onto an
order (a ``json`` metafield in the ``luneo`` namespace and one order note attribute, in a
single mutation) and verifies webhooks with ``shopifyapp``.

:func:`order_from_webhook` turns an ``orders/*`` webhook body (REST shape) into the same
:class:`~connectors.base.OrderInfo` that :meth:`ShopifyCommerce.fetch_order` returns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from shopify_app import verify_webhook_req

from .base import (
    ConnectorRequestError,
    DesignAttachment,
    LineItem,
    OrderInfo,
    ProductImage,
    ProductInfo,
    StoreAccess,
    VerifiedWebhook,
    WebhookRejected,
    json_object,
    money_cents,
    parse_time,
)

METAFIELD_NAMESPACE = "luneo"
METAFIELD_KEY = "production"
NOTE_ATTRIBUTE = "Luneo"
MAX_LINE_ITEMS = 250

ORDER_QUERY = (
    "query LuneoOrderRead($id: ID!) { order(id: $id) { id legacyResourceId name "
    "cancelledAt closedAt updatedAt customer { id } customAttributes { key value } "
    f"lineItems(first: {MAX_LINE_ITEMS}) {{ nodes {{ id name quantity "
    "customAttributes { key value } product { id } "
    "originalUnitPriceSet { shopMoney { amount currencyCode } } } } } }"
)

PRODUCT_QUERY = (
    "query LuneoProductRead($id: ID!) { product(id: $id) { id legacyResourceId title handle "
    "media(first: 20) { nodes { ... on MediaImage { image { url altText width height } } } } "
    "} }"
)

WRITE_BACK_MUTATION = (
    "mutation LuneoOrderWriteBack($metafields: [MetafieldsSetInput!]!, $order: OrderInput!) { "
    "metafieldsSet(metafields: $metafields) { metafields { id namespace key } "
    "userErrors { field message code } } "
    "orderUpdate(input: $order) { order { id } userErrors { field message } } }"
)

# Luneo's Cart Transform (extensions/luneo-fee-transform): the function's handle, and the
# app-installation metafield the theme block reads (``app.metafields.luneo.fee_mode``) to know
# the fee is carried by the transform rather than by fee-product units.
FEE_FUNCTION_HANDLE = "luneo-fee-transform"
FEE_MODE_KEY = "fee_mode"
CART_TRANSFORMS_QUERY = (
    "query LuneoCartTransforms { cartTransforms(first: 25) { nodes { id functionId } } "
    "currentAppInstallation { id } }"
)
CART_TRANSFORM_CREATE = (
    "mutation LuneoCartTransformCreate($handle: String!) { "
    "cartTransformCreate(functionHandle: $handle, blockOnFailure: false) { "
    "cartTransform { id functionId } userErrors { field message code } } }"
)
FEE_MODE_SET = (
    "mutation LuneoFeeModeSet($metafields: [MetafieldsSetInput!]!) { "
    "metafieldsSet(metafields: $metafields) { metafields { id } "
    "userErrors { field message code } } }"
)


def gid(kind: str, external_id: str) -> str:
    """``gid://shopify/{kind}/{id}`` (a gid is returned unchanged)."""
    text = str(external_id)
    return text if text.startswith("gid://") else f"gid://shopify/{kind}/{text}"


def legacy_id(value: Any) -> str:
    """``123`` for ``gid://shopify/Order/123`` or ``123``."""
    return str(value).rsplit("/", 1)[-1]


def order_from_webhook(payload: Mapping[str, Any]) -> OrderInfo:
    """An ``orders/create|updated|cancelled`` webhook body as an :class:`OrderInfo`.

    Lines are numbered in the order the payload lists them. Raises
    :class:`ConnectorRequestError` (``bad_payload``) when the body names no order.
    """
    order_id = payload.get("id")
    if order_id is None or isinstance(order_id, bool) or not str(order_id).strip():
        raise ConnectorRequestError("the order webhook carries no order id", code="bad_payload")
    lines = []
    raw_lines = payload.get("line_items")
    for index, raw in enumerate(raw_lines if isinstance(raw_lines, list) else [], start=1):
        if not isinstance(raw, dict) or raw.get("id") is None:
            continue
        lines.append(
            LineItem(
                external_id=legacy_id(raw["id"]),
                line_number=index,
                title=str(raw.get("title") or raw.get("name") or "")[:255],
                quantity=_quantity(raw.get("quantity")),
                properties=_pairs(raw.get("properties"), "name", "value"),
                product_id=None if raw.get("product_id") is None else str(raw["product_id"]),
                unit_price_cents=_shop_price(raw),
            )
        )
    customer = payload.get("customer")
    customer_id = customer.get("id") if isinstance(customer, dict) else None
    return OrderInfo(
        external_id=legacy_id(order_id),
        name=str(payload.get("name") or f"#{order_id}")[:128],
        status=_status(payload.get("cancelled_at"), payload.get("closed_at")),
        line_items=tuple(lines),
        customer_ref=None if customer_id is None else str(customer_id),
        updated_at=parse_time(payload.get("updated_at")),
        attributes=_pairs(payload.get("note_attributes"), "name", "value"),
    )


class ShopifyCommerce:
    """The commerce interface on top of an Admin GraphQL client (mixed into ShopifyAdmin)."""

    platform = "shopify"
    _config: Any

    def graphql(
        self,
        shop_domain: str,
        access_token: str,
        query: str,
        variables: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:  # pragma: no cover - provided by ShopifyAdmin
        raise NotImplementedError

    def fetch_product(self, store: StoreAccess, product_id: str) -> ProductInfo:
        """The product, its title and handle, and its images (up to 20)."""
        data = self.graphql(
            store.address, store.credential, PRODUCT_QUERY, {"id": gid("Product", product_id)}
        )
        node = data.get("product")
        if not isinstance(node, dict):
            raise ConnectorRequestError(f"no product {product_id}", code="not_found", status=404)
        images = []
        for media in (node.get("media") or {}).get("nodes") or []:
            image = (media or {}).get("image") if isinstance(media, dict) else None
            if isinstance(image, dict) and image.get("url"):
                images.append(
                    ProductImage(
                        url=str(image["url"]),
                        alt=str(image.get("altText") or ""),
                        width=image.get("width"),
                        height=image.get("height"),
                    )
                )
        return ProductInfo(
            external_id=str(node.get("legacyResourceId") or legacy_id(node.get("id"))),
            title=str(node.get("title") or "")[:255],
            handle=node.get("handle"),
            images=tuple(images),
        )

    def fetch_order(self, store: StoreAccess, order_id: str) -> OrderInfo:
        """The order with its line items (numbered as Shopify lists them) and attributes."""
        data = self.graphql(
            store.address, store.credential, ORDER_QUERY, {"id": gid("Order", order_id)}
        )
        node = data.get("order")
        if not isinstance(node, dict):
            raise ConnectorRequestError(f"no order {order_id}", code="not_found", status=404)
        lines = []
        for index, raw in enumerate((node.get("lineItems") or {}).get("nodes") or [], start=1):
            if not isinstance(raw, dict) or not raw.get("id"):
                continue
            product = raw.get("product")
            lines.append(
                LineItem(
                    external_id=legacy_id(raw["id"]),
                    line_number=index,
                    title=str(raw.get("name") or "")[:255],
                    quantity=_quantity(raw.get("quantity")),
                    properties=_pairs(raw.get("customAttributes"), "key", "value"),
                    product_id=legacy_id(product["id"]) if isinstance(product, dict) else None,
                    unit_price_cents=money_cents(
                        ((raw.get("originalUnitPriceSet") or {}).get("shopMoney") or {}).get(
                            "amount"
                        )
                    ),
                )
            )
        customer = node.get("customer")
        return OrderInfo(
            external_id=str(node.get("legacyResourceId") or legacy_id(node.get("id"))),
            name=str(node.get("name") or "")[:128],
            status=_status(node.get("cancelledAt"), node.get("closedAt")),
            line_items=tuple(lines),
            customer_ref=legacy_id(customer["id"]) if isinstance(customer, dict) else None,
            updated_at=parse_time(node.get("updatedAt")),
            attributes=_pairs(node.get("customAttributes"), "key", "value"),
        )

    def ensure_cart_transform(self, store: StoreAccess) -> str:
        """Luneo's Cart Transform on the shop (created unless the app has one), and the
        ``luneo.fee_mode = transform`` app metafield the theme block reads; returns its gid.

        Safe to call again: Shopify lists only this app's transforms, so an existing one is
        kept. Raises :class:`ConnectorRequestError` with Shopify's user errors.
        """
        data = self.graphql(store.address, store.credential, CART_TRANSFORMS_QUERY)
        nodes = ((data.get("cartTransforms") or {}).get("nodes")) or []
        installation = (data.get("currentAppInstallation") or {}).get("id")
        transform_id = next((n.get("id") for n in nodes if isinstance(n, dict)), None)
        if not transform_id:
            created = (
                self.graphql(
                    store.address,
                    store.credential,
                    CART_TRANSFORM_CREATE,
                    {"handle": FEE_FUNCTION_HANDLE},
                ).get("cartTransformCreate")
                or {}
            )
            _user_errors(created, "cartTransformCreate")
            transform_id = (created.get("cartTransform") or {}).get("id")
        if not transform_id:
            raise ConnectorRequestError("Shopify made no cart transform", code="no_transform")
        if installation:
            result = (
                self.graphql(
                    store.address,
                    store.credential,
                    FEE_MODE_SET,
                    {
                        "metafields": [
                            {
                                "ownerId": installation,
                                "namespace": METAFIELD_NAMESPACE,
                                "key": FEE_MODE_KEY,
                                "type": "single_line_text_field",
                                "value": "transform",
                            }
                        ]
                    },
                ).get("metafieldsSet")
                or {}
            )
            _user_errors(result, "metafieldsSet")
        return str(transform_id)

    def attach_designs(
        self, store: StoreAccess, order_id: str, attachment: DesignAttachment
    ) -> None:
        """One mutation: the ``luneo.production`` metafield and the ``Luneo`` note attribute.

        ``orderUpdate`` replaces the whole attribute list, so the order's current attributes
        are read first and kept; only Luneo's own attribute is replaced. Setting the same
        values twice changes nothing, so a retried write-back is harmless.
        """
        current = self.fetch_order(store, order_id)
        attributes = [
            {"key": key, "value": value}
            for key, value in current.attributes
            if key != NOTE_ATTRIBUTE
        ]
        attributes.append({"key": NOTE_ATTRIBUTE, "value": attachment.note})
        owner = gid("Order", order_id)
        variables = {
            "metafields": [
                {
                    "ownerId": owner,
                    "namespace": METAFIELD_NAMESPACE,
                    "key": METAFIELD_KEY,
                    "type": "json",
                    "value": json.dumps(attachment.as_json(), separators=(",", ":")),
                }
            ],
            "order": {"id": owner, "customAttributes": attributes},
        }
        data = self.graphql(store.address, store.credential, WRITE_BACK_MUTATION, variables)
        problems = [
            str(error.get("message") or error)
            for part in ("metafieldsSet", "orderUpdate")
            for error in ((data.get(part) or {}).get("userErrors") or [])
            if isinstance(error, dict)
        ]
        if problems:
            raise ConnectorRequestError(
                "Shopify refused the write-back: " + "; ".join(problems)[:400],
                code="user_errors",
                status=200,
            )

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, url: str) -> VerifiedWebhook:
        """Check ``X-Shopify-Hmac-Sha256`` (current or previous secret) and read the body."""
        signature = headers.get("X-Shopify-Hmac-Sha256")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WebhookRejected("the body is not UTF-8", code="invalid_hmac") from exc
        request = {
            "method": "POST",
            "headers": {"X-Shopify-Hmac-Sha256": signature or ""},
            "url": url,
            "body": text,
        }
        if not signature or not verify_webhook_req(request, self._config).ok:  # type: ignore[arg-type]
            raise WebhookRejected("the webhook signature does not match", code="invalid_hmac")
        payload = json_object(text)
        return VerifiedWebhook(
            topic=headers.get("X-Shopify-Topic", ""),
            event_id=headers.get("X-Shopify-Webhook-Id", ""),
            store=headers.get("X-Shopify-Shop-Domain", ""),
            payload=payload,
            occurred_at=parse_time(headers.get("X-Shopify-Triggered-At")),
        )


def _pairs(value: Any, key_name: str, value_name: str) -> tuple[tuple[str, str], ...]:
    """``[{"name": k, "value": v}]`` (or ``{"key": ...}``) as ``((k, v), ...)``."""
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and item.get(key_name) is not None:
            out.append((str(item[key_name])[:255], str(item.get(value_name) or "")[:2000]))
    return tuple(out)


def _user_errors(payload: Mapping[str, Any], what: str) -> None:
    errors = payload.get("userErrors") or []
    if errors:
        text = "; ".join(str(e.get("message")) for e in errors if isinstance(e, dict))
        raise ConnectorRequestError(f"{what}: {text}"[:500], code="user_errors")


def _shop_price(raw: Mapping[str, Any]) -> int | None:
    """A REST line's undiscounted unit price in the shop's currency (``price_set.shop_money``,
    else ``price``, which Shopify gives in the shop's currency too), in cents."""
    price_set = raw.get("price_set")
    if isinstance(price_set, dict) and isinstance(price_set.get("shop_money"), dict):
        cents = money_cents(price_set["shop_money"].get("amount"))
        if cents is not None:
            return cents
    return money_cents(raw.get("price"))


def _quantity(value: Any) -> int:
    try:
        return max(0, min(int(value), 1_000_000))
    except (TypeError, ValueError):
        return 1


def _status(cancelled_at: Any, closed_at: Any) -> str:
    if cancelled_at:
        return "cancelled"
    if closed_at:
        return "closed"
    return "open"
