"""End-to-end design latency: POST /v1/designs -> preview ready, 16 concurrent clients.

Runs gunicorn + one Celery worker against real PostgreSQL and Redis on loopback.
Target (issue 4): p50 <= 250 ms, p95 <= 600 ms.

    .venv/bin/python bench/e2e.py [--clients 16] [--designs 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stack import api_request, percentile, seed_brand, stack  # noqa: E402


def _follow_events(base: str, design_id: str, token: str) -> dict:
    """Read the design's server-sent events (as the widget does) until it is ready."""
    url = f"{base}/v1/designs/{design_id}/events?access_token={token}"
    last: dict = {}
    with urllib.request.urlopen(url, timeout=30) as stream:
        for raw in stream:
            line = raw.decode().strip()
            if line.startswith("data:"):
                last = json.loads(line[5:])
                if last.get("status") in ("preview_ready", "failed"):
                    break
    return last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--designs", type=int, default=8, help="designs per client")
    parser.add_argument(
        "--pause",
        type=float,
        default=0.0,
        help="seconds a client waits between designs (a shopper pausing "
        "between edits); 0 = back-to-back, which measures saturation",
    )
    args = parser.parse_args()
    with stack(
        gunicorn_workers=3, celery_queues="previews", celery_concurrency=2, gunicorn_threads=12
    ) as (base, env):
        token, product = seed_brand(env)
        # Warm up each gunicorn worker and the Celery worker.
        for n in range(6):
            api_request(
                "POST",
                base + "/v1/designs",
                token,
                {
                    "productId": product,
                    "layers": [
                        {"type": "text", "printArea": "front", "text": f"warm {n}", "font": "lato"}
                    ],
                },
            )
        time.sleep(2)
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def client(index: int) -> None:
            time.sleep(args.pause * index / max(1, args.clients))  # spread the first requests
            for n in range(args.designs):
                if n:
                    time.sleep(args.pause)
                body = {
                    "productId": product,
                    "layers": [
                        {
                            "type": "text",
                            "printArea": "front",
                            "text": f"Client {index} #{n}",
                            "font": "playfair-display",
                            "material": "gold",
                            "autoFit": True,
                        }
                    ],
                }
                started = time.perf_counter()
                status, answer = api_request("POST", base + "/v1/designs", token, body)
                if status != 202:
                    with lock:
                        errors.append(f"POST {status} {answer}")
                    continue
                got = _follow_events(base, answer["designId"], token)
                elapsed = time.perf_counter() - started
                with lock:
                    if got.get("status") == "preview_ready":
                        latencies.append(elapsed)
                    else:
                        errors.append(f"design ended {got.get('status')}")

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        wall = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - wall
    total = args.clients * args.designs
    print(
        f"clients={args.clients} designs={total} completed={len(latencies)} "
        f"errors={len(errors)} wall={wall:.1f}s throughput={len(latencies) / wall:.1f}/s"
    )
    if latencies:
        print(
            f"POST -> preview ready: p50={statistics.median(latencies) * 1000:.0f} ms "
            f"p95={percentile(latencies, 95) * 1000:.0f} ms "
            f"max={max(latencies) * 1000:.0f} ms (targets p50<=250, p95<=600)"
        )
    for line in errors[:5]:
        print("error:", line)


if __name__ == "__main__":
    main()
