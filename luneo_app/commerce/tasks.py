"""Celery tasks of the commerce connectors (importing this registers the topic handlers)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from flask import current_app

from . import catalog  # noqa: F401 - registers product.updated
from .woo_webhooks import RetryLater, handle


@shared_task(name="luneo.commerce.woo_webhook", bind=True, acks_late=True, max_retries=None)
def handle_woo_webhook(self: Any, row_id: str) -> None:
    """Handle one recorded WooCommerce delivery; retried with backoff while attempts remain."""
    max_attempts = max(3, current_app.config["JOB_MAX_RETRIES"])
    try:
        handle(row_id, max_attempts)
    except RetryLater as exc:
        base = current_app.config["JOB_RETRY_BACKOFF"]
        raise self.retry(countdown=base * 2 ** max(0, self.request.retries), exc=exc) from exc


@shared_task(name="luneo.commerce.check_stores", ignore_result=True)
def check_stores() -> int:
    """Periodic (beat, hourly): read every WooCommerce store's webhooks, so one that
    WooCommerce disabled (or a revoked key) shows as failing without anyone looking."""
    from sqlalchemy import select

    from connectors.base import ConnectorError

    from ..extensions import db
    from ..models import CommerceConnection
    from .woo_auth import check_webhooks

    rows = db.session.scalars(
        select(CommerceConnection).where(
            CommerceConnection.platform == "woocommerce",
            CommerceConnection.credential_enc.is_not(None),
        )
    ).all()
    for row in rows:
        try:
            check_webhooks(row)
        except ConnectorError:  # the store is down: the next hour looks again
            db.session.rollback()
    return len(rows)
