"""A design lands on the 3D model in the shape it was drawn: never stretched over 2 %."""

from __future__ import annotations

import io
import json

import pytest

from luneo_app.extensions import db
from render import samples
from render.three_d import demo_model_glb
from render.three_d.gltf import Gltf
from tests.designs.helpers import brand_with_key

BUILT_IN = [kind for kind in ("mug", "ring", "phone-case", "pendant") if kind in samples.KINDS]


def _put(client, headers, product_id: str, data: bytes, **form: str):  # type: ignore[no-untyped-def]
    return client.put(
        f"/v1/products/{product_id}/model",
        data={"file": (io.BytesIO(data), "model.glb"), **form},
        headers=headers,
        content_type="multipart/form-data",
    )


def _product_of_kind(app, kind: str):  # type: ignore[no-untyped-def]
    brand, headers, product = brand_with_key(app, f"Maker of {kind}")
    product.template = samples.demo_template(kind)
    db.session.commit()
    return headers, product, product.template["printAreas"][0]


def _declared_square(glb: bytes) -> tuple[float, float]:
    """The print material's size as the model file declares it (extras.luneo.printArea)."""
    for material in json.loads(_json_chunk(glb))["materials"]:
        area = (material.get("extras") or {}).get("luneo", {}).get("printArea")
        if area:
            return float(area["widthMm"]), float(area["heightMm"])
    raise AssertionError("the model declares no print area")


def _json_chunk(glb: bytes) -> bytes:
    length = int.from_bytes(glb[12:16], "little")
    return glb[20 : 20 + length]


def _landed_aspect(rect, square) -> float:  # type: ignore[no-untyped-def]
    u0, v0, u1, v1 = rect or (0, 0, 1, 1)
    return ((u1 - u0) * square[0]) / ((v1 - v0) * square[1])


def _without_extras(glb: bytes) -> bytes:
    """The same model as a merchant would export it: no Luneo size hints."""
    gltf = Gltf.from_bytes(glb)
    for material in gltf.json["materials"]:
        material.pop("extras", None)
    return gltf.to_glb()


@pytest.mark.parametrize("kind", BUILT_IN)
def test_built_in_models_show_the_print_area_in_its_own_shape(app, client, kind):
    headers, product, area = _product_of_kind(app, kind)
    glb = demo_model_glb(kind)
    answer = _put(client, headers, product.id, glb)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    drawn = area["widthMm"] / area["heightMm"]
    landed = _landed_aspect(body["uvRect"], _declared_square(glb))
    assert landed / drawn == pytest.approx(1.0, abs=0.02)
    assert body["stretch"] == pytest.approx(1.0, abs=0.02)
    assert not any("stretched" in warning for warning in body["warnings"])


def test_the_ring_band_and_its_template_have_the_same_size(app):
    area = samples.demo_template("ring")["printAreas"][0]
    square = _declared_square(demo_model_glb("ring"))
    assert square[0] == pytest.approx(area["widthMm"], rel=0.02)
    assert square[1] == pytest.approx(area["heightMm"], rel=0.02)


@pytest.mark.parametrize("kind", ["ring", "mug"])
def test_a_merchant_model_without_size_hints_is_measured_from_its_mesh(app, client, kind):
    headers, product, area = _product_of_kind(app, kind)
    hinted = _put(client, headers, product.id, demo_model_glb(kind)).get_json()
    answer = _put(client, headers, product.id, _without_extras(demo_model_glb(kind)))
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["placement"] == hinted["placement"]
    if hinted["uvRect"] is None:
        assert body["uvRect"] is None
    else:
        assert body["uvRect"] == pytest.approx(hinted["uvRect"], abs=0.005)
    assert body["stretch"] == pytest.approx(1.0, abs=0.02)


def test_a_print_area_larger_than_the_model_is_shrunk_evenly_not_stretched(app, client):
    headers, product, area = _product_of_kind(app, "ring")
    template = samples.demo_template("ring")
    template["printAreas"][0].update({"widthMm": 25, "heightMm": 12})  # taller than the band
    product.template = template
    db.session.commit()
    body = _put(client, headers, product.id, demo_model_glb("ring")).get_json()
    u0, v0, u1, v1 = body["uvRect"]
    assert v1 - v0 == pytest.approx(1.0, abs=0.001)  # the full height of the band
    assert (u1 - u0) * 24.99 / 8.0 == pytest.approx(25 / 12, rel=0.02)  # in the drawn shape
    assert body["stretch"] == pytest.approx(1.0, abs=0.02)


def test_a_manual_placement_that_stretches_the_design_is_flagged(app, client):
    headers, product, _ = _product_of_kind(app, "mug")
    answer = _put(client, headers, product.id, demo_model_glb("mug"), uvRect="0,0,1,1")
    body = answer.get_json()
    assert answer.status_code == 200
    assert body["stretch"] == pytest.approx((207.52 / 85) / (72 / 82), rel=0.01)
    assert any("stretched 2.78x" in warning for warning in body["warnings"])
