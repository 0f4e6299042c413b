"""Print-grade production files, checked with readers that are not our writer.

PDF/X-4 parts are asserted with pikepdf/qpdf (no PDF/X validator installs here) and the
page is rendered with Ghostscript to compare with the PNG; SVG is parsed with svgelements;
DXF is read back with ezdxf. Positions are compared with the raster engine's pixels.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess

import ezdxf
import numpy as np
import pikepdf
import pytest
import svgelements
from PIL import Image, ImageCms, ImageDraw

import render
from render import output, text
from render.errors import SpecError
from render.spec import parse_spec

MM_TOL = 0.1
needs_gs = pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript (gs) missing")


def area(w=90.0, h=50.0, **profile) -> dict:
    return {"id": "a", "x": 0, "y": 0, "width": 1, "height": 1, "widthMm": w, "heightMm": h,
            "profile": profile or None}  # fmt: skip


def photo_png(size=(600, 400), color=(200, 40, 50)) -> bytes:
    im = Image.new("RGB", size, color)
    im.paste((30, 90, 200), (0, 0, size[0] // 2, size[1] // 2))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def spec(the_area: dict, *layers: dict) -> dict:
    return {"printAreas": [the_area], "layers": list(layers)}


def words(s="Hello Luneo", **extra) -> dict:
    return {"type": "text", "text": s, "font": "lato", "color": "#1060c0", **extra}


def raster_ink_box_mm(result: render.ProductionFile) -> tuple[float, ...]:
    """The ink bounding box of the production PNG in mm (alpha > 50 %)."""
    a = np.asarray(Image.open(io.BytesIO(result.png)).getchannel("A")) > 127
    ys, xs = np.nonzero(a)
    k = 25.4 / result.dpi
    return (xs.min() * k, ys.min() * k, (xs.max() + 1) * k, (ys.max() + 1) * k)


# -- PDF/X-4 --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cmyk_job():
    s = spec(area(kind="print-cmyk"), {"type": "image", "image": photo_png(), "scale": 1.2},
             words(size=18, autoFit=False))  # fmt: skip
    return s, render.production(s)


def test_cmyk_profile_writes_a_pdfx4_whose_parts_an_independent_reader_finds(cmyk_job, tmp_path):
    _, result = cmyk_job
    data = result.files["pdfx4"]
    pdf = pikepdf.open(io.BytesIO(data))
    assert not pdf.is_encrypted
    assert pdf.pdf_version >= "1.6"
    with pdf.open_metadata() as meta:
        assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert meta["pdf:Trapped"] == "False"
    assert str(pdf.docinfo["/Trapped"]) == "/False"
    assert len(pdf.trailer.ID) == 2 and len(bytes(pdf.trailer.ID[0])) == 16
    (intent,) = pdf.Root.OutputIntents
    assert intent.S == "/GTS_PDFX" and str(intent.OutputConditionIdentifier) == "FOGRA39"
    icc = intent.DestOutputProfile
    assert int(icc.N) == 4
    profile = ImageCms.ImageCmsProfile(io.BytesIO(icc.read_bytes()))
    assert profile.profile.xcolor_space.strip() == "CMYK"
    assert profile.profile.device_class == "prtr"
    page = pdf.pages[0]
    pt = 72 / 25.4
    media = [float(v) for v in page.MediaBox]
    bleed = [float(v) for v in page.BleedBox]
    trim = [float(v) for v in page.TrimBox]
    assert media[0] <= bleed[0] <= trim[0] and trim[2] <= bleed[2] <= media[2]
    assert media[1] <= bleed[1] <= trim[1] and trim[3] <= bleed[3] <= media[3]
    assert (trim[2] - trim[0]) / pt == pytest.approx(90.0, abs=0.01)
    assert (trim[3] - trim[1]) / pt == pytest.approx(50.0, abs=0.01)
    assert (bleed[2] - bleed[0]) / pt == pytest.approx(96.0, abs=0.01)  # 3 mm bleed each side
    # no uncalibrated RGB anywhere, no fonts (text is outlined), and vector paths present
    raw = b"".join(
        (o.stream_dict if isinstance(o, pikepdf.Stream) else o).unparse()
        for o in pdf.objects
        if isinstance(o, (pikepdf.Dictionary, pikepdf.Stream))
    )
    raw += b"".join(bytes(p.Contents.read_bytes()) for p in pdf.pages)
    assert b"/DeviceRGB" not in raw and b"/CalRGB" not in raw
    assert "/Font" not in page.Resources
    for xobj in page.Resources.XObject.values():
        assert xobj.ColorSpace in ("/DeviceCMYK", "/DeviceGray")
    ops = {str(op) for _, op in pikepdf.parse_content_stream(page)}
    assert {"f", "c", "k"} <= ops and "Tj" not in ops and "BT" not in ops
    path = tmp_path / "x4.pdf"
    path.write_bytes(data)
    if shutil.which("qpdf"):
        subprocess.run(["qpdf", "--check", str(path)], check=True, capture_output=True)


@needs_gs
def test_ghostscript_renders_the_pdfx4_trim_box_like_the_png(cmyk_job, tmp_path):
    s, result = cmyk_job
    path = tmp_path / "x4.pdf"
    path.write_bytes(result.files["pdfx4"])
    out = tmp_path / "gs.png"
    subprocess.run(
        ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dUseTrimBox", "-sDEVICE=png16m",
         f"-r{result.dpi}", f"-sOutputFile={out}", str(path)],
        check=True, capture_output=True,
    )  # fmt: skip
    gs_im = np.asarray(Image.open(out).convert("RGB"), np.float32)
    png = Image.open(io.BytesIO(result.png))
    flat = Image.new("RGB", png.size, "white")
    flat.paste(png, mask=png.getchannel("A"))
    ref = np.asarray(flat, np.float32)
    assert abs(gs_im.shape[0] - ref.shape[0]) <= 1 and abs(gs_im.shape[1] - ref.shape[1]) <= 1
    h, w = min(gs_im.shape[0], ref.shape[0]), min(gs_im.shape[1], ref.shape[1])
    # CMYK -> RGB round trips shift colours a little; shapes and placement must agree
    diff = np.abs(gs_im[:h, :w] - ref[:h, :w]).mean(axis=-1)
    assert np.median(diff) < 12
    assert (diff > 60).mean() < 0.01
    # and the press sees real ink: cyan in the blue text, magenta in the red photo
    inks = subprocess.run(
        ["gs", "-q", "-dBATCH", "-dNOPAUSE", "-sDEVICE=ink_cov", "-o", "-", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    c, m, y, k = (float(v) for v in inks[:4])
    assert m > 40 and y > 30 and c > 5


def _gs_trim(data: bytes, dpi: int, tmp_path) -> np.ndarray:
    path = tmp_path / "page.pdf"
    path.write_bytes(data)
    out = tmp_path / "page.png"
    subprocess.run(
        ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dUseTrimBox", "-sDEVICE=png16m",
         f"-r{dpi}", f"-sOutputFile={out}", str(path)],
        check=True, capture_output=True,
    )  # fmt: skip
    return np.asarray(Image.open(out).convert("RGB"), np.float32)


def _flat(png: bytes) -> np.ndarray:
    im = Image.open(io.BytesIO(png))
    flat = Image.new("RGB", im.size, "white")
    flat.paste(im, mask=im.getchannel("A"))
    return np.asarray(flat, np.float32)


@needs_gs
def test_text_in_a_picture_masked_area_stays_vector_and_is_cut_where_the_png_is(tmp_path):
    mask = Image.new("L", (200, 100), 0)
    mask.paste(255, (0, 0, 100, 100))  # only the left half is printable
    buf = io.BytesIO()
    mask.save(buf, "PNG")
    s = spec(dict(area(kind="print-cmyk"), mask=buf.getvalue()),
             words("MMMMMMMM", size=30, autoFit=False, color="#000000"))  # fmt: skip
    result = render.production(s)
    pdf = pikepdf.open(io.BytesIO(result.files["pdfx4"]))
    page = pdf.pages[0]
    ops = [str(op) for _, op in pikepdf.parse_content_stream(page)]
    assert "f" in ops and "gs" in ops and "Do" not in ops  # outlines, not a picture of text
    smask = page.Resources.ExtGState.Mask.SMask
    assert smask.S == "/Luminosity" and smask.G.Group.CS == "/DeviceGray"
    gs_im = _gs_trim(result.files["pdfx4"], result.dpi, tmp_path)
    ref = _flat(result.png)
    h, w = min(gs_im.shape[0], ref.shape[0]), min(gs_im.shape[1], ref.shape[1])
    ink = gs_im[:h, :w].mean(axis=-1) < 128
    mid = w // 2
    assert ink[:, : mid - 2].mean() > 0.02  # the left half of the words is printed
    assert not ink[:, mid + 2 :].any()  # the right half is cut away by the mask
    diff = np.abs(gs_im[:h, :w] - ref[:h, :w]).mean(axis=-1)
    assert (diff > 60).mean() < 0.01


@needs_gs
def test_a_shaped_area_lines_up_with_the_png_in_the_bleed_page(tmp_path):
    mask = Image.new("L", (400, 200), 0)
    ImageDraw.Draw(mask).ellipse((20, 10, 380, 190), fill=255)
    buf = io.BytesIO()
    mask.save(buf, "PNG")
    s = spec(dict(area(kind="print-cmyk"), mask=buf.getvalue()),
             {"type": "image", "image": photo_png(), "scale": 1.2},
             words("Masked text", size=30, autoFit=False))  # fmt: skip
    result = render.production(s)
    gs_im = _gs_trim(result.files["pdfx4"], result.dpi, tmp_path)
    ref = _flat(result.png)
    h, w = min(gs_im.shape[0], ref.shape[0]), min(gs_im.shape[1], ref.shape[1])
    diff = np.abs(gs_im[:h, :w] - ref[:h, :w]).mean(axis=-1)
    # the photo is cut by the same ellipse as in the PNG, not one stretched over the bleed
    assert (diff > 60).mean() < 0.01


def test_pdfx4_needs_a_cmyk_profile():
    with pytest.raises(SpecError) as err:
        parse_spec(spec(area(kind="print-srgb", outputs=["pdfx4"]), words()))
    assert err.value.code == "bad_profile"


@pytest.mark.parametrize(
    "profile, field",
    [({"kind": "laser"}, "kind"), ({"kind": "print-cmyk", "bleedMm": 40}, "bleed_mm"),
     ({"kind": "uv", "icc": "nope"}, "icc"), ({"kind": "engraving", "outputs": ["gif"]}, "")],
)  # fmt: skip
def test_bad_print_profiles_are_refused_naming_the_field(profile, field):
    with pytest.raises(SpecError) as err:
        parse_spec(spec(dict(area(), profile=profile), words()))
    assert err.value.code == "bad_profile" and field in (err.value.field or "")


# -- vector outlines agree with the raster --------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [{}, {"font": "playfair-display"}, {"rotation": 30}, {"curve": 90}, {"curve": -60},
     {"letterSpacing": 0.2}, {"text": "Ångström fjord"}],
)  # fmt: skip
def test_outlined_text_sits_where_the_raster_draws_it(extra):
    s = spec(area(80, 30, kind="engraving"), words(**extra))  # 600 dpi
    result = render.production(s)
    drawn = raster_ink_box_mm(result)
    svg = svgelements.SVG.parse(io.BytesIO(result.files["svg"]), ppi=25.4)
    paths = [e for e in svg.elements() if isinstance(e, svgelements.Path)
             and e.values.get("id") != "cut" and e.stroke.value is None]  # fmt: skip
    boxes = [p.bbox() for p in paths]
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes),
           max(b[2] for b in boxes), max(b[3] for b in boxes))  # fmt: skip
    assert box == pytest.approx(drawn, abs=MM_TOL)


def test_engraving_files_have_the_exact_physical_size_and_one_layer_per_operation():
    s = spec(dict(area(62.5, 21.25, kind="engraving"), mask="rounded"), words("Léa & Tom"))
    result = render.production(s)
    assert set(result.files) >= {"png", "svg", "dxf", "vector-pdf"}
    svg = svgelements.SVG.parse(io.BytesIO(result.files["svg"]), ppi=25.4)  # 1 px = 1 mm
    assert svg.width == pytest.approx(62.5, abs=0.01) and svg.height == pytest.approx(
        21.25, abs=0.01
    )
    root = re.findall(rb'<g id="(\w+)"', result.files["svg"])
    assert root == [b"photo", b"engrave", b"cut"]
    assert b"<image" not in result.files["svg"] and "photo" not in result.files  # no pictures
    doc = ezdxf.read(io.StringIO(result.files["dxf"].decode()))
    assert doc.units == ezdxf.units.MM
    msp = doc.modelspace()
    assert {e.dxf.layer for e in msp} == {"ENGRAVE", "CUT"}
    cut = [e for e in msp if e.dxf.layer == "CUT"]
    xs = [p[0] for e in cut for p in e.get_points("xy")]
    ys = [p[1] for e in cut for p in e.get_points("xy")]
    assert max(xs) - min(xs) == pytest.approx(62.5, abs=0.01)
    assert max(ys) - min(ys) == pytest.approx(21.25, abs=0.01)
    engraved = [e for e in msp if e.dxf.layer == "ENGRAVE"]
    assert engraved and all(e.closed for e in engraved)
    ex = [p[0] for e in engraved for p in e.get_points("xy")]
    ey = [21.25 - p[1] for e in engraved for p in e.get_points("xy")]  # DXF is y-up
    drawn = raster_ink_box_mm(result)
    assert (min(ex), min(ey), max(ex), max(ey)) == pytest.approx(drawn, abs=MM_TOL)
    pdf = pikepdf.open(io.BytesIO(result.files["vector-pdf"]))
    box = [float(v) * 25.4 / 72 for v in pdf.pages[0].MediaBox]
    assert box[2] == pytest.approx(62.5, abs=0.01) and box[3] == pytest.approx(21.25, abs=0.01)
    assert [str(g.Name) for g in pdf.Root.OCProperties.OCGs] == ["photo", "engrave", "cut"]
    assert "/Font" not in pdf.pages[0].Resources


@pytest.fixture(scope="module")
def engraved_photo():
    # a 600x400 photo at half the fit of a 62.5 x 40 mm area: 30 x 20 mm around (18.75, 16)
    photo = {"type": "image", "image": photo_png(), "scale": 0.5, "x": 0.3, "y": 0.4}
    s = spec(area(62.5, 40, kind="engraving"), photo, words("Léa", size=20, autoFit=False, x=0.7))
    return render.production(s)


PHOTO_BOX = (3.75, 6.0, 33.75, 26.0)


def test_the_engraving_svg_embeds_the_photo_as_a_greyscale_raster_at_its_place(engraved_photo):
    from defusedxml import ElementTree

    ns = {"svg": "http://www.w3.org/2000/svg"}
    root = ElementTree.fromstring(engraved_photo.files["svg"])
    groups = {g.get("id"): g for g in root.findall("svg:g", ns)}
    (image,) = groups["photo"].findall("svg:image", ns)
    box = [float(image.get(k)) for k in ("x", "y", "width", "height")]
    placed = (box[0], box[1], box[0] + box[2], box[1] + box[3])
    assert placed == pytest.approx(PHOTO_BOX, abs=MM_TOL)
    href = image.get("href")
    assert href.startswith("data:image/png;base64,")
    embedded = base64.b64decode(href.split(",", 1)[1])
    assert embedded == engraved_photo.files["photo"]
    grey = Image.open(io.BytesIO(embedded))
    # 600 px over 30 mm is 508 dpi: the raster keeps the photo's pixels, not the 600 dpi
    dpi = grey.info["dpi"][0]
    assert grey.mode == "L" and 505 <= dpi <= 512
    assert grey.width * 25.4 / dpi == pytest.approx(30.0, abs=MM_TOL)
    assert np.asarray(grey).max() < 200  # the photo engraves: no blank paper inside it
    # the text is still outlines on its own layer, never inside the picture
    assert groups["engrave"].findall("svg:path", ns)


def test_the_engraving_dxf_places_the_photo_file_as_an_image_entity(engraved_photo, tmp_path):
    data = engraved_photo.files["dxf"]
    doc = ezdxf.read(io.StringIO(data.decode()))
    auditor = doc.audit()
    assert not auditor.has_errors
    (image,) = doc.modelspace().query("IMAGE")
    assert image.dxf.layer == "PHOTO" and image.image_def.dxf.filename == "a.photo.png"
    corners = image.boundary_path_wcs()
    xs, ys = [p.x for p in corners], [40 - p.y for p in corners]  # DXF is y up
    assert (min(xs), min(ys), max(xs), max(ys)) == pytest.approx(PHOTO_BOX, abs=MM_TOL)
    w_px, h_px = round(image.dxf.image_size.x), round(image.dxf.image_size.y)
    assert (w_px, h_px) == Image.open(io.BytesIO(engraved_photo.files["photo"])).size
    moved = ezdxf.read(io.StringIO(render.engrave.relink_dxf(data, "1001-1-x.photo.png").decode()))
    (image,) = moved.modelspace().query("IMAGE")
    assert image.image_def.dxf.filename == "1001-1-x.photo.png"


@needs_gs
def test_the_vector_pdf_shows_the_photo_on_its_own_layer(engraved_photo, tmp_path):
    pdf = pikepdf.open(io.BytesIO(engraved_photo.files["vector-pdf"]))
    (xobj,) = pdf.pages[0].Resources.XObject.values()
    assert xobj.ColorSpace == "/DeviceGray"
    path = tmp_path / "v.pdf"
    path.write_bytes(engraved_photo.files["vector-pdf"])
    out = tmp_path / "v.png"
    subprocess.run(
        ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pnggray", "-r254",
         f"-sOutputFile={out}", str(path)],
        check=True, capture_output=True,
    )  # fmt: skip
    page = np.asarray(Image.open(out)) < 200  # 10 px per mm
    inside = page[70:250, 45:330]  # well inside the photo's 30 x 20 mm box
    assert inside.mean() > 0.99
    assert page[:, 5:350][270:, :].mean() < 0.01  # below the photo: blank


# -- golden set per profile, small and large area -------------------------------------------

PROFILES = {
    "print-srgb": ({"png", "pdf"}, {}),
    "print-cmyk": ({"png", "pdfx4"}, {"dpi": 100}),
    "engraving": ({"png", "svg", "dxf", "vector-pdf"}, {"dpi": 100}),
    "uv": ({"png", "pdfx4"}, {"dpi": 100}),
}


@pytest.mark.parametrize("kind", sorted(PROFILES))
@pytest.mark.parametrize("size", [(30.0, 20.0), (400.0, 300.0)])
def test_each_profile_makes_its_files_at_small_and_large_sizes(kind, size):
    files, extra = PROFILES[kind]
    dpi = extra.get("dpi", 72 if size[0] > 100 else 300)
    s = spec(area(*size, kind=kind, dpi=dpi), words("Mia 2026", size=48 if size[0] > 100 else 8,
                                                     autoFit=False))  # fmt: skip
    result = render.production(s)
    assert set(result.files) == files
    assert result.width_px == round(size[0] / 25.4 * dpi)
    assert result.profile.kind == kind
    drawn = raster_ink_box_mm(result)
    for name in files & {"pdfx4", "vector-pdf"}:
        pdf = pikepdf.open(io.BytesIO(result.files[name]))
        trim = [float(v) * 25.4 / 72 for v in pdf.pages[0].TrimBox]
        assert trim[2] - trim[0] == pytest.approx(size[0], abs=0.01)
    if "svg" in files:
        svg = svgelements.SVG.parse(io.BytesIO(result.files["svg"]), ppi=25.4)
        boxes = [e.bbox() for e in svg.elements() if isinstance(e, svgelements.Path)
                 and e.stroke.value is None]  # fmt: skip
        left = min(b[0] for b in boxes)
        assert left == pytest.approx(drawn[0], abs=25.4 / dpi + MM_TOL)


# -- preflight ------------------------------------------------------------------------------


def test_preflight_flags_a_small_photo_text_past_the_safe_zone_and_unprintable_colours():
    s = spec(area(kind="print-cmyk", block=["low_photo_resolution"]),
             {"type": "image", "image": photo_png((200, 150), (0, 255, 0))},
             words("Edge", color="#00ff00", size=20, autoFit=False, x=0.06))  # fmt: skip
    found = {(f.code, f.layer): f for f in render.preflight.check(parse_spec(s))}
    low = found[("low_photo_resolution", 0)]
    assert low.severity == "error" and low.value == pytest.approx(150 / 50 * 25.4, rel=0.01)
    assert found[("outside_safe_zone", 1)].severity == "warning"
    assert found[("out_of_gamut", 1)].value > 10
    assert ("out_of_gamut", 0) in found


def test_preflight_is_quiet_for_a_design_that_fits_the_profile():
    s = spec(area(kind="print-cmyk"), words(color="#1a1a1a", size=14, autoFit=False))
    assert render.preflight.check(parse_spec(s)) == []


def test_preflight_warns_about_tiny_text_and_photos_an_engraver_cannot_cut():
    s = spec(area(kind="engraving"), words(size=2, autoFit=False),
             {"type": "image", "image": photo_png()})  # fmt: skip
    codes = {f.code for f in render.preflight.check(parse_spec(s))}
    assert {"text_too_small", "photo_not_vector"} <= codes


def test_outline_font_size_matches_the_raster_engine():
    s = parse_spec(spec(area(kind="engraving"), words(size=12, autoFit=False)))
    a = s.area()
    canvas = output.production_size(a, 300)
    px = text.font_px_for(s.layers[0], canvas, canvas[0] / a.width_mm)
    assert px == pytest.approx(12 * 25.4 / 72 * 300 / 25.4, rel=0.01)


def _stem_mm(font_id: str, glyph: str, size_pt: float) -> float:
    """The width of a plain stem glyph, read from the font file with fontTools."""
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    from render import fonts

    tt = TTFont(str(fonts.get(font_id).path))
    glyphs = tt.getGlyphSet()
    pen = BoundsPen(glyphs)
    glyphs[tt.getBestCmap()[ord(glyph)]].draw(pen)
    return (pen.bounds[2] - pen.bounds[0]) / tt["head"].unitsPerEm * size_pt * 25.4 / 72


@pytest.mark.parametrize("size", [4, 8, 12])
def test_stroke_check_measures_a_stem_as_wide_as_the_font_draws_it(size):
    s = parse_spec(spec(area(kind="engraving", minStrokeMm=0.1), words("l l l", size=size,
                                                                      autoFit=False)))  # fmt: skip
    a = s.area()
    got = render.preflight.thinnest_stroke_mm(s.layers[0], a, (0, 0, a.width_mm * 4, 40))
    assert got == pytest.approx(_stem_mm("lato", "l", size), abs=0.03)


def test_hairline_serifs_under_the_profiles_stroke_floor_are_flagged_and_can_block():
    hairline = words("Hamburg", font="playfair-display", size=8, autoFit=False)
    s = spec(area(kind="engraving", minStrokeMm=0.1, block=["stroke_too_thin"]), hairline)
    (thin,) = [f for f in render.preflight.check(parse_spec(s)) if f.code == "stroke_too_thin"]
    assert thin.severity == "error" and thin.layer == 0 and 0 < thin.value < 0.1
    assert "0.1 mm" in thin.message

    # the same words set bolder and bigger pass; a profile without a floor never checks
    def codes(the_area: dict, layer: dict) -> set[str]:
        return {f.code for f in render.preflight.check(parse_spec(spec(the_area, layer)))}

    sturdy = words("Hamburg", font="lato", size=8, autoFit=False)
    assert "stroke_too_thin" not in codes(area(kind="engraving", minStrokeMm=0.1), sturdy)
    assert "stroke_too_thin" not in codes(area(kind="print-cmyk"), hairline)


def _rgba_png(alpha: np.ndarray, color=(40, 120, 60)) -> bytes:
    h, w = alpha.shape
    im = Image.new("RGB", (w, h), color)
    im.putalpha(Image.fromarray(alpha.astype(np.uint8), "L"))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _disc(size=300, soft=False) -> np.ndarray:
    yy, xx = np.mgrid[:size, :size]
    r = np.hypot(xx - size / 2, yy - size / 2) / (size / 2)
    if soft:  # a glow fading out from the centre, as generated artwork often has
        return np.clip(255 * (1 - r), 0, 255)
    return np.clip(255 * (0.98 - r) * 100, 0, 255)  # a clean cut-out, anti-aliased rim


@pytest.mark.parametrize(
    ("alpha", "extra", "kind", "flagged"),
    [
        ("soft", {}, "print-cmyk", True),
        ("hard", {}, "print-cmyk", False),
        ("hard", {"opacity": 0.5}, "print-srgb", True),
        ("soft", {}, "engraving", False),  # the laser burns tones: transparency is a tone
    ],
)
def test_see_through_pictures_are_flagged_where_they_print(alpha, extra, kind, flagged):
    picture = {"type": "image", "image": _rgba_png(_disc(soft=alpha == "soft")), "scale": 0.5,
               **extra}  # fmt: skip
    found = [f for f in render.preflight.check(parse_spec(spec(area(kind=kind), picture)))
             if f.code == "semi_transparent"]  # fmt: skip
    assert bool(found) is flagged
    if flagged:
        assert found[0].layer == 0 and found[0].value > 10
        assert "see-through" in found[0].message
