"""Signed downloads of stored files served by the app (links made by the local backend).

The file is read through the storage interface only (``stat`` and ``stream``), so the route
does not care which backend holds it. Every request counts in
``luneo_image_deliveries_total{route="files"}`` (the image delivery SLO): served or
not_modified; missing (a valid link to a file that is gone) or error (the store failed,
before or while streaming) count as failures; refused links do not.
"""

from __future__ import annotations

from collections.abc import Iterator

from apiflask import APIBlueprint
from flask import Response, current_app, request

from ..core.errors import Forbidden, NotFound
from ..observability.metrics import IMAGE_DELIVERIES
from .s3 import content_disposition
from .signing import DownloadSigner, SignatureError
from .storage import StorageError, check_key

bp = APIBlueprint("files", __name__, enable_openapi=False)


@bp.get("/files/<path:key>")
def download(key: str) -> Response:
    """Serve a file when the URL's signature is valid and not expired."""
    storage = current_app.extensions["luneo.storage"]
    filename = request.args.get("name")
    try:
        check_key(key)
        DownloadSigner(
            current_app.config["SECRET_KEY"], current_app.config.get("SECRET_KEY_FALLBACKS") or ()
        ).verify(key, request.args.get("exp"), request.args.get("sig"), filename)
    except SignatureError as exc:
        IMAGE_DELIVERIES.labels("files", "refused").inc()
        raise Forbidden(f"This download link is not valid: {exc}.", code="bad_signature") from exc
    except StorageError as exc:
        IMAGE_DELIVERIES.labels("files", "refused").inc()  # a malformed key
        raise NotFound("No such file.") from exc
    try:
        info = storage.stat(key)
        not_modified = request.if_none_match.contains(info.etag)
        body = None if not_modified else _counted(storage.stream(key))
    except StorageError as exc:
        IMAGE_DELIVERIES.labels("files", "missing").inc()
        raise NotFound("No such file.") from exc
    except Exception:
        IMAGE_DELIVERIES.labels("files", "error").inc()
        raise
    if not_modified:
        IMAGE_DELIVERIES.labels("files", "not_modified").inc()
    response = Response(body, status=304 if not_modified else 200, mimetype=info.content_type)
    response.direct_passthrough = body is not None
    if body is not None:
        response.content_length = info.size
    response.set_etag(info.etag)
    response.cache_control.private = True
    response.cache_control.max_age = 300
    if filename:
        response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _counted(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The file's chunks; counts the delivery once the last one is sent (served), or as an
    error when the store fails mid-stream (the client got a cut-off file)."""
    try:
        yield from chunks
    except Exception:
        IMAGE_DELIVERIES.labels("files", "error").inc()
        raise
    IMAGE_DELIVERIES.labels("files", "served").inc()
