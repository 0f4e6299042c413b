"""A design's status stream, served by the ASGI front of a real uvicorn process."""

from __future__ import annotations

import contextlib

import httpx

from tests.designs.helpers import brand_with_key, text_design
from tests.realtime.support import METRICS, SseReader
from tests.storefront.helpers import live_token, storefront_shop
from tests.support.worker import celery_worker


def _queued_design(http: httpx.Client, headers: dict, product_id: str) -> str:
    """A design created through the server; with no worker running it stays queued."""
    created = http.post("/v1/designs", json=text_design(product_id), headers=headers)
    assert created.status_code == 202, created.text
    return created.json()["designId"]


def test_a_stream_follows_a_real_worker_render_from_queued_to_preview_ready(
    live_app, stream_server
):
    _, headers, product = brand_with_key(live_app)
    with httpx.Client(base_url=stream_server.url, timeout=60) as http:
        design_id = _queued_design(http, headers, product.id)
        with http.stream("GET", f"/v1/designs/{design_id}/events", headers=headers) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            reader = SseReader(response)
            first = reader.next()
            assert first.name == "status" and first.data["status"] == "queued"
            # The worker starts only now: every later status comes through the stream.
            with celery_worker(live_app, queues="previews,default"):
                events = reader.until(lambda e: e.data.get("status") == "preview_ready")
            assert events[-1].data["previewUrl"], events[-1].data
            assert all(e.id for e in [first, *events])  # resumable ids
            assert reader.next() is None  # a settled design ends its stream
    assert reader.retry == 2000


def test_idle_streams_get_heartbeats_and_hold_no_thread_while_the_api_answers(app, stream_server):
    _, headers, product = brand_with_key(app)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    with httpx.Client(base_url=stream_server.url, timeout=30, limits=limits) as http:
        design_id = _queued_design(http, headers, product.id)
        http.get(f"/v1/designs/{design_id}", headers=headers)  # warm the WSGI pool
        threads_before = stream_server.threads()
        with contextlib.ExitStack() as stack:
            readers = []
            for _ in range(100):
                response = stack.enter_context(
                    http.stream("GET", f"/v1/designs/{design_id}/events", headers=headers)
                )
                assert response.status_code == 200
                readers.append(SseReader(response))
            assert all(r.next().data["status"] == "queued" for r in readers)
            assert stream_server.threads() - threads_before < 10  # 100 streams, no thread each
            # Ordinary requests are still served (their latency: bench/streams.py).
            got = http.get(f"/v1/designs/{design_id}", headers=headers)
            assert got.status_code == 200 and got.json()["status"] == "queued"
            metrics = http.get("/metrics", headers={"Authorization": f"Bearer {METRICS}"}).text
            gauge = next(
                ln
                for ln in metrics.splitlines()
                if ln.startswith('luneo_streams_open{kind="design"}')
            )
            assert float(gauge.split()[-1]) >= 100
            readers[-1].heartbeats(2)  # an idle stream stays alive (every 0.5 s here)


def test_a_stream_answers_errors_like_the_api(app, stream_server):
    _, headers, product = brand_with_key(app)
    with httpx.Client(base_url=stream_server.url, timeout=30) as http:
        missing = http.get("/v1/designs/des_nope/events")
        assert missing.status_code == 401
        assert missing.json()["error"]["code"] == "missing_credentials"
        unknown = http.get("/v1/designs/des_nope/events", headers=headers)
        assert unknown.status_code == 404
        assert unknown.json()["error"]["code"] == "design_not_found"
        forged = http.get("/v1/designs/des_nope/events?access_token=lk_forged")
        assert forged.status_code == 401


def test_a_storefront_token_follows_its_design_but_not_the_brand(app, client, stream_server):
    storefront_shop(app)
    token = live_token(client, "acme.myshopify.com")
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=stream_server.url, timeout=30) as http:
        design_id = _queued_design(http, auth, "mug-1")
        url = f"/v1/designs/{design_id}/events?access_token={token}"  # as EventSource sends it
        with http.stream("GET", url) as response:
            assert response.status_code == 200
            assert SseReader(response).next().data["designId"] == design_id
        brand_wide = http.get(f"/v1/realtime?access_token={token}")
        assert brand_wide.status_code == 403
        assert brand_wide.json()["error"]["code"] == "storefront_not_allowed"
