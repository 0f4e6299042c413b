"""Designs: validate, cache, queue and render a shopper's personalization.

The design's states and their moves live in :mod:`.lifecycle`; other features react to its
signals from their own ``init_app``.
"""

from __future__ import annotations

from typing import Any


def _tell_listeners(design: Any, change: Any = None) -> None:
    """Status streams learn about every change once it is committed."""
    from .events import notify

    notify(design)


def init_app(app: Any) -> None:
    """Connect the designs feature's own reaction to its lifecycle."""
    from . import lifecycle
    from .metrics import on_design_changed

    lifecycle.changed.connect(_tell_listeners)
    lifecycle.changed.connect(on_design_changed)
