"""An adversarial corpus of crafted models: small files that ask for enormous work.

Each entry is ``(name, glb bytes, expected ModelError code)``. Every file stays far below the
upload byte limit; what it describes (instances, elements, depth) is what is hostile. Used by
``tests/render_3d/test_3d_hostile.py`` and ``bench/model_validation.py``.

    .venv/bin/python -m tests.render_3d.hostile_models OUTDIR   # writes the corpus as files
"""

from __future__ import annotations

import json
import struct
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

GLB_MAGIC = b"glTF"


def pack_glb(
    doc: dict[str, Any], payload: bytes = b"", edit: tuple[bytes, bytes] | None = None
) -> bytes:
    """A GLB container around any JSON (NaN allowed: a crafted file may hold anything);
    ``edit`` replaces text in the JSON, for what ``json.dumps`` cannot write."""
    text = json.dumps(doc, separators=(",", ":"), allow_nan=True).encode()
    if edit is not None:
        text = text.replace(*edit)
    text += b" " * ((-len(text)) % 4)
    chunks = struct.pack("<II", len(text), 0x4E4F534A) + text
    if payload:
        payload += b"\0" * ((-len(payload)) % 4)
        chunks += struct.pack("<II", len(payload), 0x004E4942) + payload
    return GLB_MAGIC + struct.pack("<II", 2, 12 + len(chunks)) + chunks


def _quad(triangles: int = 2) -> tuple[dict[str, Any], bytes]:
    """A textured strip of ``triangles`` triangles: the document without nodes, and its bin."""
    quads = max(triangles // 2, 1)
    x = np.repeat(np.arange(quads + 1, dtype=np.float32), 2) * 0.01
    y = np.tile(np.float32([0, 0.01]), quads + 1)
    pos = np.stack([x, y, np.zeros_like(x)], 1).astype(np.float32)
    uv = np.stack([x / max(x.max(), 1e-6), y * 100], 1).astype(np.float32)
    idx = []
    for q in range(quads):
        a = 2 * q
        idx += [a, a + 2, a + 1, a + 1, a + 2, a + 3]
    indices = np.asarray(idx, np.uint32)
    blobs = [pos.tobytes(), uv.tobytes(), indices.tobytes()]
    offsets = np.cumsum([0] + [len(b) for b in blobs])
    doc = {
        "asset": {"version": "2.0"},
        "buffers": [{"byteLength": int(offsets[-1])}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": int(offsets[i]), "byteLength": len(b)}
            for i, b in enumerate(blobs)
        ],
        "accessors": [
            {
                "bufferView": 0,
                "componentType": 5126,
                "count": len(pos),
                "type": "VEC3",
                "min": [float(v) for v in pos.min(0)],
                "max": [float(v) for v in pos.max(0)],
            },
            {"bufferView": 1, "componentType": 5126, "count": len(uv), "type": "VEC2"},
            {"bufferView": 2, "componentType": 5125, "count": len(indices), "type": "SCALAR"},
        ],
        "meshes": [
            {"primitives": [{"attributes": {"POSITION": 0, "TEXCOORD_0": 1}, "indices": 2}]}
        ],
        "materials": [{"name": "print"}],
        "scene": 0,
    }
    doc["meshes"][0]["primitives"][0]["material"] = 0
    return doc, b"".join(blobs)


def _with_nodes(nodes: list[dict], roots: list[int], triangles: int = 2) -> bytes:
    doc, payload = _quad(triangles)
    doc["nodes"] = nodes
    doc["scenes"] = [{"nodes": roots}]
    return pack_glb(doc, payload)


def instance_bomb() -> bytes:
    """40 levels, each node drawing the next one twice: 2^40 instances in ~1.6 KB."""
    nodes: list[dict] = [{"children": [i + 1, i + 1]} for i in range(40)]
    nodes.append({"mesh": 0})
    return _with_nodes(nodes, [0])


def wide_instances() -> bytes:
    """One parent listing the same mesh node 20,000 times."""
    return _with_nodes([{"children": [1] * 20_000}, {"mesh": 0}], [0])


def triangles_through_instances() -> bytes:
    """3,000 instances of a 200-triangle mesh: 600,000 triangles drawn from 200 stored."""
    return _with_nodes([{"children": [1] * 3_000}, {"mesh": 0}], [0], triangles=200)


def deep_chain() -> bytes:
    """A chain of 5,000 nested nodes."""
    nodes: list[dict] = [{"children": [i + 1]} for i in range(5_000)]
    nodes.append({"mesh": 0})
    return _with_nodes(nodes, [0])


def cyclic_graph() -> bytes:
    """Two nodes that are each other's child."""
    return _with_nodes([{"children": [1], "mesh": 0}, {"children": [0]}], [0])


def many_nodes() -> bytes:
    """150,000 nodes, each drawing the mesh."""
    return _with_nodes([{"mesh": 0} for _ in range(150_000)], list(range(150_000)))


def many_primitives() -> bytes:
    """One mesh with 150,000 primitives."""
    doc, payload = _quad()
    prim = doc["meshes"][0]["primitives"][0]
    doc["meshes"][0]["primitives"] = [prim] * 150_000
    doc["nodes"] = [{"mesh": 0}]
    doc["scenes"] = [{"nodes": [0]}]
    return pack_glb(doc, payload)


def _accessor_case(accessor: dict, role: str) -> bytes:
    doc, payload = _quad()
    doc["accessors"].append(accessor)
    prim = doc["meshes"][0]["primitives"][0]
    if role == "indices":
        prim["indices"] = len(doc["accessors"]) - 1
    else:
        prim["attributes"][role] = len(doc["accessors"]) - 1
    doc["nodes"] = [{"mesh": 0}]
    doc["scenes"] = [{"nodes": [0]}]
    return pack_glb(doc, payload)


def accessor_50m_without_data() -> bytes:
    """POSITION with 50 million elements and no bufferView (zeros: 600 MB if allocated)."""
    return _accessor_case({"componentType": 5126, "count": 50_000_000, "type": "VEC3"}, "POSITION")


def accessor_2_pow_31() -> bytes:
    """Indices with 2^31 elements and no bufferView (8 GiB if allocated)."""
    return _accessor_case({"componentType": 5125, "count": 2**31, "type": "SCALAR"}, "indices")


def indices_past_their_data() -> bytes:
    """Indices claiming 2^31 elements in a 24-byte bufferView."""
    return _accessor_case(
        {"bufferView": 2, "componentType": 5125, "count": 2**31, "type": "SCALAR"}, "indices"
    )


def sparse_bomb() -> bytes:
    """A sparse accessor claiming more substitutions than elements."""
    sparse = {
        "count": 2**31,
        "indices": {"bufferView": 2, "componentType": 5125},
        "values": {"bufferView": 0},
    }
    return _accessor_case(
        {"componentType": 5126, "count": 4, "type": "VEC3", "sparse": sparse}, "POSITION"
    )


def nan_rotation() -> bytes:
    """A node rotated by NaN (JSON's NaN literal), which passed validation before."""
    return _with_nodes([{"mesh": 0, "rotation": [float("nan"), 0, 0, 1]}], [0])


def overflowing_translation() -> bytes:
    """A translation of 1e400 (infinity once parsed)."""
    doc, payload = _quad()
    doc["nodes"] = [{"mesh": 0, "translation": [0, 0, 0]}]
    doc["scenes"] = [{"nodes": [0]}]
    return pack_glb(doc, payload, (b'"translation":[0,0,0]', b'"translation":[1e400,0,0]'))


def deep_json() -> bytes:
    """Material extras nested 100,000 levels deep (the JSON parser recurses)."""
    doc, payload = _quad()
    doc["nodes"] = [{"mesh": 0}]
    doc["scenes"] = [{"nodes": [0]}]
    doc["materials"][0]["extras"] = "DEEP"
    return pack_glb(doc, payload, (b'"DEEP"', b"[" * 100_000 + b"]" * 100_000))


def moderately_deep_json() -> bytes:
    """Extras nested 500 levels: parses, but deeper than any product needs."""
    doc, payload = _quad()
    doc["nodes"] = [{"mesh": 0}]
    doc["scenes"] = [{"nodes": [0]}]
    extras: Any = 1
    for _ in range(500):
        extras = [extras]
    doc["materials"][0]["extras"] = extras
    return pack_glb(doc, payload)


def texture_bomb() -> bytes:
    """A PNG texture whose header says 60,000 x 60,000 pixels (3.6 gigapixels)."""
    ihdr = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 65_536, 9)
    png = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
    png += _png_chunk(b"IEND", b"")
    doc, payload = _quad()
    start = len(payload) + (-len(payload)) % 4
    payload += b"\0" * (start - len(payload)) + png
    doc["buffers"][0]["byteLength"] = len(payload)
    doc["bufferViews"].append({"buffer": 0, "byteOffset": start, "byteLength": len(png)})
    doc["images"] = [{"bufferView": 3, "mimeType": "image/png"}]
    doc["textures"] = [{"source": 0}]
    doc["materials"][0]["pbrMetallicRoughness"] = {"baseColorTexture": {"index": 0}}
    doc["nodes"] = [{"mesh": 0}]
    doc["scenes"] = [{"nodes": [0]}]
    return pack_glb(doc, payload)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


CORPUS: list[tuple[str, Callable[[], bytes], str]] = [
    ("instance_bomb", instance_bomb, "too_complex"),
    ("wide_instances", wide_instances, "too_complex"),
    ("triangles_through_instances", triangles_through_instances, "too_many_triangles"),
    ("deep_chain", deep_chain, "too_complex"),
    ("cyclic_graph", cyclic_graph, "invalid_glb"),
    ("many_nodes", many_nodes, "too_complex"),
    ("many_primitives", many_primitives, "too_complex"),
    ("accessor_50m_without_data", accessor_50m_without_data, "too_complex"),
    ("accessor_2_pow_31", accessor_2_pow_31, "too_complex"),
    ("indices_past_their_data", indices_past_their_data, "invalid_glb"),
    ("sparse_bomb", sparse_bomb, "invalid_glb"),
    ("nan_rotation", nan_rotation, "invalid_glb"),
    ("overflowing_translation", overflowing_translation, "invalid_glb"),
    ("deep_json", deep_json, "too_complex"),
    ("moderately_deep_json", moderately_deep_json, "too_complex"),
    ("texture_bomb", texture_bomb, "invalid_glb"),
]


def corpus() -> Iterator[tuple[str, bytes, str]]:
    """Every hostile model, built fresh: (name, bytes, expected code)."""
    for name, build, code in CORPUS:
        yield name, build(), code


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-models")
    out.mkdir(parents=True, exist_ok=True)
    for name, data, code in corpus():
        (out / f"{name}.glb").write_bytes(data)
        print(f"{name}.glb  {len(data):>9,} bytes  expect {code}")
