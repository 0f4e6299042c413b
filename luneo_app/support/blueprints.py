"""The support console's blueprints: public sign-in pages and staff pages."""

from __future__ import annotations

from apiflask import APIBlueprint

auth_bp = APIBlueprint(
    "support_auth",
    __name__,
    url_prefix="/support",
    template_folder="templates",
    enable_openapi=False,
)
pages_bp = APIBlueprint(
    "support", __name__, url_prefix="/support", template_folder="templates", enable_openapi=False
)
