"""Decoding design textures and encoding the textures that go into GLB and USDZ."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from render.three_d.errors import ModelError

TextureInput = Image.Image | bytes | bytearray | memoryview
MAX_SOURCE_PIXELS = 64_000_000
JPEG_QUALITY = 90
PNG_COMPRESS_LEVEL = 3  # level 6 costs ~3x the time for ~5 % smaller files


def open_image(data: bytes | bytearray | memoryview) -> Image.Image:
    """Open PNG, JPEG or WebP bytes (header only; pixels load on first use)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(bytes(data)))
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ModelError("bad_texture", f"texture is not a readable image: {exc}") from None
    if img.format not in ("PNG", "JPEG", "WEBP"):
        raise ModelError(
            "bad_texture", f"texture format {img.format} is not supported; use PNG or JPEG"
        )
    if img.width * img.height > MAX_SOURCE_PIXELS:
        raise ModelError("bad_texture", f"texture is {img.width}x{img.height}, too many pixels")
    return img


def decode(data: bytes | bytearray | memoryview, mode: str) -> Image.Image:
    """Decode image bytes fully and convert them to ``mode``."""
    img = open_image(data)
    try:
        img.load()
    except (OSError, ValueError) as exc:
        raise ModelError("bad_texture", f"texture does not decode: {exc}") from None
    return img if img.mode == mode else img.convert(mode)


def load_design(texture: TextureInput) -> Image.Image:
    """The design as an RGBA image, from a PIL image or PNG/JPEG/WebP bytes."""
    if isinstance(texture, Image.Image):
        img = texture
    elif isinstance(texture, bytes | bytearray | memoryview):
        img = ImageOps.exif_transpose(decode(texture, "RGBA"))
    else:
        raise ModelError(
            "bad_texture",
            f"texture must be a PIL image or image bytes, not {type(texture).__name__}",
        )
    if img.width < 1 or img.height < 1:
        raise ModelError("bad_texture", "texture is empty")
    return img if img.mode == "RGBA" else img.convert("RGBA")


def fit_within(size: tuple[float, float], max_px: int) -> tuple[int, int]:
    """``size`` scaled down (never up) so neither side exceeds ``max_px``."""
    w, h = size
    scale = min(1.0, max_px / max(w, h))
    return max(1, round(w * scale)), max(1, round(h * scale))


def resized(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``img`` at ``size`` (itself when it already is): bicubic, box-reduced first when
    shrinking a lot, which keeps a 4096 px photo to a fraction of a second."""
    if img.size == size:
        return img
    shrinking = size[0] < img.width and size[1] < img.height
    return img.resize(size, Image.Resampling.BICUBIC, reducing_gap=1.0 if shrinking else None)


def has_transparency(img: Image.Image) -> bool:
    """Whether any pixel of an RGBA/LA image is not fully opaque."""
    if img.mode not in ("RGBA", "LA"):
        return False
    return img.getchannel("A").getextrema()[0] < 255


def encode(img: Image.Image, *, alpha: bool, exact_chroma: bool = False) -> tuple[bytes, str]:
    """Encode for a model: PNG when ``alpha`` is needed, else JPEG.

    ``exact_chroma`` keeps full-resolution colour channels in a JPEG, for data textures
    (metallic/roughness) whose channels mean different things.
    """
    out = io.BytesIO()
    if alpha:
        img = img if img.mode == "RGBA" else img.convert("RGBA")
        img.save(out, "PNG", compress_level=PNG_COMPRESS_LEVEL)
        return out.getvalue(), "image/png"
    img = img if img.mode == "RGB" else img.convert("RGB")
    img.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=0 if exact_chroma else 2)
    return out.getvalue(), "image/jpeg"
