"""Webhook ingestion: verified, deduplicated Shopify webhooks per second and latency.

Runs gunicorn (gthread workers) against real PostgreSQL and Redis on loopback
(``bench/_stack.py``), sends signed ``orders/create`` webhooks with unique ids from a thread
pool, plus re-deliveries of ids already sent, and then checks in the database and the queue
that every unique id was recorded exactly once and enqueued exactly once (zero lost).
No Celery worker runs: this measures the request path (HMAC, insert, enqueue, 200).
Target (issue 3): >= 300/s, p99 < 200 ms, zero lost.

    .venv/bin/python bench/webhooks.py [--webhooks 3000] [--duplicates 600] [--clients 16]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stack import percentile, stack  # noqa: E402

API_KEY = "luneo-dev-client-id"
SECRET = "bench-shopify-secret-0123456789abcdef"
SHOP = "bench-shop.myshopify.com"
PATH = "/webhooks/shopify/orders-create"


def order_body(number: int) -> bytes:
    """An ``orders/create`` body of realistic size (about 3 KB)."""
    order_id = 450789469 + number
    items = [
        {
            "id": order_id * 10 + i,
            "admin_graphql_api_id": f"gid://shopify/LineItem/{order_id * 10 + i}",
            "title": "Personalized Ceramic Mug",
            "quantity": 1,
            "price": "24.00",
            "sku": f"MUG-{i}",
            "properties": [{"name": "_luneo_design", "value": f"des_{uuid.uuid4().hex[:24]}"}],
        }
        for i in range(3)
    ]
    order = {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#{1000 + number}",
        "email": "jane@example.com",
        "created_at": datetime.now(UTC).isoformat(),
        "updated_at": datetime.now(UTC).isoformat(),
        "currency": "EUR",
        "total_price": "72.00",
        "line_items": items,
        "shipping_address": {
            "first_name": "Jane",
            "last_name": "Doe",
            "address1": "1 Rue de la Paix",
            "city": "Paris",
            "zip": "75002",
            "country_code": "FR",
        },
        "note_attributes": [],
        "tags": "",
    }
    return json.dumps(order).encode()


def signed(body: bytes, webhook_id: str) -> dict[str, str]:
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-API-Version": "2025-10",
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
    }


def run(base: str, deliveries: list[tuple[bytes, str]], clients: int) -> tuple[list, list, float]:
    """Send every delivery from ``clients`` threads on keep-alive connections."""
    host = urlsplit(base)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    cursor = iter(range(len(deliveries)))

    def worker() -> None:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                break
            body, webhook_id = deliveries[index]
            started = time.perf_counter()
            try:
                conn.request("POST", PATH, body=body, headers=signed(body, webhook_id))
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
                status = f"{type(exc).__name__}"
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    failures.append(f"{webhook_id}: {status}")
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures, time.perf_counter() - started


def _machine_cpu_seconds() -> float:
    """CPU time the whole machine spent busy (``/proc/stat``: user, nice, system, irq,
    softirq, steal). Server processes come and go during a run (PostgreSQL backends of
    short-lived connections, recycled workers): counting per process loses those that ended,
    so the server's share is the machine's minus the load generator's own."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def check(env: dict[str, str], unique_ids: set[str]) -> dict[str, int]:
    """Rows and queued messages per unique id, read back from PostgreSQL and Redis."""
    query = (
        "SELECT count(*), count(DISTINCT event_id) FROM webhook_events "
        f"WHERE shop_domain = '{SHOP}'"
    )
    rows, distinct = (
        subprocess.run(
            ["psql", env["DATABASE_URL"], "-At", "-F", " ", "-c", query],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .split()
    )
    stored = subprocess.run(
        [
            "psql",
            env["DATABASE_URL"],
            "-At",
            "-c",
            f"SELECT event_id FROM webhook_events WHERE shop_domain = '{SHOP}'",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    queued = subprocess.run(
        ["redis-cli", "-u", env["REDIS_URL"], "llen", "webhooks"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "rows": int(rows),
        "distinct": int(distinct),
        "missing": len(unique_ids - set(stored)),
        "queued": int(queued),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--webhooks", type=int, default=3000, help="unique webhook ids")
    parser.add_argument("--duplicates", type=int, default=600, help="re-deliveries of sent ids")
    parser.add_argument("--clients", type=int, default=16, help="concurrent senders")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured requests first")
    args = parser.parse_args()

    rng = random.Random(3)
    unique = [(order_body(i), str(uuid.uuid4())) for i in range(args.webhooks)]
    repeats = [rng.choice(unique) for _ in range(args.duplicates)]
    deliveries = unique + repeats
    rng.shuffle(deliveries)
    warmup = [(order_body(-1 - i), f"warmup-{uuid.uuid4()}") for i in range(args.warmup)]
    shopify = {
        "SHOPIFY_API_KEY": API_KEY,
        "SHOPIFY_API_SECRET": SECRET,
        "CELERY_EAGER": "0",
        "LOG_LEVEL": "INFO",  # production default: one JSON access-log line per request
    }
    with stack(
        gunicorn_workers=args.workers,
        gunicorn_threads=args.threads,
        celery_queues=None,
        extra_env=shopify,
    ) as (base, env):
        run(base, warmup, args.clients)
        subprocess.run(
            ["redis-cli", "-u", env["REDIS_URL"], "del", "webhooks"],
            check=True,
            capture_output=True,
        )
        machine_before, client_before = _machine_cpu_seconds(), time.process_time()
        latencies, failures, wall = run(base, deliveries, args.clients)
        client_cpu = time.process_time() - client_before
        server_cpu = _machine_cpu_seconds() - machine_before - client_cpu
        counts = check(env, {webhook_id for _, webhook_id in unique} | {w for _, w in warmup})

    sent = len(deliveries)
    ms = {p: percentile(latencies, p) * 1000 for p in (50, 95, 99)}
    print(f"machine: {subprocess.getoutput('nproc')} cores; gunicorn {args.workers}x{args.threads}")
    print(f"sent {sent} deliveries ({args.webhooks} unique, {args.duplicates} duplicates)")
    print(f"from {args.clients} clients in {wall:.2f} s: {sent / wall:.0f} webhooks/s")
    print(
        f"latency ms: p50 {ms[50]:.1f}  p95 {ms[95]:.1f}  p99 {ms[99]:.1f}  "
        f"max {max(latencies) * 1000:.1f}  mean {statistics.mean(latencies) * 1000:.1f}"
    )
    per_request = (server_cpu + client_cpu) / sent * 1000
    cores = os.cpu_count() or 1
    print(
        f"CPU per webhook: {server_cpu / sent * 1000:.2f} ms server (the machine's busy time "
        f"less the load generator: gunicorn, PostgreSQL, Redis and anything else running) + "
        f"{client_cpu / sent * 1000:.2f} ms load generator; "
        f"that is {cores * 1000 / per_request:.0f} webhooks/s if this run had the "
        f"{cores} cores to itself (load average now {os.getloadavg()[0]:.1f})"
    )
    expected_rows = args.webhooks + args.warmup
    lost = counts["missing"]
    print(
        f"rows: {counts['rows']} (distinct ids {counts['distinct']}, expected {expected_rows}); "
        f"enqueued in measured run: {counts['queued']} (expected {args.webhooks}); "
        f"non-200 answers: {len(failures)}; lost: {lost}"
    )
    ok = (
        not failures
        and lost == 0
        and counts["rows"] == counts["distinct"] == expected_rows
        and counts["queued"] == args.webhooks
    )
    for line in failures[:10]:
        print("  failed:", line)
    print("RESULT:", "ok" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
