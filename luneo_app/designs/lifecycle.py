"""The design lifecycle: its states, the allowed moves between them, and the events.

This module is the only place that sets ``Design.status``. Every move goes through
:func:`transition`, which checks it against :data:`TRANSITIONS`, records a
``design_events`` row (who, when, why: "why is this order stuck?" is one query) and sends
two blinker signals:

* ``changing`` inside the transaction, before the commit: a receiver may add rows to the
  same unit of work (``three_d`` puts the GLB in the production set) or raise to stop it.
* ``changed`` after the commit that made the move durable: receivers queue follow-up work
  (``three_d`` the AR files after a preview, ``orders`` packaging, ``outbound``
  ``design.completed``) or tell listeners (status streams).

Other features connect their receivers in their ``init_app``; nothing here imports them.
The event functions below (one per fact: artwork made, preview rendered, ...) are what
jobs and services call; each leaves the commit to its caller's unit of work
(``core/uow.py``).

To add a state (as ``awaiting_proof`` was added between ``finalized`` and
``production_rendering``), add it to :class:`DesignStatus`, give it its moves in
:data:`TRANSITIONS`, and add a migration that widens the ``ck_designs_status`` CHECK
constraint to :func:`check_constraint_sql` (``0008_print_awaiting_proof``).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from typing import Any

from blinker import Namespace

from ..core import uow
from ..core.clock import utcnow
from ..core.errors import Conflict
from ..extensions import db
from ..models import Design, DesignEvent
from ..observability.logs import request_id_var

log = logging.getLogger("luneo.designs")


class DesignStatus(enum.StrEnum):
    """Where a design is. The values are what the API and the database hold."""

    GENERATING = "generating"  # AI artwork being made
    QUEUED = "queued"  # waiting for its preview render
    RENDERING = "rendering"  # preview render running
    PREVIEW_READY = "preview_ready"
    FINALIZED = "finalized"  # snapshot locked, production files not started
    AWAITING_PROOF = "awaiting_proof"  # finalized; production waits for the proof's approval
    PRODUCTION_RENDERING = "production_rendering"
    PRODUCTION_READY = "production_ready"
    FAILED = "failed"


S = DesignStatus

#: The allowed moves. A move to the same state is never recorded (a re-delivered job).
TRANSITIONS: dict[DesignStatus, frozenset[DesignStatus]] = {
    S.GENERATING: frozenset({S.QUEUED, S.FAILED}),
    S.QUEUED: frozenset({S.RENDERING, S.PREVIEW_READY, S.PRODUCTION_RENDERING, S.FAILED}),
    S.RENDERING: frozenset({S.PREVIEW_READY, S.PRODUCTION_RENDERING, S.FAILED}),
    S.PREVIEW_READY: frozenset({S.FINALIZED, S.AWAITING_PROOF, S.PRODUCTION_RENDERING, S.FAILED}),
    S.FINALIZED: frozenset({S.AWAITING_PROOF, S.PRODUCTION_RENDERING, S.FAILED}),
    S.AWAITING_PROOF: frozenset({S.FINALIZED, S.FAILED}),  # approved, or failed
    S.PRODUCTION_RENDERING: frozenset({S.PRODUCTION_READY, S.FAILED}),
    S.PRODUCTION_READY: frozenset({S.PRODUCTION_RENDERING}),  # files lost: render again
    # Support retries a failed step (``retried``): back to where that step starts.
    S.FAILED: frozenset({S.GENERATING, S.QUEUED, S.FINALIZED}),
}

#: Where a retried design goes back to, by the step (job kind) that failed.
RETRY_FROM = {"artwork": S.GENERATING, "preview": S.QUEUED, "production": S.FINALIZED}

ALL = tuple(status.value for status in DesignStatus)
#: States in which nothing more will happen to the design without a new request (a paid
#: order, or support's retry of a failed step).
TERMINAL = frozenset({S.PRODUCTION_READY, S.FAILED})
#: States in which the shopper is waiting for a preview.
PREVIEW_PENDING = frozenset({S.GENERATING, S.QUEUED, S.RENDERING})

signals = Namespace()
#: Sent inside the transaction: ``sender`` is the design, with ``change=Change``.
changing = signals.signal("design-changing")
#: Sent after the commit: ``sender`` is the design, with ``change=Change``.
changed = signals.signal("design-changed")


class IllegalTransition(Conflict):
    """A move the lifecycle does not allow (a bug, or a stale job): nothing is written."""


@dataclass(frozen=True)
class Change:
    """One move of one design, as the signals carry it."""

    design_id: str
    brand_id: str
    old: DesignStatus
    new: DesignStatus
    event: str
    step: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def status_of(design: Design) -> DesignStatus:
    """The design's status as the enum."""
    return DesignStatus(design.status)


def can_move(design: Design, to: DesignStatus) -> bool:
    """True when ``to`` is the current state or an allowed move from it."""
    current = status_of(design)
    return to == current or to in TRANSITIONS[current]


def transition(
    design: Design,
    to: DesignStatus,
    event: str,
    *,
    step: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Change | None:
    """Move the design to ``to`` and record why; does not commit (the caller's unit of work
    does). Returns None when it already is there; raises :class:`IllegalTransition` (409)
    for a move :data:`TRANSITIONS` does not allow."""
    current = status_of(design)
    to = DesignStatus(to)
    if to == current:
        return None
    if to not in TRANSITIONS[current]:
        raise IllegalTransition(
            f"A design cannot go from {current.value} to {to.value}.",
            code="illegal_transition",
            details={"from": current.value, "to": to.value, "event": event},
        )
    change = Change(design.id, design.brand_id, current, to, event, step, dict(detail or {}))
    changing.send(design, change=change)
    design.status = to.value
    db.session.add(
        DesignEvent(
            design_id=design.id,
            brand_id=design.brand_id,
            from_status=current.value,
            to_status=to.value,
            event=event,
            step=step,
            detail=change.detail or None,
            request_id=request_id_var.get(),
            created_at=utcnow(),
        )
    )
    design_id = design.id  # read now: after the commit the row is expired
    uow.on_commit(lambda: _announce(design_id, change))
    return change


def _announce(design_id: str, change: Change) -> None:
    design = db.session.get(Design, design_id)
    if design is None:
        return
    for receiver, _ in changed.send(design, change=change):
        log.debug("design %s %s -> %s: %r", design_id, change.old, change.new, receiver)


# -- one function per event ---------------------------------------------------------------


def created(design: Design) -> None:
    """A new design (its first state: ``generating`` with AI layers, else ``queued``). The
    row is new, so this records the creation only."""
    db.session.add(
        DesignEvent(
            design_id=design.id,
            brand_id=design.brand_id,
            from_status=None,
            to_status=design.status,
            event="created",
            request_id=request_id_var.get(),
            created_at=utcnow(),
        )
    )


def initial_status(wants_artwork: bool) -> DesignStatus:
    """Where a new design starts."""
    return S.GENERATING if wants_artwork else S.QUEUED


def artwork_made(design: Design, layers: list[dict[str, Any]], spent_cents: int, ms: int) -> None:
    """The AI artwork of every layer is made: the design waits for its preview."""
    design.layers = layers
    design.cost_cents = (design.cost_cents or 0) + spent_cents
    design.timings = {**(design.timings or {}), "artworkMs": ms}
    transition(design, S.QUEUED, "artwork_made", step="artwork", detail={"costCents": spent_cents})


def preview_started(design: Design) -> None:
    """The preview render began (only a design still waiting for it moves)."""
    if status_of(design) == S.QUEUED:
        transition(design, S.RENDERING, "preview_started", step="preview")


def preview_rendered(design: Design, key: str, timings: dict[str, int]) -> None:
    """The preview image is stored. A design already past its preview keeps its state."""
    design.preview_key = key
    design.timings = {**(design.timings or {}), **timings}
    if status_of(design) in (S.QUEUED, S.RENDERING):
        transition(design, S.PREVIEW_READY, "preview_rendered", step="preview")
    else:  # finalized or in production already: listeners still learn about the preview
        uow.on_commit(
            lambda: _announce(
                design.id,
                Change(
                    design.id,
                    design.brand_id,
                    status_of(design),
                    status_of(design),
                    "preview_rendered",
                    "preview",
                ),
            )
        )


def finalized(design: Design, snapshot: dict[str, Any]) -> None:
    """The snapshot of what will be produced is locked."""
    design.snapshot = snapshot
    design.finalized_at = utcnow()
    # Committing is what makes a draft a design (usage and billing count these).
    design.committed_at = design.committed_at or design.finalized_at
    if status_of(design) == S.PREVIEW_READY:
        transition(design, S.FINALIZED, "finalized", step="finalize")


def awaiting_proof(design: Design) -> None:
    """The brand approves a proof (preview + preflight) before production starts."""
    transition(design, S.AWAITING_PROOF, "proof_requested", step="proof")


def proof_approved(design: Design, actor: str, by_shopper: bool) -> None:
    """The proof is approved: the design is finalized and may go to production."""
    design.proof_approved_at = utcnow()
    design.proof_approved_by = actor[:128]
    transition(
        design,
        S.FINALIZED,
        "proof_approved",
        step="proof",
        detail={"by": actor[:128], "byShopper": by_shopper},
    )


def proof_rejected(design: Design, actor: str, comment: str) -> None:
    """Changes were asked for on the proof: the design keeps waiting for an approved proof
    (no status move); the shop reads the comment on the design."""
    design.proof_rejected_at = utcnow()
    design.proof_comment = comment
    log.info("design %s: proof changes requested by %s", design.id, actor[:128])


def production_started(design: Design) -> None:
    """The production render began."""
    transition(design, S.PRODUCTION_RENDERING, "production_started", step="production")


def production_rendered(design: Design, files: dict[str, Any], ms: int) -> None:
    """The print files of every used print area are stored."""
    design.production_keys = files
    design.timings = {**(design.timings or {}), "productionRenderMs": ms}
    transition(
        design,
        S.PRODUCTION_READY,
        "production_rendered",
        step="production",
        detail={"printAreas": sorted(files)},
    )


def production_files_removed(design: Design) -> None:
    """Retention removed the print files (the order's copies are gone too): the design keeps
    its snapshot and source uploads, and a reprint renders the files again
    (``PRODUCTION_READY`` -> ``PRODUCTION_RENDERING`` is allowed for that)."""
    design.production_keys = {}


def failed(design: Design, code: str, message: str, step: str) -> bool:
    """A step failed for good. Returns False (and changes nothing) when the design is already
    past failing: a late failure of a preview never undoes ready production files."""
    if not can_move(design, S.FAILED):
        log.warning("design %s: %s failed after it was %s", design.id, step, design.status)
        return False
    design.error = {"code": code, "message": message[:500], "step": step}
    transition(design, S.FAILED, "failed", step=step, detail={"code": code})
    return True


def retried(design: Design, step: str, actor: str, reason: str) -> DesignStatus:
    """Support runs a failed design's ``step`` again (``artwork``, ``preview`` or
    ``production``): the design leaves ``failed`` for where that step starts and its error is
    cleared; the caller queues the step's job in the same unit of work. Raises
    :class:`IllegalTransition` (409) for a design that has not failed or a step that cannot
    be retried (production without a locked snapshot)."""
    target = RETRY_FROM.get(step)
    if status_of(design) != S.FAILED or target is None:
        raise IllegalTransition(
            "Only a failed design's artwork, preview or production step can be retried.",
            code="illegal_transition",
            details={"from": design.status, "step": step},
        )
    if target == S.FINALIZED and design.snapshot is None:
        raise IllegalTransition(
            "This design was never finalized; its production cannot be retried.",
            code="illegal_transition",
            details={"from": design.status, "step": step},
        )
    failure = dict(design.error or {})
    design.error = None
    transition(
        design,
        target,
        "retried",
        step=step,
        detail={"by": actor[:128], "reason": reason[:500], "error": failure.get("code")},
    )
    return target


def check_constraint_sql(column: str = "status") -> str:
    """The SQL of the CHECK constraint that keeps the column to the known states."""
    values = ", ".join(f"'{value}'" for value in ALL)
    return f"{column} IN ({values})"
