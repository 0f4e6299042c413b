"""``flask luneo ...`` commands."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .audit import record
from .auth.apikeys import create_api_key
from .core.crypto import generate_key
from .demo.seed import seed_demo
from .extensions import db
from .models import Brand
from .orders.commands import (
    deliver_webhooks_command,
    purge_expired_command,
    webhook_endpoint_command,
)
from .shopify.commands import (
    backfill_shop_ids_command,
    migrate_tokens_command,
    rotate_key_command,
)
from .staff.commands import create_staff_command

luneo_cli = AppGroup("luneo", help="Luneo administration commands.")
luneo_cli.add_command(rotate_key_command)
luneo_cli.add_command(migrate_tokens_command)
luneo_cli.add_command(backfill_shop_ids_command)
luneo_cli.add_command(purge_expired_command)
luneo_cli.add_command(deliver_webhooks_command)
luneo_cli.add_command(webhook_endpoint_command)
luneo_cli.add_command(create_staff_command)


@luneo_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Create (or refresh) the demo shop and its demo product."""
    result = seed_demo()
    click.echo(
        f"Demo shop {result.shop_domain} (brand {result.brand_id}) "
        f"with product '{result.product_title}' ({result.product_id})."
    )


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
    click.echo(f"storage:  {cfg['STORAGE_DIR']}")
    click.echo(f"demo:     {'on' if cfg['DEMO_MODE'] else 'off'}")
    artwork = f"openai {cfg['OPENAI_MODEL']}" if cfg.get("OPENAI_API_KEY") else "procedural only"
    click.echo(f"artwork:  {artwork}")
    from .uploads.faces import available

    faces = "checked" if available() else "NO DETECTOR: consent asked for every photo"
    click.echo(f"faces:    {faces}")
