"""``/v1/webhooks``: test the brand's endpoint, read the delivery log (API and admin)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, Dict, Integer, List, String
from apiflask.validators import Range
from flask import g

from ..auth.principal import authenticate
from ..core.errors import Forbidden
from ..core.ratelimit import setting
from ..extensions import limiter
from ..shopify.session import require_shop_session
from . import service

bp = APIBlueprint("outbound", __name__, tag="Webhooks")


class VerifyOut(Schema):
    ok = Boolean()
    url = String()
    eventId = String()  # noqa: N815 - API casing
    statusCode = Integer(allow_none=True)  # noqa: N815
    durationMs = Integer()  # noqa: N815
    error = String(allow_none=True)


class LogQuery(Schema):
    limit = Integer(load_default=50, validate=Range(1, 200))


class LogOut(Schema):
    deliveries = List(Dict())


def api_key_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """View decorator: an API key of an active brand (never a storefront embed token)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if authenticate().kind != "api_key":
            raise Forbidden("Use an API key for webhook endpoints.", code="api_key_required")
        return view(*args, **kwargs)

    return wrapper


@bp.get("/v1/webhooks/verify")
@api_key_only
@bp.output(VerifyOut)
@bp.doc(
    security="BearerAuth",
    summary="Test the webhook endpoint",
    description="Sends a signed `webhook.test` event to the brand's webhook URL now and "
    "says how the endpoint answered. It is logged like any delivery and never retried.",
    responses={409: "No webhook URL is set", 429: "Tested a moment ago"},
)
@limiter.limit(
    setting("RATE_LIMIT_WEBHOOK_VERIFY"),
    key_func=lambda: g.brand.id,  # per brand, after api_key_only authenticated it
    error_message="The endpoint was tested a moment ago.",
)
def verify():  # type: ignore[no-untyped-def]
    """Send a signed test event to the brand's endpoint and report the answer."""
    delivery, result = service.verify_endpoint(g.brand)
    return {
        "ok": result.ok,
        "url": delivery.url,
        "eventId": delivery.event_id,
        "statusCode": result.status_code,
        "durationMs": result.duration_ms,
        "error": result.error,
    }


@bp.get("/v1/webhooks/deliveries")
@api_key_only
@bp.input(LogQuery, location="query", arg_name="query")
@bp.output(LogOut)
@bp.doc(
    security="BearerAuth",
    summary="The webhook delivery log",
    description="Latest deliveries, newest first.",
)
def api_log(query: dict):  # type: ignore[no-untyped-def]
    """The brand's latest webhook deliveries with their attempts."""
    return {"deliveries": service.delivery_log(g.brand.id, query["limit"])}


@bp.get("/admin/api/webhooks/deliveries")
@bp.doc(hide=True)
@require_shop_session
@bp.input(LogQuery, location="query", arg_name="query")
def admin_log(query: dict):  # type: ignore[no-untyped-def]
    """The embedded admin's view of the delivery log (session token of the shop)."""
    return {"deliveries": service.delivery_log(g.brand.id, query["limit"])}


@bp.post("/admin/api/webhooks/deliveries/<delivery_id>/replay")
@bp.doc(hide=True)
@require_shop_session
def admin_replay(delivery_id: str):  # type: ignore[no-untyped-def]
    """Send a logged delivery again (the embedded admin's replay button)."""
    from ..audit import record
    from ..extensions import db

    delivery = service.replay(g.brand, delivery_id)
    record(
        "webhook.replayed",
        actor="shopify:admin",
        brand_id=g.brand.id,
        target_type="delivery",
        target_id=delivery.id,
    )
    db.session.commit()
    return {"delivery": service.describe(delivery)}
