"""The home page: in the embedded default it shows the demo shop and where to go next."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app, render_template
from sqlalchemy import select

from ..extensions import db
from ..models import Product, ShopInstall

bp = APIBlueprint("demo", __name__, template_folder="templates", enable_openapi=False)


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    """Landing page; with demo mode on, the demo shop, its products and the next steps."""
    demo = None
    if current_app.config["DEMO_MODE"]:
        install = db.session.scalar(
            select(ShopInstall).where(
                ShopInstall.shop_domain == current_app.config["DEMO_SHOP_DOMAIN"]
            )
        )
        if install is not None:
            storage = current_app.extensions["luneo.storage"]
            products = db.session.scalars(
                select(Product).where(Product.brand_id == install.brand_id).order_by(Product.title)
            ).all()
            demo = {
                "shop": install.shop_domain,
                "products": [
                    {
                        "title": p.title,
                        "id": p.id,
                        "personalizable": p.personalizable,
                        "areas": len((p.template or {}).get("printAreas", [])),
                        "image": storage.url(p.image_key) if p.image_key else None,
                    }
                    for p in products
                ],
            }
    links = {rule.endpoint: rule.rule for rule in current_app.url_map.iter_rules()}
    return render_template("demo/home.html", demo=demo, links=links)
