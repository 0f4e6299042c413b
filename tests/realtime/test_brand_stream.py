"""``/v1/realtime``: a brand's events over SSE and WebSocket, resumable, brand-scoped."""

from __future__ import annotations

import json

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from luneo_app.auth.apikeys import create_api_key
from luneo_app.extensions import db
from luneo_app.realtime import publish
from tests.designs.helpers import brand_with_key
from tests.realtime.support import SseReader


def _status(brand_id: str, design_id: str, status: str) -> str | None:
    """Publish a design status event as a worker does after its commit."""
    data = {"designId": design_id, "productId": "prd_x", "status": status}
    return publish(brand_id, "design.status", data, design_id=design_id)


def test_brand_events_arrive_in_order_and_a_reconnect_resumes_after_the_last_one(
    app, stream_server
):
    brand, headers, _ = brand_with_key(app)
    other, _, _ = brand_with_key(app, name="Other Brand")
    with httpx.Client(base_url=stream_server.url, timeout=30) as http:
        with http.stream("GET", "/v1/realtime", headers=headers) as response:
            assert response.status_code == 200
            reader = SseReader(response)
            _status(other.id, "des_theirs", "preview_ready")  # another brand: never seen
            _status(brand.id, "des_a", "rendering")
            publish(brand.id, "order.production_ready", {"orderId": "ord_1"})
            first = reader.until(lambda e: e.name == "order.production_ready")
        assert [(e.name, e.data.get("designId") or e.data.get("orderId")) for e in first] == [
            ("design.status", "des_a"),
            ("order.production_ready", "ord_1"),
        ]
        # Missed while disconnected, then replayed from Last-Event-ID, oldest first.
        _status(brand.id, "des_a", "preview_ready")
        _status(brand.id, "des_b", "failed")
        resume = {**headers, "Last-Event-ID": first[-1].id}
        with http.stream("GET", "/v1/realtime", headers=resume) as response:
            missed = SseReader(response).until(lambda e: e.data.get("designId") == "des_b")
        assert [e.data["status"] for e in missed] == ["preview_ready", "failed"]

        bad = http.get("/v1/realtime", headers={**headers, "Last-Event-ID": "yesterday"})
        assert bad.status_code == 422
        assert bad.json()["error"]["code"] == "invalid_last_event_id"


def test_a_key_without_orders_read_gets_design_events_only(app, stream_server):
    brand, _, _ = brand_with_key(app)
    issued = create_api_key(brand, scopes=["designs:read"])
    db.session.commit()
    with httpx.Client(base_url=stream_server.url, timeout=30) as http:
        auth = {"Authorization": f"Bearer {issued.plaintext}"}
        with http.stream("GET", "/v1/realtime", headers=auth) as response:
            reader = SseReader(response)
            publish(brand.id, "order.production_ready", {"orderId": "ord_1"})
            _status(brand.id, "des_a", "preview_ready")
            assert reader.next().name == "design.status"


def test_the_websocket_gets_the_same_events_and_refuses_unknown_callers(app, stream_server):
    brand, headers, _ = brand_with_key(app)
    url = stream_server.url.replace("http://", "ws://") + "/v1/realtime"
    with connect(url, additional_headers=headers, open_timeout=10) as ws:
        event_id = _status(brand.id, "des_ws", "production_ready")
        message = json.loads(ws.recv(timeout=10))
    assert message == {
        "id": event_id,
        "type": "design.status",
        "data": {"designId": "des_ws", "productId": "prd_x", "status": "production_ready"},
    }
    with pytest.raises(InvalidStatus) as refused:
        connect(url, additional_headers={"Authorization": "Bearer lk_forged"}, open_timeout=10)
    assert refused.value.response.status_code == 401
    assert json.loads(refused.value.response.body)["error"]["code"] == "invalid_api_key"
