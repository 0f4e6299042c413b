"""Key-value stores of each backend, opened the same way in the test and in child processes."""

from __future__ import annotations

from typing import Any

import redis
from sqlalchemy import create_engine

from luneo_app.core.kv import KeyValueStore, RedisStore
from luneo_app.core.kv_database import DatabaseStore
from luneo_app.models.state import KvEntry


def engine_url(url: str) -> str:
    """The SQLAlchemy URL the app would use for ``url`` (psycopg 3 for PostgreSQL)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def open_store(kind: str, url: str) -> KeyValueStore:
    """A store of ``kind`` ("sqlite", "postgresql" or "redis") on ``url``."""
    if kind == "redis":
        return RedisStore(redis.Redis.from_url(url))
    engine = create_engine(engine_url(url))
    if kind == "sqlite":
        # the app's pragmas (WAL, busy timeout) come from its connect listener
        import luneo_app  # noqa: F401

        KvEntry.__table__.create(engine, checkfirst=True)
    return DatabaseStore(engine)


def race(kind: str, url: str, op: str, key: str, rounds: int, barrier: Any, results: Any) -> None:
    """Child process: wait for the others, then run ``op`` on ``key`` ``rounds`` times."""
    store = open_store(kind, url)
    barrier.wait(timeout=60)
    out = []
    for i in range(rounds):
        if op == "take":
            out.append(store.take(key))
        elif op == "set_if_absent":
            out.append(store.set_if_absent(key, f"{id(out)}-{i}", 60))
        elif op == "incr":
            out.append(store.incr(key, 60))
    results.put(out)
