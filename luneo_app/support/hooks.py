"""Template helpers, error pages and the session's idle clock on the console's blueprints
(registered once, on import)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for
from werkzeug.wrappers import Response

from ..admin.assets import asset_url
from ..core.errors import LuneoError
from ..staff import session
from .blueprints import auth_bp, pages_bp
from .health import badges_of
from .pii import show
from .view_as import current as merchant_view_of


@auth_bp.context_processor
@pages_bp.context_processor
def _context() -> dict[str, Any]:
    return {
        "asset_url": asset_url,
        "csrf_token": session.csrf_token,
        "staff": session.current_staff(),
        "pii": show,
        "health_of": badges_of,
        "merchant_view_of": merchant_view_of,
    }


@pages_bp.errorhandler(LuneoError)
def _error(exc: LuneoError):  # type: ignore[no-untyped-def]
    if exc.status == 401:
        return redirect(url_for("support_auth.login"))
    return render_template("support/error.html", error=exc, active=None), exc.status


@pages_bp.after_request
def _touch(response: Response) -> Response:
    return session.touch(response)
