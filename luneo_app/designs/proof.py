"""Proof approval: a finalized design waits for an approved proof before production.

The brand's ``settings["proofApproval"]`` says who approves: ``"off"`` (default, production
starts at finalize), ``"merchant"`` (the shop, by API key or the admin's button) or
``"shopper"`` (the shopper's storefront token may approve too). The proof is the preview
plus the design's preflight report. The status moves themselves are the lifecycle's
(``lifecycle.awaiting_proof`` and ``lifecycle.proof_approved``); this module decides when.
"""

from __future__ import annotations

from typing import Any

from ..audit import record
from ..core import uow
from ..core.errors import Conflict, Forbidden
from ..extensions import db
from ..models import Brand, Design
from . import lifecycle

MODES = ("off", "merchant", "shopper")
AWAITING = lifecycle.DesignStatus.AWAITING_PROOF.value


def mode(brand: Brand | None) -> str:
    """Who approves proofs for ``brand``: off | merchant | shopper."""
    value = ((brand.settings if brand else None) or {}).get("proofApproval", "off")
    return value if value in MODES else "off"


def hold_for_proof(design: Design) -> bool:
    """At finalize: park the design in ``awaiting_proof`` if its brand wants a proof.

    Returns True when the design now waits (the caller then queues no production).
    The caller commits.
    """
    if design.proof_approved_at is not None:
        return False
    if mode(db.session.get(Brand, design.brand_id)) == "off":
        return False
    lifecycle.awaiting_proof(design)
    return True


def waiting(design: Design | None) -> bool:
    """True while the design waits for its proof to be approved."""
    return design is not None and design.status == AWAITING


def approve(design: Design, actor: str, by_shopper: bool = False) -> Design:
    """Approve the proof and queue production; idempotent once approved.

    Refused (409) when the design is not waiting for a proof or its preflight has errors;
    a shopper may approve only when the brand lets shoppers approve (403).
    """
    from .tasks import queue_production

    if design.proof_approved_at is not None:
        return design
    brand = db.session.get(Brand, design.brand_id)
    if by_shopper and mode(brand) != "shopper":
        raise Forbidden("This shop approves proofs itself.", code="proof_by_merchant")
    if design.status != AWAITING:
        raise Conflict("This design is not waiting for a proof.", code="not_awaiting_proof")
    errors = [f for f in design.preflight or [] if f.get("severity") == "error"]
    if errors:
        raise Conflict(
            "The proof has preflight errors; fix the design first.", code="preflight_failed"
        )
    lifecycle.proof_approved(design, actor, by_shopper)
    record(
        "design.proof_approved",
        actor=actor,
        brand_id=design.brand_id,
        target_type="design",
        target_id=design.id,
        details={"byShopper": by_shopper},
    )
    queue_production(design)  # the job row joins the approval's unit of work
    uow.commit()  # then the job is published
    db.session.refresh(design)
    return design


def summary(design: Design) -> dict[str, Any]:
    """The proof state as the API and the admin show it."""
    return {
        "required": design.status == AWAITING or design.proof_approved_at is not None,
        "approvedAt": design.proof_approved_at.isoformat() if design.proof_approved_at else None,
        "approvedBy": design.proof_approved_by,
    }
