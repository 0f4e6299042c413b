"""Start a real Celery worker process against the test run's PostgreSQL and Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALL_QUEUES = "default,previews,production,ai,3d,webhooks"


class WorkerProcess:
    """A running ``celery worker`` and the lines it has printed."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._ready = threading.Event()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())
            if " ready." in line:
                self._ready.set()

    def wait_ready(self, timeout: float = 90) -> None:
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError("celery worker did not start:\n" + "\n".join(self.lines[-40:]))

    def child_pids(self) -> list[int]:
        """Pool process ids (the processes that run tasks)."""
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.proc.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [int(pid) for pid in out.split()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@contextmanager
def celery_worker(
    app,
    queues: str = ALL_QUEUES,
    concurrency: int = 1,
    extra_env: dict[str, str] | None = None,
    as_deployed: bool = False,
) -> Iterator[WorkerProcess]:  # type: ignore[no-untyped-def]
    """Run a worker with the same database, Redis and storage as ``app``.

    ``as_deployed`` runs it exactly as the README and docker-compose do
    (``celery -A luneo_app.worker worker -Q ... --concurrency N``), without the test tasks.
    """
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": app.config["REDIS_URL"],
            "STORAGE_DIR": app.config["STORAGE_DIR"],
            "LUNEO_INSTANCE_DIR": app.instance_path,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "LUNEO_ENCRYPTION_KEY": app.config["LUNEO_ENCRYPTION_KEY"],
            "JOB_RETRY_BACKOFF": str(app.config["JOB_RETRY_BACKOFF"]),
            "JOB_TIME_LIMIT": str(app.config["JOB_TIME_LIMIT"]),
            "CELERY_EAGER": "0",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra_env or {})
    name = f"test-{os.getpid()}-{time.monotonic_ns()}@%h"
    if as_deployed:
        cmd = [sys.executable, "-m", "celery", "-A", "luneo_app.worker", "worker"]
        cmd += ["-Q", queues, "--concurrency", str(concurrency), "-l", "INFO", "-n", name]
        env.pop("CELERY_EAGER", None)
    cmd = (
        cmd
        if as_deployed
        else [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.support.worker_app",
            "worker",
            "-Q",
            queues,
            "-c",
            str(concurrency),
            "--pool",
            "prefork",
            "-l",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            name,
        ]
    )
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    worker = WorkerProcess(proc)
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


def sweep_until_published(app, job_id: str, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    """Run the sweeper's ticks until the outbox row ``job_id`` has been published.

    A tick that finds another dispatcher holding the queue's lock leaves the row for that
    dispatcher's next round, so one tick alone may publish nothing; the schedule's next tick
    (here, the next loop) does."""
    from luneo_app.extensions import db
    from luneo_app.jobs.sweeper import sweep
    from luneo_app.models import RenderJob

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sweep()
        db.session.remove()
        if db.session.get(RenderJob, job_id).status != "waiting":
            return
        time.sleep(0.5)
    raise AssertionError("the sweeper never published the job: " + outbox_state(app))


def outbox_state(app) -> str:  # type: ignore[no-untyped-def]
    """What a failed dispatch assertion needs to explain itself: every job row and the
    dispatcher's keys in Redis."""
    from luneo_app.extensions import db
    from luneo_app.models import RenderJob

    db.session.remove()
    rows = [
        (job.id[:8], job.queue, job.status, job.brand_id, job.lease_until)
        for job in db.session.query(RenderJob).all()
    ]
    client = getattr(app.extensions["luneo.kv"], "client", None)
    keys = {k: client.pttl(k) for k in client.scan_iter("luneo:*dispatch*")} if client else {}
    return f"jobs={rows} keys={keys}"
