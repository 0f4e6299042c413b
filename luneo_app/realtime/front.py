"""The ASGI front of a web process (``asgi.py``): Flask in a thread pool, streams served async.

Every request goes to the Flask app through a2wsgi, on ``WEB_THREADS`` threads. A stream
request (``GET /v1/designs/{id}/events``, ``GET /v1/realtime``, a WebSocket on
``/v1/realtime``) goes through the Flask app too, so it is authenticated, limited, logged and
refused exactly like any other ``/v1`` call; when Flask grants it (see :mod:`.streams`), the
front holds the stream itself as a coroutine: an open stream holds no thread, no database
connection and no Redis connection of its own. One :class:`~.hub.Hub` per process reads the
event log and wakes the streams it concerns; a design's state is read (on a small pool of
``REALTIME_READ_THREADS``) only when an event about that design arrives.

Streams send a comment line every ``REALTIME_HEARTBEAT_SECONDS``, end after
``REALTIME_MAX_STREAM_SECONDS`` (the client reconnects and resumes from ``Last-Event-ID``),
and all end at once when the server is asked to stop, so a shutdown never waits on them.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import re
import signal
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from a2wsgi import WSGIMiddleware
from a2wsgi.wsgi import build_environ
from flask import Flask

from ..extensions import db
from ..observability.metrics import STREAM_EVENTS
from ..web_errors import error_body
from . import realtime
from .hub import CLOSE, Hub, Subscriber
from .log import LOG_ERRORS, Notice
from .streams import (
    FRONT_ENVIRON_KEY,
    FRONT_RETRY_MS,
    GRANT_MIMETYPE,
    Event,
    StreamGrant,
    state_reader,
)

log = logging.getLogger("luneo.realtime")

STREAM_PATHS = re.compile(r"^/v1/(designs/[^/]+/events|realtime)/?$")
WEBSOCKET_PATH = re.compile(r"^/v1/realtime/?$")
_UPGRADE_HEADERS = (b"upgrade", b"connection")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Emit = Callable[[Event], Awaitable[None]]


class StreamFront:
    """ASGI application: the Flask app behind a2wsgi, plus natively async streams."""

    def __init__(self, flask_app: Flask) -> None:
        self.flask_app = flask_app
        cfg = flask_app.config
        self.heartbeat = float(cfg["REALTIME_HEARTBEAT_SECONDS"])
        self.max_seconds = float(cfg["REALTIME_MAX_STREAM_SECONDS"])
        self.max_streams = int(cfg["REALTIME_MAX_STREAMS"])
        self.wsgi = WSGIMiddleware(self._wsgi_app, workers=int(cfg["WEB_THREADS"]))
        self.reads = ThreadPoolExecutor(
            max_workers=int(cfg["REALTIME_READ_THREADS"]), thread_name_prefix="realtime-read"
        )
        self.hub = Hub(realtime(flask_app).log)

    # --- ASGI entry ---------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        elif kind == "http" and scope["method"] == "GET" and STREAM_PATHS.match(scope["path"]):
            await self._sse(scope, receive, send)
        else:
            await self.wsgi(scope, receive, send)

    def _wsgi_app(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ[FRONT_ENVIRON_KEY] = True  # stream views answer a grant, the front streams
        return self.flask_app(environ, start_response)

    # --- lifespan and shutdown --------------------------------------------------------------

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._end_streams_on_signals(asyncio.get_running_loop())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.hub.aclose()
                self.reads.shutdown(wait=False)
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _end_streams_on_signals(self, loop: asyncio.AbstractEventLoop) -> None:
        """On SIGTERM/SIGINT, end the open streams, then let the server's own handler run.

        uvicorn (standalone or as a gunicorn worker) waits for open responses before its
        lifespan shutdown; streams never finish by themselves, so they are ended first.
        """
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(sig)

            def handler(signum: int, frame: Any, previous: Any = previous) -> None:
                loop.call_soon_threadsafe(self.hub.close_streams)
                if callable(previous):
                    previous(signum, frame)
                elif previous == signal.SIG_DFL:  # nobody else handles it: do what it would
                    signal.signal(signum, signal.SIG_DFL)
                    signal.raise_signal(signum)

            try:
                signal.signal(sig, handler)
            except ValueError:  # not the main thread (embedded server): nothing to chain
                return

    # --- asking Flask -------------------------------------------------------------------

    async def _ask_flask(self, scope: Scope) -> tuple[int, list[tuple[str, str]], bytes]:
        """Run the request through the Flask app (in the WSGI pool); its status, headers, body."""
        http_scope = dict(scope)
        http_scope.setdefault("method", "GET")
        http_scope.setdefault("http_version", "1.1")
        if scope["type"] == "websocket":
            # Flask authorizes the upgrade as the plain GET of the same URL (werkzeug would
            # route a request still carrying its upgrade headers to websocket rules only).
            http_scope["scheme"] = "https" if scope.get("scheme") == "wss" else "http"
            http_scope["headers"] = [
                (k, v)
                for k, v in scope.get("headers", [])
                if k.lower() not in _UPGRADE_HEADERS and not k.lower().startswith(b"sec-websocket")
            ]
        environ = build_environ(http_scope, io.BytesIO(b""))  # type: ignore[arg-type]
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.wsgi.executor, self._call_flask, environ)

    def _call_flask(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list, exc_info: Any = None) -> Any:
            answer["status"], answer["headers"] = status, headers
            return lambda chunk: None

        result = self._wsgi_app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return int(answer["status"].split()[0]), answer["headers"], body

    def _grant(
        self, status: int, headers: list[tuple[str, str]], body: bytes
    ) -> StreamGrant | None:
        content_type = dict((k.lower(), v) for k, v in headers).get("content-type", "")
        if status == 200 and content_type.startswith(GRANT_MIMETYPE):
            return StreamGrant.from_json(body)
        return None

    def _too_many(self) -> tuple[int, list[tuple[str, str]], bytes] | None:
        if self.hub.open_streams < self.max_streams and not self.hub.closing:
            return None
        body = json.dumps(
            error_body(503, "Too many open streams here; retry shortly.", "streams_full")
        ).encode()
        return 503, [("Content-Type", "application/json"), ("Retry-After", "5")], body

    # --- server-sent events -------------------------------------------------------------

    async def _sse(self, scope: Scope, receive: Receive, send: Send) -> None:
        status, headers, body = self._too_many() or await self._ask_flask(scope)
        grant = self._grant(status, headers, body)
        if grant is None:
            await _send_response(send, status, headers, body)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache"),
                    (b"x-accel-buffering", b"no"),
                ],
            }
        )

        async def write(text: str) -> None:
            await send({"type": "http.response.body", "body": text.encode(), "more_body": True})

        async def emit(event: Event) -> None:
            await write(event.sse())
            STREAM_EVENTS.labels(grant.kind).inc()

        sub = self.hub.subscribe(grant)
        watcher = asyncio.create_task(_watch(receive, sub, "http.disconnect"))
        try:
            await write(f"retry: {FRONT_RETRY_MS}\n\n")
            for event in grant.first:
                await emit(event)
            if not grant.done:
                await self._follow(sub, emit, lambda: write(": keep-alive\n\n"))
        except LOG_ERRORS:  # the client reconnects and resumes from its last event id
            log.warning("stream ended: event log unavailable", exc_info=True)
        finally:
            watcher.cancel()
            self.hub.unsubscribe(sub)
        with contextlib.suppress(Exception):  # the client may be gone already
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    # --- WebSocket (/v1/realtime) ---------------------------------------------------------

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        if not WEBSOCKET_PATH.match(scope["path"]):
            await send({"type": "websocket.close", "code": 1008, "reason": "not_found"})
            return
        status, headers, body = self._too_many() or await self._ask_flask(scope)
        grant = self._grant(status, headers, body)
        if grant is None:
            await _refuse_websocket(scope, send, status, headers, body)
            return
        await send({"type": "websocket.accept"})

        async def emit(event: Event) -> None:
            await send({"type": "websocket.send", "text": json.dumps(event.message())})
            STREAM_EVENTS.labels(grant.kind).inc()

        async def heartbeat() -> None:
            await send({"type": "websocket.send", "text": '{"type":"heartbeat"}'})

        sub = self.hub.subscribe(grant)
        watcher = asyncio.create_task(_watch(receive, sub, "websocket.disconnect"))
        try:
            for event in grant.first:
                await emit(event)
            await self._follow(sub, emit, heartbeat)
        except LOG_ERRORS:
            log.warning("stream ended: event log unavailable", exc_info=True)
            sub.reason = "log_unavailable"
        except OSError:  # the client went away mid-send (uvicorn's ClientDisconnected)
            sub.reason = sub.reason or "disconnect"
        finally:
            watcher.cancel()
            self.hub.unsubscribe(sub)
        code = 1000 if sub.reason in ("", "done") else 1001  # 1001: going away, reconnect
        with contextlib.suppress(Exception):
            await send({"type": "websocket.close", "code": code, "reason": sub.reason})

    # --- following the log ----------------------------------------------------------------

    async def _follow(
        self, sub: Subscriber, emit: Emit, heartbeat: Callable[[], Awaitable[None]]
    ) -> None:
        """Send the grant's events as they come until done, closed, or past the lifetime."""
        grant = sub.grant
        event_log = self.hub.log
        last = grant.cursor
        last_data = grant.first[-1].data if grant.first and grant.kind == "design" else None
        deadline = time.monotonic() + self.max_seconds
        # What was published between the grant and the subscription (or since Last-Event-ID).
        pending: list[Notice] = await self._in_app(
            event_log.read_since, grant.cursor, grant.brand_id, grant.design_id
        )
        while True:
            if pending:
                notices, pending = pending, []
            else:
                left = deadline - time.monotonic()
                if left <= 0:
                    sub.reason = "lifetime"
                    return
                try:
                    item = await asyncio.wait_for(sub.queue.get(), min(self.heartbeat, left))
                except TimeoutError:
                    await heartbeat()
                    continue
                if item == CLOSE:
                    return
                notices = [item]  # type: ignore[list-item]
                while not sub.queue.empty():
                    more = sub.queue.get_nowait()
                    if more == CLOSE:
                        return
                    notices.append(more)  # type: ignore[arg-type]
            key = event_log.order_key(last)
            notices = [n for n in notices if event_log.order_key(n.id) > key]
            if not notices:
                continue
            last = notices[-1].id
            if grant.kind == "brand":
                for notice in notices:
                    if grant.wants(notice.type):
                        await emit(Event(notice.type, notice.data, id=notice.id))
                continue
            reader = state_reader(self.flask_app, grant.kind)
            state = await self._in_app(reader, grant.brand_id, grant.design_id)
            if state is None:
                await emit(Event("error", {"code": "design_not_found"}, id=last))
                sub.reason = "done"
                return
            data, done = state
            if data != last_data:
                last_data = data
                await emit(Event("status", data, id=last))
            if done:
                sub.reason = "done"
                return

    async def _in_app(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn`` on the read pool inside an app context (a database read)."""

        def call() -> Any:
            with self.flask_app.app_context():
                try:
                    return fn(*args)
                finally:
                    db.session.remove()

        return await asyncio.get_running_loop().run_in_executor(self.reads, call)


async def _watch(receive: Receive, sub: Subscriber, disconnect: str) -> None:
    """End the stream when the client goes away (nothing else is expected from it)."""
    while True:
        message = await receive()
        if message["type"] == disconnect:
            sub.close("disconnect")
            return


async def _send_response(
    send: Send, status: int, headers: list[tuple[str, str]], body: bytes
) -> None:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _refuse_websocket(
    scope: Scope, send: Send, status: int, headers: list[tuple[str, str]], body: bytes
) -> None:
    """Refuse an upgrade with Flask's own answer (status and JSON body) when the server
    supports it, else close with a policy-violation code and the error code as reason."""
    if "websocket.http.response" in scope.get("extensions", {}):
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        await send({"type": "websocket.http.response.start", "status": status, "headers": raw})
        await send({"type": "websocket.http.response.body", "body": body, "more_body": False})
        return
    try:
        reason = json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        reason = str(status)
    await send({"type": "websocket.close", "code": 1008, "reason": reason[:100]})
