"""Through real Redis and a real Celery worker: an AI design is generated on the ``ai`` queue,
then previewed on the ``previews`` queue."""

from __future__ import annotations

import time

import pytest

from luneo_app import create_app
from luneo_app.extensions import db
from luneo_app.models import Design, RenderJob
from tests.ai.helpers import ai_design, brand_with_ai_mug
from tests.conftest import clean_state, make_config
from tests.support.env import need, redis_url
from tests.support.worker import celery_worker


@pytest.fixture()
def live_app(_schema):  # type: ignore[no-untyped-def]
    need("REDIS_URL", redis_url())
    application = create_app(make_config(CELERY_EAGER=False, OPENAI_API_KEY=None))
    clean_state(application)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


def test_ai_design_goes_through_the_ai_queue_then_the_preview_queue(live_app):
    client = live_app.test_client()
    _, headers, product = brand_with_ai_mug(live_app)
    with celery_worker(live_app, queues="ai,previews", extra_env={"OPENAI_API_KEY": ""}):
        created = client.post(
            "/v1/designs", json=ai_design(product.id, "gold stars 'Ada'"), headers=headers
        )
        assert created.status_code == 202 and created.get_json()["status"] == "generating"
        design_id = created.get_json()["designId"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db.session.remove()
            design = db.session.get(Design, design_id)
            if design.status in ("preview_ready", "failed"):
                break
            time.sleep(0.05)
        assert design.status == "preview_ready", design.error
        body = client.get(f"/v1/designs/{design_id}", headers=headers).get_json()
        assert body["artworkProvider"] == "procedural" and body["previewUrl"]
        jobs = {(j.kind, j.queue, j.status) for j in db.session.query(RenderJob)}
        assert jobs == {("artwork", "ai", "succeeded"), ("preview", "previews", "succeeded")}
