"""OpenTelemetry traces: one trace from a request through its jobs to the outbound webhook.

Off by default. With ``OTEL_EXPORTER_OTLP_ENDPOINT`` set (an OTLP/HTTP collector such as the
OpenTelemetry Collector, Tempo or Jaeger), each process builds one tracer provider and the
maintained instrumentations record Flask requests, Celery publishes and task runs, SQLAlchemy
statements, Redis commands and outgoing httpx/requests calls. Nothing is instrumented when
tracing is off, so it costs nothing then.

How one design stays one trace:

* the web request's span is current when ``jobs.enqueue`` writes the job row; the row keeps
  that span's W3C ``traceparent`` (:func:`current_carrier`);
* whoever publishes the row later (the dispatcher after the commit, or the sweeper minutes
  later in another process) publishes it under that stored context (:func:`job_context`),
  so Celery's instrumentation puts the publish span, and through the message headers the
  worker's run span, in the request's trace;
* jobs a task enqueues (the outbound ``design.completed`` delivery) store the task's context
  in turn, and httpx's instrumentation sends ``traceparent`` to the brand's endpoint;
* finalizing a design (often minutes or days later) starts its own trace; the span that
  finalizes gets a span link to the design's creation trace, read from the context stored
  on the design's first job row (:func:`link_current_span`), so a trace view jumps from one
  to the other.

The provider is per process (Celery's prefork children inherit it; the SDK's batch processor
restarts its thread after a fork). Flask apps are instrumented one by one; the other
instrumentations patch libraries and are switched on once per process.
"""

from __future__ import annotations

import atexit
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import Flask
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace

log = logging.getLogger("luneo.tracing")

# Paths whose requests are not traced: probes and scrapes would drown the real traffic.
EXCLUDED_URLS = "healthz,readyz,metrics"

_state: dict[str, Any] = {"provider": None, "endpoint": None, "instrumentors": []}


def init_tracing(app: Flask) -> None:
    """Trace this app's requests (and the process's jobs and clients) when an OTLP endpoint
    is configured. Must run before the database engine is created."""
    endpoint = app.config.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if not endpoint:
        return
    provider = _process_provider(endpoint, app.config["OTEL_SERVICE_NAME"])
    from opentelemetry.instrumentation.flask import FlaskInstrumentor

    FlaskInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=EXCLUDED_URLS)
    app.extensions["luneo.tracer_provider"] = provider


def _process_provider(endpoint: str, service_name: str) -> Any:
    """The process's tracer provider and library instrumentations, made once."""
    if _state["provider"] is not None:
        if _state["endpoint"] != endpoint:
            log.warning("tracing already exports to %s; %s ignored", _state["endpoint"], endpoint)
        return _state["provider"]
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create(
        {"service.name": os.environ.get("OTEL_SERVICE_NAME") or service_name}
    )
    provider = TracerProvider(resource=resource)
    # The exporter reads the standard OTEL_EXPORTER_OTLP_* variables for headers, timeout
    # and compression; the endpoint is the collector's base URL (the spec's rule).
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces"))
    )
    instrumentors = [
        CeleryInstrumentor(),
        SQLAlchemyInstrumentor(),
        RedisInstrumentor(),
        HTTPXClientInstrumentor(),
        RequestsInstrumentor(),
    ]
    for instrumentor in instrumentors:
        # The SQLAlchemy instrumentation declares "< 2.1" although it only listens to engine
        # events, which 2.1 keeps; tests/observability/test_tracing.py checks its spans.
        instrumentor.instrument(tracer_provider=provider, skip_dep_check=True)
    _state.update(provider=provider, endpoint=endpoint, instrumentors=instrumentors)
    atexit.register(provider.shutdown)
    log.info("tracing to %s", endpoint)
    return provider


def shutdown_tracing() -> None:
    """Send what is buffered and switch the library instrumentations off (process exit, or a
    test that turned tracing on)."""
    provider = _state["provider"]
    if provider is None:
        return
    for instrumentor in _state["instrumentors"]:
        instrumentor.uninstrument()
    provider.shutdown()
    _state.update(provider=None, endpoint=None, instrumentors=[])


def current_carrier() -> dict[str, str] | None:
    """The current span's context as W3C headers (``traceparent``, ``tracestate``), or None
    when nothing is being traced."""
    if not trace.get_current_span().get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier or None


@contextmanager
def job_context(carrier: Mapping[str, str] | None) -> Iterator[None]:
    """Make a stored context current (a job published long after its request)."""
    if not carrier:
        yield
        return
    token = otel_context.attach(propagate.extract(dict(carrier)))
    try:
        yield
    finally:
        otel_context.detach(token)


def recording() -> bool:
    """True when the current span records (tracing is on and this work is sampled)."""
    return trace.get_current_span().is_recording()


def link_current_span(carrier: Mapping[str, str] | None, **attributes: str) -> bool:
    """Add a span link from the current span to the span stored in ``carrier`` (W3C
    headers, as :func:`current_carrier` made them); False when either side is not traced."""
    span = trace.get_current_span()
    if not carrier or not span.get_span_context().is_valid or not span.is_recording():
        return False
    linked = trace.get_current_span(propagate.extract(dict(carrier))).get_span_context()
    if not linked.is_valid:
        return False
    span.add_link(linked, attributes)
    return True


def current_trace_id() -> str | None:
    """The trace id of the current span (32 hex digits), or None."""
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None
    return format(span_context.trace_id, "032x")
