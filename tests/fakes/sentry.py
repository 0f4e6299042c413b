"""Sentry's ingest endpoint (``POST /api/<project>/envelope/``), as the SDK talks to it.

A real local HTTP server: it checks the ``X-Sentry-Auth`` key, undoes the SDK's compression
(gzip or Brotli) and splits each envelope into its items, keeping the events.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

import brotli

from tests.fakes._server import LocalServer

PUBLIC_KEY = "0123456789abcdef0123456789abcdef"


class FakeSentry(LocalServer):
    """Records the events sent to project 1 (:attr:`events`) and the raw bodies."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self._lock = threading.Lock()

    def start(self) -> FakeSentry:
        owner = self

        class Handler(_Handler):
            sentry = owner

        return self._serve(Handler)

    @property
    def dsn(self) -> str:
        return f"http://{PUBLIC_KEY}@{self.origin.removeprefix('http://')}/1"

    def wait_for_event(self, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self.events:
                    return self.events[0]
            time.sleep(0.05)
        raise AssertionError("no event reached the fake Sentry")


class _Handler(BaseHTTPRequestHandler):
    sentry: FakeSentry

    def log_message(self, *_: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        auth = self.headers.get("X-Sentry-Auth", "")
        if self.path != "/api/1/envelope/" or f"sentry_key={PUBLIC_KEY}" not in auth:
            self.send_response(403)
            self.end_headers()
            return
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        events = _events(body)
        with self.sentry._lock:
            self.sentry.raw.append(body)
            self.sentry.events.extend(events)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")


def _events(envelope: bytes) -> list[dict[str, Any]]:
    """The ``event`` items of an envelope (header line, then item header + payload pairs)."""
    lines = envelope.split(b"\n")
    events, index = [], 1
    while index < len(lines) and lines[index]:
        header = json.loads(lines[index])
        length = header.get("length")
        if length is not None:
            rest = b"\n".join(lines[index + 1 :])
            payload, remainder = rest[:length], rest[length + 1 :]
            lines = lines[: index + 1] + [payload] + remainder.split(b"\n")
        payload = lines[index + 1]
        if header.get("type") == "event":
            events.append(json.loads(payload))
        index += 2
    return events
