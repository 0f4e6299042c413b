"""AI endpoints: the staff cost report and a brand's own AI usage, budget and alerts."""

from __future__ import annotations

from datetime import date, timedelta

from apiflask import APIBlueprint, Schema
from apiflask.fields import String
from apiflask.validators import OneOf
from flask import Response, g, request
from sqlalchemy import select

from ..auth.principal import require
from ..core.clock import utcnow
from ..core.errors import ValidationFailed
from ..extensions import db
from ..models import BudgetAlert
from ..staff.auth import require_staff
from . import budget, costs
from .alerts import as_json

bp = APIBlueprint("ai", __name__, tag="AI artwork")


class CostsQuery(Schema):
    """Query of the staff cost report: ``from``, ``to`` (UTC dates) and ``format``."""

    # "from" is a Python keyword: the field keeps the API's name through data_key.
    start = String(data_key="from", load_default=None)
    end = String(data_key="to", load_default=None)
    format = String(load_default=None, validate=OneOf(["json", "csv"]))


def _day(value: str | None, name: str, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(
            f"'{name}' must be a date like 2026-11-01.",
            code="invalid_date",
            details={name: "YYYY-MM-DD"},
        ) from exc


@bp.get("/v1/admin/ai/costs")
@require_staff()
@bp.input(CostsQuery, location="query", arg_name="query")
@bp.doc(
    summary="AI costs per brand, provider and day (staff)",
    description="A staff API token (`Authorization: Bearer lst_...`, made on the support "
    "console's account page) or a support console session. `from`/`to` are UTC dates (inclusive; "
    "default: this month). `format=csv` (or `Accept: text/csv`) answers CSV.",
    responses={401: "Staff token or sign-in required", 422: "Bad dates"},
)
def ai_costs(query: dict):  # type: ignore[no-untyped-def]
    """Cost report for the staff: JSON (totals and breakdowns) or CSV (detail rows)."""
    today = utcnow().date()
    start = _day(query.get("start"), "from", today.replace(day=1))
    end = _day(query.get("end"), "to", today)
    if end < start:
        raise ValidationFailed("'to' must not be before 'from'.", code="invalid_range")
    if end - start > timedelta(days=costs.MAX_REPORT_DAYS):
        raise ValidationFailed(
            f"Ask for at most {costs.MAX_REPORT_DAYS} days at a time.", code="range_too_long"
        )
    wants_csv = query.get("format") == "csv" or (
        query.get("format") is None
        and request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"
    )
    if wants_csv:
        name = f"luneo-ai-costs-{start.isoformat()}-{end.isoformat()}.csv"
        return Response(
            costs.report_csv(start, end),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return costs.report(start, end)


@bp.get("/v1/ai/usage")
@require("designs:read")
@bp.doc(
    summary="This month's AI usage, budget and alerts of the calling brand",
    description="What the admin shows: spending against the monthly AI budget and the "
    "75 % / 100 % alerts.",
)
def ai_usage():  # type: ignore[no-untyped-def]
    """The brand's AI spending this month, its budget and its budget alerts."""
    brand = g.brand
    month = budget.month_of()
    cap = budget.budget_cents(brand)
    spent = budget.spent_cents(brand.id, month)
    rows = db.session.scalars(
        select(BudgetAlert)
        .where(BudgetAlert.brand_id == brand.id)
        .order_by(BudgetAlert.created_at.desc())
        .limit(24)
    )
    return {
        "month": month,
        "spentCents": spent,
        "budgetCents": cap,
        "percentUsed": round(100 * spent / cap, 1) if cap else None,
        "exhausted": cap is not None and spent >= cap,
        "alerts": [as_json(a) for a in rows],
    }
