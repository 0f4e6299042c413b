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
from prometheus_client.registry import Collector

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

# --- business metrics -------------------------------------------------------------------
DESIGNS = Counter(
    "luneo_designs_total",
    "Designs by lifecycle event (created, committed = finalized, failed) and kind (ai, standard)",
    ["event", "kind"],
)
PREVIEW_READY = Histogram(
    "luneo_preview_ready_seconds",
    "From a design's creation to its preview being ready (the preview SLO)",
    ["kind"],
    buckets=(0.25, 0.5, 1, 1.5, 2, 3, 5, 7, 10, 15, 30, 60),
)
RENDER_DURATION = Histogram(
    "luneo_render_duration_seconds",
    "Run time of render jobs by kind (preview, production, 3d, ai)",
    ["kind"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 7, 10, 20, 30, 60, 120),
)
AI_SPEND = Counter(
    "luneo_ai_spend_cents_total", "What AI artwork cost, in US cents, by provider", ["provider"]
)
SHOPIFY_WEBHOOK_LAG = Histogram(
    "luneo_shopify_webhook_lag_seconds",
    "From Shopify's X-Shopify-Triggered-At to the webhook being handled",
    ["topic"],
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600),
)
SHOPIFY_INSTALLS = Counter(
    "luneo_shopify_installs_total", "Shopify installs finished, by outcome", ["outcome"]
)
OUTBOUND_DELIVERIES = Counter(
    "luneo_outbound_deliveries_total",
    "Attempts to deliver outbound webhooks, by event type and outcome "
    "(succeeded, retrying, failed = given up)",
    ["event", "outcome"],
)

IMAGE_DELIVERIES = Counter(
    "luneo_image_deliveries_total",
    "Images and files handed out from storage where the app serves them, by route and "
    "outcome: served, not_modified, redirected (to a presigned URL of an object that "
    "exists); missing, error = failed; refused = a bad or expired link (not an SLO failure)",
    ["route", "outcome"],
)

#: Render job kinds as the dashboards name them.
RENDER_KINDS = {"preview": "preview", "production": "production", "3d": "3d", "artwork": "ai"}


def render_latest(*collectors: Collector) -> tuple[bytes, str]:
    """The metrics page body and its content type; ``collectors`` add metrics read at scrape
    time (queue depth from the database), once, whatever the number of processes."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    if collectors:
        extra = CollectorRegistry(auto_describe=False)
        for collector in collectors:
            extra.register(collector)
        body += generate_latest(extra)
    return body, CONTENT_TYPE_LATEST
