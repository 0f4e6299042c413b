"""Business metrics move with the business: designs, time to preview, renders, queues."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.models import RenderJob
from tests.designs.helpers import brand_with_key, text_design
from tests.support.tasks import record_ok


def _samples(client) -> dict[tuple, float]:  # type: ignore[no-untyped-def]
    body = client.get("/metrics").get_data(as_text=True)
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_design_counts_as_created_then_committed_and_times_its_preview(app, client):
    app.config["METRICS_PUBLIC"] = True
    _, headers, product = brand_with_key(app)
    before = _samples(client)
    created = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    design_id = created.get_json()["designId"]
    assert client.get(f"/v1/designs/{design_id}", headers=headers).get_json()["status"] == (
        "preview_ready"
    )
    finalized = client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers)
    assert finalized.status_code == 200
    after = _samples(client)

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("luneo_designs_total", event="created", kind="standard") == 1
    assert grew("luneo_designs_total", event="committed", kind="standard") == 1
    assert grew("luneo_preview_ready_seconds_count", kind="standard") == 1
    assert grew("luneo_render_duration_seconds_count", kind="preview") == 1
    assert grew("luneo_render_duration_seconds_count", kind="production") == 1


def test_queue_depth_and_the_oldest_waiting_job_come_from_the_job_rows(app, client, brand):
    app.config["METRICS_PUBLIC"] = True
    for minutes in (3, 1):  # two jobs nobody published yet, the oldest 3 minutes old
        db.session.add(
            RenderJob(
                brand_id=brand.id,
                kind="record",
                queue="webhooks",
                status="waiting",
                payload={"task": record_ok.name, "args": ["x"]},
                enqueued_at=utcnow() - timedelta(minutes=minutes),
            )
        )
    db.session.commit()
    samples = _samples(client)
    assert _value(samples, "luneo_queue_jobs", queue="webhooks", status="waiting") == 2
    assert 170 < _value(samples, "luneo_queue_oldest_waiting_seconds", queue="webhooks") < 400
    assert _value(samples, "luneo_queue_oldest_waiting_seconds", queue="previews") == 0
