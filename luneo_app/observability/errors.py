"""Error reports to Sentry (sentry-sdk) when ``SENTRY_DSN`` is set, without secrets or
personal data.

sentry-sdk's Flask, Celery, SQLAlchemy, Redis and httpx integrations switch themselves on.
What leaves the process is cleaned three ways: ``data_collection`` collects no cookies,
client addresses, user ids, query strings, request bodies or job arguments, and drops local
variables and headers with sensitive names; :func:`scrub_event` (``before_send``) replaces
the values under sensitive keys at any depth (tokens, webhook secrets, shipping and billing
addresses, emails) and masks whatever looks like a token, secret or email address in every
remaining string (messages, exception values, breadcrumbs), with the same rules as the JSON
logs.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask

from .logs import redact

log = logging.getLogger("luneo.errors")

# Keys whose values never leave the process, whatever their content.
SENSITIVE_KEYS = [
    "access_token",
    "refresh_token",
    "client_secret",
    "api_key",
    "apikey",
    "secret_key",
    "encryption_key",
    "webhook_secret",
    "signing_secret",
    "x-shopify-hmac-sha256",
    "x-luneo-signature",
    "email",
    "phone",
    "shipping",
    "billing",
    "address",
    "address1",
    "address2",
    "customer",
    "first_name",
    "last_name",
    "name_on_order",
    "prompt",
]

# Request headers never sent (the SDK's own list covers Authorization and cookies too).
SENSITIVE_HEADERS = [
    "authorization",
    "cookie",
    "x-api-key",
    "x-shopify-hmac-sha256",
    "x-shopify-access-token",
    "luneo-signature",
    "forwarded",
    "x-forwarded-for",
    "x-real-ip",
]
_SENSITIVE = frozenset(SENSITIVE_KEYS) | frozenset(SENSITIVE_HEADERS)

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")

_state: dict[str, Any] = {"dsn": None}


def init_error_reporting(app: Flask) -> None:
    """Report unhandled errors of requests and jobs to Sentry when a DSN is configured."""
    dsn = app.config.get("SENTRY_DSN")
    if not dsn or _state["dsn"] == dsn:
        return
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=app.config["SENTRY_ENVIRONMENT"],
        release=app.config.get("LUNEO_RELEASE") or None,
        # What the integrations may collect: no user, cookies, bodies, queries' values or
        # job arguments; headers and local variables pass the scrubber below.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "queues": False,
            "gen_ai": {"inputs": False, "outputs": False},
            "stack_frame_variables": {"mode": "denylist", "terms": SENSITIVE_KEYS},
            "http_headers": {"request": {"mode": "denylist", "terms": SENSITIVE_HEADERS}},
        },
        traces_sample_rate=app.config["SENTRY_TRACES_SAMPLE_RATE"],
        before_send=scrub_event,
        before_breadcrumb=_scrub_breadcrumb,
    )
    _state["dsn"] = dsn
    log.info("error reports go to Sentry")


def shutdown_error_reporting() -> None:
    """Send what is queued and stop reporting (process exit, or a test that turned it on)."""
    if _state["dsn"] is None:
        return
    import sentry_sdk

    sentry_sdk.flush(timeout=5)
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)
    _state["dsn"] = None


def scrub(value: Any) -> Any:
    """``value`` with the values of sensitive keys (at any depth, as dict keys or as
    ``[key, value]`` header pairs) replaced and tokens, secrets and email addresses masked in
    every string."""
    if isinstance(value, str):
        return _EMAIL_RE.sub("[email]", redact(value))
    if isinstance(value, dict):
        return {
            key: "[Filtered]" if str(key).lower() in _SENSITIVE else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)) and len(value) == 2 and isinstance(value[0], str):
        if value[0].lower() in _SENSITIVE:
            return [value[0], "[Filtered]"]
    if isinstance(value, (list, tuple)):
        return [scrub(item) for item in value]
    return value


def scrub_event(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    """Sentry's ``before_send``: the event with every string scrubbed (see :func:`scrub`)."""
    return scrub(event)


def _scrub_breadcrumb(crumb: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    return scrub(crumb)
