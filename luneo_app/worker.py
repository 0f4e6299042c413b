"""Celery worker entry: ``celery -A luneo_app.worker worker -Q default,previews,...``."""

from . import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
app = celery
