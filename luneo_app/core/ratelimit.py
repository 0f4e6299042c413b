"""Rate limits: Flask-Limiter on storage every process shares, answered in Luneo's JSON shape.

Storage follows the key-value store: the ``limits`` library's own Redis storage when
``REDIS_URL`` is set, otherwise :class:`KvDatabaseStorage` (scheme ``luneo+db://``), a
``limits`` storage on the ``kv_entries`` table. ``limits`` has no SQL storage and its
``memory://`` is per process, which under ``gunicorn -w 2`` would give each worker its own
allowance. Limits are settings (``RATE_LIMIT_*``, in the ``limits`` notation such as
``"30 per minute"``), read on each request so an operator's value applies without code.

Clients are told apart by ``request.remote_addr``, which is the socket peer unless the peer
is one of ``TRUSTED_PROXIES`` (see :mod:`.proxies`): a forged ``X-Forwarded-For`` from
anyone else changes nothing.

A breach answers 429 ``rate_limited`` with ``Retry-After`` (seconds) in the uniform error
body; a rate-limit storage that cannot be reached answers 503 with ``Retry-After``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from flask import Flask, current_app, request
from flask_limiter.errors import RateLimitExceeded
from limits import parse
from limits.errors import StorageError
from limits.storage import Storage

from ..extensions import limiter
from .errors import LuneoError
from .kv_database import DatabaseStore

_PREFIX = "luneo:limits:"

log = logging.getLogger("luneo.ratelimit")


class RateLimited(LuneoError):
    """Too many requests; ``retry_after`` seconds until the window frees a slot."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(
            f"{message} Try again in {retry_after} s.", details={"retryAfter": retry_after}
        )
        self.headers = {"Retry-After": str(retry_after)}


class KvDatabaseStorage(Storage):
    """``limits`` storage on the app's :class:`DatabaseStore` (fixed and sliding-free windows).

    It resolves the store of the current app on each call, so several apps in one process
    (the test suite) each count in their own database.
    """

    STORAGE_SCHEME = ["luneo+db"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **_: object):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        from sqlalchemy.exc import SQLAlchemyError

        return SQLAlchemyError

    @staticmethod
    def _store() -> DatabaseStore:
        store = current_app.extensions["luneo.kv"]
        if not isinstance(store, DatabaseStore):  # pragma: no cover - wiring error
            raise RuntimeError("luneo+db:// rate limits need the database key-value store")
        return store

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._store().add(_PREFIX + key, amount, expiry, refresh_expiry=False)

    def get(self, key: str) -> int:
        return int(self._store().get(_PREFIX + key) or 0)

    def get_expiry(self, key: str) -> float:
        return self._store().expires_at(_PREFIX + key) or time.time()

    def check(self) -> bool:
        try:
            return self._store().ping()
        except Exception:  # noqa: BLE001 - "is it healthy" answers no
            return False

    def reset(self) -> int | None:
        return self._store().delete_prefix(_PREFIX)

    def clear(self, key: str) -> None:
        self._store().delete(_PREFIX + key)


def client_address() -> str:
    """The client's address as seen through trusted proxies only (see :mod:`.proxies`)."""
    return request.remote_addr or "unknown"


def setting(name: str) -> Callable[[], str]:
    """A limit read from the setting ``name`` on each request (``"10 per 15 minutes"``)."""
    return lambda: current_app.config[name]


def _retry_after(reset_at: float) -> int:
    return max(1, math.ceil(reset_at - time.time()))


class Throttle:
    """Count events that are not one request each (failed credentials among all requests).

    Same storage and notation as the decorators; ``check`` raises :class:`RateLimited` once
    ``hit`` has been called as often as the limit allows within its window.
    """

    def __init__(self, setting_name: str, scope: str, message: str) -> None:
        self.setting_name = setting_name
        self.scope = scope
        self.message = message

    def _item(self):  # type: ignore[no-untyped-def]
        return parse(current_app.config[self.setting_name])

    def check(self, key: str) -> None:
        """Raise :class:`RateLimited` when ``key`` has used up its allowance.

        Fails open when the counters cannot be read (Redis or the database down): a
        throttle on failures must not take every valid caller down with it."""
        if not limiter.enabled:  # RATE_LIMITS_ENABLED off: no storage to count in
            return
        item = self._item()
        strategy = limiter.limiter
        try:
            if strategy.test(item, "luneo", key, self.scope):
                return
            stats = strategy.get_window_stats(item, "luneo", key, self.scope)
        except StorageError:
            log.warning("throttle %s skipped: its counters are unavailable", self.scope)
            return
        raise RateLimited(self.message, _retry_after(stats.reset_time))

    def hit(self, key: str) -> None:
        """Count one event for ``key`` (not counted while the counters are unavailable)."""
        if not limiter.enabled:
            return
        try:
            limiter.limiter.hit(self._item(), "luneo", key, self.scope)
        except StorageError:
            log.warning("throttle %s not counted: its counters are unavailable", self.scope)


def init_rate_limits(app: Flask) -> None:
    """Bind the limiter to ``app`` with shared storage and the uniform 429 answer."""
    app.config["RATELIMIT_ENABLED"] = app.config["RATE_LIMITS_ENABLED"]
    app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "luneo+db://"
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {"wrap_exceptions": True}
    app.config["RATELIMIT_KEY_PREFIX"] = "luneo"
    app.config["RATELIMIT_HEADERS_ENABLED"] = False  # Retry-After is set on the 429 below
    limiter.init_app(app)

    from ..web_errors import error_response

    @app.errorhandler(RateLimitExceeded)
    def _limited(exc: RateLimitExceeded):  # type: ignore[no-untyped-def]
        current = limiter.current_limit
        retry_after = _retry_after(current.window.reset_time) if current else 60
        custom = exc.limit.error_message
        message = (custom() if callable(custom) else custom) or "Too many requests."
        return error_response(
            429,
            f"{message} Try again in {retry_after} s.",
            "rate_limited",
            {"limit": str(exc.limit.limit), "retryAfter": retry_after},
            {"Retry-After": str(retry_after)},
        )

    @app.errorhandler(StorageError)
    def _storage_down(_exc: StorageError):  # type: ignore[no-untyped-def]
        # the same answer as any other outage (web_errors.init_outage_handlers)
        dependency = "redis" if current_app.config["REDIS_URL"] else "database"
        return error_response(
            503,
            "Rate limits cannot be checked right now; try again shortly.",
            "unavailable",
            {"dependency": dependency},
            {"Retry-After": str(current_app.config["OUTAGE_RETRY_AFTER"])},
        )
