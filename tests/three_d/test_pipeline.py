"""GLB and USDZ after the preview (eager jobs): the design's texture, valid files, the cache,
``/ar`` answers, the production set and the demo seed."""

from __future__ import annotations

import io
import time
import zipfile

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from luneo_app.extensions import db
from luneo_app.jobs.scheduler import dispatch
from luneo_app.models import Design, Product, RenderJob
from luneo_app.three_d import ar_files
from render.three_d import ModelError
from tests.designs.helpers import text_design
from tests.three_d.helpers import (
    arkit_problems,
    brand_with_mug,
    design_box,
    expected_texture,
    gltf_report,
    local,
    mean_abs_diff,
    mug_glb,
    photo_design,
    print_image,
)


def _create(client, headers, body: dict) -> Design:  # type: ignore[no-untyped-def]
    answer = client.post("/v1/designs", json=body, headers=headers)
    assert answer.status_code in (200, 202), answer.get_json()
    db.session.expire_all()
    return db.session.get(Design, answer.get_json()["designId"])


def _jobs(design_id: str | None = None) -> list[RenderJob]:
    query = select(RenderJob).order_by(RenderJob.enqueued_at)
    if design_id:
        query = query.where(RenderJob.design_id == design_id)
    return list(db.session.scalars(query))


@pytest.fixture()
def bakes(monkeypatch):  # type: ignore[no-untyped-def]
    """Counts the engine's bakes (each makes one GLB + USDZ pair)."""
    calls = []
    real = ar_files.bake

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(ar_files, "bake", counting)
    return calls


def test_after_the_preview_the_glb_and_usdz_carry_the_design_texture(app, client, tmp_path):
    _, headers, product = brand_with_mug(app)
    design = _create(client, headers, photo_design(client, headers, product.id))
    assert design.status == "preview_ready" and design.preview_key
    assert design.glb_key.endswith(".glb") and design.usdz_key.endswith(".usdz")
    assert design.glb_key.startswith(f"brands/{design.brand_id}/3d/")
    storage = app.extensions["luneo.storage"]
    glb, usdz = storage.get(design.glb_key), storage.get(design.usdz_key)

    # GLB: the print material's texture is the 2D engine's texture, placed in the UV rect
    encoded, canvas = print_image(glb)
    box = design_box(canvas, product.model_settings["uvRect"])
    want = expected_texture(design)
    alpha = np.asarray(want.getchannel("A"))
    assert (alpha == 255).mean() > 0.3  # the photo fills its slot (the text has the rest)
    got = canvas.crop(box)
    surface = Image.new("RGBA", got.size, canvas.getpixel((2, 2)))  # the mug's glaze
    on_mug = Image.alpha_composite(surface, want.resize(got.size, Image.Resampling.LANCZOS))
    assert mean_abs_diff(got, on_mug) < 4.0
    flipped = on_mug.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    assert mean_abs_diff(got, flipped) > 20.0  # and it is not upside down

    # USDZ: an aligned, stored zip with the same texture inside, opening with usd-core
    with zipfile.ZipFile(io.BytesIO(usdz)) as package:
        infos = package.infolist()
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        images = [package.read(i) for i in infos if i.filename.endswith((".png", ".jpg"))]
    assert encoded in images
    pxr = pytest.importorskip("pxr")
    path = tmp_path / "design.usdz"
    path.write_bytes(usdz)
    assert pxr.Usd.Stage.Open(str(path)).GetDefaultPrim()
    assert arkit_problems(usdz, tmp_path) == ([], [])


def test_the_glb_passes_the_khronos_gltf_validator(app, client, tmp_path):
    _, headers, product = brand_with_mug(app)
    design = _create(client, headers, text_design(product.id))
    report = gltf_report(app.extensions["luneo.storage"].get(design.glb_key), tmp_path)
    if report is None:
        pytest.skip("node or tests/gltf/node_modules missing: run `npm ci --prefix tests/gltf`")
    assert report["issues"]["numErrors"] == 0, report["issues"]["messages"][:5]


def test_the_3d_job_runs_after_the_preview_and_only_for_products_with_a_model(app, client):
    _, headers, product = brand_with_mug(app)
    _, headers_b, plain = brand_with_mug(app, "Plain Mugs", model=False)
    design = _create(client, headers, text_design(product.id))
    preview, three_d = _jobs(design.id)
    assert (preview.kind, three_d.kind, three_d.queue) == ("preview", "3d", "3d")
    assert preview.status == three_d.status == "succeeded"
    assert three_d.enqueued_at >= preview.started_at
    assert design.timings["arRenderMs"] > 0
    other = _create(client, headers_b, text_design(plain.id))
    assert [j.kind for j in _jobs(other.id)] == ["preview"]
    assert other.glb_key is None


def test_the_same_design_on_the_same_model_is_baked_once(app, client, bakes):
    _, headers, product = brand_with_mug(app)
    first = _create(client, headers, {**text_design(product.id), "previewMode": "fast"})
    # A fast preview (the widget's draft while the shopper types) makes no 3D files until
    # the 3D tab asks for them.
    assert first.glb_key is None and [j.kind for j in _jobs(first.id)] == ["preview"]
    assert client.get(f"/v1/designs/{first.id}/ar", headers=headers).status_code == 200
    db.session.refresh(first)
    assert first.glb_key and len(bakes) == 1
    # same texture, another design row (the preview size differs): no second bake
    second = _create(client, headers, {**text_design(product.id), "previewMode": "hd"})
    assert first.id != second.id
    assert (first.glb_key, first.usdz_key) == (second.glb_key, second.usdz_key)
    assert len(bakes) == 1 and second.timings["arCached"] is True
    # asking /ar again and again does not queue or bake anything more
    for _ in range(3):
        assert client.get(f"/v1/designs/{first.id}/ar", headers=headers).status_code == 200
    assert len(bakes) == 1 and len([j for j in _jobs() if j.kind == "3d"]) == 2
    files = app.extensions["luneo.storage"].list(f"brands/{first.brand_id}/3d")
    assert len(files) == 2
    # another design gets its own files
    third = _create(client, headers, text_design(product.id, text="Other"))
    assert third.glb_key != first.glb_key and len(bakes) == 2


def test_ar_answers_202_while_queued_then_200_with_signed_urls(app, client):
    _, headers, product = brand_with_mug(app, model=False)
    design = _create(client, headers, text_design(product.id))
    client.put(
        f"/v1/products/{product.id}/model",
        data={"file": (io.BytesIO(mug_glb()), "m.glb")},
        headers=headers,
        content_type="multipart/form-data",
    )
    app.config["JOB_CONCURRENCY_TOTAL"] = 0  # the 3d job waits for a free slot
    for _ in range(2):
        waiting = client.get(f"/v1/designs/{design.id}/ar", headers=headers)
        assert waiting.status_code == 202, waiting.get_json()
        assert waiting.get_json()["status"] == "queued" and waiting.headers["Retry-After"]
    assert len([j for j in _jobs(design.id) if j.kind == "3d"]) == 1  # asked twice, queued once
    app.config["JOB_CONCURRENCY_TOTAL"] = 5
    dispatch("3d")
    ready = client.get(f"/v1/designs/{design.id}/ar", headers=headers)
    assert ready.status_code == 200, ready.get_json()
    body = ready.get_json()
    assert body["status"] == "ready" and body["expiresAt"]
    glb = client.get(local(body["glbUrl"]))
    usdz = client.get(local(body["usdzUrl"]))
    assert glb.status_code == usdz.status_code == 200
    assert glb.mimetype == "model/gltf-binary" and glb.data[:4] == b"glTF"
    assert usdz.mimetype == "model/vnd.usdz+zip" and usdz.data[:2] == b"PK"
    exp = int(body["glbUrl"].split("exp=")[1].split("&")[0])
    assert 3500 < exp - time.time() <= 3600


def test_ar_waits_for_the_preview_and_never_queues_before_it(app, client):
    _, headers, product = brand_with_mug(app)
    app.config["JOB_CONCURRENCY_TOTAL"] = 0  # the preview cannot run yet
    design = _create(client, headers, text_design(product.id))
    answer = client.get(f"/v1/designs/{design.id}/ar", headers=headers)
    assert answer.status_code == 202 and answer.get_json()["status"] == "waiting_for_preview"
    assert [j.kind for j in _jobs(design.id)] == ["preview"]


def test_ar_errors_are_clear(app, client, monkeypatch):
    _, headers, product = brand_with_mug(app)
    _, headers_b, plain = brand_with_mug(app, "Plain Mugs", model=False)
    design = _create(client, headers, text_design(product.id))
    assert client.get(f"/v1/designs/{design.id}/ar", headers=headers_b).status_code == 404
    assert client.get("/v1/designs/des_nope/ar", headers=headers).status_code == 404
    other = _create(client, headers_b, text_design(plain.id))
    no_model = client.get(f"/v1/designs/{other.id}/ar", headers=headers_b)
    assert no_model.status_code == 409
    assert no_model.get_json()["error"]["code"] == "no_3d_model"

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise ModelError("bad_uv_rect", "this model cannot take the design")

    monkeypatch.setattr("luneo_app.three_d.tasks.make_ar_files", broken)
    failing = _create(client, headers, text_design(product.id, text="Broken"))
    assert failing.status == "preview_ready" and failing.glb_key is None  # the 2D is unharmed
    answer = client.get(f"/v1/designs/{failing.id}/ar", headers=headers)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "ar_render_failed"
    assert "bad_uv_rect" in answer.get_json()["error"]["details"]["error"]


def test_a_new_model_gives_designs_new_files(app, client):
    _, headers, product = brand_with_mug(app)
    design = _create(client, headers, text_design(product.id))
    old = design.glb_key
    changed = client.patch(
        f"/v1/products/{product.id}/model", json={"uvRect": None}, headers=headers
    )
    assert changed.status_code == 200
    answer = client.get(f"/v1/designs/{design.id}/ar", headers=headers)
    assert answer.status_code == 200
    db.session.expire_all()
    assert db.session.get(Design, design.id).glb_key != old


def test_the_production_set_holds_the_glb(app, client):
    _, headers, product = brand_with_mug(app)
    design = _create(client, headers, text_design(product.id))
    # the files are gone (say, a retention sweep): production makes them again
    app.extensions["luneo.storage"].delete_prefix(f"brands/{design.brand_id}/3d")
    done = client.post(f"/v1/designs/{design.id}/finalize", json={}, headers=headers)
    assert done.status_code == 200 and done.get_json()["status"] == "production_ready"
    db.session.expire_all()
    design = db.session.get(Design, design.id)
    assert design.production_keys["front"]["pdf"]
    assert app.extensions["luneo.storage"].get(design.glb_key)[:4] == b"glTF"


def test_the_demo_mug_has_a_model_and_the_demo_page_shows_it(app, client):
    from luneo_app.demo.seed import seed_demo

    app.config["THREE_D_TEXTURE_PX"] = 160
    seeded = seed_demo()
    product = db.session.get(Product, seeded.product_id)
    assert "/model-" in product.model_key and product.model_key.endswith(".glb")
    assert product.model_settings["material"] == "print"
    assert product.model_settings["placement"] == "auto"
    assert seed_demo().product_id == product.id  # idempotent
    page = client.get("/3d/demo")
    assert page.status_code == 200, page.data[:500]
    html = page.get_data(as_text=True)
    assert "/widget/three-d.js" in html and ".usdz" in html and ".glb" in html
    assert "model-viewer" not in html.split("<body>")[0].replace("three-d.js", "")
