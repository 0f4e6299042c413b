"""PostgreSQL transactions per design, through the whole pipeline (create -> preview ->
finalize -> production files), in the embedded job mode so every job's transactions are
counted in this one process.

    python bench/transactions.py [--designs 20]

Uses a scratch database on BENCH_PG_ADMIN (default the local server) and, with
BENCH_REDIS_URL, Redis for the kv store, locks and limits as production does; reads
``pg_stat_database`` (xact_commit + xact_rollback) before and after, and prints the figures
with the load average. Run it on two commits to compare them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _counters(admin: str, database: str) -> tuple[int, int]:
    with psycopg.connect(admin, autocommit=True) as conn:
        time.sleep(1.2)  # backends flush their statistics about once a second
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = %s",
            (database,),
        ).fetchone()
    return int(row[0]), int(row[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--designs", type=int, default=20)
    args = parser.parse_args()
    database = f"luneo_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    folder = tempfile.mkdtemp(prefix="luneo-bench-tx-")
    env = {
        **os.environ,
        "DATABASE_URL": f"{base}/{database}",
        "LUNEO_INSTANCE_DIR": folder,
        "STORAGE_DIR": f"{folder}/storage",
    }
    # With REDIS_URL (as in production) rate limits, locks and the kv store live in Redis;
    # without it (the embedded default) they are rows in the database and count here too.
    redis_url = os.environ.get("BENCH_REDIS_URL")
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    try:
        from flask_migrate import upgrade

        from luneo_app import create_app
        from luneo_app.config import TestConfig
        from luneo_app.extensions import db
        from tests.designs.helpers import brand_with_key, text_design

        # The production pool (TestConfig's NullPool opens a connection per checkout, and
        # each new connection's set-up queries are transactions of their own).
        pool = {"pool_pre_ping": True}
        app = create_app(TestConfig(env, CELERY_EAGER=True, SQLALCHEMY_ENGINE_OPTIONS=pool))
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            _, headers, product = brand_with_key(app)
            product_id = product.id
            db.session.remove()
            client = app.test_client()
            client.post("/v1/designs", json=text_design(product_id, text="warm"), headers=headers)
            before = _counters(PG_ADMIN, database)
            started = time.perf_counter()
            made = []
            for n in range(args.designs):
                body = text_design(product_id, text=f"Bench {n}")
                made.append(client.post("/v1/designs", json=body, headers=headers).get_json())
            previews = _counters(PG_ADMIN, database)
            for created in made:
                finalize = f"/v1/designs/{created['designId']}/finalize"
                client.post(finalize, json={}, headers=headers)
            elapsed = time.perf_counter() - started
            after = _counters(PG_ADMIN, database)
            db.session.remove()
            db.engine.dispose()
    finally:
        subprocess.run(
            ["psql", PG_ADMIN, "-q", "-c", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'],
            check=False,
            capture_output=True,
        )
    commits, rollbacks = after[0] - before[0], after[1] - before[1]
    revision = (
        subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        or ROOT.name
    )
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    shape = "kv/locks/limits in Redis" if redis_url else "embedded default: kv in the database"
    print(f"code: {revision}  designs: {args.designs}  ({shape})  load average: {load}")
    preview = sum(previews) - sum(before)
    print(f"  transactions per design, POST -> preview ready: {preview / args.designs:.1f}")
    print(f"  commits per design:   {commits / args.designs:.1f}")
    print(f"  rollbacks per design: {rollbacks / args.designs:.1f}")
    print(
        f"  transactions per design (commit + rollback): {(commits + rollbacks) / args.designs:.1f}"
    )
    print(
        f"  wall time per design (create + preview + finalize + production): "
        f"{elapsed / args.designs * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
