"""The documentation UI's own files, served by the app so ``/docs`` works offline."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import Flask

SWAGGER_UI_VERSION = "5.35.0"
ASSETS = "/docs/assets"

bp = APIBlueprint(
    "apidocs",
    __name__,
    static_folder="static",
    static_url_path=ASSETS,
    enable_openapi=False,
)


def init_docs(app: Flask) -> None:
    """Serve the pinned Swagger UI from the app and finish the OpenAPI document."""
    from .openapi import DESCRIPTION, SECURITY_SCHEMES, finish_spec
    from .schemas import ErrorBody

    base = f"{ASSETS}/swagger-ui-{SWAGGER_UI_VERSION}"
    app.config.update(
        SWAGGER_UI_CSS=f"{base}/swagger-ui.css",
        SWAGGER_UI_BUNDLE_JS=f"{base}/swagger-ui-bundle.js",
        SWAGGER_UI_STANDALONE_PRESET_JS=f"{base}/swagger-ui-standalone-preset.js",
        DOCS_FAVICON=f"{base}/favicon-32x32.png",
        SWAGGER_UI_CONFIG={"tryItOutEnabled": False, "persistAuthorization": False},
        HTTP_ERROR_SCHEMA=ErrorBody,
        VALIDATION_ERROR_SCHEMA=ErrorBody,
        DESCRIPTION=DESCRIPTION,
        AUTO_SERVERS=False,
    )
    app.security_schemes = SECURITY_SCHEMES  # type: ignore[attr-defined]
    app.spec_processor(lambda spec: finish_spec(app, spec))  # type: ignore[attr-defined]
    app.register_blueprint(bp)
