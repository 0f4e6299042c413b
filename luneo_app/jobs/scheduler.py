"""The outbox dispatcher, with fair dispatch of render work.

Every job is first written as a ``waiting`` row in its caller's transaction; the dispatcher
publishes waiting rows after that commit (and the sweeper runs it again on every tick, so a
row whose publisher died is published anyway). Claiming a row is a conditional UPDATE
(``waiting`` -> ``queued``, with a lease; on PostgreSQL the candidates are read with
``FOR UPDATE SKIP LOCKED``), so two dispatchers never publish the same row twice; the
claim commits before the message is sent, and a claim whose message never left (the
process died in between) is re-published by the sweeper once its lease runs out.

Render jobs (queues in :data:`LIMITED_QUEUES`) are published only while the brand has fewer than
``JOB_CONCURRENCY_PER_BRAND`` jobs in flight and the queue fewer than
``JOB_CONCURRENCY_TOTAL``; it picks the brand with the fewest jobs in flight first, so a
brand with twenty designs queued and a brand with one take turns. Every finished job calls
the dispatcher again. A short lock (``core.locks``: redis-py's Lock, or a database row)
keeps two dispatchers from over-publishing.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from ..core import locks
from ..core.clock import utcnow
from ..extensions import db
from ..models import RenderJob
from ..observability.logs import request_id_var
from ..observability.tracing import job_context

log = logging.getLogger("luneo.jobs")

LIMITED_QUEUES = frozenset({"previews", "production", "ai", "3d"})
IN_FLIGHT = ("queued", "running", "retrying")


@dataclass(frozen=True)
class Message:
    """What is published for a job, read before its claim commits (after the commit the
    row is expired, and reading it again would cost a transaction)."""

    job_id: str
    queue: str
    task: str
    args: tuple
    request_id: str | None
    trace_context: dict | None

    @classmethod
    def of(cls, job: RenderJob) -> Message:
        payload = job.payload
        return cls(
            job.id,
            job.queue,
            payload["task"],
            tuple(payload.get("args", [])),
            job.request_id,
            job.trace_context,
        )


def publish(message: Message) -> None:
    """Send a job's message to its queue (the row must be committed first).

    The message carries the request id and trace context the row was queued with, so a job
    published by the sweeper in another process still logs and traces as its request.
    """
    task = current_app.extensions["celery"].tasks[message.task]
    token = request_id_var.set(message.request_id or request_id_var.get())
    try:
        with job_context(message.trace_context):
            task.apply_async(args=(message.job_id, *message.args), queue=message.queue)
    finally:
        request_id_var.reset(token)


def dispatch(queue: str, max_publish: int = 50) -> int:
    """Publish waiting jobs of ``queue`` (render queues while the limits allow). Returns how
    many were sent.

    Only one dispatcher runs per queue at a time. A caller that finds the lock taken leaves
    a "look again" mark; the lock holder checks that mark after releasing and runs another
    round, so a slot freed during someone else's round is never forgotten.
    """
    if queue not in LIMITED_QUEUES:
        return _dispatch_unlimited(queue, max_publish)
    kv = current_app.extensions["luneo.kv"]
    again_key = f"luneo:dispatch:{queue}:again"
    kv.incr(again_key, ttl=60)
    sent = 0
    while True:
        try:
            with locks.held(f"dispatch:{queue}", ttl=10, kv=kv):
                try:
                    kv.take(again_key)
                    per_brand = current_app.config["JOB_CONCURRENCY_PER_BRAND"]
                    total = current_app.config["JOB_CONCURRENCY_TOTAL"]
                    while sent < max_publish:
                        job, more = _next_job(queue, per_brand, total)
                        if job is None:
                            break
                        message = Message.of(job)
                        if _claim(job):
                            _send(message)
                            sent += 1
                        if not more:
                            break  # a job enqueued since leaves the mark: another round
                finally:
                    db.session.rollback()
        except locks.LockBusy:
            return sent  # the holder will see the mark and run another round
        if kv.get(again_key) is None or sent >= max_publish:
            return sent


def dispatch_all() -> int:
    """Publish what is waiting on every queue (the sweeper's tick). Returns how many."""
    queues = db.session.scalars(
        select(RenderJob.queue).where(RenderJob.status == "waiting").distinct()
    ).all()
    db.session.rollback()
    return sum(dispatch(queue) for queue in queues)


def _dispatch_unlimited(queue: str, max_publish: int) -> int:
    """Queues without limits: publish every waiting row, oldest first."""
    query = (
        select(RenderJob)
        .where(RenderJob.queue == queue, RenderJob.status == "waiting")
        .order_by(RenderJob.enqueued_at)
        .limit(max_publish)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    sent = 0
    try:
        for job in db.session.scalars(query).all():
            message = Message.of(job)
            if _claim(job):
                _send(message)
                sent += 1
    finally:
        db.session.rollback()
    return sent


def _claim(job: RenderJob) -> bool:
    """Move one waiting row to ``queued`` with a lease, and commit. False when someone else
    claimed it first."""
    now = utcnow()
    claimed = db.session.execute(
        update(RenderJob)
        .where(RenderJob.id == job.id, RenderJob.status == "waiting")
        .values(
            status="queued",
            published_at=now,
            lease_until=now + timedelta(seconds=current_app.config["JOB_QUEUE_LEASE"]),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(claimed)


def _send(message: Message) -> None:
    """Publish a claimed row; if the broker refuses, hand the row back to the outbox."""
    try:
        publish(message)
    except Exception:
        db.session.rollback()
        db.session.execute(
            update(RenderJob)
            .where(RenderJob.id == message.job_id, RenderJob.status == "queued")
            .values(status="waiting", published_at=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        raise


def _next_job(queue: str, per_brand: int, total: int) -> tuple[RenderJob | None, bool]:
    """The job to publish next, and whether another one was eligible beside it."""
    rows = db.session.execute(
        select(RenderJob.brand_id, func.count())
        .where(RenderJob.queue == queue, RenderJob.status.in_(IN_FLIGHT))
        .group_by(RenderJob.brand_id)
    ).all()
    in_flight = Counter({brand_id: count for brand_id, count in rows})
    if sum(in_flight.values()) >= total:
        return None, False
    waiting = db.session.scalars(
        select(RenderJob)
        .where(RenderJob.queue == queue, RenderJob.status == "waiting")
        .order_by(RenderJob.enqueued_at)
        .limit(500)
    ).all()
    eligible = [job for job in waiting if in_flight[job.brand_id] < per_brand]
    if not eligible:
        return None, False
    # Fewest jobs in flight first, then oldest: brands take turns.
    order = {job.id: index for index, job in enumerate(eligible)}
    chosen = min(eligible, key=lambda job: (in_flight[job.brand_id], order[job.id]))
    return chosen, len(eligible) > 1
