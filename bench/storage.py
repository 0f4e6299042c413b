"""File storage: the same operations on the local folder and on an S3 bucket.

Writes and reads a preview-sized file (200 KB) N times, presigns links, and uploads one large
production file (in parts on S3). The S3 side runs against moto's standalone server on
loopback unless BENCH_S3_ENDPOINT names another S3-compatible server (credentials from the
standard AWS variables): moto keeps objects in memory, so its figures show Luneo's and
boto3's overhead, not a real object store's latency.

    .venv/bin/python bench/storage.py --n 100 --large-mb 32
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from luneo_app.files.s3 import S3Location, S3Storage  # noqa: E402
from luneo_app.files.setup import setup_bucket  # noqa: E402
from luneo_app.files.storage import LocalStorage  # noqa: E402


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50={statistics.median(ordered) * 1000:.2f} ms p95={p95 * 1000:.2f} ms"


def run(name: str, storage, n: int, large_mb: int) -> None:  # type: ignore[no-untyped-def]
    small = os.urandom(200 * 1024)
    puts, gets, urls = [], [], []
    for i in range(n):
        key = f"brands/bench/designs/d{i}/preview.webp"
        started = time.perf_counter()
        storage.put(key, small, "image/webp")
        puts.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert storage.get(key) == small
        gets.append(time.perf_counter() - started)
        started = time.perf_counter()
        storage.url(key, 3600)
        urls.append(time.perf_counter() - started)
    large = os.urandom(large_mb * 1024 * 1024)
    started = time.perf_counter()
    storage.put("brands/bench/orders/o1/poster.pdf", large, "application/pdf")
    up = time.perf_counter() - started
    started = time.perf_counter()
    storage.copy("brands/bench/orders/o1/poster.pdf", "brands/bench/orders/o2/poster.pdf")
    copied = time.perf_counter() - started
    print(f"{name}: put 200 KB {_ms(puts)}; get {_ms(gets)}; url {_ms(urls)}")
    print(
        f"{name}: {large_mb} MB put {large_mb / up:.0f} MB/s"
        f" (etag {storage.stat('brands/bench/orders/o1/poster.pdf').etag[-4:]});"
        f" copy {copied * 1000:.0f} ms"
    )
    storage.delete_prefix("brands/bench/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--large-mb", type=int, default=32)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as folder:
        run("local", LocalStorage(folder, "bench", "http://127.0.0.1"), args.n, args.large_mb)

    server = None
    endpoint = os.environ.get("BENCH_S3_ENDPOINT")
    if not endpoint:
        from tests.support.s3 import CREDENTIALS, start_s3_server

        os.environ.update(CREDENTIALS)
        server = start_s3_server()
        endpoint = server.endpoint
    try:
        location = S3Location(f"luneo-bench-{uuid.uuid4().hex[:8]}", "files/")
        storage = S3Storage(location, endpoint_url=endpoint, path_style=True)
        setup_bucket(storage, ["http://127.0.0.1"])
        run(f"s3 ({'moto' if server else endpoint})", storage, args.n, args.large_mb)
        storage.client.delete_bucket(Bucket=location.bucket)
    finally:
        if server:
            server.stop()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
