"""Decode an uploaded photo safely and re-encode it clean.

Refuses what is not a JPEG, PNG, WebP or HEIC picture, what is too big in bytes or pixels,
and decompression bombs (the pixel count is checked from the header, before decoding).
EXIF orientation is applied to the pixels, then every metadata block is dropped by
re-encoding.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from ..core.errors import ValidationFailed

try:  # HEIC/HEIF from iPhones, through the maintained pillow-heif plugin.
    import pillow_heif

    pillow_heif.register_heif_opener()
    _HEIF = True
except ImportError:  # pragma: no cover - the dependency is pinned
    _HEIF = False

# Rows of the decoded HEIF picture turned into Pillow pixels at a time (see _heif_reduced).
_HEIF_STRIP_ROWS = 256

ALLOWED_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "HEIF": "heic", "HEIC": "heic"}


@dataclass(frozen=True)
class CleanImage:
    """A decoded, oriented, metadata-free picture ready to store."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    original_format: str
    sha256: str


def clean_upload(
    raw: bytes, max_bytes: int, max_pixels: int, decode_pixels: int | None = None
) -> CleanImage:
    """Validate and re-encode an upload; raises ``ValidationFailed`` with a clear code.

    With ``decode_pixels`` the stored picture is at most that many pixels: a JPEG is decoded
    already reduced (DCT scaling), other formats are reduced after decoding. Runs in the
    decode child (:mod:`.decode`), which bounds its memory.
    """
    if not raw:
        raise ValidationFailed("The upload is empty.", code="empty_upload")
    if len(raw) > max_bytes:
        raise ValidationFailed(
            f"The file is {len(raw) // 1024} KB; the limit is {max_bytes // 1024} KB.",
            code="upload_too_large",
            details={"limit": max_bytes},
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            fmt = (image.format or "").upper()
            if fmt not in ALLOWED_FORMATS:
                raise ValidationFailed(
                    "Upload a JPEG, PNG, WebP or HEIC photo.",
                    code="unsupported_image_type",
                    details={"format": fmt or None},
                )
            width, height = image.size
            if width * height > max_pixels or width > 20000 or height > 20000:
                raise ValidationFailed(
                    f"The picture is {width}×{height} pixels; the limit is "
                    f"{max_pixels // 1_000_000} megapixels.",
                    code="image_too_many_pixels",
                    details={"width": width, "height": height, "maxPixels": max_pixels},
                )
            image.seek(0)
            if decode_pixels and fmt == "JPEG" and width * height > decode_pixels:
                scale = (decode_pixels / (width * height)) ** 0.5
                image.draft("RGB", (int(width * scale), int(height * scale)))
            if decode_pixels and fmt in ("HEIF", "HEIC") and width * height > 2 * decode_pixels:
                image = _heif_reduced(raw, width * height, decode_pixels)
            image.load()
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationFailed(
            "The picture expands to too many pixels.", code="image_too_many_pixels"
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ValidationFailed(
            "The file is not a readable picture (it may be corrupt).", code="corrupt_image"
        ) from exc
    image = ImageOps.exif_transpose(image)
    if decode_pixels and image.width * image.height > decode_pixels:
        scale = (decode_pixels / (image.width * image.height)) ** 0.5
        image.thumbnail(
            (max(1, int(image.width * scale)), max(1, int(image.height * scale))),
            Image.Resampling.LANCZOS,
            reducing_gap=3.0,
        )
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    out = io.BytesIO()
    if has_alpha:
        image = image.convert("RGBA")
        image.save(out, "PNG", optimize=False, compress_level=6)
        content_type, extension = "image/png", "png"
    else:
        image = image.convert("RGB")
        image.save(out, "JPEG", quality=93, subsampling=0)
        content_type, extension = "image/jpeg", "jpg"
    data = out.getvalue()
    return CleanImage(
        data=data,
        content_type=content_type,
        extension=extension,
        width=image.width,
        height=image.height,
        original_format=ALLOWED_FORMATS[fmt],
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _heif_reduced(raw: bytes, pixels: int, decode_pixels: int) -> Image.Image:
    """Decode a large HEIF picture already reduced by a whole factor.

    libheif decodes the whole picture (3 bytes a pixel); Pillow would copy it into its own
    4-byte pixels and reduce from there, more than doubling the peak (48 MP: 433 MB). Here
    Pillow sees a strip of rows at a time, each reduced by box averaging (what
    ``Image.reduce`` and the JPEG DCT scaling do) into the smaller picture.
    """
    heif = pillow_heif.open_heif(io.BytesIO(raw), convert_hdr_to_8bit=True)
    factor = max(1, int((pixels / decode_pixels) ** 0.5))
    width, height = heif.size
    mode, stride, buffer = heif.mode, heif.stride, memoryview(heif.data)
    out = Image.new(mode, (-(-width // factor), -(-height // factor)))
    rows = _HEIF_STRIP_ROWS * factor
    for top in range(0, height, rows):
        count = min(rows, height - top)
        strip = Image.frombuffer(
            mode,
            (width, count),
            buffer[top * stride : (top + count) * stride],
            "raw",
            mode,
            stride,
            1,
        )
        out.paste(strip.reduce(factor), (0, top // factor))
    exif = heif.info.get("exif")
    if exif:
        out.info["exif"] = exif
    del buffer, heif
    return out


@dataclass(frozen=True)
class PrintQuality:
    """How sharp a photo will print in a print area: effective dpi and a verdict."""

    effective_dpi: int
    verdict: str  # good | low | too_low
    min_dpi: int

    def as_json(self) -> dict[str, object]:
        return {"effectiveDpi": self.effective_dpi, "verdict": self.verdict, "minDpi": self.min_dpi}


def print_quality(
    width: int, height: int, width_mm: float, height_mm: float, min_dpi: int = 150
) -> PrintQuality:
    """Effective dpi when the photo is fitted inside the print area (layer scale 1).

    Fitted inside, the photo's limiting side spans the area, so the density is the larger
    of the two pixels-per-inch ratios.
    """
    effective = int(round(max(width / (width_mm / 25.4), height / (height_mm / 25.4))))
    if effective >= min_dpi:
        verdict = "good"
    elif effective >= int(min_dpi * 0.6):
        verdict = "low"
    else:
        verdict = "too_low"
    return PrintQuality(effective_dpi=effective, verdict=verdict, min_dpi=min_dpi)
