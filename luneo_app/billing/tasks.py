"""Billing jobs: report a billable event; sweep what was left pending; Stripe events."""

from __future__ import annotations

from celery import shared_task

from connectors.shopify import ShopifyUnavailable

from .reporting import pending_event_ids, report_event

try:  # the Stripe library's connection errors are retried like Shopify's
    from stripe import APIConnectionError, RateLimitError

    _RETRY: tuple[type[BaseException], ...] = (
        ShopifyUnavailable,
        APIConnectionError,
        RateLimitError,
    )
except ImportError:  # pragma: no cover - stripe is pinned
    _RETRY = (ShopifyUnavailable,)


@shared_task(
    name="luneo.billing.report_event",
    ignore_result=True,
    autoretry_for=_RETRY,
    retry_backoff=2,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=12,
)
def report_event_task(event_id: str) -> str:
    """Charge one billable event (idempotent: a reported event is left alone)."""
    return report_event(event_id)


@shared_task(name="luneo.billing.sweep", ignore_result=True)
def sweep_task() -> int:
    """Periodic: report events whose job was lost or gave up; returns how many were tried."""
    tried = 0
    for event_id in pending_event_ids():
        try:
            report_event(event_id)
        except _RETRY:
            break  # the provider is down: the next sweep tries again
        tried += 1
    return tried
