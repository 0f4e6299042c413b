"""``flask luneo rotate-key``, ``migrate-tokens``, ``backfill-shop-ids`` and
``create-cart-transforms``."""

from __future__ import annotations

import click
from flask import current_app

from ..audit import record
from ..core.crypto import CryptoError
from ..extensions import db
from .install import backfill_shop_ids, ensure_fee_transforms
from .rotation import rotate_encryption
from .tokens import migrate_legacy_tokens


@click.command("rotate-key")
@click.option("--dry-run", is_flag=True, help="Count values per key id; change nothing.")
def rotate_key_command(dry_run: bool) -> None:
    """Re-encrypt every stored token and secret with LUNEO_ENCRYPTION_KEY.

    Keep the previous key in LUNEO_ENCRYPTION_OLD_KEYS until this has run.
    """
    keyring = current_app.extensions["luneo.keyring"]
    try:
        report = rotate_encryption(keyring, dry_run=dry_run)
    except CryptoError as exc:
        raise click.ClickException(
            f"{exc}: put the previous key in LUNEO_ENCRYPTION_OLD_KEYS and run again"
        ) from exc
    found = ", ".join(f"{kid}: {n}" for kid, n in sorted(report.found.items())) or "none"
    click.echo(f"values by key id before: {found}")
    if dry_run:
        click.echo("dry run: nothing changed")
        return
    record(
        "encryption.key_rotated",
        actor="cli",
        details={"current": keyring.current, "rewritten": report.rewritten},
    )
    db.session.commit()
    click.echo(f"rewritten with key {keyring.current}: {report.rewritten}")


@click.command("migrate-tokens")
@click.option("--dry-run", is_flag=True, help="List the shops that would be migrated.")
def migrate_tokens_command(dry_run: bool) -> None:
    """Trade every non-expiring offline token for an expiring one (token exchange).

    Shopify rejects non-expiring tokens of public apps from 2027-01-01.
    """
    report = migrate_legacy_tokens(dry_run=dry_run)
    verb = "would migrate" if dry_run else "migrated"
    click.echo(f"{verb}: {len(report.migrated)}")
    for shop in report.migrated:
        click.echo(f"  {shop}")
    for shop, reason in report.failed.items():
        click.echo(f"failed: {shop}: {reason}", err=True)
    if not dry_run and (report.migrated or report.failed):
        record(
            "shopify.tokens_migrated",
            actor="cli",
            details={"migrated": len(report.migrated), "failed": sorted(report.failed)},
        )
        db.session.commit()
    if report.failed:
        raise SystemExit(1)


@click.command("backfill-shop-ids")
def backfill_shop_ids_command() -> None:
    """Store Shopify's numeric shop id for installs made before Luneo kept it.

    Privacy webhooks are checked against it; run once after upgrading.
    """
    found = backfill_shop_ids()
    failed = {shop: v for shop, v in found.items() if v.startswith("failed")}
    click.echo(f"shop ids stored: {len(found) - len(failed)}")
    for shop, reason in sorted(failed.items()):
        click.echo(f"{shop}: {reason}", err=True)
    if failed:
        raise SystemExit(1)


@click.command("create-cart-transforms")
def create_cart_transforms_command() -> None:
    """Create Luneo's Cart Transform (exact personalization fees) for every installed shop
    that has none, such as shops installed before Luneo made it at install.

    Safe to run again: a shop already set up is left as it is. Prints one line per shop;
    exits 1 when a shop failed (the others are done).
    """
    outcome = ensure_fee_transforms()
    for shop, result in sorted(outcome.items()):
        click.echo(f"{shop}: {result}", err=result.startswith("failed"))
    created = sum(1 for r in outcome.values() if r.startswith("created"))
    failed = sum(1 for r in outcome.values() if r.startswith("failed"))
    click.echo(
        f"created: {created}, already set up: "
        f"{sum(1 for r in outcome.values() if r.startswith('already'))}, "
        f"skipped: {sum(1 for r in outcome.values() if r.startswith('skipped'))}, "
        f"failed: {failed}"
    )
    if failed:
        raise SystemExit(1)
