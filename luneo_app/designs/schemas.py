"""Request and response schemas of the designs API (documented in /openapi.json)."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, Dict, Float, Integer, List, Nested, String
from apiflask.validators import Length, OneOf

from ..listing import NEXT_CURSOR_DOC


class DesignIn(Schema):
    productId = String(required=True, validate=Length(1, 128))  # noqa: N815 - API casing
    options = Dict(load_default=dict)
    layers = List(Dict(), load_default=list, validate=Length(max=20))
    prompt = String(load_default=None, allow_none=True, validate=Length(max=1000))
    previewMode = String(load_default="standard", validate=OneOf(["fast", "standard", "hd"]))  # noqa: N815
    customerRef = String(load_default=None, allow_none=True, validate=Length(max=128))  # noqa: N815
    variantId = String(  # noqa: N815
        load_default=None,
        allow_none=True,
        validate=Length(1, 64),
        metadata={
            "description": "The product variant the design is for (the shop's variant id): "
            "its own photo and print areas when the template gives it some. 422 "
            "`unknown_variant` when the product's template does not list it."
        },
    )


class DesignAccepted(Schema):
    designId = String()  # noqa: N815
    status = String()
    estimatedSeconds = Float()  # noqa: N815
    cached = Boolean()
    # Who made the design's artwork: "openai" (AI) or "procedural" (pattern generator,
    # not AI); null while it is being made and for designs without artwork.
    artworkProvider = String(allow_none=True)  # noqa: N815
    artworkLabel = String(allow_none=True)  # noqa: N815


class FinalizeIn(Schema):
    contentHash = String(load_default=None, validate=Length(equal=64))  # noqa: N815
    layers = List(Dict(), load_default=None, allow_none=True)
    options = Dict(load_default=None, allow_none=True)


class ProductionFileOut(Schema):
    printArea = String()  # noqa: N815
    pngUrl = String()  # noqa: N815
    pdfUrl = String(allow_none=True)  # noqa: N815
    widthPx = Integer()  # noqa: N815
    heightPx = Integer()  # noqa: N815
    dpi = Integer()
    files = Dict()  # output name (png, pdf, pdfx4, svg, dxf, vector-pdf) -> URL
    profile = Dict(allow_none=True)
    widthMm = Float(allow_none=True)  # noqa: N815
    heightMm = Float(allow_none=True)  # noqa: N815


class PriceOut(Schema):
    addOnCents = Integer(  # noqa: N815
        metadata={
            "description": "What personalization adds to the product's price, in cents.",
            "example": 800,
        }
    )
    currency = String(metadata={"description": "ISO 4217 code.", "example": "EUR"})


class DesignOut(Schema):
    designId = String()  # noqa: N815
    productId = String()  # noqa: N815
    variantId = String(allow_none=True)  # noqa: N815
    status = String()
    previewUrl = String(allow_none=True)  # noqa: N815
    production = List(Nested(ProductionFileOut))
    options = Dict()
    layers = List(Dict())
    prompt = String(allow_none=True)
    artworkProvider = String(allow_none=True)  # noqa: N815
    artworkLabel = String(allow_none=True)  # noqa: N815
    contentHash = String()  # noqa: N815
    finalized = Boolean()
    finalizedAt = String(allow_none=True)  # noqa: N815
    committed = Boolean(
        metadata={
            "description": "True once the design was committed (added to a cart, finalized or "
            "ordered); otherwise it is a draft, which expires and is not counted as a design."
        }
    )
    createdAt = String(allow_none=True)  # noqa: N815
    timings = Dict()
    error = Dict(allow_none=True)
    price = Nested(PriceOut, metadata={"description": "The server's price of this design."})
    preflight = List(Dict())  # render.preflight findings: code, severity, message, layer
    proof = Dict()  # required, approvedAt, approvedBy


class DesignList(Schema):
    data = List(Nested(DesignOut))
    nextCursor = String(allow_none=True, metadata=NEXT_CURSOR_DOC)  # noqa: N815
