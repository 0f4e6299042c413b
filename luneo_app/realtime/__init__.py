"""Realtime events: design status streams and the brand-wide ``/v1/realtime`` stream.

* :mod:`.log` is the ordered event log (a Redis stream, or the ``realtime_notices`` table);
  :func:`publish` appends to it from any process (web or Celery worker).
* :mod:`.streams` turns an authorized request into a stream *grant*; the Flask views
  (``designs.events``, ``realtime.events``) authenticate exactly like the rest of ``/v1``.
* :mod:`.front` is the ASGI front (``asgi.py``): it runs the Flask app in a thread pool and
  serves granted streams itself, natively async, so an open stream holds no thread.
* :mod:`.hub` is the per-process fan-out: one log reader per process, any number of streams.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app

from ..extensions import db
from .log import EventLog, make_log

log = logging.getLogger("luneo.realtime")

EXTENSION = "luneo.realtime"


class Realtime:
    """The app's realtime wiring: its event log and the readers of stream states."""

    def __init__(self, event_log: EventLog) -> None:
        self.log = event_log
        self.readers: dict[str, Any] = {}


def init_realtime(app: Flask) -> None:
    """Create the event log for ``app`` and register ``/v1/realtime``."""
    from .routes import bp

    with app.app_context():
        engine = db.engine
    app.extensions[EXTENSION] = Realtime(make_log(app.config, engine))
    app.register_blueprint(bp)


def realtime(app: Flask | None = None) -> Realtime:
    """The :class:`Realtime` of ``app`` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION]


def publish(
    brand_id: str, type: str, data: dict[str, Any], design_id: str | None = None
) -> str | None:
    """Append an event for ``brand_id``'s streams; call it after the commit it reports.

    Best effort: returns the event id, or None when the log could not take it (logged).
    """
    return realtime().log.publish(brand_id, type, data, design_id=design_id)
