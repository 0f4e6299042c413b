"""Crafted models that ask for enormous work are refused before the work is done."""

from __future__ import annotations

import pytest

from render.three_d import ModelError, validate_model
from render.three_d.budget import MAX_JSON_DEPTH, check_json_depth
from tests.render_3d.hostile_models import CORPUS


@pytest.mark.parametrize(("name", "build", "code"), CORPUS, ids=[c[0] for c in CORPUS])
def test_a_hostile_model_is_refused_with_a_stable_code(name, build, code) -> None:
    data = build()
    assert len(data) < 15 * 1024 * 1024  # every file is within the upload limit

    with pytest.raises(ModelError) as refused:
        validate_model(data)

    assert refused.value.code == code, refused.value.message


def test_the_json_depth_check_ignores_brackets_and_escapes_inside_strings() -> None:
    nested = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    check_json_depth(nested)
    check_json_depth(b'{"a":"]]]]\\"[[[[","b\\\\":' + nested[2:-2] + b"}")
    with pytest.raises(ModelError):
        check_json_depth(b"[" + nested + b"]")
    with pytest.raises(ModelError):  # closing brackets hidden in strings do not close levels
        check_json_depth(b'["]",' * 70 + b"1" + b"]" * 70)


def test_ordinary_instancing_is_still_accepted() -> None:
    """Ten shared instances of a mesh (a set of mugs) are fine: only bombs are refused."""
    from tests.render_3d.hostile_models import _with_nodes

    info = validate_model(_with_nodes([{"children": [1] * 10}, {"mesh": 0}], [0]))

    assert info.triangle_count == 20
