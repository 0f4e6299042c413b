"""AI artwork: the cached artwork of each prompt, and budget alerts sent to brands."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import BrandOwned, id_column


class AiArtwork(BrandOwned, db.Model):
    """Artwork made for one prompt hash (prompt + options + product template) by a provider.

    The same request again returns this row's file: no second paid call. The prompt itself
    is not kept here (it lives on the designs that asked for it).
    """

    __tablename__ = "ai_artworks"
    __table_args__ = (UniqueConstraint("brand_id", "prompt_hash", "provider"),)

    id: Mapped[str] = id_column("art")
    prompt_hash: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(32))  # openai | procedural
    model: Mapped[str | None] = mapped_column(String(64), nullable=True)
    key: Mapped[str] = mapped_column(String(512))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BudgetAlert(BrandOwned, db.Model):
    """A brand's AI spending crossed a share of its monthly budget (once per month each).

    ``delivered_at`` stays empty until the outbound webhook system has sent it.
    """

    __tablename__ = "budget_alerts"
    __table_args__ = (UniqueConstraint("brand_id", "month", "threshold_percent"),)

    id: Mapped[str] = id_column("bal")
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    threshold_percent: Mapped[int] = mapped_column(Integer)
    spent_cents: Mapped[int] = mapped_column(Integer)
    budget_cents: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
