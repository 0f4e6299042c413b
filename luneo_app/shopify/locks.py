"""One holder at a time per shop: token refresh, install and uninstall never interleave.

The lock is :func:`luneo_app.core.locks.held` (redis-py's ``Lock`` with Redis, a
``kv_entries`` row otherwise), so it holds across every web and worker process, also on the
embedded default under several gunicorn workers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..core.locks import held

# Longer than the slowest token call (10 s timeout, two retries), so a live holder keeps it.
LOCK_TTL_SECONDS = 60
LOCK_WAIT_SECONDS = 40


@contextmanager
def shop_lock(shop_domain: str, *, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the shop's lock for the ``with`` block (waits up to ``wait`` seconds).

    Raises a 503 ``shop_busy`` error when another process keeps it longer.
    """
    with held(
        f"shop:{shop_domain}",
        LOCK_TTL_SECONDS,
        wait=wait,
        busy_message=f"{shop_domain} is busy; try again in a moment.",
        busy_code="shop_busy",
    ):
        yield
