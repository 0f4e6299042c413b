"""Checked decoding of untrusted image bytes, with a cache keyed by content and bounded in bytes.

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

import numpy as np
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


class _ByteLRU:
    """A thread-safe LRU mapping bounded by the bytes its values hold, not by their count.

    A decoded 1600 px photo is about 10 MB of RGBA while a mask is a few KB: a count bound
    either wastes memory or evicts everything, so each entry carries its size in bytes.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return None
            self._data.move_to_end(key)
            return entry[0]

    def put(self, key, value, size: int) -> None:
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            if size > self.max_bytes:
                return  # larger than the whole budget: not worth evicting everything for
            self._data[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, evicted) = self._data.popitem(last=False)
                self.bytes -= evicted

    def resize(self, max_bytes: int) -> None:
        with self._lock:
            self.max_bytes = max_bytes
            while self.bytes > self.max_bytes and self._data:
                _, (_, evicted) = self._data.popitem(last=False)
                self.bytes -= evicted

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.bytes = 0


def sizeof(value) -> int:
    """Bytes a cached value holds: arrays, images and bytes, inside tuples and dataclasses."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, Image.Image):
        return value.width * value.height * len(value.getbands())
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    if isinstance(value, ImageData):
        return len(value.data)
    if isinstance(value, (tuple, list)):
        return 64 + sum(sizeof(item) for item in value)
    fields = getattr(value, "__dataclass_fields__", None)
    if fields:
        return 64 + sum(sizeof(getattr(value, name)) for name in fields)
    return 64


DEFAULT_CACHE_BYTES = 256 * 1024 * 1024
# Every cache of the engine (decoded images, scaled product photos, masks, image tiles,
# rendered layers) shares this one budget, so what a process holds is bounded in bytes
# whatever the mix of products and designs.
_cache = _ByteLRU(DEFAULT_CACHE_BYTES)


class Shelf:
    """One kind of cached value in the shared byte-bounded cache (keys never collide)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def get(self, key):
        return _cache.get((self.name, key))

    def put(self, key, value) -> None:
        _cache.put((self.name, key), value, sizeof(value))


_decoded = Shelf("decoded")  # sha256 of the file -> (ImageData, decoded RGBA)


def configure_cache(max_bytes: int) -> None:
    """Set this process's budget for the engine's caches (the app passes its setting)."""
    _cache.resize(max(0, int(max_bytes)))


def cache_usage() -> tuple[int, int]:
    """(bytes held, entries) of the engine's caches, for metrics and tests."""
    return _cache.bytes, len(_cache)


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
    sha = hashlib.sha256(data).hexdigest()  # about 2 ms for a 2.5 MB photo
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
    """Forget every cached image and array (tests, and workers under memory pressure)."""
    _cache.clear()
