"""A worker that stops taking jobs while its queues hold some reconnects to the broker.

Celery on Redis has a history of workers that survive a broker restart, say they are
connected, and never fetch another message (celery/celery#8030, #9054, #10205): the process
is alive, so nothing restarts it, and every job on its queues waits. This consumer bootstep
checks every ``JOB_WATCHDOG_INTERVAL`` seconds: when the worker has a free pool process,
one of its queues has held messages for ``JOB_WATCHDOG_STALL`` seconds and nothing was
received in that time, it raises a broker connection error inside the consumer's event loop.
Celery treats that like a lost connection: it closes the connection, opens a new one and
consumes again, with in-flight jobs left to finish (their late acks are redelivered or swept).
"""

from __future__ import annotations

import logging
import time

import redis
from celery import bootsteps, signals
from celery.worker import state as worker_state

log = logging.getLogger("luneo.jobs")

_last_received = [time.monotonic()]


@signals.task_received.connect
def _note_received(**_: object) -> None:
    _last_received[0] = time.monotonic()


class ConsumerStalled(ConnectionError):
    """Raised in the consumer's event loop so Celery reconnects to the broker."""


class ConsumerWatchdog(bootsteps.StartStopStep):
    """Consumer step: reconnect when queues wait while this worker takes nothing."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent: object, **kwargs: object) -> None:
        super().__init__(parent, **kwargs)
        self._tref = None
        self._waiting_since: float | None = None
        self._client: redis.Redis | None = None

    def start(self, c) -> None:  # type: ignore[no-untyped-def]
        conf = c.app.conf
        interval = conf.get("luneo_watchdog_interval") or 0
        self.stall_after = conf.get("luneo_watchdog_stall") or 0
        if not interval or not self.stall_after or not conf.broker_url.startswith("redis"):
            return
        _last_received[0] = time.monotonic()  # a fresh connection starts a fresh count
        self._waiting_since = None
        self._tref = c.timer.call_repeatedly(interval, self.check, (c,), priority=10)

    def stop(self, c) -> None:  # type: ignore[no-untyped-def]
        if self._tref is not None:
            self._tref.cancel()
            self._tref = None

    shutdown = stop

    def _queued(self, c) -> int:  # type: ignore[no-untyped-def]
        """Messages waiting in this worker's queues, or 0 when the broker cannot be asked."""
        if self._client is None:
            self._client = redis.Redis.from_url(
                c.app.conf.broker_url, socket_timeout=2, socket_connect_timeout=2
            )
        names = [queue.name for queue in c.task_consumer.queues] if c.task_consumer else []
        try:
            pipe = self._client.pipeline(transaction=False)
            for name in names:
                pipe.llen(name)
            return sum(pipe.execute())
        except redis.RedisError:
            return 0  # the broker is down: the consumer's own reconnection deals with it

    def check(self, c) -> None:  # type: ignore[no-untyped-def]
        free = len(worker_state.reserved_requests) < c.pool.num_processes
        now = time.monotonic()
        if not free or not self._queued(c):
            self._waiting_since = None
            return
        if self._waiting_since is None:
            self._waiting_since = now
        stalled = min(now - self._waiting_since, now - _last_received[0])
        if stalled < self.stall_after:
            return
        self._waiting_since = None
        log.warning(
            "worker took no job for %.0f s while its queues held messages; reconnecting",
            stalled,
            extra={"event": "worker.consumer_stalled"},
        )
        raise ConsumerStalled("the consumer stopped taking messages")
