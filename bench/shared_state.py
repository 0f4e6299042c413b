"""Shared-state latency: one handshake nonce set and then taken, per backend.

    python bench/shared_state.py [--runs 500] [--processes 2]
        [--postgres postgresql://postgres@127.0.0.1:5432/luneo_bench]
        [--redis redis://127.0.0.1:6379/15]

Each embed-token handshake does one ``set_if_absent`` (``GET /embed/token``) and one
``take`` (``POST /embed/validate``); each OAuth install the same with its state. This prints
the time of that pair (median, p95, p99) on each key-value backend Luneo can run on:

* SQLite (the embedded default's file in a scratch folder, WAL, what gunicorn workers share),
* PostgreSQL (``--postgres``; a scratch ``kv_entries`` table, dropped afterwards),
* Redis (``--redis``; keys under ``luneo:bench:``, deleted afterwards).

``--processes N`` runs N processes at once against the same backend (as N gunicorn workers
would), each doing ``--runs`` pairs; the figures are over all pairs. Backends that are not
given are skipped. The machine's load average is printed with the figures: on a shared
machine it is part of the result.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _open(kind: str, url: str):  # type: ignore[no-untyped-def]
    import redis
    from sqlalchemy import create_engine

    import luneo_app  # noqa: F401 - its connect listener sets SQLite's WAL and busy timeout
    from luneo_app.core.kv import RedisStore
    from luneo_app.core.kv_database import DatabaseStore
    from luneo_app.models.state import KvEntry

    if kind == "redis":
        return RedisStore(redis.Redis.from_url(url))
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    engine = create_engine(url)
    KvEntry.__table__.create(engine, checkfirst=True)
    return DatabaseStore(engine)


def _pairs(kind: str, url: str, runs: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    store = _open(kind, url)
    times = []
    for _ in range(runs):
        key = "luneo:bench:" + secrets.token_hex(16)
        started = time.perf_counter()
        assert store.set_if_absent(key, "jti", 300)
        assert store.take(key) == "jti"
        times.append((time.perf_counter() - started) * 1000)
    out.put(times)


def _run(kind: str, url: str, runs: int, processes: int) -> list[float]:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_pairs, args=(kind, url, runs, out)) for _ in range(processes)]
    for proc in procs:
        proc.start()
    times = [t for _ in procs for t in out.get(timeout=600)]
    for proc in procs:
        proc.join()
    return times


def _report(label: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[int(len(times) * 0.95) - 1]
    p99 = times[int(len(times) * 0.99) - 1]
    print(
        f"{label:<11} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms   "
        f"p99 {p99:7.2f} ms   ({len(times)} set+take pairs)"
    )


def _scratch_postgres(admin_url: str) -> tuple[str, str]:
    import psycopg

    name = f"luneo_bench_kv_{secrets.token_hex(4)}"
    base = admin_url.rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base + "/" + name, name


def _drop_postgres(admin_url: str, name: str) -> None:
    import psycopg

    base = admin_url.rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL"))
    args = parser.parse_args()

    print(
        f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start; "
        f"{args.processes} processes x {args.runs} pairs per backend"
    )
    with tempfile.TemporaryDirectory(prefix="luneo-bench-kv-") as scratch:
        _report(
            "sqlite", _run("sqlite", f"sqlite:///{scratch}/kv.sqlite3", args.runs, args.processes)
        )
    if args.postgres:
        url, name = _scratch_postgres(args.postgres)
        try:
            _report("postgresql", _run("postgresql", url, args.runs, args.processes))
        finally:
            _drop_postgres(args.postgres, name)
    else:
        print("postgresql  skipped (give --postgres)")
    if args.redis:
        _report("redis", _run("redis", args.redis, args.runs, args.processes))
    else:
        print("redis       skipped (give --redis)")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
