"""The storefront origins an API brand registers for the widget on its own website.

Kept in the brand's settings (``embedOrigins``): a short list of normalised origins. Only
``https`` origins are accepted, except ``http`` on the loopback hosts (``localhost``,
``127.0.0.1``), which browsers also treat as secure contexts, so a brand can try the widget
on its development machine.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..audit import record
from ..core.errors import ValidationFailed
from ..extensions import db
from ..models import Brand
from .shops import normalize_origin

MAX_ORIGINS = 20
SETTING = "embedOrigins"
_LOOPBACK = ("localhost", "127.0.0.1")


def registered_origins(brand: Brand) -> list[str]:
    """The brand's registered storefront origins (normalised)."""
    stored = (brand.settings or {}).get(SETTING) or []
    return [o for o in (normalize_origin(v) for v in stored if isinstance(v, str)) if o]


def site_origin(value: Any) -> str | None:
    """A normalised origin a brand may register, or None (not https, not a plain origin)."""
    if not isinstance(value, str) or "://" not in value:
        return None  # a bare host would silently become https://...; ask for the full origin
    origin = normalize_origin(value)
    if origin is None:
        return None
    parts = urlsplit(origin)
    if parts.scheme == "https" or parts.hostname in _LOOPBACK:
        return origin
    return None


def set_origins(brand: Brand, values: list[Any], actor: str) -> list[str]:
    """Replace the brand's origins after checking each one; commits. 422 names each bad entry."""
    problems: dict[str, str] = {}
    origins: list[str] = []
    for index, value in enumerate(values):
        origin = site_origin(value)
        if origin is None:
            problems[f"origins[{index}]"] = (
                "expected an https origin such as https://shop.example.com "
                "(no path; http only for localhost)"
            )
        elif origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        problems["origins"] = f"at most {MAX_ORIGINS} origins"
    if problems:
        raise ValidationFailed(
            "Some origins cannot be registered.", code="invalid_origins", details=problems
        )
    brand.settings = {**(brand.settings or {}), SETTING: origins}
    record(
        "embed.origins_updated",
        actor=actor,
        brand_id=brand.id,
        target_type="brand",
        target_id=brand.id,
        details={"origins": origins},
    )
    db.session.commit()
    return origins
