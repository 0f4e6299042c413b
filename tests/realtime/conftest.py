"""Real uvicorn servers (``asgi:app``) on free ports, shared by the realtime tests.

``stream_server`` runs with the run's PostgreSQL and Redis (events on a Redis stream);
``table_server`` has no Redis (events in the ``realtime_notices`` table, jobs in-process)
short stream lifetimes and at most 4 open streams.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import make_config
from tests.realtime.support import METRICS, ServerProcess, server_env
from tests.support.env import need, redis_url


@pytest.fixture(scope="session")
def stream_server(_schema) -> Iterator[ServerProcess]:  # type: ignore[no-untyped-def]
    need("REDIS_URL", redis_url())
    env = server_env(make_config(), REALTIME_HEARTBEAT_SECONDS="0.5", METRICS_TOKEN=METRICS)
    server = ServerProcess.start(env)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def table_server(_schema) -> Iterator[ServerProcess]:  # type: ignore[no-untyped-def]
    env = server_env(
        make_config(),
        REDIS_URL="",
        REALTIME_HEARTBEAT_SECONDS="0.5",
        REALTIME_MAX_STREAM_SECONDS="2",
        REALTIME_POLL_SECONDS="0.1",
        REALTIME_MAX_STREAMS="4",
    )
    server = ServerProcess.start(env)
    yield server
    server.stop()
