"""Was the personalization fee paid? Checked on every order Luneo takes in.

A personalized line carries its design (``_luneo_design_id``); its fee is carried by lines
marked ``_luneo_fee_for`` with the same design: the Cart Transform's fee component (exact
price) or, on shops without the transform, fee-product units (rounded up). What is compared:
the undiscounted unit prices in the shop's currency the platform reports (Shopify's
``price_set.shop_money``), times quantities, against Luneo's own price of each design times
the quantity ordered. Discount codes, automatic discounts and presentment currencies change
neither side, so they never make a problem. A fee removed or reduced (a shopper editing line
properties, a theme dropping the fee line) becomes an ``fee_unpaid`` order problem, shown in
the admin and sent to the brand as ``order.problem``; production still goes on (the shopper
has paid for the product and the merchant decides).

Lines whose platform reports no prices (``POST /v1/orders``: brands state prices with
``statedPrices`` instead) are not checked here.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from connectors.base import LineItem

from ..designs.service import price_of
from ..extensions import db
from ..models import Brand, Design, Order
from ..outbound.events import order_problem
from .problems import add_problem

log = logging.getLogger("luneo.orders.fees")


@dataclass(frozen=True)
class FeeShortfall:
    """A design whose fee was not paid in full: expected and paid, in the shop's cents."""

    design_id: str
    expected_cents: int
    paid_cents: int
    currency: str
    line_item_id: str
    line_number: int


def shortfalls(brand: Brand, lines: tuple[LineItem, ...]) -> list[FeeShortfall]:
    """The designs of ``lines`` whose fee was removed or reduced (nothing read is written)."""
    ordered: dict[str, list[LineItem]] = defaultdict(list)
    for line in lines:
        if line.design_id and line.unit_price_cents is not None:
            ordered[line.design_id].append(line)
    if not ordered:
        return []
    paid: dict[str, int] = defaultdict(int)
    unknown: set[str] = set()
    for line in lines:
        design_id = line.fee_for_design
        if not design_id:
            continue
        if line.unit_price_cents is None:
            unknown.add(design_id)  # a fee line whose price nobody told us: not judged
        else:
            paid[design_id] += line.unit_price_cents * line.quantity
    designs = {
        d.id: d
        for d in db.session.scalars(
            select(Design).where(Design.brand_id == brand.id, Design.id.in_(list(ordered)))
        )
    }
    found = []
    for design_id, design_lines in ordered.items():
        design = designs.get(design_id)
        if design is None or design_id in unknown:
            continue  # unknown designs are their own problem (intake)
        price = price_of(design)
        expected = price.add_on_cents * sum(line.quantity for line in design_lines)
        if expected <= 0 or paid[design_id] >= expected:
            continue
        first = design_lines[0]
        found.append(
            FeeShortfall(
                design_id,
                expected,
                paid[design_id],
                price.currency,
                first.external_id[:128],
                first.line_number,
            )
        )
    return found


def _money(cents: int, currency: str) -> str:
    return f"{cents / 100:.2f} {currency}"


def check_fees(order: Order, brand: Brand, lines: tuple[LineItem, ...]) -> int:
    """Record a ``fee_unpaid`` problem (and queue ``order.problem``) per design whose fee was
    not paid in full; returns how many are new. Adds to the caller's unit of work."""
    new = 0
    for short in shortfalls(brand, lines):
        message = (
            f"Line {short.line_number}: the personalization fee was not paid in full "
            f"({_money(short.paid_cents, short.currency)} paid, "
            f"{_money(short.expected_cents, short.currency)} due before discounts). "
            "The fee line was removed or changed in the cart."
        )
        details = {
            "lineItemId": short.line_item_id,
            "lineNumber": short.line_number,
            "designId": short.design_id,
            "expectedCents": short.expected_cents,
            "paidCents": short.paid_cents,
            "currency": short.currency,
        }
        if not add_problem(order, "fee_unpaid", message, **details):
            continue
        new += 1
        log.warning("order %s: fee_unpaid", order.id, extra={"line": short.line_number})
        order_problem(brand, order, "fee_unpaid", message, details)
    return new
