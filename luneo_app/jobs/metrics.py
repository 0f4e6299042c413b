"""Queue depth and the oldest waiting job, read from the job rows at scrape time.

The rows are the truth whatever the number of workers (a gauge kept by each process would
disagree with the others), so ``/metrics`` asks the database once per scrape: one grouped
query on the ``(queue, status, enqueued_at)`` index.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from ..core.clock import as_utc, utcnow
from ..extensions import db
from ..models import RenderJob
from .celery_app import QUEUES
from .scheduler import IN_FLIGHT

PENDING = ("waiting", *IN_FLIGHT)


class QueueCollector(Collector):
    """``luneo_queue_jobs{queue,status}`` and ``luneo_queue_oldest_waiting_seconds{queue}``."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "luneo_queue_jobs",
            "Jobs not finished, by queue and status (waiting, queued, running, retrying)",
            labels=["queue", "status"],
        )
        oldest = GaugeMetricFamily(
            "luneo_queue_oldest_waiting_seconds",
            "Age of the oldest job not yet started (waiting or queued), by queue",
            labels=["queue"],
        )
        rows = db.session.execute(
            select(
                RenderJob.queue,
                RenderJob.status,
                func.count(),
                func.min(RenderJob.enqueued_at),
            )
            .where(RenderJob.status.in_(PENDING))
            .group_by(RenderJob.queue, RenderJob.status)
        ).all()
        db.session.rollback()
        now = utcnow()
        first: dict[str, float] = {}
        for queue, status, count, enqueued in rows:
            depth.add_metric([queue, status], count)
            if status in ("waiting", "queued") and enqueued is not None:
                age = max(0.0, (now - as_utc(enqueued)).total_seconds())
                first[queue] = max(first.get(queue, 0.0), age)
        for queue in QUEUES:
            oldest.add_metric([queue], first.get(queue, 0.0))
        yield depth
        yield oldest
