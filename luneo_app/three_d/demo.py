"""Demo mode only: the demo mug personalised with its template's example design, shown in
2D and, when the 3D tab is clicked, in 3D and AR through ``widget/three-d.js``.

The widget files themselves (``three-d.js`` and the vendored ``<model-viewer>``) are served
with the rest of ``widget/`` at ``/widget/...`` (see ``luneo_app/embed/assets.py``).
"""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app, render_template
from sqlalchemy import select

from ..auth.principal import Principal
from ..core.errors import NotFound
from ..designs import service as designs
from ..extensions import db
from ..models import Design, Product, ShopInstall
from . import tasks

bp = APIBlueprint("three_d_demo", __name__, template_folder="templates", enable_openapi=False)


@bp.get("/3d/demo")
def demo():  # type: ignore[no-untyped-def]
    """Demo mode: the demo mug with the template's example design, in 2D and (on click) 3D."""
    if not current_app.config["DEMO_MODE"]:
        raise NotFound("No such resource.")
    install = db.session.scalar(
        select(ShopInstall).where(ShopInstall.shop_domain == current_app.config["DEMO_SHOP_DOMAIN"])
    )
    product = install and db.session.scalar(
        select(Product).where(Product.brand_id == install.brand_id, Product.model_key.is_not(None))
    )
    if product is None:
        raise NotFound("Seed the demo shop first: flask luneo seed-demo.", code="no_demo")
    principal = Principal(
        brand_id=product.brand_id, kind="embed", scopes=frozenset(), subject="demo-3d"
    )
    layers = (product.template or {}).get("exampleLayers") or []
    design, _ = designs.create_design(
        principal, {"productId": product.id, "layers": layers}, source="storefront"
    )
    return _demo_page(design, product)


def _demo_page(design: Design, product: Product):  # type: ignore[no-untyped-def]
    storage = current_app.extensions["luneo.storage"]
    state = tasks.ar_status(design) if design.status != "failed" else None
    ready = state is not None and state.status == "ready"
    return render_template(
        "three_d/demo.html",
        title=product.title,
        preview_url=storage.url(design.preview_key) if design.preview_key else None,
        glb_url=storage.url(state.glb_key) if ready else None,
        usdz_url=storage.url(state.usdz_key) if ready else None,
        status=state.status if state else "failed",
    )
