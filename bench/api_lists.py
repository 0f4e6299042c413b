"""GET /v1/designs page time: the first page vs a page deep in the list (keyset cursor).

Makes a scratch PostgreSQL database (loopback), a brand with N designs, then times pages of
50 through the app's test client: the first page, and a page reached after walking most of
the list with ``nextCursor``. With keyset pagination both should cost about the same.

    .venv/bin/python bench/api_lists.py --designs 5000
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _psql(sql: str) -> None:
    subprocess.run(["psql", PG_ADMIN, "-q", "-c", sql], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--designs", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    name = f"luneo_bench_{uuid.uuid4().hex[:8]}"
    _psql(f'CREATE DATABASE "{name}"')
    try:
        run(f"postgresql://postgres@127.0.0.1:5432/{name}", args.designs, args.repeat)
    finally:
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(database_url: str, count: int, repeat: int) -> None:
    from flask_migrate import upgrade

    from luneo_app import create_app
    from luneo_app.auth.apikeys import create_api_key
    from luneo_app.config import TestConfig
    from luneo_app.core.clock import utcnow
    from luneo_app.core.ids import new_id
    from luneo_app.extensions import db
    from luneo_app.models import Brand, Design, Product

    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": ""}
    app = create_app(TestConfig(env, CELERY_EAGER=True))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        brand = Brand(name="Bench", kind="api")
        db.session.add(brand)
        db.session.flush()
        product = Product(brand_id=brand.id, platform="api", external_id="p", title="Mug")
        db.session.add(product)
        db.session.flush()
        key = create_api_key(brand).plaintext
        base = utcnow() - timedelta(days=30)
        db.session.execute(
            Design.__table__.insert(),
            [
                {
                    "id": new_id("des"),
                    "brand_id": brand.id,
                    "product_id": product.id,
                    "source": "api",
                    "options": {},
                    "layers": [],
                    "content_hash": f"{i:064d}",
                    "status": "preview_ready",
                    "production_keys": {},
                    "timings": {},
                    "cost_cents": 0,
                    "created_at": base + timedelta(seconds=i),
                    "updated_at": base + timedelta(seconds=i),
                }
                for i in range(count)
            ],
        )
        db.session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {key}"}

        def timed(url: str) -> tuple[float, dict]:
            start = time.perf_counter()
            answer = client.get(url, headers=headers)
            elapsed = (time.perf_counter() - start) * 1000
            assert answer.status_code == 200, answer.get_json()
            return elapsed, answer.get_json()

        cursor, pages = None, 0
        while pages < count // 50 - 2:
            _, body = timed("/v1/designs?limit=50" + (f"&cursor={cursor}" if cursor else ""))
            cursor, pages = body["nextCursor"], pages + 1
        first = [timed("/v1/designs?limit=50")[0] for _ in range(repeat)]
        deep = [timed(f"/v1/designs?limit=50&cursor={cursor}")[0] for _ in range(repeat)]
        db.session.remove()
        db.engine.dispose()
    load = os.getloadavg()
    print(f"designs: {count}, page size 50, {repeat} requests each (load average {load[0]:.2f})")
    for label, samples in (("first page", first), (f"page {pages + 1}", deep)):
        samples.sort()
        p95 = samples[int(0.95 * (len(samples) - 1))]
        print(f"{label:>12}: median {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
