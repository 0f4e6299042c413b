"""Small factories for test data."""

from __future__ import annotations

from luneo_app.extensions import db
from luneo_app.models import Brand, Product, ShopInstall


def make_brand(name: str = "Acme Engraving", kind: str = "api", **fields: object) -> Brand:
    brand = Brand(name=name, kind=kind, **fields)
    db.session.add(brand)
    db.session.commit()
    return brand


def make_shop(domain: str = "acme.myshopify.com", **fields: object) -> tuple[Brand, ShopInstall]:
    brand = make_brand(name=domain.split(".")[0].title(), kind="shopify")
    install = ShopInstall(brand_id=brand.id, shop_domain=domain, **fields)
    db.session.add(install)
    db.session.commit()
    return brand, install


def make_product(brand: Brand, template: dict | None = None, **fields: object) -> Product:
    product = Product(
        brand_id=brand.id,
        platform=brand.kind,
        external_id=fields.pop("external_id", "p-1"),
        title=fields.pop("title", "Engraved Ring"),
        template=template or {},
        personalizable=True,
        **fields,
    )
    db.session.add(product)
    db.session.commit()
    return product
