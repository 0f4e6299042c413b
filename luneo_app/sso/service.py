"""A brand's single sign-on: its identity provider settings, and the sign-in of a verified
assertion (just-in-time accounts, roles from groups). Each public function that writes is
one unit of work and commits once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..accounts.service import find_by_email, member_adding, normalize_email
from ..audit import record
from ..auth.permissions import ROLES
from ..core.clock import utcnow
from ..core.errors import Forbidden, ValidationFailed
from ..extensions import db
from ..models import Account, Brand, SamlIdentityProvider
from . import metadata
from .saml import Realm, SamlRefused, VerifiedAssertion

ATTRIBUTE_KEYS = ("email", "firstName", "lastName", "groups")
DEFAULT_ATTRIBUTES = {
    # Entra ID / ADFS claim URIs; Okta and Google send the friendly names when so configured.
    "email": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "firstName": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    "lastName": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    "groups": "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
}
ASSIGNABLE = ("admin", "developer", "viewer")


@dataclass(frozen=True)
class SsoSignIn:
    """A member signed in by their IdP (``created``: made just now)."""

    account: Account
    created: bool


def provider_of(brand_id: str) -> SamlIdentityProvider | None:
    return db.session.scalar(
        select(SamlIdentityProvider).where(
            SamlIdentityProvider.realm == "brand", SamlIdentityProvider.brand_id == brand_id
        )
    )


def brand_realm(key: str) -> Realm | None:
    """The realm of a brand whose SSO is on (None otherwise): used by the ACS."""
    provider = db.session.scalar(
        select(SamlIdentityProvider).where(
            SamlIdentityProvider.realm == "brand", SamlIdentityProvider.brand_id == key
        )
    )
    if provider is None or not provider.enabled or not provider.metadata_xml:
        return None
    return Realm(key, provider.metadata_xml, provider.idp_entity_id)


def _mapping(values: Any, allowed: tuple[str, ...] | None, field: str) -> dict[str, str]:
    if values is None:
        return {}
    if not isinstance(values, dict) or len(values) > 100:
        raise ValidationFailed("Give a mapping of names.", details={field: "an object"})
    out: dict[str, str] = {}
    for key, value in values.items():
        if not isinstance(key, str) or not isinstance(value, str) or len(key) > 512:
            raise ValidationFailed("Names must be text.", details={field: "strings only"})
        key, value = key.strip(), value.strip()
        if not key or not value:
            continue
        if allowed is not None and value not in allowed:
            raise ValidationFailed(
                f"{value} is not a role that can be given.", details={field: ", ".join(allowed)}
            )
        out[key] = value
    return out


def configure(
    by: Account,
    *,
    enabled: bool,
    metadata_url: str | None,
    metadata_xml: str | None,
    attribute_map: Any,
    group_roles: Any,
    default_role: str | None,
    require_sso: bool,
    break_glass_account_id: str | None,
) -> SamlIdentityProvider:
    """Save the brand's identity provider. Metadata comes from ``metadata_url`` (fetched now
    through the SSRF guard) or ``metadata_xml``; either is checked before it is stored.
    Turning on ``require_sso`` needs a working IdP and an active break-glass owner. Commits."""
    provider = provider_of(by.brand_id) or SamlIdentityProvider(
        realm="brand", brand_id=by.brand_id, metadata_xml="", idp_entity_id=""
    )
    url = (metadata_url or "").strip() or None
    pasted = (metadata_xml or "").strip()
    if url:
        parsed = metadata.parse(metadata.fetch(url))
        provider.metadata_fetched_at = utcnow()
    elif pasted:
        parsed = metadata.parse(pasted)
    else:
        parsed = None
    if parsed is not None:
        provider.metadata_xml = parsed.xml
        provider.idp_entity_id = parsed.entity_id
    provider.metadata_url = url
    attributes = _mapping(attribute_map, None, "attributeMap")
    unknown = set(attributes) - set(ATTRIBUTE_KEYS)
    if unknown:
        raise ValidationFailed(
            "Unknown attribute keys.", details={"attributeMap": ", ".join(sorted(unknown))}
        )
    provider.attribute_map = {**DEFAULT_ATTRIBUTES, **attributes}
    provider.group_roles = _mapping(group_roles, ASSIGNABLE, "groupRoles")
    if default_role not in (None, "", *ASSIGNABLE):
        raise ValidationFailed("Choose a role.", details={"defaultRole": ", ".join(ASSIGNABLE)})
    provider.default_role = default_role or None
    if enabled and not provider.metadata_xml:
        raise ValidationFailed(
            "Give the IdP metadata before turning single sign-on on.",
            details={"metadata": "required"},
        )
    provider.enabled = bool(enabled)
    keeper = _break_glass(by.brand_id, break_glass_account_id)
    provider.break_glass_account_id = keeper.id
    if require_sso and not provider.enabled:
        raise ValidationFailed(
            "Turn single sign-on on before requiring it.", details={"requireSso": "SSO is off"}
        )
    provider.require_sso = bool(require_sso)
    db.session.add(provider)
    db.session.flush()
    record(
        "sso.configured",
        actor=f"account:{by.id}",
        brand_id=by.brand_id,
        target_type="saml_identity_provider",
        target_id=provider.id,
        details={
            "enabled": provider.enabled,
            "requireSso": provider.require_sso,
            "idp": provider.idp_entity_id,
            "metadataUrl": url,
        },
    )
    db.session.commit()
    return provider


def _break_glass(brand_id: str, account_id: str | None) -> Account:
    """The owner who may still sign in with a password when SSO is required."""
    if account_id:
        account = db.session.get(Account, account_id)
        if account is None or account.brand_id != brand_id or account.role != "owner":
            raise ValidationFailed(
                "The break-glass account must be the brand's owner.",
                details={"breakGlassAccountId": "not an owner of this brand"},
            )
        return account
    owner = db.session.scalar(
        select(Account).where(Account.brand_id == brand_id, Account.role == "owner")
    )
    if owner is None:
        raise ValidationFailed("The brand has no owner.", details={"breakGlassAccountId": "none"})
    return owner


def best_role(
    provider: SamlIdentityProvider | None, groups: list[str] | tuple[str, ...]
) -> str | None:
    """The most powerful role the brand's group mapping gives any of ``groups`` (None: no
    mapped group)."""
    if provider is None:
        return None
    mapped = {provider.group_roles.get(g) for g in groups} - {None}
    for role in ROLES:
        if role in mapped:
            return role
    return None


def sign_in(assertion: VerifiedAssertion, address: str) -> SsoSignIn:
    """Sign in (or create, just in time) the brand member a verified assertion names.

    The brand is the assertion's realm (its signed Audience); an address that belongs to
    another brand's account, a deactivated account, or an unknown user without a role to
    give is refused (403). Roles follow the mapped groups (never the owner's). Commits.
    """
    provider = provider_of(assertion.realm_key)
    brand = db.session.get(Brand, assertion.realm_key)
    if provider is None or brand is None:
        raise SamlRefused("Single sign-on is not set up.", code="saml_unknown_idp")
    attrs = provider.attribute_map or DEFAULT_ATTRIBUTES
    email = assertion.first(attrs.get("email")) or (
        assertion.name_id if "@" in assertion.name_id else None
    )
    try:
        email = normalize_email(email)
    except ValidationFailed as exc:
        raise SamlRefused(
            "The assertion carries no usable email address.", code="saml_no_email"
        ) from exc
    groups = assertion.all(attrs.get("groups"))
    role = best_role(provider, groups)
    account = find_by_email(email)
    created = False
    if account is not None and account.brand_id != brand.id:
        record(
            "auth.sso_refused",
            actor=f"idp:{provider.id}",
            brand_id=brand.id,
            details={"reason": "account of another brand", "address": address},
        )
        db.session.commit()
        raise Forbidden(
            "This identity provider cannot sign in this account.", code="sso_wrong_brand"
        )
    if account is None:
        role = role or provider.default_role
        if role is None:
            raise Forbidden(
                "You have no account in this brand yet; ask its admin for access.",
                code="sso_no_account",
            )
        member_adding.send(brand)  # the plan's seats (402 when full)
        account = Account(
            brand_id=brand.id, email=email, role=role, status="active", provisioned_by="saml"
        )
        db.session.add(account)
        created = True
    elif account.status == "deactivated":
        raise Forbidden("This account is deactivated.", code="account_deactivated")
    elif role is not None and account.role != "owner" and account.role != role:
        before, account.role = account.role, role
        record(
            "team.role_changed",
            actor=f"idp:{provider.id}",
            brand_id=brand.id,
            target_type="account",
            target_id=account.id,
            details={"from": before, "to": role, "by": "saml groups"},
        )
    given, family = assertion.first(attrs.get("firstName")), assertion.first(attrs.get("lastName"))
    account.given_name = (given or account.given_name or "")[:255]
    account.family_name = (family or account.family_name or "")[:255]
    account.name = " ".join(p for p in (account.given_name, account.family_name) if p)[:255] or (
        account.name or ""
    )
    account.status = "active"
    account.email_verified_at = account.email_verified_at or utcnow()  # the IdP vouches
    account.last_login_at = utcnow()
    db.session.flush()
    record(
        "auth.signed_in",
        actor=f"account:{account.id}",
        brand_id=brand.id,
        target_type="account",
        target_id=account.id,
        details={"method": "saml", "created": created, "address": address},
    )
    db.session.commit()
    return SsoSignIn(account, created)
