"""Every 5xx answer kept 30 days with its brand and request id, so support can find the
failures a merchant reports ("it said request id ...")."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from flask import Flask, g, request
from sqlalchemy import delete
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from ..core.clock import utcnow
from ..extensions import db
from ..models import ServerError

log = logging.getLogger("luneo.support")
KEEP = timedelta(days=30)


def _record(response: Response) -> Response:
    """``after_request``: note a 5xx (in its own session: the request's may be broken)."""
    if response.status_code < 500 or response.status_code == 503:
        return response  # 503 is a dependency outage (answered with Retry-After)
    brand = g.get("brand")
    try:
        with Session(db.engine) as own:
            own.add(
                ServerError(
                    brand_id=getattr(brand, "id", None),
                    request_id=str(g.get("request_id") or "")[:64],
                    method=request.method[:8],
                    path=request.path[:512],
                    status=response.status_code,
                    error=str(g.get("server_error") or "")[:255] or None,
                    created_at=utcnow(),
                )
            )
            own.commit()
    except Exception:  # noqa: BLE001 - recording must never change the answer
        log.warning("could not record a server error", exc_info=True)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_record)


@shared_task(name="luneo.support.purge_server_errors", ignore_result=True)
def purge_server_errors() -> int:
    """Delete server errors older than 30 days."""
    result = db.session.execute(delete(ServerError).where(ServerError.created_at < utcnow() - KEEP))
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
