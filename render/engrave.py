"""Vector files for laser engraving: SVG, DXF and a vector PDF of outlined text.

Each file is the print area at its exact physical size in millimetres with one layer per
operation: ``photo`` (picture layers, a raster engraving), ``engrave`` (the text outlines,
filled) and ``cut`` (the area's outline, a hairline the operator may use to position or
cut). Pictures have no vector form (preflight says so, ``photo_not_vector``): they are
placed as a greyscale image at their exact place and size, the tones the laser burns (black
= full power, white = none), drawn as the production PNG draws them. SVG and the vector PDF
embed it; DXF cannot embed pixels, so its IMAGE entity refers to the ``photo`` file that is
written beside it (``PhotoRaster.file_name``; ``relink_dxf`` renames the reference when the
files are copied under other names).
"""

from __future__ import annotations

import base64
import dataclasses
import io
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

import ezdxf
import numpy as np
from ezdxf import path as dxf_path
from fontTools.pens.basePen import BasePen
from fontTools.pens.transformPen import TransformPen
from PIL import Image

from render import compose, outline, preflight, press
from render.pdfwriter import POINTS_PER_MM, PdfPathPen, PdfWriter, num, text_string
from render.spec import DesignSpec, ImageLayer, PrintArea

LAYERS = ("photo", "engrave", "cut")
PHOTO_MIN_DPI = 150
FLATTEN_MM = 0.005  # DXF polylines stay within 5 µm of the curves


@dataclass(frozen=True)
class PhotoRaster:
    """The picture layers of an area as the laser's greyscale raster, cropped to their ink.

    ``box_mm`` is (x0, y0, x1, y1) from the area's top-left corner, y down; ``png`` is an
    8-bit greyscale PNG on white tagged with the production dpi."""

    png: bytes
    box_mm: tuple[float, float, float, float]
    size_px: tuple[int, int]
    file_name: str  # what a DXF's IMAGE entity refers to (the photo file beside it)


def photo_raster(
    design: DesignSpec, area: PrintArea, canvas: tuple[int, int], file_name: str = ""
) -> PhotoRaster | None:
    """The area's picture layers rendered like the production PNG (engraving tones in
    black), flattened on white and cropped to what they cover; None without pictures.

    The resolution is the production dpi, or less when no picture has that many pixels at
    its placed size (the sharpest picture's effective dpi, at least 150)."""
    pictures = tuple(layer for layer in design.layers_in(area.id) if isinstance(layer, ImageLayer))
    if not pictures:
        return None
    sub = dataclasses.replace(design, layers=pictures)
    # no finer than the sharpest picture's own pixels (at least 150 dpi): more would add
    # bytes and memory, not detail (600 dpi over a large area is ~50 megapixels)
    full_dpi = canvas[0] / area.width_mm * 25.4
    sharpest = max(preflight.effective_dpi(layer, area) for layer in pictures)
    dpi = min(full_dpi, max(PHOTO_MIN_DPI, math.ceil(sharpest)))
    if dpi < full_dpi:
        canvas = (
            max(1, round(area.width_mm / 25.4 * dpi)),
            max(1, round(area.height_mm / 25.4 * dpi)),
        )
    pixels = compose.render_area(sub, area, canvas, None, "production")
    rgba = pixels.to_image()
    ink = rgba.getchannel("A").getbbox()
    if ink is None:
        return None
    rgba = rgba.crop(ink)
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    dpi = round(canvas[0] / area.width_mm * 25.4)  # the PNG's tag: what it holds, exactly
    buf = io.BytesIO()
    flat.convert("L").save(buf, "PNG", dpi=(dpi, dpi), compress_level=6)
    sx, sy = area.width_mm / canvas[0], area.height_mm / canvas[1]
    box = (ink[0] * sx, ink[1] * sy, ink[2] * sx, ink[3] * sy)
    name = file_name or f"{area.id}.photo.png"
    return PhotoRaster(buf.getvalue(), box, rgba.size, name)


def engraving_paths(
    design: DesignSpec, area: PrintArea, canvas: tuple[int, int]
) -> list[outline.Commands]:
    """The outlines of every text layer of ``area`` in mm (y down), paint order."""
    return [
        outline.to_mm(o.commands, area, canvas)
        for o in outline.area_outlines(design, area, canvas)
        if o.commands
    ]


def cut_path(area: PrintArea) -> outline.Commands:
    """The print area's outline in mm (rectangle, ellipse or rounded rectangle)."""
    from fontTools.pens.recordingPen import RecordingPen

    pen = RecordingPen()
    w, h = area.width_mm, area.height_mm
    if area.mask == "ellipse":
        press._ellipse(pen, w / 2, h / 2, w / 2, h / 2)
    elif area.mask == "rounded":
        press._rounded(pen, w, h, min(w, h) * 0.12)
    else:
        pen.moveTo((0, 0))
        pen.lineTo((w, 0))
        pen.lineTo((w, h))
        pen.lineTo((0, h))
        pen.closePath()
    return tuple((op, tuple(args)) for op, args in pen.value)


class _SvgPen(BasePen):
    def __init__(self) -> None:
        super().__init__(None)
        self.d: list[str] = []

    def _moveTo(self, p):  # noqa: N802 - fontTools pen protocol
        self.d.append(f"M{num(p[0])} {num(p[1])}")

    def _lineTo(self, p):  # noqa: N802
        self.d.append(f"L{num(p[0])} {num(p[1])}")

    def _curveToOne(self, a, b, c):  # noqa: N802
        self.d.append("C" + " ".join(num(v) for v in (*a, *b, *c)))

    def _qCurveToOne(self, a, b):  # noqa: N802
        self.d.append("Q" + " ".join(num(v) for v in (*a, *b)))

    def _closePath(self):  # noqa: N802
        self.d.append("Z")

    def _endPath(self):  # noqa: N802
        pass


def svg(
    design: DesignSpec,
    area: PrintArea,
    canvas: tuple[int, int],
    title: str,
    photo: PhotoRaster | None = None,
) -> bytes:
    """An SVG whose user unit is 1 mm: ``width``/``height`` are the area in mm; ``photo``
    (see ``photo_raster``) is embedded as a PNG on the ``photo`` layer."""
    w, h = area.width_mm, area.height_mm
    image = ""
    if photo is not None:
        x0, y0, x1, y1 = photo.box_mm
        data = base64.b64encode(photo.png).decode()
        image = (
            f'  <image x="{num(x0)}" y="{num(y0)}" width="{num(x1 - x0)}" '
            f'height="{num(y1 - y0)}" preserveAspectRatio="none" '
            f'href="data:image/png;base64,{data}"/>\n'
        )
    engrave = []
    for commands in engraving_paths(design, area, canvas):
        pen = _SvgPen()
        outline.replay(commands, pen)
        engrave.append(f'  <path d="{"".join(pen.d)}"/>')
    cut = _SvgPen()
    outline.replay(cut_path(area), cut)
    body = "\n".join(engrave)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="{num(w)}mm" height="{num(h)}mm" viewBox="0 0 {num(w)} {num(h)}">
<title>{escape(title)}</title>
<g id="photo" inkscape:groupmode="layer" inkscape:label="photo">
{image}</g>
<g id="engrave" inkscape:groupmode="layer" inkscape:label="engrave" fill="#000000" fill-rule="nonzero" stroke="none">
{body}
</g>
<g id="cut" inkscape:groupmode="layer" inkscape:label="cut" fill="none" stroke="#ff0000" stroke-width="0.01">
  <path d="{"".join(cut.d)}"/>
</g>
</svg>
""".encode()  # noqa: E501


class _DxfPathPen(BasePen):
    """Build ezdxf paths (y flipped to DXF's y-up) from pen calls."""

    def __init__(self, height: float) -> None:
        super().__init__(None)
        self.h = height
        self.paths: list[dxf_path.Path] = []

    def _p(self, p):
        return (p[0], self.h - p[1])

    def _moveTo(self, p):  # noqa: N802
        self.paths.append(dxf_path.Path(self._p(p)))

    def _lineTo(self, p):  # noqa: N802
        self.paths[-1].line_to(self._p(p))

    def _curveToOne(self, a, b, c):  # noqa: N802
        self.paths[-1].curve4_to(self._p(c), self._p(a), self._p(b))

    def _qCurveToOne(self, a, b):  # noqa: N802
        self.paths[-1].curve3_to(self._p(b), self._p(a))

    def _closePath(self):  # noqa: N802
        self.paths[-1].close()

    def _endPath(self):  # noqa: N802
        pass


def dxf(
    design: DesignSpec,
    area: PrintArea,
    canvas: tuple[int, int],
    photo: PhotoRaster | None = None,
) -> bytes:
    """A DXF (R2013, millimetres) with closed polylines on layers ENGRAVE and CUT, and
    ``photo`` as an IMAGE on layer PHOTO referring to ``photo.file_name`` beside it."""
    doc = ezdxf.new("R2013", setup=False)
    doc.units = ezdxf.units.MM
    doc.header["$MEASUREMENT"] = 1
    doc.layers.add("PHOTO", color=8)
    doc.layers.add("ENGRAVE", color=7)
    doc.layers.add("CUT", color=1)
    msp = doc.modelspace()
    if photo is not None:
        x0, y0, x1, y1 = photo.box_mm
        image_def = doc.add_image_def(filename=photo.file_name, size_in_pixel=photo.size_px)
        msp.add_image(
            image_def,
            insert=(x0, area.height_mm - y1),  # DXF is y up: the image's lower-left corner
            size_in_units=(x1 - x0, y1 - y0),
            dxfattribs={"layer": "PHOTO"},
        )
    for layer, paths in (
        ("ENGRAVE", engraving_paths(design, area, canvas)),
        ("CUT", [cut_path(area)]),
    ):
        for commands in paths:
            pen = _DxfPathPen(area.height_mm)
            outline.replay(commands, pen)
            for entity in dxf_path.render_lwpolylines(
                msp, pen.paths, distance=FLATTEN_MM, dxfattribs={"layer": layer}
            ):
                entity.closed = True  # outlines and the area are closed shapes
    buf = io.StringIO()
    doc.write(buf)
    return buf.getvalue().encode()


def relink_dxf(data: bytes, file_name: str) -> bytes:
    """``data`` (a DXF from ``dxf``) with its photo IMAGE referring to ``file_name``."""
    doc = ezdxf.read(io.StringIO(data.decode()))
    for image_def in doc.objects.query("IMAGEDEF"):
        image_def.dxf.filename = file_name
    buf = io.StringIO()
    doc.write(buf)
    return buf.getvalue().encode()


def vector_pdf(
    design: DesignSpec,
    area: PrintArea,
    canvas: tuple[int, int],
    title: str,
    photo: PhotoRaster | None = None,
) -> bytes:
    """A one-page PDF of the area's exact size: ``photo`` as a greyscale image on a
    ``photo`` optional content layer, filled outlines on ``engrave``, the area outline as a
    hairline on ``cut``."""
    w_pt, h_pt = area.width_mm * POINTS_PER_MM, area.height_mm * POINTS_PER_MM
    mm_to_pt = (POINTS_PER_MM, 0.0, 0.0, -POINTS_PER_MM, 0.0, h_pt)
    doc = PdfWriter()
    catalog, pages, page = doc.reserve(), doc.reserve(), doc.reserve()
    ocg = {name: doc.add(f"<< /Type /OCG /Name ({name}) >>") for name in LAYERS}
    fill = PdfPathPen()
    for commands in engraving_paths(design, area, canvas):
        outline.replay(commands, TransformPen(fill, mm_to_pt))
    cut = PdfPathPen()
    outline.replay(cut_path(area), TransformPen(cut, mm_to_pt))
    xobjects = ""
    picture = ""
    if photo is not None:
        x0, y0, x1, y1 = photo.box_mm
        grey = Image.open(io.BytesIO(photo.png))
        ref = doc.stream(
            f"/Type /XObject /Subtype /Image /Width {grey.width} /Height {grey.height} "
            "/ColorSpace /DeviceGray /BitsPerComponent 8",
            np.asarray(grey, np.uint8).tobytes(),
        )
        xobjects = f"/XObject << /Photo {ref} 0 R >> "
        pw, ph = (x1 - x0) * POINTS_PER_MM, (y1 - y0) * POINTS_PER_MM
        at = f"{num(pw)} 0 0 {num(ph)} {num(x0 * POINTS_PER_MM)} {num(h_pt - y1 * POINTS_PER_MM)}"
        picture = f"/OC /photo BDC\nq {at} cm /Photo Do Q\nEMC\n"
    content = (
        f"{picture}/OC /engrave BDC\nq 0 g\n{fill.value()}\nf Q\nEMC\n"
        f"/OC /cut BDC\nq 1 0 0 RG 0.0283 w\n{cut.value()}\nS Q\nEMC"
    ).encode()
    contents = doc.stream("", content)
    info = doc.add(f"<< /Title ({text_string(title)}) /Producer (Luneo render) >>")
    refs = " ".join(f"{ref} 0 R" for ref in ocg.values())
    box = f"[0 0 {num(w_pt)} {num(h_pt)}]"
    props = " ".join(f"/{n} {ref} 0 R" for n, ref in ocg.items())
    doc.set(
        page,
        f"<< /Type /Page /Parent {pages} 0 R /MediaBox {box} /TrimBox {box} "
        f"/Resources << {xobjects}/Properties << {props} >> >> /Contents {contents} 0 R >>",
    )
    doc.set(pages, f"<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>")
    doc.set(
        catalog,
        f"<< /Type /Catalog /Pages {pages} 0 R "
        f"/OCProperties << /OCGs [{refs}] /D << /Order [{refs}] /ON [{refs}] >> >> >>",
    )
    return doc.write(catalog, info, "1.6")
