"""What SCIM requests do to a brand's members and groups. Each public function is one unit
of work (commits once) and writes its audit event with the actor ``scim``.

Deactivating or deleting a member revokes their refresh tokens and bumps their
``session_epoch``: access tokens and console sessions are checked against it on every
request, so they stop working at once. Group membership changes recompute the role of each
member whose groups changed, from the brand's group mapping (never the owner's role).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..accounts import tokens
from ..accounts.service import member_adding
from ..audit import record
from ..auth import apikeys
from ..core.clock import utcnow
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..models import Account, Brand, ScimGroup, scim_group_members
from ..sso.service import best_role, provider_of
from .resources import ScimUser, enterprise_of


def _audit(action: str, brand_id: str, target_type: str, target_id: str, **details: Any) -> None:
    record(
        action,
        actor="scim",
        brand_id=brand_id,
        target_type=target_type,
        target_id=target_id,
        details=dict(details),
    )


# ----------------------------------------------------------------------------- users
def account(brand_id: str, account_id: str) -> Account:
    """A member of the brand (404 for another brand's, like one that does not exist)."""
    found = db.session.get(Account, account_id)
    if found is None or found.brand_id != brand_id:
        raise NotFound("No such User.")
    return found


def manager_name(row: Account) -> str | None:
    """The name of the member that ``row``'s enterprise extension names as manager (None
    when it names nobody of the brand)."""
    manager = (row.scim_enterprise or {}).get("manager") or {}
    found = db.session.get(Account, manager["value"]) if manager.get("value") else None
    if found is None or found.brand_id != row.brand_id:
        return None
    return found.name or found.email


def groups_of(account_id: str) -> list[ScimGroup]:
    return list(
        db.session.scalars(
            select(ScimGroup)
            .join(scim_group_members, scim_group_members.c.group_id == ScimGroup.id)
            .where(scim_group_members.c.account_id == account_id)
            .order_by(ScimGroup.display_name)
        )
    )


def _email_of(user: ScimUser) -> str:
    from ..accounts.service import normalize_email

    primary = next((e.value for e in user.emails or [] if e.primary and e.value), None)
    candidate = user.user_name if user.user_name and "@" in user.user_name else primary
    try:
        return normalize_email(candidate, "userName")
    except ValidationFailed as exc:
        raise ValidationFailed(
            "userName (or the primary email) must be an email address.",
            code="invalid_value",
            details=exc.details,
        ) from exc


def _apply(row: Account, user: ScimUser) -> bool:
    """Copy a User onto a member; True when it was deactivated by this change."""
    email = _email_of(user)
    if email != row.email.lower():
        taken = db.session.scalar(select(Account.id).where(func.lower(Account.email) == email))
        if taken is not None and taken != row.id:
            raise Conflict("userName is taken.", code="uniqueness")
        row.email = email
    row.external_id = user.external_id
    row.scim_enterprise = enterprise_of(user)
    row.given_name = ((user.name.given_name if user.name else None) or "")[:255]
    row.family_name = ((user.name.family_name if user.name else None) or "")[:255]
    row.name = (user.display_name or " ".join(p for p in (row.given_name, row.family_name) if p))[
        :255
    ]
    active = user.active is not False
    was_active = row.status == "active"
    if not active and row.role == "owner":
        raise Forbidden("The brand's owner cannot be deactivated by SCIM.", code="mutability")
    if active and row.status == "deactivated":
        row.status = "active"
    elif not active and row.status != "deactivated":
        row.status = "deactivated"
        _end_access(row)
        return was_active
    return False


def _end_access(row: Account) -> None:
    """Everything that lets a member in ends now: refresh tokens, access tokens and console
    sessions (``session_epoch``), and the API keys they created."""
    tokens.revoke_all(row)
    revoked = apikeys.revoke_created_by(row.brand_id, row.id)
    if revoked:
        _audit("api_key.revoked", row.brand_id, "account", row.id, keys=revoked, reason="scim")


def create_user(brand_id: str, user: ScimUser) -> Account:
    """A new member from the IdP (role: the brand's default for SSO, else viewer)."""
    email = _email_of(user)
    if db.session.scalar(select(Account.id).where(func.lower(Account.email) == email)):
        raise Conflict("A user with this userName exists.", code="uniqueness")
    provider = provider_of(brand_id)
    member_adding.send(db.session.get(Brand, brand_id))  # the plan's seats (402 when full)
    row = Account(
        brand_id=brand_id,
        email=email,
        role=(provider.default_role if provider else None) or "viewer",
        status="active",
        provisioned_by="scim",
        email_verified_at=utcnow(),
    )
    db.session.add(row)
    _apply(row, user)
    db.session.flush()
    _audit("scim.user_created", brand_id, "account", row.id, role=row.role, active=row.status)
    db.session.commit()
    return row


def replace_user(row: Account, user: ScimUser, how: str) -> Account:
    """PUT or PATCH result: the whole User replaces the member's attributes."""
    deactivated = _apply(row, user)
    row.updated_at = utcnow()
    _audit("scim.user_updated", row.brand_id, "account", row.id, how=how, status=row.status)
    if deactivated:
        _audit("scim.user_deactivated", row.brand_id, "account", row.id)
    db.session.commit()
    return row


def delete_user(row: Account) -> None:
    """Remove a member: every token and session ends with the row."""
    if row.role == "owner":
        raise Forbidden("The brand's owner cannot be deleted by SCIM.", code="mutability")
    _end_access(row)
    _audit(
        "scim.user_deleted", row.brand_id, "account", row.id, email_domain=row.email.split("@")[-1]
    )
    db.session.delete(row)
    db.session.commit()


# ----------------------------------------------------------------------------- groups
def group(brand_id: str, group_id: str) -> ScimGroup:
    found = db.session.get(ScimGroup, group_id)
    if found is None or found.brand_id != brand_id:
        raise NotFound("No such Group.")
    return found


def _members(brand_id: str, ids: list[str]) -> list[Account]:
    wanted = list(dict.fromkeys(i for i in ids if i))
    if not wanted:
        return []
    found = list(
        db.session.scalars(
            select(Account).where(Account.id.in_(wanted), Account.brand_id == brand_id)
        )
    )
    if len(found) != len(wanted):
        raise ValidationFailed("A member is not a User of this brand.", code="invalid_value")
    return found


def _recompute_roles(brand_id: str, accounts: set[Account]) -> None:
    provider = provider_of(brand_id)
    if provider is None or not provider.group_roles:
        return
    for member in accounts:
        if member.role == "owner" or member not in db.session:
            continue
        names = [g.display_name for g in groups_of(member.id)]
        role = best_role(provider, names) or provider.default_role or "viewer"
        if role != member.role:
            _audit(
                "team.role_changed",
                brand_id,
                "account",
                member.id,
                **{"from": member.role, "to": role, "by": "scim groups"},
            )
            member.role = role


def save_group(
    brand_id: str,
    row: ScimGroup | None,
    display_name: str | None,
    external_id: str | None,
    member_ids: list[str],
    how: str,
) -> ScimGroup:
    """Create (``row`` None) or replace a group and its members; roles follow. Commits."""
    name = (display_name or "").strip()
    if not name or len(name) > 255:
        raise ValidationFailed("displayName is required.", code="invalid_value")
    clash = db.session.scalar(
        select(ScimGroup.id).where(ScimGroup.brand_id == brand_id, ScimGroup.display_name == name)
    )
    if clash is not None and (row is None or clash != row.id):
        raise Conflict("A group with this displayName exists.", code="uniqueness")
    members = _members(brand_id, member_ids)
    if row is None:
        row = ScimGroup(brand_id=brand_id, display_name=name, version=1)
        db.session.add(row)
        before: set[Account] = set()
        renamed = False
    else:
        before = set(row.members)
        renamed = row.display_name != name
        row.version = (row.version or 1) + 1
    row.display_name, row.external_id = name, external_id
    row.members = members
    db.session.flush()
    changed = before.symmetric_difference(members)
    if renamed or how == "replaced":
        changed |= set(members)  # the group's role may have changed with its name
    _recompute_roles(brand_id, changed)
    _audit(f"scim.group_{how}", brand_id, "scim_group", row.id, members=len(members))
    db.session.commit()
    return row


def delete_group(row: ScimGroup) -> None:
    members = set(row.members)
    brand_id = row.brand_id
    _audit("scim.group_deleted", brand_id, "scim_group", row.id)
    db.session.delete(row)
    db.session.flush()
    _recompute_roles(brand_id, members)
    db.session.commit()
