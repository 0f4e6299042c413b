"""The shared key-value store: same promises on SQLite, PostgreSQL and Redis, across processes.

Nonces, OAuth state and counters must hold when several processes (gunicorn workers, Celery
workers) use them at once: a nonce is taken by exactly one of them, counters never lose a hit.
"""

from __future__ import annotations

import multiprocessing
import time

import pytest

from luneo_app import create_app
from luneo_app.core.kv_database import DatabaseStore
from luneo_app.core.locks import LockBusy, held
from tests.conftest import make_config
from tests.support.env import database_url, need, redis_url
from tests.support.kv import open_store, race

BACKENDS = ["sqlite", "postgresql", "redis"]


def _url(kind: str, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'kv.sqlite3'}"
    if kind == "postgresql":
        url = need("DATABASE_URL", database_url())
        if not url.startswith("postgresql"):
            pytest.skip("DATABASE_URL is not PostgreSQL")
        return url
    return need("REDIS_URL", redis_url())


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path, _schema):  # type: ignore[no-untyped-def]
    """(kind, url, store) with the store emptied of this test's keys."""
    kind = request.param
    url = _url(kind, tmp_path)
    store = open_store(kind, url)
    _empty(kind, store)
    yield kind, url, store
    _empty(kind, store)


def _empty(kind: str, store) -> None:  # type: ignore[no-untyped-def]
    if kind == "redis":
        for key in [*store.client.scan_iter("kvtest:*"), *store.client.scan_iter("luneo:lock:*")]:
            store.client.delete(key)
    else:
        store.delete_prefix("kvtest:")
        store.delete_prefix("luneo:lock:")


def test_a_nonce_is_set_once_and_taken_once(backend):
    _, _, store = backend
    assert store.set_if_absent("kvtest:nonce", "jti-1", ttl=60)
    assert not store.set_if_absent("kvtest:nonce", "jti-2", ttl=60)
    assert store.get("kvtest:nonce") == "jti-1"
    assert store.take("kvtest:nonce") == "jti-1"
    assert store.take("kvtest:nonce") is None
    assert store.get("kvtest:nonce") is None


def test_an_expired_key_reads_as_absent_and_can_be_set_again(backend):
    _, _, store = backend
    assert store.set_if_absent("kvtest:short", "old", ttl=0.2)
    time.sleep(0.3)
    assert store.get("kvtest:short") is None
    assert store.set_if_absent("kvtest:short", "new", ttl=60)
    assert store.take("kvtest:short") == "new"
    assert store.set_if_absent("kvtest:gone", "x", ttl=0.2)
    time.sleep(0.3)
    assert store.take("kvtest:gone") is None


def test_counters_count_and_restart_after_their_ttl(backend):
    _, _, store = backend
    assert [store.incr("kvtest:c", ttl=0.3) for _ in range(3)] == [1, 2, 3]
    time.sleep(0.45)
    assert store.incr("kvtest:c", ttl=60) == 1
    store.delete("kvtest:c")
    assert store.get("kvtest:c") is None
    assert store.ping()


@pytest.mark.parametrize("op", ["take", "set_if_absent", "incr"])
def test_processes_racing_on_one_key_never_both_win(backend, op):
    kind, url, store = backend
    key = f"kvtest:race:{op}"
    if op == "take":
        store.set_if_absent(key, "the-jti", ttl=60)
    workers, rounds = 4, (1 if op == "take" else 25)
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    procs = [
        ctx.Process(target=race, args=(kind, url, op, key, rounds, barrier, results))
        for _ in range(workers)
    ]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=90) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    flat = [value for out in outcomes for value in out]
    if op == "take":
        assert flat.count("the-jti") == 1 and flat.count(None) == workers - 1
    elif op == "set_if_absent":
        assert flat.count(True) == 1
    else:
        assert sorted(flat) == list(range(1, workers * rounds + 1))


def test_the_database_store_sweeps_expired_rows(tmp_path):
    now = [1_000.0]
    store = open_store("sqlite", f"sqlite:///{tmp_path / 'sweep.sqlite3'}")
    assert isinstance(store, DatabaseStore)
    store.clock = lambda: now[0]
    store.set_if_absent("kvtest:a", "1", ttl=5)
    store.set_if_absent("kvtest:b", "1", ttl=500)
    now[0] += 10
    assert store.sweep() == 1
    assert store.get("kvtest:b") == "1"
    assert store.expires_at("kvtest:b") == pytest.approx(1_500.0)


def test_without_redis_two_apps_on_one_database_share_their_state(_schema):
    first = create_app(make_config(REDIS_URL=None))
    second = create_app(make_config(REDIS_URL=None))
    for application in (first, second):
        assert isinstance(application.extensions["luneo.kv"], DatabaseStore)
    try:
        assert first.extensions["luneo.kv"].set_if_absent("kvtest:state", "shop", ttl=60)
        assert second.extensions["luneo.kv"].take("kvtest:state") == "shop"
        assert first.extensions["luneo.kv"].get("kvtest:state") is None
    finally:
        for application in (first, second):
            application.extensions["luneo.kv"].engine.dispose()


def test_a_lock_has_one_holder_and_a_dead_holders_lock_expires(backend):
    _, _, store = backend
    with held("kvtest:shop", ttl=5, kv=store):
        with pytest.raises(LockBusy):
            with held("kvtest:shop", ttl=5, wait=0.1, kv=store):
                pass
    with held("kvtest:shop", ttl=5, kv=store):  # released on exit
        pass
    abandoned = held("kvtest:dead", ttl=0.3, kv=store)
    abandoned.__enter__()  # a holder that dies never leaves the block
    with held("kvtest:dead", ttl=5, wait=2, kv=store):
        pass


def test_the_store_and_the_model_describe_the_same_table():
    from luneo_app.core import kv_database
    from luneo_app.models import KvEntry

    mapped = KvEntry.__table__
    used = kv_database._table
    assert used.name == mapped.name
    assert [c.name for c in used.columns] == [c.name for c in mapped.columns]
    for column in used.columns:
        other = mapped.columns[column.name]
        assert type(column.type) is type(other.type), column.name
        assert column.primary_key == other.primary_key, column.name
