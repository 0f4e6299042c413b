"""Design status changes, pushed to listeners (server-sent events) through Redis when set.

Without Redis (embedded default) listeners fall back to reading the row, which is cheap.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

from flask import current_app

from ..extensions import db
from ..models import Design

log = logging.getLogger("luneo.designs")


def channel(design_id: str) -> str:
    return f"luneo:design:{design_id}"


def notify(design: Design) -> None:
    """Tell listeners a design changed (best effort: polling still finds the change)."""
    kv = current_app.extensions["luneo.kv"]
    client = getattr(kv, "client", None)
    if client is None:
        return
    try:
        client.publish(channel(design.id), design.status)
    except Exception:  # noqa: BLE001 - notifications are an optimisation
        log.warning("could not publish design event", exc_info=True)


def status_events(
    brand_id: str, design_id: str, describe, timeout: float = 120.0, heartbeat: float = 15.0
) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Server-sent events: one ``status`` event per change, until a final state or timeout."""
    kv = current_app.extensions["luneo.kv"]
    client = getattr(kv, "client", None)
    pubsub = None
    if client is not None:
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(channel(design_id))
    last = None
    started = last_beat = time.monotonic()
    yield "retry: 2000\n\n"
    try:
        while time.monotonic() - started < timeout:
            db.session.expire_all()
            design = db.session.get(Design, design_id)
            if design is None or design.brand_id != brand_id:
                yield _event("error", {"code": "design_not_found"})
                return
            state = (design.status, design.preview_key, bool(design.production_keys))
            if state != last:
                last = state
                yield _event("status", describe(design))
                if design.status in ("production_ready", "failed") or (
                    design.status == "preview_ready" and design.finalized_at is None
                ):
                    return
            db.session.rollback()  # end the read transaction while we wait
            if time.monotonic() - last_beat > heartbeat:
                last_beat = time.monotonic()
                yield ": keep-alive\n\n"
            if pubsub is not None:
                pubsub.get_message(timeout=0.5)
            else:
                time.sleep(0.2)
    finally:
        if pubsub is not None:
            pubsub.close()


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"
