"""AI artwork as a service: check a request when a design is created, make the artwork in
the ``ai`` job (cache, providers with fallback, storage, usage, budget alerts).

Nothing here commits: the design service and the job own their unit of work.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..billing import enforcement, metering
from ..core import uow
from ..core.clock import utcnow
from ..core.errors import ValidationFailed
from ..core.ids import new_id
from ..core.ratelimit import Throttle
from ..extensions import db
from ..files.storage import brand_prefix
from ..models import AiArtwork, Brand, BudgetAlert, Product, UsageRecord
from ..observability.metrics import AI_SPEND
from . import budget, moderation
from .costs import cost_cents
from .layers import ai_layers
from .prompts import artwork_hash, prompt_ref, template_fingerprint
from .providers import (
    Artwork,
    ArtworkRequest,
    ProviderFailed,
    ProviderRefused,
    openai_breaker,
    provider_chain,
)

log = logging.getLogger("luneo.ai")

# Usage kinds: only OpenAI's are "ai_*" (what the admin counts as AI images); procedural
# artwork is recorded too, at no cost, so reports show how often it stood in.
USAGE_KINDS = {"openai": "ai_image", "procedural": "procedural_art"}


@dataclass(frozen=True)
class GenerationPlan:
    """The outcome of the checks made before a design with AI layers is written."""

    remote_checked: bool  # OpenAI's moderation passed every prompt (else procedural only)


@dataclass(frozen=True)
class StoredArtwork:
    """Artwork ready for a design layer."""

    key: str
    provider: str
    width: int
    height: int
    cost_cents: int
    cached: bool


# Designs that need new artwork, per shop (``RATE_LIMIT_AI_GENERATIONS``): a burst guard
# beside the monthly budget; artwork already in the cache is not counted.
_GENERATIONS = Throttle(
    "RATE_LIMIT_AI_GENERATIONS", "ai-generations", "This shop asked for too much AI artwork."
)


def artwork_offer(brand: Brand) -> str | None:
    """Who makes a shopper's artwork on this shop: ``openai`` (AI), ``procedural`` (Luneo's
    pattern generator, never called AI), or None when the shop offers none.

    Without an AI provider configured the merchant decides whether the pattern generator
    is offered at all (setting ``proceduralArtwork``, on unless turned off).
    """
    settings = brand.settings or {}
    if not settings.get("aiEnabled", True):
        return None
    if current_app.config.get("OPENAI_API_KEY"):
        return "openai"
    return "procedural" if settings.get("proceduralArtwork", True) else None


def check_prompts(brand: Brand, layers: list[dict[str, Any]]) -> None:
    """The shop offers artwork, and every AI layer's prompt passes the length, character
    and denylist rules (422 otherwise)."""
    found = ai_layers(layers)
    if found and not (brand.settings or {}).get("aiEnabled", True):
        raise ValidationFailed(
            "This shop does not offer AI artwork at the moment.", code="ai_disabled"
        )
    if found and artwork_offer(brand) is None:
        raise ValidationFailed(
            "This shop does not offer generated artwork: no AI provider is set up and the "
            "shop does not offer the pattern generator instead.",
            code="artwork_unavailable",
        )
    for layer in found:
        moderation.check_rules(layer["prompt"], brand)


def plan_generation(brand: Brand, product: Product, layers: list[dict[str, Any]]) -> GenerationPlan:
    """Checks before any call: rules, then the budget (402) unless every artwork is already
    cached, then OpenAI's moderation. Writes nothing."""
    found = ai_layers(layers)
    check_prompts(brand, layers)
    hashes = [layer_hash(product, layer) for layer in found]
    fresh = not all(_cached(brand.id, h, ("openai", "procedural")) for h in hashes)
    if fresh:
        _GENERATIONS.check(brand.id)
        budget.require_budget(brand)
        enforcement.require_capacity(brand, "aiImages")
    verdicts = [moderation.check_remote(layer["prompt"], brand) for layer in found]
    if fresh:
        _GENERATIONS.hit(brand.id)
    return GenerationPlan(remote_checked=all(v.remote_checked for v in verdicts))


def layer_hash(product: Product, layer: dict[str, Any]) -> str:
    """The cache key of an AI layer's artwork on this product."""
    fingerprint = template_fingerprint(product.template or {}, product.image_key)
    return artwork_hash(
        layer["prompt"], int(layer.get("seed") or 0), layer["printArea"], fingerprint
    )


def make_artwork(
    brand: Brand,
    product: Product,
    layer: dict[str, Any],
    *,
    design_id: str,
    shopper_ref: str | None,
    remote_checked: bool,
) -> tuple[StoredArtwork, list[BudgetAlert]]:
    """Artwork for an AI layer: cached, else made by the first provider that can.

    Paid providers are skipped when OpenAI's moderation could not be asked, the budget is
    used up or the circuit is open. Records usage and budget alerts (the caller commits).
    Raises :class:`moderation.PromptRefused` when the provider refuses the prompt.
    """
    area = _area(product, layer["printArea"])
    digest = layer_hash(product, layer)
    chain = provider_chain(allow_paid=remote_checked and not budget.exhausted(brand))
    # Stored artwork is free: AI art already paid for is always reused; procedural art
    # (perhaps a fallback) only when OpenAI is not to be asked this time.
    hit = _cached(brand.id, digest, ("openai", "procedural"))
    if hit is not None and (hit.provider == "openai" or not any(p.paid for p in chain)):
        return _stored(hit, cached=True), []
    request = ArtworkRequest(
        prompt=layer["prompt"],
        seed=int(layer.get("seed") or 0),
        width=_artwork_size(area)[0],
        height=_artwork_size(area)[1],
        area=area,
        product_image=_product_image(product) if any(p.paid for p in chain) else None,
        product_background=str(
            ((product.template or {}).get("product") or {}).get("background", "#ffffff")
        ),
        safety_id=_safety_id(brand.id, shopper_ref or design_id),
    )
    art, fallback = _generate(chain, request, brand.id)
    if fallback is None and art.provider == "procedural" and current_app.config["OPENAI_API_KEY"]:
        fallback = _why_not_paid(remote_checked, brand)
    cost = cost_cents(art, current_app.config)
    provider = art.provider
    uow.on_commit(lambda: AI_SPEND.labels(provider).inc(cost))
    now = utcnow()
    # Every generation is recorded, even one that loses a race below: it was paid for.
    db.session.add(
        UsageRecord(
            brand_id=brand.id,
            kind=USAGE_KINDS[art.provider],
            provider=art.provider,
            design_id=design_id,
            units=art.images,
            tokens_in=art.tokens_in,
            tokens_out=art.tokens_out,
            cost_cents=cost,
            month=budget.month_of(now),
            occurred_at=now,
            details={
                "model": art.model,
                "promptHash": digest[:16],
                "fallback": fallback,
                **art.details,
            },
        )
    )
    if art.provider != "procedural":  # an AI image: billable once per design and layer
        metering.record(brand.id, "aiImages", f"ai:{design_id}:{digest[:24]}")
    stored = _store(brand, digest, art, cost, now)
    db.session.flush()
    alerts = budget.record_alerts(brand) if cost else []
    return stored, alerts


def _store(brand: Brand, digest: str, art: Artwork, cost: int, now: Any) -> StoredArtwork:
    """Keep the artwork's file and cache row. Each file has a key of its own, so a design
    keeps exactly the pixels it was previewed with; when another job stored the same
    request first, its artwork wins and this file is dropped."""
    storage = current_app.extensions["luneo.storage"]
    row_id = new_id("art")
    key = f"{brand_prefix(brand.id)}artwork/{row_id}.png"
    storage.put(key, art.png, "image/png")
    row = AiArtwork(
        id=row_id,
        brand_id=brand.id,
        prompt_hash=digest,
        provider=art.provider,
        model=art.model,
        key=key,
        width=art.width,
        height=art.height,
        cost_cents=cost,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        existing = _cached(brand.id, digest, (art.provider,))
        if existing is None:
            raise
        storage.delete(key)
        return _stored(existing, cached=False, cost=cost)
    return _stored(row, cached=False)


def _generate(chain: list, request: ArtworkRequest, brand_id: str) -> tuple[Artwork, str | None]:
    fallback: str | None = None
    for provider in chain:
        if not provider.paid:
            return provider.generate(request), fallback
        breaker = openai_breaker()
        if not breaker.allow():
            fallback = "circuit_open"
            continue
        started = time.perf_counter()
        try:
            art = provider.generate(request)
        except ProviderRefused as exc:
            raise moderation.refuse("prompt_flagged", request.prompt, brand_id) from exc
        except ProviderFailed as exc:
            opened = breaker.record_failure()
            fallback = "provider_failed"
            log.warning(
                "artwork provider failed; falling back",
                extra={
                    "provider": provider.name,
                    "error": str(exc),
                    "brand_id": brand_id,
                    "prompt_ref": prompt_ref(request.prompt),
                    "circuit_opened": opened,
                    "ms": int((time.perf_counter() - started) * 1000),
                },
            )
            continue
        breaker.record_success()
        return art, fallback
    raise ProviderFailed("no artwork provider could answer")  # the chain ends procedural


def _safety_id(brand_id: str, shopper: str) -> str:
    """A stable, non-identifying shopper reference for OpenAI's abuse monitoring."""
    return hashlib.sha256(f"luneo:{brand_id}:{shopper}".encode()).hexdigest()[:32]


def _why_not_paid(remote_checked: bool, brand: Brand) -> str:
    if openai_breaker().is_open():
        return "circuit_open"
    if not remote_checked:
        return "not_moderated"
    return "budget_exhausted" if budget.exhausted(brand) else "provider_failed"


def _cached(brand_id: str, digest: str, providers: tuple[str, ...]) -> AiArtwork | None:
    """The stored artwork for ``digest``, preferring providers in the given order."""
    rows = db.session.scalars(
        select(AiArtwork).where(
            AiArtwork.brand_id == brand_id,
            AiArtwork.prompt_hash == digest,
            AiArtwork.provider.in_(providers),
        )
    ).all()
    rank = {name: i for i, name in enumerate(providers)}
    return min(rows, key=lambda r: rank[r.provider], default=None)


def _stored(row: AiArtwork, cached: bool, cost: int | None = None) -> StoredArtwork:
    return StoredArtwork(
        key=row.key,
        provider=row.provider,
        width=row.width,
        height=row.height,
        cost_cents=0 if cached else (row.cost_cents if cost is None else cost),
        cached=cached,
    )


def _area(product: Product, area_id: str) -> dict[str, Any]:
    for area in (product.template or {}).get("printAreas") or []:
        if area.get("id") == area_id:
            return area
    raise ValidationFailed(
        "No such print area on this product.",
        code="unknown_print_area",
        details={"printArea": area_id},
    )


def _artwork_size(area: dict[str, Any]) -> tuple[int, int]:
    """Artwork pixels: the area's physical aspect, ``AI_ARTWORK_PX`` on the long side."""
    long_side = int(current_app.config["AI_ARTWORK_PX"])
    w_mm = float(area.get("widthMm") or 1.0)
    h_mm = float(area.get("heightMm") or 1.0)
    if w_mm >= h_mm:
        return long_side, max(16, round(long_side * h_mm / w_mm))
    return max(16, round(long_side * w_mm / h_mm)), long_side


def _product_image(product: Product) -> bytes | None:
    if not product.image_key:
        return None
    return current_app.extensions["luneo.storage"].get(product.image_key)
