"""The shop's Luneo settings: retention, AI artwork on/off and its monthly budget, the outbound
webhook URL (checked and given a signing secret by :mod:`luneo_app.outbound.endpoints`), and
words shoppers may not use on top of the built-in list.

Stored on the brand: ``monthly_ai_budget_cents``, ``webhook_url`` and, in ``settings``,
``retentionDays`` (int: days production files are kept after an order closed, read by
``orders.retention``), ``aiEnabled`` (bool), ``proceduralArtwork`` (bool: without an AI
provider, offer Luneo's pattern generator instead; read by ``ai.service.artwork_offer``),
``denylist`` (lower-case phrases) and ``proofApproval`` (off | merchant | shopper: who
approves a proof before production, read by ``designs.proof``).
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..ai.service import artwork_offer
from ..audit import record
from ..core.errors import ValidationFailed
from ..extensions import db
from ..models import Brand
from ..outbound.endpoints import EndpointRefused, check_url, configure_endpoint

RETENTION_DAYS = (1, 3650)
DEFAULT_RETENTION_DAYS = 90
MAX_BUDGET_CENTS = 100_000_000
MAX_DENYLIST = 200
PHRASE_CHARS = (2, 64)
FIELDS = (
    "retentionDays",
    "aiEnabled",
    "proceduralArtwork",
    "monthlyAiBudgetCents",
    "webhookUrl",
    "denylist",
    "proofApproval",
)
PROOF_MODES = ("off", "merchant", "shopper")  # who approves a proof (designs.proof)


def read_settings(brand: Brand) -> dict[str, Any]:
    """The settings as the Settings page shows them."""
    settings = brand.settings or {}
    default_days = current_app.config.get("ORDER_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    return {
        "retentionDays": int(settings.get("retentionDays") or default_days),
        "aiEnabled": bool(settings.get("aiEnabled", True)),
        "proceduralArtwork": bool(settings.get("proceduralArtwork", True)),
        # who makes artwork now: "openai", "procedural" or None (ai.service.artwork_offer)
        "artworkProvider": artwork_offer(brand),
        "aiConfigured": bool(current_app.config.get("OPENAI_API_KEY")),
        "monthlyAiBudgetCents": brand.monthly_ai_budget_cents,
        "webhookUrl": brand.webhook_url or "",
        "denylist": list(settings.get("denylist") or []),
        "proofApproval": settings.get("proofApproval", "off"),
        "currency": brand.currency or "USD",
    }


def _int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


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
    if "proceduralArtwork" in body:
        if isinstance(body["proceduralArtwork"], bool):
            changes["proceduralArtwork"] = body["proceduralArtwork"]
        else:
            problems["proceduralArtwork"] = "must be true or false"
    budget = body.get("monthlyAiBudgetCents", brand.monthly_ai_budget_cents)
    if budget is not None and not _int_in(budget, 0, MAX_BUDGET_CENTS):
        problems["monthlyAiBudgetCents"] = "enter an amount from 0 to 1,000,000"
    new_url: str | None = brand.webhook_url
    if "webhookUrl" in body:
        raw = body["webhookUrl"]
        if raw in (None, ""):
            new_url = None
        elif not isinstance(raw, str):
            problems["webhookUrl"] = "enter a URL like https://example.com/hooks/luneo"
        else:
            try:
                new_url = check_url(raw)
            except EndpointRefused as exc:
                problems["webhookUrl"] = exc.message
    if "denylist" in body:
        changes["denylist"] = _denylist(body["denylist"], problems)
    if "proofApproval" in body:
        if body["proofApproval"] in PROOF_MODES:
            changes["proofApproval"] = body["proofApproval"]
        else:
            problems["proofApproval"] = "choose off, merchant or shopper"
    if problems:
        raise ValidationFailed(
            "Some settings need attention.", code="invalid_settings", details=problems
        )
    settings.update(changes)
    brand.settings = settings
    brand.monthly_ai_budget_cents = budget
    secret = None
    if new_url != brand.webhook_url:
        # A new URL gets a new signing secret, shown to the merchant this once.
        secret = configure_endpoint(brand, new_url)
    record(
        "brand.settings_updated",
        actor=actor,
        brand_id=brand.id,
        target_type="brand",
        target_id=brand.id,
        details={"fields": sorted(k for k in body if k in FIELDS)},
    )
    db.session.commit()
    return {**read_settings(brand), **({"webhookSecret": secret} if secret else {})}
