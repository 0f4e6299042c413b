"""Finding installs and orders: the installs list (search, filters, badges) and the
order search by name, number, platform id, design id or request id."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from ..core.clock import utcnow
from ..extensions import db
from ..models import Brand, Order, OrderItem, RenderJob, ServerError, ShopInstall
from . import health

PAGE_SIZE = 50
STATES = ("active", "suspended", "uninstalled", "unverified")


@dataclass(frozen=True)
class InstallPage:
    """One page of the installs list."""

    rows: list[Any]
    total: int
    page: int
    pages: int


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def installs(
    q: str = "",
    *,
    plan: str | None = None,
    state: str | None = None,
    badge: str | None = None,
    kind: str | None = None,
    page: int = 1,
    now: datetime | None = None,
) -> InstallPage:
    """Brands with their Shopify install (if any) and health badges, newest first."""
    now = now or utcnow()
    conditions: list[Any] = []
    q = q.strip()
    if q:
        pattern = _like(q.lower())
        conditions.append(
            or_(
                func.lower(ShopInstall.shop_domain).like(pattern, escape="\\"),
                func.lower(Brand.name).like(pattern, escape="\\"),
                Brand.id == q,
                ShopInstall.id == q,
            )
        )
    if plan:
        conditions.append(Brand.plan == plan)
    if kind:
        conditions.append(Brand.kind == kind)
    if state == "uninstalled":
        conditions.append(ShopInstall.uninstalled_at.is_not(None))
    elif state:
        conditions.append(Brand.status == state)
        if state == "active":
            conditions.append(ShopInstall.uninstalled_at.is_(None))
    src = health.sources(now)
    if badge in health.BY_NAME:
        conditions.append(health.BY_NAME[badge].condition(src))

    def joined(*columns: Any) -> Any:
        return health.joined(src, *columns)

    def page_of(number: int, counted: bool) -> list[Any]:
        columns = [Brand.id, func.count().over().label("total")] if counted else [Brand.id]
        return list(
            db.session.execute(
                joined(*columns)
                .where(*conditions)
                .order_by(Brand.created_at.desc(), Brand.id)
                .limit(PAGE_SIZE)
                .offset((number - 1) * PAGE_SIZE)
            )
        )

    def count() -> int:
        return db.session.scalar(joined(func.count()).where(*conditions)) or 0

    def pages_of(total: int) -> int:
        return max(1, -(-total // PAGE_SIZE))

    if badge in health.BY_NAME:
        # A badge filter aggregates every brand's month: once, for the page and its count.
        page = max(1, page)
        found_ids = page_of(page, counted=True)
        if found_ids:
            total = int(found_ids[0].total)
        else:  # past the last page (or nothing matches)
            total = count()
            page = min(page, pages_of(total))
            found_ids = page_of(page, counted=True) if total else []
    else:
        # The page's ids in index order (no badge work for skipped rows).
        total = count()
        page = min(max(1, page), pages_of(total))
        found_ids = page_of(page, counted=False)
    pages = pages_of(total)
    ids = [row[0] for row in found_ids]
    # The page's badges aggregate the page's brands only.
    page_src = health.sources(now, ids)
    found = db.session.execute(
        health.joined(page_src, Brand, ShopInstall, *health.badge_columns(page_src)).where(
            Brand.id.in_(ids)
        )
    ).all()
    position = {brand_id: n for n, brand_id in enumerate(ids)}
    rows = sorted(found, key=lambda row: position[row[0].id])
    return InstallPage(rows=list(rows), total=total, page=page, pages=pages)


def plans() -> list[str]:
    """The plans brands are on (for the filter)."""
    return list(db.session.scalars(select(Brand.plan).distinct().order_by(Brand.plan)))


_ORDER_NUMBER = re.compile(r"^#?(\d{1,12})$")


def orders(q: str, limit: int = 20) -> list[Order]:
    """Orders matching ``q``: Luneo order id, name (``#1001``) or number (``1001``), platform
    order id, design id, or the request id of a render job or a server error."""
    q = q.strip()
    if not q or len(q) > 128:
        return []
    names = {q}
    number = _ORDER_NUMBER.match(q)
    if number:
        names |= {f"#{number.group(1)}", number.group(1)}
    found = or_(Order.id == q, Order.name.in_(names), Order.external_id == q)
    by_design = select(OrderItem.order_id).where(OrderItem.design_id == q)
    job_designs = select(RenderJob.design_id).where(RenderJob.request_id == q)
    by_request = select(OrderItem.order_id).where(OrderItem.design_id.in_(job_designs))
    query = (
        select(Order)
        .where(or_(found, Order.id.in_(by_design), Order.id.in_(by_request)))
        .order_by(Order.created_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def server_errors(q: str) -> list[ServerError]:
    """Server errors with request id ``q``."""
    q = q.strip()
    if not q or len(q) > 64:
        return []
    return list(db.session.scalars(select(ServerError).where(ServerError.request_id == q)))
