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
    """Signs ``(key, expiry, download name)`` with a key derived from ``SECRET_KEY``; links
    signed with one of the ``fallbacks`` (older app secrets, during a rotation) verify too."""

    def __init__(self, secret: str, fallbacks: list[str] | tuple[str, ...] = ()) -> None:
        self._secrets = [
            hashlib.sha256(b"luneo-files:" + s.encode()).digest() for s in (secret, *fallbacks)
        ]

    @staticmethod
    def _sign(secret: bytes, key: str, expires: int, filename: str | None) -> str:
        message = f"{key}\n{expires}\n{filename or ''}".encode()
        return hmac.new(secret, message, hashlib.sha256).hexdigest()

    def sign(self, key: str, expires: int, filename: str | None = None) -> str:
        """The signature of a link to ``key`` valid until ``expires`` (epoch seconds)."""
        return self._sign(self._secrets[0], key, expires, filename)

    def verify(
        self, key: str, expires: str | None, signature: str | None, filename: str | None = None
    ) -> None:
        """Raise :class:`SignatureError` unless the signature is valid and unexpired."""
        if not expires or not signature or not expires.isdigit():
            raise SignatureError("missing or malformed signature")
        matched = False
        for secret in self._secrets:
            expected = self._sign(secret, key, int(expires), filename)
            matched |= hmac.compare_digest(expected, signature)
        if not matched:
            raise SignatureError("bad signature")
        if int(expires) < time.time():
            raise SignatureError("link expired")
