"""Tracked jobs: every attempt, timing and error of a job is kept in its ``render_jobs`` row.

A tracked task takes the job id as its first argument, loads fresh state, does its work and
is safe to run twice. Failures are retried with exponential backoff; a
:class:`PermanentJobError` (bad input, nothing to gain from trying again) fails at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from celery import shared_task
from celery.exceptions import Retry, SoftTimeLimitExceeded
from flask import current_app

from ..core.clock import as_utc, utcnow
from ..extensions import db
from ..models import RenderJob
from ..observability.logs import request_id_var
from ..observability.metrics import JOB_LATENCY, JOBS
from .scheduler import LIMITED_QUEUES, dispatch, publish

log = logging.getLogger("luneo.jobs")


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
    """Record a job, commit, then send it (render queues go through the fair dispatcher).

    The row is committed before any message is sent, so a fast worker always finds it.
    Returns the job row (in eager mode, as it ended).
    """
    limited = queue in LIMITED_QUEUES
    job = RenderJob(
        brand_id=brand_id,
        design_id=design_id,
        kind=kind,
        queue=queue,
        status="waiting" if limited else "queued",
        attempts=0,
        max_attempts=max_attempts or current_app.config["JOB_MAX_RETRIES"],
        request_id=request_id_var.get(),
        payload={**(payload or {}), "task": task.name, "args": list(args)},
        enqueued_at=utcnow(),
    )
    db.session.add(job)
    db.session.commit()
    job_id = job.id
    if limited:
        dispatch(queue)
    else:
        publish(job)
    if current_app.config["CELERY_EAGER"]:
        db.session.expire_all()
    return db.session.get(RenderJob, job_id) or job


def _backoff(attempt: int) -> int:
    base = current_app.config["JOB_RETRY_BACKOFF"]
    return int(base * (2 ** max(0, attempt - 1)))


def tracked_task(name: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Decorator: a Celery task whose attempts are recorded on its ``RenderJob`` row.

    The wrapped function receives the ``RenderJob`` (fresh from the database) and the
    remaining arguments. Whatever it returns is stored nowhere: it must write its results.
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
                    db.session.commit()
                    JOBS.labels(name, "retry").inc()
                    log.warning(
                        "job %s attempt %s failed; retrying",
                        job_id,
                        job.attempts,
                        extra={"job_kind": job.kind, "error": job.error},
                    )
                    raise self.retry(countdown=_backoff(job.attempts), exc=exc) from exc
                _finish(job, "failed")
                db.session.commit()
                JOBS.labels(name, "failed").inc()
                log.error(
                    "job %s failed after %s attempts",
                    job_id,
                    job.attempts,
                    extra={"job_kind": job.kind, "error": job.error},
                )
                _on_failure = getattr(func, "on_failure", None)
                if callable(_on_failure):
                    _on_failure(job, exc)
                _dispatch_next(job.queue)
                return
            job = db.session.get(RenderJob, job_id)
            if job.status == "running":
                _finish(job, "succeeded")
            db.session.commit()
            JOBS.labels(name, "succeeded").inc()
            JOB_LATENCY.labels(name).observe(time.perf_counter() - started)
            _dispatch_next(job.queue)

        run.job_function = func
        return run

    return decorate


def _dispatch_next(queue: str) -> None:
    """A slot was freed: let the next waiting job of this queue go."""
    if queue in LIMITED_QUEUES:
        try:
            dispatch(queue)
        except Exception:  # noqa: BLE001 - a failed dispatch must not fail the finished job
            log.exception("dispatch after job end failed")


def _finish(job: RenderJob, status: str) -> None:
    job.status = status
    job.finished_at = utcnow()
    started = as_utc(job.started_at) or job.finished_at
    job.duration_ms = int((job.finished_at - started).total_seconds() * 1000)
