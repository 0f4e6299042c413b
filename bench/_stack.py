"""Start a production-like stack on loopback for benchmarks: gunicorn + Celery + PG + Redis.

Creates a scratch PostgreSQL database and uses a Redis database of its own; everything is
torn down at the end. Only loopback addresses are used.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_BASE = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _psql(sql: str) -> None:
    subprocess.run(["psql", PG_ADMIN, "-q", "-c", sql], check=True, capture_output=True)


@contextmanager
def stack(
    gunicorn_workers: int = 4,
    celery_queues: str | None = "previews",
    gunicorn_threads: int = 4,
    celery_concurrency: int = 2,
    extra_env: dict[str, str] | None = None,
):  # type: ignore[no-untyped-def]
    """Yield ``(base_url, env)`` with gunicorn (and a Celery worker) running."""
    name = f"luneo_bench_{uuid.uuid4().hex[:8]}"
    _psql(f'CREATE DATABASE "{name}"')
    workdir = Path(tempfile.mkdtemp(prefix="luneo-bench-"))
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + "/" + name,
            "REDIS_URL": REDIS_BASE,
            "STORAGE_DIR": str(workdir / "storage"),
            "LUNEO_INSTANCE_DIR": str(workdir / "instance"),
            "SECRET_KEY": "bench-secret",
            "LUNEO_ENCRYPTION_KEY": "bench:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            "APP_URL": f"http://127.0.0.1:{port}",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            "FLASK_APP": "wsgi",
        }
    )
    env.update(extra_env or {})
    procs: list[subprocess.Popen] = []
    try:
        subprocess.run(
            [sys.executable, "-m", "flask", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run(["redis-cli", "-u", REDIS_BASE, "flushdb"], check=True, capture_output=True)
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "wsgi:app",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(gunicorn_workers),
                    "--threads",
                    str(gunicorn_threads),
                    "--worker-class",
                    "gthread",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        if celery_queues:
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "luneo_app.worker",
                        "worker",
                        "-Q",
                        celery_queues,
                        "-c",
                        str(celery_concurrency),
                        "-l",
                        "WARNING",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                    ],
                    cwd=ROOT,
                    env=env,
                )
            )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(2.0 if celery_queues else 0)  # let the worker connect
        yield base, env
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        subprocess.run(["redis-cli", "-u", REDIS_BASE, "flushdb"], capture_output=True)
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(pct / 100 * (len(ordered) - 1)))))
    return ordered[index]
