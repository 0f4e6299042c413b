"""What Luneo needs from a commerce platform: one small, typed interface.

A connector does four things for Luneo, whatever the platform (Shopify, a brand's own REST
API, WooCommerce ...):

* read a product and its images (:meth:`CommerceConnector.fetch_product`);
* read an order and its line items (:meth:`CommerceConnector.fetch_order`);
* attach design information to an order (:meth:`CommerceConnector.attach_designs`);
* verify an inbound webhook (:meth:`CommerceConnector.verify_webhook`).

Values that cross this line are frozen dataclasses; failures are :class:`ConnectorError`
subclasses that say what the caller should do next (try later, re-authenticate, give up).
Connectors speak HTTP only: they never import the web application.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol, runtime_checkable

# The line item property the storefront puts on a personalized line, and the one that marks
# the add-on fee line of a design (which carries the design id too, but is not produced).
DESIGN_PROPERTY = "_luneo_design_id"
FEE_PROPERTY = "_luneo_fee_for"


class ConnectorError(Exception):
    """A call to a platform failed; ``code`` says how (``network_error``, ``throttled`` ...)."""

    def __init__(self, message: str, *, code: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class ConnectorAuthError(ConnectorError):
    """The platform refused the store's credential: it must be renewed."""


class ConnectorUnavailable(ConnectorError):
    """Network trouble, rate limit or an outage: worth trying again later."""


class ConnectorRequestError(ConnectorError):
    """The platform refused the request itself; trying again will not help."""


class WebhookRejected(ConnectorError):
    """An inbound webhook is unsigned, wrongly signed, stale or malformed."""


@dataclass(frozen=True)
class StoreAccess:
    """Where and as whom to call a store. The credential never appears in ``repr``.

    ``address`` is the shop domain for Shopify, the API base URL for a REST brand.
    """

    address: str
    credential: str = field(repr=False)


@dataclass(frozen=True)
class ProductImage:
    """One image of a product, as the platform serves it."""

    url: str
    alt: str = ""
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class ProductInfo:
    """A product as the platform describes it."""

    external_id: str
    title: str
    handle: str | None = None
    images: tuple[ProductImage, ...] = ()


@dataclass(frozen=True)
class LineItem:
    """One line of an order; ``line_number`` counts from 1 in the order's own line order."""

    external_id: str
    line_number: int
    title: str
    quantity: int
    properties: tuple[tuple[str, str], ...] = ()
    product_id: str | None = None
    # The undiscounted unit price in the shop's currency, in cents (None when the platform
    # did not say): what the fee check at order intake compares with the server's price.
    unit_price_cents: int | None = None

    def attribute(self, name: str) -> str | None:
        """The value of a line item property, or None."""
        for key, value in self.properties:
            if key == name:
                return value
        return None

    @property
    def fee_for_design(self) -> str | None:
        """The design whose personalization fee this line carries (None for other lines)."""
        if self.attribute(FEE_PROPERTY) is None:
            return None
        value = (self.attribute(DESIGN_PROPERTY) or "").strip()
        return value or None

    @property
    def design_id(self) -> str | None:
        """The Luneo design this line carries (None for plain lines and add-on fee lines)."""
        if self.attribute(FEE_PROPERTY) is not None:
            return None
        value = (self.attribute(DESIGN_PROPERTY) or "").strip()
        return value or None


@dataclass(frozen=True)
class OrderInfo:
    """An order as the platform describes it.

    ``status`` is ``open``, ``cancelled`` or ``closed``. ``attributes`` are the order-level
    note attributes (key, value) the merchant sees.
    """

    external_id: str
    name: str
    status: str
    line_items: tuple[LineItem, ...]
    customer_ref: str | None = None
    updated_at: datetime | None = None
    attributes: tuple[tuple[str, str], ...] = ()

    @property
    def design_lines(self) -> tuple[LineItem, ...]:
        """The lines that carry a Luneo design."""
        return tuple(line for line in self.line_items if line.design_id)


@dataclass(frozen=True)
class FileLink:
    """A production file of a line: its stable name, what it is and a download link."""

    name: str
    kind: str  # png | pdf | glb
    url: str


@dataclass(frozen=True)
class AttachedLine:
    """The design a line carries and the links to its production files."""

    line_item_id: str
    line_number: int
    design_id: str
    files: tuple[FileLink, ...] = ()
    # what the shopper chose, as (label, value) pairs and one readable line
    chosen: tuple[tuple[str, str], ...] = ()
    summary: str = ""


@dataclass(frozen=True)
class DesignAttachment:
    """What Luneo writes onto a store order: the designs, their files and a short note."""

    luneo_order_id: str
    lines: tuple[AttachedLine, ...]
    archive_url: str | None
    note: str

    def as_json(self) -> dict[str, Any]:
        """The machine-readable form (Shopify stores it in a ``json`` metafield)."""
        return {
            "orderId": self.luneo_order_id,
            "archiveUrl": self.archive_url,
            "lines": [
                {
                    "lineItemId": line.line_item_id,
                    "lineNumber": line.line_number,
                    "designId": line.design_id,
                    "summary": line.summary,
                    "chosen": [{"label": k, "value": v} for k, v in line.chosen],
                    "files": [{"name": f.name, "kind": f.kind, "url": f.url} for f in line.files],
                }
                for line in self.lines
            ],
        }


@dataclass(frozen=True)
class VerifiedWebhook:
    """An inbound webhook whose signature checked out."""

    topic: str
    event_id: str
    store: str
    payload: Mapping[str, Any]
    occurred_at: datetime | None = None


@runtime_checkable
class CommerceConnector(Protocol):
    """The platform adapter Luneo talks to. ``platform`` names it (``shopify``, ``rest``)."""

    platform: str

    def fetch_product(self, store: StoreAccess, product_id: str) -> ProductInfo:
        """The product and its images; ``ConnectorRequestError`` (``not_found``) if none."""
        ...

    def fetch_order(self, store: StoreAccess, order_id: str) -> OrderInfo:
        """The order and its line items; ``ConnectorRequestError`` (``not_found``) if none."""
        ...

    def attach_designs(
        self, store: StoreAccess, order_id: str, attachment: DesignAttachment
    ) -> None:
        """Write the designs and production file links onto the order (idempotent)."""
        ...

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, url: str) -> VerifiedWebhook:
        """Check an inbound webhook's signature; raises :class:`WebhookRejected`."""
        ...


def parse_time(value: Any) -> datetime | None:
    """An ISO-8601 timestamp (``Z`` allowed) as an aware datetime; None when absent or bad."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def money_cents(value: Any) -> int | None:
    """Cents from a decimal amount (``"14.50"``, ``14.5``); None when it is not an amount."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0 or amount > 10_000_000:
        return None
    return int((amount * 100).to_integral_value())


def json_object(body: bytes | str) -> dict[str, Any]:
    """A webhook body parsed as a JSON object, or ``WebhookRejected('bad_payload')``."""
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise WebhookRejected("the body is not JSON", code="bad_payload") from exc
    if not isinstance(payload, dict):
        raise WebhookRejected("the body is not a JSON object", code="bad_payload")
    return payload
