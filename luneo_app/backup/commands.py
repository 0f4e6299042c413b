"""``flask luneo backup DIR`` and ``flask luneo restore DIR``."""

from __future__ import annotations

import click

from .service import BackupError, backup, restore


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False))
def backup_command(folder: str) -> None:
    """Dump the database (pg_dump) and copy every stored file into FOLDER."""
    try:
        report = backup(folder)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"backup in {report.folder}: PostgreSQL {report.server_version}, "
        f"{report.files} files, {report.bytes} bytes"
    )


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
def restore_command(folder: str) -> None:
    """Restore FOLDER (made by `backup`) into the configured empty database and store."""
    try:
        report = restore(folder)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored {report.folder}: {report.files} files, {report.bytes} bytes")
