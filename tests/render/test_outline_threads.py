"""Outlines and preflight are used by several request threads of one web process at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from render import fonts, outline, preflight


def test_many_threads_outline_fresh_fonts_at_once():
    outline._face.cache_clear()
    preflight._cap_ratio.cache_clear()
    ids = [f.id for f in fonts.catalog()]

    def work(n: int) -> float:
        font_id = ids[n % len(ids)]
        pen = outline.RecordingPen()
        advance = outline._chunk(pen, font_id, "Nina & Olivier 2026", 48, (1, 0, 0, 1, 0, 0))
        return advance + preflight._cap_ratio(font_id)

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(work, range(96)))
    assert all(r > 0 for r in results)
