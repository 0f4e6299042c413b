"""``/healthz`` (process up), ``/readyz`` (database, storage and Redis reachable), ``/metrics``."""

from __future__ import annotations

import hmac
import logging

from apiflask import APIBlueprint
from flask import Response, current_app, jsonify, request
from sqlalchemy import text

from ..core.errors import Unauthorized
from ..extensions import db
from ..jobs.metrics import QueueCollector
from ..observability.metrics import render_latest

bp = APIBlueprint("health", __name__, tag="Operations")
log = logging.getLogger("luneo.health")


@bp.get("/healthz")
@bp.doc(summary="Process is up")
def healthz():  # type: ignore[no-untyped-def]
    """Answers 200 as long as the process serves requests."""
    return {"status": "ok"}


@bp.get("/readyz")
@bp.doc(summary="Dependencies reachable", responses={200: "ready", 503: "not ready"})
def readyz():  # type: ignore[no-untyped-def]
    """200 when the database, the file storage and Redis (when configured) answer.

    503 with the failing checks otherwise."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        db.session.rollback()
        checks["database"] = f"error: {type(exc).__name__}"
        log.warning("readiness: database unreachable", exc_info=False)
    if current_app.config.get("REDIS_URL"):
        try:
            current_app.extensions["luneo.kv"].ping()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"error: {type(exc).__name__}"
            log.warning("readiness: redis unreachable")
    else:
        checks["redis"] = "not configured (in-process jobs)"
    try:
        current_app.extensions["luneo.storage"].check()
        checks["storage"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["storage"] = f"error: {type(exc).__name__}"
        log.warning("readiness: file storage unreachable")
    ready = all(not value.startswith("error") for value in checks.values())
    response = jsonify({"status": "ready" if ready else "unavailable", "checks": checks})
    response.status_code = 200 if ready else 503
    return response


@bp.get("/metrics")
@bp.doc(hide=True)
def metrics() -> Response:
    """Prometheus exposition of request and job counters and latency histograms.

    Needs ``Authorization: Bearer <METRICS_TOKEN>`` unless ``METRICS_PUBLIC`` opens it; with
    neither set it stays closed, so a production deploy never exposes it by accident.
    """
    cfg = current_app.config
    if not cfg.get("METRICS_PUBLIC"):
        token = cfg.get("METRICS_TOKEN")
        sent = request.headers.get("Authorization", "")
        if not token or not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            raise Unauthorized(
                "Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.",
                code="metrics_token_required",
            )
    body, content_type = render_latest(QueueCollector())
    return Response(
        body, mimetype=content_type.split(";")[0], headers={"Content-Type": content_type}
    )
