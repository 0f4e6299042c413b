"""Per-request cost of tracing: GET /v1/products with tracing off and on.

Off is the default (no OTEL_EXPORTER_OTLP_ENDPOINT: nothing is instrumented; the only
addition is the log formatter's look at the current span). On instruments Flask, SQLAlchemy,
Redis, httpx and requests and exports in the background to an OTLP endpoint, here a loopback
sink that answers 200. The SDK's standard sampling variables apply
(``OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1``). Runs on the
embedded default (SQLite in a scratch folder), in process through the test client, and
prints the median and p95 per request for each.

    .venv/bin/python bench/tracing.py --requests 500
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class _Sink(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


def _app(folder: Path, endpoint: str | None):  # type: ignore[no-untyped-def]
    from flask_migrate import upgrade

    from luneo_app import create_app
    from luneo_app.config import Config

    env = {
        "LUNEO_INSTANCE_DIR": str(folder / "instance"),
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "LOG_LEVEL": "ERROR",
    }
    if endpoint:
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
    app = create_app(Config(env))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    return app


def _time(app, headers: dict[str, str], count: int) -> list[float]:  # type: ignore[no-untyped-def]
    client = app.test_client()
    for _ in range(20):
        client.get("/v1/products", headers=headers)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        answer = client.get("/v1/products", headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.get_data(as_text=True)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    sink = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{sink.server_address[1]}"
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for label, target in (("off", None), ("on", endpoint)):
            app = _app(folder / label, target)
            with app.app_context():
                from luneo_app.auth.apikeys import create_api_key
                from luneo_app.extensions import db
                from luneo_app.models import Brand

                brand = Brand(kind="api", name="Bench", status="active")
                db.session.add(brand)
                db.session.commit()
                key = create_api_key(brand).plaintext
                db.session.commit()
            logging.getLogger().setLevel("WARNING")
            results[label] = _time(app, {"Authorization": f"Bearer {key}"}, args.requests)
    from luneo_app.observability.tracing import shutdown_tracing

    shutdown_tracing()  # flush the last batch while the sink still listens
    sink.shutdown()
    for label, timings in results.items():
        timings.sort()
        print(
            f"tracing {label:>3}: median {statistics.median(timings):.2f} ms, "
            f"p95 {timings[int(len(timings) * 0.95)]:.2f} ms over {len(timings)} requests"
        )
    extra = statistics.median(results["on"]) - statistics.median(results["off"])
    print(f"tracing on adds {extra:.2f} ms per request (median)")


if __name__ == "__main__":
    main()
