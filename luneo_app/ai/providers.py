"""Artwork providers behind one small interface, and the order in which they are tried.

* ``openai``: OpenAI images, an edit of the product photo with the print area as the mask
  (:mod:`.openai_provider`); paid, guarded by the circuit breaker.
* ``procedural``: :mod:`render.artwork`, offline and deterministic; free. It is named as
  procedural everywhere (API, usage records) and never presented as AI.

Without ``OPENAI_API_KEY`` the procedural generator is the provider. With a key OpenAI is
tried first and the procedural generator answers when OpenAI fails or its circuit is open.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import current_app
from PIL import Image

from render import artwork as procedural_art

from .breaker import BreakerSettings, CircuitBreaker

LABELS = {
    "openai": "AI artwork (OpenAI)",
    "procedural": "Pattern generator (procedural, not AI)",
}


@dataclass(frozen=True)
class ArtworkRequest:
    """One artwork to make for a print area (plain values: no database rows)."""

    prompt: str
    seed: int
    width: int  # pixels of the artwork wanted (the print area's aspect)
    height: int
    area: dict[str, Any]  # the print area of the template (fractions of the photo)
    product_image: bytes | None  # the product photo the OpenAI edit starts from
    product_background: str = "#ffffff"
    safety_id: str | None = None  # a hash identifying the shopper for OpenAI's abuse checks


@dataclass(frozen=True)
class Artwork:
    """A made artwork (PNG, transparent where nothing is drawn) and what it cost."""

    png: bytes
    width: int
    height: int
    provider: str
    model: str | None = None
    images: int = 1
    tokens_in: int = 0
    tokens_out: int = 0
    details: dict[str, Any] = field(default_factory=dict)


class ProviderFailed(Exception):
    """The provider could not make the artwork (outage, timeout, bad answer, bad config)."""


class ProviderRefused(Exception):
    """The provider refused the prompt itself (its own safety system): no fallback."""


class ArtworkProvider(Protocol):
    """What every provider does: make one artwork, or raise one of the two errors."""

    name: str
    paid: bool

    def generate(self, request: ArtworkRequest) -> Artwork: ...


class ProceduralProvider:
    """Ornamental artwork drawn offline from the prompt's words, colours and motifs."""

    name = "procedural"
    paid = False

    def generate(self, request: ArtworkRequest) -> Artwork:
        """Deterministic art of ``request.width`` x ``request.height`` px."""
        image = procedural_art.generate(
            request.prompt, request.seed, (request.width, request.height)
        )
        buf = io.BytesIO()
        image.save(buf, "PNG", compress_level=1)
        return Artwork(
            png=buf.getvalue(),
            width=image.width,
            height=image.height,
            provider=self.name,
            model=procedural_art.GENERATOR,
            images=1,
        )


def openai_breaker() -> CircuitBreaker:
    """The OpenAI circuit breaker, shared by every process through the kv store."""
    cfg = current_app.config
    settings = BreakerSettings(
        failures=cfg["AI_BREAKER_FAILURES"],
        window=float(cfg["AI_BREAKER_WINDOW"]),
        cooldown=float(cfg["AI_BREAKER_COOLDOWN"]),
    )
    return CircuitBreaker(current_app.extensions["luneo.kv"], "openai", settings)


def openai_client() -> Any:
    """The official SDK's client, built once per app from the settings."""
    client = current_app.extensions.get("luneo.openai")
    if client is None:
        import openai

        cfg = current_app.config
        client = openai.OpenAI(
            api_key=cfg["OPENAI_API_KEY"],
            base_url=cfg.get("OPENAI_BASE_URL") or None,
            timeout=cfg["OPENAI_TIMEOUT"],
            max_retries=cfg["OPENAI_MAX_RETRIES"],
        )
        current_app.extensions["luneo.openai"] = client
    return client


def provider_chain(allow_paid: bool = True) -> list[ArtworkProvider]:
    """Providers in the order to try them (the procedural generator always last)."""
    from .openai_provider import OpenAIProvider

    chain: list[ArtworkProvider] = []
    if allow_paid and current_app.config.get("OPENAI_API_KEY"):
        chain.append(OpenAIProvider(openai_client(), current_app.config))
    chain.append(ProceduralProvider())
    return chain


def image_size(data: bytes) -> tuple[int, int]:
    """Pixel size of an encoded picture."""
    with Image.open(io.BytesIO(data)) as image:
        return image.size
