"""3D engine: product models, personalised GLB and ARKit USDZ. No Flask, no database.

Public API::

    generate_model(kind, triangles=None) -> ProductModel
    demo_model_glb(kind, triangles=None) -> bytes
    validate_model(glb_bytes, limits=Limits()) -> ModelInfo
    bake_glb(model_glb, texture, *, material_name=None, uv_rect=None,
             engraving_material=None) -> bytes
    bake(model_glb, texture, ...) -> BakedModel   # .glb(); make_usdz(baked) re-encodes nothing
    make_usdz(model_glb_or_baked, texture=None, ...) -> bytes   # imports usd-core

Errors are ``ModelError(code, message)``.
"""

from typing import Any

from render.three_d.errors import ModelError
from render.three_d.glb import BakedModel, bake, bake_glb
from render.three_d.models import ProductModel, demo_model_glb, generate_model
from render.three_d.validate import Limits, ModelInfo, validate_model


def make_usdz(*args: Any, **kwargs: Any) -> bytes:
    """USDZ bytes: ``render.three_d.usdz.make_usdz``, imported on first use (usd-core is big)."""
    from render.three_d.usdz import make_usdz as _make_usdz

    return _make_usdz(*args, **kwargs)


__all__ = [
    "BakedModel",
    "Limits",
    "ModelError",
    "ModelInfo",
    "ProductModel",
    "bake",
    "bake_glb",
    "demo_model_glb",
    "generate_model",
    "make_usdz",
    "validate_model",
]
