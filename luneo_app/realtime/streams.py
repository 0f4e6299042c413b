"""Stream grants: what an authorized stream request may follow, and from where.

A stream view (``designs.events``, ``realtime.events``) authenticates on the ordinary Flask
path (API key or embed token, rate limits, request ids, the uniform JSON errors), reads the
current state, and ends with :func:`open_stream`:

* behind the ASGI front (``asgi.py``), which marks the WSGI environ, the answer is a small
  *grant* (JSON, a private media type). The front holds the stream open itself, async, with
  no thread, and follows the event log from the grant's cursor;
* on a plain WSGI server (``flask run``, ``gunicorn wsgi:app``) no thread is held either: the
  answer is the events so far and a ``retry`` delay, and ``EventSource`` reconnects, which
  makes the stream a slow poll rather than a worker thread parked for minutes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from flask import Flask, Response, jsonify, request

from ..web_errors import error_body
from . import EXTENSION

GRANT_MIMETYPE = "application/x-luneo-stream-grant+json"
FRONT_ENVIRON_KEY = "luneo.stream_front"
# Reconnection delay a browser's EventSource honours (ms): the front's streams rarely end;
# the plain-WSGI answer ends at once, so it asks for a slower retry.
FRONT_RETRY_MS = 2000
PLAIN_RETRY_MS = 3000

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}

# (brand_id, key) -> (event data, done) or None when the thing is gone
StateReader = Callable[[str, str], "tuple[dict[str, Any], bool] | None"]


@dataclass(frozen=True)
class Event:
    """One server-sent event."""

    name: str
    data: dict[str, Any]
    id: str | None = None

    def sse(self) -> str:
        """The event in ``text/event-stream`` form."""
        head = f"id: {self.id}\n" if self.id else ""
        body = json.dumps(self.data, separators=(",", ":"))
        return f"{head}event: {self.name}\ndata: {body}\n\n"

    def message(self) -> dict[str, Any]:
        """The event as a WebSocket message."""
        return {"id": self.id, "type": self.name, "data": self.data}


@dataclass(frozen=True)
class StreamGrant:
    """An authorized stream: whose events, which ones, from which log id, what to send first.

    ``kind`` is ``design`` (one design's status: every event re-reads its state with the
    reader registered for ``design``) or ``brand`` (the brand's events as published).
    """

    kind: str
    brand_id: str
    cursor: str
    design_id: str | None = None
    first: tuple[Event, ...] = ()
    done: bool = False
    types: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: bytes | str) -> StreamGrant:
        doc = json.loads(raw)
        doc["first"] = tuple(Event(**e) for e in doc.get("first") or ())
        doc["types"] = tuple(doc.get("types") or ())
        return cls(**doc)

    def wants(self, event_type: str) -> bool:
        """True when this stream carries events of ``event_type``."""
        return not self.types or event_type.startswith(self.types)


def open_stream(grant: StreamGrant) -> Response:
    """The answer of a stream view: a grant for the ASGI front, else the events so far."""
    if request.environ.get(FRONT_ENVIRON_KEY):
        return Response(grant.to_json(), mimetype=GRANT_MIMETYPE)
    body = f"retry: {PLAIN_RETRY_MS}\n\n" + "".join(event.sse() for event in grant.first)
    return Response(body, mimetype="text/event-stream", headers=SSE_HEADERS)


def log_unavailable() -> Response:
    """503 with ``Retry-After`` when the event log's store is down (clients fall back to
    polling ``GET /v1/designs/{id}``, or retry)."""
    response = jsonify(
        error_body(503, "Live updates are unavailable right now; retry shortly.", "log_unavailable")
    )
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response


def register_reader(app: Flask, kind: str, reader: StateReader) -> None:
    """Say how to read the current state of a ``kind`` stream when its thing changes."""
    app.extensions[EXTENSION].readers[kind] = reader


def state_reader(app: Flask, kind: str) -> StateReader:
    return app.extensions[EXTENSION].readers[kind]
