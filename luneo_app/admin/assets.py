"""The admin's own scripts and styles, served as they are (no build step).

URLs carry a content hash (``?v=``), so a page always gets the files it was rendered with and
browsers may keep them for a year. Text files are gzip-compressed once, in memory.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Response, request, url_for

from ..core.errors import NotFound

STATIC_DIR = Path(__file__).resolve().parent / "static"
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
YEAR = 365 * 24 * 3600


@lru_cache(maxsize=32)
def _load(path: Path, mtime_ns: int) -> tuple[bytes, bytes, str]:
    """The file, its gzip encoding and its content hash (keyed by modification time)."""
    raw = path.read_bytes()
    return raw, gzip.compress(raw, compresslevel=9, mtime=0), hashlib.sha256(raw).hexdigest()[:12]


def _path(name: str) -> Path:
    path = (STATIC_DIR / name).resolve()
    if path.suffix not in _TYPES or path.parent != STATIC_DIR or not path.is_file():
        raise NotFound("No such admin file.")
    return path


def asset_url(name: str) -> str:
    """The versioned URL of a file of ``admin/static`` (for templates)."""
    path = _path(name)
    version = _load(path, path.stat().st_mtime_ns)[2]
    return url_for("admin.asset", name=name, v=version)


def send_asset(name: str) -> Response:
    """Serve a static admin file; immutable for a year when the URL names its version."""
    path = _path(name)
    raw, packed, version = _load(path, path.stat().st_mtime_ns)
    use_gzip = "gzip" in request.headers.get("Accept-Encoding", "") and len(packed) < len(raw)
    response = Response(packed if use_gzip else raw, mimetype=_TYPES[path.suffix])
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    response.cache_control.public = True
    if request.args.get("v") == version:
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.max_age = 300
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(version)
    return response.make_conditional(request)
