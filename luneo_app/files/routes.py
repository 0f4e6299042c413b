"""Signed downloads of stored files."""

from __future__ import annotations

import mimetypes

from apiflask import APIBlueprint
from flask import current_app, request, send_file

from ..core.errors import Forbidden, NotFound
from .storage import SignatureError, StorageError

bp = APIBlueprint("files", __name__, enable_openapi=False)


@bp.get("/files/<path:key>")
def download(key: str):  # type: ignore[no-untyped-def]
    """Serve a file when the URL's signature is valid and not expired."""
    storage = current_app.extensions["luneo.storage"]
    filename = request.args.get("name")
    try:
        storage.verify(key, request.args.get("exp"), request.args.get("sig"), filename)
        path = storage.path(key)
    except SignatureError as exc:
        raise Forbidden(f"This download link is not valid: {exc}.", code="bad_signature") from exc
    except StorageError as exc:
        raise NotFound("No such file.") from exc
    if not path.is_file():
        raise NotFound("No such file.")
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = send_file(
        path,
        mimetype=mimetype,
        download_name=filename,
        as_attachment=bool(filename),
        max_age=300,
        conditional=True,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
