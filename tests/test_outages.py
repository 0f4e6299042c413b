"""Outages: with PostgreSQL or Redis down, requests answer 503 with Retry-After (nothing
half-written) or are accepted through the job outbox, and all works again once the server
is back, without restarting anything. The servers are the test's own, on free ports."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask_migrate import upgrade

from luneo_app import create_app
from luneo_app.config import TestConfig
from luneo_app.core import uow
from luneo_app.extensions import db
from luneo_app.jobs import enqueue
from luneo_app.jobs.sweeper import sweep
from luneo_app.models import Design, RenderJob
from tests.designs.helpers import brand_with_key, text_design
from tests.support import tasks
from tests.support.env import need
from tests.support.factories import make_brand
from tests.support.services import PostgresServer, RedisServer, pg_bin
from tests.support.worker import celery_worker

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[PostgresServer, RedisServer]]:
    need("PostgreSQL server programs", pg_bin())
    postgres, broker = PostgresServer(), RedisServer()
    postgres.start()
    broker.start()
    try:
        yield postgres, broker
    finally:
        postgres.destroy()
        broker.destroy()


@pytest.fixture()
def outage_app(servers):  # type: ignore[no-untyped-def]
    postgres, broker = servers
    folder = tempfile.mkdtemp(prefix="luneo-outage-")
    env = {
        **os.environ,
        "DATABASE_URL": postgres.url,
        "REDIS_URL": broker.url,
        "LUNEO_INSTANCE_DIR": folder,
        "STORAGE_DIR": f"{folder}/storage",
        "SHOPIFY_API_KEY": "outage-key",
        "SHOPIFY_API_SECRET": "outage-secret",
    }
    app = create_app(TestConfig(env, CELERY_EAGER=False, OUTAGE_RETRY_AFTER=7))
    with app.app_context():
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade(directory=MIGRATIONS)
        yield app
        db.session.remove()


def _unavailable(response, dependency: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "7"
    body = response.get_json()
    assert body["error"]["code"] == "unavailable"
    assert body["error"]["details"] == {"dependency": dependency}


def test_with_postgresql_down_requests_answer_503_and_work_again_when_it_is_back(
    outage_app, servers
):
    postgres, _ = servers
    client = outage_app.test_client()
    _, headers, product = brand_with_key(outage_app)
    product_id = product.id
    db.session.remove()
    postgres.stop()
    try:
        refused = client.post("/v1/designs", json=text_design(product_id), headers=headers)
        _unavailable(refused, "database")
        assert client.get("/v1/designs/des_x", headers=headers).status_code == 503
    finally:
        postgres.start()
    accepted = client.post("/v1/designs", json=text_design(product_id), headers=headers)
    assert accepted.status_code == 202, accepted.get_json()
    db.session.remove()
    assert db.session.query(Design).count() == 1  # the refused one does not exist


def test_with_redis_down_designs_are_accepted_through_the_outbox_and_sent_once_it_is_back(
    outage_app, servers
):
    _, broker = servers
    client = outage_app.test_client()
    _, headers, product = brand_with_key(outage_app)
    broker.stop()
    try:
        accepted = client.post("/v1/designs", json=text_design(product.id), headers=headers)
        assert accepted.status_code == 202, accepted.get_json()
        design_id = accepted.get_json()["designId"]
        db.session.remove()
        job = db.session.query(RenderJob).filter_by(design_id=design_id).one()
        assert job.status == "waiting"  # recorded with the design, not sent yet
        job_id = job.id
        # What cannot work without Redis says so: OAuth state lives there.
        install = client.get("/auth/install?shop=acme.myshopify.com")
        _unavailable(install, "redis")
    finally:
        broker.start()
    assert sweep().dispatched == 1
    db.session.remove()
    assert db.session.get(RenderJob, job_id).status == "queued"
    assert redis.Redis.from_url(broker.url).llen("previews") == 1  # the message is in Redis


def test_the_worker_survives_a_redis_restart_and_runs_the_jobs_sent_after_it(outage_app, servers):
    _, broker = servers
    brand = make_brand()
    with celery_worker(outage_app, queues="default") as worker:
        broker.stop()
        time.sleep(3)  # the worker loses its broker connection and keeps trying
        broker.start()
        job = enqueue(tasks.record_ok, kind="selftest", brand_id=brand.id, args=("after",))
        uow.commit()
        job_id = job.id
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db.session.remove()
            if db.session.get(RenderJob, job_id).status == "succeeded":
                break
            time.sleep(0.2)
        assert db.session.get(RenderJob, job_id).status == "succeeded", "\n".join(
            worker.lines[-30:]
        )
        assert worker.proc.poll() is None  # still running


def _post_until_accepted(client, body: dict, headers: dict, deadline: float):  # type: ignore[no-untyped-def]
    """What a client told "503, Retry-After" does: try again until the design is accepted."""
    refused = 0
    while time.monotonic() < deadline:
        answer = client.post("/v1/designs", json=body, headers=headers)
        if answer.status_code == 202:
            return answer.get_json()["designId"], refused
        assert answer.status_code == 503, answer.get_json()  # never a 500
        assert answer.headers["Retry-After"] == "7"
        refused += 1
        time.sleep(0.3)  # shorter than Retry-After: the test has a clock to keep
    raise AssertionError("a design was never accepted")


def test_no_design_is_lost_or_stuck_through_worker_kills_and_redis_and_postgresql_restarts(
    outage_app, servers
):
    """Shoppers keep creating designs while a worker is killed mid-render, Redis restarts
    and PostgreSQL restarts: every accepted design gets its preview, every refused request
    left nothing behind, and no job stays stranded."""
    postgres, broker = servers
    _, headers, product = brand_with_key(outage_app)
    product_id = product.id
    db.session.remove()
    clients = 3
    stop = threading.Event()
    accepted: list[str] = []
    refusals: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + 240

    def shopper(index: int) -> None:
        client = outage_app.test_client()
        n = 0
        while not stop.is_set():  # a steady stream of shoppers through every outage
            body = text_design(product_id, text=f"S{index}-{n}")
            design_id, refused = _post_until_accepted(client, body, headers, deadline)
            with lock:
                accepted.append(design_id)
                refusals.append(refused)
            n += 1
            time.sleep(0.2)

    worker = celery_worker(outage_app, "previews,default", 2, as_deployed=True)
    running = worker.__enter__()
    try:
        threads = [threading.Thread(target=shopper, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        running.proc.kill()  # SIGKILL mid-render: its jobs stay "running" until swept
        running.proc.wait(10)
        worker.__exit__(None, None, None)
        worker = celery_worker(outage_app, "previews,default", 2, as_deployed=True)
        running = worker.__enter__()
        time.sleep(1.5)
        broker.stop()
        time.sleep(2)
        broker.start()
        time.sleep(1.5)
        postgres.stop()
        time.sleep(2)
        postgres.start()
        last_fault = time.monotonic()
        while len(accepted) < 100 and time.monotonic() < deadline:
            time.sleep(0.2)  # at least 100 designs in all, the load
        stop.set()
        for thread in threads:
            thread.join(max(1, deadline - time.monotonic()))
        total = len(accepted)
        assert total >= 100
        assert sum(refusals) > 0  # the PostgreSQL outage was felt by the clients, as 503s

        # The schedule sweeps every SWEEP_INTERVAL; here the test sweeps, on the real clock:
        # the killed worker's attempts come back when their lease ends, and messages lost
        # with it or with Redis's restart are published again after JOB_QUEUE_LEASE.
        queue = redis.Redis.from_url(broker.url)
        heal_by = last_fault + 2 * outage_app.config["JOB_TIME_LIMIT"]
        pending: list[str] = list(accepted)
        while pending and time.monotonic() < heal_by:
            db.session.remove()
            sweep()
            rows = db.session.query(Design.id, Design.status).filter(Design.id.in_(accepted))
            pending = [design_id for design_id, status in rows if status != "preview_ready"]
            time.sleep(1)
        db.session.remove()
        jobs = db.session.query(RenderJob.status, RenderJob.attempts).filter(
            RenderJob.design_id.in_(pending)
        )
        states = sorted({(status, attempts) for status, attempts in jobs})
        assert pending == [], f"designs stuck: jobs {states}, queue {queue.llen('previews')}"
        assert running.proc.poll() is None  # the second worker is still up
    finally:
        worker.__exit__(None, None, None)
    # nothing half-written: the refused requests created no design
    assert db.session.query(Design).count() == total
    stranded = (
        db.session.query(RenderJob)
        .filter(RenderJob.status.in_(("waiting", "queued", "running", "retrying")))
        .count()
    )
    assert stranded == 0
