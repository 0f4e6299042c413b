"""The finalize request's span links to the design's creation trace (the context stored on
the design's job row), checked in what a local OTLP collector receives."""

from __future__ import annotations

import time

import pytest

from luneo_app import create_app
from luneo_app.extensions import db
from luneo_app.models import Design, RenderJob
from luneo_app.observability.tracing import shutdown_tracing
from tests.conftest import clean_state, make_config
from tests.designs.helpers import brand_with_key, text_design
from tests.fakes.otlp import FakeCollector

SERVER = 2  # OTLP SpanKind


@pytest.fixture()
def collector():  # type: ignore[no-untyped-def]
    with FakeCollector() as fake:
        yield fake


@pytest.fixture()
def traced_app(_schema, collector):  # type: ignore[no-untyped-def]
    application = create_app(
        make_config(
            CELERY_EAGER=True,
            OTEL_EXPORTER_OTLP_ENDPOINT=collector.origin,
            OTEL_SERVICE_NAME="luneo-web",
        )
    )
    clean_state(application)
    try:
        with application.app_context():
            yield application
            db.session.remove()
    finally:
        shutdown_tracing()


def _wait_ready(design_id: str, timeout: float = 60) -> Design:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.remove()
        design = db.session.get(Design, design_id)
        if design.status in ("preview_ready", "failed"):
            return design
        time.sleep(0.05)
    raise AssertionError(f"design {design_id} stuck in {design.status}")


def test_the_finalize_span_links_to_the_trace_that_created_the_design(traced_app, collector):
    client = traced_app.test_client()
    _brand, headers, product = brand_with_key(traced_app)
    created = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    assert created.status_code in (200, 202)
    design_id = created.get_json()["designId"]
    assert _wait_ready(design_id).status == "preview_ready"
    job = (
        db.session.query(RenderJob)
        .filter_by(design_id=design_id)
        .order_by(RenderJob.enqueued_at)
        .first()
    )
    _version, create_trace, create_span, _flags = job.trace_context["traceparent"].split("-")

    finalized = client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers)
    assert finalized.status_code == 200
    traced_app.extensions["luneo.tracer_provider"].force_flush()

    def finalize_spans(spans):  # type: ignore[no-untyped-def]
        return [
            s
            for s in spans
            if s.kind == SERVER and s.attributes.get("http.route", "").endswith("/finalize")
        ]

    spans = collector.wait_for(lambda spans: bool(finalize_spans(spans)))
    [finalize] = finalize_spans(spans)
    [creation] = [
        s for s in spans if s.kind == SERVER and s.attributes.get("http.route") == "/v1/designs"
    ]
    # Two traces, joined by a link from the finalize to the creation request's span.
    assert finalize.trace_id != creation.trace_id == create_trace
    assert creation.span_id == create_span
    assert finalize.links == (
        (create_trace, create_span, {"luneo.link": "design.created", "luneo.design_id": design_id}),
    )

    # Finalizing again (idempotent, nothing changes) adds no second link.
    collector.spans.clear()
    again = client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers)
    assert again.status_code == 200
    traced_app.extensions["luneo.tracer_provider"].force_flush()
    [repeat] = finalize_spans(collector.wait_for(lambda spans: bool(finalize_spans(spans))))
    assert repeat.links == ()
