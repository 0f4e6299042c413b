"""The sweeper and the schedule: no job stays stranded, and one process runs the schedule."""

from __future__ import annotations

from datetime import timedelta

from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.jobs.schedule import InProcessSchedule
from luneo_app.jobs.sweeper import MAX_REPUBLISH, sweep
from luneo_app.models import Design, RenderJob
from tests.designs.helpers import brand_with_key, text_design
from tests.support import tasks
from tests.support.factories import make_brand


def _stranded(brand_id: str, status: str, **fields: object) -> RenderJob:
    """A job row as a process that died would leave it."""
    job = RenderJob(
        brand_id=brand_id,
        kind="selftest",
        queue="default",
        status=status,
        attempts=fields.pop("attempts", 0),
        max_attempts=fields.pop("max_attempts", 3),
        payload={"task": tasks.record_ok.name, "args": ["swept"]},
        enqueued_at=utcnow() - timedelta(minutes=30),
        **fields,
    )
    db.session.add(job)
    db.session.commit()
    return job


def _reload(job_id: str) -> RenderJob:
    db.session.expire_all()
    return db.session.get(RenderJob, job_id)


def test_a_job_committed_but_never_published_runs_at_the_next_sweep(app):
    brand = make_brand()
    job = _stranded(brand.id, "waiting")
    result = app.test_cli_runner().invoke(args=["luneo", "sweep"])
    assert result.exit_code == 0 and "dispatched 1" in result.output
    done = _reload(job.id)
    assert (done.status, done.payload["note"]) == ("succeeded", "swept")


def test_a_published_job_whose_message_was_lost_is_published_again(app):
    job = _stranded(make_brand().id, "queued", lease_until=utcnow() - timedelta(seconds=1))
    fresh = _stranded(
        make_brand(name="Fresh").id, "queued", lease_until=utcnow() + timedelta(minutes=5)
    )
    report = sweep()
    assert report.republished == 1
    assert _reload(job.id).status == "succeeded"
    assert _reload(fresh.id).status == "queued"  # still within its lease: left alone


def test_a_job_whose_worker_died_is_run_again_then_failed_clearly_when_out_of_attempts(app):
    brand = make_brand()
    expired = utcnow() - timedelta(seconds=1)
    again = _stranded(brand.id, "running", attempts=1, lease_until=expired)
    last = _stranded(brand.id, "running", attempts=3, lease_until=expired)
    running = _stranded(
        brand.id, "running", attempts=1, lease_until=utcnow() + timedelta(minutes=1)
    )
    report = sweep()
    assert (report.requeued, report.failed) == (1, 1)
    assert (_reload(again.id).status, _reload(again.id).attempts) == ("succeeded", 2)
    failed = _reload(last.id)
    assert failed.status == "failed" and failed.finished_at is not None
    assert (
        "JobLost: no worker finished the job within its time limit after 3 attempts" in failed.error
    )
    assert _reload(running.id).status == "running"


def test_a_design_whose_render_is_lost_for_good_fails_with_a_clear_error(app, client):
    _, headers, product = brand_with_key(app)
    design_id = client.post(
        "/v1/designs", json=text_design(product.id), headers=headers
    ).get_json()["designId"]
    job = db.session.query(RenderJob).filter_by(design_id=design_id, kind="preview").one()
    # As if the preview's worker had died on its last attempt before finishing.
    design = db.session.get(Design, design_id)
    design.status, design.preview_key = "rendering", None
    job.status, job.attempts, job.lease_until = "running", 3, utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sweep().failed == 1
    body = client.get(f"/v1/designs/{design_id}", headers=headers).get_json()
    assert body["status"] == "failed"
    assert body["error"]["code"] == "job_lost" and "time limit" in body["error"]["message"]


def test_a_message_lost_again_and_again_ends_failed_not_republished_for_ever(app):
    job = _stranded(make_brand().id, "queued", lease_until=utcnow() - timedelta(seconds=1))
    job.payload = {**job.payload, "republished": MAX_REPUBLISH}
    db.session.commit()
    sweep()
    failed = _reload(job.id)
    assert failed.status == "failed" and "publishes" in failed.error


def test_only_one_process_runs_the_in_process_schedule(app):
    first, second = InProcessSchedule(app), InProcessSchedule(app)
    try:
        ran_first = first.run_due(now=1000.0)
        ran_second = second.run_due(now=1000.0)
        assert "luneo.jobs.sweep" in ran_first and ran_second == []
        first.lock.release()  # the first process dies: the other one takes over
        assert "luneo.jobs.sweep" in second.run_due(now=1001.0)
    finally:
        first.stop()
        second.stop()
