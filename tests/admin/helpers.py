"""Shared set-up of the embedded admin tests: shops, session tokens, designs and orders."""

from __future__ import annotations

from typing import Any

from connectors.base import DESIGN_PROPERTY, LineItem, OrderInfo
from luneo_app.auth.principal import Principal
from luneo_app.core.clock import utcnow
from luneo_app.designs.service import create_design, finalize_design
from luneo_app.extensions import db
from luneo_app.files.storage import brand_prefix
from luneo_app.models import Brand, Product, ShopInstall
from luneo_app.orders.intake import sync_order
from render import samples
from tests.designs.helpers import MUG_TEMPLATE, text_design

SHOP_A = "acme-mugs.myshopify.com"
SHOP_B = "bolt-rings.myshopify.com"
RETRY = "X-Shopify-Retry-Invalid-Session-Request"

_PHOTO: bytes | None = None


def photo() -> bytes:
    """The demo mug photo, small (drawn once per run)."""
    global _PHOTO
    if _PHOTO is None:
        _PHOTO = samples.demo_product_photo("mug", size=480)
    return _PHOTO


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def mug(app, brand: Brand, title: str = "Mug", external_id: str = "111") -> Product:  # type: ignore[no-untyped-def]
    """A personalizable Shopify product of ``brand`` with a photo and the mug template."""
    product = Product(
        brand_id=brand.id,
        platform="shopify",
        external_id=external_id,
        title=title,
        template=dict(MUG_TEMPLATE),
        personalizable=True,
    )
    db.session.add(product)
    db.session.flush()
    key = f"{brand_prefix(brand.id)}products/{product.id}/photo.png"
    app.extensions["luneo.storage"].put(key, photo(), "image/png")
    product.image_key = key
    db.session.commit()
    return product


def design_for(brand: Brand, product: Product, text: str = "Jessica", order: bool = False):  # type: ignore[no-untyped-def]
    """A rendered design (jobs run eagerly); with ``order`` it is finalized (print files)."""
    principal = Principal(brand.id, "api_key", frozenset({"designs:write"}), "test")
    body = text_design(product.id, text=text)
    body["previewMode"] = "fast"
    design, _ = create_design(principal, body, source="storefront")
    if order:
        design = finalize_design(design)
    return design


def order_for(brand: Brand, designs: list[Any], name: str = "#1001", external_id: str = "9001"):  # type: ignore[no-untyped-def]
    """A store order carrying the designs, taken in by the orders feature."""
    lines = tuple(
        LineItem(
            external_id=f"{external_id}-{i}",
            line_number=i,
            title="Personalized mug",
            quantity=1,
            properties=((DESIGN_PROPERTY, d.id),),
        )
        for i, d in enumerate(designs, start=1)
    )
    return sync_order(brand, "api", OrderInfo(external_id, name, "open", lines))


def demo_shop(app):  # type: ignore[no-untyped-def]
    """The demo shop as ``flask luneo seed-demo`` makes it, minus the slow parts (the full
    size photo and the 3D model): brand, install and a personalizable mug."""
    brand = Brand(
        kind="shopify",
        name="Luneo Demo Shop",
        plan="demo",
        currency="USD",
        settings={"demo": True, "retentionDays": 90, "aiEnabled": True},
        monthly_ai_budget_cents=2000,
    )
    db.session.add(brand)
    db.session.flush()
    db.session.add(
        ShopInstall(
            brand_id=brand.id,
            shop_domain=app.config["DEMO_SHOP_DOMAIN"],
            token_kind="demo",
            scopes="read_products,read_orders,write_orders",
            installed_at=utcnow(),
        )
    )
    db.session.commit()
    product = mug(app, brand, title="Personalized Ceramic Mug", external_id="demo-mug")
    product.template = samples.demo_template("mug")
    db.session.commit()
    return brand, product
