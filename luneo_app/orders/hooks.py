"""Hooks other features call; they import nothing heavy, so any module may import them."""

from __future__ import annotations


def design_production_ready(design_id: str) -> None:
    """A design's production files are ready: package the orders it completes. Never raises."""
    from .production import design_production_ready as run

    run(design_id)
