"""A fake of Shopify's CDN (``cdn.shopify.com``): a local HTTP server serving product photos.

Tests point ``SHOPIFY_CDN_ORIGIN`` at it and put its URLs in fake Admin GraphQL answers.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeShopifyCdn:
    """Serves ``GET /s/files/...`` from an in-memory map; counts the requests."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> FakeShopifyCdn:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                return

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                fake.requests.append(path)
                found = fake.files.get(path)
                body, kind = found if found else (b"Not Found", "text/plain")
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeShopifyCdn:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add(self, path: str, body: bytes, content_type: str = "image/png") -> str:
        """Serve ``body`` at ``path``; returns its absolute URL."""
        self.files[path] = (body, content_type)
        return self.origin + path
