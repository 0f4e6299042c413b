"""What a support admin may do to a brand, each with a reason and an audit event:
refresh the token, replay a stored webhook, resend an outbound event, suspend and resume,
raise this month's AI budget, and write notes."""

from __future__ import annotations

from typing import Any

from flask import current_app

from connectors.shopify import ShopifyUnavailable

from ..ai.budget import month_of
from ..audit import record
from ..core.clock import utcnow
from ..core.errors import LuneoError, NotFound, ValidationFailed
from ..designs import lifecycle
from ..extensions import db
from ..jobs import runner
from ..models import Brand, Design, RenderJob, ShopInstall, StaffUser, SupportNote, WebhookEvent
from ..outbound import service as outbound
from ..shopify import tokens

MAX_BUDGET_RAISE_CENTS = 1_000_000


class ActionFailed(LuneoError):
    status = 502
    code = "action_failed"


def reason_of(value: str | None) -> str:
    """The reason given for an action (required, at most 500 characters)."""
    reason = (value or "").strip()
    if len(reason) < 5:
        raise ValidationFailed(
            "Give a reason (a few words) for this action.", code="reason_required"
        )
    return reason[:500]


def _audit(staff: StaffUser, brand: Brand, action: str, reason: str, **details: Any) -> None:
    record(
        f"support.{action}",
        actor=f"staff:{staff.email}",
        brand_id=brand.id,
        target_type=details.pop("target_type", "brand"),
        target_id=details.pop("target_id", brand.id),
        details={"reason": reason, **details},
    )


def _install(brand: Brand) -> ShopInstall:
    install = db.session.query(ShopInstall).filter_by(brand_id=brand.id).one_or_none()
    if install is None:
        raise ValidationFailed("This brand has no Shopify install.", code="no_install", status=409)
    return install


def refresh_token(staff: StaffUser, brand: Brand, reason: str) -> str:
    """Refresh the shop's access token now; the attempt is recorded whatever the outcome."""
    install = _install(brand)
    outcome, error = "ok", None
    try:
        tokens.refresh_now(install.shop_domain)
    except tokens.TokenUnavailable as exc:
        outcome, error = "failed", exc.message
    except ShopifyUnavailable as exc:
        outcome, error = "failed", f"Shopify unavailable: {exc}"
    db.session.expire_all()  # the refresh wrote through its own session
    _audit(staff, brand, "token_refreshed", reason, outcome=outcome, error=error)
    db.session.commit()
    if error:
        raise ActionFailed(f"The refresh failed: {error}")
    return outcome


def retry_job(staff: StaffUser, brand: Brand, job_id: str, reason: str) -> RenderJob:
    """Run a failed job again as a new job through the normal job path (same task and
    arguments; the old row stays as history). When the job's design failed with it, the
    design leaves ``failed`` for the start of that step (``lifecycle.retried``, in the same
    transaction) and the order lines that failed with it wait for it again, so the order is
    packaged and written back once the files are made."""
    job = db.session.get(RenderJob, job_id)
    if job is None or job.brand_id != brand.id:
        raise NotFound("No such job for this brand.")
    if job.status != "failed":
        raise ValidationFailed("Only failed jobs are retried.", code="not_failed", status=409)
    design = db.session.get(Design, job.design_id) if job.design_id else None
    design_retried = None
    if design is not None and design.brand_id == brand.id and design.status == "failed":
        if job.kind not in lifecycle.RETRY_FROM:
            raise ValidationFailed(
                "This job's design failed at another step; retry its failed render job.",
                code="design_failed",
                status=409,
            )
        design_retried = lifecycle.retried(design, job.kind, f"staff:{staff.email}", reason)
    payload = dict(job.payload or {})
    task = current_app.extensions["celery"].tasks.get(str(payload.pop("task", "")))
    if task is None:
        raise ValidationFailed("This job's task no longer exists.", code="unknown_task", status=409)
    args = tuple(payload.pop("args", []))
    new = runner.enqueue(
        task,
        kind=job.kind,
        brand_id=brand.id,
        design_id=job.design_id,
        queue=job.queue,
        args=args,
        payload={**payload, "retry_of": job.id},
    )
    db.session.flush()
    _audit(
        staff,
        brand,
        "job_retried",
        reason,
        target_type="render_job",
        target_id=job.id,
        new_job=new.id,
        design_status=design_retried.value if design_retried else None,
    )
    db.session.commit()
    return new


def replay_webhook(staff: StaffUser, brand: Brand, event_id: str, reason: str) -> None:
    """Handle a stored (failed) Shopify webhook delivery again."""
    from ..shopify.tasks import handle_webhook  # the Celery task that handles deliveries

    event = db.session.get(WebhookEvent, event_id)
    if event is None or event.brand_id != brand.id:
        raise NotFound("No such webhook delivery for this brand.")
    if not event.payload:
        raise ValidationFailed(
            "This delivery's body is no longer stored; it cannot be replayed.",
            code="not_replayable",
            status=409,
        )
    event.status = "retrying"
    event.attempts = 0
    _audit(
        staff,
        brand,
        "webhook_replayed",
        reason,
        target_type="webhook_event",
        target_id=event.id,
        topic=event.topic,
    )
    db.session.commit()
    handle_webhook.delay(event.id)


def resend_outbound(staff: StaffUser, brand: Brand, delivery_id: str, reason: str) -> None:
    """Send a logged outbound event again (same event id) to the brand's endpoint."""
    _audit(
        staff,
        brand,
        "outbound_resent",
        reason,
        target_type="outbound_delivery",
        target_id=delivery_id,
    )
    outbound.replay(brand, delivery_id)  # commits the audit event with the delivery


def set_suspended(staff: StaffUser, brand: Brand, suspended: bool, reason: str) -> None:
    """Suspend (nothing deleted; the API answers 403, the widget "unavailable") or resume."""
    if suspended:
        if brand.status == "suspended":
            raise ValidationFailed(
                "This brand is already suspended.", code="already_suspended", status=409
            )
        settings = dict(brand.settings or {})
        settings["status_before_suspension"] = brand.status
        brand.settings = settings
        brand.status = "suspended"
    else:
        if brand.status != "suspended":
            raise ValidationFailed("This brand is not suspended.", code="not_suspended", status=409)
        settings = dict(brand.settings or {})
        brand.status = settings.pop("status_before_suspension", "active")
        brand.settings = settings
    _audit(staff, brand, "brand_suspended" if suspended else "brand_resumed", reason)
    db.session.commit()


def raise_budget(staff: StaffUser, brand: Brand, cents: int, reason: str) -> None:
    """Add ``cents`` to the brand's AI budget for this month only."""
    if not 0 < cents <= MAX_BUDGET_RAISE_CENTS:
        raise ValidationFailed(
            "Raise by 1 cent to 10,000.00.", code="invalid_amount", details={"amount": "cents"}
        )
    month = month_of()
    settings = dict(brand.settings or {})
    current = settings.get("ai_budget_extra")
    already = (
        int(current.get("cents") or 0)
        if isinstance(current, dict) and current.get("month") == month
        else 0
    )
    settings["ai_budget_extra"] = {"month": month, "cents": already + cents, "by": staff.email}
    brand.settings = settings
    _audit(
        staff, brand, "ai_budget_raised", reason, month=month, cents=cents, total=already + cents
    )
    db.session.commit()


def add_note(staff: StaffUser, brand: Brand, body: str) -> SupportNote:
    """An internal note on the brand."""
    body = (body or "").strip()
    if not body or len(body) > 5000:
        raise ValidationFailed("Write a note of 1 to 5,000 characters.", code="invalid_note")
    note = SupportNote(brand_id=brand.id, author=staff.email, body=body, created_at=utcnow())
    db.session.add(note)
    db.session.flush()
    record(
        "support.note_added",
        actor=f"staff:{staff.email}",
        brand_id=brand.id,
        target_type="support_note",
        target_id=note.id,
    )
    db.session.commit()
    return note
