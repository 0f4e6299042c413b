"""Crash recovery with real PostgreSQL, Redis and Celery: a web process killed between its
commit and the publish, and a worker killed in the middle of a render, lose no design."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta

import pytest

from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.jobs.sweeper import sweep
from luneo_app.models import Design, RenderJob
from tests.designs.helpers import brand_with_key, text_design
from tests.support.worker import ROOT, celery_worker, sweep_until_published

# A web process that commits a new design and dies before anything after the commit runs
# (os._exit: no cleanup, no publish), exactly as a SIGKILL at that moment would.
DYING_WEB_PROCESS = textwrap.dedent(
    """
    import json, os, sys
    from luneo_app import create_app
    from luneo_app.config import TestConfig
    from luneo_app.core import uow

    app = create_app(TestConfig(dict(os.environ), CELERY_EAGER=False))

    def die_after_commit():
        sys.stdout.write(json.dumps({"pid": os.getpid()}) + "\\n")
        sys.stdout.flush()
        os._exit(137)

    uow.run_committed = die_after_commit
    app.test_client().post(
        "/v1/designs",
        json=json.loads(os.environ["DESIGN"]),
        headers={"Authorization": os.environ["AUTH"]},
    )
    """
)


def _wait(design_id: str, statuses: set[str], timeout: float = 60) -> Design:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.remove()
        design = db.session.get(Design, design_id)
        if design is not None and design.status in statuses:
            return design
        time.sleep(0.05)
    raise AssertionError(f"design {design_id} never reached {statuses}: {design and design.status}")


def test_a_web_process_killed_between_commit_and_publish_loses_no_design(live_app):
    import json

    _, headers, product = brand_with_key(live_app)
    env = {
        **os.environ,
        "DATABASE_URL": live_app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": live_app.config["REDIS_URL"],
        "STORAGE_DIR": live_app.config["STORAGE_DIR"],
        "LUNEO_INSTANCE_DIR": live_app.instance_path,
        "DESIGN": json.dumps(text_design(product.id, text="Crash")),
        "AUTH": headers["Authorization"],
        "PYTHONPATH": str(ROOT),
    }
    died = subprocess.run(
        [sys.executable, "-c", DYING_WEB_PROCESS], env=env, capture_output=True, text=True
    )
    assert died.returncode == 137, died.stderr[-2000:]
    db.session.remove()
    design = db.session.query(Design).one()  # committed before the process died
    job = db.session.query(RenderJob).filter_by(design_id=design.id).one()
    job_id, design_id = job.id, design.id
    assert (design.status, job.status) == ("queued", "waiting")  # nothing was published
    with celery_worker(live_app, queues="previews"):
        sweep_until_published(live_app, job_id)
        done = _wait(design_id, {"preview_ready", "failed"})
    assert done.status == "preview_ready" and done.preview_key


def test_a_worker_killed_in_the_middle_of_a_render_loses_no_design(live_app):
    client = live_app.test_client()
    _, headers, product = brand_with_key(live_app)
    with celery_worker(live_app) as worker:
        created = client.post("/v1/designs", json=text_design(product.id), headers=headers)
        design_id = created.get_json()["designId"]
        _wait(design_id, {"preview_ready"})
        assert client.post(
            f"/v1/designs/{design_id}/finalize", json={}, headers=headers
        ).status_code in (200, 202)
        _wait(design_id, {"production_rendering", "production_ready"})
        # The whole worker dies at once (pool and main process): nothing acks, nothing
        # reports the failure.
        for pid in [*worker.child_pids(), worker.proc.pid]:
            os.kill(pid, signal.SIGKILL)
        worker.proc.wait(10)
    db.session.remove()
    job = db.session.query(RenderJob).filter_by(design_id=design_id, kind="production").one()
    if job.status == "succeeded":
        pytest.skip("the render finished before the kill: nothing was left to recover")
    assert job.status == "running"
    job_id = job.id
    with celery_worker(live_app):
        # Once the dead attempt's lease has run out, the sweeper queues it again.
        report = sweep(now=utcnow() + timedelta(seconds=job_lease(job)))
        assert report.requeued == 1
        done = _wait(design_id, {"production_ready", "failed"}, timeout=120)
    assert done.status == "production_ready" and done.production_keys
    db.session.remove()
    job = db.session.get(RenderJob, job_id)
    assert (job.status, job.attempts) == ("succeeded", 2)


def job_lease(job: RenderJob) -> float:
    return (job.lease_until - utcnow()).total_seconds() + 1
