"""Per-request hooks: request id in, request id out, one access log line, metrics."""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request

from .logs import new_request_id, request_id_var
from .metrics import HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger("luneo.http")


def init_request_tracking(app: Flask) -> None:
    """Attach a request id to every request and record its outcome."""

    @app.before_request
    def _start() -> None:
        g.request_id = new_request_id(request.headers.get("X-Request-Id"))
        g.request_token = request_id_var.set(g.request_id)
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):  # type: ignore[no-untyped-def]
        started = g.get("request_started")
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        if started is not None:
            elapsed = time.perf_counter() - started
            HTTP_LATENCY.labels(request.method, endpoint).observe(elapsed)
            HTTP_REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
            if endpoint not in ("/healthz", "/metrics"):
                log.info(
                    "%s %s %s",
                    request.method,
                    endpoint,
                    response.status_code,
                    extra={"duration_ms": round(elapsed * 1000, 1)},
                )
        if g.get("request_id"):
            response.headers["X-Request-Id"] = g.request_id
        return response

    @app.teardown_request
    def _reset(_exc: BaseException | None) -> None:
        token = g.pop("request_token", None)
        if token is not None:
            request_id_var.reset(token)
