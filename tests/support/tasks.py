"""Tasks used by the job-queue tests (imported only by test worker processes and tests)."""

from __future__ import annotations

import os

from luneo_app.jobs import tracked_task
from luneo_app.observability.logs import request_id_var


@tracked_task("tests.record_ok")
def record_ok(job, note: str) -> None:  # type: ignore[no-untyped-def]
    job.payload = {"note": note, "pid": os.getpid(), "request_id": request_id_var.get()}


@tracked_task("tests.always_fails")
def always_fails(job) -> None:  # type: ignore[no-untyped-def]
    raise RuntimeError(f"boom on attempt {job.attempts}")


@tracked_task("tests.slow_first_attempt")
def slow_first_attempt(job, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """Sleeps on its first delivery (long enough to be killed), finishes on the next."""
    import time

    if job.attempts == 1:
        time.sleep(seconds)
    job.payload = {**job.payload, "finished_on_attempt": job.attempts, "pid": os.getpid()}
