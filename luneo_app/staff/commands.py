"""``flask luneo create-staff EMAIL``: add a support staff account."""

from __future__ import annotations

import click

from ..audit import record
from ..core.errors import ValidationFailed
from ..extensions import db
from .auth import ROLES, create_staff


@click.command("create-staff")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="support", show_default=True)
@click.password_option(help="Prompted for (twice) when not given.")
def create_staff_command(email: str, role: str, password: str) -> None:
    """Create a staff account; it signs in at /support (password, then TOTP)."""
    try:
        user = create_staff(email, password, role)
    except ValidationFailed as exc:
        raise click.ClickException(exc.message) from exc
    record(
        "staff.created",
        actor="cli",
        target_type="staff_user",
        target_id=user.id,
        details={"role": role},
    )
    db.session.commit()
    click.echo(f"staff {user.email} ({user.role}) created: {user.id}")
