"""1,000 idle status streams on one web process: does the API keep its latency?

Starts the production-like stack (``bench/_stack.py``: gunicorn ``asgi:app`` with one uvicorn
worker, PostgreSQL, Redis; no Celery, so the design stays queued and its streams stay idle),
creates a brand, a product and a design through the API, then measures ``GET
/v1/designs/{id}`` (sequential, keep-alive) three times in the same run:

1. with no stream open,
2. with ``--streams`` (default 1,000) ``GET /v1/designs/{id}/events`` streams open and idle
   (each has received its first event; heartbeats every ``--heartbeat`` seconds),
3. again with no stream open (after they are closed).

It prints p50/p95/p99 of each phase, the p95 ratio of phase 2 to the mean of phases 1 and 3,
how many streams were still open at the end, and the load average. The open-file limit of
this process (inherited by the server) is raised to its hard limit first.

    .venv/bin/python bench/streams.py [--streams 1000] [--requests 400]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stack import stack  # noqa: E402
from render import samples  # noqa: E402


def raise_fd_limit(needed: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def setup(base: str) -> tuple[dict[str, str], str]:
    """A brand with an API key, a product and one queued design; its auth header and id."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-m", "flask", "luneo", "create-api-key", "Bench", "--create-brand"],
        cwd=Path(__file__).resolve().parent.parent,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    key = next(word for word in out.split() if word.startswith("lk_"))
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, timeout=30) as http:
        product = {"externalId": "mug", "title": "Mug", "template": samples.demo_template("mug")}
        answer = http.put("/v1/products", json=product, headers=headers)
        answer.raise_for_status()
        product_id = answer.json().get("productId") or answer.json().get("id")
        layer = {"type": "text", "printArea": "front", "text": "Bench", "font": "lato"}
        created = http.post(
            "/v1/designs", json={"productId": product_id, "layers": [layer]}, headers=headers
        )
        created.raise_for_status()
        return headers, created.json()["designId"]


def measure(base: str, headers: dict[str, str], design_id: str, count: int) -> list[float]:
    """Latency (ms) of ``count`` sequential GET /v1/designs/{id} on one keep-alive connection."""
    timings = []
    with httpx.Client(base_url=base, timeout=30) as http:
        for _ in range(20):  # warm-up
            http.get(f"/v1/designs/{design_id}", headers=headers).raise_for_status()
        for _ in range(count):
            started = time.perf_counter()
            http.get(f"/v1/designs/{design_id}", headers=headers).raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


class IdleStreams:
    """``count`` SSE connections held open on an event loop in a background thread."""

    def __init__(self, base: str, path: str, token: str, count: int) -> None:
        self.url = urlsplit(base)
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {self.url.netloc}\r\n"
            f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
        ).encode()
        self.count = count
        self.loop = asyncio.new_event_loop()
        self.opened = 0
        self.open_now = 0
        self.heartbeats = 0
        self.ready = threading.Event()
        self.stop_event: asyncio.Event | None = None
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),))

    def __enter__(self) -> IdleStreams:
        self.thread.start()
        if not self.ready.wait(600):
            raise RuntimeError(f"only {self.opened} of {self.count} streams opened")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.stop_event is not None
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(60)

    async def _main(self) -> None:
        self.stop_event = asyncio.Event()
        semaphore = asyncio.Semaphore(50)  # open them 50 at a time
        tasks = [asyncio.create_task(self._one(semaphore)) for _ in range(self.count)]
        await self.stop_event.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _one(self, semaphore: asyncio.Semaphore) -> None:
        async with semaphore:
            reader, writer = await asyncio.open_connection(self.url.hostname, self.url.port)
            writer.write(self.request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            if b" 200 " not in head.split(b"\r\n", 1)[0]:
                raise RuntimeError(head.decode(errors="replace"))
            await reader.readuntil(b"event: status")  # the first event: the stream is live
        self.opened += 1
        self.open_now += 1
        if self.opened == self.count:
            self.ready.set()
        try:
            while line := await reader.readline():
                if line.startswith(b":"):
                    self.heartbeats += 1
        finally:
            self.open_now -= 1
            writer.close()


def summary(name: str, timings: list[float]) -> float:
    ordered = sorted(timings)
    p50 = statistics.median(ordered)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    print(f"{name:<28} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   p99 {p99:7.2f} ms")
    return p95


ENV: dict[str, str] = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--heartbeat", type=float, default=15.0)
    parser.add_argument("--threads", type=int, default=8, help="WEB_THREADS of the server")
    args = parser.parse_args()
    limit = raise_fd_limit(args.streams * 2 + 200)
    extra = {
        "REALTIME_HEARTBEAT_SECONDS": str(args.heartbeat),
        "REALTIME_MAX_STREAMS": str(args.streams + 100),
    }
    with stack(
        gunicorn_workers=1,
        celery_queues=None,
        gunicorn_threads=args.threads,
        extra_env=extra,
    ) as (base, env):
        ENV.update(env)
        headers, design_id = setup(base)
        token = headers["Authorization"].split(" ", 1)[1]
        print(
            f"one web process (gunicorn asgi:app, 1 uvicorn worker, WEB_THREADS={args.threads}),"
            f" PostgreSQL + Redis; open-file limit {limit}; {os.cpu_count()} cores"
        )
        before = measure(base, headers, design_id, args.requests)
        path = f"/v1/designs/{design_id}/events"
        started = time.perf_counter()
        with IdleStreams(base, path, token, args.streams) as streams:
            opened_in = time.perf_counter() - started
            time.sleep(1)
            during = measure(base, headers, design_id, args.requests)
            still_open, beats = streams.open_now, streams.heartbeats
        after = measure(base, headers, design_id, args.requests)
    print(f"{args.streams} streams opened in {opened_in:.1f} s (first event received on each)")
    p95_before = summary("no streams (before)", before)
    p95_during = summary(f"{args.streams} idle streams open", during)
    p95_after = summary("no streams (after)", after)
    baseline = (p95_before + p95_after) / 2
    print(f"p95 ratio with streams / without: {p95_during / baseline:.2f}x (goal: <= 1.2x)")
    print(f"streams still open at the end of the measure: {still_open}; heartbeats seen: {beats}")
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
