"""Design spec: parse and validate the JSON contract (render/SPEC.md) into frozen values.

``parse_spec`` turns a camelCase dict into a ``DesignSpec`` or raises ``SpecError``
with a machine code and the JSON path of the offending field. ``content_hash``
gives a stable key for caching renders of equal designs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from render import fonts, images, layout
from render.errors import SpecError
from render.images import ImageData
from render.layout import Slot, parse_slot
from render.profiles import DEFAULT as DEFAULT_PROFILE
from render.profiles import PrintProfile, parse_profile

MATERIALS = ("gold", "silver", "rose-gold", "black-anodized", "wood-burn", "glass-etch")
MASK_SHAPES = ("rect", "ellipse", "rounded")
ALIGNS = ("left", "center", "right")
MAX_PRINT_AREAS = 20
MAX_LAYERS = 50
MAX_TEXT_CHARS = 500
RGB = tuple[int, int, int]
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


@dataclass(frozen=True)
class Product:
    """The product photo (or a blank of ``background`` colour at ``aspect`` = w/h)."""

    image: ImageData | None = None
    background: RGB = (255, 255, 255)
    aspect: float = 1.0


@dataclass(frozen=True)
class PrintArea:
    """Where a design may go: a box in image fractions, rotated about its centre."""

    id: str
    x: float
    y: float
    width: float
    height: float
    width_mm: float
    height_mm: float
    rotation: float = 0.0
    mask: str | ImageData | None = None  # None/"rect" | "ellipse" | "rounded" | PNG
    max_chars: int | None = None
    profile: PrintProfile = DEFAULT_PROFILE

    def safe_box_mm(self) -> tuple[float, float, float, float]:
        """The safe zone (x0, y0, x1, y1) in mm from the area's top-left corner."""
        s = min(self.profile.safe_mm, self.width_mm / 2, self.height_mm / 2)
        return (s, s, self.width_mm - s, self.height_mm - s)


@dataclass(frozen=True)
class Crop:
    """A sub-rectangle of a source image, in fractions of it."""

    x: float = 0.0
    y: float = 0.0
    width: float = 1.0
    height: float = 1.0


@dataclass(frozen=True)
class TextLayer:
    """Text set in one font, printed in ``color`` or engraved in ``material``."""

    print_area: str
    text: str
    font: str
    size_pt: float | None = None  # None: fit the area
    auto_fit: bool = True
    align: str = "center"
    color: RGB = (26, 26, 26)
    material: str | None = None
    curve: float = 0.0
    x: float = 0.5
    y: float = 0.5
    rotation: float = 0.0
    letter_spacing: float = 0.0  # em
    line_height: float = 1.2  # multiple of the font size
    max_chars: int | None = None
    type: str = "text"


@dataclass(frozen=True)
class ImageLayer:
    """A picture placed in a print area (engraved from its darkness with ``material``)."""

    print_area: str
    image: ImageData
    crop: Crop = Crop()
    scale: float = 1.0  # 1.0 = fit inside the print area
    rotation: float = 0.0
    x: float = 0.5
    y: float = 0.5
    opacity: float = 1.0
    material: str | None = None
    fit: tuple[float, float] = (1.0, 1.0)  # share of the area's width/height that scale 1 fits
    clip: Slot | None = None  # the slot the picture is cut to (fractions of the area)
    type: str = "image"


Layer = TextLayer | ImageLayer


@dataclass(frozen=True)
class DesignSpec:
    """A whole design: product, print areas and layers in paint order."""

    product: Product
    print_areas: tuple[PrintArea, ...]
    layers: tuple[Layer, ...] = ()

    def area(self, area_id: str | None = None) -> PrintArea:
        """The print area ``area_id`` (the first one when None)."""
        if area_id is None:
            return self.print_areas[0]
        for area in self.print_areas:
            if area.id == area_id:
                return area
        known = ", ".join(a.id for a in self.print_areas)
        raise SpecError("unknown_print_area", f"no print area {area_id!r}; areas: {known}", "area")

    def layers_in(self, area_id: str) -> tuple[Layer, ...]:
        """Layers that belong to ``area_id``, in paint order."""
        return tuple(layer for layer in self.layers if layer.print_area == area_id)


def parse_spec(
    data: Mapping[str, Any] | DesignSpec, base_dir: str | Path | None = None
) -> DesignSpec:
    """Validate a design spec dict and return it as a ``DesignSpec``.

    Images are bytes, ``data:`` URLs or ``pathlib.Path``; with ``base_dir`` (the CLI)
    plain strings are file paths relative to it. Raises ``SpecError`` on bad input.
    """
    if isinstance(data, DesignSpec):
        return data
    if not isinstance(data, Mapping):
        raise SpecError("invalid_spec", "a design spec must be a JSON object")
    p = _Parser(Path(base_dir) if base_dir is not None else None)
    product = p.product(data.get("product") or {})
    areas = p.print_areas(data.get("printAreas"))
    raw_layers = data.get("layers") or []
    if not isinstance(raw_layers, list):
        raise SpecError("invalid_spec", "layers must be a list", "layers")
    if len(raw_layers) > MAX_LAYERS:
        raise SpecError("too_many_layers", f"at most {MAX_LAYERS} layers", "layers")
    layers = tuple(p.layer(raw, f"layers[{i}]", areas) for i, raw in enumerate(raw_layers))
    return DesignSpec(product, areas, layers)


def content_hash(spec: Mapping[str, Any] | DesignSpec) -> str:
    """SHA-256 hex of the canonical design: equal designs give equal hashes.

    Defaults are filled in, numbers normalised and every image replaced by the
    SHA-256 of its bytes, so key order, ``1`` vs ``1.0`` or how an image was passed
    (bytes, path, data URL) do not change the hash.
    """
    canonical = json.dumps(
        _canonical(parse_spec(spec)), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, ImageData):
        return {"sha256": value.sha256}
    if isinstance(value, float):
        return round(value, 6) + 0.0
    if isinstance(value, (tuple, list)):
        return [_canonical(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _canonical(getattr(value, f.name)) for f in fields(value)}
    return value


def parse_color(value: Any, field: str) -> RGB:
    """``#rgb`` / ``#rrggbb`` -> (r, g, b); ``SpecError('bad_color')`` otherwise."""
    if not isinstance(value, str) or not _HEX.match(value.strip()):
        raise SpecError("bad_color", f"colour must look like #1a2b3c, got {value!r}", field)
    h = value.strip()[1:]
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


class _Parser:
    def __init__(self, base_dir: Path | None) -> None:
        self.base_dir = base_dir

    # -- scalars ------------------------------------------------------------------

    @staticmethod
    def num(d: Mapping, key: str, field: str, default: float | None, lo: float, hi: float) -> float:
        value = d.get(key, default)
        if value is None and default is not None:
            value = default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError("bad_value", f"{key} must be a number", f"{field}.{key}")
        if not (lo <= value <= hi):
            raise SpecError("bad_value", f"{key} must be between {lo} and {hi}", f"{field}.{key}")
        return float(value)

    @staticmethod
    def opt_int(d: Mapping, key: str, field: str) -> int | None:
        value = d.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise SpecError("bad_value", f"{key} must be a positive integer", f"{field}.{key}")
        return value

    @staticmethod
    def choice(d: Mapping, key: str, field: str, options: tuple, default: Any, code: str) -> Any:
        value = d.get(key, default)
        if value not in options and value is not None:
            raise SpecError(
                code, f"{key} must be one of {', '.join(options)}; got {value!r}", f"{field}.{key}"
            )
        return value

    def image(self, value: Any, field: str) -> ImageData:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return images.inspect(bytes(value), field)
        if isinstance(value, str) and value.startswith("data:"):
            try:
                return images.inspect(
                    base64.b64decode(value.split(",", 1)[1], validate=True), field
                )
            except (IndexError, binascii.Error):
                raise SpecError("bad_image", "malformed data: URL", field) from None
        if isinstance(value, Path) or (
            isinstance(value, str) and value and self.base_dir is not None
        ):
            path = Path(value) if isinstance(value, Path) else self.base_dir / value
            try:
                return images.inspect(path.read_bytes(), field)
            except OSError as exc:
                raise SpecError(
                    "bad_image", f"cannot read image {str(value)!r}: {exc.strerror}", field
                ) from None
        raise SpecError("bad_image", "image must be bytes, a data: URL or (CLI) a file path", field)

    # -- objects ------------------------------------------------------------------

    def product(self, d: Any) -> Product:
        if not isinstance(d, Mapping):
            raise SpecError("invalid_spec", "product must be an object", "product")
        image = d.get("image")
        return Product(
            image=self.image(image, "product.image") if image not in (None, "") else None,
            background=parse_color(d.get("background", "#ffffff"), "product.background"),
            aspect=self.num(d, "aspect", "product", 1.0, 0.1, 10.0),
        )

    def print_areas(self, raw: Any) -> tuple[PrintArea, ...]:
        if not isinstance(raw, list) or not raw:
            raise SpecError("invalid_spec", "printAreas must be a non-empty list", "printAreas")
        if len(raw) > MAX_PRINT_AREAS:
            raise SpecError("invalid_spec", f"at most {MAX_PRINT_AREAS} print areas", "printAreas")
        areas: list[PrintArea] = []
        for i, d in enumerate(raw):
            f = f"printAreas[{i}]"
            if not isinstance(d, Mapping):
                raise SpecError("invalid_spec", "a print area must be an object", f)
            area_id = d.get("id")
            if not isinstance(area_id, str) or not area_id.strip():
                raise SpecError("invalid_spec", "a print area needs a non-empty id", f"{f}.id")
            if any(a.id == area_id for a in areas):
                raise SpecError(
                    "duplicate_print_area", f"print area id {area_id!r} is used twice", f"{f}.id"
                )
            x, y = self.num(d, "x", f, None, 0, 1), self.num(d, "y", f, None, 0, 1)
            w, h = self.num(d, "width", f, None, 1e-4, 1), self.num(d, "height", f, None, 1e-4, 1)
            if x + w > 1.0001 or y + h > 1.0001:
                raise SpecError(
                    "print_area_outside_image", f"print area {area_id!r} extends past the image", f
                )
            areas.append(
                PrintArea(
                    id=area_id, x=x, y=y, width=w, height=h,
                    width_mm=self.num(d, "widthMm", f, None, 0.5, 5000),
                    height_mm=self.num(d, "heightMm", f, None, 0.5, 5000),
                    rotation=self.num(d, "rotation", f, 0.0, -360, 360),
                    mask=self.mask(d.get("mask"), f"{f}.mask"),
                    max_chars=self.opt_int(d, "maxChars", f),
                    profile=parse_profile(d.get("profile"), f"{f}.profile"),
                )
            )  # fmt: skip
        return tuple(areas)

    def mask(self, value: Any, field: str) -> str | ImageData | None:
        if value in (None, "", "rect"):
            return None
        if value in MASK_SHAPES:
            return value
        if isinstance(value, str) and not value.startswith("data:") and self.base_dir is None:
            raise SpecError(
                "bad_mask", f"mask must be one of {', '.join(MASK_SHAPES)} or PNG bytes", field
            )
        try:
            return self.image(value, field)
        except SpecError as exc:
            raise SpecError(
                "bad_mask" if exc.code == "bad_image" else exc.code, exc.message, field
            ) from None

    def layer(self, d: Any, f: str, areas: tuple[PrintArea, ...]) -> Layer:
        if not isinstance(d, Mapping):
            raise SpecError("invalid_spec", "a layer must be an object", f)
        kind = d.get("type")
        if kind not in ("text", "image"):
            raise SpecError(
                "unknown_layer_type", f"layer type must be text or image, got {kind!r}", f"{f}.type"
            )
        area_id = d.get("printArea")
        if area_id is None and len(areas) == 1:
            area_id = areas[0].id
        area = next((a for a in areas if a.id == area_id), None)
        if area is None:
            raise SpecError(
                "unknown_print_area",
                f"layer names no existing print area ({area_id!r})",
                f"{f}.printArea",
            )
        x, y = self.num(d, "x", f, 0.5, -1e9, 1e9), self.num(d, "y", f, 0.5, -1e9, 1e9)
        if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
            raise SpecError(
                "layer_outside_print_area",
                f"the layer's centre ({x:g}, {y:g}) lies outside print area {area.id!r} (0..1)",
                f"{f}.x",
            )
        rotation = self.num(d, "rotation", f, 0.0, -360, 360)
        material = self.choice(d, "material", f, MATERIALS, None, "unknown_material")
        slot = parse_slot(d.get("slot"), f"{f}.slot")
        area_mm = (area.width_mm, area.height_mm)
        if kind == "image":
            return layout.resolve_image(
                self.image_layer(d, f, area.id, x, y, rotation, material), slot, area_mm
            )
        arc = d.get("arcRadiusMm")
        if arc is not None:
            arc = self.num(d, "arcRadiusMm", f, None, -10000, 10000)
            if abs(arc) < 1:
                raise SpecError(
                    "bad_value", "arcRadiusMm must be at least 1 mm", f"{f}.arcRadiusMm"
                )
        placed = self.text_layer(d, f, area, x, y, rotation, material)
        try:
            return layout.resolve_text(placed, slot, area_mm, arc)
        except SpecError as exc:
            raise SpecError(exc.code, exc.message, f"{f}.text") from None

    def text_layer(
        self,
        d: Mapping,
        f: str,
        area: PrintArea,
        x: float,
        y: float,
        rotation: float,
        material: str | None,
    ) -> TextLayer:
        raw = d.get("text")
        if not isinstance(raw, str):
            raise SpecError("invalid_spec", "text must be a string", f"{f}.text")
        text = fonts.clean_text(raw).strip("\n")
        if not text.strip():
            raise SpecError("empty_text", "text is empty", f"{f}.text")
        count = len(text.replace("\n", ""))
        limit = self.opt_int(d, "maxChars", f)
        for cap, where in (
            (limit, "layer"),
            (area.max_chars, "print area"),
            (MAX_TEXT_CHARS, "engine"),
        ):
            if cap is not None and count > cap:
                raise SpecError(
                    "text_too_long",
                    f"text has {count} characters; the {where} allows {cap}",
                    f"{f}.text",
                )
        bad = next(
            (ch for ch in text if ch != "\n" and (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0)), None
        )
        if bad is not None:
            raise SpecError(
                "unsupported_character", f"control character U+{ord(bad):04X} in text", f"{f}.text"
            )
        font_id = d.get("font", "dejavu-sans")
        try:
            fonts.get(font_id)
        except SpecError as exc:
            raise SpecError(exc.code, exc.message, f"{f}.font") from None
        for line in text.split("\n"):
            try:
                fonts.runs(font_id, line)
            except SpecError as exc:
                raise SpecError(exc.code, exc.message, f"{f}.text") from None
        size = d.get("size")
        size_pt = None if size in (None, "auto") else self.num(d, "size", f, None, 1, 1000)
        auto_fit = d.get("autoFit", size_pt is None)
        if not isinstance(auto_fit, bool):
            raise SpecError("bad_value", "autoFit must be true or false", f"{f}.autoFit")
        return TextLayer(
            print_area=area.id, text=text, font=font_id, size_pt=size_pt,
            auto_fit=auto_fit or size_pt is None,
            align=self.choice(d, "align", f, ALIGNS, "center", "bad_value") or "center",
            color=parse_color(_or(d.get("color"), "#1a1a1a"), f"{f}.color"),
            material=material, curve=self.num(d, "curve", f, 0.0, -180, 180),
            x=x, y=y, rotation=rotation,
            letter_spacing=self.num(d, "letterSpacing", f, 0.0, -0.5, 2.0),
            line_height=self.num(d, "lineHeight", f, 1.2, 0.5, 3.0),
            max_chars=limit,
        )  # fmt: skip

    def image_layer(
        self,
        d: Mapping,
        f: str,
        area_id: str,
        x: float,
        y: float,
        rotation: float,
        material: str | None,
    ) -> ImageLayer:
        if d.get("image") in (None, ""):
            raise SpecError("bad_image", "an image layer needs an image", f"{f}.image")
        image = self.image(d.get("image"), f"{f}.image")
        c = d.get("crop") or {}
        if not isinstance(c, Mapping):
            raise SpecError("bad_value", "crop must be an object", f"{f}.crop")
        fc = f"{f}.crop"
        crop = Crop(
            self.num(c, "x", fc, 0.0, 0, 1), self.num(c, "y", fc, 0.0, 0, 1),
            self.num(c, "width", fc, 1.0, 1e-3, 1), self.num(c, "height", fc, 1.0, 1e-3, 1),
        )  # fmt: skip
        if crop.x + crop.width > 1.0001 or crop.y + crop.height > 1.0001:
            raise SpecError("bad_value", "crop extends past the image", fc)
        return ImageLayer(
            print_area=area_id, image=image, crop=crop,
            scale=self.num(d, "scale", f, 1.0, 0.01, 20), rotation=rotation, x=x, y=y,
            opacity=self.num(d, "opacity", f, 1.0, 0, 1), material=material,
        )  # fmt: skip


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value
