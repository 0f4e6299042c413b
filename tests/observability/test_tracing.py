"""OpenTelemetry: one design's spans form one trace across the web process, the sweeper and
a real Celery worker, down to the outbound webhook; every log line carries the trace id."""

from __future__ import annotations

import json
import logging
import time

import pytest

from luneo_app import create_app
from luneo_app.extensions import db
from luneo_app.jobs import runner
from luneo_app.models import Design, RenderJob
from luneo_app.observability.logs import JsonFormatter
from luneo_app.observability.tracing import shutdown_tracing
from tests.conftest import clean_state, make_config
from tests.designs.helpers import brand_with_key, text_design
from tests.fakes.otlp import FakeCollector
from tests.fakes.receiver import FakeReceiver
from tests.orders.helpers import connect_endpoint
from tests.support.env import need, redis_url
from tests.support.worker import celery_worker, sweep_until_published

SECRET = "whsec_trace_test_secret"
SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5  # OTLP SpanKind values


@pytest.fixture()
def collector():  # type: ignore[no-untyped-def]
    with FakeCollector() as fake:
        yield fake


@pytest.fixture()
def traced_app(_schema, collector):  # type: ignore[no-untyped-def]
    need("REDIS_URL", redis_url())
    application = create_app(
        make_config(
            CELERY_EAGER=False,
            JOB_RETRY_BACKOFF=1,
            OTEL_EXPORTER_OTLP_ENDPOINT=collector.origin,
            OTEL_SERVICE_NAME="luneo-web",
            OUTBOUND_WEBHOOK_ALLOW_PRIVATE=True,
        )
    )
    clean_state(application)
    try:
        with application.app_context():
            yield application
            db.session.remove()
    finally:
        shutdown_tracing()


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


def _wait(design_id: str, statuses: set[str], timeout: float = 60) -> Design:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.remove()
        design = db.session.get(Design, design_id)
        if design.status in statuses:
            return design
        time.sleep(0.05)
    raise AssertionError(f"design {design_id} stuck in {design.status}")


def test_a_design_is_one_trace_from_the_request_through_the_sweeper_worker_and_webhook(
    traced_app, collector, monkeypatch
):
    client = traced_app.test_client()
    brand, headers, product = brand_with_key(traced_app)
    product_id = product.id
    lines = _Lines()
    logging.getLogger("luneo").addHandler(lines)
    with FakeReceiver(SECRET) as receiver:
        connect_endpoint(traced_app, brand, receiver.url + "/hooks", SECRET)
        # The web process dies between its commit and the publish: the job waits in the outbox
        # with the request's trace context, and the sweeper (another trace) publishes it.
        with monkeypatch.context() as patch:
            patch.setattr(runner, "dispatch", lambda queue: 0)
            created = client.post("/v1/designs", json=text_design(product_id), headers=headers)
        assert created.status_code == 202
        design_id = created.get_json()["designId"]
        job = db.session.query(RenderJob).filter_by(design_id=design_id).one()
        job_id = job.id
        assert job.status == "waiting" and job.trace_context["traceparent"]
        create_trace = job.trace_context["traceparent"].split("-")[1]
        request_id = job.request_id

        worker_env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.origin,
            "OTEL_SERVICE_NAME": "luneo-worker",
            "OTEL_BSP_SCHEDULE_DELAY": "200",
            "OUTBOUND_WEBHOOK_ALLOW_PRIVATE": "1",
        }
        with celery_worker(traced_app, extra_env=worker_env) as worker:
            sweep_until_published(traced_app, job_id)
            assert _wait(design_id, {"preview_ready", "failed"}).status == "preview_ready"
            finalized = client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers)
            assert finalized.status_code == 200
            assert _wait(design_id, {"production_ready", "failed"}).status == "production_ready"
            [hook] = receiver.wait_for(1)
            finalize_trace = hook.headers["traceparent"].split("-")[1]
            spans = collector.wait_for(
                lambda spans: any(
                    s.trace_id == finalize_trace and s.span_id == hook.headers["traceparent"][36:52]
                    for s in spans
                )
            )
            worker_lines = list(worker.lines)
    logging.getLogger("luneo").removeHandler(lines)
    traced_app.extensions["luneo.tracer_provider"].force_flush()
    spans = collector.spans

    def in_trace(trace_id: str, service: str, kind: int | None = None) -> list:
        return [
            s
            for s in spans
            if s.trace_id == trace_id and s.service == service and kind in (None, s.kind)
        ]

    # POST /v1/designs: the request's span, the sweeper's publish and the worker's run (with
    # its SQL and Redis calls) share one trace, although three contexts handled it.
    [server] = in_trace(create_trace, "luneo-web", SERVER)
    assert server.attributes["http.route"] == "/v1/designs"
    [publish] = in_trace(create_trace, "luneo-web", PRODUCER)
    assert "luneo.designs.render_preview" in publish.name or "apply_async" in publish.name
    runs = in_trace(create_trace, "luneo-worker", CONSUMER)
    assert runs and all(run.parent_id == publish.span_id for run in runs)
    worker_spans = in_trace(create_trace, "luneo-worker")
    assert any(s.attributes.get("db.system") == "postgresql" for s in worker_spans)
    assert any(s.attributes.get("db.system") == "redis" for s in worker_spans)
    # The finalize request's trace runs on to the production render and the webhook, and the
    # brand's endpoint is told the trace (traceparent) by the httpx instrumentation.
    [finalize] = in_trace(finalize_trace, "luneo-web", SERVER)
    assert finalize.attributes["http.route"] == "/v1/designs/<design_id>/finalize"
    [post] = [
        s
        for s in in_trace(finalize_trace, "luneo-worker", CLIENT)
        if s.attributes.get("http.request.method", s.attributes.get("http.method")) == "POST"
    ]
    assert hook.headers["traceparent"].split("-")[2] == post.span_id
    # Log lines carry the trace next to the request id, in the web process and the worker.
    access = [line for line in lines.lines if line.get("request_id") == request_id]
    assert access and all(line["trace_id"] == create_trace for line in access)
    worker_json = [json.loads(line) for line in worker_lines if line.startswith("{")]
    assert any(line.get("trace_id") == create_trace for line in worker_json)
    [delivered] = [line for line in worker_json if line["msg"].startswith("HTTP Request: POST")]
    assert delivered["trace_id"] == finalize_trace and delivered["request_id"]


def test_without_an_endpoint_nothing_is_traced_or_stored(app, client):
    _, headers, product = brand_with_key(app)
    assert "luneo.tracer_provider" not in app.extensions
    created = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    assert created.status_code in (200, 202)
    job = db.session.query(RenderJob).filter_by(design_id=created.get_json()["designId"]).one()
    assert job.trace_context is None
