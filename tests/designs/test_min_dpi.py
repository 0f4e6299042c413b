"""The merchant's minimum print quality is enforced: a photo below its option's ``minDpi``
at its placed size is refused at upload, at design creation and at finalize (422 with the
dpi reached), not only the ``too_low`` band."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from luneo_app.extensions import db
from luneo_app.models import Design, Upload
from render import parse_spec, preflight
from tests.designs.helpers import brand_with_key, photo_fills_area, png_bytes

# The mug's front is 72 x 82 mm and the photo's slot fills it (photo_fills_area): fitted, a
# photo w px wide prints at w / (72 / 25.4) dpi.
AREA_IN = 72 / 25.4


def _upload(client, headers, product, width, height, **form):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/uploads",
        data={
            "file": (io.BytesIO(png_bytes(width, height)), "p.png"),
            "productId": product.id,
            "consent": "true",
            **form,
        },
        headers=headers,
        content_type="multipart/form-data",
    )


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model))


def _set_min_dpi(product, value: int) -> None:  # type: ignore[no-untyped-def]
    template = dict(product.template)
    template["options"] = [
        {**o, "minDpi": value} if o["type"] == "image" else o for o in template["options"]
    ]
    product.template = template
    db.session.commit()


def test_a_too_low_photo_is_refused_at_upload_with_the_dpi_reached(app, client):
    _, headers, product = brand_with_key(app)
    photo_fills_area(product)
    # 93 dpi: the "low" band of old (60 % of 150 is 90) is refused too, not only too_low
    answer = _upload(client, headers, product, 264, 300)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "photo_resolution_too_low"
    assert error["details"]["effectiveDpi"] == int(264 / AREA_IN) == 93
    assert error["details"]["minDpi"] == 150
    assert "93 dpi" in error["message"] and "150 dpi" in error["message"]
    assert _count(Upload) == 0


def test_the_photo_option_named_decides_the_floor(app, client):
    _, headers, product = brand_with_key(app)
    photo_fills_area(product)
    _set_min_dpi(product, 300)
    refused = _upload(client, headers, product, 600, 680, optionId="photo")  # ~211 dpi
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["minDpi"] == 300
    unknown = _upload(client, headers, product, 600, 680, optionId="nope")
    assert unknown.get_json()["error"]["code"] == "unknown_option"
    _set_min_dpi(product, 200)
    ok = _upload(client, headers, product, 600, 680, optionId="photo")
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["printQuality"] == {
        "effectiveDpi": round(600 / AREA_IN),
        "minDpi": 200,
        "verdict": "good",
    }


def test_a_photo_zoomed_or_enlarged_below_the_floor_is_refused_at_design(app, client):
    _, headers, product = brand_with_key(app)
    photo_fills_area(product)
    upload = _upload(client, headers, product, 600, 680).get_json()  # ~211 dpi fitted
    layer = {"type": "image", "printArea": "front", "uploadId": upload["uploadId"]}
    # zoomed in on a third of the photo: a third of the pixels cover the same area
    crop = {"x": 0.3, "y": 0.3, "width": 0.34, "height": 0.34}
    for placed in ({**layer, "crop": crop}, {**layer, "scale": 1.6}):
        answer = client.post(
            "/v1/designs", json={"productId": product.id, "layers": [placed]}, headers=headers
        )
        assert answer.status_code == 422, answer.get_json()
        error = answer.get_json()["error"]
        assert error["code"] == "photo_resolution_too_low"
        assert error["details"]["effectiveDpi"] < 150 and "layers[0]" in error["details"]
    assert _count(Design) == 0
    fitted = client.post(
        "/v1/designs", json={"productId": product.id, "layers": [layer]}, headers=headers
    )
    assert fitted.status_code == 202, fitted.get_json()


def test_the_refusal_uses_the_engines_own_effective_dpi(app, client):
    """The figure in the 422 is the one the print file would have (render.preflight)."""
    from luneo_app.designs.spec import build_spec

    _, headers, product = brand_with_key(app)
    photo_fills_area(product)
    upload = _upload(client, headers, product, 600, 680).get_json()
    layer = {"type": "image", "printArea": "front", "uploadId": upload["uploadId"], "scale": 1.6}
    answer = client.post(
        "/v1/designs", json={"productId": product.id, "layers": [layer]}, headers=headers
    ).get_json()
    spec = parse_spec(build_spec(product, [layer]))
    expected = preflight.effective_dpi(spec.layers[0], spec.area("front"))
    assert answer["error"]["details"]["effectiveDpi"] == int(expected)


def test_a_design_made_before_the_floor_was_raised_is_refused_at_finalize(app, client):
    _, headers, product = brand_with_key(app)
    photo_fills_area(product)
    upload = _upload(client, headers, product, 600, 680).get_json()
    layer = {"type": "image", "printArea": "front", "uploadId": upload["uploadId"]}
    design_id = client.post(
        "/v1/designs", json={"productId": product.id, "layers": [layer]}, headers=headers
    ).get_json()["designId"]
    _set_min_dpi(product, 300)  # the merchant asks for sharper prints
    answer = client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "photo_resolution_too_low"
    assert error["details"]["minDpi"] == 300 and error["details"]["effectiveDpi"] == 211
    assert db.session.get(Design, design_id).finalized_at is None
    _set_min_dpi(product, 200)
    assert (
        client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers).status_code
        == 200
    )


def test_upload_and_design_grade_a_photo_in_its_slot_alike(app, client):
    """With the read-time layout the photo's slot is the top 60 % of the area (72 x 49.2
    mm): the upload's grade and the engine's figure at design time are the same."""
    from luneo_app.designs.spec import build_spec

    _, headers, product = brand_with_key(app)
    upload = _upload(client, headers, product, 264, 300)  # fills the slot's height
    assert upload.status_code == 201, upload.get_json()
    graded = upload.get_json()["printQuality"]["effectiveDpi"]
    assert graded == round(300 / (82 * 0.6 / 25.4)) == 155  # not the whole area's 93
    layer = {"type": "image", "printArea": "front", "uploadId": upload.get_json()["uploadId"]}
    made = client.post("/v1/designs", json={"productId": product.id, "layers": [layer]},
                       headers=headers)  # fmt: skip
    assert made.status_code == 202, made.get_json()
    design = db.session.get(Design, made.get_json()["designId"])  # layers placed in slots
    spec = parse_spec(build_spec(product, design.layers))
    assert abs(preflight.effective_dpi(spec.layers[0], spec.area("front")) - graded) <= 1
