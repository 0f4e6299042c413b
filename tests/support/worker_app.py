"""Celery app for worker processes started by tests: the real app plus the test tasks."""

from luneo_app import create_app
from luneo_app.config import TestConfig

flask_app = create_app(TestConfig())
celery = flask_app.extensions["celery"]

import tests.support.tasks  # noqa: E402,F401  (registers the test-only tasks)
