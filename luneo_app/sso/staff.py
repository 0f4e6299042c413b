"""Luneo staff sign in to the support console through one staff identity provider.

The staff IdP is a :class:`~luneo_app.models.SamlIdentityProvider` with ``realm="staff"``
(set with ``flask luneo staff-sso``). Its assertions are verified by the same code as the
brands' (:func:`.saml.verify_response`, Audience ``.../metadata/staff``); they sign in only
existing, active staff accounts (no accounts are created by an IdP).

How the support console uses it:

* its sign-in page links to :func:`login_url` (``/v1/auth/sso/saml/staff/login?next=...``);
* the ACS verifies the response and redirects to ``STAFF_SSO_RETURN_PATH`` (default
  ``/support/sso/complete``) with ``?ticket=...&next=...``;
* that view calls :func:`redeem_ticket` (one use, 2 minutes) and, given a ``StaffUser``,
  starts its own session.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from flask import current_app, url_for
from sqlalchemy import func, select

from ..audit import record
from ..core.clock import utcnow
from ..core.errors import Forbidden, ValidationFailed
from ..extensions import db
from ..models import SamlIdentityProvider, StaffUser
from . import metadata
from .saml import Realm, SamlRefused, VerifiedAssertion

STAFF = "staff"
TICKET_TTL = 120
STAFF_ROLES = ("admin", "support")


def provider() -> SamlIdentityProvider | None:
    return db.session.scalar(
        select(SamlIdentityProvider).where(SamlIdentityProvider.realm == STAFF)
    )


def realm() -> Realm | None:
    """The staff realm when its IdP is on."""
    found = provider()
    if found is None or not found.enabled or not found.metadata_xml:
        return None
    return Realm(STAFF, found.metadata_xml, found.idp_entity_id)


def configure(
    *,
    metadata_url: str | None = None,
    metadata_xml: str | None = None,
    email_attribute: str | None = None,
    groups_attribute: str | None = None,
    group_roles: dict[str, str] | None = None,
    enabled: bool = True,
) -> SamlIdentityProvider:
    """Set the staff IdP (metadata by URL through the SSRF guard, or XML). Commits."""
    found = provider() or SamlIdentityProvider(
        realm=STAFF, brand_id=None, metadata_xml="", idp_entity_id=""
    )
    if metadata_url:
        parsed = metadata.parse(metadata.fetch(metadata_url))
        found.metadata_fetched_at = utcnow()
    elif metadata_xml:
        parsed = metadata.parse(metadata_xml)
    else:
        parsed = None
    if parsed is not None:
        found.metadata_xml, found.idp_entity_id = parsed.xml, parsed.entity_id
        found.metadata_url = metadata_url or None
    if enabled and not found.metadata_xml:
        raise ValidationFailed(
            "Give the staff IdP's metadata first.", details={"metadata": "required"}
        )
    roles = dict(group_roles or {})
    if any(role not in STAFF_ROLES for role in roles.values()):
        raise ValidationFailed(
            "Staff roles are admin or support.", details={"groupRoles": "invalid"}
        )
    found.attribute_map = {
        "email": email_attribute or "email",
        "groups": groups_attribute or "groups",
    }
    found.group_roles = roles
    found.enabled = enabled
    db.session.add(found)
    db.session.flush()
    record(
        "sso.staff_configured",
        actor="cli",
        target_type="saml_identity_provider",
        target_id=found.id,
        details={"enabled": enabled, "idp": found.idp_entity_id},
    )
    db.session.commit()
    return found


def login_url(next_path: str = "/support") -> str:
    """Where the support console's "Sign in with SSO" button goes."""
    return url_for("sso.staff_login", next=next_path)


def sign_in(assertion: VerifiedAssertion, address: str) -> StaffUser:
    """The active staff account a verified staff assertion names; role from mapped groups.
    Commits."""
    found = provider()
    if found is None:
        raise SamlRefused("Staff single sign-on is not set up.", code="saml_unknown_idp")
    attrs = found.attribute_map or {}
    email = (assertion.first(attrs.get("email")) or assertion.name_id or "").strip().lower()
    user = db.session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email))
    if user is None or not user.active or not email:
        record("staff.sso_refused", actor=f"idp:{found.id}", details={"address": address})
        db.session.commit()
        raise Forbidden("No active staff account for this identity.", code="staff_unknown")
    mapped = {found.group_roles.get(g) for g in assertion.all(attrs.get("groups"))} - {None}
    role = next((r for r in STAFF_ROLES if r in mapped), None)
    if role is not None:
        user.role = role
    user.last_login_at = utcnow()
    # The session opens (and ``staff.signed_in`` is recorded) when the console redeems the
    # ticket; an assertion whose ticket is never used leaves this trace only.
    record(
        "staff.sso_verified",
        actor=f"staff:{user.id}",
        target_type="staff_user",
        target_id=user.id,
        details={"method": "saml", "address": address},
    )
    db.session.commit()
    return user


def issue_ticket(user: StaffUser, next_path: str | None) -> str:
    """The URL of the support console's hand-over view with a one-time ticket."""
    ticket = secrets.token_urlsafe(32)
    current_app.extensions["luneo.kv"].set_if_absent(
        f"luneo:staff-sso-ticket:{ticket}", user.id, TICKET_TTL
    )
    query: dict[str, Any] = {"ticket": ticket}
    if next_path and next_path.startswith("/") and not next_path.startswith("//"):
        query["next"] = next_path
    return f"{current_app.config['STAFF_SSO_RETURN_PATH']}?{urlencode(query)}"


def redeem_ticket(ticket: str) -> StaffUser | None:
    """The staff user a ticket from the ACS names (once; None when unknown, used or
    expired, or the account was switched off since)."""
    if not isinstance(ticket, str) or not 20 <= len(ticket) <= 100:
        return None
    user_id = current_app.extensions["luneo.kv"].take(f"luneo:staff-sso-ticket:{ticket}")
    if user_id is None:
        return None
    user = db.session.get(StaffUser, user_id)
    return user if user is not None and user.active else None
