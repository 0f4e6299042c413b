"""Press-ready PDF/X-4 for full-colour print areas (CMYK, bleed, text as vector).

The page is the trim box (the print area) plus the profile's bleed on every side. Layers
keep their paint order: runs of picture layers become one CMYK image each (converted from
sRGB with littleCMS through the profile's ICC, transparency kept as a soft mask), text
layers become filled vector outlines in CMYK. The OutputIntent embeds the ICC profile;
XMP metadata declares PDF/X-4.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np
from PIL import Image, ImageCms

from render import compose, materials, outline
from render.pdfwriter import POINTS_PER_MM, PdfPathPen, PdfWriter, num, text_string
from render.profiles import ICC_PROFILES, PrintProfile
from render.spec import DesignSpec, PrintArea, TextLayer

_lock = threading.Lock()  # a littleCMS transform is not safe to share between threads


@lru_cache(maxsize=4)
def _transform(icc: str) -> ImageCms.ImageCmsTransform:
    path = PrintProfile(icc=icc, color_space="cmyk").icc_path()
    return ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"),
        ImageCms.getOpenProfile(str(path)),
        "RGB",
        "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )


def to_cmyk(image: Image.Image, icc: str) -> Image.Image:
    """An RGB image converted to the CMYK of ``icc`` (relative colorimetric + BPC)."""
    with _lock:
        return ImageCms.applyTransform(image.convert("RGB"), _transform(icc))


def cmyk_of(rgb: tuple[int, int, int], icc: str) -> tuple[float, float, float, float]:
    """One sRGB colour in the CMYK of ``icc``, each ink 0..1."""
    px = to_cmyk(Image.new("RGB", (1, 1), rgb), icc).getpixel((0, 0))
    return tuple(v / 255 for v in px)  # type: ignore[return-value]


def bleed_px(area: PrintArea, dpi: int) -> int:
    """The bleed of ``area`` in pixels at ``dpi``."""
    return round(area.profile.bleed_mm / 25.4 * dpi)


def pdfx4(
    design: DesignSpec,
    area: PrintArea,
    canvas: tuple[int, int],
    title: str,
    created: datetime | None = None,
) -> bytes:
    """The print area as one PDF/X-4 page: trim = the area, bleed = the profile's bleed.

    ``canvas`` is the raster size of the trim box (the production PNG's size); pictures
    are placed at that resolution. ``created`` fixes the document dates (default: now).
    """
    profile = area.profile
    icc = profile.icc or "fogra39"
    created = created or datetime.now(UTC).replace(microsecond=0)
    pad = bleed_px(area, round(canvas[0] / area.width_mm * 25.4))
    bleed_mm = profile.bleed_mm
    page_w = (area.width_mm + 2 * bleed_mm) * POINTS_PER_MM
    page_h = (area.height_mm + 2 * bleed_mm) * POINTS_PER_MM
    # canvas px (y down, origin at the trim's top-left) -> points (y up, origin at the media)
    sx, sy = area.width_mm * POINTS_PER_MM / canvas[0], area.height_mm * POINTS_PER_MM / canvas[1]
    b_pt = bleed_mm * POINTS_PER_MM
    px_to_pt = (sx, 0.0, 0.0, -sy, b_pt, page_h - b_pt)

    w = PdfWriter()
    catalog, pages, page = w.reserve(), w.reserve(), w.reserve()
    xobjects: dict[str, int] = {}
    content: list[str] = []
    layers = design.layers_in(area.id)
    text_at = {o.layer_index: o for o in outline.area_outlines(design, area, canvas)}
    clip = _clip_ops(area, px_to_pt, canvas)
    ext_gstate = ""
    if _png_mask(area):
        # a picture-shaped mask (PNG) clips the vector text as a luminosity soft mask: the
        # same mask pixels the pictures and the PNG are cut with, over the whole page
        ext_gstate = (
            f"/ExtGState << /Mask {_soft_mask(w, area, canvas, pad, page_w, page_h)} 0 R >> "
        )
        clip = "/Mask gs "
    run: list = []

    def flush() -> None:
        if not run:
            return
        sub = dataclasses.replace(design, layers=tuple(run))
        pixels = compose.render_area(sub, area, canvas, None, "production", pad=pad)
        if pixels.box is not None:
            name = f"Im{len(xobjects)}"
            xobjects[name] = _image(w, pixels, icc)
            full_w, full_h = pixels.alpha.shape[1], pixels.alpha.shape[0]
            content.append(f"q {num(full_w * sx)} 0 0 {num(full_h * sy)} 0 0 cm /{name} Do Q")
        run.clear()

    for index, layer in enumerate(layers):
        if isinstance(layer, TextLayer):
            flush()
            shape = text_at[index]
            if not shape.commands:
                continue
            ink = shape.color
            if shape.material is not None:  # the same flat ink as the PNG (foil colour)
                ink = materials.production_ink(shape.material, area.profile.kind)
            c, m, y, k = cmyk_of(ink, icc)
            pen = PdfPathPen()
            outline.replay(outline.transform(shape.commands, px_to_pt), pen)
            content.append(f"q {clip}{num(c)} {num(m)} {num(y)} {num(k)} k\n{pen.value()}\nf Q")
        else:
            run.append(layer)
    flush()

    icc_bytes = profile_bytes(icc)
    icc_ref = w.stream("/N 4", icc_bytes)
    ident, _file, info_text = ICC_PROFILES[icc][1], ICC_PROFILES[icc][0], ICC_PROFILES[icc][2]
    intent = w.add(
        f"<< /Type /OutputIntent /S /GTS_PDFX /OutputConditionIdentifier ({ident}) "
        f"/OutputCondition ({text_string(info_text)}) /RegistryName (http://www.color.org) "
        f"/Info ({text_string(info_text)}) /DestOutputProfile {icc_ref} 0 R >>"
    )
    body = "\n".join(content).encode()
    contents = w.stream("", body)
    file_id = hashlib.md5(body + icc_bytes + title.encode()).digest()  # noqa: S324 - an ID
    meta = w.stream("/Type /Metadata /Subtype /XML", _xmp(title, created, file_id), False)
    date = "D:" + created.strftime("%Y%m%d%H%M%S") + "Z"
    info = w.add(
        f"<< /Title ({text_string(title)}) /Producer (Luneo render) /Creator (Luneo) "
        f"/CreationDate ({date}) /ModDate ({date}) /Trapped /False "
        "/GTS_PDFXVersion (PDF/X-4) >>"
    )
    xo = " ".join(f"/{n} {ref} 0 R" for n, ref in xobjects.items())
    media = f"[0 0 {num(page_w)} {num(page_h)}]"
    trim = f"[{num(b_pt)} {num(b_pt)} {num(page_w - b_pt)} {num(page_h - b_pt)}]"
    w.set(
        page,
        f"<< /Type /Page /Parent {pages} 0 R /MediaBox {media} /BleedBox {media} "
        f"/TrimBox {trim} /Resources << {ext_gstate}/XObject << {xo} >> >> "
        f"/Contents {contents} 0 R "
        "/Group << /Type /Group /S /Transparency /CS /DeviceCMYK >> >>",
    )
    w.set(pages, f"<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>")
    w.set(
        catalog,
        f"<< /Type /Catalog /Pages {pages} 0 R /Metadata {meta} 0 R "
        f"/OutputIntents [{intent} 0 R] >>",
    )
    return w.write(catalog, info, "1.6", file_id)


@lru_cache(maxsize=4)
def profile_bytes(icc: str) -> bytes:
    """The ICC file of ``icc``."""
    return PrintProfile(icc=icc, color_space="cmyk").icc_path().read_bytes()  # type: ignore[union-attr]


def _png_mask(area: PrintArea) -> bool:
    return area.mask is not None and not isinstance(area.mask, str)


def _soft_mask(
    w: PdfWriter, area: PrintArea, canvas: tuple[int, int], pad: int, page_w: float, page_h: float
) -> int:
    """An ExtGState whose luminosity soft mask is the area's PNG mask over the page (trim
    as the PNG has it, the bleed continuing its edge, as ``compose.render_area`` does)."""
    mask = compose.area_mask(area, canvas)
    assert mask is not None  # only called for PNG masks
    if pad:
        mask = np.pad(mask, pad, mode="edge")
    grey = (np.clip(mask, 0, 1) * 255 + 0.5).astype(np.uint8)
    image = w.stream(
        f"/Type /XObject /Subtype /Image /Width {grey.shape[1]} /Height {grey.shape[0]} "
        "/ColorSpace /DeviceGray /BitsPerComponent 8",
        grey.tobytes(),
    )
    form = w.stream(
        f"/Type /XObject /Subtype /Form /BBox [0 0 {num(page_w)} {num(page_h)}] "
        "/Group << /Type /Group /S /Transparency /CS /DeviceGray >> "
        f"/Resources << /XObject << /M {image} 0 R >> >>",
        f"q {num(page_w)} 0 0 {num(page_h)} 0 0 cm /M Do Q".encode(),
    )
    return w.add(f"<< /Type /ExtGState /SMask << /Type /Mask /S /Luminosity /G {form} 0 R >> >>")


def _clip_ops(area: PrintArea, m: outline.Affine, canvas: tuple[int, int]) -> str:
    """A clipping path for ellipse / rounded areas (text must not leave the shape)."""
    if area.mask not in ("ellipse", "rounded"):
        return ""
    w, h = canvas
    pen = PdfPathPen()
    tpen = outline.TransformPen(pen, m)
    if area.mask == "ellipse":
        _ellipse(tpen, w / 2, h / 2, w / 2, h / 2)
    else:
        _rounded(tpen, w, h, min(w, h) * 0.12)
    return f"{pen.value()}\nW n\n"


_K = 0.5522847498  # cubic Bezier quarter-circle constant


def _ellipse(pen, cx: float, cy: float, rx: float, ry: float) -> None:
    pen.moveTo((cx + rx, cy))
    pen.curveTo((cx + rx, cy + ry * _K), (cx + rx * _K, cy + ry), (cx, cy + ry))
    pen.curveTo((cx - rx * _K, cy + ry), (cx - rx, cy + ry * _K), (cx - rx, cy))
    pen.curveTo((cx - rx, cy - ry * _K), (cx - rx * _K, cy - ry), (cx, cy - ry))
    pen.curveTo((cx + rx * _K, cy - ry), (cx + rx, cy - ry * _K), (cx + rx, cy))
    pen.closePath()


def _rounded(pen, w: float, h: float, r: float) -> None:
    k = r * (1 - _K)
    pen.moveTo((r, 0))
    pen.lineTo((w - r, 0))
    pen.curveTo((w - k, 0), (w, k), (w, r))
    pen.lineTo((w, h - r))
    pen.curveTo((w, h - k), (w - k, h), (w - r, h))
    pen.lineTo((r, h))
    pen.curveTo((k, h), (0, h - k), (0, h - r))
    pen.lineTo((0, r))
    pen.curveTo((0, k), (k, 0), (r, 0))
    pen.closePath()


def _image(w: PdfWriter, pixels: compose.AreaPixels, icc: str) -> int:
    """A CMYK image XObject (with a soft mask where it is transparent)."""
    rgba = pixels.to_image()
    alpha = rgba.getchannel("A")
    white = Image.new("RGB", rgba.size, (255, 255, 255))
    white.paste(rgba, mask=alpha)
    cmyk = to_cmyk(white, icc)
    head = (
        f"/Type /XObject /Subtype /Image /Width {rgba.width} /Height {rgba.height} "
        "/ColorSpace /DeviceCMYK /BitsPerComponent 8"
    )
    if np.asarray(alpha).min() < 255:
        smask = w.stream(
            f"/Type /XObject /Subtype /Image /Width {rgba.width} /Height {rgba.height} "
            "/ColorSpace /DeviceGray /BitsPerComponent 8",
            alpha.tobytes(),
        )
        head += f" /SMask {smask} 0 R"
    return w.stream(head, cmyk.tobytes())


def _xmp(title: str, created: datetime, file_id: bytes) -> bytes:
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    uuid = file_id.hex()
    esc = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{esc}</rdf:li></rdf:Alt></dc:title>
   <xmp:CreateDate>{stamp}</xmp:CreateDate>
   <xmp:ModifyDate>{stamp}</xmp:ModifyDate>
   <xmp:MetadataDate>{stamp}</xmp:MetadataDate>
   <xmp:CreatorTool>Luneo</xmp:CreatorTool>
   <pdf:Producer>Luneo render</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   <xmpMM:DocumentID>uuid:{uuid[:8]}-{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:]}</xmpMM:DocumentID>
   <xmpMM:InstanceID>uuid:{uuid[:8]}-{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:]}</xmpMM:InstanceID>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>
   <pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>""".encode()
