"""Merchant uploads: models the engine cannot use are refused with a code the app can show."""

from __future__ import annotations

import json
import struct

import pytest

from render.three_d import Limits, ModelError, demo_model_glb, validate_model
from render.three_d.gltf import Gltf

from .conftest import gradient_design, png_bytes, quad_glb


def _code(glb: bytes, limits: Limits = Limits()) -> str:
    with pytest.raises(ModelError) as err:
        validate_model(glb, limits)
    return err.value.code


def test_good_model_is_described() -> None:
    info = validate_model(quad_glb())
    assert info.triangle_count == 2 and info.vertex_count == 4
    assert info.print_material == "print"
    assert info.size_m == pytest.approx((0.1, 0.1, 0.0))
    assert info.warnings == ()


def test_model_without_uvs_is_refused() -> None:
    assert _code(quad_glb(uvs=False)) == "no_uvs"


def test_model_with_too_many_triangles_is_refused() -> None:
    glb = demo_model_glb("ring")
    assert _code(glb, Limits(max_triangles=1000)) == "too_many_triangles"


def test_model_over_the_size_limit_is_refused() -> None:
    assert _code(demo_model_glb("ring"), Limits(max_bytes=10_000)) == "too_large"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"garbage bytes that are not a model",
        b"\x89PNG\r\n\x1a\n" + bytes(64),
        b"glTF" + bytes(4),
    ],
)
def test_garbage_bytes_are_refused_as_invalid(data: bytes) -> None:
    assert _code(data) == "invalid_glb"


def test_truncated_glb_is_refused_as_invalid() -> None:
    glb = demo_model_glb("pendant")
    assert _code(glb[: len(glb) // 2]) == "invalid_glb"


def test_glb_whose_accessors_point_outside_the_buffer_is_refused() -> None:
    gltf = Gltf.from_bytes(quad_glb())
    gltf.json["bufferViews"][0]["byteLength"] = 10**6
    text = json.dumps(gltf.json).encode()
    text += b" " * (-len(text) % 4)
    body = struct.pack("<II", len(text), 0x4E4F534A) + text
    body += struct.pack("<II", len(gltf.bin), 0x004E4942) + bytes(gltf.bin)
    assert _code(b"glTF" + struct.pack("<II", 2, 12 + len(body)) + body) == "invalid_glb"


def test_model_needing_draco_is_refused_as_unsupported() -> None:
    gltf = Gltf.from_bytes(quad_glb())
    gltf.json["extensionsRequired"] = gltf.json["extensionsUsed"] = ["KHR_draco_mesh_compression"]
    assert _code(gltf.to_glb()) == "unsupported"


def test_model_pointing_at_outside_files_is_refused_as_unsupported() -> None:
    doc = {"asset": {"version": "2.0"}, "buffers": [{"uri": "mesh.bin", "byteLength": 48}]}
    assert _code(json.dumps(doc).encode()) == "unsupported"


def test_model_with_nothing_to_draw_is_refused() -> None:
    gltf = Gltf.from_bytes(quad_glb())
    gltf.json["nodes"] = [{"name": "empty"}]
    assert _code(gltf.to_glb()) == "no_geometry"


MUTATIONS = [
    ("meshes", 0, "primitives", 0, "attributes", "POSITION", 99),
    ("meshes", 0, "primitives", 0, "indices", -1),
    ("meshes", 0, "primitives", 0, "material", "x"),
    ("meshes", 0, "primitives", 0, "attributes", "TEXCOORD_0", 0),  # VEC3 read as UVs
    ("meshes", 0, "primitives", 0, "attributes", None),
    ("meshes", 0, None),
    ("nodes", 0, "children", [0]),
    ("nodes", 0, "mesh", 5),
    ("accessors", 0, "componentType", 1234),
    ("accessors", 0, "count", 10**9),
    ("materials", 0, "pbrMetallicRoughness", "baseColorTexture", {"index": 7}),
    ("materials", 0, "pbrMetallicRoughness", "baseColorFactor", "red"),
    ("scenes", 0, "nodes", [3]),
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: "/".join(map(str, m[:-1])))
def test_malformed_models_fail_with_a_model_error_not_a_crash(mutation: tuple) -> None:
    from render.three_d import bake_glb, make_usdz

    gltf = Gltf.from_bytes(quad_glb())
    target = gltf.json
    *path, last, value = mutation
    for key in path:
        target = target[key]
    target[last] = value
    glb = gltf.to_glb()
    design = png_bytes(gradient_design(32, 32))
    for attempt in (lambda: bake_glb(glb, design), lambda: make_usdz(glb)):
        with pytest.raises(ModelError) as err:
            attempt()
        assert err.value.code == "invalid_glb"
