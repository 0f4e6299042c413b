"""The engine's caches are bounded in bytes, whatever the mix of products and designs."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import render
from render import images
from tests.render.conftest import mug_spec, text_layer

MIB = 1024 * 1024


def _photo(seed: int, px: int = 600) -> bytes:
    """A distinct product photo per seed (noise, so no two products share pixels)."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (px, px, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, "PNG", compress_level=1)
    return buf.getvalue()


@pytest.fixture
def budget():
    images.clear_cache()
    yield
    images.configure_cache(images.DEFAULT_CACHE_BYTES)
    images.clear_cache()


def test_fifty_products_stay_within_the_byte_budget(budget):
    images.configure_cache(12 * MIB)
    peak = 0
    for seed in range(50):
        render.preview(mug_spec(_photo(seed), text_layer(f"Name {seed}")), width=300, fmt="png")
        held, _ = images.cache_usage()
        peak = max(peak, held)
    assert 4 * MIB < peak <= 12 * MIB  # used, and never over the budget


def test_a_photo_read_again_is_decoded_once(budget):
    data = _photo(7)
    first = images.inspect(data)
    held, entries = images.cache_usage()
    # the same file read again from storage is a new bytes object with the same content
    again = images.inspect(bytes(bytearray(data)))
    assert images.rgba(again) is images.rgba(first)
    assert images.cache_usage() == (held, entries)


def test_a_smaller_budget_evicts_the_oldest_first(budget):
    infos = [images.inspect(_photo(seed, 400)) for seed in range(4)]
    newest = images.rgba(infos[-1])
    images.configure_cache(2 * MIB)  # one decoded 400 px photo and its file fit, not four
    held, entries = images.cache_usage()
    assert held <= 2 * MIB and entries == 1
    assert images.rgba(infos[-1]) is newest  # the most recent one stayed
    assert images.rgba(infos[0]) is not None  # the evicted one decodes again on demand
