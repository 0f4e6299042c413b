"""Which storefronts may embed the widget, and from which origins.

Two kinds of storefront use the same handshake:

* a Shopify shop, when its install is active (installed, not uninstalled, brand active) and the
  page's origin is one of the shop's own: ``https://{shop}.myshopify.com`` or one of the
  install's ``storefront_domains`` (custom domains; the demo shop lists the local origins);
* an API brand's own website, when the brand is active and the page's origin is one it
  registered (``PUT /v1/embed/origins``, see :mod:`.origins`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select

from ..core.errors import ValidationFailed
from ..extensions import db
from ..models import Brand, ShopInstall

_SHOP_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$")
_HOST_RE = re.compile(r"^[a-z0-9.-]{1,253}$")
_BRAND_RE = re.compile(r"^brd_[a-z2-7]{24}$")


@dataclass(frozen=True)
class StorefrontShop:
    """An active storefront: its brand and the origins it may embed from.

    ``shop_domain`` is the Shopify shop, or ``""`` for an API brand's own website.
    """

    shop_domain: str
    brand_id: str
    install_id: str
    origins: frozenset[str]

    @property
    def is_brand_site(self) -> bool:
        return not self.shop_domain

    def query(self) -> dict[str, str]:
        """The query parameter that names this storefront on ``/embed`` URLs."""
        return {"brand": self.brand_id} if self.is_brand_site else {"shop": self.shop_domain}

    def allows(self, origin: str | None) -> bool:
        """True when ``origin`` (already normalised) is one of the shop's storefront origins."""
        return bool(origin) and origin in self.origins


def parse_shop(value: str | None) -> str:
    """A ``*.myshopify.com`` domain from a query parameter, or 422."""
    shop = (value or "").strip().lower()
    if not _SHOP_RE.match(shop):
        raise ValidationFailed(
            "Give the shop's myshopify.com domain.",
            code="invalid_shop",
            details={"shop": "expected something like my-shop.myshopify.com"},
        )
    return shop


def parse_brand(value: str | None) -> str:
    """A brand id (``brd_...``) from a query parameter, or 422."""
    brand_id = (value or "").strip()
    if not _BRAND_RE.match(brand_id):
        raise ValidationFailed(
            "Give the brand's id.",
            code="invalid_brand",
            details={"brand": "expected the brand id shown in the console, brd_..."},
        )
    return brand_id


def normalize_origin(value: str | None) -> str | None:
    """``scheme://host[:port]`` in lower case, or None when ``value`` is not a plain origin.

    A bare host (``shop.example.com``) is read as ``https://shop.example.com``; default ports
    are dropped. Paths, queries, fragments and credentials make it not an origin.
    """
    raw = (value or "").strip()
    if not raw or len(raw) > 300:
        return None
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or not _HOST_RE.match(host):
        return None
    if parts.username or parts.password or parts.query or parts.fragment:
        return None
    if parts.path not in ("", "/"):
        return None
    default_port = 443 if parts.scheme == "https" else 80
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}"


def parse_origin(value: str | None) -> str:
    """A normalised origin from a query parameter, or 422."""
    origin = normalize_origin(value)
    if origin is None:
        raise ValidationFailed(
            "Give the storefront page's origin.",
            code="invalid_origin",
            details={"origin": "expected scheme://host[:port], e.g. https://shop.example.com"},
        )
    return origin


def active_shop(shop_domain: str) -> StorefrontShop | None:
    """The shop when Luneo is installed and active on it, else None (unknown or removed)."""
    row = db.session.execute(
        select(ShopInstall, Brand)
        .join(Brand, Brand.id == ShopInstall.brand_id)
        .where(ShopInstall.shop_domain == shop_domain)
    ).first()
    if row is None:
        return None
    install, brand = row
    if install.installed_at is None or install.uninstalled_at is not None:
        return None
    if brand.status != "active":
        return None
    origins = {f"https://{install.shop_domain}"}
    for entry in install.storefront_domains or []:
        origin = normalize_origin(entry) if isinstance(entry, str) else None
        if origin:
            origins.add(origin)
    return StorefrontShop(install.shop_domain, brand.id, install.id, frozenset(origins))


def active_brand_site(brand_id: str) -> StorefrontShop | None:
    """An API brand's website when the brand is active and registered origins, else None."""
    from .origins import registered_origins

    brand = db.session.get(Brand, brand_id)
    if brand is None or brand.status != "active" or brand.kind != "api":
        return None
    origins = frozenset(registered_origins(brand))
    if not origins:
        return None
    return StorefrontShop("", brand.id, "", origins)


def storefront_from(args: dict[str, str]) -> StorefrontShop | None:
    """The storefront a request names with ``?shop=`` or ``?brand=`` (422 when neither parses).

    None when it is unknown or not active; callers answer that alike for both kinds.
    """
    if args.get("brand") and not args.get("shop"):
        return active_brand_site(parse_brand(args.get("brand")))
    return active_shop(parse_shop(args.get("shop")))
