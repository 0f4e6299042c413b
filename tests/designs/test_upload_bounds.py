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


def test_a_large_heic_is_stored_reduced_with_its_picture_intact(app, client):
    """Big HEIC photos are reduced while decoding (strip by strip); the stored picture is
    the shopper's, the right way up, not smeared or shifted."""
    import pillow_heif

    app.config["UPLOAD_DECODE_PIXELS"] = 1_000_000
    _brand, headers, _product = brand_with_key(app)
    source = Image.new("RGB", (3000, 2000), (220, 30, 30))  # red, with quadrants:
    source.paste((30, 200, 40), (1500, 0, 3000, 1000))  # green top right
    source.paste((30, 60, 220), (0, 1000, 1500, 2000))  # blue bottom left
    source.paste((250, 250, 250), (1500, 1000, 3000, 2000))  # white bottom right
    out = io.BytesIO()
    pillow_heif.from_pillow(source).save(out, quality=90)

    response = _post(client, headers, out.getvalue(), "IMG_0002.HEIC")

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["width"] * body["height"] <= 1_000_000
    assert body["width"] / body["height"] == pytest.approx(1.5, 0.01)
    key = db.session.get(Upload, body["uploadId"]).key
    with Image.open(io.BytesIO(app.extensions["luneo.storage"].get(key))) as stored:
        stored = stored.convert("RGB")
        w, h = stored.size
        expected = source.resize((w, h))
        for x, y in ((0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75), (0.5, 0.9)):
            got = stored.getpixel((int(w * x), int(h * y)))
            want = expected.getpixel((int(w * x), int(h * y)))
            assert max(abs(a - b) for a, b in zip(got, want)) < 24, (x, y, got, want)
