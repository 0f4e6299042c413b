"""Request and response schemas of the 3D API (documented in /openapi.json)."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, Dict, File, Float, Integer, List, Raw, String
from apiflask.validators import Length, OneOf

from render.three_d.materials import ENGRAVING_FINISHES

UV_RECT_HELP = (
    "`auto` (default: true scale on the front of the print material when the model says its "
    "size, else the whole material), empty for the whole material, or `u0,v0,u1,v1` in glTF "
    "UV space (v down)."
)


class ModelUploadIn(Schema):
    file = File(required=True, metadata={"description": "The product model, binary glTF (.glb)."})
    material = String(
        load_default=None,
        validate=Length(max=128),
        metadata={"description": "Name of the material that carries the design."},
    )
    uvRect = String(load_default="auto", metadata={"description": UV_RECT_HELP})  # noqa: N815
    printArea = String(  # noqa: N815
        load_default=None,
        validate=Length(max=64),
        metadata={"description": "Print area of the template shown on the model (first)."},
    )
    engravingMaterial = String(  # noqa: N815
        load_default=None,
        validate=OneOf(list(ENGRAVING_FINISHES)),
        metadata={"description": "Finish of the engraved marks (metalness, roughness)."},
    )


class ModelSettingsIn(Schema):
    material = String(load_default=None, allow_none=True, validate=Length(max=128))
    uvRect = Raw(load_default="auto", allow_none=True, metadata={"description": UV_RECT_HELP})  # noqa: N815
    printArea = String(load_default=None, allow_none=True, validate=Length(max=64))  # noqa: N815
    engravingMaterial = String(load_default=None, allow_none=True)  # noqa: N815


class ModelMaterialOut(Schema):
    name = String()
    triangles = Integer()
    hasUvs = Boolean()  # noqa: N815
    printAreaMm = List(Float(), allow_none=True)  # noqa: N815


class ModelOut(Schema):
    productId = String()  # noqa: N815
    modelUrl = String(metadata={"description": "Signed download URL of the GLB."})  # noqa: N815
    material = String(allow_none=True)
    uvRect = List(Float(), allow_none=True)  # noqa: N815
    placement = String(metadata={"description": "auto | manual | fill"})
    stretch = Float(
        allow_none=True,
        metadata={
            "description": "How much the design is stretched on the model: the aspect of "
            "where it lands over the print area's aspect (1.0 = true shape; over 2 % off "
            "comes with a warning). Null when a size is unknown."
        },
    )
    printArea = String(allow_none=True)  # noqa: N815
    engravingMaterial = String(allow_none=True)  # noqa: N815
    sha256 = String()
    sizeBytes = Integer()  # noqa: N815
    triangles = Integer()
    sizeM = List(Float(), metadata={"description": "Width, height, depth in metres (Y up)."})  # noqa: N815
    materials = List(Dict())
    warnings = List(String())


class ArReadyOut(Schema):
    designId = String()  # noqa: N815
    status = String(metadata={"description": "ready | waiting_for_preview | queued | rendering"})
    glbUrl = String(allow_none=True, metadata={"description": "Signed URL (1 h), glTF binary."})  # noqa: N815
    usdzUrl = String(allow_none=True, metadata={"description": "Signed URL (1 h), ARKit USDZ."})  # noqa: N815
    expiresAt = String(allow_none=True)  # noqa: N815
    retryAfter = Integer(allow_none=True, metadata={"description": "Seconds to wait (202)."})  # noqa: N815
