"""The audit trail: what was done, by whom, to what."""

from __future__ import annotations

from typing import Any

from ..core.clock import utcnow
from ..extensions import db
from ..models import AuditEvent


def record(
    action: str,
    *,
    actor: str,
    brand_id: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current unit of work (the caller commits)."""
    event = AuditEvent(
        brand_id=brand_id,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=details or {},
        created_at=utcnow(),
    )
    db.session.add(event)
    return event
