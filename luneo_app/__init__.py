"""Luneo: product personalization for Shopify merchants and API brands."""

from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path

from apiflask import APIFlask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from render import images as render_images

from .apidocs.routes import init_docs
from .config import PROJECT_ROOT, Config
from .core import uow
from .core.crypto import Keyring, generate_key
from .core.kv import make_store
from .core.proxies import init_proxies
from .core.ratelimit import init_rate_limits
from .extensions import db, migrate
from .files.storage import make_storage
from .jobs import schedule
from .jobs.celery_app import celery_init_app
from .observability.errors import init_error_reporting
from .observability.logs import configure_logging
from .observability.tracing import init_tracing
from .observability.web import init_request_tracking
from .realtime import init_realtime
from .web_errors import apiflask_error_processor, init_error_handlers, init_outage_handlers
from .web_input import init_input_checks

log = logging.getLogger("luneo")

API_DESCRIPTION = """Errors are JSON: `{"error": {"code", "message", "details"}}`.

Input every endpoint refuses the same way:

* JSON nested deeper than 64 arrays/objects: **400** `json_too_deep`.
* A NUL character (`\\u0000` in JSON, `%00` in a query or form field) in any text field,
  key or parameter: **422** `nul_character`, with `details.field` naming the field. NUL is
  refused, never stripped: what Luneo stores is exactly what was sent.
"""


def create_app(config: Config | None = None) -> APIFlask:
    """Build the Luneo application from a settings object (default: the environment)."""
    cfg = config or Config()
    app = APIFlask(
        "luneo_app",
        title="Luneo API",
        version="1.0.0",
        spec_path="/openapi.json",
        docs_path="/docs",
        instance_path=cfg.INSTANCE_DIR,
    )
    app.config.update(cfg.as_dict())
    app.config["EMBEDDED"] = cfg.embedded
    app.config["SPEC_FORMAT"] = "json"
    app.config["VALIDATION_ERROR_STATUS_CODE"] = 422
    app.config["DESCRIPTION"] = API_DESCRIPTION
    app.config["SQLALCHEMY_RECORD_QUERIES"] = False
    if app.config.get("SESSION_COOKIE_SECURE") is None:  # console cookies: Secure over HTTPS
        app.config["SESSION_COOKIE_SECURE"] = app.config["APP_URL"].startswith("https://")
    app.security_schemes = {
        "BearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "A brand's API key (`lk_...`), a team member's access token "
            "(`POST /v1/auth/login`) or a storefront embed token.",
        }
    }
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _ensure_secrets(app, cfg)
    configure_logging(app.config["LOG_LEVEL"])
    init_error_reporting(app)
    init_tracing(app)  # before the engine exists: SQLAlchemy's instrumentation wraps it

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    with app.app_context():
        app.extensions["luneo.kv"] = make_store(app.config["REDIS_URL"], db.engine)
    app.extensions["luneo.storage"] = make_storage(app.config)
    render_images.configure_cache(app.config["RENDER_CACHE_MB"] * 1024 * 1024)
    app.extensions["luneo.keyring"] = Keyring.parse(
        app.config["LUNEO_ENCRYPTION_KEY"], app.config["LUNEO_ENCRYPTION_OLD_KEYS"]
    )
    celery_init_app(app)
    init_proxies(app)
    init_rate_limits(app)
    uow.init_app(app)
    schedule.init_app(app)

    init_request_tracking(app)
    init_input_checks(app)
    app.error_processor(apiflask_error_processor)
    init_error_handlers(app)  # after error_processor, which re-registers its own handler
    init_outage_handlers(app)
    init_realtime(app)  # before the blueprints: designs registers its stream reader
    _register_blueprints(app)
    init_docs(app)  # /docs offline, and the OpenAPI document's finishing touches
    _connect_lifecycle(app)
    _register_cli(app)
    _import_tasks()
    return app


def _register_blueprints(app: APIFlask) -> None:
    from .accounts import init_accounts
    from .admin import init_admin
    from .ai.routes import bp as ai_bp
    from .billing import init_billing
    from .commerce.routes import bp as commerce_bp
    from .console import init_console
    from .demo.routes import bp as demo_bp
    from .designs.proof_page import bp as proof_page_bp
    from .designs.routes import bp as designs_bp
    from .embed import init_embed
    from .enterprise import init_enterprise
    from .files.routes import bp as files_bp
    from .health.routes import bp as health_bp
    from .orders.connector_routes import bp as connectors_bp
    from .orders.routes import bp as orders_bp
    from .outbound.routes import bp as outbound_bp
    from .products.routes import bp as products_bp
    from .shopify import init_shopify
    from .storefront.brand_store import bp as brand_store_bp
    from .storefront.routes import bp as storefront_bp
    from .support import init_support
    from .three_d.demo import bp as three_d_demo_bp
    from .three_d.routes import bp as three_d_bp
    from .uploads.routes import bp as uploads_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(files_bp)
    app.register_blueprint(demo_bp)
    app.register_blueprint(designs_bp)
    app.register_blueprint(proof_page_bp)
    app.register_blueprint(uploads_bp)
    app.register_blueprint(products_bp)
    app.register_blueprint(orders_bp)
    app.register_blueprint(connectors_bp)
    app.register_blueprint(commerce_bp)
    app.register_blueprint(outbound_bp)
    app.register_blueprint(ai_bp)
    app.register_blueprint(three_d_bp)
    app.register_blueprint(three_d_demo_bp)
    init_shopify(app)
    init_admin(app)  # /admin pages and /admin/api, behind App Bridge session tokens
    init_embed(app)  # /embed, /widget and the storefront embed-token verifier
    app.register_blueprint(storefront_bp)
    app.register_blueprint(brand_store_bp)
    init_accounts(app)  # /v1/auth, /v1/brands/{id}/data and the user access-token verifier
    init_console(app)  # /console: the API brands' console, cookie sessions
    init_billing(app)  # /v1/billing, /webhooks/stripe, Shopify billing webhooks
    init_enterprise(app)  # /v1/auth/sso/saml (SAML ACS), /console/sso and /scim/v2
    init_support(app)  # /support: Luneo staff review and repair installs


def _connect_lifecycle(app: APIFlask) -> None:
    """Features that react to the design lifecycle connect their signal receivers."""
    from . import commerce, designs, orders, outbound, three_d

    for feature in (designs, three_d, orders, outbound, commerce):
        feature.init_app(app)


def _register_cli(app: APIFlask) -> None:
    from .cli import luneo_cli

    app.cli.add_command(luneo_cli)


def _import_tasks() -> None:
    """Import every module that defines Celery tasks so workers know them."""
    from . import tasks  # noqa: F401


def _ensure_secrets(app: APIFlask, cfg: Config) -> None:
    """Production must bring its secrets; the embedded default makes local ones once.

    Local secrets live in ``instance/dev-secrets.json`` (never committed) so sessions,
    signed URLs and encrypted tokens survive restarts of the development server.
    """
    if app.config.get("SECRET_KEY") and app.config.get("LUNEO_ENCRYPTION_KEY"):
        return
    if not cfg.embedded and not app.config.get("TESTING"):
        missing = [k for k in ("SECRET_KEY", "LUNEO_ENCRYPTION_KEY") if not app.config.get(k)]
        raise RuntimeError(f"production settings need {', '.join(missing)} in the environment")
    stored = _local_secrets(Path(app.instance_path) / "dev-secrets.json")
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or stored["SECRET_KEY"]
    app.config["LUNEO_ENCRYPTION_KEY"] = (
        app.config.get("LUNEO_ENCRYPTION_KEY") or stored["LUNEO_ENCRYPTION_KEY"]
    )


def _local_secrets(path: Path) -> dict[str, str]:
    """Read the local secrets, making them first if missing.

    Several gunicorn workers start at once: the file is written aside and hard-linked into
    place, which fails if another worker won, so every worker ends up with the same secrets.
    """
    for _attempt in range(2):
        if path.exists():
            stored = json.loads(path.read_text())
            if "SECRET_KEY" in stored and "LUNEO_ENCRYPTION_KEY" in stored:
                return stored
        made = {
            "SECRET_KEY": secrets.token_urlsafe(48),
            "LUNEO_ENCRYPTION_KEY": generate_key("dev1"),
        }
        if path.exists():  # an older file missing one key: complete it in place
            made = {**made, **json.loads(path.read_text())}
            path.write_text(json.dumps(made, indent=2))
            return made
        aside = path.with_name(f".{path.name}.{os.getpid()}")
        aside.write_text(json.dumps(made, indent=2))
        os.chmod(aside, 0o600)
        try:
            os.link(aside, path)
            return made
        except FileExistsError:
            continue  # another process won the race: read its file
        finally:
            aside.unlink(missing_ok=True)
    return json.loads(path.read_text())


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """SQLite: enforce foreign keys and let readers work while a writer commits."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
