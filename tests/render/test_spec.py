"""Parsing and validation of design specs: bad input fails with the right code."""

from __future__ import annotations

import base64
import dataclasses
import struct
import zlib

import pytest

from render import content_hash, parse_spec
from render.errors import SpecError
from render.spec import DesignSpec, ImageLayer, TextLayer
from tests.render.conftest import mug_spec, png_bytes, text_layer


def _code(spec: dict) -> tuple[str, str | None]:
    with pytest.raises(SpecError) as info:
        parse_spec(spec)
    return info.value.code, info.value.field


def _png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header claims ``width`` x ``height`` (a decompression bomb)."""
    data = bytearray(png_bytes((1, 1)))
    ihdr = 8 + 8  # signature, then length + type of the IHDR chunk
    data[ihdr : ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12 : ihdr + 13]))
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


def test_valid_spec_parses_into_frozen_values_with_defaults(photo):
    spec = parse_spec(
        mug_spec(
            photo("mug"),
            text_layer(size=18, color="#abc"),
            {"type": "image", "image": png_bytes(), "opacity": 0.5},
        )
    )
    assert isinstance(spec, DesignSpec)
    text, image = spec.layers
    assert isinstance(text, TextLayer) and isinstance(image, ImageLayer)
    assert text.size_pt == 18 and not text.auto_fit and text.color == (0xAA, 0xBB, 0xCC)
    assert image.print_area == "front"  # the only area is the default
    assert spec.product.image.width == 400
    with pytest.raises(dataclasses.FrozenInstanceError):
        text.text = "changed"


def test_unknown_font_is_rejected():
    assert _code(mug_spec(None, text_layer(font="comic-sans-ms"))) == (
        "unknown_font",
        "layers[0].font",
    )


def test_text_over_the_layer_max_chars_is_rejected():
    code, field = _code(mug_spec(None, text_layer("Alexandria", maxChars=8)))
    assert (code, field) == ("text_too_long", "layers[0].text")
    parse_spec(mug_spec(None, text_layer("Alexandra", maxChars=9)))  # at the limit is fine


def test_text_over_the_print_area_max_chars_is_rejected():
    assert _code(mug_spec(None, text_layer("Jessica"), maxChars=5))[0] == "text_too_long"


def test_layer_outside_its_print_area_is_rejected():
    assert _code(mug_spec(None, text_layer(x=1.4)))[0] == "layer_outside_print_area"
    assert _code(mug_spec(None, text_layer(y=-0.2)))[0] == "layer_outside_print_area"


def test_layer_naming_no_print_area_is_rejected():
    assert _code(mug_spec(None, text_layer(printArea="back"))) == (
        "unknown_print_area",
        "layers[0].printArea",
    )


@pytest.mark.parametrize("color", ["red", "#12345", "#gggggg", 12, ""])
def test_bad_colours_are_rejected(color):
    assert _code(mug_spec(None, text_layer(color=color)))[0] == "bad_color"


def test_corrupt_image_is_rejected():
    truncated = png_bytes((64, 64))[:60]
    spec = mug_spec(None, {"type": "image", "image": truncated})
    assert _code(spec) == ("bad_image", "layers[0].image")
    assert _code(mug_spec(b"not an image at all"))[0] == "bad_image"


def test_decompression_bomb_is_refused_before_decoding():
    bomb = _png_claiming(50_000, 50_000)
    assert _code(mug_spec(None, {"type": "image", "image": bomb}))[0] == "image_too_large"


def test_unknown_material_and_layer_type_are_rejected():
    assert _code(mug_spec(None, text_layer(material="platinum")))[0] == "unknown_material"
    assert _code(mug_spec(None, {"type": "video"}))[0] == "unknown_layer_type"


def test_duplicate_and_out_of_image_print_areas_are_rejected():
    spec = mug_spec(None)
    spec["printAreas"].append(dict(spec["printAreas"][0]))
    assert _code(spec)[0] == "duplicate_print_area"
    assert _code(mug_spec(None, x=0.8, width=0.3))[0] == "print_area_outside_image"


def test_character_no_font_has_is_rejected_clearly():
    with pytest.raises(SpecError) as info:
        parse_spec(mug_spec(None, text_layer("Hi \U0001f984")))  # unicorn: no shipped font
    assert info.value.code == "unsupported_character"
    assert "U+1F984" in info.value.message and info.value.field == "layers[0].text"


def test_content_hash_ignores_spelling_but_not_content(photo):
    a = mug_spec(photo("mug"), text_layer(size=18, x=0.5))
    b = mug_spec(photo("mug"), text_layer(size=18.0))  # x defaults to 0.5
    b["layers"][0] = dict(reversed(list(b["layers"][0].items())))
    data_url = "data:image/png;base64," + base64.b64encode(photo("mug")).decode()
    c = mug_spec(data_url, text_layer(size=18))
    assert content_hash(a) == content_hash(b) == content_hash(c)
    assert content_hash(a) != content_hash(mug_spec(photo("mug"), text_layer("Jessie", size=18)))
    assert content_hash(a) != content_hash(mug_spec(photo("ring"), text_layer(size=18)))
    assert len(content_hash(a)) == 64


def test_string_image_paths_need_a_base_dir(tmp_path, photo):
    (tmp_path / "mug.png").write_bytes(photo("mug"))
    assert _code(mug_spec("mug.png"))[0] == "bad_image"
    spec = parse_spec(mug_spec("mug.png"), base_dir=tmp_path)
    assert spec.product.image.sha256 == parse_spec(mug_spec(photo("mug"))).product.image.sha256
