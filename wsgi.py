"""gunicorn entry point: ``gunicorn wsgi:app``."""

from luneo_app import create_app

app = create_app()
