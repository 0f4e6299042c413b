"""Checked decoding of untrusted image bytes, with a small cache keyed by content.

Every image a spec carries (product photo, upload, PNG mask) goes through
``inspect`` once: it refuses files over our own pixel/byte limits *before*
decoding (decompression bombs), decodes fully to catch truncated or corrupt
files, and keeps the decoded RGBA so rendering never decodes twice.
"""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass

from PIL import Image, ImageOps

from render.errors import SpecError

try:  # iPhone uploads are HEIC; the app treats it as optional
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - depends on the environment
    pass

MAX_IMAGE_PIXELS = 40_000_000  # about 8000 x 5000: a 40 MP phone photo
MAX_IMAGE_BYTES = 40 * 1024 * 1024
FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF", "HEIF", "AVIF", "MPO")


@dataclass(frozen=True, eq=False)
class ImageData:
    """Image bytes from a spec, checked and identified by the SHA-256 of the bytes."""

    data: bytes
    sha256: str
    width: int
    height: int
    format: str

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ImageData) and other.sha256 == self.sha256

    def __hash__(self) -> int:
        return hash(self.sha256)

    def __repr__(self) -> str:
        return f"ImageData({self.format} {self.width}x{self.height} sha256={self.sha256[:12]})"


class _LRU:
    """A tiny thread-safe LRU mapping (functools.lru_cache cannot key by our ids)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key, value) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_decoded = _LRU(24)
# id(bytes) -> (the bytes, sha256): holding the object keeps its id from being reused,
# so a caller passing the same bytes object again skips re-hashing a large photo
_digests = _LRU(64)


def _sha256(data: bytes) -> str:
    entry = _digests.get(id(data))
    if entry is not None and entry[0] is data:
        return entry[1]
    sha = hashlib.sha256(data).hexdigest()
    _digests.put(id(data), (data, sha))
    return sha


def inspect(data: bytes, field: str | None = None) -> ImageData:
    """Check ``data`` is one decodable image within limits; return its ``ImageData``.

    Raises ``SpecError('image_too_large')`` for files over ``MAX_IMAGE_BYTES`` or
    ``MAX_IMAGE_PIXELS`` (checked from the header, before decoding) and
    ``SpecError('bad_image')`` for anything Pillow cannot fully decode.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise SpecError("bad_image", "image must be bytes", field)
    if not isinstance(data, bytes):
        data = bytes(data)
    if not data:
        raise SpecError("bad_image", "image is empty", field)
    if len(data) > MAX_IMAGE_BYTES:
        raise SpecError("image_too_large", f"image is over {MAX_IMAGE_BYTES} bytes", field)
    sha = _sha256(data)
    cached = _decoded.get(sha)
    if cached is not None:
        return cached[0]
    image = _decode(data, field)
    info = ImageData(data, sha, image.width, image.height, image.format_name)
    _decoded.put(sha, (info, image.rgba))
    return info


def rgba(img: ImageData) -> Image.Image:
    """The decoded image as RGBA, upright (EXIF orientation applied). Do not mutate."""
    cached = _decoded.get(img.sha256)
    if cached is None:
        cached = (img, _decode(img.data, None).rgba)
        _decoded.put(img.sha256, cached)
    return cached[1]


@dataclass
class _Decoded:
    rgba: Image.Image
    format_name: str

    @property
    def width(self) -> int:
        return self.rgba.width

    @property
    def height(self) -> int:
        return self.rgba.height


def _decode(data: bytes, field: str | None) -> _Decoded:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            if im.width * im.height > MAX_IMAGE_PIXELS:
                raise SpecError(
                    "image_too_large",
                    f"image is {im.width}x{im.height} pixels; the limit is "
                    f"{MAX_IMAGE_PIXELS} pixels",
                    field,
                )
            fmt = im.format or "unknown"
            if fmt not in FORMATS:
                raise SpecError("bad_image", f"unsupported image format {fmt}", field)
            im.load()
            im = ImageOps.exif_transpose(im) or im
            out = im.convert("RGBA")
    except SpecError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise SpecError("image_too_large", f"image is too large to decode: {exc}", field) from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise SpecError("bad_image", f"image cannot be decoded: {exc}", field) from None
    return _Decoded(out, fmt)


def clear_cache() -> None:
    """Forget decoded images (tests and long-running workers under memory pressure)."""
    _decoded.clear()
    _digests.clear()
