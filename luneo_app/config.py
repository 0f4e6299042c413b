"""Settings, read from the environment when the app is created.

Every setting and its embedded default lives in :class:`Config`. Nothing reads the
environment at import time: ``create_app`` builds a ``Config`` (or a subclass) and the
factory copies it onto ``app.config``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .core.secrets import resolve_secrets

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in _TRUE


def _int(value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    return int(value)


def _float(value: str | None, default: float) -> float:
    if value is None or value == "":
        return default
    return float(value)


class Config:
    """Application settings with the embedded defaults in one place.

    With no environment at all the app runs on the *embedded default*: SQLite under
    ``instance/``, Celery in eager mode, files in a local folder, the demo shop.
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        # Secrets may come from NAME_FILE or from Vault (core/secrets.py).
        e = resolve_secrets(os.environ if env is None else env)
        instance = Path(e.get("LUNEO_INSTANCE_DIR") or PROJECT_ROOT / "instance")
        self.INSTANCE_DIR = str(instance)

        # --- core -------------------------------------------------------------------
        self.SECRET_KEY: str | None = e.get("SECRET_KEY") or None
        # Older app secrets still accepted during a rotation ("old1,old2"): sessions, links
        # and tokens signed with them verify; new ones use SECRET_KEY (core/secret_keys.py).
        self.SECRET_KEY_FALLBACKS: list[str] = [
            k.strip()
            for k in (e.get("SECRET_KEY_FALLBACKS") or "").replace("\n", ",").split(",")
            if k.strip()
        ]
        self.LUNEO_ENCRYPTION_KEY: str | None = e.get("LUNEO_ENCRYPTION_KEY") or None
        # Older keys stay readable during a rotation: "kid:base64key,kid:base64key".
        self.LUNEO_ENCRYPTION_OLD_KEYS: str = e.get("LUNEO_ENCRYPTION_OLD_KEYS", "")
        self.APP_URL: str = (e.get("APP_URL") or "http://127.0.0.1:5000").rstrip("/")
        self.LOG_LEVEL: str = e.get("LOG_LEVEL", "INFO")
        self.MAX_CONTENT_LENGTH: int = _int(e.get("MAX_CONTENT_LENGTH"), 16 * 1024 * 1024)

        # --- database -----------------------------------------------------------------
        db_url = e.get("DATABASE_URL") or f"sqlite:///{instance / 'luneo.sqlite3'}"
        if db_url.startswith("postgres://"):
            db_url = "postgresql://" + db_url[len("postgres://") :]
        if db_url.startswith("postgresql://"):
            db_url = "postgresql+psycopg://" + db_url[len("postgresql://") :]
        self.SQLALCHEMY_DATABASE_URI: str = db_url
        self.SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}

        # --- redis and jobs -------------------------------------------------------------
        self.REDIS_URL: str | None = e.get("REDIS_URL") or None
        self.CELERY_EAGER: bool = _bool(e.get("CELERY_EAGER"), self.REDIS_URL is None)
        self.JOB_TIME_LIMIT: int = _int(e.get("JOB_TIME_LIMIT"), 120)
        self.JOB_MAX_RETRIES: int = _int(e.get("JOB_MAX_RETRIES"), 3)
        self.JOB_RETRY_BACKOFF: int = _int(e.get("JOB_RETRY_BACKOFF"), 2)
        self.JOB_CONCURRENCY_PER_BRAND: int = _int(e.get("JOB_CONCURRENCY_PER_BRAND"), 3)
        self.JOB_CONCURRENCY_TOTAL: int = _int(e.get("JOB_CONCURRENCY_TOTAL"), 5)
        # Outbox and sweeper: a running attempt is trusted for its time limit plus this
        # grace; a published job not started within JOB_QUEUE_LEASE is published again.
        self.JOB_LEASE_GRACE: int = _int(e.get("JOB_LEASE_GRACE"), 30)
        # Short enough that a message lost with a dead worker or a broker restart is sent
        # again well within 2 x JOB_TIME_LIMIT; at most JOB_CONCURRENCY_TOTAL jobs per queue
        # are published at once, so a healthy queue rarely waits this long.
        self.JOB_QUEUE_LEASE: int = _int(e.get("JOB_QUEUE_LEASE"), 120)
        # A worker with a free process that takes nothing for this long while its queues
        # hold messages reconnects to the broker (jobs/watchdog.py); 0 turns the check off.
        self.JOB_WATCHDOG_STALL: int = _int(e.get("JOB_WATCHDOG_STALL"), 30)
        # How often the beat schedule sweeps jobs (seconds); 0 turns the embedded
        # in-process schedule off (production runs `celery beat` instead).
        # Seconds a client is told to wait (Retry-After) when a dependency is down.
        self.OUTAGE_RETRY_AFTER: int = _int(e.get("OUTAGE_RETRY_AFTER"), 5)
        self.SWEEP_INTERVAL: int = _int(e.get("SWEEP_INTERVAL"), 30)
        self.SCHEDULE_IN_PROCESS: bool = _bool(e.get("SCHEDULE_IN_PROCESS"), self.REDIS_URL is None)

        # --- files --------------------------------------------------------------------
        self.STORAGE_DIR: str = e.get("STORAGE_DIR") or str(instance / "storage")
        self.STORAGE_URL_TTL: int = _int(e.get("STORAGE_URL_TTL"), 3600)
        # Object storage shared by every machine: s3://bucket/prefix (empty = STORAGE_DIR).
        # Credentials come from the standard AWS variables (AWS_ACCESS_KEY_ID ...).
        self.STORAGE_URL: str | None = e.get("STORAGE_URL") or None
        # The S3 API address the app uses (MinIO, SeaweedFS, R2 ...; empty = AWS) and the one
        # browsers download from when it differs (a private network name vs a public host).
        self.STORAGE_ENDPOINT_URL: str | None = e.get("STORAGE_ENDPOINT_URL") or None
        self.STORAGE_PUBLIC_ENDPOINT_URL: str | None = e.get("STORAGE_PUBLIC_ENDPOINT_URL") or None
        self.STORAGE_REGION: str = e.get("STORAGE_REGION") or "us-east-1"
        self.STORAGE_PATH_STYLE: bool = _bool(
            e.get("STORAGE_PATH_STYLE"), bool(self.STORAGE_ENDPOINT_URL)
        )
        self.STORAGE_MULTIPART_THRESHOLD: int = _int(
            e.get("STORAGE_MULTIPART_THRESHOLD"), 16 * 1024 * 1024
        )
        # Origins allowed to fetch files from the bucket (comma separated); APP_URL always is.
        self.STORAGE_CORS_ORIGINS: str = e.get("STORAGE_CORS_ORIGINS", "")
        self.UPLOAD_MAX_BYTES: int = _int(e.get("UPLOAD_MAX_BYTES"), 15 * 1024 * 1024)
        # Shopper photos: accepted up to UPLOAD_MAX_PIXELS (48 MP phone photos pass), decoded
        # in a child process capped at UPLOAD_DECODE_MEMORY_MB, stored at most
        # UPLOAD_DECODE_PIXELS large (12 MP prints 34 x 25 cm at 300 dpi).
        self.UPLOAD_MAX_PIXELS: int = _int(e.get("UPLOAD_MAX_PIXELS"), 50_000_000)
        self.UPLOAD_DECODE_PIXELS: int = _int(e.get("UPLOAD_DECODE_PIXELS"), 12_000_000)
        self.UPLOAD_DECODE_MEMORY_MB: int = _int(e.get("UPLOAD_DECODE_MEMORY_MB"), 512)
        self.MODEL_MAX_BYTES: int = _int(e.get("MODEL_MAX_BYTES"), 15 * 1024 * 1024)
        self.MODEL_MAX_TRIANGLES: int = _int(e.get("MODEL_MAX_TRIANGLES"), 300_000)
        self.THREE_D_TEXTURE_PX: int = _int(e.get("THREE_D_TEXTURE_PX"), 1024)
        # What each process may keep of decoded photos, scaled product photos, masks and
        # rendered layers, in MiB (one budget for all of the engine's caches).
        self.RENDER_CACHE_MB: int = _int(e.get("RENDER_CACHE_MB"), 256)

        # --- Shopify ------------------------------------------------------------------
        self.SHOPIFY_API_KEY: str | None = e.get("SHOPIFY_API_KEY") or None
        self.SHOPIFY_API_SECRET: str | None = e.get("SHOPIFY_API_SECRET") or None
        # The previous secret while Shopify rotates it: webhooks and callbacks signed with
        # either are accepted.
        self.SHOPIFY_API_SECRET_OLD: str | None = e.get("SHOPIFY_API_SECRET_OLD") or None
        self.SHOPIFY_API_VERSION: str = e.get("SHOPIFY_API_VERSION", "2025-10")
        self.SHOPIFY_ADMIN_ORIGIN: str | None = e.get("SHOPIFY_ADMIN_ORIGIN") or None
        # Where product photos may be fetched from (Shopify's CDN; a local fake in tests).
        self.SHOPIFY_CDN_ORIGIN: str = e.get("SHOPIFY_CDN_ORIGIN") or "https://cdn.shopify.com"
        # Demo mode is on only when no real Shopify credentials are configured: with them,
        # demo session tokens must never open a shop's admin, whatever LUNEO_DEMO_MODE says.
        has_shopify = bool(self.SHOPIFY_API_KEY and self.SHOPIFY_API_SECRET)
        self.DEMO_MODE: bool = (
            _bool(e.get("LUNEO_DEMO_MODE"), self.SHOPIFY_API_SECRET is None) and not has_shopify
        )
        self.DEMO_SHOP_DOMAIN: str = e.get("DEMO_SHOP_DOMAIN", "luneo-demo.myshopify.com")

        # --- storefront (embed tokens) -------------------------------------------------
        self.EMBED_TOKEN_TTL: int = _int(e.get("EMBED_TOKEN_TTL"), 300)

        # --- rate limits (``limits`` notation: "30 per minute", "10 per 15 minutes") -----
        # Counted in Redis when configured, else in the database: shared by every process.
        self.RATE_LIMITS_ENABLED: bool = _bool(e.get("RATE_LIMITS_ENABLED"), True)
        # Embed tokens per shop and client address.
        self.RATE_LIMIT_EMBED_TOKEN: str = e.get("RATE_LIMIT_EMBED_TOKEN") or "30 per minute"
        # Failed staff sign-ins per client address (then 429, even with the right password).
        self.RATE_LIMIT_STAFF_SIGN_IN: str = (
            e.get("RATE_LIMIT_STAFF_SIGN_IN") or "10 per 15 minutes"
        )
        # Failed API-key / bearer credentials per client address.
        self.RATE_LIMIT_BAD_CREDENTIALS: str = (
            e.get("RATE_LIMIT_BAD_CREDENTIALS") or "30 per 15 minutes"
        )
        # Test deliveries to a brand's webhook endpoint, per brand.
        self.RATE_LIMIT_WEBHOOK_VERIFY: str = (
            e.get("RATE_LIMIT_WEBHOOK_VERIFY") or "1 per 5 seconds"
        )
        # Photo uploads per brand and client address.
        self.RATE_LIMIT_UPLOADS: str = e.get("RATE_LIMIT_UPLOADS") or "60 per minute"
        # Designs needing new AI artwork, per shop (cached artwork is not counted).
        self.RATE_LIMIT_AI_GENERATIONS: str = e.get("RATE_LIMIT_AI_GENERATIONS") or "120 per hour"
        # Installs started (``/auth/install``) per client address.
        self.RATE_LIMIT_INSTALL: str = e.get("RATE_LIMIT_INSTALL") or "30 per minute"

        # --- proxies --------------------------------------------------------------------
        # Peers (addresses or networks, comma separated) whose X-Forwarded-For/-Proto are
        # believed, and how many proxy hops they add. Empty: the socket peer is the client.
        self.TRUSTED_PROXIES: str = e.get("TRUSTED_PROXIES", "")
        self.TRUSTED_PROXY_HOPS: int = _int(e.get("TRUSTED_PROXY_HOPS"), 1)

        # --- orders and outbound webhooks ---------------------------------------------------
        # Days production files are kept after an order closes or is cancelled (a brand's
        # settings["retentionDays"] overrides it); `flask luneo purge-expired` removes them.
        self.ORDER_RETENTION_DAYS: int = _int(e.get("ORDER_RETENTION_DAYS"), 90)
        # Designs that never became an order (designs/retention.py): finalized ones with their
        # generated images, drafts (never finalized), and designs a shopper saved.
        self.DESIGN_RETENTION_DAYS: int = _int(e.get("DESIGN_RETENTION_DAYS"), 90)
        self.DESIGN_SAVED_RETENTION_DAYS: int = _int(e.get("DESIGN_SAVED_RETENTION_DAYS"), 365)
        # Hours a draft design (previews while the shopper edits, never added to a cart nor
        # saved) is kept before the hourly purge deletes it (designs/drafts.py).
        self.DRAFT_TTL_HOURS: int = _int(e.get("DRAFT_TTL_HOURS"), 72)
        # Retries of a failed delivery: first delay, longest delay, and how long to keep trying.
        self.OUTBOUND_WEBHOOK_RETRY_BASE: float = _float(e.get("OUTBOUND_WEBHOOK_RETRY_BASE"), 60)
        self.OUTBOUND_WEBHOOK_RETRY_MAX: float = _float(e.get("OUTBOUND_WEBHOOK_RETRY_MAX"), 14400)
        self.OUTBOUND_WEBHOOK_WINDOW: int = _int(e.get("OUTBOUND_WEBHOOK_WINDOW"), 86400)
        self.OUTBOUND_WEBHOOK_TIMEOUT: float = _float(e.get("OUTBOUND_WEBHOOK_TIMEOUT"), 10)
        # Webhook URLs on loopback/private networks are refused in production (SSRF).
        self.OUTBOUND_WEBHOOK_ALLOW_PRIVATE: bool = _bool(
            e.get("OUTBOUND_WEBHOOK_ALLOW_PRIVATE"),
            self.SQLALCHEMY_DATABASE_URI.startswith("sqlite") and self.REDIS_URL is None,
        )

        # --- enterprise sign-in (sso/, scim/) --------------------------------------------
        # Debian's xmlsec1 checks every SAML signature (pysaml2 calls it).
        self.SAML_XMLSEC_BINARY: str = e.get("SAML_XMLSEC_BINARY") or "/usr/bin/xmlsec1"
        # Clock difference tolerated on NotBefore / NotOnOrAfter, seconds.
        self.SAML_CLOCK_SKEW: int = _int(e.get("SAML_CLOCK_SKEW"), 120)
        # IdP metadata fetched from a URL: at most this many bytes, this many seconds.
        self.SAML_METADATA_MAX_BYTES: int = _int(e.get("SAML_METADATA_MAX_BYTES"), 1_000_000)
        self.SAML_METADATA_TIMEOUT: float = _float(e.get("SAML_METADATA_TIMEOUT"), 10)
        # The SP key pair (PEM) of every realm; without it each realm gets its own, made on
        # first use and kept encrypted (sso/sp_keys.py).
        self.SAML_SP_PRIVATE_KEY: str = e.get("SAML_SP_PRIVATE_KEY") or ""
        self.SAML_SP_CERTIFICATE: str = e.get("SAML_SP_CERTIFICATE") or ""
        # Metadata given by URL is fetched again this often (seconds; failures retry hourly).
        self.SAML_METADATA_REFRESH_INTERVAL: int = _int(
            e.get("SAML_METADATA_REFRESH_INTERVAL"), 43200
        )
        # Where a verified staff SAML sign-in is handed over (the support console redeems the
        # one-time ticket with luneo_app.sso.staff.redeem_ticket).
        self.STAFF_SSO_RETURN_PATH: str = e.get("STAFF_SSO_RETURN_PATH") or "/support/sso/complete"
        # Items per SCIM list page when the IdP asks for more (and the default count).
        self.SCIM_MAX_RESULTS: int = _int(e.get("SCIM_MAX_RESULTS"), 200)

        # --- web server and status streams (asgi.py) -------------------------------------
        # Threads per web process for ordinary (WSGI) requests; streams use none.
        self.WEB_THREADS: int = _int(e.get("WEB_THREADS"), 8)
        # A comment line every N seconds keeps proxies from closing an idle stream.
        self.REALTIME_HEARTBEAT_SECONDS: float = _float(e.get("REALTIME_HEARTBEAT_SECONDS"), 15)
        # A stream closes after this long; the client reconnects and resumes (Last-Event-ID).
        self.REALTIME_MAX_STREAM_SECONDS: float = _float(e.get("REALTIME_MAX_STREAM_SECONDS"), 1800)
        # Open streams per web process; past it new streams get 503 + Retry-After.
        self.REALTIME_MAX_STREAMS: int = _int(e.get("REALTIME_MAX_STREAMS"), 5000)
        # Without Redis each web process reads new realtime_notices rows this often.
        self.REALTIME_POLL_SECONDS: float = _float(e.get("REALTIME_POLL_SECONDS"), 0.5)
        # Events kept for resuming streams (Redis stream length, or table rows).
        self.REALTIME_LOG_LENGTH: int = _int(e.get("REALTIME_LOG_LENGTH"), 10000)
        # Threads that read a design's state for its streams when it changes.
        self.REALTIME_READ_THREADS: int = _int(e.get("REALTIME_READ_THREADS"), 4)

        # --- brand accounts and the console ------------------------------------------------
        # Any SMTP relay: smtp://user:pass@host:587 (STARTTLS) or smtps://...:465. Without it
        # the embedded default shows mails on /console/outbox; production cannot send mail.
        self.SMTP_URL: str | None = e.get("SMTP_URL") or None
        self.SMTP_TIMEOUT: float = _float(e.get("SMTP_TIMEOUT"), 10.0)
        self.MAIL_FROM: str = e.get("MAIL_FROM") or "Luneo <no-reply@luneo.local>"
        self.ACCESS_TOKEN_TTL: int = _int(e.get("ACCESS_TOKEN_TTL"), 15 * 60)
        self.REFRESH_TOKEN_TTL: int = _int(e.get("REFRESH_TOKEN_TTL"), 7 * 86400)
        self.SIGNUPS_PER_ADDRESS_PER_DAY: int = _int(e.get("SIGNUPS_PER_ADDRESS_PER_DAY"), 5)
        # How recent a sign-in must be for dangerous actions (erasure, 2FA off, key rotation).
        self.REAUTH_MAX_AGE: int = _int(e.get("REAUTH_MAX_AGE"), 10 * 60)
        # Delay before a brand's data erasure runs; the owner can cancel it meanwhile.
        self.BRAND_ERASURE_DELAY_HOURS: float = _float(e.get("BRAND_ERASURE_DELAY_HOURS"), 72)
        self.CONSOLE_SESSION_HOURS: int = _int(e.get("CONSOLE_SESSION_HOURS"), 12)
        # Console cookies are Secure whenever the app is served over HTTPS.
        # (None: decided by the factory from APP_URL, overrides included)
        secure = e.get("SESSION_COOKIE_SECURE")
        self.SESSION_COOKIE_SECURE: bool | None = _bool(secure, False) if secure else None
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_NAME = "luneo_console"
        self.SESSION_COOKIE_PATH = "/console"  # the /v1 API never reads cookies
        # Support console (/support): sessions end after this long without a request, and
        # in any case this many hours after sign-in.
        self.SUPPORT_IDLE_MINUTES: int = _int(e.get("SUPPORT_IDLE_MINUTES"), 30)
        self.SUPPORT_SESSION_HOURS: int = _int(e.get("SUPPORT_SESSION_HOURS"), 10)
        # How long a staff member sees a brand's personal data after an audited reveal.
        self.SUPPORT_REVEAL_MINUTES: int = _int(e.get("SUPPORT_REVEAL_MINUTES"), 15)
        # How long a read-only "view as merchant" lasts after it is opened with a reason.
        self.SUPPORT_VIEW_AS_MINUTES: int = _int(e.get("SUPPORT_VIEW_AS_MINUTES"), 30)

        # --- outside services -----------------------------------------------------------
        self.OPENAI_API_KEY: str | None = e.get("OPENAI_API_KEY") or None
        # Read by the SDK itself too; passed explicitly so tests and fakes are explicit.
        self.OPENAI_BASE_URL: str | None = e.get("OPENAI_BASE_URL") or None
        # The issue asked for gpt-image-1, which OpenAI shut down on 2026-10-23 (see the
        # SDK's ImageModel notes); gpt-image-1.5 is the same family and takes masked edits.
        self.OPENAI_MODEL: str = e.get("OPENAI_MODEL") or "gpt-image-1.5"
        self.OPENAI_MODERATION_MODEL: str = (
            e.get("OPENAI_MODERATION_MODEL") or "omni-moderation-latest"
        )
        self.OPENAI_IMAGE_QUALITY: str = e.get("OPENAI_IMAGE_QUALITY") or "medium"
        self.OPENAI_TIMEOUT: float = _float(e.get("OPENAI_TIMEOUT"), 120.0)
        self.OPENAI_MAX_RETRIES: int = _int(e.get("OPENAI_MAX_RETRIES"), 2)

        # --- AI artwork -------------------------------------------------------------------
        self.AI_BREAKER_FAILURES: int = _int(e.get("AI_BREAKER_FAILURES"), 5)
        self.AI_BREAKER_WINDOW: int = _int(e.get("AI_BREAKER_WINDOW"), 60)
        self.AI_BREAKER_COOLDOWN: int = _int(e.get("AI_BREAKER_COOLDOWN"), 60)
        # Extra denied words and phrases (comma separated), on top of the built-in list.
        self.AI_DENYLIST: str = e.get("AI_DENYLIST", "")
        self.AI_PROMPT_MIN_CHARS: int = _int(e.get("AI_PROMPT_MIN_CHARS"), 3)
        self.AI_PROMPT_MAX_CHARS: int = _int(e.get("AI_PROMPT_MAX_CHARS"), 300)
        self.AI_PRICE_CENTS_PER_IMAGE: int = _int(e.get("AI_PRICE_CENTS_PER_IMAGE"), 4)
        self.AI_PRICE_CENTS_PER_MTOK_IN: int = _int(e.get("AI_PRICE_CENTS_PER_MTOK_IN"), 0)
        self.AI_PRICE_CENTS_PER_MTOK_OUT: int = _int(e.get("AI_PRICE_CENTS_PER_MTOK_OUT"), 0)
        # Monthly AI budget of a brand that has none of its own; "none" = no cap.
        default_budget = (e.get("AI_DEFAULT_MONTHLY_BUDGET_CENTS") or "2000").strip().lower()
        self.AI_DEFAULT_MONTHLY_BUDGET_CENTS: int | None = (
            None if default_budget == "none" else int(default_budget)
        )
        self.AI_ARTWORK_PX: int = _int(e.get("AI_ARTWORK_PX"), 1024)

        # --- billing ------------------------------------------------------------------
        # Stripe (API brands): the secret key, the webhook endpoint's signing secret, and
        # another API address (a local fake in tests, stripe-mock in development).
        self.STRIPE_API_KEY: str | None = e.get("STRIPE_API_KEY") or None
        self.STRIPE_WEBHOOK_SECRET: str | None = e.get("STRIPE_WEBHOOK_SECRET") or None
        self.STRIPE_API_BASE: str | None = e.get("STRIPE_API_BASE") or None
        # Stripe Tax on Checkout and invoices (tax is charged where Luneo is registered: EU).
        self.STRIPE_AUTOMATIC_TAX: bool = _bool(e.get("STRIPE_AUTOMATIC_TAX"), True)
        # Another plans data file (same shape as luneo_app/billing/plans.json).
        self.BILLING_PLANS_FILE: str | None = e.get("BILLING_PLANS_FILE") or None
        # Days after a failed invoice payment before new work is refused (402).
        self.BILLING_GRACE_DAYS: int = _int(e.get("BILLING_GRACE_DAYS"), 7)
        # Shopify test charges: unset = ask Shopify whether the shop is a development store.
        test_charges = e.get("SHOPIFY_BILLING_TEST")
        self.SHOPIFY_BILLING_TEST: bool | None = (
            None if not test_charges else _bool(test_charges, False)
        )

        # --- observability ------------------------------------------------------------
        self.PROMETHEUS_MULTIPROC_DIR: str | None = e.get("PROMETHEUS_MULTIPROC_DIR") or None
        # /metrics answers only with "Authorization: Bearer <METRICS_TOKEN>", unless
        # METRICS_PUBLIC=1 opens it (a private network, or the embedded default).
        self.METRICS_TOKEN: str | None = e.get("METRICS_TOKEN") or None
        self.METRICS_PUBLIC: bool = _bool(e.get("METRICS_PUBLIC"), self.embedded)
        # OpenTelemetry traces go to this OTLP/HTTP collector (base URL, e.g.
        # http://otel-collector:4318); empty = no tracing at all.
        self.OTEL_EXPORTER_OTLP_ENDPOINT: str | None = e.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None
        self.OTEL_SERVICE_NAME: str = e.get("OTEL_SERVICE_NAME") or "luneo"
        # Errors go to Sentry (or a compatible service such as GlitchTip) when set.
        self.SENTRY_DSN: str | None = e.get("SENTRY_DSN") or None
        self.SENTRY_ENVIRONMENT: str = e.get("SENTRY_ENVIRONMENT") or "production"
        # Share of requests and jobs Sentry also traces (0 = errors only; OTLP traces them all).
        self.SENTRY_TRACES_SAMPLE_RATE: float = _float(e.get("SENTRY_TRACES_SAMPLE_RATE"), 0.0)

    @property
    def embedded(self) -> bool:
        """True when running on the embedded default (SQLite, no Redis)."""
        return self.SQLALCHEMY_DATABASE_URI.startswith("sqlite") and self.REDIS_URL is None

    def as_dict(self) -> dict[str, Any]:
        """Upper-case settings, ready for ``app.config.update``."""
        values = {k: v for k, v in vars(self).items() if k.isupper()}
        options = dict(values["SQLALCHEMY_ENGINE_OPTIONS"])
        # Database errors are logged: never with the values of the failed statement (a
        # shopper's name or address), whatever the caller logs.
        options["hide_parameters"] = True
        if values["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            # Fail fast (readiness checks, CLI) instead of hanging on an unreachable server.
            options.setdefault("connect_args", {"connect_timeout": 3})
        values["SQLALCHEMY_ENGINE_OPTIONS"] = options
        return values


class TestConfig(Config):
    """Settings for the test suite: real PostgreSQL/Redis when the environment names them."""

    def __init__(self, env: Mapping[str, str] | None = None, **overrides: Any) -> None:
        super().__init__(env)
        self.TESTING = True
        # Tests build many apps; pooled connections of finished apps would pile up on the
        # server ("too many clients"). Without a pool each connection closes when released.
        from sqlalchemy.pool import NullPool

        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "poolclass": NullPool}
        # Tests that exercise the in-process schedule start it themselves.
        self.SCHEDULE_IN_PROCESS = False
        self.SECRET_KEY = self.SECRET_KEY or "test-secret-key"
        self.LUNEO_ENCRYPTION_KEY = self.LUNEO_ENCRYPTION_KEY or (
            "test:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
        )
        for key, value in overrides.items():
            setattr(self, key, value)
