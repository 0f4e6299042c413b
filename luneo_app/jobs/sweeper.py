"""The sweeper: no job stays stranded.

One sweep (``flask luneo sweep``, the beat schedule's ``luneo.jobs.sweep``):

* a ``queued`` job whose message never reached a worker within ``JOB_QUEUE_LEASE`` (the
  publisher died after claiming it, the broker lost it) goes back to ``waiting``;
* a ``running`` or ``retrying`` job whose lease ran out (its worker died, or the retry
  message was lost) goes back to ``waiting`` while it has attempts left, else it fails with
  a clear error and its owner is told (the design fails: nobody waits for ever);
* then every ``waiting`` row is offered to the dispatcher, which publishes it.

Each change is a conditional UPDATE on the row's state and lease, so two sweepers (or a
sweeper and a worker that finally finishes) never both act on one job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update

from ..core import uow
from ..core.clock import utcnow
from ..extensions import db
from ..models import RenderJob
from ..observability.metrics import JOBS
from .runner import JOB_FUNCTIONS, _finish, run_failure_hook
from .scheduler import dispatch_all

log = logging.getLogger("luneo.jobs")

#: How many times a job whose message vanished is published again before it fails.
MAX_REPUBLISH = 5


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did."""

    republished: int
    requeued: int
    failed: int
    dispatched: int


def sweep(now: datetime | None = None, limit: int = 500) -> SweepReport:
    """Repair stranded jobs, then publish what waits. Safe to run anywhere, any time."""
    now = now or utcnow()
    republished = _republish_lost_messages(now, limit)
    requeued, failed = _recover_lost_attempts(now, limit)
    dispatched = dispatch_all()
    report = SweepReport(republished, requeued, failed, dispatched)
    if republished or requeued or failed:
        log.warning("sweep repaired stranded jobs", extra=report.__dict__)
    return report


def _expired(status: str, now: datetime):  # type: ignore[no-untyped-def]
    return (RenderJob.status == status) & or_(
        RenderJob.lease_until < now, RenderJob.lease_until.is_(None)
    )


def _republish_lost_messages(now: datetime, limit: int) -> int:
    rows = db.session.scalars(select(RenderJob).where(_expired("queued", now)).limit(limit)).all()
    count = 0
    for job in rows:
        sweeps = int((job.payload or {}).get("republished", 0))
        if sweeps >= MAX_REPUBLISH:
            _give_up(job, "queued", now, f"no worker took the job after {sweeps} publishes")
            continue
        moved = db.session.execute(
            update(RenderJob)
            .where(RenderJob.id == job.id, _expired("queued", now))
            .values(
                status="waiting",
                lease_until=None,
                payload={**(job.payload or {}), "republished": sweeps + 1},
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        count += moved
    return count


def _recover_lost_attempts(now: datetime, limit: int) -> tuple[int, int]:
    requeued = failed = 0
    for status in ("running", "retrying"):
        rows = db.session.scalars(select(RenderJob).where(_expired(status, now)).limit(limit)).all()
        for job in rows:
            if job.attempts < job.max_attempts:
                moved = db.session.execute(
                    update(RenderJob)
                    .where(RenderJob.id == job.id, _expired(status, now))
                    .values(
                        status="waiting",
                        lease_until=None,
                        error=(
                            f"WorkerLost: attempt {job.attempts} did not finish within its "
                            "time limit; queued again"
                        ),
                    )
                    .execution_options(synchronize_session=False)
                ).rowcount
                db.session.commit()
                requeued += moved
            elif _give_up(
                job,
                status,
                now,
                f"no worker finished the job within its time limit after {job.attempts} attempts",
            ):
                failed += 1
    return requeued, failed


def _give_up(job: RenderJob, status: str, now: datetime, reason: str) -> bool:
    """Fail the job for good and tell its owner, in one transaction."""
    claimed = db.session.execute(
        update(RenderJob)
        .where(RenderJob.id == job.id, _expired(status, now))
        .values(status="failing")
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        return False
    db.session.refresh(job)
    job.error = f"JobLost: {reason}"
    _finish(job, "failed")
    function = JOB_FUNCTIONS.get((job.payload or {}).get("task", ""))
    if function is not None:
        run_failure_hook(function, job, JobLost(reason))
    uow.commit()
    JOBS.labels((job.payload or {}).get("task", job.kind), "failed").inc()
    log.error("job %s failed: %s", job.id, reason, extra={"job_kind": job.kind})
    return True


class JobLost(Exception):
    """The job's worker vanished too many times: the job will not be tried again."""

    code = "job_lost"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.message = f"The work could not be finished: {reason}."
