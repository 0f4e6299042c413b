"""Named locks that hold across every process and machine sharing Luneo's key-value store.

With Redis the lock is redis-py's ``Lock`` (a random token, released by a Lua script only by
its holder, expiring on its own if the holder dies). Without Redis it is a row of the
``kv_entries`` table taken with an atomic set-if-absent and released only by its holder's
token (:meth:`~luneo_app.core.kv_database.DatabaseStore.delete_if`); a holder that dies
leaves a row that expires after ``ttl``. Either way, two gunicorn workers (or a worker and a
Celery process) never hold the same name at once.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from redis.exceptions import LockError

from .errors import LuneoError
from .kv import KeyValueStore, RedisStore
from .kv_database import DatabaseStore

_POLL_FIRST = 0.01
_POLL_MAX = 0.2


class LockBusy(LuneoError):
    """Someone else held the lock for longer than the caller was willing to wait."""

    status = 503
    code = "busy"


@contextmanager
def held(
    name: str,
    ttl: float,
    *,
    wait: float = 0.0,
    kv: KeyValueStore | None = None,
    busy_message: str = "This is busy; try again in a moment.",
    busy_code: str = "busy",
) -> Iterator[None]:
    """Hold the lock ``name`` for the ``with`` block.

    ``ttl`` bounds how long a dead holder blocks others (longer than the block's slowest
    run); ``wait`` is how long to wait for a live holder. Raises :class:`LockBusy`
    (503, ``busy_code``) when the lock stays taken.
    """
    store = kv if kv is not None else current_app.extensions["luneo.kv"]
    key = f"luneo:lock:{name}"
    if isinstance(store, RedisStore):
        lock = store.client.lock(key, timeout=ttl, blocking_timeout=wait)
        if not lock.acquire(blocking=wait > 0):
            raise LockBusy(busy_message, code=busy_code)
        try:
            yield
        finally:
            try:
                lock.release()
            except LockError:  # it expired while held; nothing of ours left to release
                pass
        return
    if not isinstance(store, DatabaseStore):  # pragma: no cover - the two stores of make_store
        raise TypeError(f"no lock on {type(store).__name__}")
    token = secrets.token_hex(16)
    deadline = time.monotonic() + wait
    pause = _POLL_FIRST
    while not store.set_if_absent(key, token, ttl):
        if time.monotonic() + pause > deadline:
            raise LockBusy(busy_message, code=busy_code)
        time.sleep(pause)
        pause = min(pause * 2, _POLL_MAX)
    try:
        yield
    finally:
        store.delete_if(key, token)
