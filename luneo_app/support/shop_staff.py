"""The shop's own staff on Shopify, for the install page: who support is talking to.

Shopify lists staff accounts only through Admin GraphQL ``staffMembers``, which needs the
``read_users`` scope and a shop on Shopify Plus or Advanced; Luneo does not ask for that
scope (``shopify.app.toml``), so for most shops the answer is the shop owner from
``shop { shopOwnerName email }`` (``read_products`` is enough) with a note saying why. When
the install holds ``read_users`` the list is asked for, and Shopify's ``ACCESS_DENIED`` (a
shop below Plus) falls back to the owner the same way. Fetched when a staff member asks (a
live call to Shopify would slow every install page), masked like all personal data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from connectors.shopify import ShopifyError

from ..core.errors import LuneoError
from ..models import ShopInstall
from ..shopify import tokens

log = logging.getLogger("luneo.support")

STAFF_SCOPE = "read_users"
LIMIT = 50
STAFF_QUERY = """query LuneoSupportStaff($first: Int!) { staffMembers(first: $first) {
  nodes { id name email accountType active isShopOwner } } }"""
OWNER_QUERY = "query LuneoSupportShopOwner { shop { name shopOwnerName email } }"


@dataclass(frozen=True)
class StaffMember:
    """One Shopify staff account of the shop."""

    name: str
    email: str
    account_type: str
    active: bool
    owner: bool


@dataclass(frozen=True)
class ShopStaff:
    """What Shopify told about the shop's staff: the members (the owner alone when the list
    is not available), where they came from, and a note or an error to show."""

    members: tuple[StaffMember, ...]
    source: str  # staff_members | shop_owner | none
    note: str | None = None
    error: str | None = None


def _owner(shop: str, note: str) -> ShopStaff:
    data = tokens.shop_graphql(shop, OWNER_QUERY)
    found = data.get("shop") or {}
    owner = StaffMember(
        name=str(found.get("shopOwnerName") or "—"),
        email=str(found.get("email") or ""),
        account_type="OWNER",
        active=True,
        owner=True,
    )
    return ShopStaff((owner,), "shop_owner", note=note)


def _members(shop: str) -> ShopStaff:
    data = tokens.shop_graphql(shop, STAFF_QUERY, {"first": LIMIT})
    nodes = ((data.get("staffMembers") or {}).get("nodes")) or []
    members = tuple(
        StaffMember(
            name=str(n.get("name") or "—"),
            email=str(n.get("email") or ""),
            account_type=str(n.get("accountType") or ""),
            active=bool(n.get("active")),
            owner=bool(n.get("isShopOwner")),
        )
        for n in nodes
        if isinstance(n, dict)
    )
    note = f"The first {LIMIT} staff accounts." if len(members) >= LIMIT else None
    return ShopStaff(members, "staff_members", note=note)


def of(install: ShopInstall) -> ShopStaff:
    """The shop's staff as Shopify answers now. Never raises: a refusal or an outage is
    said on the page."""
    if install.uninstalled_at is not None or not install.access_token_enc:
        return ShopStaff((), "none", error="Luneo holds no access token for this shop.")
    shop = install.shop_domain
    granted = {s.strip() for s in (install.scopes or "").split(",")}
    try:
        if STAFF_SCOPE not in granted:
            return _owner(
                shop,
                "Shopify lists staff accounts only to apps with the read_users scope on "
                "Shopify Plus or Advanced shops; Luneo does not ask for it. The shop owner:",
            )
        try:
            return _members(shop)
        except ShopifyError as exc:
            if "ACCESS_DENIED" not in str(exc):
                raise
            return _owner(
                shop,
                "Shopify refused the staff list (ACCESS_DENIED: the shop is not on Shopify "
                "Plus or Advanced). The shop owner:",
            )
    except tokens.TokenUnavailable as exc:
        return ShopStaff((), "none", error=f"No working access token: {exc.message}")
    except (ShopifyError, LuneoError) as exc:
        log.warning("staff of %s not read: %s", shop, getattr(exc, "code", type(exc).__name__))
        return ShopStaff((), "none", error="Shopify did not answer; try again in a moment.")
