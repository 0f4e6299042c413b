"""Index of the modules that define Celery tasks (imported by the app factory)."""
