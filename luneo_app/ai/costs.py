"""What a generation costs, and the staff report of costs per brand, provider and day."""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, func, select

from ..extensions import db
from ..models import Brand, UsageRecord
from .providers import Artwork

MAX_REPORT_DAYS = 366


def cost_cents(art: Artwork, config: Mapping[str, Any]) -> int:
    """Cents a provider charged for ``art``: per image plus per million tokens, rounded up.

    The procedural generator costs nothing.
    """
    if art.provider == "procedural":
        return 0
    cents = art.images * config["AI_PRICE_CENTS_PER_IMAGE"]
    cents += art.tokens_in * config["AI_PRICE_CENTS_PER_MTOK_IN"] / 1_000_000
    cents += art.tokens_out * config["AI_PRICE_CENTS_PER_MTOK_OUT"] / 1_000_000
    return int(math.ceil(cents - 1e-9))


@dataclass(frozen=True)
class CostRow:
    """Usage of one brand with one provider on one day."""

    day: str
    brand_id: str
    brand_name: str
    provider: str
    generations: int
    images: int
    tokens_in: int
    tokens_out: int
    cost_cents: int


def _day_expression() -> Any:
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", UsageRecord.occurred_at), "YYYY-MM-DD")
    return func.substr(func.cast(UsageRecord.occurred_at, String), 1, 10)


def cost_rows(start: date, end: date) -> list[CostRow]:
    """AI usage between ``start`` and ``end`` (inclusive, UTC days), one row per day, brand
    and provider, ordered by day then brand."""
    since = datetime.combine(start, time.min, tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    day = _day_expression().label("day")
    query = (
        select(
            day,
            UsageRecord.brand_id,
            Brand.name,
            UsageRecord.provider,
            func.count(),
            func.coalesce(func.sum(UsageRecord.units), 0),
            func.coalesce(func.sum(UsageRecord.tokens_in), 0),
            func.coalesce(func.sum(UsageRecord.tokens_out), 0),
            func.coalesce(func.sum(UsageRecord.cost_cents), 0),
        )
        .join(Brand, Brand.id == UsageRecord.brand_id)
        .where(
            UsageRecord.kind.in_(("ai_image", "procedural_art")),
            UsageRecord.occurred_at >= since,
            UsageRecord.occurred_at < until,
        )
        .group_by(day, UsageRecord.brand_id, Brand.name, UsageRecord.provider)
        .order_by(day, Brand.name, UsageRecord.provider)
    )
    return [
        CostRow(str(r[0]), r[1], r[2], r[3], *(int(v) for v in r[4:]))
        for r in db.session.execute(query)
    ]


def report(start: date, end: date) -> dict[str, Any]:
    """The JSON report: totals, per brand, per provider, per day, and the detail rows."""
    rows = cost_rows(start, end)
    by_brand: dict[str, dict[str, Any]] = {}
    by_provider: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_day: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        brand = by_brand.setdefault(
            row.brand_id,
            {
                "brandId": row.brand_id,
                "brandName": row.brand_name,
                "costCents": 0,
                "generations": 0,
                "images": 0,
                "byProvider": defaultdict(int),
            },
        )
        brand["costCents"] += row.cost_cents
        brand["generations"] += row.generations
        brand["images"] += row.images
        brand["byProvider"][row.provider] += row.cost_cents
        for bucket in (by_provider[row.provider], by_day[row.day]):
            bucket["costCents"] += row.cost_cents
            bucket["generations"] += row.generations
            bucket["images"] += row.images
        by_provider[row.provider]["tokensIn"] += row.tokens_in
        by_provider[row.provider]["tokensOut"] += row.tokens_out
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "currency": "USD",
        "totalCents": sum(r.cost_cents for r in rows),
        "byBrand": [
            {**b, "byProvider": dict(b["byProvider"])}
            for b in sorted(by_brand.values(), key=lambda b: -b["costCents"])
        ],
        "byProvider": [{"provider": p, **dict(v)} for p, v in sorted(by_provider.items())],
        "byDay": [{"date": d, **dict(v)} for d, v in sorted(by_day.items())],
        "rows": [
            {
                "date": r.day,
                "brandId": r.brand_id,
                "brandName": r.brand_name,
                "provider": r.provider,
                "generations": r.generations,
                "images": r.images,
                "tokensIn": r.tokens_in,
                "tokensOut": r.tokens_out,
                "costCents": r.cost_cents,
            }
            for r in rows
        ],
    }


def report_csv(start: date, end: date) -> str:
    """The same detail rows as CSV, one line per day, brand and provider."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "date",
            "brand_id",
            "brand_name",
            "provider",
            "generations",
            "images",
            "tokens_in",
            "tokens_out",
            "cost_cents",
        ]
    )
    for r in cost_rows(start, end):
        writer.writerow(
            [
                r.day,
                r.brand_id,
                _safe_cell(r.brand_name),
                r.provider,
                r.generations,
                r.images,
                r.tokens_in,
                r.tokens_out,
                r.cost_cents,
            ]
        )
    return out.getvalue()


def _safe_cell(value: str) -> str:
    """Brand names come from merchants: keep spreadsheets from running them as formulas."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
