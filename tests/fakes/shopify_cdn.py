"""A fake of Shopify's CDN (``cdn.shopify.com``): a local HTTP server serving product photos.

Tests point ``SHOPIFY_CDN_ORIGIN`` at it and put its URLs in fake Admin GraphQL answers.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes._server import LocalServer


class FakeShopifyCdn(LocalServer):
    """Serves ``GET /s/files/...`` from an in-memory map; counts the requests."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.requests: list[str] = []

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

        return self._serve(Handler)

    def add(self, path: str, body: bytes, content_type: str = "image/png") -> str:
        """Serve ``body`` at ``path``; returns its absolute URL."""
        self.files[path] = (body, content_type)
        return self.origin + path
