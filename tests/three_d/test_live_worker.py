"""Through real Redis and a real Celery worker: preview first, then the '3d' queue, then /ar."""

from __future__ import annotations

import time

from luneo_app.extensions import db
from luneo_app.models import RenderJob
from tests.designs.helpers import text_design
from tests.support.worker import celery_worker
from tests.three_d.helpers import brand_with_mug, local


def test_ar_files_are_made_by_the_3d_queue_after_the_preview(live_app):
    client = live_app.test_client()
    _, headers, product = brand_with_mug(live_app)
    with celery_worker(live_app, queues="previews,3d", concurrency=1):
        created = client.post("/v1/designs", json=text_design(product.id), headers=headers)
        assert created.status_code == 202
        design_id = created.get_json()["designId"]
        first = client.get(f"/v1/designs/{design_id}/ar", headers=headers)
        assert first.status_code == 202, first.get_json()
        assert first.get_json()["status"] in ("waiting_for_preview", "queued", "rendering")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answer = client.get(f"/v1/designs/{design_id}/ar", headers=headers)
            if answer.status_code != 202:
                break
            time.sleep(0.05)
        assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert client.get(local(body["glbUrl"])).data[:4] == b"glTF"
    assert client.get(local(body["usdzUrl"])).data[:2] == b"PK"
    db.session.remove()
    preview, three_d = db.session.query(RenderJob).order_by(RenderJob.enqueued_at).all()
    assert (preview.kind, three_d.kind) == ("preview", "3d")
    assert three_d.queue == "3d" and three_d.status == "succeeded"
    assert three_d.enqueued_at >= preview.started_at  # queued by the preview job, after it
    # the end-to-end figure: preview ready -> GLB and USDZ stored
    ms = (three_d.finished_at - preview.finished_at).total_seconds() * 1000
    print(f"\n3d files stored {ms:.0f} ms after the preview was ready")
