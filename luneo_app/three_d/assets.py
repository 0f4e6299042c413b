"""The widget's 3D module and the vendored ``<model-viewer>``, served by Luneo, plus a demo
page (demo mode only) that shows the demo mug personalised in 2D, 3D and AR.

``/3d/three-d.js`` finds ``vendor/...`` next to itself, so the same files also work when
the widget app serves the whole ``widget/`` folder.
"""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app, render_template, send_from_directory
from sqlalchemy import select

from ..auth.principal import Principal
from ..config import PROJECT_ROOT
from ..core.errors import NotFound
from ..designs import service as designs
from ..extensions import db
from ..models import Design, Product, ShopInstall
from . import tasks

bp = APIBlueprint("three_d_assets", __name__, template_folder="templates", enable_openapi=False)

WIDGET_DIR = PROJECT_ROOT / "widget"
MODEL_VIEWER_FILE = "model-viewer-4.4.0.min.js"
VENDOR_FILES = {MODEL_VIEWER_FILE, "model-viewer-LICENSE", "model-viewer-README.md"}


def _javascript(folder, name: str, max_age: int):  # type: ignore[no-untyped-def]
    response = send_from_directory(folder, name, max_age=max_age, conditional=True)
    if name.endswith(".js"):
        response.mimetype = "text/javascript"
    response.headers["Access-Control-Allow-Origin"] = "*"  # public code; module scripts use CORS
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/3d/three-d.js")
def three_d_js():  # type: ignore[no-untyped-def]
    """The widget's 3D module (small; loads model-viewer when a 3D tab opens)."""
    return _javascript(WIDGET_DIR, "three-d.js", max_age=300)


@bp.get("/3d/vendor/<name>")
def vendor(name: str):  # type: ignore[no-untyped-def]
    """The vendored model-viewer build (versioned name: cached for a year) and its licence."""
    if name not in VENDOR_FILES:
        raise NotFound("No such file.")
    max_age = 31_536_000 if name == MODEL_VIEWER_FILE else 3600
    return _javascript(WIDGET_DIR / "vendor", name, max_age=max_age)


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
