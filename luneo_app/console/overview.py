"""What the console's dashboard and product list show, read from the other features."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from ..admin.onboarding import usage
from ..audit import record
from ..core.clock import utcnow
from ..core.errors import Conflict, ValidationFailed
from ..extensions import db
from ..models import Account, Brand, Product, RenderJob


def render_health(brand_id: str) -> dict[str, Any]:
    """The brand's render jobs of the last 24 hours: done, failed, waiting, typical time."""
    since = utcnow() - timedelta(hours=24)
    rows = db.session.execute(
        select(RenderJob.status, func.count(), func.avg(RenderJob.duration_ms))
        .where(RenderJob.brand_id == brand_id, RenderJob.enqueued_at >= since)
        .group_by(RenderJob.status)
    ).all()
    counts = {status: int(n) for status, n, _avg in rows}
    done = counts.get("succeeded", 0)
    failed = counts.get("failed", 0)
    waiting = sum(counts.get(s, 0) for s in ("waiting", "queued", "running", "retrying"))
    durations = [avg for status, _n, avg in rows if status == "succeeded" and avg is not None]
    finished = done + failed
    return {
        "done": done,
        "failed": failed,
        "waiting": waiting,
        "averageMs": int(durations[0]) if durations else None,
        "failureRate": round(failed / finished, 3) if finished else None,
        "healthy": finished == 0 or failed / finished < 0.05,
    }


def dashboard(brand: Brand) -> dict[str, Any]:
    """Designs and orders this month, AI spend against the cap, render health."""
    return {"usage": usage(brand), "renders": render_health(brand.id)}


def products(brand_id: str) -> list[Product]:
    """The brand's products, newest first (deleted ones left out)."""
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.brand_id == brand_id, Product.deleted_at.is_(None))
            .order_by(Product.created_at.desc())
        )
    )


def create_product(by: Account, title: str, external_id: str) -> Product:
    """A new product with an empty template, ready for the template editor. Commits."""
    title, external_id = title.strip(), external_id.strip()
    problems = {}
    if not 1 <= len(title) <= 255:
        problems["title"] = "1 to 255 characters"
    if not 1 <= len(external_id) <= 128:
        problems["externalId"] = "1 to 128 characters: your SKU or product id"
    if problems:
        raise ValidationFailed("Check the highlighted fields.", details=problems)
    taken = db.session.scalar(
        select(Product.id).where(
            Product.brand_id == by.brand_id, Product.external_id == external_id
        )
    )
    if taken:
        raise Conflict(
            "A product with this id exists already.",
            details={"externalId": "already used by another product"},
        )
    product = Product(
        brand_id=by.brand_id,
        platform="api",
        external_id=external_id,
        title=title,
        template={},
        personalizable=False,
    )
    db.session.add(product)
    db.session.flush()
    record(
        "product.created",
        actor=f"account:{by.id}",
        brand_id=by.brand_id,
        target_type="product",
        target_id=product.id,
    )
    db.session.commit()
    return product
