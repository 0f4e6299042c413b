"""Vector files for laser engraving: SVG, DXF and a vector PDF of outlined text.

Each file is the print area at its exact physical size in millimetres with one layer per
operation: ``engrave`` (the text outlines, filled) and ``cut`` (the area's outline, a
hairline the operator may use to position or cut). Picture layers have no vector form:
preflight reports them (``photo_not_vector``) and the PNG carries them.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import ezdxf
from ezdxf import path as dxf_path
from fontTools.pens.basePen import BasePen
from fontTools.pens.transformPen import TransformPen

from render import outline, press
from render.pdfwriter import POINTS_PER_MM, PdfPathPen, PdfWriter, num, text_string
from render.spec import DesignSpec, PrintArea

LAYERS = ("engrave", "cut")
FLATTEN_MM = 0.005  # DXF polylines stay within 5 µm of the curves


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


def svg(design: DesignSpec, area: PrintArea, canvas: tuple[int, int], title: str) -> bytes:
    """An SVG whose user unit is 1 mm: ``width``/``height`` are the area in mm."""
    w, h = area.width_mm, area.height_mm
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


def dxf(design: DesignSpec, area: PrintArea, canvas: tuple[int, int]) -> bytes:
    """A DXF (R2013, millimetres) with closed polylines on layers ENGRAVE and CUT."""
    doc = ezdxf.new("R2013", setup=False)
    doc.units = ezdxf.units.MM
    doc.header["$MEASUREMENT"] = 1
    doc.layers.add("ENGRAVE", color=7)
    doc.layers.add("CUT", color=1)
    msp = doc.modelspace()
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


def vector_pdf(design: DesignSpec, area: PrintArea, canvas: tuple[int, int], title: str) -> bytes:
    """A one-page PDF of the area's exact size: filled outlines on an ``engrave`` optional
    content layer, the area outline as a hairline on a ``cut`` layer."""
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
    content = (
        f"/OC /engrave BDC\nq 0 g\n{fill.value()}\nf Q\nEMC\n"
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
        f"/Resources << /Properties << {props} >> >> /Contents {contents} 0 R >>",
    )
    doc.set(pages, f"<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>")
    doc.set(
        catalog,
        f"<< /Type /Catalog /Pages {pages} 0 R "
        f"/OCProperties << /OCGs [{refs}] /D << /Order [{refs}] /ON [{refs}] >> >> >>",
    )
    return doc.write(catalog, info, "1.6")
