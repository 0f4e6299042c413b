"""An order's timeline for support: received, linked, rendered, files, write-back, each
step with its time and error, from the rows that recorded them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..core.clock import as_utc
from ..extensions import db
from ..models import DesignEvent, Order, OrderItem, RenderJob, WebhookEvent


@dataclass(frozen=True)
class Step:
    at: datetime | None
    kind: str  # received | linked | rendered | files | write-back | problem | webhook
    text: str
    error: str | None = None
    ref: str | None = None  # a design, job or request id


def of(order: Order) -> list[Step]:
    """The order's steps, oldest first."""
    steps = [
        Step(
            as_utc(order.created_at),
            "received",
            f"Order {order.name or order.external_id} received ({order.platform})",
        )
    ]
    items = db.session.scalars(
        select(OrderItem).where(OrderItem.order_id == order.id).order_by(OrderItem.line_number)
    ).all()
    design_ids = [i.design_id for i in items if i.design_id]
    for item in items:
        if item.design_id:
            steps.append(
                Step(
                    as_utc(item.created_at),
                    "linked",
                    f"Line {item.line_number} linked to design",
                    ref=item.design_id,
                )
            )
        else:
            steps.append(
                Step(
                    as_utc(item.created_at),
                    "linked",
                    f"Line {item.line_number} carries no design",
                    error=item.problem,
                )
            )
        if item.files:
            steps.append(
                Step(
                    as_utc(item.updated_at),
                    "files",
                    f"Line {item.line_number}: {len(item.files)} production file(s)",
                    ref=item.design_id,
                )
            )
        elif item.problem:
            steps.append(
                Step(
                    as_utc(item.updated_at),
                    "problem",
                    f"Line {item.line_number}",
                    error=item.problem,
                )
            )
    if design_ids:
        for event in db.session.scalars(
            select(DesignEvent)
            .where(DesignEvent.design_id.in_(design_ids))
            .order_by(DesignEvent.created_at)
        ):
            detail = event.detail or {}
            steps.append(
                Step(
                    as_utc(event.created_at),
                    "rendered",
                    f"Design {event.from_status or '—'} → {event.to_status} ({event.event})",
                    error=detail.get("message")
                    or (detail.get("code") if event.to_status == "failed" else None),
                    ref=event.request_id or event.design_id,
                )
            )
        for job in db.session.scalars(
            select(RenderJob).where(
                RenderJob.design_id.in_(design_ids), RenderJob.status == "failed"
            )
        ):
            steps.append(
                Step(
                    as_utc(job.finished_at),
                    "rendered",
                    f"Job {job.kind} failed after {job.attempts} attempt(s)",
                    error=job.error,
                    ref=job.id,
                )
            )
    if order.zip_key:
        steps.append(Step(as_utc(order.updated_at), "files", "Production ZIP ready"))
    if order.written_back_at:
        steps.append(
            Step(as_utc(order.written_back_at), "write-back", "Status written back to the store")
        )
    for problem in order.problems or []:
        at = problem.get("at")
        steps.append(
            Step(
                as_utc(datetime.fromisoformat(at)) if at else None,
                "problem",
                problem.get("code", "problem"),
                error=problem.get("message"),
                ref=problem.get("designId"),
            )
        )
    for event in db.session.scalars(
        select(WebhookEvent)
        .where(
            WebhookEvent.brand_id == order.brand_id, WebhookEvent.resource_id == order.external_id
        )
        .order_by(WebhookEvent.received_at)
        .limit(50)
    ):
        steps.append(
            Step(
                as_utc(event.received_at),
                "webhook",
                f"Webhook {event.topic}: {event.status}",
                error=event.error,
                ref=event.event_id,
            )
        )
    return sorted(steps, key=lambda s: (s.at is None, s.at or datetime.min))
