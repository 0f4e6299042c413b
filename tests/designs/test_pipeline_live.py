"""Through real Redis and a real Celery worker: preview, finalize, production, fairness."""

from __future__ import annotations

import time

from luneo_app.extensions import db
from luneo_app.models import Design, RenderJob
from tests.designs.helpers import brand_with_key, text_design
from tests.support.worker import celery_worker


def _wait_status(design_id: str, statuses: set[str], timeout: float = 30) -> Design:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.remove()
        design = db.session.get(Design, design_id)
        if design.status in statuses:
            return design
        time.sleep(0.02)
    raise AssertionError(f"design {design_id} stuck in {design.status}")


def test_create_preview_finalize_production_through_a_real_worker(live_app):
    client = live_app.test_client()
    _, headers, product = brand_with_key(live_app)
    product_id = product.id
    with celery_worker(live_app):
        created = client.post("/v1/designs", json=text_design(product.id), headers=headers)
        assert created.status_code == 202
        assert created.get_json()["status"] == "queued"
        design_id = created.get_json()["designId"]
        design = _wait_status(design_id, {"preview_ready", "failed"})
        assert design.status == "preview_ready", design.error
        again = client.post("/v1/designs", json=text_design(product_id), headers=headers)
        assert again.status_code == 200 and again.get_json()["designId"] == design_id
        assert (
            client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers).status_code
            == 200
        )
        design = _wait_status(design_id, {"production_ready", "failed"})
        assert design.status == "production_ready", design.error
    body = client.get(f"/v1/designs/{design_id}", headers=headers).get_json()
    assert body["production"][0]["dpi"] == 300
    kinds = sorted(j.kind for j in db.session.query(RenderJob).all())
    assert kinds == ["preview", "production"]  # the same design posted twice rendered once


def test_a_busy_brand_does_not_delay_another_brands_preview(live_app):
    client = live_app.test_client()
    _, headers_a, product_a = brand_with_key(live_app, "Busy Brand")
    _, headers_b, product_b = brand_with_key(live_app, "Quiet Brand")
    product_a_id, product_b_id = product_a.id, product_b.id
    # Queue everything before any worker runs: the busy brand's twenty designs first,
    # then the quiet brand's one. FIFO alone would make the quiet brand wait for all twenty.
    for n in range(20):
        body = text_design(product_a_id, text=f"A-{n}", previewMode="hd")
        assert client.post("/v1/designs", json=body, headers=headers_a).status_code == 202
    created = client.post(
        "/v1/designs", json=text_design(product_b_id, text="Bee"), headers=headers_b
    )
    quiet_id = created.get_json()["designId"]
    with celery_worker(live_app, queues="previews", concurrency=4):
        started = time.monotonic()
        design = _wait_status(quiet_id, {"preview_ready", "failed"})
        waited = time.monotonic() - started
        quiet_brand = design.brand_id
        busy_left = (
            db.session.query(Design)
            .filter(Design.brand_id != quiet_brand, Design.status != "preview_ready")
            .count()
        )
        # Let the busy brand's work finish so the worker stops cleanly.
        deadline = time.monotonic() + 90
        while (
            time.monotonic() < deadline
            and db.session.query(Design).filter(Design.status != "preview_ready").count()
        ):
            db.session.remove()
            time.sleep(0.1)
    assert design.status == "preview_ready", design.error
    render_s = design.timings["previewRenderMs"] / 1000
    assert busy_left >= 10, "the busy brand was nearly done: the test proves nothing"
    # The quiet brand's preview took about its own render time once the worker ran,
    # not twenty renders' worth.
    assert waited <= 2 * render_s + 1.0, (waited, render_s, busy_left)
