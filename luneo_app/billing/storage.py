"""Pay-to-keep storage, metered: once a month, the designs a brand keeps past their normal
retention (``designs.retention`` measures them) are billed at the plan's price per GB-month,
as one billable event per brand and month (key ``keep:{YYYY-MM}``) on the one metering
path: a second measurement in the same month is the same event, never a second charge."""

from __future__ import annotations

import math
from datetime import datetime

from ..models import Brand
from . import metering
from .plans import STORAGE_KIND, plan_named

GB = 1_000_000_000  # decimal gigabytes, as storage is sold


def amount_cents(size_bytes: int, cents_per_gb_month: int) -> int:
    """A month of ``size_bytes`` at the plan's price, rounded up to the cent."""
    return math.ceil(size_bytes * cents_per_gb_month / GB) if size_bytes > 0 else 0


def record_kept_storage(
    brand: Brand, size_bytes: int, designs: int, now: datetime | None = None
) -> bool:
    """Record this month's pay-to-keep storage of ``brand`` (True when new; the caller
    commits). Nothing is recorded for nothing kept or a plan without pay-to-keep."""
    price = plan_named(brand.plan).pay_to_keep_cents_per_gb_month
    if price is None or size_bytes <= 0:
        return False
    period = metering.period_of(now)
    return metering.record(
        brand.id,
        STORAGE_KIND,
        f"keep:{period}",
        occurred_at=now,
        details={
            "bytes": int(size_bytes),
            "designs": int(designs),
            "centsPerGbMonth": price,
            "amountCents": amount_cents(size_bytes, price),
        },
    )
