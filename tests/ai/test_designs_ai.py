"""AI designs without an OpenAI key: the procedural generator makes the art, the same render
pipeline previews it, and the API says plainly that it is procedural."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from sqlalchemy import func, select

from luneo_app.extensions import db
from luneo_app.models import AiArtwork, Design, RenderJob, UsageRecord
from tests.ai.helpers import ai_design, brand_with_ai_mug
from tests.designs.helpers import brand_with_key, text_design

PROMPT = "a gold cursive 'Jessica' with small stars"


def _count(model, *where) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _get(client, url: str, app) -> bytes:  # type: ignore[no-untyped-def]
    response = client.get(url.replace(app.config["APP_URL"], ""))
    assert response.status_code == 200
    return response.data


def test_ai_layer_is_generated_then_previewed_and_named_procedural(offline_app):
    app, client = offline_app, offline_app.test_client()
    _, headers, product = brand_with_ai_mug(app)
    created = client.post("/v1/designs", json=ai_design(product.id, PROMPT), headers=headers)
    assert created.status_code == 202, created.get_json()
    body = created.get_json()
    assert body["status"] == "preview_ready"
    assert body["artworkProvider"] == "procedural"
    assert "not AI" in body["artworkLabel"]
    got = client.get(f"/v1/designs/{body['designId']}", headers=headers).get_json()
    (layer,) = got["layers"]
    assert layer["type"] == "ai" and layer["artworkProvider"] == "procedural"
    assert "artworkKey" not in layer  # storage keys stay inside Luneo
    art = Image.open(io.BytesIO(_get(client, layer["artworkUrl"], app)))
    assert art.mode == "RGBA" and art.getbbox() is not None
    # the ai job ran on its own queue, then the usual preview job
    jobs = db.session.execute(select(RenderJob.kind, RenderJob.queue, RenderJob.status)).all()
    assert sorted(jobs) == [("artwork", "ai", "succeeded"), ("preview", "previews", "succeeded")]


def test_the_artwork_shows_in_the_preview_inside_the_print_area(offline_app):
    app, client = offline_app, offline_app.test_client()
    _, headers, product = brand_with_ai_mug(app)
    plain = client.post(
        "/v1/designs",
        json={**text_design(product.id, text="A"), "previewMode": "fast"},
        headers=headers,
    )
    with_art = client.post(
        "/v1/designs", json=ai_design(product.id, "a red pattern of hearts"), headers=headers
    )
    urls = [
        client.get(f"/v1/designs/{r.get_json()['designId']}", headers=headers).get_json()[
            "previewUrl"
        ]
        for r in (plain, with_art)
    ]
    a, b = (
        np.asarray(Image.open(io.BytesIO(_get(client, u, app))).convert("RGB"), int) for u in urls
    )
    changed = np.any(np.abs(a - b) > 40, axis=-1)
    ys, xs = np.nonzero(changed)
    area = product.template["printAreas"][0]
    h, w = changed.shape
    # the artwork fills its own slot (beside the photo's, above the text's), not the area
    assert changed.mean() > 0.005
    # every changed pixel lies in the front print area (2 px of resampling slack)
    assert xs.min() >= area["x"] * w - 2 and xs.max() <= (area["x"] + area["width"]) * w + 2
    assert ys.min() >= area["y"] * h - 2 and ys.max() <= (area["y"] + area["height"]) * h + 2


def test_top_level_prompt_becomes_an_ai_layer(offline_app):
    app, client = offline_app, offline_app.test_client()
    _, headers, product = brand_with_ai_mug(app)
    response = client.post(
        "/v1/designs",
        json={"productId": product.id, "prompt": PROMPT, "previewMode": "fast"},
        headers=headers,
    )
    assert response.status_code == 202, response.get_json()
    design = db.session.get(Design, response.get_json()["designId"])
    assert design.prompt == PROMPT and design.prompt_hash
    assert [layer["type"] for layer in design.layers] == ["ai"]
    assert design.layers[0]["printArea"] == "front"


def test_same_prompt_again_reuses_the_stored_artwork(offline_app):
    app, client = offline_app, offline_app.test_client()
    _, headers, product = brand_with_ai_mug(app)
    first = client.post("/v1/designs", json=ai_design(product.id, PROMPT), headers=headers)
    # another placement is another design, but the same artwork request
    moved = client.post(
        "/v1/designs",
        json=ai_design(product.id, "A gold cursive   'Jessica' with small STARS", scale=0.8),
        headers=headers,
    )
    assert first.status_code == moved.status_code == 202
    assert first.get_json()["designId"] != moved.get_json()["designId"]
    assert _count(AiArtwork) == 1 and _count(UsageRecord) == 1
    # the identical design is the cached design: no new job at all
    again = client.post("/v1/designs", json=ai_design(product.id, PROMPT), headers=headers)
    assert again.status_code == 200 and again.get_json()["cached"] is True
    assert again.get_json()["artworkProvider"] == "procedural"


def test_bad_ai_layers_are_refused_and_nothing_is_written(offline_app):
    app, client = offline_app, offline_app.test_client()
    _, headers, product = brand_with_ai_mug(app)
    cases = [
        ai_design(product.id, ""),
        ai_design(product.id, PROMPT, seed=-1),
        ai_design(product.id, PROMPT, seed="7"),
        {**ai_design(product.id, PROMPT), "prompt": "something else"},
        {
            "productId": product.id,
            "layers": [
                {"type": "ai", "printArea": "front", "prompt": PROMPT},
                {"type": "ai", "printArea": "front", "prompt": "stars"},
            ],
        },
        ai_design(product.id, PROMPT, x=1.7),
        ai_design(product.id, PROMPT, printArea="back"),
    ]
    for body in cases:
        response = client.post("/v1/designs", json=body, headers=headers)
        assert response.status_code == 422, (body, response.get_json())
    assert _count(Design) == 0 and _count(RenderJob) == 0 and _count(AiArtwork) == 0


def test_products_that_do_not_offer_ai_refuse_prompts(offline_app):
    app, client = offline_app, offline_app.test_client()
    _, headers, product = brand_with_key(app)  # its template has text and photo options only
    response = client.post("/v1/designs", json=ai_design(product.id, PROMPT), headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["layers"].startswith("this product")


def test_a_shop_that_turned_ai_off_refuses_prompts(offline_app):
    app, client = offline_app, offline_app.test_client()
    _, headers, product = brand_with_ai_mug(app, settings={"aiEnabled": False})
    response = client.post("/v1/designs", json=ai_design(product.id, PROMPT), headers=headers)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "ai_disabled"
    assert _count(Design) == 0


def test_finalizing_an_ai_design_makes_production_files_with_the_artwork(offline_app):
    app, client = offline_app, offline_app.test_client()
    _, headers, product = brand_with_ai_mug(app)
    design_id = client.post(
        "/v1/designs", json=ai_design(product.id, PROMPT), headers=headers
    ).get_json()["designId"]
    layers = client.get(f"/v1/designs/{design_id}", headers=headers).get_json()["layers"]
    # sending back the layers as read (with artworkUrl) matches the design
    done = client.post(
        f"/v1/designs/{design_id}/finalize", json={"layers": layers}, headers=headers
    )
    assert done.status_code == 200, done.get_json()
    body = client.get(f"/v1/designs/{design_id}", headers=headers).get_json()
    assert body["status"] == "production_ready"
    png = Image.open(io.BytesIO(_get(client, body["production"][0]["pngUrl"], app)))
    assert png.getbbox() is not None  # the artwork is in the print file
