"""The designs API: create, cache, read, finalize, and refuse bad designs without a job."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from luneo_app.extensions import db
from luneo_app.models import Design, RenderJob
from tests.designs.helpers import brand_with_key, png_bytes, text_design


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model))


def test_design_is_queued_rendered_and_has_a_preview(app, client):
    _, headers, product = brand_with_key(app)
    response = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    # Jobs run in-process here, so the answer already reports the finished preview.
    assert body["status"] == "preview_ready" and body["designId"].startswith("des_")
    assert body["estimatedSeconds"] >= 0
    got = client.get(f"/v1/designs/{body['designId']}", headers=headers).get_json()
    assert got["status"] == "preview_ready", got
    preview = client.get(got["previewUrl"].replace(app.config["APP_URL"], ""))
    assert preview.status_code == 200 and preview.mimetype == "image/webp"
    image = Image.open(io.BytesIO(preview.data))
    assert image.width == 1200
    assert got["timings"]["previewRenderMs"] >= 0


def test_identical_design_returns_the_cached_one_without_a_new_render(app, client):
    _, headers, product = brand_with_key(app)
    first = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    second = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    assert second.status_code == 200
    assert second.get_json()["cached"] is True
    assert second.get_json()["designId"] == first.get_json()["designId"]
    assert _count(RenderJob) == 1
    other = client.post("/v1/designs", json=text_design(product.id, text="Jessy"), headers=headers)
    assert other.status_code == 202 and other.get_json()["designId"] != first.get_json()["designId"]


def test_finalize_then_production_files_have_print_size(app, client):
    _, headers, product = brand_with_key(app)
    design_id = client.post(
        "/v1/designs", json=text_design(product.id), headers=headers
    ).get_json()["designId"]
    done = client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers)
    assert done.status_code == 200, done.get_json()
    body = client.get(f"/v1/designs/{design_id}", headers=headers).get_json()
    assert body["status"] == "production_ready" and body["finalized"]
    (files,) = body["production"]
    assert files["printArea"] == "front"
    # The mug's print area is 72 x 82 mm: at 300 dpi that is 850 x 969 pixels.
    assert (files["widthPx"], files["heightPx"]) == (round(72 / 25.4 * 300), round(82 / 25.4 * 300))
    png = client.get(files["pngUrl"].replace(app.config["APP_URL"], ""))
    image = Image.open(io.BytesIO(png.data))
    assert image.size == (files["widthPx"], files["heightPx"]) and image.mode == "RGBA"
    assert round(image.info["dpi"][0]) == 300
    pdf = client.get(files["pdfUrl"].replace(app.config["APP_URL"], ""))
    assert pdf.data.startswith(b"%PDF")


def test_finalize_is_idempotent_and_refuses_other_content(app, client):
    _, headers, product = brand_with_key(app)
    design_id = client.post(
        "/v1/designs", json=text_design(product.id), headers=headers
    ).get_json()["designId"]
    client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers)
    again = client.post(
        f"/v1/designs/{design_id}/finalize",
        json={"layers": text_design(product.id)["layers"]},
        headers=headers,
    )
    assert again.status_code == 200
    changed = client.post(
        f"/v1/designs/{design_id}/finalize",
        json={"layers": text_design(product.id, text="Other")["layers"]},
        headers=headers,
    )
    assert changed.status_code == 409
    assert changed.get_json()["error"]["code"] == "design_content_mismatch"
    assert _count(RenderJob) == 2  # one preview, one production


@pytest.mark.parametrize(
    ("design", "code", "field"),
    [
        ({"font": "comic-sans-ms"}, "template_violation", "layers[0].font"),
        ({"text": "A name far too long"}, "template_violation", "layers[0].text"),
        ({"printArea": "back"}, None, None),
        ({"color": "reddish"}, "bad_color", None),
    ],
)
def test_bad_designs_get_a_clear_422_and_no_job(app, client, design, code, field):
    _, headers, product = brand_with_key(app)
    response = client.post("/v1/designs", json=text_design(product.id, **design), headers=headers)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    if code:
        assert error["code"] == code
    if field:
        assert field in error["details"]
    assert _count(Design) == 0 and _count(RenderJob) == 0


def test_layer_outside_every_print_area_is_refused(app, client):
    _, headers, product = brand_with_key(app)
    response = client.post("/v1/designs", json=text_design(product.id, x=3.0), headers=headers)
    assert response.status_code == 422
    assert _count(Design) == 0


def test_schema_errors_are_uniform_422(app, client):
    _, headers, product = brand_with_key(app)
    response = client.post("/v1/designs", json={"layers": "nope", "extra": 1}, headers=headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert "productId" in str(error["details"])


def test_missing_or_wrong_api_key_is_401(app, client):
    _, _, product = brand_with_key(app)
    assert client.post("/v1/designs", json=text_design(product.id)).status_code == 401
    bad = client.post(
        "/v1/designs",
        json=text_design(product.id),
        headers={"Authorization": "Bearer lk_abc_wrong"},
    )
    assert bad.status_code == 401
    assert bad.get_json()["error"]["code"] == "invalid_api_key"


def test_a_brand_cannot_read_another_brands_design(app, client):
    _, headers_a, product_a = brand_with_key(app, "Brand A")
    _, headers_b, _ = brand_with_key(app, "Brand B")
    design_id = client.post(
        "/v1/designs", json=text_design(product_a.id), headers=headers_a
    ).get_json()["designId"]
    assert client.get(f"/v1/designs/{design_id}", headers=headers_b).status_code == 404
    assert (
        client.post("/v1/designs", json=text_design(product_a.id), headers=headers_b).status_code
        == 404
    )


def test_image_layer_from_an_upload_is_composited(app, client):
    _, headers, product = brand_with_key(app)
    upload = client.post(
        "/v1/uploads",
        data={
            "file": (io.BytesIO(png_bytes(900, 1000)), "p.png"),
            "productId": product.id,
            "consent": "true",
        },
        headers=headers,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    upload_id = upload.get_json()["uploadId"]
    design = {
        "productId": product.id,
        "layers": [{"type": "image", "printArea": "front", "uploadId": upload_id}],
    }
    created = client.post("/v1/designs", json=design, headers=headers)
    assert created.status_code == 202, created.get_json()
    got = client.get(f"/v1/designs/{created.get_json()['designId']}", headers=headers).get_json()
    assert got["status"] == "preview_ready"


def test_events_stream_reports_the_status(app, client):
    _, headers, product = brand_with_key(app)
    design_id = client.post(
        "/v1/designs", json=text_design(product.id), headers=headers
    ).get_json()["designId"]
    token = headers["Authorization"].split(" ", 1)[1]
    response = client.get(f"/v1/designs/{design_id}/events?access_token={token}")
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    text = response.get_data(as_text=True)
    assert "event: status" in text and '"status":"preview_ready"' in text


def test_a_key_without_product_scope_cannot_change_products(app, client):
    from luneo_app.auth.apikeys import create_api_key
    from luneo_app.extensions import db as database
    from tests.designs.helpers import MUG_TEMPLATE
    from tests.support.factories import make_brand

    brand = make_brand(name="Scoped")
    issued = create_api_key(brand, scopes=["designs:read", "designs:write"])
    database.session.commit()
    body = {"externalId": "x", "title": "X", "template": MUG_TEMPLATE}
    response = client.put(
        "/v1/products", json=body, headers={"Authorization": f"Bearer {issued.plaintext}"}
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "insufficient_scope"
