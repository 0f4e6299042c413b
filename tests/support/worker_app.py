"""Celery app for worker processes started by tests: the real app plus the test tasks."""

from luneo_app import create_app
from luneo_app.config import TestConfig

flask_app = create_app(TestConfig())
celery = flask_app.extensions["celery"]

import tests.support.tasks  # noqa: E402,F401  (registers the test-only tasks)


def _jam_on_sigusr2(sender, **_: object) -> None:  # type: ignore[no-untyped-def]
    """SIGUSR2 jams this worker's consumer the way Redis reconnection bugs do: the process
    and its connection stay up, but the channels never ask Redis for another message."""
    import signal

    def jam(*_: object) -> None:
        for channel in sender.connection.connection.channels:
            channel.qos.can_consume = lambda: False

    signal.signal(signal.SIGUSR2, jam)


from celery import signals  # noqa: E402

signals.worker_ready.connect(_jam_on_sigusr2, weak=False)
