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
        e = dict(os.environ if env is None else env)
        instance = Path(e.get("LUNEO_INSTANCE_DIR") or PROJECT_ROOT / "instance")
        self.INSTANCE_DIR = str(instance)

        # --- core -------------------------------------------------------------------
        self.SECRET_KEY: str | None = e.get("SECRET_KEY") or None
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

        # --- files --------------------------------------------------------------------
        self.STORAGE_DIR: str = e.get("STORAGE_DIR") or str(instance / "storage")
        self.STORAGE_URL_TTL: int = _int(e.get("STORAGE_URL_TTL"), 3600)
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
        self.EMBED_TOKENS_PER_MINUTE: int = _int(e.get("EMBED_TOKENS_PER_MINUTE"), 30)

        # --- orders and outbound webhooks ---------------------------------------------------
        # Days production files are kept after an order closes or is cancelled (a brand's
        # settings["retentionDays"] overrides it); `flask luneo purge-expired` removes them.
        self.ORDER_RETENTION_DAYS: int = _int(e.get("ORDER_RETENTION_DAYS"), 90)
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
        self.STRIPE_API_KEY: str | None = e.get("STRIPE_API_KEY") or None

        # --- observability ------------------------------------------------------------
        self.PROMETHEUS_MULTIPROC_DIR: str | None = e.get("PROMETHEUS_MULTIPROC_DIR") or None
        # /metrics answers only with "Authorization: Bearer <METRICS_TOKEN>", unless
        # METRICS_PUBLIC=1 opens it (a private network, or the embedded default).
        self.METRICS_TOKEN: str | None = e.get("METRICS_TOKEN") or None
        self.METRICS_PUBLIC: bool = _bool(e.get("METRICS_PUBLIC"), self.embedded)

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
        self.SECRET_KEY = self.SECRET_KEY or "test-secret-key"
        self.LUNEO_ENCRYPTION_KEY = self.LUNEO_ENCRYPTION_KEY or (
            "test:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
        )
        for key, value in overrides.items():
            setattr(self, key, value)
