"""Generated product models: sizes, outward normals, and print UVs that land unmirrored."""

from __future__ import annotations

import numpy as np
import pytest

from render.three_d import ModelError, demo_model_glb, generate_model, validate_model
from render.three_d.models import GENERATORS

KINDS = sorted(GENERATORS)
# rough bounding boxes in metres (x, y, z) a shopper would recognise
EXPECTED_SIZE = {
    "ring": (0.0222, 0.0096, 0.0222),
    "bangle": (0.066, 0.012, 0.066),
    "mug": (0.111, 0.095, 0.082),
    "phone-case": (0.075, 0.150, 0.011),
    "pendant": (0.025, 0.030, 0.006),
}


@pytest.mark.parametrize("kind", KINDS)
def test_model_has_real_world_size_in_metres(kind: str) -> None:
    model = generate_model(kind)
    points = np.concatenate([p.positions for p in model.parts])
    size = points.max(0) - points.min(0)
    assert size == pytest.approx(EXPECTED_SIZE[kind], rel=0.02)


@pytest.mark.parametrize("kind", KINDS)
def test_normals_are_unit_and_point_out_of_the_solid(kind: str) -> None:
    model = generate_model(kind)
    volume = 0.0
    for part in model.parts:
        assert np.allclose(np.linalg.norm(part.normals, axis=1), 1.0, atol=1e-5)
        tri = part.positions.astype(np.float64)[part.indices]
        face = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        vertex = part.normals[part.indices].sum(axis=1)
        # winding (what a renderer culls by) agrees with the normals on every triangle
        assert (np.einsum("ij,ij->i", face, vertex) > 0).all()
        volume += np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum() / 6
    # outward-facing closed surfaces enclose a positive volume
    assert volume > 0


@pytest.mark.parametrize("kind", KINDS)
def test_print_material_uvs_cover_the_square_without_mirroring(kind: str) -> None:
    model = generate_model(kind)
    name = model.print_material.name
    part = next(p for p in model.parts if p.material == name)
    uv = part.uvs[part.indices].astype(np.float64)
    assert part.uvs.min() >= -1e-6 and part.uvs.max() <= 1 + 1e-6
    assert part.uvs[:, 0].max() - part.uvs[:, 0].min() > 0.99
    # glTF v runs down: an unmirrored design has negative signed UV area on front faces
    area = (uv[:, 1, 0] - uv[:, 0, 0]) * (uv[:, 2, 1] - uv[:, 0, 1]) - (
        uv[:, 2, 0] - uv[:, 0, 0]
    ) * (uv[:, 1, 1] - uv[:, 0, 1])
    assert (area[np.abs(area) > 1e-12] < 0).all()


@pytest.mark.parametrize("kind", ["phone-case", "pendant"])
def test_flat_print_reads_left_to_right_and_top_down_from_the_front(kind: str) -> None:
    model = generate_model(kind)
    part = next(p for p in model.parts if p.material == model.print_material.name)
    assert np.corrcoef(part.positions[:, 0], part.uvs[:, 0])[0, 1] > 0.99  # u grows to the right
    assert np.corrcoef(part.positions[:, 1], part.uvs[:, 1])[0, 1] < -0.99  # v grows downward
    assert part.normals[:, 2].min() > 0.99  # and faces the viewer at +Z


def test_print_area_size_matches_the_surface_it_covers() -> None:
    mug = generate_model("mug")
    width_mm, height_mm = mug.print_material.print_area_mm
    assert width_mm == pytest.approx(207.5, abs=0.5)  # 290 degrees of a 41 mm radius
    assert height_mm == pytest.approx(85.0)


@pytest.mark.parametrize("kind", ["mug", "ring"])
def test_triangle_count_can_be_asked_for(kind: str) -> None:
    assert generate_model(kind, 100_000).triangle_count == pytest.approx(100_000, rel=0.15)
    assert generate_model(kind, 2_000).triangle_count == pytest.approx(2_000, rel=0.25)


def test_demo_glb_validates_and_names_its_print_material() -> None:
    info = validate_model(demo_model_glb("mug"))
    assert info.print_material == "print"
    assert info.triangle_count == generate_model("mug").triangle_count
    assert {m.name: m.print_area_mm is not None for m in info.materials} == {
        "ceramic": False,
        "print": True,
    }
    assert info.size_m == pytest.approx((0.111, 0.095, 0.082), rel=0.02)


def test_unknown_model_kind_is_refused() -> None:
    with pytest.raises(ModelError) as err:
        generate_model("teapot")
    assert err.value.code == "unknown_model"
