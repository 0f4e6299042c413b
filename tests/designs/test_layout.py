"""Slots through the designs API: where a layer goes is the merchant's, read from the
template (laid out at read time for templates saved before slots), and a placement outside
the slot is refused."""

from __future__ import annotations

import io

import pytest

from luneo_app.core.errors import ValidationFailed
from luneo_app.designs import layout
from luneo_app.designs.template import validate_template
from luneo_app.extensions import db
from luneo_app.models import Design
from render import samples
from tests.designs.helpers import brand_with_key, png_bytes, text_design

LEGACY = {  # three options in the first area, no slots: what every template had before
    **samples.demo_template("mug"),
    "options": [
        {"id": "name", "type": "text", "label": "Name", "printArea": "front", "maxChars": 12},
        {"id": "photo", "type": "image", "label": "Photo", "printArea": "front"},
        {"id": "art", "type": "ai", "label": "Artwork", "printArea": "front"},
    ],
}


def _apart(a: dict, b: dict) -> bool:
    return (
        a["x"] + a["width"] <= b["x"] + 1e-9
        or b["x"] + b["width"] <= a["x"] + 1e-9
        or a["y"] + a["height"] <= b["y"] + 1e-9
        or b["y"] + b["height"] <= a["y"] + 1e-9
    )


def test_a_template_without_slots_is_laid_out_without_overlaps():
    slots = layout.slots(LEGACY)
    assert set(slots) == {"name", "photo", "art"}
    assert _apart(slots["name"], slots["photo"]) and _apart(slots["name"], slots["art"])
    assert _apart(slots["photo"], slots["art"])
    assert slots["name"]["z"] > slots["art"]["z"] > slots["photo"]["z"]  # text on top
    wide = {**LEGACY, "printAreas": [{**LEGACY["printAreas"][0], "widthMm": 200, "heightMm": 80}]}
    # a wide area (a mug's wrap) puts the text beside the pictures
    assert layout.slots(wide)["name"]["x"] == 0.5


def test_the_merchants_slot_is_kept_and_a_callers_slot_is_ignored():
    template = {**LEGACY, "options": [dict(o) for o in LEGACY["options"]]}
    template["options"][0]["slot"] = {"x": 0.1, "y": 0.7, "width": 0.8, "height": 0.3,
                                      "z": 5, "arcRadiusMm": 30}  # fmt: skip
    placed = layout.place_layers(
        template,
        [{"type": "text", "optionId": "name", "text": "A", "slot": {"x": 0, "y": 0,
          "width": 1, "height": 1}, "arcRadiusMm": 999}],
    )  # fmt: skip
    assert placed[0]["slot"] == {"x": 0.1, "y": 0.7, "width": 0.8, "height": 0.3, "rotation": 0.0}
    assert placed[0]["arcRadiusMm"] == -30  # an arch by default


@pytest.mark.parametrize(
    "slot,field",
    [
        ({"x": 0.7, "y": 0, "width": 0.5, "height": 0.5}, "options[0].slot"),
        ({"x": 0, "y": 0, "width": 0.5, "height": 0.5, "z": -1}, "options[0].slot.z"),
        (
            {"x": 0, "y": 0, "width": 0.5, "height": 0.5, "arcRadiusMm": 0},
            "options[0].slot.arcRadiusMm",
        ),
        (
            {"x": 0, "y": 0, "width": 0.5, "height": 0.5, "rotation": 270},
            "options[0].slot.rotation",
        ),
    ],
)
def test_a_bad_slot_in_a_template_is_refused_with_its_field(slot, field):
    template = {**LEGACY, "options": [{**LEGACY["options"][0], "slot": slot}]}
    with pytest.raises(ValidationFailed) as err:
        validate_template(template)
    assert field in err.value.details


def _mug(app):  # type: ignore[no-untyped-def]
    brand, headers, product = brand_with_key(app)
    product.template = LEGACY
    db.session.commit()
    return brand, headers, product


def test_a_design_is_stored_with_its_slots_and_drawn_apart(app, client):
    _, headers, product = _mug(app)
    upload = client.post(
        "/v1/uploads",
        data={"file": (io.BytesIO(png_bytes(1500, 1500)), "p.png"), "productId": product.id,
              "consent": "true"},
        headers=headers, content_type="multipart/form-data",
    )  # fmt: skip
    assert upload.status_code == 201, upload.get_json()
    body = text_design(product.id, "ANNA & TOM", font="lato", optionId="name")
    body["layers"].insert(0, {"type": "image", "optionId": "photo", "scale": 1.2, "x": 0.6,
                              "uploadId": upload.get_json()["uploadId"]})  # fmt: skip
    answer = client.post("/v1/designs", json=body, headers=headers)
    assert answer.status_code in (200, 202), answer.get_json()
    design = db.session.get(Design, answer.get_json()["designId"])
    slots = layout.slots(LEGACY)
    by_type = {la["type"]: la for la in design.layers}
    assert by_type["image"]["slot"] == {k: slots["photo"][k] for k in layout.SLOT_KEYS}
    assert by_type["text"]["slot"] == {k: slots["name"][k] for k in layout.SLOT_KEYS}
    assert [la["type"] for la in design.layers] == ["image", "text"]  # z order


@pytest.mark.parametrize(
    "placement,field",
    [({"x": 1.4}, "layers[0].x"), ({"rotation": 300}, "layers[0].rotation")],
)
def test_a_placement_outside_the_slot_is_refused(app, client, placement, field):
    _, headers, product = _mug(app)
    body = text_design(product.id, "ANNA", font="lato", optionId="name", **placement)
    answer = client.post("/v1/designs", json=body, headers=headers)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "placement_outside_slot" and field in error["details"]
    assert db.session.query(Design).count() == 0
