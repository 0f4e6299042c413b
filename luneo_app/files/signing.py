"""HMAC-signed, expiring download links served by the app itself (``/files/<key>``).

Used by the local-folder backend; the S3 backend hands out the bucket's own presigned URLs.
"""

from __future__ import annotations

import hashlib
import hmac
import time


class SignatureError(Exception):
    """A signed URL is expired or was tampered with."""


class DownloadSigner:
    """Signs ``(key, expiry, download name)`` with a key derived from ``SECRET_KEY``."""

    def __init__(self, secret: str) -> None:
        self._secret = hashlib.sha256(b"luneo-files:" + secret.encode()).digest()

    def sign(self, key: str, expires: int, filename: str | None = None) -> str:
        """The signature of a link to ``key`` valid until ``expires`` (epoch seconds)."""
        message = f"{key}\n{expires}\n{filename or ''}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def verify(
        self, key: str, expires: str | None, signature: str | None, filename: str | None = None
    ) -> None:
        """Raise :class:`SignatureError` unless the signature is valid and unexpired."""
        if not expires or not signature or not expires.isdigit():
            raise SignatureError("missing or malformed signature")
        expected = self.sign(key, int(expires), filename)
        if not hmac.compare_digest(expected, signature):
            raise SignatureError("bad signature")
        if int(expires) < time.time():
            raise SignatureError("link expired")
