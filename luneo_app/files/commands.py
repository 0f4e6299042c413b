"""``flask luneo storage-setup`` and ``flask luneo storage-migrate``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .migrate import migrate_folder
from .s3 import S3Storage
from .setup import cors_origins, setup_bucket


def _bucket_storage() -> S3Storage:
    storage = current_app.extensions["luneo.storage"]
    if not isinstance(storage, S3Storage):
        raise click.ClickException("STORAGE_URL is not set: files live in a local folder.")
    return storage


@click.command("storage-setup")
@with_appcontext
def storage_setup_command() -> None:
    """Create the STORAGE_URL bucket if missing and set its CORS rules and lifecycle."""
    cfg = current_app.config
    origins = cors_origins(cfg["APP_URL"], cfg["STORAGE_CORS_ORIGINS"])
    for line in setup_bucket(_bucket_storage(), origins):
        click.echo(line)


@click.command("storage-migrate")
@click.option(
    "--from",
    "source",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Local storage folder to copy (default: STORAGE_DIR).",
)
@click.option("--verbose", is_flag=True, help="Print every file copied.")
@with_appcontext
def storage_migrate_command(source: Path | None, verbose: bool) -> None:
    """Copy the local storage folder into the STORAGE_URL bucket and verify every file.

    Files already in the bucket with the same bytes are skipped: run it again after an
    interruption, and once more after switching web and workers to STORAGE_URL to pick up
    files written in between.
    """
    storage = _bucket_storage()
    root = source or Path(current_app.config["STORAGE_DIR"])
    if not root.is_dir():
        raise click.ClickException(f"no storage folder at {root}")
    click.echo(f"copying {root} to {storage.describe()}")
    report = migrate_folder(root, storage, click.echo if verbose else _only_failures)
    click.echo(
        f"{report.copied} copied ({report.bytes_copied} bytes), "
        f"{report.skipped} already there, {len(report.failed)} failed"
    )
    if report.failed:
        raise click.ClickException("some files were not copied; run the command again")


def _only_failures(line: str) -> None:
    if line.startswith("FAILED"):
        click.echo(line, err=True)
