"""Background jobs: Celery wired to Flask, and tracked jobs with a ``render_jobs`` row."""

from .runner import JobFailed, PermanentJobError, enqueue, tracked_task

__all__ = ["JobFailed", "PermanentJobError", "enqueue", "tracked_task"]
