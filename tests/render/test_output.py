"""Preview, production files and textures: sizes, dpi, PDF page, transparency, clipping."""

from __future__ import annotations

import io
import re
import zlib

import numpy as np
import pytest
from PIL import Image

import render
from render import samples
from render.errors import SpecError
from tests.render.conftest import decode, mug_spec, png_bytes, text_layer


def _media_box(pdf: bytes) -> list[float]:
    match = re.search(rb"/MediaBox \[([^\]]*)\]", pdf)
    assert match, "no MediaBox in the PDF"
    return [float(v) for v in match.group(1).split()]


@pytest.mark.parametrize(("width_mm", "height_mm"), [(72, 82), (25, 8), (60.5, 33.3)])
def test_production_png_has_the_physical_size_at_300_dpi(width_mm, height_mm):
    spec = mug_spec(None, text_layer(), widthMm=width_mm, heightMm=height_mm)
    files = render.production(spec)
    expected = (round(width_mm / 25.4 * 300), round(height_mm / 25.4 * 300))
    assert (files.width_px, files.height_px) == expected
    png = Image.open(io.BytesIO(files.png))
    assert png.size == expected and png.mode == "RGBA"
    assert [round(d) for d in png.info["dpi"]] == [300, 300]


def test_production_pdf_page_is_exactly_the_print_area_in_points():
    files = render.production(mug_spec(None, text_layer(), widthMm=60.5, heightMm=33.3))
    assert files.pdf.startswith(b"%PDF-") and files.pdf.rstrip().endswith(b"%%EOF")
    x0, y0, x1, y1 = _media_box(files.pdf)
    assert (x0, y0) == (0, 0)
    assert x1 == pytest.approx(60.5 / 25.4 * 72, abs=0.01)
    assert y1 == pytest.approx(33.3 / 25.4 * 72, abs=0.01)
    assert b"/SMask" in files.pdf  # transparency kept as a soft mask


def test_production_pdf_pixels_match_the_png_on_white():
    files = render.production(mug_spec(None, text_layer(color="#c01010")))
    png = Image.open(io.BytesIO(files.png))
    on_white = Image.new("RGB", png.size, "white")
    on_white.paste(png, mask=png.getchannel("A"))
    stream = re.search(
        rb"/Subtype /Image /Width \d+ /Height \d+ /ColorSpace /DeviceRGB.*?stream\n",
        files.pdf,
        re.S,
    )
    length = int(re.search(rb"/Length (\d+)", stream.group(0)).group(1))
    raw = zlib.decompress(files.pdf[stream.end() : stream.end() + length])
    assert raw == on_white.tobytes()


def _solid_pixels(png: bytes) -> np.ndarray:
    alpha = np.asarray(Image.open(io.BytesIO(png)).getchannel("A"))
    assert alpha[0, 0] == 0 and alpha.max() == 255  # transparent background
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))[alpha == 255]


def test_printed_gold_carries_its_colour_in_the_production_png():
    files = render.production(mug_spec(None, text_layer(material="gold")))
    rgb = _solid_pixels(files.png)
    assert len(rgb) and (rgb == (212, 175, 55)).all()  # gold foil: one flat printed colour


@pytest.mark.parametrize(
    ("material", "kind"),
    [("gold", "engraving"), ("wood-burn", "print-srgb"), ("glass-etch", "uv")],
)
def test_engraved_finishes_keep_the_black_laser_mask(material, kind):
    spec = mug_spec(None, text_layer(material=material))
    spec["printAreas"][0]["profile"] = {"kind": kind}
    rgb = _solid_pixels(render.production(spec).png)
    assert len(rgb) and rgb.max() == 0


def test_each_finish_says_how_it_is_made():
    from render import materials

    assert materials.process("gold", "print-srgb") == "foil"
    assert materials.process("gold", "engraving") == "engrave"
    assert materials.process("black-anodized", "print-cmyk") == "engrave"
    assert materials.process(None, "uv") == "uv"
    assert materials.process(None, "print-cmyk") == "print"
    assert materials.process(None, "engraving") == "engrave"


def test_production_area_id_picks_the_area_and_unknown_ids_fail():
    spec = mug_spec(None, text_layer())
    spec["printAreas"].append(dict(spec["printAreas"][0], id="back", widthMm=30, heightMm=30))
    assert render.production(spec, "back").width_px == round(30 / 25.4 * 300)
    with pytest.raises(SpecError) as info:
        render.production(spec, "side")
    assert info.value.code == "unknown_print_area"


def test_ellipse_mask_clips_the_design():
    layer = {"type": "image", "image": png_bytes((50, 50), (0, 0, 255, 255)), "scale": 5}
    files = render.production(mug_spec(None, layer, mask="ellipse"), dpi=100)
    alpha = np.asarray(Image.open(io.BytesIO(files.png)).getchannel("A"))
    h, w = alpha.shape
    assert alpha[h // 2, w // 2] == 255 and alpha[2, 2] == 0 and alpha[h - 3, w - 3] == 0


def test_png_mask_clips_the_design():
    mask = Image.new("L", (10, 10), 0)
    mask.paste(255, (0, 0, 5, 10))  # left half printable
    buf = io.BytesIO()
    mask.save(buf, "PNG")
    layer = {"type": "image", "image": png_bytes((50, 50), (0, 0, 255, 255)), "scale": 5}
    files = render.production(mug_spec(None, layer, mask=buf.getvalue()), dpi=100)
    alpha = np.asarray(Image.open(io.BytesIO(files.png)).getchannel("A"))
    h, w = alpha.shape
    assert alpha[h // 2, w // 4] == 255 and alpha[h // 2, w * 3 // 4] == 0


def test_preview_is_the_photo_at_the_requested_width_with_the_design(photo):
    spec = mug_spec(photo("mug"), text_layer(color="#d01010"))
    for fmt, magic in (("webp", b"RIFF"), ("jpeg", b"\xff\xd8"), ("png", b"\x89PNG")):
        data = render.preview(spec, width=300, fmt=fmt)
        assert data.startswith(magic)
        assert Image.open(io.BytesIO(data)).size == (300, 300)
    with_text = decode(render.preview(spec, width=300, fmt="png"))
    red = (with_text[..., 0] > 150) & (with_text[..., 1] < 90)
    ys, xs = np.nonzero(red)
    area = samples.demo_template("mug")["printAreas"][0]
    assert red.sum() > 200
    assert xs.min() >= area["x"] * 300 and xs.max() <= (area["x"] + area["width"]) * 300
    assert ys.min() >= area["y"] * 300 and ys.max() <= (area["y"] + area["height"]) * 300


def test_blank_product_preview_uses_background_colour_and_aspect():
    spec = mug_spec(None, text_layer())
    spec["product"] = {"background": "#336699", "aspect": 2.0}
    image = decode(render.preview(spec, width=400, fmt="png"))
    assert image.shape[:2] == (200, 400)
    assert tuple(image[2, 2]) == (0x33, 0x66, 0x99)


def test_rotated_print_area_changes_only_pixels_inside_it():
    layer = {"type": "image", "image": png_bytes((40, 40), (255, 0, 0, 255)), "scale": 1}
    spec = {
        "product": {"background": "#ffffff"},
        "printAreas": [
            {
                "id": "a",
                "x": 0.3,
                "y": 0.4,
                "width": 0.4,
                "height": 0.2,
                "rotation": 30,
                "widthMm": 40,
                "heightMm": 20,
            }
        ],
        "layers": [layer],
    }
    img = decode(render.preview(spec, width=400, fmt="png"))
    changed = np.abs(img - 255).sum(axis=-1) > 30
    ys, xs = np.nonzero(changed)
    # the red square (20 mm in a 40x20 mm area) is tilted: its rows overlap diagonally
    assert changed.sum() > 1500
    cx, cy = 200, 200
    assert abs(xs.mean() - cx) < 4 and abs(ys.mean() - cy) < 4
    # turned clockwise, the square's top-left corner becomes its topmost point, left of centre
    top = changed[ys.min() : ys.min() + 3].nonzero()[1].mean()
    assert top == pytest.approx(cx - 40 * (np.cos(np.pi / 6) - np.sin(np.pi / 6)), abs=3)
    assert not changed[: int(0.25 * 400)].any() and not changed[int(0.75 * 400) :].any()


def test_texture_is_the_design_alone_with_transparency():
    tex = render.texture(mug_spec(None, text_layer(material="gold")), "front", 512)
    assert tex.mode == "RGBA" and tex.size == (512, round(512 * 82 / 72))
    alpha = np.asarray(tex.getchannel("A"))
    assert alpha[0, 0] == 0 and alpha.max() > 250
    rgb = np.asarray(tex.convert("RGB"))[alpha > 250]
    assert rgb[:, 0].mean() > rgb[:, 2].mean() + 30  # gold, not the black production ink


def test_image_layer_crop_scale_and_opacity():
    src = Image.new("RGBA", (100, 100), (0, 0, 255, 255))
    src.paste((255, 0, 0, 255), (0, 0, 50, 100))  # left half red
    buf = io.BytesIO()
    src.save(buf, "PNG")
    crop = {"x": 0, "y": 0, "width": 0.5, "height": 1}
    layer = {"type": "image", "image": buf.getvalue(), "crop": crop, "opacity": 0.5}
    files = render.production(mug_spec(None, layer), dpi=100)
    png = np.asarray(Image.open(io.BytesIO(files.png)))
    opaque = png[..., 3] > 0
    assert set(np.unique(png[..., 3][opaque])) <= {127, 128}
    assert png[..., 2][opaque].max() < 10  # only the red half was used
    # fitted inside the area: full height, half-width aspect
    ys, xs = np.nonzero(opaque)
    assert ys.max() - ys.min() + 1 >= png.shape[0] - 2


def test_previews_rendered_in_parallel_threads_match_a_serial_render(photo):
    from concurrent.futures import ThreadPoolExecutor

    specs = [
        mug_spec(photo("mug"), text_layer(name, material=material, font=font))
        for name, material, font in (
            ("Ann", "gold", "playfair-display"),
            ("Bob", None, "lato"),
            ("Cyd", "wood-burn", "kristi"),
            ("Dee", "glass-etch", "bebas-neue"),
        )
    ]
    serial = [render.preview(s, width=240, fmt="png") for s in specs]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(lambda s: render.preview(s, width=240, fmt="png"), specs * 3))
    assert parallel == serial * 3


def test_photo_engraving_marks_dark_tones_on_wood_and_light_tones_on_anodized():
    src = Image.new("RGB", (40, 20), (0, 0, 0))
    src.paste((255, 255, 255), (20, 0, 40, 20))  # left black, right white
    buf = io.BytesIO()
    src.save(buf, "PNG")
    for material, marked_side in (("wood-burn", "left"), ("black-anodized", "right")):
        layer = {"type": "image", "image": buf.getvalue(), "material": material}
        alpha = render.texture(
            mug_spec(None, layer, widthMm=40, heightMm=20), "front", 400
        ).getchannel("A")
        a = np.asarray(alpha, np.float32)
        left, right = a[:, 100:180].mean(), a[:, 220:300].mean()
        assert (left > right + 100) == (marked_side == "left"), material
