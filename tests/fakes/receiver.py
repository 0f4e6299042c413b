"""A brand's HTTP endpoint, for outbound webhooks and the generic REST connector.

A real local HTTP server. Every request is recorded (:attr:`FakeReceiver.received`); a
request carrying ``Luneo-Signature`` is checked the way a brand would check it, with the
shared secret (``connectors.signatures.verify``), and the result is recorded with it.
Answers can be switched: :meth:`FakeReceiver.fail_next` answers the next requests with an
error status (a 500, then the default 200), :meth:`FakeReceiver.route` serves JSON for a
method and path (a brand's REST API).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from connectors import signatures
from tests.fakes._server import LocalServer


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool | None  # None: the request was not signed
    at: float

    def json(self) -> Any:
        return json.loads(self.body or b"null")


class FakeReceiver(LocalServer):
    """A brand's endpoint: verifies signatures, records requests, answers as told."""

    def __init__(self, secret: str | None = None) -> None:
        self.secret = secret
        self.received: list[Received] = []
        self._statuses: list[int] = []
        self._routes: dict[tuple[str, str], tuple[int, Any]] = {}
        # GET path -> (bytes, content type): pictures a brand's API links to
        self.files: dict[str, tuple[bytes, str]] = {}
        self._lock = threading.Lock()

    def start(self) -> FakeReceiver:
        owner = self

        class Handler(_Handler):
            receiver = owner

        return self._serve(Handler)

    @property
    def url(self) -> str:
        """Where the receiver listens."""
        return self.origin

    # --- controls -----------------------------------------------------------------------
    def fail_next(self, status: int = 500, times: int = 1) -> None:
        """Answer the next ``times`` unrouted requests with ``status``."""
        with self._lock:
            self._statuses.extend([status] * times)

    def route(self, method: str, path: str, status: int, body: Any = None) -> None:
        """Answer ``method path`` with ``status`` and a JSON ``body``."""
        with self._lock:
            self._routes[(method, path)] = (status, body)

    def serve_file(self, path: str, data: bytes, content_type: str = "image/png") -> str:
        """Serve ``data`` at ``GET path`` (a product photo); returns its absolute URL."""
        with self._lock:
            self.files[path] = (data, content_type)
        return self.origin + path

    def reset(self) -> None:
        """Forget what was received and every switched answer."""
        with self._lock:
            self.received.clear()
            self._statuses.clear()
            self._routes.clear()
            self.files.clear()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until ``count`` requests arrived; returns them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} requests, got {len(self.received)}")

    # --- behaviour ----------------------------------------------------------------------
    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple:
        header = headers.get(signatures.HEADER)
        signature_ok: bool | None = None
        if header is not None:
            try:
                signatures.verify(self.secret or "", header, body)
                signature_ok = True
            except signatures.SignatureMismatch:
                signature_ok = False
        with self._lock:
            self.received.append(
                Received(method, path, headers, body, signature_ok, time.monotonic())
            )
            routed = self._routes.get((method, path))
            if routed is not None:
                return routed
            if signature_ok is False:
                return 400, {"error": "bad signature"}
            status = self._statuses.pop(0) if self._statuses else 200
        return status, {"received": status < 300}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    receiver: FakeReceiver

    def log_message(self, *_: Any) -> None:  # keep test output quiet
        return

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name: value for name, value in self.headers.items()}
        status, payload = self.receiver.handle(self.command, self.path, headers, body)
        data = json.dumps(payload).encode() if payload is not None else b""
        content_type = "application/json"
        served = self.receiver.files.get(self.path) if self.command == "GET" else None
        if served is not None:
            status, (data, content_type) = 200, served
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = _serve  # noqa: N815 - http.server's method names
