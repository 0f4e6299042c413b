"""Uploading a product's 3D model: validated before anything is stored, clear 422 codes."""

from __future__ import annotations

import io

import pytest

from luneo_app.extensions import db
from luneo_app.models import Product
from tests.designs.helpers import brand_with_key
from tests.render_3d.conftest import quad_glb
from tests.three_d.helpers import brand_with_mug, local, mug_glb


def _put(client, headers, product_id: str, data: bytes, **form: str):  # type: ignore[no-untyped-def]
    return client.put(
        f"/v1/products/{product_id}/model",
        data={"file": (io.BytesIO(data), "model.glb"), **form},
        headers=headers,
        content_type="multipart/form-data",
    )


def _stored(app, brand_id: str) -> list[str]:
    """Model files stored for the brand's products (their photos aside)."""
    keys = app.extensions["luneo.storage"].list(f"brands/{brand_id}/products")
    return [key for key in keys if key.endswith(".glb")]


def test_a_valid_glb_is_stored_with_its_print_material_and_placement(app, client):
    brand, headers, product = brand_with_key(app)
    answer = _put(client, headers, product.id, mug_glb())
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["material"] == "print" and body["printArea"] == "front"
    # the 72 mm front sits at true scale, centred on the side that faces the viewer
    assert body["placement"] == "auto"
    u0, v0, u1, v1 = body["uvRect"]
    assert u1 - u0 == pytest.approx(72 / 207.52, abs=0.002)
    assert (u0 + u1) / 2 == pytest.approx(0.814, abs=0.01)
    assert (v0 + v1) / 2 == pytest.approx(0.5, abs=0.01)
    assert body["triangles"] == 18624 and body["sizeM"][1] == pytest.approx(0.095, abs=1e-3)
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    sha = product.model_settings["sha256"]
    assert product.model_key == f"brands/{brand.id}/products/{product.id}/model-{sha[:16]}.glb"
    assert product.model_settings["sha256"] and product.model_settings["uvRect"] == body["uvRect"]
    download = client.get(local(body["modelUrl"]))
    assert download.status_code == 200 and download.data == mug_glb()
    assert download.mimetype == "model/gltf-binary"
    got = client.get(f"/v1/products/{product.external_id}/model", headers=headers)
    assert got.status_code == 200 and got.get_json()["sha256"] == body["sha256"]


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("garbage", "invalid_glb"),
        ("no_uvs", "no_uvs"),
        ("too_many_triangles", "too_many_triangles"),
        ("too_large", "too_large"),
    ],
)
def test_an_unusable_model_is_refused_with_its_code_and_nothing_is_stored(
    app, client, case: str, code: str
):
    brand, headers, product = brand_with_key(app)
    data = {
        "garbage": b"glTF\x02\x00\x00\x00 definitely not a model",
        "no_uvs": quad_glb(uvs=False),
        "too_many_triangles": mug_glb(),
        "too_large": mug_glb(),
    }[case]
    app.config["MODEL_MAX_TRIANGLES"] = 5_000 if case == "too_many_triangles" else None
    app.config["MODEL_MAX_BYTES"] = 100_000 if case == "too_large" else None
    answer = _put(client, headers, product.id, data)
    assert answer.status_code == 422, answer.get_json()
    error = answer.get_json()["error"]
    assert error["code"] == code and error["message"]
    assert _stored(app, brand.id) == []
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert product.model_key is None and product.model_settings == {}


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"material": "handle"}, "unknown_material"),
        ({"printArea": "back"}, "unknown_print_area"),
        ({"uvRect": "0.5,0.5,0.2,0.9"}, "bad_uv_rect"),
        ({"engravingMaterial": "plutonium"}, "validation_failed"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_stored(app, client, form: dict, code: str):
    brand, headers, product = brand_with_key(app)
    answer = _put(client, headers, product.id, mug_glb(), **form)
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == code
    assert _stored(app, brand.id) == []


def test_a_model_without_a_file_is_a_validation_error(app, client):
    _, headers, product = brand_with_key(app)
    answer = client.put(
        f"/v1/products/{product.id}/model",
        data={"material": "print"},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422


def test_another_brands_product_is_not_found(app, client):
    _, headers_a, _ = brand_with_key(app, "Brand A")
    _, _, product_b = brand_with_key(app, "Brand B")
    assert _put(client, headers_a, product_b.id, mug_glb()).status_code == 404
    assert client.get(f"/v1/products/{product_b.id}/model", headers=headers_a).status_code == 404


def test_settings_change_without_a_new_upload_and_the_model_can_be_removed(app, client):
    brand, headers, product = brand_with_mug(app)
    changed = client.patch(
        f"/v1/products/{product.id}/model", json={"uvRect": None}, headers=headers
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["placement"] == "fill" and changed.get_json()["uvRect"] is None
    manual = client.patch(
        f"/v1/products/{product.id}/model", json={"uvRect": [0.1, 0.1, 0.4, 0.9]}, headers=headers
    )
    assert manual.get_json()["placement"] == "manual"
    assert manual.get_json()["uvRect"] == [0.1, 0.1, 0.4, 0.9]
    gone = client.delete(f"/v1/products/{product.id}/model", headers=headers)
    assert gone.status_code == 204
    assert _stored(app, brand.id) == []
    missing = client.get(f"/v1/products/{product.id}/model", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "no_3d_model"


def test_the_openapi_spec_documents_the_3d_endpoints(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    assert {"put", "patch", "get", "delete"} <= set(paths["/v1/products/{product_ref}/model"])
    ar = paths["/v1/designs/{design_id}/ar"]["get"]
    assert {"200", "202", "404", "409", "422"} <= set(ar["responses"])


@pytest.mark.parametrize(
    "name", ["instance_bomb", "accessor_2_pow_31", "deep_json", "nan_rotation", "sparse_bomb"]
)
def test_a_crafted_model_is_refused_with_422_and_nothing_is_stored(app, client, name: str):
    from tests.render_3d.hostile_models import CORPUS

    build, code = next((b, c) for n, b, c in CORPUS if n == name)
    brand, headers, product = brand_with_key(app)

    answer = _put(client, headers, product.id, build())

    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == code
    assert _stored(app, brand.id) == []
    db.session.expire_all()
    assert db.session.get(Product, product.id).model_key is None


def test_a_commit_that_fails_after_the_file_is_written_leaves_the_previous_model_whole(
    app, client, monkeypatch
):
    brand, headers, product = brand_with_key(app)
    assert _put(client, headers, product.id, mug_glb()).status_code == 200
    db.session.expire_all()
    before = db.session.get(Product, product.id)
    kept_key, kept_sha = before.model_key, before.model_settings["sha256"]
    real_commit = db.session.commit

    def failing_commit():  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    answer = _put(client, headers, product.id, quad_glb())
    monkeypatch.setattr(db.session, "commit", real_commit)

    assert answer.status_code >= 500
    db.session.expire_all()
    after = db.session.get(Product, product.id)
    assert (after.model_key, after.model_settings["sha256"]) == (kept_key, kept_sha)
    assert _stored(app, brand.id) == [kept_key]  # the new file was removed, the old one kept
    assert app.extensions["luneo.storage"].get(kept_key) == mug_glb()


def test_a_new_model_replaces_the_previous_file(app, client):
    brand, headers, product = brand_with_key(app)
    assert _put(client, headers, product.id, mug_glb()).status_code == 200
    assert _put(client, headers, product.id, quad_glb()).status_code == 200

    db.session.expire_all()
    current = db.session.get(Product, product.id).model_key
    assert _stored(app, brand.id) == [current]
    assert app.extensions["luneo.storage"].get(current) == quad_glb()
