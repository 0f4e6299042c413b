"""Photo uploads: limits, bombs, corrupt files, EXIF orientation and print quality."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from luneo_app.extensions import db
from luneo_app.models import Upload
from tests.designs.helpers import brand_with_key, png_bytes


def _post(client, headers, data: bytes, name: str = "photo.png", **form):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/uploads",
        data={"file": (io.BytesIO(data), name), "consent": "true", **form},
        headers=headers,
        content_type="multipart/form-data",
    )


def _uploads() -> int:
    return db.session.scalar(select(func.count()).select_from(Upload))


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims an enormous picture (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 16, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def test_upload_is_stored_and_graded_for_print(app, client):
    _, headers, product = brand_with_key(app)
    # The mug's print area is 72 x 82 mm; 900 px across 72 mm is about 318 dpi.
    good = _post(client, headers, png_bytes(900, 1000), productId=product.id)
    assert good.status_code == 201, good.get_json()
    quality = good.get_json()["printQuality"]
    assert quality["verdict"] == "good" and quality["effectiveDpi"] >= 300
    assert quality["minDpi"] == 150


def test_exif_orientation_is_applied_and_metadata_stripped(app, client):
    _, headers, _ = brand_with_key(app)
    image = Image.new("RGB", (400, 200), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise when shown
    exif[0x010F] = "SecretCam"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    response = _post(client, headers, out.getvalue(), "photo.jpg")
    assert response.status_code == 201
    body = response.get_json()
    assert (body["width"], body["height"]) == (200, 400)
    stored = client.get(body["url"].replace(app.config["APP_URL"], "")).data
    assert b"SecretCam" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()


@pytest.mark.parametrize(
    ("payload", "code", "status"),
    [
        (b"", "empty_upload", 422),
        (b"not a picture at all" * 10, "corrupt_image", 422),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "corrupt_image", 422),
        (b"GIF89a" + b"\x00" * 64, "corrupt_image", 422),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(app, client, payload, code, status):
    _, headers, _ = brand_with_key(app)
    response = _post(client, headers, payload)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert _uploads() == 0


def test_decompression_bomb_is_refused_before_decoding(app, client):
    _, headers, _ = brand_with_key(app)
    response = _post(client, headers, _bomb_png(30000, 30000))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "image_too_many_pixels"
    assert _uploads() == 0


def test_gif_is_not_an_accepted_type(app, client):
    _, headers, _ = brand_with_key(app)
    out = io.BytesIO()
    Image.new("RGB", (50, 50)).save(out, "GIF")
    response = _post(client, headers, out.getvalue(), "a.gif")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "unsupported_image_type"


def test_oversized_upload_is_refused(app, client):
    app.config["UPLOAD_MAX_BYTES"] = 10_000
    _, headers, _ = brand_with_key(app)
    response = _post(client, headers, png_bytes(2000, 2000, (1, 2, 3)) + b"\x00" * 20_000)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "upload_too_large"
    assert _uploads() == 0


def test_heic_photos_are_accepted(app, client):
    pillow_heif = pytest.importorskip("pillow_heif")
    _, headers, _ = brand_with_key(app)
    out = io.BytesIO()
    try:
        pillow_heif.from_pillow(Image.new("RGB", (64, 48), (200, 10, 10))).save(out, quality=80)
    except Exception as exc:  # noqa: BLE001 - encoder absent in this wheel
        pytest.skip(f"no HEIF encoder to make a sample: {exc}")
    response = _post(client, headers, out.getvalue(), "photo.heic")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["width"] == 64


def test_a_detailed_photo_is_stored_without_a_server_error(app, client):
    _, headers, _ = brand_with_key(app)
    noisy = Image.new("RGB", (400, 300))
    noisy.putdata([(x % 256, (x * y) % 256, y % 256) for y in range(300) for x in range(400)])
    out = io.BytesIO()
    noisy.save(out, "PNG")
    response = _post(client, headers, out.getvalue())
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["contentType"] == "image/jpeg"
