"""Billing endpoints: the brand's plan and usage, Stripe's webhooks, the staff report."""

from __future__ import annotations

import re

from apiflask import APIBlueprint, Schema
from apiflask.fields import String
from apiflask.validators import OneOf, Regexp
from flask import Response, g, request

from ..auth.principal import require
from ..staff.auth import require_staff
from . import alerts, report, stripe_webhooks
from .metering import period_of
from .plans import public_plans
from .usage import alerts_of, usage_for

bp = APIBlueprint("billing", __name__, tag="Billing")

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class RevenueQuery(Schema):
    """Query of the staff revenue report: ``period`` (``YYYY-MM``) and ``format``."""

    period = String(load_default=None, validate=Regexp(_PERIOD))
    format = String(load_default=None, validate=OneOf(["json", "csv"]))


@bp.get("/v1/billing")
@require("designs:read")
@bp.doc(
    summary="The calling brand's plan, this month's usage against it, and plan alerts",
    description="`badge` is `ok`, `near_limit` (75 %+ of an allowance), `over_plan` (an "
    "allowance without overage is used up: new work of that kind answers 402) or "
    "`payment_overdue` (an unpaid invoice's grace period is over).",
)
def billing_usage():  # type: ignore[no-untyped-def]
    """The plan, the usage and the plans one may choose."""
    usage = usage_for(g.brand)
    return {
        **usage.as_json(),
        "alerts": [alerts.as_json(a) for a in alerts_of(g.brand.id)],
        "plans": [p.as_json() for p in public_plans()],
    }


@bp.post("/webhooks/stripe")
@bp.doc(hide=True)
def stripe_webhook():  # type: ignore[no-untyped-def]
    """Stripe's events: verified first (401, nothing written, when forged)."""
    new = stripe_webhooks.receive(
        request.get_data(cache=False), request.headers.get("Stripe-Signature")
    )
    return {"received": True, "duplicate": not new}


@bp.get("/v1/admin/billing/revenue")
@require_staff()
@bp.input(RevenueQuery, location="query", arg_name="query")
@bp.doc(
    summary="Revenue and usage per brand for one month (staff)",
    description="A staff API token (`Authorization: Bearer lst_...`) or a support console "
    "session. `period` is `YYYY-MM` (default: this "
    "month). `format=csv` (or `Accept: text/csv`) answers CSV.",
    responses={401: "Staff sign-in required"},
)
def staff_revenue(query: dict):  # type: ignore[no-untyped-def]
    """Subscription and overage revenue, usage and held charges per brand."""
    period = query.get("period") or period_of()
    wants_csv = query.get("format") == "csv" or (
        query.get("format") is None
        and request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"
    )
    if wants_csv:
        return Response(
            report.as_csv(period),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="luneo-revenue-{period}.csv"'},
        )
    return report.as_json(period)
