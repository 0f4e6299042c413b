"""``flask luneo purge-expired``, ``deliver-webhooks`` and ``webhook-endpoint``.

Celery beat is not part of the default deployment: run the first two from cron (for example
``purge-expired`` daily and ``deliver-webhooks`` every few minutes), or schedule the tasks
``luneo.orders.purge_expired`` and ``luneo.outbound.sweep`` with beat.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..audit import record
from ..core.errors import LuneoError
from ..extensions import db
from ..models import Brand


@click.command("purge-expired")
@with_appcontext
def purge_expired_command() -> None:
    """Remove production files past their retention; package orders left waiting."""
    from .retention import purge_expired, resume_stuck_orders

    report = purge_expired()
    resumed = resume_stuck_orders()
    click.echo(f"orders purged: {report.orders} ({report.files} files); orders resumed: {resumed}")


@click.command("deliver-webhooks")
@with_appcontext
def deliver_webhooks_command() -> None:
    """Queue outbound webhook deliveries that are due (retries, lost messages, alerts)."""
    from ..outbound.events import offer_pending_alerts
    from ..outbound.tasks import sweep_due_deliveries

    offered = offer_pending_alerts()
    click.echo(f"deliveries queued: {sweep_due_deliveries()}; budget alerts offered: {offered}")


@click.command("webhook-endpoint")
@click.argument("brand")
@click.argument("url", required=False)
@click.option("--remove", is_flag=True, help="Remove the brand's webhook endpoint.")
@with_appcontext
def webhook_endpoint_command(brand: str, url: str | None, remove: bool) -> None:
    """Set BRAND's webhook URL and print its new signing secret (shown once)."""
    from ..outbound.endpoints import configure_endpoint

    row = db.session.get(Brand, brand) or db.session.scalar(
        select(Brand).where(Brand.name == brand)
    )
    if row is None:
        raise click.ClickException(f"no brand {brand!r}")
    if not remove and not url:
        raise click.ClickException("give a URL, or --remove")
    try:
        secret = configure_endpoint(row, None if remove else url)
    except LuneoError as exc:
        raise click.ClickException(exc.message) from exc
    record(
        "webhook_endpoint.updated",
        actor="cli",
        brand_id=row.id,
        target_type="brand",
        target_id=row.id,
        details={"removed": remove},
    )
    db.session.commit()
    if secret:
        click.echo(f"url:    {row.webhook_url}")
        click.echo(f"secret: {secret}")
        click.echo("Verify the Luneo-Signature header with it; Luneo shows it only now.")
    else:
        click.echo("webhook endpoint removed")
