"""``/v1/realtime``: a brand's events as they happen (server-sent events or a WebSocket)."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import Response, g, request

from ..auth.principal import current_principal, require
from ..core.errors import Forbidden, ValidationFailed
from . import realtime
from .log import LOG_ERRORS, Notice
from .streams import Event, StreamGrant, log_unavailable, open_stream

bp = APIBlueprint("realtime", __name__, tag="Realtime")


def brand_event(notice: Notice) -> Event:
    """A log event as the brand-wide stream sends it."""
    return Event(notice.type, notice.data, id=notice.id)


@bp.get("/v1/realtime")
@bp.doc(security="BearerAuth")
@require("designs:read", allow_query_token=True)
@bp.doc(
    summary="Follow the brand's events (server-sent events or WebSocket)",
    description="Events as they happen: `design.status` (`designId`, `productId`, "
    "`status`) and, for keys with `orders:read`, `order.production_ready` (`orderId`). "
    "`text/event-stream` over HTTP; a WebSocket upgrade on the same URL gets the same "
    "events as JSON messages `{id, type, data}`. Resume after a disconnect with the "
    "`Last-Event-ID` header (EventSource sends it itself) or `?lastEventId=`. API keys and "
    "team members' access tokens; storefront tokens follow their own design "
    "(`/v1/designs/{id}/events`).",
    responses={
        422: "`Last-Event-ID` is not an event id of this server",
        503: "The event log (Redis or the database) is unavailable; see `Retry-After`",
    },
)
def events() -> Response:
    """Server-sent events of everything that happens to the brand's designs and orders."""
    principal = current_principal()
    if principal.kind not in ("api_key", "user"):
        raise Forbidden("Storefront tokens may not follow brand events.", code="brand_token_only")
    event_log = realtime().log
    resume = request.headers.get("Last-Event-ID") or request.args.get("lastEventId")
    types = ("design.",) + (("order.",) if principal.can("orders:read") else ())
    first: tuple[Event, ...] = ()
    if resume and not event_log.valid_id(resume):
        raise ValidationFailed(
            "Last-Event-ID is not an event id of this server.", code="invalid_last_event_id"
        )
    try:
        if resume:
            backlog = event_log.read_since(resume, g.brand.id)
            first = tuple(brand_event(n) for n in backlog if n.type.startswith(types))
            cursor = backlog[-1].id if backlog else resume
        else:
            cursor = event_log.last_id()
    except LOG_ERRORS:
        return log_unavailable()
    grant = StreamGrant(kind="brand", brand_id=g.brand.id, cursor=cursor, first=first, types=types)
    return open_stream(grant)
