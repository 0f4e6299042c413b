"""Shopper photos are decoded in bounded memory, away from the web worker; big phone photos
still pass."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from luneo_app.extensions import db
from luneo_app.models import Upload
from tests.designs.big_photos import PHONE_48MP, phone_jpeg, png_bomb
from tests.designs.helpers import brand_with_key


def _post(client, headers, data: bytes, name: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/uploads",
        data={"file": (io.BytesIO(data), name), "consent": "true"},
        headers=headers,
        content_type="multipart/form-data",
    )


def _stored_size(app, upload_id: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    key = db.session.get(Upload, upload_id).key
    with Image.open(io.BytesIO(app.extensions["luneo.storage"].get(key))) as image:
        return image.size


@pytest.fixture(scope="module")
def jpeg_48mp() -> bytes:
    return phone_jpeg()


def test_a_48_megapixel_phone_jpeg_is_accepted_and_stored_reduced(app, client, jpeg_48mp):
    _brand, headers, _product = brand_with_key(app)

    response = _post(client, headers, jpeg_48mp, "IMG_0001.jpg")

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["width"] * body["height"] <= app.config["UPLOAD_DECODE_PIXELS"]
    assert body["width"] / body["height"] == pytest.approx(PHONE_48MP[0] / PHONE_48MP[1], 0.01)
    assert _stored_size(app, body["uploadId"]) == (body["width"], body["height"])


def test_a_small_png_that_decodes_to_40_megapixels_is_stored_reduced(app, client):
    _brand, headers, _product = brand_with_key(app)
    bomb = png_bomb(8000, 5000)
    assert len(bomb) < 200_000

    response = _post(client, headers, bomb, "flat.png")

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["width"] * body["height"] <= app.config["UPLOAD_DECODE_PIXELS"]


def test_a_photo_that_needs_more_memory_than_allowed_is_refused_and_the_app_keeps_serving(
    app, client
):
    app.config["UPLOAD_DECODE_MEMORY_MB"] = 16
    _brand, headers, _product = brand_with_key(app)

    response = _post(client, headers, png_bomb(7000, 7000, rgb=True), "flat.png")  # 147 MB

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "image_too_complex"
    assert db.session.query(Upload).count() == 0
    app.config["UPLOAD_DECODE_MEMORY_MB"] = 512
    small = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 200)).save(small, "JPEG")
    assert _post(client, headers, small.getvalue(), "ok.jpg").status_code == 201


def test_a_photo_over_the_pixel_limit_is_refused_before_decoding(app, client):
    app.config["UPLOAD_MAX_PIXELS"] = 20_000_000
    _brand, headers, _product = brand_with_key(app)

    response = _post(client, headers, png_bomb(8000, 5000), "flat.png")

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "image_too_many_pixels"
