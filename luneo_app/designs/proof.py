"""Proof approval: a finalized design waits for an approved proof before production.

The brand's ``settings["proofApproval"]`` says who approves: ``"off"`` (default, production
starts at finalize), ``"merchant"`` (the shop, by API key or the admin's button) or
``"shopper"`` (the shopper's storefront token may approve too). The proof is the preview
plus the design's preflight report. The status moves themselves are the lifecycle's
(``lifecycle.awaiting_proof``, ``lifecycle.proof_approved``, ``lifecycle.proof_rejected``);
this module decides when.

The shop may send the shopper a proof link (``proof_link``): signed with itsdangerous
(``SECRET_KEY``, its own salt), it names the design and lasts ``PROOF_LINK_DAYS``. Whoever
holds it sees the proof page (``proof_page``) and approves, or asks for changes with a
comment: the shop sent it, so the shopper may answer it whatever ``proofApproval`` says.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..audit import record
from ..core import uow
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.secret_keys import itsdangerous_keys
from ..extensions import db
from ..models import Brand, Design
from . import lifecycle

MODES = ("off", "merchant", "shopper")
AWAITING = lifecycle.DesignStatus.AWAITING_PROOF.value
PROOF_LINK_DAYS = 30
COMMENT_MAX = 1000


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(itsdangerous_keys(), salt="luneo-proof-link")


def proof_link(design: Design) -> str:
    """The signed link of the design's proof page, for the shop to send its shopper."""
    token = _signer().dumps({"d": design.id})
    return f"{current_app.config['APP_URL']}/proof/{token}"


def design_for_link(token: str) -> Design:
    """The design a proof link names. Unknown, forged or expired links are 404 (a page)."""
    try:
        data = _signer().loads(token, max_age=PROOF_LINK_DAYS * 86400)
    except SignatureExpired as exc:
        raise NotFound("This proof link has expired; ask the shop for a new one.",
                       code="proof_link_expired") from exc  # fmt: skip
    except BadSignature as exc:
        raise NotFound("This proof link is not valid.", code="proof_link_invalid") from exc
    design = db.session.get(Design, data.get("d")) if isinstance(data, dict) else None
    if design is None:
        raise NotFound("This proof link is not valid.", code="proof_link_invalid")
    return design


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


def approve(design: Design, actor: str, by_shopper: bool = False, via_link: bool = False) -> Design:
    """Approve the proof and queue production; idempotent once approved.

    Refused (409) when the design is not waiting for a proof or its preflight has errors;
    a shopper may approve only when the brand lets shoppers approve (403), or through the
    proof link the shop sent (``via_link``).
    """
    from .tasks import queue_production

    if design.proof_approved_at is not None:
        return design
    brand = db.session.get(Brand, design.brand_id)
    if by_shopper and not via_link and mode(brand) != "shopper":
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
        details={"byShopper": by_shopper, "viaLink": via_link},
    )
    queue_production(design)  # the job row joins the approval's unit of work
    uow.commit()  # then the job is published
    db.session.refresh(design)
    return design


def request_changes(design: Design, actor: str, comment: str, by_shopper: bool) -> Design:
    """The proof is not right: keep the comment for the shop; the design keeps waiting.

    Refused (409) once approved or when no proof is waiting; the comment must say what to
    change (422, 1..1000 characters). Asking again replaces the comment.
    """
    comment = (comment or "").strip()
    if not comment or len(comment) > COMMENT_MAX:
        raise ValidationFailed(
            "Say what should change (up to 1000 characters).",
            code="proof_comment_required",
            details={"comment": f"1..{COMMENT_MAX} characters"},
        )
    if design.proof_approved_at is not None or design.status != AWAITING:
        raise Conflict("This design is not waiting for a proof.", code="not_awaiting_proof")
    lifecycle.proof_rejected(design, actor, comment)
    record(
        "design.proof_rejected",
        actor=actor,
        brand_id=design.brand_id,
        target_type="design",
        target_id=design.id,
        details={"byShopper": by_shopper, "commentChars": len(comment)},
    )
    uow.commit()
    db.session.refresh(design)
    return design


def summary(design: Design) -> dict[str, Any]:
    """The proof state as the API and the admin show it (``link``: the shopper's proof page
    while a proof waits; ``changesRequested``: the last comment, until it is approved)."""
    waiting_now = design.status == AWAITING and design.proof_approved_at is None
    asked = design.proof_rejected_at is not None and design.proof_approved_at is None
    return {
        "required": design.status == AWAITING or design.proof_approved_at is not None,
        "approvedAt": design.proof_approved_at.isoformat() if design.proof_approved_at else None,
        "approvedBy": design.proof_approved_by,
        "changesRequested": (
            {"at": design.proof_rejected_at.isoformat(), "comment": design.proof_comment}
            if asked and design.proof_rejected_at
            else None
        ),
        "link": proof_link(design) if waiting_now else None,
    }
