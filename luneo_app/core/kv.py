"""Short-lived shared state: one-time nonces, OAuth state, locks, counters.

Redis when ``REDIS_URL`` is set (shared by every process); an in-process store on the
embedded default, where there is one process. Both honour TTLs and atomic set-if-absent.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

import redis


class KeyValueStore(Protocol):
    """The few atomic operations Luneo needs from Redis."""

    def set_if_absent(self, key: str, value: str, ttl: float) -> bool: ...

    def take(self, key: str) -> str | None: ...

    def get(self, key: str) -> str | None: ...

    def delete(self, key: str) -> None: ...

    def incr(self, key: str, ttl: float) -> int: ...

    def decr(self, key: str) -> int: ...

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

    def decr(self, key: str) -> int:
        return int(self.client.decr(key))

    def ping(self) -> bool:
        return bool(self.client.ping())


class MemoryStore:
    """In-process key-value store for the single-process embedded default."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] < time.monotonic():
            del self._data[key]
            return None
        return item[0]

    def set_if_absent(self, key: str, value: str, ttl: float) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._data[key] = (value, time.monotonic() + ttl)
            return True

    def take(self, key: str) -> str | None:
        with self._lock:
            value = self._live(key)
            self._data.pop(key, None)
            return value

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._live(key)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def incr(self, key: str, ttl: float) -> int:
        with self._lock:
            value = int(self._live(key) or 0) + 1
            self._data[key] = (str(value), time.monotonic() + ttl)
            return value

    def decr(self, key: str) -> int:
        with self._lock:
            value = int(self._live(key) or 0) - 1
            expires = self._data.get(key, ("", time.monotonic() + 3600))[1]
            self._data[key] = (str(value), expires)
            return value

    def ping(self) -> bool:
        return True


def make_store(redis_url: str | None) -> KeyValueStore:
    """Redis-backed store when a URL is given, else the in-process one."""
    if redis_url:
        client = redis.Redis.from_url(redis_url, socket_timeout=3, socket_connect_timeout=3)
        return RedisStore(client)
    return MemoryStore()
