"""Drafts and committed designs.

Every typing pause in the widget makes a design (its preview is what the shopper sees).
Those are *drafts*. A design is *committed* when the shopper adds it to a cart (the widget
finalizes it then), an API brand finalizes it, or an order names it: ``designs.committed_at``
is set once, by ``lifecycle.finalized``. What the merchant calls "a design" (the admin's
Designs list, usage on the home page, plans and metering) is a committed design:
:func:`committed` is the one SQL condition for it.

Drafts expire after ``DRAFT_TTL_HOURS`` once settled (preview ready or failed), unless saved by
the shopper (``saved_at``) or named by an order line: the rules of every design's retention
are in one place, ``designs/retention.py``.
"""

from __future__ import annotations

import logging

from sqlalchemy import ColumnElement

from ..models import Design
from .lifecycle import DesignStatus

log = logging.getLogger("luneo.designs.drafts")

SETTLED = (DesignStatus.PREVIEW_READY.value, DesignStatus.FAILED.value)


def committed() -> ColumnElement[bool]:
    """The SQL condition "this design is committed" (not a draft)."""
    return Design.committed_at.is_not(None)


def draft() -> ColumnElement[bool]:
    """The SQL condition "this design is a draft"."""
    return Design.committed_at.is_(None)


def is_committed(design: Design) -> bool:
    """True once the shopper committed the design (add to cart, finalize, an order)."""
    return design.committed_at is not None
