"""File storage: one interface, two backends.

Keys are paths such as ``brands/brd_x/designs/des_y/preview.webp``. Every tenant's files live
under ``brands/{brand_id}/`` so erasing a brand is erasing one prefix.

- :class:`LocalStorage`: a folder on this machine; downloads through ``/files/<key>`` URLs
  signed by the app (embedded default, single machine).
- :class:`luneo_app.files.s3.S3Storage`: an S3-compatible bucket (``STORAGE_URL=s3://...``);
  downloads through presigned URLs straight from the bucket, so web and workers on separate
  machines share every file.

Callers only ever use the methods of :class:`Storage`; both backends implement all of them.
"""

from __future__ import annotations

import mimetypes
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import quote, urlencode, urlsplit

from ..core.errors import LuneoError
from .signing import DownloadSigner

_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,511}$")
CHUNK = 64 * 1024


class StorageError(Exception):
    """A key is malformed or a file is missing."""


class NoSuchFile(StorageError):
    """No file is stored under this key."""


class StorageUnavailable(LuneoError):
    """The file store cannot be reached or refused to work: try again later (503).

    Not a :class:`StorageError`, so code that treats a missing file as "not there" never
    mistakes an outage for an absent file.
    """

    status = 503
    code = "storage_unavailable"
    retry_after = 10

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


@dataclass(frozen=True)
class StoredFile:
    """What the store knows about one file."""

    key: str
    size: int
    content_type: str
    etag: str


def brand_prefix(brand_id: str) -> str:
    """Folder of every file a brand owns."""
    return f"brands/{brand_id}/"


def check_key(key: str) -> str:
    """Refuse keys that could escape the storage root."""
    if not _KEY_RE.match(key) or ".." in key.split("/") or "//" in key:
        raise StorageError(f"invalid storage key: {key!r}")
    return key


def guess_type(key: str) -> str:
    """Content type from a key's extension (GLB and USDZ included)."""
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


mimetypes.add_type("model/gltf-binary", ".glb")
mimetypes.add_type("model/vnd.usdz+zip", ".usdz")
mimetypes.add_type("image/webp", ".webp")


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL ("" when it has none)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class Storage(Protocol):
    """What Luneo needs from a file store. Every method raises :class:`StorageUnavailable`
    when the store cannot answer, :class:`NoSuchFile` for a missing file where one is
    needed, and :class:`StorageError` for a malformed key."""

    def put(
        self, key: str, data: bytes | BinaryIO, content_type: str = "application/octet-stream"
    ) -> None:
        """Store bytes (or a binary file object) whole: readers never see half a file."""

    def get(self, key: str) -> bytes:
        """The file's bytes."""

    def stream(self, key: str) -> Iterator[bytes]:
        """The file's bytes in chunks, without holding it all in memory."""

    def stat(self, key: str) -> StoredFile:
        """Size, content type and ETag of a file."""

    def exists(self, key: str) -> bool:
        """True when a file is stored under the key."""

    def delete(self, key: str) -> None:
        """Remove a file (no error when it is already gone)."""

    def delete_prefix(self, prefix: str) -> int:
        """Remove every file under a folder prefix; returns how many were removed."""

    def list(self, prefix: str) -> list[str]:
        """Keys under a folder prefix, sorted."""

    def copy(self, source: str, target: str) -> None:
        """Copy a file to another key inside the store (server-side where possible)."""

    def url(self, key: str, expires_in: int | None = None, filename: str | None = None) -> str:
        """A download URL valid for ``expires_in`` seconds (an attachment when named)."""

    @property
    def public_origin(self) -> str:
        """Origin browsers download files from (for CSP and CORS)."""

    def check(self) -> None:
        """Raise :class:`StorageUnavailable` unless the store answers (readiness)."""

    def describe(self) -> str:
        """Where files live, for operators (no secrets)."""


class LocalStorage:
    """Files in a local folder; downloads through ``/files/<key>?exp=&sig=`` signed URLs.

    Content types are not stored: they follow the key's extension, as the keys Luneo makes
    always carry one.
    """

    def __init__(self, root: str, secret: str, base_url: str, default_ttl: int = 3600) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.signer = DownloadSigner(secret)
        self.base_url = base_url.rstrip("/")
        self.default_ttl = default_ttl

    def path(self, key: str) -> Path:
        """Filesystem path of a key (validated)."""
        return self.root / check_key(key)

    def put(
        self, key: str, data: bytes | BinaryIO, content_type: str = "application/octet-stream"
    ) -> None:
        """Write atomically: readers never see half a file."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                if isinstance(data, bytes | bytearray | memoryview):
                    handle.write(data)
                else:
                    shutil.copyfileobj(data, handle, CHUNK)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise NoSuchFile(f"no file at {key}") from exc

    def stream(self, key: str) -> Iterator[bytes]:
        path = self.path(key)
        if not path.is_file():
            raise NoSuchFile(f"no file at {key}")
        return _chunks(path)

    def stat(self, key: str) -> StoredFile:
        path = self.path(key)
        if not path.is_file():
            raise NoSuchFile(f"no file at {key}")
        info = path.stat()
        etag = f"{info.st_mtime_ns:x}-{info.st_size:x}"
        return StoredFile(key, info.st_size, guess_type(key), etag)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> int:
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
        return sorted(
            str(p.relative_to(self.root))
            for p in folder.rglob("*")
            if p.is_file() and not p.name.startswith(".tmp-")
        )

    def copy(self, source: str, target: str) -> None:
        try:
            handle = self.path(source).open("rb")
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise NoSuchFile(f"no file at {source}") from exc
        with handle:
            self.put(target, handle)

    def url(self, key: str, expires_in: int | None = None, filename: str | None = None) -> str:
        expires = int(time.time()) + (expires_in or self.default_ttl)
        params = {"exp": expires, "sig": self.signer.sign(check_key(key), expires, filename)}
        if filename:
            params["name"] = filename
        return f"{self.base_url}/files/{quote(key)}?{urlencode(params)}"

    @property
    def public_origin(self) -> str:
        return origin_of(self.base_url)

    def check(self) -> None:
        if not os.access(self.root, os.W_OK):
            raise StorageUnavailable(f"The storage folder {self.root} is not writable.")

    def describe(self) -> str:
        return f"local folder {self.root}"


def _chunks(path: Path) -> Iterator[bytes]:
    # Opened on the first chunk: a response that is never sent leaves no file open.
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def make_storage(config: dict) -> Storage:
    """The backend the settings name: ``STORAGE_URL=s3://bucket/prefix`` or the local folder."""
    if config.get("STORAGE_URL"):
        from .s3 import S3Storage

        return S3Storage.from_config(config)
    return LocalStorage(
        config["STORAGE_DIR"],
        secret=config["SECRET_KEY"],
        base_url=config["APP_URL"],
        default_ttl=config["STORAGE_URL_TTL"],
    )
