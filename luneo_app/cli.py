"""``flask luneo ...`` commands."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .audit import record
from .auth.apikeys import create_api_key
from .backup.commands import backup_command, restore_command
from .core.crypto import generate_key
from .demo.seed import seed_demo
from .extensions import db
from .files.commands import storage_migrate_command, storage_setup_command
from .models import Brand
from .orders.commands import (
    deliver_webhooks_command,
    purge_expired_command,
    webhook_endpoint_command,
)
from .shopify.commands import (
    backfill_shop_ids_command,
    create_cart_transforms_command,
    migrate_tokens_command,
    rotate_key_command,
)
from .sso.commands import staff_sso_command
from .staff.commands import create_staff_command

luneo_cli = AppGroup("luneo", help="Luneo administration commands.")
luneo_cli.add_command(rotate_key_command)
luneo_cli.add_command(migrate_tokens_command)
luneo_cli.add_command(backfill_shop_ids_command)
luneo_cli.add_command(create_cart_transforms_command)
luneo_cli.add_command(purge_expired_command)
luneo_cli.add_command(deliver_webhooks_command)
luneo_cli.add_command(webhook_endpoint_command)
luneo_cli.add_command(create_staff_command)
luneo_cli.add_command(staff_sso_command)
luneo_cli.add_command(storage_setup_command)
luneo_cli.add_command(storage_migrate_command)
luneo_cli.add_command(backup_command)
luneo_cli.add_command(restore_command)


@luneo_cli.command("stripe-setup")
def stripe_setup_command() -> None:
    """Create or update Stripe's products, prices and Billing Meters from the plans file
    (found by metadata, lookup key and event name: safe to run on every deploy)."""
    from .billing.stripe_setup import sync_catalog

    steps = sync_catalog()
    for step in steps:
        click.echo(step.line())
    changed = sum(1 for s in steps if s.action != "kept")
    click.echo(f"{changed} change(s), {len(steps) - changed} already up to date")


@luneo_cli.command("sweep")
def sweep_command() -> None:
    """Repair stranded jobs and publish waiting ones (what the schedule runs every tick)."""
    from .jobs.sweeper import sweep

    report = sweep()
    click.echo(
        f"republished {report.republished}, re-queued {report.requeued}, "
        f"failed {report.failed}, dispatched {report.dispatched}"
    )


@luneo_cli.command("erase-due-brands")
def erase_due_brands_command() -> None:
    """Erase the API brands whose owner asked for erasure and whose delay has run out."""
    from .accounts.erasure import erase_due

    erased = erase_due()
    click.echo(f"brands erased: {len(erased)}" + (f" ({', '.join(erased)})" if erased else ""))


@luneo_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Create (or refresh) the demo shop and its demo product."""
    result = seed_demo()
    click.echo(
        f"Demo shop {result.shop_domain} (brand {result.brand_id}) "
        f"with product '{result.product_title}' ({result.product_id})."
    )
    click.echo("Demo store of an API brand (not on Shopify): /demo/brand-store")


@luneo_cli.command("create-api-key")
@click.argument("brand")
@click.option("--name", default="", help="A label to recognise the key by.")
@click.option("--create-brand", is_flag=True, help="Create an API brand with this name if missing.")
def create_api_key_command(brand: str, name: str, create_brand: bool) -> None:
    """Create an API key for BRAND (a brand id or exact name). Prints the key once."""
    row = db.session.get(Brand, brand) or db.session.scalar(
        select(Brand).where(Brand.name == brand)
    )
    if row is None:
        if not create_brand:
            raise click.ClickException(f"no brand {brand!r} (use --create-brand to make one)")
        row = Brand(kind="api", name=brand)
        db.session.add(row)
        db.session.flush()
    issued = create_api_key(row, name=name)
    record(
        "api_key.created",
        actor="cli",
        brand_id=row.id,
        target_type="api_key",
        target_id=issued.id,
        details={"prefix": issued.prefix, "name": name},
    )
    db.session.commit()
    click.echo(f"brand: {row.id}")
    click.echo(f"key:   {issued.plaintext}")
    click.echo("Store it now: Luneo keeps only a hash and cannot show it again.")


@luneo_cli.command("generate-key")
@click.option("--kid", default="k1", help="Key id written in front of every ciphertext.")
def generate_key_command(kid: str) -> None:
    """Print a new value for LUNEO_ENCRYPTION_KEY."""
    click.echo(generate_key(kid))


@luneo_cli.command("config")
def show_config() -> None:
    """Show the effective runtime mode (no secrets)."""
    cfg = current_app.config
    click.echo(f"database: {cfg['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")
    click.echo(f"jobs:     {'eager (in-process)' if cfg['CELERY_EAGER'] else 'celery on redis'}")
    state = "redis" if cfg["REDIS_URL"] else "database (kv_entries, shared by every process)"
    click.echo(f"state:    {state}; rate limits {'on' if cfg['RATE_LIMITS_ENABLED'] else 'off'}")
    click.echo(f"storage:  {current_app.extensions['luneo.storage'].describe()}")
    click.echo(f"demo:     {'on' if cfg['DEMO_MODE'] else 'off'}")
    artwork = f"openai {cfg['OPENAI_MODEL']}" if cfg.get("OPENAI_API_KEY") else "procedural only"
    click.echo(f"artwork:  {artwork}")
    from .uploads.faces import available

    faces = "checked" if available() else "NO DETECTOR: consent asked for every photo"
    click.echo(f"faces:    {faces}")


@luneo_cli.command("openapi")
@click.option("--check", is_flag=True, help="Fail when openapi.yaml differs from the served spec.")
def openapi_command(check: bool) -> None:
    """Write openapi.yaml from the served OpenAPI document (or check it is current)."""
    from .apidocs.openapi import SPEC_FILE, spec_yaml, write_spec

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if check:
        current = SPEC_FILE.read_text(encoding="utf-8") if SPEC_FILE.exists() else ""
        if current != spec_yaml(app):
            raise click.ClickException("openapi.yaml is out of date: run `flask luneo openapi`")
        click.echo("openapi.yaml is current.")
        return
    click.echo(f"Wrote {write_spec(app)}.")


@luneo_cli.command("postman")
@click.option("--check", is_flag=True, help="Fail when the collection differs from openapi.yaml.")
def postman_command(check: bool) -> None:
    """Write the Postman collection generated from openapi.yaml (or check it is current)."""
    from .apidocs.postman import COLLECTION_FILE, collection_json

    fresh = collection_json()
    if check:
        current = COLLECTION_FILE.read_text("utf-8") if COLLECTION_FILE.exists() else ""
        if current != fresh:
            raise click.ClickException("the Postman collection is out of date: flask luneo postman")
        click.echo("The Postman collection is current.")
        return
    COLLECTION_FILE.write_text(fresh, "utf-8")
    click.echo(f"Wrote {COLLECTION_FILE}.")
