"""Short-lived shared state: one-time nonces, OAuth state, locks, counters.

Redis when ``REDIS_URL`` is set; otherwise the ``kv_entries`` table of the database
(:mod:`.kv_database`). Either way every process (gunicorn workers, Celery workers, the CLI)
sees the same state: nothing here lives in one process's memory. Both honour TTLs and make
set-if-absent, take and incr atomic.
"""

from __future__ import annotations

from typing import Protocol

import redis
from sqlalchemy.engine import Engine


class KeyValueStore(Protocol):
    """The few atomic operations Luneo needs from Redis."""

    def set_if_absent(self, key: str, value: str, ttl: float) -> bool: ...

    def take(self, key: str) -> str | None: ...

    def get(self, key: str) -> str | None: ...

    def delete(self, key: str) -> None: ...

    def incr(self, key: str, ttl: float) -> int: ...

    def ping(self) -> bool: ...


class RedisStore:
    """Key-value store on Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def set_if_absent(self, key: str, value: str, ttl: float) -> bool:
        """Set ``key`` only if missing; True when this call set it."""
        return bool(self.client.set(key, value, nx=True, px=int(ttl * 1000)))

    def take(self, key: str) -> str | None:
        """Read and delete atomically (single use)."""
        value = self.client.getdel(key)
        return value.decode() if isinstance(value, bytes) else value

    def get(self, key: str) -> str | None:
        value = self.client.get(key)
        return value.decode() if isinstance(value, bytes) else value

    def delete(self, key: str) -> None:
        self.client.delete(key)

    def incr(self, key: str, ttl: float) -> int:
        pipe = self.client.pipeline()
        pipe.incr(key)
        pipe.pexpire(key, int(ttl * 1000))
        return int(pipe.execute()[0])

    def ping(self) -> bool:
        return bool(self.client.ping())


def make_store(redis_url: str | None, engine: Engine) -> KeyValueStore:
    """Redis-backed store when a URL is given, else the one on the database (``engine``)."""
    if redis_url:
        client = redis.Redis.from_url(redis_url, socket_timeout=3, socket_connect_timeout=3)
        return RedisStore(client)
    from .kv_database import DatabaseStore

    return DatabaseStore(engine)
