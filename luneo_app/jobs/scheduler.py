"""Fair dispatch of render work: a busy brand cannot starve the others.

Render jobs (queues in :data:`LIMITED_QUEUES`) are first written as ``waiting`` rows. The
dispatcher publishes them to Celery only while the brand has fewer than
``JOB_CONCURRENCY_PER_BRAND`` jobs in flight and the queue fewer than
``JOB_CONCURRENCY_TOTAL``; it picks the brand with the fewest jobs in flight first, so a
brand with twenty designs queued and a brand with one take turns. Every finished job calls
the dispatcher again. A short lock (Redis across processes) keeps two dispatchers from
over-publishing.
"""

from __future__ import annotations

import logging
import time
from collections import Counter

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import RenderJob

log = logging.getLogger("luneo.jobs")

LIMITED_QUEUES = frozenset({"previews", "production", "ai", "3d"})
IN_FLIGHT = ("queued", "running", "retrying")


def publish(job: RenderJob) -> None:
    """Send a job's message to its queue (the row must be committed first)."""
    celery_app = current_app.extensions["celery"]
    task = celery_app.tasks[job.payload["task"]]
    task.apply_async(args=(job.id, *job.payload.get("args", [])), queue=job.queue)


def dispatch(queue: str, max_publish: int = 50) -> int:
    """Publish waiting jobs of ``queue`` while the limits allow. Returns how many were sent.

    Only one dispatcher runs per queue at a time. A caller that finds the lock taken leaves
    a "look again" mark; the lock holder checks that mark after releasing and runs another
    round, so a slot freed during someone else's round is never forgotten.
    """
    kv = current_app.extensions["luneo.kv"]
    lock_key = f"luneo:dispatch:{queue}"
    again_key = f"luneo:dispatch:{queue}:again"
    kv.incr(again_key, ttl=60)
    sent = 0
    while True:
        token = str(time.monotonic_ns())
        if not kv.set_if_absent(lock_key, token, ttl=10):
            return sent  # the holder will see the mark and run another round
        try:
            kv.take(again_key)
            per_brand = current_app.config["JOB_CONCURRENCY_PER_BRAND"]
            total = current_app.config["JOB_CONCURRENCY_TOTAL"]
            while sent < max_publish:
                job = _next_job(queue, per_brand, total)
                if job is None:
                    break
                job.status = "queued"
                db.session.commit()
                publish(job)
                sent += 1
        finally:
            db.session.rollback()
            if kv.get(lock_key) == token:
                kv.delete(lock_key)
        if kv.get(again_key) is None or sent >= max_publish:
            return sent


def _next_job(queue: str, per_brand: int, total: int) -> RenderJob | None:
    rows = db.session.execute(
        select(RenderJob.brand_id, func.count())
        .where(RenderJob.queue == queue, RenderJob.status.in_(IN_FLIGHT))
        .group_by(RenderJob.brand_id)
    ).all()
    in_flight = Counter({brand_id: count for brand_id, count in rows})
    if sum(in_flight.values()) >= total:
        return None
    waiting = db.session.scalars(
        select(RenderJob)
        .where(RenderJob.queue == queue, RenderJob.status == "waiting")
        .order_by(RenderJob.enqueued_at)
        .limit(500)
    ).all()
    eligible = [job for job in waiting if in_flight[job.brand_id] < per_brand]
    if not eligible:
        return None
    # Fewest jobs in flight first, then oldest: brands take turns.
    order = {job.id: index for index, job in enumerate(eligible)}
    return min(eligible, key=lambda job: (in_flight[job.brand_id], order[job.id]))
