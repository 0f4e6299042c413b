"""Benchmark: how long refusing a hostile 3D model takes, and what it costs in memory.

    .venv/bin/python bench/model_validation.py [--runs 3]

Validates every model of the adversarial corpus (``tests/render_3d/hostile_models.py``:
instance bombs, accessors with billions of elements, deep graphs and JSON, NaN transforms,
texture bombs) plus the real demo mug, each in a fresh child process so that its peak memory
is its own. Prints per model the refusal code, the slowest of ``--runs`` wall times and the
child's peak RSS, then the slowest refusal overall. Target: under 1 s per model on the
2-core reference machine (issue 12), with the load average printed beside it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from render.three_d import ModelError, validate_model  # noqa: E402
from tests.render_3d.hostile_models import CORPUS  # noqa: E402

TARGET_S = 1.0


def _measure(name: str, runs: int, out: multiprocessing.Queue) -> None:
    if name == "demo_mug":
        from render.three_d import demo_model_glb

        data = demo_model_glb("mug")
    else:
        data = next(build for n, build, _code in CORPUS if n == name)()
    slowest, code = 0.0, "accepted"
    for _ in range(runs):
        started = time.perf_counter()
        try:
            validate_model(data)
        except ModelError as exc:
            code = exc.code
        slowest = max(slowest, time.perf_counter() - started)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put((name, len(data), code, slowest, peak_mb))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    results = []
    for name in ["demo_mug", *(n for n, _b, _c in CORPUS)]:
        queue = ctx.Queue()
        child = ctx.Process(target=_measure, args=(name, args.runs, queue))
        child.start()
        results.append(queue.get(timeout=600))
        child.join()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'model':32} {'bytes':>10} {'answer':20} {'slowest':>9} {'peak RSS':>9}")
    for name, size, code, slowest, peak in results:
        print(f"{name:32} {size:>10,} {code:20} {slowest * 1000:>7.1f}ms {peak:>7.0f}MB")
    refusals = [r for r in results if r[2] != "accepted"]
    worst = max(refusals, key=lambda r: r[3])
    verdict = "within" if worst[3] < TARGET_S else "OVER"
    print(
        f"slowest refusal: {worst[0]} in {worst[3] * 1000:.1f} ms "
        f"({verdict} the {TARGET_S:.0f} s target); "
        f"largest peak RSS of a refusal: {max(r[4] for r in refusals):.0f} MB"
    )


if __name__ == "__main__":
    main()
