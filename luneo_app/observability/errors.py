"""Error reports to Sentry (sentry-sdk) when ``SENTRY_DSN`` is set, without secrets or
personal data.

sentry-sdk's Flask, Celery, SQLAlchemy, Redis and httpx integrations switch themselves on.
What leaves the process is cleaned three ways: ``send_default_pii`` is off (no cookies,
addresses, user ids or request bodies), sentry-sdk's ``EventScrubber`` drops values under
sensitive keys (its default lists plus ours: tokens, webhook secrets, shipping and billing
addresses, emails), and :func:`scrub_event` masks whatever looks like a token, secret or
email address in every remaining string (messages, exception values, local variables,
breadcrumbs), with the same rules as the JSON logs.
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

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")

_state: dict[str, Any] = {"dsn": None}


def init_error_reporting(app: Flask) -> None:
    """Report unhandled errors of requests and jobs to Sentry when a DSN is configured."""
    dsn = app.config.get("SENTRY_DSN")
    if not dsn or _state["dsn"] == dsn:
        return
    import sentry_sdk
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=dsn,
        environment=app.config["SENTRY_ENVIRONMENT"],
        release=app.config.get("LUNEO_RELEASE") or None,
        send_default_pii=False,
        include_local_variables=True,
        max_request_body_size="never",
        traces_sample_rate=app.config["SENTRY_TRACES_SAMPLE_RATE"],
        event_scrubber=EventScrubber(
            denylist=DEFAULT_DENYLIST + SENSITIVE_KEYS,
            pii_denylist=DEFAULT_PII_DENYLIST,
            recursive=True,
        ),
        before_send=scrub_event,
        before_breadcrumb=_scrub_breadcrumb,
    )
    _state["dsn"] = dsn
    log.info("error reports go to Sentry")


def scrub(value: Any) -> Any:
    """``value`` with tokens, secrets and email addresses masked in every string."""
    if isinstance(value, str):
        return _EMAIL_RE.sub("[email]", redact(value))
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(item) for item in value]
    return value


def scrub_event(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    """Sentry's ``before_send``: the event with every string scrubbed (see :func:`scrub`)."""
    return scrub(event)


def _scrub_breadcrumb(crumb: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    return scrub(crumb)
