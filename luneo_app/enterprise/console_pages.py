"""``/console/sso``: the brand's single sign-on (SAML IdP, attribute and group mapping,
require-SSO with a break-glass owner) and its SCIM tokens. Admins and the owner only."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import Response, flash, g, redirect, render_template, request, url_for

from ..accounts.service import team
from ..auth.permissions import ROLE_LABELS
from ..console.hooks import page_context
from ..console.pages import console_admin_url
from ..console.session import console_view, current
from ..core.errors import LuneoError
from ..scim import tokens as scim_tokens
from ..sso import saml, service

bp = APIBlueprint(
    "console_sso",
    __name__,
    url_prefix="/console/sso",
    template_folder="templates",
    enable_openapi=False,
)
bp.context_processor(page_context)


def _lines(text: str) -> dict[str, str]:
    """``Group name = role`` lines into a mapping."""
    found: dict[str, str] = {}
    for line in (text or "").splitlines():
        if "=" in line:
            group, role = line.rsplit("=", 1)
            found[group.strip()] = role.strip().lower()
    return found


def _render(status: int = 200, **extra: object) -> tuple[str, int]:
    provider = service.provider_of(g.brand.id)
    owners = [a for a in team(g.brand.id) if a.role == "owner"]
    return (
        render_template(
            "sso/settings.html",
            active="console_sso.page",
            layout="console/base.html",
            admin_url=console_admin_url,
            provider=provider,
            sp={
                "entityId": saml.sp_entity_id(g.brand.id),
                "acs": saml.acs_url(),
                "signIn": url_for("sso.login", brand_id=g.brand.id, _external=True),
            },
            attribute_map=(provider.attribute_map if provider else None)
            or service.DEFAULT_ATTRIBUTES,
            group_lines="\n".join(
                f"{k} = {v}"
                for k, v in ((provider.group_roles if provider else None) or {}).items()
            ),
            roles=service.ASSIGNABLE,
            role_labels=ROLE_LABELS,
            owners=owners,
            scim_base=url_for("console_sso.page", _external=True).replace(
                "/console/sso", "/scim/v2"
            ),
            tokens=scim_tokens.brand_tokens(g.brand.id),
            **extra,
        ),
        status,
    )


@bp.get("")
@console_view("team:manage")
def page():  # type: ignore[no-untyped-def]
    """The SSO and SCIM settings of the brand."""
    return _render()


@bp.post("")
@console_view("team:manage")
def save():  # type: ignore[no-untyped-def]
    """Save the identity provider (metadata fetched now when given by URL)."""
    form = request.form
    try:
        service.configure(
            current(),
            enabled=form.get("enabled") == "on",
            metadata_url=form.get("metadataUrl"),
            metadata_xml=form.get("metadataXml"),
            attribute_map={k: form.get(f"attr_{k}", "") for k in service.ATTRIBUTE_KEYS},
            group_roles=_lines(form.get("groupRoles", "")),
            default_role=form.get("defaultRole") or None,
            require_sso=form.get("requireSso") == "on",
            break_glass_account_id=form.get("breakGlass") or None,
        )
    except LuneoError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        return _render(exc.status, error=exc.message, errors=details)
    flash("Single sign-on settings saved.", "success")
    return redirect(url_for("console_sso.page"))


@bp.post("/scim-tokens")
@console_view("team:manage")
def create_token():  # type: ignore[no-untyped-def]
    """A new SCIM token, shown once."""
    try:
        issued = scim_tokens.create(current(), request.form.get("name", ""))
    except LuneoError as exc:
        flash(exc.message, "critical")
        return redirect(url_for("console_sso.page"))
    body, status = _render(issued=issued)
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/scim-tokens/<token_id>/revoke")
@console_view("team:manage")
def revoke_token(token_id: str):  # type: ignore[no-untyped-def]
    scim_tokens.revoke(current(), token_id)
    flash("The SCIM token is revoked; your IdP's calls with it now fail.", "success")
    return redirect(url_for("console_sso.page"))
