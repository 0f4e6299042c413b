"""A live stack for the orders tests: the app served over real HTTP, real PostgreSQL and
Redis, a real Celery worker process, the fake Shopify and the fake brand endpoint."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server

from luneo_app.extensions import db
from tests.fakes.shopify import FakeShopify
from tests.shopify.helpers import API_KEY, API_SECRET


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(app, port: int) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Serve ``app`` on ``127.0.0.1:port`` (threaded) while the block runs."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(5)


def worker_env(app, fake: FakeShopify) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What a worker process needs beyond the database, Redis and storage."""
    return {
        "SHOPIFY_API_KEY": API_KEY,
        "SHOPIFY_API_SECRET": API_SECRET,
        "SHOPIFY_ADMIN_ORIGIN": fake.origin,
        "LUNEO_DEMO_MODE": "0",
        "APP_URL": app.config["APP_URL"],
        "OUTBOUND_WEBHOOK_ALLOW_PRIVATE": "1",
        "OUTBOUND_WEBHOOK_RETRY_BASE": str(app.config["OUTBOUND_WEBHOOK_RETRY_BASE"]),
        "LOG_LEVEL": "INFO",
    }


def wait_until(check: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
    """Poll ``check`` (with a fresh session each time) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        db.session.remove()
        last = check()
        if last:
            return last
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what or check.__name__}; last: {last!r}")


def clean_tables(app) -> None:  # type: ignore[no-untyped-def]
    """Empty every table and the storage folder, leaving Redis alone: a running worker's
    queue bindings live there (``tests.conftest.clean_state`` flushes it)."""
    import shutil
    from pathlib import Path

    from sqlalchemy import inspect, text

    with app.app_context():
        db.session.remove()
        existing = set(inspect(db.engine).get_table_names())
        tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name in existing]
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        storage = Path(app.config["STORAGE_DIR"])
        shutil.rmtree(storage, ignore_errors=True)
        storage.mkdir(parents=True, exist_ok=True)
