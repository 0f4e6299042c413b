"""``flask luneo storage-setup`` and ``flask luneo storage-migrate``."""

from __future__ import annotations

import click
from flask import current_app

from .s3 import S3Storage
from .setup import cors_origins, setup_bucket


def _bucket_storage() -> S3Storage:
    storage = current_app.extensions["luneo.storage"]
    if not isinstance(storage, S3Storage):
        raise click.ClickException("STORAGE_URL is not set: files live in a local folder.")
    return storage


@click.command("storage-setup")
def storage_setup_command() -> None:
    """Create the STORAGE_URL bucket if missing and set its CORS rules and lifecycle."""
    cfg = current_app.config
    origins = cors_origins(cfg["APP_URL"], cfg["STORAGE_CORS_ORIGINS"])
    for line in setup_bucket(_bucket_storage(), origins):
        click.echo(line)
