"""Customer personal data in the support console: masked by default, shown after an
audited "reveal" (with a reason) for ``SUPPORT_REVEAL_MINUTES``, for one brand, in the
session that asked."""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..audit import record
from ..core.errors import ValidationFailed
from ..extensions import db
from ..models import Brand, StaffUser
from ..staff import session

MASK = "•••"


def _kv():  # type: ignore[no-untyped-def]
    return current_app.extensions["luneo.kv"]


def _key(brand_id: str) -> str:
    return f"luneo:support-reveal:{session.current_sid()}:{brand_id}"


def revealed(brand_id: str) -> bool:
    """True when this session revealed the brand's personal data within the window."""
    return bool(session.current_sid()) and _kv().get(_key(brand_id)) is not None


def reveal(staff: StaffUser, brand: Brand, reason: str) -> None:
    """Show ``brand``'s personal data to this session for a while; audited, commits."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationFailed("Say why you need to see personal data.", code="reason_required")
    minutes = int(current_app.config["SUPPORT_REVEAL_MINUTES"])
    _kv().delete(_key(brand.id))
    _kv().set_if_absent(_key(brand.id), staff.id, minutes * 60)
    record(
        "support.pii_revealed",
        actor=f"staff:{staff.email}",
        brand_id=brand.id,
        target_type="brand",
        target_id=brand.id,
        details={"reason": reason[:500], "minutes": minutes},
    )
    db.session.commit()


def mask_email(value: str | None) -> str:
    """``j•••@e•••.com``."""
    if not value:
        return ""
    local, _, domain = value.partition("@")
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}{MASK}@{host[:1]}{MASK}.{tld}" if domain else f"{value[:1]}{MASK}"


def mask_text(value: Any) -> str:
    """First letter of each word: ``J••• D•••``."""
    if value in (None, ""):
        return ""
    return " ".join(f"{word[:1]}{MASK}" for word in str(value).split())


def show(brand_id: str, value: Any, kind: str = "text") -> str:
    """``value`` as this session may see it (masked unless revealed)."""
    if value in (None, ""):
        return ""
    if revealed(brand_id):
        return str(value)
    return mask_email(str(value)) if kind == "email" else mask_text(value)


def shipping_lines(brand_id: str, shipping: dict[str, Any] | None) -> list[str]:
    """An order's shipping address as lines, masked unless revealed."""
    if not shipping:
        return []
    lines = []
    for key in ("name", "company", "address1", "address2", "city", "zip", "province", "country"):
        value = shipping.get(key)
        if value:
            lines.append(str(value) if key == "country" else show(brand_id, value))
    for key in ("email", "phone"):
        if shipping.get(key):
            lines.append(show(brand_id, shipping[key], "email" if key == "email" else "text"))
    return lines
