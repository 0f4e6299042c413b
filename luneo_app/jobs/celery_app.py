"""Celery bound to the Flask app (the pattern of Flask's ``examples/celery``).

With ``REDIS_URL`` set, tasks travel through Redis to worker processes with late acks,
a time limit, re-delivery when a worker dies and retries with backoff. Without it (the
embedded default) they run eagerly in the request's process.
"""

from __future__ import annotations

import logging

from celery import Celery, Task, signals
from flask import Flask

from ..core import uow
from ..extensions import db
from ..observability.logs import request_id_var
from .watchdog import ConsumerWatchdog

log = logging.getLogger("luneo.jobs")

QUEUES = ("default", "previews", "production", "ai", "3d", "webhooks")


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app for this Flask app and make it the default for ``@shared_task``."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            token = request_id_var.set(self.request.get("request_id"))
            try:
                with app.app_context():
                    try:
                        result = self.run(*args, **kwargs)
                        uow.run_committed()  # a plain commit's after-commit steps
                        return result
                    finally:
                        # Each task ends with its own session gone (Flask-SQLAlchemy scopes
                        # sessions per app context, so an eager task never touches the
                        # request's session).
                        db.session.remove()
            finally:
                request_id_var.reset(token)

    redis_url = app.config["REDIS_URL"]
    eager = app.config["CELERY_EAGER"]
    limit = app.config["JOB_TIME_LIMIT"]
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.conf.update(
        broker_url=redis_url or "memory://",
        result_backend=None,
        task_ignore_result=True,
        task_always_eager=eager,
        task_eager_propagates=False,
        task_store_eager_result=False,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        task_time_limit=limit,
        task_soft_time_limit=max(1, limit - 10),
        task_default_queue="default",
        task_create_missing_queues=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        # A worker waits out a broker outage of any length instead of exiting after 100
        # reconnection attempts; its unfinished jobs are redelivered or swept.
        broker_connection_max_retries=None,
        # A broker that is down must not hold a web request: publishing gives up quickly
        # and the job row stays in the outbox for the sweeper.
        broker_connection_timeout=2,
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        broker_transport_options={"visibility_timeout": max(600, limit * 3)},
        task_serializer="json",
        accept_content=["json"],
        luneo_watchdog_stall=app.config["JOB_WATCHDOG_STALL"],
        luneo_watchdog_interval=max(1, min(10, app.config["JOB_WATCHDOG_STALL"] // 3)),
    )
    celery_app.steps["consumer"].add(ConsumerWatchdog)
    celery_app.set_default()
    app.extensions["celery"] = celery_app

    def _fresh_engine_per_process(**_: object) -> None:
        """A forked worker must not share the parent's database connections."""
        with app.app_context():
            db.engine.dispose(close=False)

    signals.worker_process_init.connect(_fresh_engine_per_process, weak=False)
    return celery_app


@signals.before_task_publish.connect
def _carry_request_id(headers: dict | None = None, **_: object) -> None:
    """Put the current request id in the message so the job logs under the same id."""
    request_id = request_id_var.get()
    if headers is not None and request_id and "request_id" not in headers:
        headers["request_id"] = request_id
