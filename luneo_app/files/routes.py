"""Signed downloads of stored files served by the app (links made by the local backend).

The file is read through the storage interface only (``stat`` and ``stream``), so the route
does not care which backend holds it.
"""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import Response, current_app, request

from ..core.errors import Forbidden, NotFound
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
        raise Forbidden(f"This download link is not valid: {exc}.", code="bad_signature") from exc
    except StorageError as exc:
        raise NotFound("No such file.") from exc
    try:
        info = storage.stat(key)
        not_modified = request.if_none_match.contains(info.etag)
        body = None if not_modified else storage.stream(key)
    except StorageError as exc:
        raise NotFound("No such file.") from exc
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
