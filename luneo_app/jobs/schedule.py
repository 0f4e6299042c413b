"""The periodic work: job sweep, outbound webhook retries, file retention, billing reports.

Production runs ``celery -A luneo_app.worker beat`` with :func:`beat_schedule` (one beat
process; docker-compose has it). The embedded default has no beat: the first request of
each web process starts :class:`InProcessSchedule`, a daemon thread that runs the same
entries, and a lock makes exactly one process across all workers the one that runs them —
a redis-py ``Lock`` with Redis, a session advisory lock on PostgreSQL, a ``flock`` on the
SQLite database's lock file otherwise. If that process dies its lock goes with it and
another process's thread takes over at its next tick.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery import shared_task
from flask import Flask, current_app
from sqlalchemy import text

from ..extensions import db

log = logging.getLogger("luneo.jobs")

LOCK_NAME = "luneo:schedule"
_ADVISORY_KEY = 0x4C554E45  # "LUNE": the schedule's PostgreSQL advisory lock


@dataclass(frozen=True)
class Entry:
    """One periodic task: its Celery name and how often it runs (seconds)."""

    task: str
    every: float


def entries(config: dict[str, Any]) -> list[Entry]:
    """The schedule, from the settings."""
    sweep_every = max(1, int(config["SWEEP_INTERVAL"] or 30))
    return [
        Entry("luneo.jobs.sweep", sweep_every),
        Entry("luneo.outbound.sweep", 60),
        Entry("luneo.orders.purge_expired", 3600),
        Entry("luneo.designs.purge_expired", 3600),
        Entry("luneo.designs.meter_kept", 86400),
        Entry("luneo.billing.sweep", 300),
        Entry("luneo.commerce.check_stores", 3600),
        Entry("luneo.support.purge_server_errors", 86400),
        Entry("luneo.sso.refresh_idp_metadata", 3600),
    ]


def beat_schedule(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Celery beat's ``beat_schedule`` for these entries."""
    return {
        entry.task: {"task": entry.task, "schedule": entry.every, "options": {"queue": "default"}}
        for entry in entries(config)
    }


@shared_task(name="luneo.jobs.sweep", ignore_result=True)
def sweep_task() -> dict[str, int]:
    """The beat entry: one sweep, skipped while another process's sweep still runs."""
    from .sweeper import sweep

    with _Exclusive("luneo:sweep", ttl=300) as mine:
        if not mine:
            return {"skipped": 1}
        return sweep().__dict__


class _Exclusive:
    """Non-blocking "only one at a time" across processes: redis-py ``Lock`` with Redis,
    always granted without it (the in-process schedule already runs in one process)."""

    def __init__(self, name: str, ttl: int) -> None:
        client = getattr(current_app.extensions["luneo.kv"], "client", None)
        self._lock = client.lock(name, timeout=ttl, blocking=False) if client else None

    def __enter__(self) -> bool:
        return self._lock.acquire() if self._lock is not None else True

    def __exit__(self, *_: object) -> None:
        if self._lock is not None and self._lock.owned():
            self._lock.release()


class ScheduleLock:
    """Held by the one process that runs the in-process schedule."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._held: Any = None
        self._kind = (
            "redis"
            if getattr(app.extensions["luneo.kv"], "client", None) is not None
            else ("postgresql" if _dialect(app) == "postgresql" else "file")
        )

    def acquire(self, ttl: int) -> bool:
        """Take (or keep) the lock; True while this process holds it."""
        try:
            if self._kind == "redis":
                return self._redis(ttl)
            if self._kind == "postgresql":
                return self._postgresql()
            return self._file()
        except Exception:  # noqa: BLE001 - a dependency down: try again next tick
            log.warning("schedule lock unavailable", exc_info=True)
            self.release()
            return False

    def _redis(self, ttl: int) -> bool:
        if self._held is None:
            client = self.app.extensions["luneo.kv"].client
            self._held = client.lock(LOCK_NAME, timeout=ttl, blocking=False)
        if self._held.owned():
            self._held.reacquire()
            return True
        return bool(self._held.acquire())

    def _postgresql(self) -> bool:
        if self._held is not None:
            self._held.execute(text("SELECT 1"))  # the session (and its lock) is alive
            return True
        connection = db.engine.connect()
        granted = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": _ADVISORY_KEY}
        ).scalar()
        connection.commit()
        if granted:
            self._held = connection
            return True
        connection.close()
        return False

    def _file(self) -> bool:
        if self._held is not None:
            return True
        path = Path(self.app.instance_path) / "schedule.lock"
        handle = path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._held = handle
        return True

    def release(self) -> None:
        """Let another process take over."""
        held, self._held = self._held, None
        if held is None:
            return
        try:
            if self._kind == "redis":
                if held.owned():
                    held.release()
            else:
                held.close()  # closing the session / file drops the lock
        except Exception:  # noqa: BLE001 - it expires or dies with its connection anyway
            log.debug("schedule lock release failed", exc_info=True)


class InProcessSchedule:
    """A daemon thread that runs the schedule in the one process holding :class:`ScheduleLock`."""

    def __init__(self, app: Flask, tick: float | None = None) -> None:
        self.app = app
        self.entries = entries(app.config)
        self.tick = tick or min(entry.every for entry in self.entries)
        self.lock = ScheduleLock(app)
        self._last: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="luneo-schedule", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread and let go of the lock."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.lock.release()

    def run_due(self, now: float | None = None) -> list[str]:
        """Run the entries that are due, if this process holds the lock. Returns their names."""
        now = time.monotonic() if now is None else now
        with self.app.app_context():
            if not self.lock.acquire(ttl=int(self.tick * 3) + 5):
                return []
            ran = []
            tasks = self.app.extensions["celery"].tasks
            for entry in self.entries:
                if now - self._last.get(entry.task, -1e18) < entry.every:
                    continue
                self._last[entry.task] = now
                try:
                    tasks[entry.task].run()
                    ran.append(entry.task)
                except Exception:  # noqa: BLE001 - one failing entry must not stop the others
                    db.session.rollback()
                    log.exception("scheduled %s failed", entry.task)
                finally:
                    db.session.remove()
            return ran

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_due()
            self._stop.wait(self.tick)


def _dialect(app: Flask) -> str:
    return str(app.config["SQLALCHEMY_DATABASE_URI"]).split(":", 1)[0].split("+", 1)[0]


def init_app(app: Flask) -> None:
    """Celery beat gets the schedule; the embedded default starts the in-process schedule
    with the first request of each process (never in CLI commands such as migrations)."""
    app.extensions["celery"].conf.beat_schedule = beat_schedule(app.config)
    if not app.config["SCHEDULE_IN_PROCESS"] or not app.config["SWEEP_INTERVAL"]:
        return
    schedule = InProcessSchedule(app)
    app.extensions["luneo.schedule"] = schedule
    started = threading.Lock()

    @app.before_request
    def _start_schedule() -> None:
        if schedule._thread is None:
            with started:
                schedule.start()
