"""Tracked jobs: every attempt, timing and error of a job is kept in its ``render_jobs`` row.

The row is an outbox: :func:`enqueue` only adds a ``waiting`` row to the caller's unit of
work; once that transaction commits, the dispatcher (``scheduler.dispatch``) publishes it.
A process that dies between the commit and the publish leaves a ``waiting`` row that the
sweeper's next dispatch publishes; nothing is sent for work that rolled back.

A tracked task takes the job id as its first argument, loads fresh state, does its work and
is safe to run twice. Failures are retried with Celery's exponential backoff with jitter; a
:class:`PermanentJobError` (bad input, nothing to gain from trying again) fails at once.
Each attempt holds a lease (its time limit plus a grace period): a ``running`` row whose
lease ran out belonged to a worker that died, and the sweeper re-queues or fails it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import shared_task
from celery.exceptions import Retry, SoftTimeLimitExceeded
from celery.utils.time import get_exponential_backoff_interval
from flask import current_app

from ..core import uow
from ..core.clock import as_utc, utcnow
from ..extensions import db
from ..models import RenderJob
from ..observability.logs import request_id_var
from ..observability.metrics import JOB_LATENCY, JOBS, RENDER_DURATION, RENDER_KINDS
from ..observability.tracing import current_carrier
from .scheduler import LIMITED_QUEUES, dispatch

log = logging.getLogger("luneo.jobs")


#: Task name -> the function a tracked task wraps (for the sweeper's failure hooks).
JOB_FUNCTIONS: dict[str, Callable[..., Any]] = {}


class PermanentJobError(Exception):
    """The job cannot succeed by being tried again."""


class JobFailed(Exception):
    """Raised in eager mode when a tracked job ended failed."""


def enqueue(
    task: Any,
    *,
    kind: str,
    brand_id: str,
    design_id: str | None = None,
    queue: str = "default",
    args: tuple = (),
    payload: dict[str, Any] | None = None,
    max_attempts: int | None = None,
) -> RenderJob:
    """Add a ``waiting`` job row to the caller's unit of work; does not commit.

    After the caller's commit the dispatcher publishes it (render queues within the fair
    limits); after a rollback nothing was recorded and nothing is sent. Returns the row
    (in eager mode the job has run once the caller's commit returns).
    """
    job = RenderJob(
        brand_id=brand_id,
        design_id=design_id,
        kind=kind,
        queue=queue,
        status="waiting",
        attempts=0,
        max_attempts=max_attempts or current_app.config["JOB_MAX_RETRIES"],
        request_id=request_id_var.get(),
        trace_context=current_carrier(),
        payload={**(payload or {}), "task": task.name, "args": list(args)},
        enqueued_at=utcnow(),
    )
    db.session.add(job)
    uow.on_commit(lambda: dispatch(queue))
    return job


def _backoff(attempt: int) -> int:
    """Celery's own exponential backoff with full jitter (``retry_backoff`` semantics)."""
    base = current_app.config["JOB_RETRY_BACKOFF"]
    return get_exponential_backoff_interval(base, max(0, attempt - 1), 600, full_jitter=True)


def lease_seconds(task_time_limit: float | None) -> int:
    """How long a running attempt is trusted: its hard time limit plus a grace period."""
    limit = task_time_limit or current_app.config["JOB_TIME_LIMIT"]
    return int(limit) + current_app.config["JOB_LEASE_GRACE"]


def tracked_task(name: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Decorator: a Celery task whose attempts are recorded on its ``RenderJob`` row.

    The wrapped function receives the ``RenderJob`` (fresh from the database) and the
    remaining arguments. Whatever it returns is stored nowhere: it writes its results to the
    session and the runner commits them together with the job's end (one transaction); a
    function may commit earlier steps it wants seen (``rendering``). Its ``on_failure``
    hook, if any, also adds to the unit of work that records the job failed.
    """

    def decorate(func: Callable[..., Any]) -> Any:
        @shared_task(name=name, bind=True, acks_late=True, max_retries=None, **options)
        def run(self: Any, job_id: str, *args: Any) -> None:
            job = db.session.get(RenderJob, job_id)
            if job is None:
                log.warning("job %s vanished before it ran", job_id)
                return
            if job.status in ("succeeded", "failed", "cancelled"):
                log.info("job %s already %s; skipping re-delivery", job_id, job.status)
                return
            job.status = "running"
            job.attempts += 1
            job.task_id = self.request.id
            job.started_at = job.started_at or utcnow()
            job.lease_until = utcnow() + timedelta(seconds=lease_seconds(self.time_limit))
            db.session.commit()
            started = time.perf_counter()
            try:
                func(job, *args)
            except Retry:
                raise
            except Exception as exc:  # noqa: BLE001 - every failure is recorded
                db.session.rollback()
                job = db.session.get(RenderJob, job_id)
                permanent = isinstance(exc, PermanentJobError)
                job.error = f"{type(exc).__name__}: {exc}"[:4000]
                JOB_LATENCY.labels(name).observe(time.perf_counter() - started)
                if (
                    not permanent
                    and not isinstance(exc, SoftTimeLimitExceeded)
                    and (job.attempts < job.max_attempts)
                ):
                    job.status = "retrying"
                    countdown = _backoff(job.attempts)
                    # A retry lost with its worker is re-queued by the sweeper after this.
                    job.lease_until = utcnow() + timedelta(
                        seconds=countdown + lease_seconds(self.time_limit)
                    )
                    db.session.commit()
                    JOBS.labels(name, "retry").inc()
                    log.warning(
                        "job %s attempt %s failed; retrying",
                        job_id,
                        job.attempts,
                        extra={"job_kind": job.kind, "error": job.error},
                    )
                    raise self.retry(countdown=countdown, exc=exc) from exc
                _finish(job, "failed")
                # The owner's reaction (the design fails) commits with the job's end.
                run_failure_hook(func, job, exc)
                uow.commit()
                JOBS.labels(name, "failed").inc()
                log.error(
                    "job %s failed after %s attempts",
                    job_id,
                    job.attempts,
                    extra={"job_kind": job.kind, "error": job.error},
                )
                _dispatch_next(job.queue)
                return
            job = db.session.get(RenderJob, job_id)
            if job.status == "running":
                _finish(job, "succeeded")
            uow.commit()  # the job's results and its end, in one transaction
            elapsed = time.perf_counter() - started
            JOBS.labels(name, "succeeded").inc()
            JOB_LATENCY.labels(name).observe(elapsed)
            if job.kind in RENDER_KINDS:
                RENDER_DURATION.labels(RENDER_KINDS[job.kind]).observe(elapsed)
            _dispatch_next(job.queue)

        run.job_function = func
        JOB_FUNCTIONS[name] = func
        return run

    return decorate


def run_failure_hook(func: Any, job: RenderJob, exc: BaseException) -> None:
    """Tell the job's owner, in the job's unit of work, that it failed for good (the design
    fails, say). Never raises: if the hook does, the job alone is recorded failed."""
    on_failure = getattr(func, "on_failure", None)
    if not callable(on_failure):
        return
    error = job.error
    try:
        on_failure(job, exc)
    except Exception:  # noqa: BLE001 - the job's own failure must still be recorded
        log.exception("failure hook of job %s failed", job.id)
        db.session.rollback()
        job = db.session.get(RenderJob, job.id)
        job.error = error
        _finish(job, "failed")


def _dispatch_next(queue: str) -> None:
    """A slot was freed: let the next waiting job of this queue go."""
    if queue in LIMITED_QUEUES:
        try:
            dispatch(queue)
        except Exception:  # noqa: BLE001 - a failed dispatch must not fail the finished job
            log.exception("dispatch after job end failed")


def _finish(job: RenderJob, status: str) -> None:
    job.status = status
    job.lease_until = None
    job.finished_at = utcnow()
    started = as_utc(job.started_at) or job.finished_at
    job.duration_ms = int((job.finished_at - started).total_seconds() * 1000)
