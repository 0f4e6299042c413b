"""End to end 3D: time from a design's preview being ready to its GLB and USDZ stored.

Runs gunicorn + one Celery worker (queues ``previews,3d``) against real PostgreSQL and
Redis on loopback, with Luneo's generated mug (18.6k triangles) as the product model and
the default 1024 px design texture. For each design: POST /v1/designs, poll
``GET /v1/designs/{id}/ar`` until 200, then read the job rows for the server-side figure.

    .venv/bin/python bench/three_d_e2e.py [--designs 12]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stack import ROOT, api_request, percentile, seed_brand, stack  # noqa: E402

TIMINGS = r"""
import json
from luneo_app import create_app
from luneo_app.extensions import db
from luneo_app.models import Design, RenderJob
app = create_app()
out = []
with app.app_context():
    for design in db.session.query(Design).order_by(Design.created_at).all()[1:]:  # warm-up
        jobs = {j.kind: j for j in db.session.query(RenderJob).filter_by(design_id=design.id)}
        if "preview" in jobs and "3d" in jobs and jobs["3d"].finished_at:
            gap = (jobs["3d"].finished_at - jobs["preview"].finished_at).total_seconds()
            out.append({"afterPreviewMs": gap * 1000, "jobMs": jobs["3d"].duration_ms,
                        "bakeMs": design.timings.get("arRenderMs")})
print(json.dumps(out))
"""


def _design(product: str, n: int) -> dict:
    layer = {"type": "text", "printArea": "front", "text": f"Bench {n}", "font": "lato"}
    return {"productId": product, "layers": [{**layer, "autoFit": True}]}


def _run(base: str, env: dict, designs: int) -> tuple[list[float], list[dict]]:
    token, product = seed_brand(env, with_model=True)
    client_ms = []
    for n in range(designs + 1):  # the first design warms the worker up (imports usd-core)
        started = time.perf_counter()
        status, answer = api_request("POST", base + "/v1/designs", token, _design(product, n))
        assert status == 202, answer
        while True:
            status, body = api_request("GET", f"{base}/v1/designs/{answer['designId']}/ar", token)
            if status != 202:
                break
            time.sleep(0.02)
        assert status == 200, body
        if n:
            client_ms.append((time.perf_counter() - started) * 1000)
    rows = subprocess.run(
        [sys.executable, "-c", TIMINGS],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return client_ms, json.loads(rows.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--designs", type=int, default=12)
    args = parser.parse_args()
    with stack(gunicorn_workers=2, celery_queues="previews,3d", celery_concurrency=1) as (
        base,
        env,
    ):
        client_ms, rows = _run(base, env, args.designs)
    after = [r["afterPreviewMs"] for r in rows]
    bake = [r["bakeMs"] for r in rows]
    print(f"designs={len(client_ms)} (mug, 18.6k triangles, 710 px design on a 2048 px canvas)")
    print(
        f"preview ready -> GLB+USDZ stored: p50={statistics.median(after):.0f} ms "
        f"p95={percentile(after, 95):.0f} ms max={max(after):.0f} ms"
    )
    print(f"  of which texture + bake + USDZ + store: p50={statistics.median(bake):.0f} ms")
    print(
        f"POST /v1/designs -> /ar 200 (client, polling): p50={statistics.median(client_ms):.0f} ms "
        f"p95={percentile(client_ms, 95):.0f} ms"
    )


if __name__ == "__main__":
    main()
