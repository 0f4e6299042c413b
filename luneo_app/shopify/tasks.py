"""Celery tasks of the Shopify feature (importing this registers the topic handlers)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from flask import current_app

# Importing registers their topic handlers and the Shopify usage charger.
from . import billing, billing_webhooks, compliance, handlers  # noqa: F401
from .webhooks import RetryLater, handle_delivery


@shared_task(name="shopify.handle_webhook", bind=True, acks_late=True, max_retries=None)
def handle_webhook(self: Any, row_id: str) -> None:
    """Handle one recorded webhook delivery; retried with backoff while attempts remain."""
    max_attempts = max(3, current_app.config["JOB_MAX_RETRIES"])
    try:
        handle_delivery(row_id, max_attempts)
    except RetryLater as exc:
        base = current_app.config["JOB_RETRY_BACKOFF"]
        raise self.retry(countdown=base * 2 ** max(0, self.request.retries), exc=exc) from exc
