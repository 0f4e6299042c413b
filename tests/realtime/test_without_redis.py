"""Streams on the embedded default's log (no Redis): the ``realtime_notices`` table."""

from __future__ import annotations

import contextlib
import signal
import time

import httpx

from luneo_app.extensions import db
from luneo_app.realtime.log import TableLog
from tests.conftest import make_config
from tests.designs.helpers import brand_with_key
from tests.realtime.support import ServerProcess, SseReader, server_env


def _table_log() -> TableLog:
    """The log a process without Redis writes to (a Celery worker, another web process)."""
    return TableLog(db.engine, max_length=10000, poll_seconds=0.1)


def test_events_from_another_process_reach_streams_through_the_table(app, table_server):
    brand, headers, _ = brand_with_key(app)
    table = _table_log()
    with httpx.Client(base_url=table_server.url, timeout=30) as http:
        with http.stream("GET", "/v1/realtime", headers=headers) as response:
            assert response.status_code == 200
            reader = SseReader(response)
            event_id = table.publish(brand.id, "order.production_ready", {"orderId": "ord_9"})
            event = reader.next()
    assert (event.name, event.id, event.data) == (
        "order.production_ready",
        event_id,
        {"orderId": "ord_9"},
    )


def test_a_stream_ends_at_its_maximum_lifetime_and_the_client_resumes(app, table_server):
    brand, headers, _ = brand_with_key(app)
    table = _table_log()
    with httpx.Client(base_url=table_server.url, timeout=30) as http:
        started = time.monotonic()
        with http.stream("GET", "/v1/realtime", headers=headers) as response:
            reader = SseReader(response)
            assert reader.next() is None  # idle: only heartbeats, then the end
        lifetime = time.monotonic() - started
        assert 1.5 < lifetime < 5, lifetime  # REALTIME_MAX_STREAM_SECONDS=2 on this server
        assert reader.comments >= 2 and reader.retry == 2000
        last = table.publish(brand.id, "design.status", {"designId": "des_1", "status": "failed"})
        resumed = {**headers, "Last-Event-ID": str(int(last) - 1)}
        with http.stream("GET", "/v1/realtime", headers=resumed) as response:
            assert SseReader(response).next().id == last


def test_past_the_stream_limit_new_streams_get_503_with_retry_after(app, table_server):
    _, headers, _ = brand_with_key(app)
    with httpx.Client(base_url=table_server.url, timeout=30) as http:
        with contextlib.ExitStack() as stack:
            answers = [
                stack.enter_context(http.stream("GET", "/v1/realtime", headers=headers))
                for _ in range(5)  # REALTIME_MAX_STREAMS=4 on this server
            ]
            refused = [r for r in answers if r.status_code == 503]
            assert refused and all(r.status_code in (200, 503) for r in answers)
            refused[0].read()
            assert refused[0].headers["Retry-After"] == "5"
            assert refused[0].json()["error"]["code"] == "streams_full"
        time.sleep(0.5)  # the server sees the closed streams go
        with http.stream("GET", "/v1/realtime", headers=headers) as response:
            assert response.status_code == 200


def test_stopping_the_server_ends_open_streams_at_once(app):
    _, headers, _ = brand_with_key(app)
    server = ServerProcess.start(server_env(make_config(), REDIS_URL=""))
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            with http.stream("GET", "/v1/realtime", headers=headers) as response:
                assert response.status_code == 200
                reader = SseReader(response)
                server.proc.send_signal(signal.SIGTERM)
                started = time.monotonic()
                assert reader.next() is None  # the stream ends cleanly
                ended = time.monotonic() - started
        # uvicorn re-raises the SIGTERM it handled once its graceful shutdown is done
        assert server.proc.wait(10) in (0, -signal.SIGTERM)
        assert ended < 3, ended
    finally:
        server.stop()
