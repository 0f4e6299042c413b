"""Without the ASGI front (``flask run``, ``gunicorn wsgi:app``) a stream holds no thread:
it answers the events so far and asks the browser to reconnect."""

from __future__ import annotations

from luneo_app.realtime import publish
from tests.designs.helpers import brand_with_key


def test_a_plain_wsgi_stream_answers_at_once_with_the_missed_events(app, client):
    brand, headers, _ = brand_with_key(app)
    before = publish(brand.id, "design.status", {"designId": "des_1", "status": "rendering"})
    publish(brand.id, "design.status", {"designId": "des_1", "status": "preview_ready"})
    response = client.get("/v1/realtime", headers={**headers, "Last-Event-ID": before})
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    text = response.get_data(as_text=True)
    assert text.startswith("retry: 3000\n\n")
    assert '"status":"preview_ready"' in text and '"status":"rendering"' not in text


def test_streams_answer_503_with_retry_after_when_the_event_log_is_down(app):
    from luneo_app import create_app
    from tests.conftest import make_config

    _, headers, _ = brand_with_key(app)
    down = create_app(make_config(REDIS_URL="redis://127.0.0.1:9/0"))  # nothing listens there
    response = down.test_client().get("/v1/realtime", headers=headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    # whichever touches Redis first answers: the credential check (app-wide outage answer)
    # or the event log itself; both say which dependency is down and when to retry
    error = response.get_json()["error"]
    assert error["code"] in ("unavailable", "log_unavailable")
