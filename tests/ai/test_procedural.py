"""The procedural generator (render/artwork.py): deterministic, prompt-driven, print-ready."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from render import artwork
from render.errors import SpecError

PROMPT = "a gold cursive 'Jessica' with small stars"


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_same_prompt_and_seed_give_identical_bytes():
    assert artwork.generate_png(PROMPT, 7, 512) == artwork.generate_png(PROMPT, 7, 512)


def test_another_prompt_or_seed_gives_other_artwork():
    base = _pixels(artwork.generate_png(PROMPT, 7, 512))
    other_prompt = _pixels(artwork.generate_png("a gold cursive 'Jessy' with small stars", 7, 512))
    other_seed = _pixels(artwork.generate_png(PROMPT, 8, 512))
    # not a pixel or two: the artwork itself differs
    assert np.mean(np.any(base != other_prompt, axis=-1)) > 0.01
    assert np.mean(np.any(base != other_seed, axis=-1)) > 0.01


def test_artwork_has_the_asked_size_and_a_transparent_background():
    image = artwork.generate(PROMPT, 0, (600, 300))
    assert image.size == (600, 300) and image.mode == "RGBA"
    alpha = np.asarray(image.getchannel("A"))
    assert alpha[0, 0] == 0  # background stays clear for printing
    assert 0.02 < np.mean(alpha > 0) < 0.8  # something is drawn, not a filled block


def test_named_colours_are_used():
    red = np.asarray(artwork.generate("red hearts 'Mom'", 0, 400).convert("RGBA"))
    solid = red[red[..., 3] == 255][:, :3].astype(int)
    # the prompt's red (196, 36, 44) is the dominant ink
    assert np.mean((solid[:, 0] > 150) & (solid[:, 1] < 90) & (solid[:, 2] < 90)) > 0.8


def test_prompt_is_read_for_words_colours_motifs_and_layout():
    brief = artwork.read_prompt("Navy and rose gold 'The Smiths' with leaves, vintage frame")
    assert brief.words == ("The Smiths",)
    assert brief.inks == ("navy", "rose gold")
    assert "leaf" in brief.motifs and brief.style == "vintage" and brief.frame
    assert brief.layout == "text"
    assert artwork.read_prompt("monogram 'AJM' in silver").layout == "monogram"
    assert artwork.read_prompt("'Mom' with hearts").layout == "text"  # a word, not initials
    assert artwork.read_prompt("a repeating pattern of stars").layout == "pattern"
    assert artwork.read_prompt("mom's favourite flowers").words == ()  # apostrophes are not quotes


@pytest.mark.parametrize(
    "prompt",
    ["", "'😀🎉'", "'" + "W" * 40 + "'", "snowflakes", "monogram 'Q'", "'A' 'B' 'C' 'D'"],
)
def test_unusual_prompts_still_give_artwork(prompt):
    image = artwork.generate(prompt, 3, 256)
    assert image.size == (256, 256) and image.getbbox() is not None


def test_long_thin_areas_get_a_band_layout():
    image = artwork.generate("'Forever' with stars", 1, (1024, 160))
    assert image.size == (1024, 160) and image.getbbox() is not None
    tall = artwork.generate("'Forever' with stars", 1, (160, 1024))
    assert tall.size == (160, 1024) and tall.getbbox() is not None


def test_sizes_outside_the_limits_are_refused():
    with pytest.raises(SpecError) as caught:
        artwork.generate(PROMPT, 0, 4096)
    assert caught.value.code == "bad_value"
