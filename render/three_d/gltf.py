"""A small glTF 2.0 container: parse GLB bytes, read and add accessors, write GLB.

Only what the engine needs, done with numpy so a 100k-triangle model costs a few
milliseconds. Geometry left untouched is copied through byte for byte; bufferViews,
textures and images that nothing refers to any more are dropped on writing.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import math
import struct
from typing import Any

import numpy as np

from render.three_d.budget import (
    check_counts,
    check_json_depth,
    check_json_size,
    too_complex,
    zero_accessor_limit,
)
from render.three_d.errors import ModelError

GLB_MAGIC = b"glTF"
CHUNK_JSON = 0x4E4F534A
CHUNK_BIN = 0x004E4942
ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963

COMPONENT_DTYPES: dict[int, np.dtype] = {
    5120: np.dtype("<i1"),
    5121: np.dtype("<u1"),
    5122: np.dtype("<i2"),
    5123: np.dtype("<u2"),
    5125: np.dtype("<u4"),
    5126: np.dtype("<f4"),
}
TYPE_SIZES = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
_NORMALIZE_DIVISORS = {5120: 127.0, 5121: 255.0, 5122: 32767.0, 5123: 65535.0}


def _invalid(message: str) -> ModelError:
    return ModelError("invalid_glb", message)


class Gltf:
    """A parsed glTF asset: the JSON document and one binary buffer.

    Every buffer of the source is merged into ``bin`` so the asset always writes back
    as a self-contained GLB with a single buffer.
    """

    def __init__(self, doc: dict[str, Any], bin_data: bytes | bytearray = b"") -> None:
        self.json = doc
        self.bin = bytearray(bin_data)

    # -- reading ---------------------------------------------------------------------

    @classmethod
    def from_bytes(cls, data: bytes) -> Gltf:
        """Parse GLB bytes (or a .gltf JSON whose buffers are data URIs)."""
        if data[:4] == GLB_MAGIC:
            doc, bin_chunk = _split_glb(data)
        elif data.lstrip()[:1] == b"{":
            doc, bin_chunk = _load_json(data), None
        else:
            raise _invalid("not a GLB file (missing 'glTF' header)")
        if not isinstance(doc, dict) or not isinstance(doc.get("asset"), dict):
            raise _invalid("glTF JSON has no 'asset' object")
        check_counts(doc)
        version = str(doc["asset"].get("version", ""))
        if not version.startswith("2."):
            raise ModelError("unsupported", f"glTF version {version!r}; only 2.x is supported")
        gltf = cls(doc)
        gltf._merge_buffers(bin_chunk)
        gltf._inline_image_uris()
        return gltf

    def _merge_buffers(self, bin_chunk: bytes | None) -> None:
        buffers = self.json.get("buffers", [])
        starts: list[int] = []
        for i, buf in enumerate(buffers):
            if "uri" not in buf:
                if i != 0 or bin_chunk is None:
                    raise _invalid(f"buffer {i} has no uri and there is no GLB binary chunk")
                payload = bin_chunk
            else:
                payload = _data_uri(buf["uri"], f"buffer {i}")
            length = int(buf.get("byteLength", -1))
            if length < 0 or length > len(payload):
                raise _invalid(f"buffer {i} byteLength {length} exceeds its data")
            starts.append(self._append_aligned(payload[:length]))
        for i, view in enumerate(self.json.get("bufferViews", [])):
            b = view.get("buffer")
            if not isinstance(b, int) or not 0 <= b < len(starts):
                raise _invalid(f"bufferView {i} refers to a missing buffer")
            offset, length = int(view.get("byteOffset", 0)), int(view.get("byteLength", -1))
            if offset < 0 or length < 0 or offset + length > int(buffers[b]["byteLength"]):
                raise _invalid(f"bufferView {i} lies outside its buffer")
            view["buffer"] = 0
            view["byteOffset"] = starts[b] + offset
        if buffers:
            self.json["buffers"] = [{"byteLength": len(self.bin)}]

    def _inline_image_uris(self) -> None:
        for i, image in enumerate(self.json.get("images", [])):
            if "uri" in image:
                payload = _data_uri(image.pop("uri"), f"image {i}")
                image["bufferView"] = self.add_view(payload)
                image.setdefault("mimeType", _sniff_mime(payload))

    def view_bytes(self, index: int) -> memoryview:
        """The bytes of bufferView ``index``."""
        views = self.json.get("bufferViews", [])
        if not 0 <= index < len(views):
            raise _invalid(f"bufferView {index} does not exist")
        view = views[index]
        start = int(view.get("byteOffset", 0))
        return memoryview(self.bin)[start : start + int(view["byteLength"])]

    def image_bytes(self, index: int) -> tuple[bytes, str]:
        """The encoded bytes and MIME type of image ``index``."""
        image = self.json["images"][index]
        if "bufferView" not in image:
            raise ModelError("unsupported", f"image {index} is not stored in the GLB")
        data = bytes(self.view_bytes(image["bufferView"]))
        return data, image.get("mimeType") or _sniff_mime(data)

    def read_accessor(self, index: int, *, as_float: bool = False) -> np.ndarray:
        """Accessor ``index`` as a (count, components) array (a copy).

        ``as_float`` converts integer data to float32, applying glTF normalisation.
        """
        accessors = self.json.get("accessors", [])
        if not 0 <= index < len(accessors):
            raise _invalid(f"accessor {index} does not exist")
        acc = accessors[index]
        dtype = COMPONENT_DTYPES.get(acc.get("componentType"))
        ncomp = TYPE_SIZES.get(acc.get("type"))
        count = int(acc.get("count", -1))
        if dtype is None or ncomp is None or count < 0:
            raise _invalid(f"accessor {index} has a bad type or count")
        if "bufferView" in acc:
            out = self._read_view_elements(acc, dtype, ncomp, count, f"accessor {index}")
        else:
            self._check_zero_accessor(index, count, dtype.itemsize * ncomp)
            out = np.zeros((count, ncomp), dtype)
        if "sparse" in acc:
            self._apply_sparse(acc["sparse"], out, dtype, ncomp, index)
        if as_float and out.dtype != np.float32:
            divisor = _NORMALIZE_DIVISORS.get(acc["componentType"])
            out = out.astype(np.float32)
            if acc.get("normalized") and divisor:
                out = np.maximum(out / divisor, -1.0)
        return out

    def check_accessors(self) -> None:
        """Raise ``invalid_glb`` unless every accessor lies inside its bufferView."""
        views = self.json.get("bufferViews", [])
        for i, acc in enumerate(self.json.get("accessors", [])):
            dtype = COMPONENT_DTYPES.get(acc.get("componentType"))
            ncomp = TYPE_SIZES.get(acc.get("type"))
            count = acc.get("count")
            if dtype is None or ncomp is None or not isinstance(count, int) or count < 0:
                raise _invalid(f"accessor {i} has a bad type or count")
            sparse = acc.get("sparse")
            if sparse is not None:
                n = sparse.get("count") if isinstance(sparse, dict) else None
                if not isinstance(n, int) or not 0 <= n <= count:
                    raise _invalid(f"accessor {i} has a bad sparse count")
            if "bufferView" not in acc:
                self._check_zero_accessor(i, count, dtype.itemsize * ncomp)
                continue
            if count == 0:
                continue
            view_index = acc["bufferView"]
            if not isinstance(view_index, int) or not 0 <= view_index < len(views):
                raise _invalid(f"accessor {i} refers to missing bufferView {view_index}")
            view = views[view_index]
            elem = dtype.itemsize * ncomp
            stride = int(view.get("byteStride", 0)) or elem
            offset = int(acc.get("byteOffset", 0))
            if offset < 0 or offset + stride * (count - 1) + elem > int(view["byteLength"]):
                raise _invalid(f"accessor {i} reads past the end of its bufferView")

    def _check_zero_accessor(self, index: int, count: int, elem: int) -> None:
        """An accessor without data is zeros: bounded, so it cannot ask for gigabytes."""
        limit = zero_accessor_limit(len(self.bin))
        if count * elem > limit:
            raise too_complex(
                f"accessor {index} describes {count:,} elements with no data behind them"
            )

    def _read_view_elements(
        self, acc: dict, dtype: np.dtype, ncomp: int, count: int, what: str
    ) -> np.ndarray:
        view = self.json["bufferViews"][acc["bufferView"]]
        raw = self.view_bytes(acc["bufferView"])
        offset = int(acc.get("byteOffset", 0))
        elem = dtype.itemsize * ncomp
        stride = int(view.get("byteStride", 0)) or elem
        needed = offset + (stride * (count - 1) + elem if count else 0)
        if offset < 0 or needed > len(raw):
            raise _invalid(f"{what} reads past the end of its bufferView")
        if count == 0:
            return np.zeros((0, ncomp), dtype)
        if stride == elem:
            return np.frombuffer(raw, dtype, count * ncomp, offset).reshape(count, ncomp).copy()
        return np.ndarray(
            (count, ncomp), dtype, raw, offset, strides=(stride, dtype.itemsize)
        ).copy()

    def _apply_sparse(
        self, sparse: dict, out: np.ndarray, dtype: np.dtype, ncomp: int, index: int
    ) -> None:
        n = int(sparse.get("count", 0))
        idx_dtype = COMPONENT_DTYPES.get(sparse["indices"].get("componentType"))
        if idx_dtype is None:
            raise _invalid(f"accessor {index} has bad sparse indices")
        where = self._read_view_elements(sparse["indices"], idx_dtype, 1, n, "sparse indices")
        values = self._read_view_elements(sparse["values"], dtype, ncomp, n, "sparse values")
        if n and int(where.max()) >= len(out):
            raise _invalid(f"accessor {index} has sparse indices out of range")
        out[where[:, 0]] = values

    # -- adding ----------------------------------------------------------------------

    def _append_aligned(self, payload: bytes | memoryview) -> int:
        pad = (-len(self.bin)) % 4
        self.bin.extend(b"\0" * pad)
        start = len(self.bin)
        self.bin.extend(payload)
        return start

    def add_view(self, payload: bytes | memoryview, target: int | None = None) -> int:
        """Append ``payload`` as a new bufferView (4-byte aligned); returns its index."""
        start = self._append_aligned(payload)
        view: dict[str, Any] = {"buffer": 0, "byteOffset": start, "byteLength": len(payload)}
        if target is not None:
            view["target"] = target
        views = self.json.setdefault("bufferViews", [])
        views.append(view)
        self.json["buffers"] = [{"byteLength": len(self.bin)}]
        return len(views) - 1

    def add_accessor(
        self, array: np.ndarray, *, indices: bool = False, bounds: bool = False
    ) -> int:
        """Append ``array`` (float32 (n, k) or uint16/uint32 (n,)) as an accessor."""
        arr = np.ascontiguousarray(array)
        component = {np.dtype("float32"): 5126, np.dtype("uint16"): 5123, np.dtype("uint32"): 5125}
        ctype = component.get(arr.dtype)
        if ctype is None:
            raise TypeError(f"unsupported accessor dtype {arr.dtype}")
        ncomp = 1 if arr.ndim == 1 else arr.shape[1]
        kind = {v: k for k, v in TYPE_SIZES.items() if not k.startswith("MAT")}[ncomp]
        view = self.add_view(arr.tobytes(), ELEMENT_ARRAY_BUFFER if indices else ARRAY_BUFFER)
        acc: dict[str, Any] = {
            "bufferView": view,
            "componentType": ctype,
            "count": int(arr.shape[0]),
            "type": kind,
        }
        if bounds and arr.size:
            flat = arr.reshape(arr.shape[0], ncomp)
            acc["min"] = [float(x) for x in flat.min(axis=0)]
            acc["max"] = [float(x) for x in flat.max(axis=0)]
        accessors = self.json.setdefault("accessors", [])
        accessors.append(acc)
        return len(accessors) - 1

    def add_image_texture(self, payload: bytes, mime: str, sampler: int | None) -> int:
        """Append an image and a texture showing it; returns the texture index."""
        images = self.json.setdefault("images", [])
        images.append({"bufferView": self.add_view(payload), "mimeType": mime})
        texture: dict[str, Any] = {"source": len(images) - 1}
        if sampler is not None:
            texture["sampler"] = sampler
        textures = self.json.setdefault("textures", [])
        textures.append(texture)
        return len(textures) - 1

    # -- writing ---------------------------------------------------------------------

    def to_glb(self) -> bytes:
        """Serialise as GLB, dropping textures, images and bufferViews nothing uses."""
        doc = copy.deepcopy(self.json)
        _prune_textures(doc)
        doc, payload = _compact_views(doc, self.bin)
        text = json.dumps(doc, separators=(",", ":"), allow_nan=False).encode("utf-8")
        text += b" " * ((-len(text)) % 4)
        chunks = [struct.pack("<II", len(text), CHUNK_JSON), text]
        if payload:
            payload += b"\0" * ((-len(payload)) % 4)
            chunks += [struct.pack("<II", len(payload), CHUNK_BIN), bytes(payload)]
        body = b"".join(chunks)
        return GLB_MAGIC + struct.pack("<II", 2, 12 + len(body)) + body


def _split_glb(data: bytes) -> tuple[dict, bytes | None]:
    if len(data) < 20:
        raise _invalid("GLB is truncated")
    version, length = struct.unpack_from("<II", data, 4)
    if version != 2:
        raise ModelError("unsupported", f"GLB container version {version}; only 2 is supported")
    if length > len(data) or length < 20:
        raise _invalid("GLB length field does not match the data")
    doc: dict | None = None
    bin_chunk: bytes | None = None
    pos = 12
    while pos + 8 <= length:
        size, kind = struct.unpack_from("<II", data, pos)
        start, pos = pos + 8, pos + 8 + size
        if pos > length:
            raise _invalid("GLB chunk runs past the end of the file")
        if kind == CHUNK_JSON and doc is None:
            doc = _load_json(data[start:pos])
        elif kind == CHUNK_BIN and bin_chunk is None and doc is not None:
            bin_chunk = data[start:pos]
    if doc is None:
        raise _invalid("GLB has no JSON chunk")
    return doc, bin_chunk


def _no_constant(name: str) -> float:
    raise _invalid(f"glTF JSON holds {name}, which is not a number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _invalid(f"glTF JSON holds {text[:20]}, which overflows a number")
    return value


def _load_json(data: bytes) -> dict:
    check_json_size(data)
    try:
        text = data.decode("utf-8").rstrip(" \0")
        doc = json.loads(
            text,
            parse_constant=_no_constant,
            parse_float=_finite_float,
        )
    except RecursionError:
        raise too_complex("glTF JSON nests too deep") from None
    except ModelError:
        raise
    except (UnicodeDecodeError, ValueError) as exc:
        raise _invalid(f"glTF JSON does not parse: {exc}") from None
    if not isinstance(doc, dict):
        raise _invalid("glTF JSON is not an object")
    check_json_depth(data)
    return doc


def _data_uri(uri: str, what: str) -> bytes:
    if not uri.startswith("data:"):
        raise ModelError(
            "unsupported",
            f"{what} points to an external file ({uri[:60]}); upload a self-contained GLB",
        )
    header, _, body = uri.partition(",")
    if not header.endswith(";base64"):
        raise ModelError("unsupported", f"{what} has a data URI that is not base64")
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error:
        raise _invalid(f"{what} has a malformed base64 data URI") from None


def _sniff_mime(data: bytes | memoryview) -> str:
    head = bytes(data[:12])
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def texture_refs(node: Any) -> list[dict]:
    """Every textureInfo object (a dict with an ``index``) inside a material."""
    found: list[dict] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("Texture") and isinstance(value, dict) and "index" in value:
                found.append(value)
            else:
                found.extend(texture_refs(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(texture_refs(value))
    return found


def _prune_textures(doc: dict) -> None:
    textures, images = doc.get("textures", []), doc.get("images", [])
    refs = texture_refs(doc.get("materials", []))
    used_tex = sorted({r["index"] for r in refs if 0 <= r["index"] < len(textures)})
    tex_map = {old: new for new, old in enumerate(used_tex)}
    for ref in refs:
        ref["index"] = tex_map.get(ref["index"], ref["index"])
    kept_tex = [textures[i] for i in used_tex]
    sources = [t for tex in kept_tex for t in _image_sources(tex)]
    used_img = sorted({s["source"] for s in sources if 0 <= s["source"] < len(images)})
    img_map = {old: new for new, old in enumerate(used_img)}
    for src in sources:
        src["source"] = img_map.get(src["source"], src["source"])
    for key, kept in (("textures", kept_tex), ("images", [images[i] for i in used_img])):
        if kept:
            doc[key] = kept
        else:
            doc.pop(key, None)


def _image_sources(texture: dict) -> list[dict]:
    holders = [texture] + [e for e in texture.get("extensions", {}).values() if isinstance(e, dict)]
    return [h for h in holders if isinstance(h.get("source"), int)]


def _view_refs(node: Any, skip: bool = True) -> list[dict]:
    """Every object holding a ``bufferView`` index (accessors, images, extensions)."""
    found: list[dict] = []
    if isinstance(node, dict):
        if isinstance(node.get("bufferView"), int):
            found.append(node)
        for key, value in node.items():
            if not (skip and key in ("bufferViews", "buffers")):
                found.extend(_view_refs(value, skip=False))
    elif isinstance(node, list):
        for value in node:
            found.extend(_view_refs(value, skip=False))
    return found


def _compact_views(doc: dict, data: bytearray) -> tuple[dict, bytearray]:
    views = doc.get("bufferViews", [])
    refs = _view_refs(doc)
    used = sorted({r["bufferView"] for r in refs if 0 <= r["bufferView"] < len(views)})
    out = bytearray()
    new_views = []
    for old in used:
        view = dict(views[old])
        start, length = int(view.get("byteOffset", 0)), int(view["byteLength"])
        out.extend(b"\0" * ((-len(out)) % 4))
        view["byteOffset"] = len(out)
        out.extend(memoryview(data)[start : start + length])
        new_views.append(view)
    remap = {old: new for new, old in enumerate(used)}
    for ref in refs:
        ref["bufferView"] = remap.get(ref["bufferView"], ref["bufferView"])
    doc = dict(doc)
    if new_views:
        doc["bufferViews"] = new_views
        doc["buffers"] = [{"byteLength": len(out)}]
    else:
        doc.pop("bufferViews", None)
        doc.pop("buffers", None)
    return doc, out
