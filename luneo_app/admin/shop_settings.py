"""The shop's Luneo settings: retention, AI artwork on/off and its monthly budget, the outbound
webhook URL, and words shoppers may not use on top of the built-in list.

Stored on the brand: ``monthly_ai_budget_cents``, ``webhook_url`` and, in ``settings``,
``retentionDays`` (int: days production files are kept after an order closed, read by
``orders.retention``), ``aiEnabled`` (bool) and ``denylist`` (lower-case phrases).
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from ..audit import record
from ..core.errors import ValidationFailed
from ..extensions import db
from ..models import Brand
from .guard import demo_active

RETENTION_DAYS = (1, 3650)
DEFAULT_RETENTION_DAYS = 90
MAX_BUDGET_CENTS = 100_000_000
MAX_DENYLIST = 200
PHRASE_CHARS = (2, 64)
FIELDS = ("retentionDays", "aiEnabled", "monthlyAiBudgetCents", "webhookUrl", "denylist")


def read_settings(brand: Brand) -> dict[str, Any]:
    """The settings as the Settings page shows them."""
    settings = brand.settings or {}
    default_days = current_app.config.get("ORDER_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    return {
        "retentionDays": int(settings.get("retentionDays") or default_days),
        "aiEnabled": bool(settings.get("aiEnabled", True)),
        "monthlyAiBudgetCents": brand.monthly_ai_budget_cents,
        "webhookUrl": brand.webhook_url or "",
        "denylist": list(settings.get("denylist") or []),
        "currency": brand.currency or "USD",
    }


def _int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _private_host(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
    return not address.is_global


def check_webhook_url(value: Any) -> str | None:
    """A public ``https`` URL (``None`` for none); raises ``ValueError`` with the reason.

    Loopback ``http`` is accepted in demo mode only, to try webhooks on one machine.
    """
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 2048:
        raise ValueError("enter a URL of at most 2048 characters")
    parts = urlsplit(value.strip())
    host = parts.hostname or ""
    local_demo = demo_active() and host in ("127.0.0.1", "localhost")
    if parts.scheme != "https" and not (local_demo and parts.scheme == "http"):
        raise ValueError("the URL must start with https://")
    if not host or parts.username or parts.password:
        raise ValueError("enter a URL like https://example.com/hooks/luneo")
    if _private_host(host) and not local_demo:
        raise ValueError("the URL must point to a public address")
    return value.strip()


def _denylist(value: Any, problems: dict[str, str]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems["denylist"] = "send a list of words or phrases"
        return []
    phrases: list[str] = []
    for raw in value:
        phrase = " ".join(raw.split()).lower()
        if not phrase:
            continue
        low, high = PHRASE_CHARS
        if not low <= len(phrase) <= high:
            problems["denylist"] = f"each word or phrase needs {low}–{high} characters: {phrase!r}"
        elif phrase not in phrases:
            phrases.append(phrase)
    if len(phrases) > MAX_DENYLIST:
        problems["denylist"] = f"at most {MAX_DENYLIST} words or phrases"
    return phrases


def update_settings(brand: Brand, body: Any, actor: str) -> dict[str, Any]:
    """Validate every field sent (one message per bad field), then store them together."""
    if not isinstance(body, dict):
        raise ValidationFailed("Send the settings as a JSON object.", code="invalid_settings")
    problems: dict[str, str] = {}
    for key in body:
        if key not in FIELDS:
            problems[key] = "unknown setting"
    settings = dict(brand.settings or {})
    changes: dict[str, Any] = {}
    if "retentionDays" in body:
        if _int_in(body["retentionDays"], *RETENTION_DAYS):
            changes["retentionDays"] = body["retentionDays"]
        else:
            problems["retentionDays"] = "keep files for 1 to 3650 days"
    if "aiEnabled" in body:
        if isinstance(body["aiEnabled"], bool):
            changes["aiEnabled"] = body["aiEnabled"]
        else:
            problems["aiEnabled"] = "must be true or false"
    budget = body.get("monthlyAiBudgetCents", brand.monthly_ai_budget_cents)
    if budget is not None and not _int_in(budget, 0, MAX_BUDGET_CENTS):
        problems["monthlyAiBudgetCents"] = "enter an amount from 0 to 1,000,000"
    webhook_url = brand.webhook_url
    if "webhookUrl" in body:
        try:
            webhook_url = check_webhook_url(body["webhookUrl"])
        except ValueError as exc:
            problems["webhookUrl"] = str(exc)
    if "denylist" in body:
        changes["denylist"] = _denylist(body["denylist"], problems)
    if problems:
        raise ValidationFailed(
            "Some settings need attention.", code="invalid_settings", details=problems
        )
    settings.update(changes)
    brand.settings = settings
    brand.monthly_ai_budget_cents = budget
    brand.webhook_url = webhook_url
    record(
        "brand.settings_updated",
        actor=actor,
        brand_id=brand.id,
        target_type="brand",
        target_id=brand.id,
        details={"fields": sorted(k for k in body if k in FIELDS)},
    )
    db.session.commit()
    return read_settings(brand)
