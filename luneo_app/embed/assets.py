"""``/widget/...``: the storefront SDK, the widget app's scripts and styles, and the fonts.

The widget is plain JavaScript and CSS served as they are (no build step). Text files are
gzip-compressed once and kept in memory when the browser accepts it. Fonts are the render
engine's own files, so the shopper picks from exactly the fonts the preview is drawn with.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from apiflask import APIBlueprint
from flask import Response, request

from render import fonts as font_catalog
from render import webfonts

from ..config import PROJECT_ROOT
from ..core.errors import NotFound
from .catalog import font_version

WIDGET_DIR = PROJECT_ROOT / "widget"
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
_FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff2": "font/woff2"}
YEAR = 365 * 24 * 3600

bp = APIBlueprint("widget", __name__, url_prefix="/widget", enable_openapi=False)


@lru_cache(maxsize=64)
def _load(path: Path, mtime_ns: int) -> tuple[bytes, bytes]:
    """The file and its gzip encoding (keyed by modification time, so edits show up)."""
    raw = path.read_bytes()
    return raw, gzip.compress(raw, compresslevel=9, mtime=0)


def _send(path: Path, mimetype: str, max_age: int, cors: bool = False) -> Response:
    raw, packed = _load(path, path.stat().st_mtime_ns)
    use_gzip = "gzip" in request.headers.get("Accept-Encoding", "") and len(packed) < len(raw)
    response = Response(packed if use_gzip else raw, mimetype=mimetype)
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if max_age >= YEAR:
        response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    if cors:
        response.headers["Access-Control-Allow-Origin"] = "*"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/fonts/<font_id>")
def font(font_id: str) -> Response:
    """A catalog font as a webfont; cached for a year when the URL carries its version."""
    try:
        info = font_catalog.get(font_id)
    except Exception as exc:  # noqa: BLE001 - render raises SpecError for unknown ids
        raise NotFound("No such font.", code="font_not_found") from exc
    mimetype = _FONT_TYPES.get(info.path.suffix.lower(), "application/octet-stream")
    versioned = request.args.get("v") == font_version(info.path)
    return _send(info.path, mimetype, YEAR if versioned else 3600, cors=True)


@bp.get("/fonts/<font_id>/<subset>.woff2")
def font_subset(font_id: str, subset: str) -> Response:
    """One script subset of a catalog font as WOFF2 (see ``render.webfonts``)."""
    try:
        info = font_catalog.get(font_id)
    except Exception as exc:  # noqa: BLE001 - render raises SpecError for unknown ids
        raise NotFound("No such font.", code="font_not_found") from exc
    path = webfonts.subset_file(info.path, subset)
    if path is None:
        raise NotFound("No such subset of this font.", code="font_not_found")
    versioned = request.args.get("v") == font_version(info.path)
    return _send(path, "font/woff2", YEAR if versioned else 3600, cors=True)


@bp.get("/<path:filename>")
def asset(filename: str) -> Response:
    """A file of ``widget/`` (scripts, styles, icons); nothing outside it."""
    path = (WIDGET_DIR / filename).resolve()
    mimetype = _TYPES.get(path.suffix.lower())
    if mimetype is None or WIDGET_DIR.resolve() not in path.parents or not path.is_file():
        raise NotFound("No such widget file.")
    # The SDK is also read by other origins (the demo storefront on another port, API brands).
    return _send(path, mimetype, 300, cors=filename == "sdk.js")


VIEWER_FILE = "vendor/model-viewer-4.4.0.min.js"  # the file widget/three-d.js loads
_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)


@lru_cache(maxsize=1)
def viewer_style_hashes() -> tuple[str, ...]:
    """CSP hashes (``'sha256-...'``) of the ``<style>`` blocks <model-viewer> stamps into its
    shadow root, read from the vendored file itself: the widget's ``style-src`` allows
    exactly these (no ``'unsafe-inline'``), and a new viewer version brings its own hashes.
    Only blocks without template interpolation are hashable; the 4.x viewer has one."""
    source = (WIDGET_DIR / VIEWER_FILE).read_text(encoding="utf-8")
    out = []
    for block in _STYLE_BLOCK.findall(source):
        if "${" in block or "\\" in block:
            continue  # not a fixed text: its hash would not match what the browser sees
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        out.append(f"'sha256-{digest}'")
    return tuple(dict.fromkeys(out))
