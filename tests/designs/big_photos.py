"""Large and hostile shopper photos, made without holding their pixels in this process."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

PHONE_48MP = (8064, 6048)


def png_bomb(width: int, height: int, rgb: bool = False) -> bytes:
    """A real, complete PNG of ``width`` x ``height`` grey (or RGB) pixels that compresses to
    a few hundred KB (every row is zeros): it decodes to ``width * height`` pixels."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width * (3 if rgb else 1) + 1)
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 2 if rgb else 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"".join(parts))
        + _chunk(b"IEND", b"")
    )


def phone_jpeg(size: tuple[int, int] = PHONE_48MP) -> bytes:
    """A JPEG the size of a 48 MP phone photo (a smooth picture, so it stays small)."""
    small = Image.radial_gradient("L").resize((size[0] // 8, size[1] // 8)).convert("RGB")
    out = io.BytesIO()
    small.resize(size, Image.Resampling.NEAREST).save(out, "JPEG", quality=85)
    return out.getvalue()


def phone_heic(size: tuple[int, int] = PHONE_48MP) -> bytes:
    """A HEIC the size of an iPhone 48 MP photo."""
    import pillow_heif

    image = Image.radial_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    pillow_heif.from_pillow(image).save(out, quality=60)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return struct.pack(">I", len(data)) + kind + data + crc
