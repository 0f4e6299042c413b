"""Prometheus metrics: HTTP requests and background jobs, counters and latency histograms.

With ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn with several workers, Celery workers on the
same host), every process writes to that folder and ``/metrics`` aggregates them.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

HTTP_REQUESTS = Counter(
    "luneo_http_requests_total", "HTTP requests answered", ["method", "endpoint", "status"]
)
HTTP_LATENCY = Histogram(
    "luneo_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
JOBS = Counter("luneo_jobs_total", "Background job attempts by outcome", ["task", "outcome"])
JOB_LATENCY = Histogram(
    "luneo_job_duration_seconds",
    "Background job run time",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)

STREAMS_OPEN = Gauge(
    "luneo_streams_open",
    "Status streams open now (design, brand)",
    ["kind"],
    multiprocess_mode="livesum",
)
STREAM_EVENTS = Counter("luneo_stream_events_total", "Events sent on status streams", ["kind"])


def render_latest() -> tuple[bytes, str]:
    """The metrics page body and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
