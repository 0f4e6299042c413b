"""Products and the designs shoppers make for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import ID, BrandOwned, Timestamps, id_column, json_column


class Product(BrandOwned, Timestamps, db.Model):
    """A product of a brand, its photo and 3D model, and its personalization template."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("brand_id", "platform", "external_id"),)

    id: Mapped[str] = id_column("prd")
    platform: Mapped[str] = mapped_column(String(16))  # shopify | api
    external_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(255))
    handle: Mapped[str | None] = mapped_column(String(255), nullable=True)
    image_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    images: Mapped[list[dict[str, Any]]] = json_column([])
    model_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    model_settings: Mapped[dict[str, Any]] = json_column({})
    personalizable: Mapped[bool] = mapped_column(Boolean, default=False)
    template: Mapped[dict[str, Any]] = json_column({})
    template_version: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # When the platform last changed the product: an older webhook never overwrites a newer one.
    source_updated_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )


class Design(BrandOwned, Timestamps, db.Model):
    """A shopper's (or API brand's) personalization of a product."""

    __tablename__ = "designs"
    __table_args__ = (
        Index("ix_designs_cache", "brand_id", "product_id", "content_hash"),
        Index("ix_designs_brand_created", "brand_id", "created_at"),
        Index("ix_designs_brand_id_committed_at", "brand_id", "committed_at"),
    )

    id: Mapped[str] = id_column("des")
    product_id: Mapped[str] = mapped_column(ID, ForeignKey("products.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16), default="api")  # api | storefront | admin
    customer_ref: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    prompt: Mapped[str | None] = mapped_column(Text, nullable=True)
    prompt_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    options: Mapped[dict[str, Any]] = json_column({})
    layers: Mapped[list[dict[str, Any]]] = json_column([])
    content_hash: Mapped[str] = mapped_column(String(64))
    # Set only by designs/lifecycle.py; the ck_designs_status CHECK constraint (migration
    # 0007_core_lifecycle) holds it to the lifecycle's states.
    status: Mapped[str] = mapped_column(String(24), default="queued", index=True)
    preview_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    production_keys: Mapped[dict[str, Any]] = json_column({})
    glb_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    usdz_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    snapshot: Mapped[dict[str, Any] | None] = json_column(None, nullable=True)
    finalized_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Committed: the shopper added the design to a cart (or an API brand finalized it, or an
    # order named it); set once by ``designs.lifecycle.finalized``. A design without it is a
    # draft (previews while editing): drafts expire and are not counted as designs.
    committed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The shopper saved the draft to come back to it (``designs/saved.py``): kept past expiry.
    saved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The product variant the design was made for (its photo and print areas, when the
    # template gives it its own: designs.variants); None for the product's own.
    variant_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    timings: Mapped[dict[str, Any]] = json_column({})
    error: Mapped[dict[str, Any] | None] = json_column(None, nullable=True)
    # render.preflight findings at design time (list of {code, severity, message, ...})
    preflight: Mapped[list[dict[str, Any]] | None] = json_column(None, nullable=True)
    proof_approved_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    proof_approved_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # the last "request changes" on the proof and its comment (cleared when it is approved)
    proof_rejected_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    proof_comment: Mapped[str | None] = mapped_column(Text, nullable=True)


class RenderJob(BrandOwned, db.Model):
    """One background job and its attempts, timings and last error."""

    __tablename__ = "render_jobs"
    __table_args__ = (
        Index("ix_render_jobs_brand_status", "brand_id", "status"),
        # the dispatcher and the wait estimate read in-flight jobs of a queue, and the
        # latest finished previews: both stay index range scans however many old rows
        Index("ix_render_jobs_queue_status", "queue", "status", "enqueued_at"),
        Index("ix_render_jobs_kind_status_finished", "kind", "status", "finished_at"),
        Index("ix_render_jobs_request_id", "request_id"),
        # the "jobs failing" health badge: a brand's recent failures only
        Index(
            "ix_render_jobs_brand_failed",
            "brand_id",
            "finished_at",
            postgresql_where=text("status = 'failed'"),
            sqlite_where=text("status = 'failed'"),
        ),
    )

    id: Mapped[str] = id_column("job")
    design_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("designs.id", ondelete="CASCADE"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    queue: Mapped[str] = mapped_column(String(32), default="default")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    task_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # W3C trace context (``traceparent``) of the span that queued the job: whoever publishes
    # the row, even the sweeper much later, continues that trace.
    trace_context: Mapped[dict[str, str] | None] = json_column(None, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    payload: Mapped[dict[str, Any]] = json_column({})
    enqueued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The outbox: when the message was last handed to the broker, and until when the job's
    # current state (queued or running) is trusted before the sweeper acts on it.
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DesignEvent(BrandOwned, db.Model):
    """One move of a design through its lifecycle: from, to, why, and in which request."""

    __tablename__ = "design_events"
    __table_args__ = (Index("ix_design_events_design", "design_id", "created_at"),)

    id: Mapped[str] = id_column("dev")
    design_id: Mapped[str] = mapped_column(ID, ForeignKey("designs.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_status: Mapped[str] = mapped_column(String(24))
    event: Mapped[str] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(16), nullable=True)
    detail: Mapped[dict[str, Any] | None] = json_column(None, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Upload(BrandOwned, db.Model):
    """A shopper's uploaded photo, cleaned (EXIF applied and stripped) and stored."""

    __tablename__ = "uploads"

    id: Mapped[str] = id_column("upl")
    key: Mapped[str] = mapped_column(String(512))
    content_type: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    original_format: Mapped[str] = mapped_column(String(16))
    customer_ref: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    face_detected: Mapped[bool] = mapped_column(Boolean, default=False)
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # who stated the consent: "embed" (the shopper ticked the widget's box) or "api_key" /
    # "user" (the brand's server attests it asked its shopper)
    consent_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
