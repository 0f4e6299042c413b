"""Memory of the web and worker processes as designs accumulate (issue: RSS flat +-10 %).

Starts gunicorn + a Celery worker on PostgreSQL and Redis (bench/_stack.py), makes a catalog
of products with a photo each, then creates designs round-robin over the products and reads
the resident memory (VmRSS) of every gunicorn and Celery process from /proc after design
``--warm`` and after the last one. Prints each process group's RSS at both points, their ratio
and the load average.

    .venv/bin/python bench/memory.py --designs 5000 --products 50
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path

from _stack import RUNNING, api_request, seed_catalog, stack


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _groups(procs) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """gunicorn workers and Celery pool processes (with their parents), by group name."""
    groups: dict[str, list[int]] = {}
    for proc in procs:
        name = "web" if "gunicorn" in " ".join(proc.args) else "worker"
        groups.setdefault(name, []).append(proc.pid)
        groups[name].extend(_children(proc.pid))
    return groups


def _sample(groups: dict[str, list[int]]) -> dict[str, float]:
    out = {}
    for name, pids in groups.items():
        out[name] = sum(_rss_mib(pid) for pid in pids if Path(f"/proc/{pid}").exists())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--designs", type=int, default=5000)
    parser.add_argument("--products", type=int, default=50)
    parser.add_argument("--warm", type=int, default=200, help="design at which to take the base")
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with stack(gunicorn_workers=2, celery_queues="previews", celery_concurrency=2) as (base, env):
        token, products = seed_catalog(env, args.products)
        procs = list(RUNNING)
        counter = iter(range(args.designs))
        lock = threading.Lock()
        done = 0
        failures: list[str] = []
        samples: dict[str, dict[str, float]] = {}

        def client() -> None:
            nonlocal done
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                body = {
                    "productId": products[n % len(products)],
                    "layers": [
                        {"type": "text", "printArea": "front", "text": f"Name {n}", "font": "lato"}
                    ],
                }
                status, answer = api_request("POST", base + "/v1/designs", token, body)
                if status != 202:
                    failures.append(f"{status} {answer}")
                    continue
                design = answer["designId"]
                for _ in range(600):
                    status, got = api_request("GET", f"{base}/v1/designs/{design}", token)
                    if got.get("status") not in ("queued", "rendering", "generating"):
                        break
                    time.sleep(0.05)
                with lock:
                    done += 1
                    if done == args.warm:
                        samples["warm"] = _sample(_groups(procs))

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        time.sleep(1)
        samples["end"] = _sample(_groups(procs))
    load = os.getloadavg()
    print(
        f"designs={done} products={args.products} failures={len(failures)} wall={wall:.0f}s "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    for name in samples.get("end", {}):
        warm = samples.get("warm", {}).get(name, 0.0)
        end = samples["end"][name]
        ratio = end / warm if warm else float("nan")
        print(
            f"{name}: RSS {warm:.0f} MiB at design {args.warm}, {end:.0f} MiB at design {done} "
            f"({ratio:.2f}x; target within 0.90-1.10x)"
        )
    for line in failures[:5]:
        print("failure:", line)


if __name__ == "__main__":
    main()
