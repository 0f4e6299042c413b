"""Seed the demo shop: a brand, an install without tokens, and a personalizable mug.

The product photo and its print area are drawn by the render engine's samples, so the
embedded default shows something real without downloading anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from ..audit import record
from ..core.clock import utcnow
from ..extensions import db
from ..files.storage import brand_prefix
from ..models import Brand, Product, ShopInstall
from ..three_d.product_model import seed_demo_model

DEMO_PRODUCT_ID = "demo-mug"
STORE_BRAND_NAME = "Acme Keepsakes (demo store)"
STORE_PRODUCT_ID = "keepsake-mug"
STORE_OPTIONS = [
    {"id": "name", "type": "text", "label": "Name", "printArea": "front", "maxChars": 14,
     "fonts": ["playfair-display", "dancing-script", "lato"], "priceCents": 300},
    {"id": "finish", "type": "material", "label": "Finish",
     "values": [{"value": None}, {"value": "gold", "priceCents": 500}]},
]  # fmt: skip


@dataclass(frozen=True)
class DemoSeed:
    """What ``seed_demo`` made or found."""

    brand_id: str
    shop_domain: str
    product_id: str
    product_title: str


def seed_demo() -> DemoSeed:
    """Create the demo shop and product if missing, refresh their assets; idempotent."""
    from render import samples

    shop = current_app.config["DEMO_SHOP_DOMAIN"]
    install = db.session.scalar(select(ShopInstall).where(ShopInstall.shop_domain == shop))
    if install is None:
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
        install = ShopInstall(
            brand_id=brand.id,
            shop_domain=shop,
            token_kind="demo",  # noqa: S106 - a kind, not a secret
            scopes="read_products,read_orders,write_orders,read_themes,write_cart_transforms",
            api_version=current_app.config["SHOPIFY_API_VERSION"],
            storefront_domains=_local_origins(),
            installed_at=utcnow(),
        )
        db.session.add(install)
        record(
            "shop.installed",
            actor="seed-demo",
            brand_id=brand.id,
            target_type="shop",
            target_id=shop,
            details={"demo": True},
        )
    brand = db.session.get(Brand, install.brand_id)
    install.storefront_domains = sorted(
        set(install.storefront_domains or []) | set(_local_origins())
    )

    product = db.session.scalar(
        select(Product).where(Product.brand_id == brand.id, Product.external_id == DEMO_PRODUCT_ID)
    )
    if product is None:
        product = Product(
            brand_id=brand.id,
            platform="shopify",
            external_id=DEMO_PRODUCT_ID,
            title="Personalized Ceramic Mug",
            handle="personalized-ceramic-mug",
            personalizable=True,
            template=samples.demo_template("mug"),
        )
        db.session.add(product)
        db.session.flush()
    storage = current_app.extensions["luneo.storage"]
    key = f"{brand_prefix(brand.id)}products/{product.id}/photo.png"
    if not storage.exists(key):
        storage.put(key, samples.demo_product_photo("mug"), "image/png")
    product.image_key = key
    product.images = [{"key": key, "alt": product.title}]
    db.session.commit()
    seed_demo_model(product, "mug")  # a generated, UV-mapped 3D mug for the 3D/AR view
    seed_brand_store()
    return DemoSeed(brand.id, shop, product.id, product.title)


def seed_brand_store() -> DemoSeed:
    """The demo of a non-Shopify store: an API brand whose own site embeds the widget.

    Its registered origins are the local ones, so ``/demo/brand-store`` works from the
    README's start command. Idempotent.
    """
    from render import samples

    product = store_product()
    if product is None:
        brand = Brand(
            kind="api",
            name=STORE_BRAND_NAME,
            plan="demo",
            currency="EUR",
            settings={"demo": True, "retentionDays": 90, "aiEnabled": False},
        )
        db.session.add(brand)
        db.session.flush()
        product = Product(
            brand_id=brand.id,
            platform="api",
            external_id=STORE_PRODUCT_ID,
            title="Keepsake Mug",
            personalizable=True,
            template={**samples.demo_template("mug"), "options": STORE_OPTIONS},
        )
        db.session.add(product)
        db.session.flush()
        record(
            "brand.created",
            actor="seed-demo",
            brand_id=brand.id,
            target_type="brand",
            target_id=brand.id,
            details={"demo": True},
        )
    brand = db.session.get(Brand, product.brand_id)
    origins = sorted(set((brand.settings or {}).get("embedOrigins") or []) | set(_local_origins()))
    brand.settings = {**(brand.settings or {}), "embedOrigins": origins}
    storage = current_app.extensions["luneo.storage"]
    key = f"{brand_prefix(brand.id)}products/{product.id}/photo.png"
    if not storage.exists(key):
        storage.put(key, samples.demo_product_photo("mug"), "image/png")
    product.image_key = key
    db.session.commit()
    return DemoSeed(brand.id, "", product.id, product.title)


def store_product() -> Product | None:
    """The demo store's product (its brand is the demo API brand), once seeded."""
    return db.session.scalar(
        select(Product)
        .join(Brand, Brand.id == Product.brand_id)
        .where(
            Brand.kind == "api",
            Brand.name == STORE_BRAND_NAME,
            Product.platform == "api",
            Product.external_id == STORE_PRODUCT_ID,
        )
    )


def _local_origins() -> list[str]:
    """Origins the demo storefront page is served from."""
    app_url = current_app.config["APP_URL"]
    return sorted({app_url, "http://127.0.0.1:5000", "http://localhost:5000"})
