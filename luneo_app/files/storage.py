"""File storage: one small interface, a local-folder backend with HMAC-signed expiring URLs.

Keys are paths such as ``brands/brd_x/designs/des_y/preview.webp``. Every tenant's files live
under ``brands/{brand_id}/`` so erasing a brand is erasing one prefix.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlencode

_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,511}$")


class StorageError(Exception):
    """A key is malformed or a file is missing."""


class SignatureError(StorageError):
    """A signed URL is expired or was tampered with."""


def brand_prefix(brand_id: str) -> str:
    """Folder of every file a brand owns."""
    return f"brands/{brand_id}/"


def check_key(key: str) -> str:
    """Refuse keys that could escape the storage root."""
    if not _KEY_RE.match(key) or ".." in key.split("/") or "//" in key:
        raise StorageError(f"invalid storage key: {key!r}")
    return key


class Storage(Protocol):
    """What Luneo needs from a file store."""

    def put(
        self, key: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> None: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def delete_prefix(self, prefix: str) -> int: ...

    def list(self, prefix: str) -> list[str]: ...

    def url(self, key: str, expires_in: int | None = None, filename: str | None = None) -> str: ...


class LocalStorage:
    """Files in a local folder; downloads through ``/files/<key>?exp=&sig=`` signed URLs."""

    def __init__(self, root: str, secret: str, base_url: str, default_ttl: int = 3600) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._secret = hashlib.sha256(b"luneo-files:" + secret.encode()).digest()
        self.base_url = base_url.rstrip("/")
        self.default_ttl = default_ttl

    def path(self, key: str) -> Path:
        """Filesystem path of a key (validated)."""
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """Write atomically: readers never see half a file."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError as exc:
            raise StorageError(f"no file at {key}") from exc

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> int:
        """Remove every file under a folder prefix; returns how many were removed."""
        folder = self.path(prefix.rstrip("/"))
        if not folder.exists():
            return 0
        count = sum(1 for p in folder.rglob("*") if p.is_file())
        shutil.rmtree(folder)
        return count

    def list(self, prefix: str) -> list[str]:
        folder = self.path(prefix.rstrip("/"))
        if not folder.exists():
            return []
        return sorted(str(p.relative_to(self.root)) for p in folder.rglob("*") if p.is_file())

    # --- signed URLs ---------------------------------------------------------------------
    def sign(self, key: str, expires: int, filename: str | None = None) -> str:
        message = f"{key}\n{expires}\n{filename or ''}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def url(self, key: str, expires_in: int | None = None, filename: str | None = None) -> str:
        """A URL that serves the file until it expires (default TTL from settings)."""
        expires = int(time.time()) + (expires_in or self.default_ttl)
        params = {"exp": expires, "sig": self.sign(check_key(key), expires, filename)}
        if filename:
            params["name"] = filename
        return f"{self.base_url}/files/{quote(key)}?{urlencode(params)}"

    def verify(
        self, key: str, expires: str | None, signature: str | None, filename: str | None = None
    ) -> None:
        """Raise :class:`SignatureError` unless the signature is valid and unexpired."""
        if not expires or not signature or not expires.isdigit():
            raise SignatureError("missing or malformed signature")
        expected = self.sign(check_key(key), int(expires), filename)
        if not hmac.compare_digest(expected, signature):
            raise SignatureError("bad signature")
        if int(expires) < time.time():
            raise SignatureError("link expired")


def make_storage(config: dict) -> LocalStorage:
    """The storage backend named by the settings (local folder today)."""
    return LocalStorage(
        config["STORAGE_DIR"],
        secret=config["SECRET_KEY"],
        base_url=config["APP_URL"],
        default_ttl=config["STORAGE_URL_TTL"],
    )
