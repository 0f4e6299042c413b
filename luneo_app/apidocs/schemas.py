# ruff: noqa: N815 - the API's camelCase field names
"""Typed schemas of the API's JSON bodies, for the OpenAPI document.

The error envelope is what :mod:`luneo_app.web_errors` answers on every error. The template,
print area, option, layer and upload schemas describe the shapes that
``designs.template.validate_template`` / ``check_layers`` and the render engine
(``render/SPEC.md``) accept; those checks stay the validators because they name each bad field
in the merchant's words (``printAreas[0].widthMm``), which the admin editor shows as is.
"""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, Dict, Float, Integer, List, Nested, Raw, String
from apiflask.validators import OneOf
from marshmallow import INCLUDE

from ..designs.template import OPTION_TYPES

MATERIALS = ["gold", "silver", "rose-gold", "black-anodized", "wood-burn", "glass-etch"]


class ErrorDetail(Schema):
    code = String(
        required=True,
        metadata={"description": "Machine-readable code.", "example": "validation_failed"},
    )
    message = String(
        required=True,
        metadata={
            "description": "What went wrong, for a person.",
            "example": "The request body or query did not pass validation.",
        },
    )
    details = Raw(
        allow_none=True,
        metadata={
            "description": "Per-field problems (field path -> message), or null.",
            "example": {"printAreas[0].widthMm": "physical width must be 1–2000 mm"},
        },
    )


class ErrorBody(Schema):
    """``{"error": {code, message, details}}``: the body of every 4xx and 5xx answer."""

    error = Nested(ErrorDetail, required=True)


class Placement(Schema):
    x = Float(metadata={"description": "Centre in the print area, 0..1.", "example": 0.5})
    y = Float(metadata={"description": "Centre in the print area, 0..1.", "example": 0.5})
    rotation = Float(metadata={"description": "Degrees, clockwise.", "example": 0})


class PrintArea(Schema):
    class Meta:
        unknown = INCLUDE

    id = String(required=True, metadata={"example": "front"})
    x = Float(
        required=True, metadata={"description": "Left, fraction of the photo.", "example": 0.3}
    )
    y = Float(
        required=True, metadata={"description": "Top, fraction of the photo.", "example": 0.35}
    )
    width = Float(required=True, metadata={"description": "Fraction of the photo.", "example": 0.4})
    height = Float(
        required=True, metadata={"description": "Fraction of the photo.", "example": 0.2}
    )
    rotation = Float(metadata={"description": "Degrees, -360..360.", "example": 0})
    widthMm = Float(
        required=True, metadata={"description": "Physical width, 1-2000 mm.", "example": 80}
    )  # noqa: N815
    heightMm = Float(
        required=True, metadata={"description": "Physical height, 1-2000 mm.", "example": 40}
    )  # noqa: N815
    mask = String(
        allow_none=True,
        validate=OneOf(["rect", "ellipse", "rounded"]),
        metadata={"description": "Printable shape inside the area.", "example": "rounded"},
    )
    maxChars = Integer(metadata={"description": "Most characters of text in this area."})  # noqa: N815


class OptionValue(Schema):
    value = Raw(
        required=True,
        allow_none=True,
        metadata={
            "description": "The value sent in `options` (null = printed colour).",
            "example": "gold",
        },
    )
    label = String(metadata={"example": "Gold engraving"})
    priceCents = Integer(metadata={"description": "Price add-on of this choice.", "example": 500})  # noqa: N815
    color = String(metadata={"description": "Swatch colour, #rrggbb.", "example": "#d4af37"})


class ShowWhen(Schema):
    option = String(
        required=True, metadata={"description": "Another option's id.", "example": "finish"}
    )
    equals = Raw(required=True, allow_none=True, metadata={"example": "gold"})


class TemplateOption(Schema):
    """What the shopper fills in; the widget draws its form from these."""

    class Meta:
        unknown = INCLUDE

    id = String(required=True, metadata={"example": "name"})
    type = String(required=True, validate=OneOf(sorted(OPTION_TYPES)), metadata={"example": "text"})
    label = String(required=True, metadata={"description": "Shown to shoppers.", "example": "Name"})
    printArea = String(metadata={"description": "A print area id.", "example": "front"})  # noqa: N815
    maxChars = Integer(metadata={"description": "Text: 1-500 characters.", "example": 12})  # noqa: N815
    fonts = List(
        String(),
        metadata={"description": "Text: allowed font ids.", "example": ["playfair-display"]},
    )
    minSize = Float(metadata={"description": "Text: smallest size, pt.", "example": 10})  # noqa: N815
    maxSize = Float(metadata={"description": "Text: largest size, pt.", "example": 48})  # noqa: N815
    default = Raw(allow_none=True)
    priceCents = Integer(metadata={"description": "Price add-on when used.", "example": 300})  # noqa: N815
    values = List(
        Nested(OptionValue), metadata={"description": "Choices (material, color, choice)."}
    )
    minDpi = Integer(metadata={"description": "Image: least effective dpi.", "example": 150})  # noqa: N815
    required = Boolean()
    help = String()
    placeholder = String()
    showWhen = Nested(
        ShowWhen, metadata={"description": "Show only when another option has a value."}
    )  # noqa: N815


class TemplateProduct(Schema):
    background = String(
        metadata={"description": "Colour when there is no photo.", "example": "#ffffff"}
    )
    aspect = Float(metadata={"description": "Width/height when there is no photo.", "example": 1.0})


class Template(Schema):
    """A product's personalization template."""

    class Meta:
        unknown = INCLUDE

    product = Nested(TemplateProduct)
    printAreas = List(Nested(PrintArea), required=True, metadata={"description": "At least one."})  # noqa: N815
    fonts = List(String(), metadata={"description": "Allowed font ids (all when absent)."})
    materials = List(
        String(allow_none=True),
        metadata={"description": f"Allowed materials: null (print), {', '.join(MATERIALS)}."},
    )
    options = List(Nested(TemplateOption))


TEMPLATE_EXAMPLE = {
    "printAreas": [
        {"id": "front", "x": 0.3, "y": 0.35, "width": 0.4, "height": 0.2, "rotation": 0,
         "widthMm": 80, "heightMm": 40, "mask": "rounded"}
    ],
    "fonts": ["playfair-display", "dancing-script"],
    "materials": [None, "gold"],
    "options": [
        {"id": "name", "type": "text", "label": "Name", "printArea": "front", "maxChars": 12,
         "priceCents": 300},
        {"id": "finish", "type": "material", "label": "Finish",
         "values": [{"value": None, "label": "Printed"}, {"value": "gold", "priceCents": 500}]},
        {"id": "photo", "type": "image", "label": "Photo", "printArea": "front", "minDpi": 150},
    ],
}  # fmt: skip


class Crop(Schema):
    x = Float(metadata={"example": 0})
    y = Float(metadata={"example": 0})
    width = Float(metadata={"example": 1})
    height = Float(metadata={"example": 1})


class Layer(Placement):
    """One thing drawn in a print area: text, a photo (an upload) or AI artwork."""

    class Meta:
        unknown = INCLUDE

    type = String(
        required=True, validate=OneOf(["text", "image", "ai"]), metadata={"example": "text"}
    )
    printArea = String(required=True, metadata={"example": "front"})  # noqa: N815
    optionId = String(metadata={"description": "The template option this layer fills."})  # noqa: N815
    text = String(
        metadata={"description": "text: the words; may contain newlines.", "example": "Jessica"}
    )
    font = String(metadata={"description": "text: a font id.", "example": "dancing-script"})
    size = Raw(metadata={"description": 'text: points, or "auto" to fit.', "example": 24})
    autoFit = Boolean(metadata={"example": True})  # noqa: N815
    align = String(validate=OneOf(["left", "center", "right"]), metadata={"example": "center"})
    color = String(metadata={"description": "#rrggbb when printed.", "example": "#1f2a44"})
    material = String(
        allow_none=True, metadata={"description": "Engraving material or null.", "example": "gold"}
    )
    curve = Float(metadata={"description": "text: arc in degrees, -180..180.", "example": 0})
    letterSpacing = Float(metadata={"description": "text: em, -0.5..2."})  # noqa: N815
    uploadId = String(
        metadata={"description": "image: an upload of this brand.", "example": "upl_..."}
    )  # noqa: N815
    crop = Nested(Crop, metadata={"description": "image: fractions of the photo."})
    scale = Float(metadata={"description": "image: 1 = fit the print area.", "example": 1.0})
    opacity = Float(metadata={"example": 1.0})
    prompt = String(metadata={"description": "ai: what to draw.", "example": "a fox in the snow"})
    seed = Integer(metadata={"description": "ai: variation number."})
    artworkUrl = String(dump_only=True, metadata={"description": "ai: the artwork (answers only)."})  # noqa: N815


LAYER_EXAMPLE = {
    "type": "text", "printArea": "front", "optionId": "name", "text": "Jessica",
    "font": "dancing-script", "autoFit": True, "color": "#1f2a44",
}  # fmt: skip
OPTIONS_DOC = {
    "type": "object",
    "description": "The shopper's choices by template option id: text, a choice's value, an "
    "upload id (image options) or a prompt (ai options).",
    "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
    "example": {"name": "Jessica", "finish": "gold"},
}


class PrintQuality(Schema):
    effectiveDpi = Integer(metadata={"example": 212})  # noqa: N815
    verdict = String(validate=OneOf(["good", "low", "too_low"]), metadata={"example": "good"})
    minDpi = Integer(metadata={"example": 150})  # noqa: N815


class UploadOut(Schema):
    uploadId = String(metadata={"example": "upl_3kq2..."})  # noqa: N815
    width = Integer(metadata={"example": 2400})
    height = Integer(metadata={"example": 1800})
    contentType = String(metadata={"example": "image/jpeg"})  # noqa: N815
    url = String(metadata={"description": "Signed, short-lived URL of the cleaned photo."})
    printQuality = Nested(PrintQuality, allow_none=True)  # noqa: N815


__all__ = [
    "Dict",
    "ErrorBody",
    "LAYER_EXAMPLE",
    "Layer",
    "OPTIONS_DOC",
    "TEMPLATE_EXAMPLE",
    "Template",
    "UploadOut",
]
