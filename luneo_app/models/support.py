"""What the support console keeps: token refresh attempts, server errors, support notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import ID, BrandOwned, id_column


class TokenRefreshAttempt(BrandOwned, db.Model):
    """One attempt to refresh a shop's access token, successful or not.

    ``trigger`` says why it ran: ``expiring`` (due within the margin), ``rejected`` (Shopify
    refused the current token) or ``staff`` (a support admin's "refresh now").
    """

    __tablename__ = "token_refresh_attempts"
    __table_args__ = (Index("ix_token_refresh_attempts_install_at", "install_id", "attempted_at"),)

    id: Mapped[str] = id_column("tra")
    install_id: Mapped[str] = mapped_column(ID, ForeignKey("shop_installs.id", ondelete="CASCADE"))
    trigger: Mapped[str] = mapped_column(String(16))
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ServerError(db.Model):
    """A 5xx answer: which brand it was for and its request id (kept 30 days)."""

    __tablename__ = "server_errors"
    __table_args__ = (Index("ix_server_errors_brand_at", "brand_id", "created_at"),)

    id: Mapped[str] = id_column("sre")
    brand_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("brands.id", ondelete="CASCADE"), nullable=True
    )
    request_id: Mapped[str] = mapped_column(String(64), index=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(512))
    status: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SupportNote(BrandOwned, db.Model):
    """An internal note of the support team on a brand (merchants never see it)."""

    __tablename__ = "support_notes"

    id: Mapped[str] = id_column("snt")
    author: Mapped[str] = mapped_column(String(320))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
