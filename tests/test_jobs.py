"""Jobs go through real Redis to a real Celery worker; failures retry then fail recorded."""

from __future__ import annotations

import os
import time

from luneo_app.core import uow
from luneo_app.extensions import db
from luneo_app.jobs import enqueue as add_job
from luneo_app.models import RenderJob
from luneo_app.observability.logs import request_id_var
from tests.support import tasks
from tests.support.factories import make_brand
from tests.support.worker import celery_worker


def enqueue(*args, **kwargs) -> RenderJob:  # type: ignore[no-untyped-def]
    """Add the job and commit (the caller's unit of work); it is published after."""
    job = add_job(*args, **kwargs)
    uow.commit()
    db.session.refresh(job)
    return job


def _wait_for(app, job_id: str, statuses: set[str], timeout: float = 30) -> RenderJob:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.remove()
        job = db.session.get(RenderJob, job_id)
        if job is not None and job.status in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never reached {statuses}; last: {job and job.status}")


def test_job_runs_in_a_real_worker_process_with_the_request_id(live_app):
    brand = make_brand()
    with celery_worker(live_app):
        token = request_id_var.set("req-job-1")
        try:
            job = enqueue(tasks.record_ok, kind="selftest", brand_id=brand.id, args=("hello",))
        finally:
            request_id_var.reset(token)
        assert job.status in ("queued", "running", "succeeded")  # published after the commit
        done = _wait_for(live_app, job.id, {"succeeded", "failed"})
    assert done.status == "succeeded", done.error
    assert done.attempts == 1
    assert done.payload["note"] == "hello"
    assert done.payload["pid"] != os.getpid()
    assert done.payload["request_id"] == "req-job-1"
    assert done.duration_ms is not None and done.finished_at is not None


def test_failing_job_is_retried_then_marked_failed_with_its_error(live_app):
    brand = make_brand()
    with celery_worker(live_app) as worker:
        job = enqueue(tasks.always_fails, kind="selftest", brand_id=brand.id, max_attempts=3)
        done = _wait_for(live_app, job.id, {"failed", "succeeded"}, timeout=40)
    assert done.status == "failed"
    assert done.attempts == 3
    assert "RuntimeError: boom on attempt 3" in done.error
    log = "\n".join(worker.lines)
    assert log.count("retrying") >= 2, log[-2000:]


def test_eager_mode_runs_jobs_in_process(app):
    brand = make_brand()
    job = enqueue(tasks.record_ok, kind="selftest", brand_id=brand.id, args=("inline",))
    assert job.status == "succeeded"
    assert job.payload["pid"] == os.getpid()
    failing = enqueue(tasks.always_fails, kind="selftest", brand_id=brand.id, max_attempts=2)
    assert failing.status == "failed"
    assert failing.attempts == 2


def test_job_whose_worker_process_is_killed_is_redelivered_and_finishes(live_app):
    import signal

    brand = make_brand()
    with celery_worker(live_app) as worker:
        job = enqueue(tasks.slow_first_attempt, kind="selftest", brand_id=brand.id, args=(30,))
        running = _wait_for(live_app, job.id, {"running"}, timeout=20)
        assert running.attempts == 1
        children = worker.child_pids()
        assert children, "the worker has no pool process"
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        done = _wait_for(live_app, job.id, {"succeeded", "failed"}, timeout=40)
    assert done.status == "succeeded", done.error
    assert done.payload["finished_on_attempt"] == 2


def test_a_worker_that_stops_taking_jobs_while_they_wait_reconnects_and_runs_them(live_app):
    """A consumer that goes quiet with messages waiting (the Redis reconnection bugs of
    Celery and kombu) is noticed by the watchdog, reconnects, and the jobs run."""
    import signal

    brand_id = make_brand().id
    env = {"JOB_WATCHDOG_STALL": "3"}
    with celery_worker(live_app, queues="default", extra_env=env) as worker:
        first = enqueue(tasks.record_ok, kind="selftest", brand_id=brand_id, args=("before",))
        assert _wait_for(live_app, first.id, {"succeeded"}).status == "succeeded"
        worker.proc.send_signal(signal.SIGUSR2)  # jam the consumer; the process stays up
        time.sleep(1)
        jobs = [
            enqueue(tasks.record_ok, kind="selftest", brand_id=brand_id, args=(f"j{i}",)).id
            for i in range(3)
        ]
        done = [_wait_for(live_app, job_id, {"succeeded", "failed"}, 40) for job_id in jobs]
        assert [job.status for job in done] == ["succeeded"] * 3, "\n".join(worker.lines[-30:])
        assert any("reconnecting" in line for line in worker.lines), "\n".join(worker.lines[-30:])
        assert worker.proc.poll() is None
