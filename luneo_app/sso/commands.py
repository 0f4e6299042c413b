"""``flask luneo staff-sso``: set the staff identity provider of the support console."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.errors import LuneoError
from . import staff


@click.command("staff-sso")
@click.option("--metadata-url", help="IdP metadata URL (https, public address).")
@click.option("--metadata-file", type=click.Path(exists=True, dir_okay=False), help="IdP XML.")
@click.option("--email-attribute", default="email", show_default=True)
@click.option("--groups-attribute", default="groups", show_default=True)
@click.option("--admin-group", multiple=True, help="IdP group whose members are staff admins.")
@click.option("--support-group", multiple=True, help="IdP group whose members are support.")
@click.option("--disable", is_flag=True, help="Switch staff single sign-on off.")
def staff_sso_command(
    metadata_url: str | None,
    metadata_file: str | None,
    email_attribute: str,
    groups_attribute: str,
    admin_group: tuple[str, ...],
    support_group: tuple[str, ...],
    disable: bool,
) -> None:
    """Configure staff SAML sign-in (the SP metadata is at /v1/auth/sso/saml/metadata/staff)."""
    roles = {g: "admin" for g in admin_group} | {g: "support" for g in support_group}
    try:
        found = staff.configure(
            metadata_url=metadata_url,
            metadata_xml=Path(metadata_file).read_text() if metadata_file else None,
            email_attribute=email_attribute,
            groups_attribute=groups_attribute,
            group_roles=roles,
            enabled=not disable,
        )
    except LuneoError as exc:
        raise click.ClickException(exc.message) from exc
    state = "on" if found.enabled else "off"
    click.echo(f"staff single sign-on {state}: {found.idp_entity_id or 'no IdP yet'}")
