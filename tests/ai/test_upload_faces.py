"""Photos of people need the shopper's consent: uploads are checked with OpenCV's Haar
cascade (offline) and refused with ``face_consent_required`` until consent is given."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageFilter

from luneo_app.extensions import db
from luneo_app.models import Upload
from luneo_app.uploads import faces
from tests.designs.helpers import brand_with_key, png_bytes


@pytest.fixture()
def detector():  # type: ignore[no-untyped-def]
    if not faces.available():
        pytest.fail(
            "OpenCV's Haar cascades are missing (OpenCV 5 wheels dropped them): "
            "pin opencv-python-headless==4.14.0.94"
        )


def drawn_face(size: int = 480) -> bytes:
    """A simple drawn face (hair, brows, eyes, nose, mouth) the frontal cascade finds."""
    s = size / 400
    im = Image.new("L", (size, size), 150)
    d = ImageDraw.Draw(im)
    d.ellipse((90 * s, 50 * s, 310 * s, 340 * s), fill=205)
    d.ellipse((70 * s, 150 * s, 100 * s, 230 * s), fill=190)
    d.ellipse((300 * s, 150 * s, 330 * s, 230 * s), fill=190)
    d.rectangle((90 * s, 20 * s, 310 * s, 95 * s), fill=60)
    for cx in (150, 250):
        d.rectangle(((cx - 38) * s, 120 * s, (cx + 38) * s, 132 * s), fill=70)
        d.ellipse(((cx - 32) * s, 150 * s, (cx + 32) * s, 185 * s), fill=235)
        d.ellipse(((cx - 15) * s, 152 * s, (cx + 15) * s, 183 * s), fill=40)
    d.polygon([(200 * s, 185 * s), (182 * s, 250 * s), (218 * s, 250 * s)], fill=175)
    d.ellipse((178 * s, 240 * s, 222 * s, 258 * s), fill=120)
    d.ellipse((150 * s, 275 * s, 250 * s, 305 * s), fill=110)
    d.rectangle((150 * s, 275 * s, 250 * s, 288 * s), fill=205)
    d.rectangle((120 * s, 340 * s, 280 * s, 400 * s), fill=180)
    out = io.BytesIO()
    im.filter(ImageFilter.GaussianBlur(4 * s)).convert("RGB").save(out, "JPEG", quality=92)
    return out.getvalue()


def _post(client, headers, data: bytes, **form):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/uploads",
        data={"file": (io.BytesIO(data), "photo.jpg"), **form},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_a_photo_of_a_person_without_consent_is_refused(app, client, detector):
    _, headers, _ = brand_with_key(app)
    response = _post(client, headers, drawn_face())
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "consent_required" and "permission" in error["message"]
    assert db.session.query(Upload).count() == 0


def test_with_consent_the_photo_is_stored_and_marked(app, client, detector):
    _, headers, _ = brand_with_key(app)
    response = _post(client, headers, drawn_face(), consent="true")
    assert response.status_code == 201, response.get_json()
    upload = db.session.get(Upload, response.get_json()["uploadId"])
    assert upload.face_detected is True and upload.consent is True


def test_photos_without_people_need_consent_too(app, client, detector):
    _, headers, _ = brand_with_key(app)
    refused = _post(client, headers, png_bytes(640, 480, (30, 120, 200)))
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "consent_required"
    response = _post(client, headers, png_bytes(640, 480, (30, 120, 200)), consent="true")
    assert response.status_code == 201
    upload = db.session.get(Upload, response.get_json()["uploadId"])
    assert upload.face_detected is False and upload.consent is True
    assert upload.consent_by == "api_key"  # the brand's server attested it


def test_without_a_detector_every_photo_needs_consent(app, client, monkeypatch):
    monkeypatch.setattr(faces, "available", lambda: False)
    _, headers, _ = brand_with_key(app)
    refused = _post(client, headers, png_bytes(64, 64))
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"] == {"consent": "required"}
    assert _post(client, headers, png_bytes(64, 64), consent="true").status_code == 201
