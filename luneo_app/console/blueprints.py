"""The console's blueprints: public sign-in pages, signed-in pages, and their JSON API."""

from __future__ import annotations

from apiflask import APIBlueprint

auth_bp = APIBlueprint(
    "console_auth",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    enable_openapi=False,
)
pages_bp = APIBlueprint(
    "console", __name__, url_prefix="/console", template_folder="templates", enable_openapi=False
)
api_bp = APIBlueprint("console_api", __name__, url_prefix="/console/api", enable_openapi=False)
