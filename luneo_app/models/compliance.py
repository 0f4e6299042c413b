"""Privacy requests: the exports Luneo assembled for a merchant's customers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import BrandOwned, Timestamps, id_column, json_column


class DataExport(BrandOwned, Timestamps, db.Model):
    """A customer's data, assembled for a data request (``customers/data_request``).

    The export itself is a JSON file in the brand's storage folder; the row says what was
    asked, by which request, and what the file holds.
    """

    __tablename__ = "data_exports"

    id: Mapped[str] = id_column("exp")
    kind: Mapped[str] = mapped_column(String(32), default="customer_data")
    subject_ref: Mapped[str] = mapped_column(String(128))  # the platform's customer id
    request_ref: Mapped[str | None] = mapped_column(String(128), nullable=True)
    file_key: Mapped[str] = mapped_column(String(512))
    summary: Mapped[dict[str, Any]] = json_column({})
