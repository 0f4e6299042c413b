"""One holder at a time per shop: token refresh, install and uninstall never interleave.

With Redis the lock is redis-py's ``Lock`` (a random token, released by a Lua script only
by its holder, expiring on its own if the holder dies), so it holds across every web and
worker process. On the embedded default there is one process and a threading lock will do.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from redis.exceptions import LockError

from ..core.errors import LuneoError
from ..core.kv import RedisStore

# Longer than the slowest token call (10 s timeout, two retries), so a live holder keeps it.
LOCK_TTL_SECONDS = 60
LOCK_WAIT_SECONDS = 40

_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()


class ShopBusy(LuneoError):
    """Another process held the shop's lock for too long."""

    status = 503
    code = "shop_busy"


@contextmanager
def shop_lock(shop_domain: str, *, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the shop's lock for the ``with`` block (waits up to ``wait`` seconds)."""
    kv = current_app.extensions["luneo.kv"]
    name = f"luneo:lock:shop:{shop_domain}"
    if isinstance(kv, RedisStore):
        lock = kv.client.lock(name, timeout=LOCK_TTL_SECONDS, blocking_timeout=wait)
        if not lock.acquire():
            raise ShopBusy(f"{shop_domain} is busy; try again in a moment.")
        try:
            yield
        finally:
            try:
                lock.release()
            except LockError:  # it expired while held; nothing of ours left to release
                pass
        return
    with _local_guard:
        local = _local_locks.setdefault(name, threading.Lock())
    if not local.acquire(timeout=wait):
        raise ShopBusy(f"{shop_domain} is busy; try again in a moment.")
    try:
        yield
    finally:
        local.release()
