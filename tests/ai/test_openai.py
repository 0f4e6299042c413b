"""OpenAI images through the real SDK against the fake server: the masked edit call, SDK
retries, the circuit breaker with the procedural fallback, refusals and the artwork cache."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from sqlalchemy import func, select

from luneo_app.extensions import db
from luneo_app.models import AiArtwork, Design, UsageRecord
from tests.ai.helpers import ai_design, brand_with_ai_mug

PROMPT = "a gold cursive 'Jessica' with small stars"


def _count(model, *where) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _post(app, headers, body):  # type: ignore[no-untyped-def]
    return app.test_client().post("/v1/designs", json=body, headers=headers)


def test_edit_call_sends_the_product_photo_and_a_mask_of_the_print_area(openai_app, fake_openai):
    _, headers, product = brand_with_ai_mug(openai_app)
    response = _post(openai_app, headers, ai_design(product.id, PROMPT))
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["status"] == "preview_ready"
    assert response.get_json()["artworkProvider"] == "openai"
    assert fake_openai.count("moderations") == 1 and fake_openai.count("edits") == 1
    call = fake_openai.last("edits")
    assert call.headers["authorization"] == f"Bearer {fake_openai.api_key}"
    assert call.fields["model"] == openai_app.config["OPENAI_MODEL"]
    assert PROMPT in call.fields["prompt"]
    image = Image.open(io.BytesIO(call.files["image"]))
    mask = Image.open(io.BytesIO(call.files["mask"]))
    # the mug's front area is near square (0.30 x 0.34 of the photo): the square size
    assert call.fields["size"] == "1024x1024"
    assert image.size == mask.size == (1024, 1024) and mask.format == "PNG"
    alpha = np.asarray(mask.convert("RGBA").getchannel("A"))
    ys, xs = np.nonzero(alpha == 0)  # transparent = where the model may paint
    # the print area fills 70 % of the canvas in its limiting direction, centred
    assert abs(xs.mean() - 512) < 3 and abs(ys.mean() - 512) < 3
    assert abs((ys.max() - ys.min() + 1) - 0.70 * 1024) < 3
    area = product.template["printAreas"][0]
    expected_w = 0.70 * 1024 * area["width"] / area["height"]  # the photo is square
    assert abs((xs.max() - xs.min() + 1) - expected_w) < 3
    assert alpha[0, 0] == 255 and alpha[-1, -1] == 255  # the rest of the photo is kept


def test_the_artwork_is_the_edited_print_area_and_its_cost_is_recorded(openai_app, fake_openai):
    brand, headers, product = brand_with_ai_mug(openai_app)
    design_id = _post(openai_app, headers, ai_design(product.id, PROMPT)).get_json()["designId"]
    (art,) = db.session.scalars(select(AiArtwork)).all()
    image = Image.open(io.BytesIO(openai_app.extensions["luneo.storage"].get(art.key)))
    rgb = np.asarray(image.convert("RGB"), int)
    magenta = (rgb[..., 0] > 150) & (rgb[..., 1] < 80) & (rgb[..., 2] > 110)
    assert magenta.mean() > 0.2  # the fake's stripes: the area the model painted
    (usage,) = db.session.scalars(select(UsageRecord)).all()
    assert (usage.kind, usage.provider, usage.units) == ("ai_image", "openai", 1)
    assert (usage.tokens_in, usage.tokens_out) == (320, 1056)
    assert usage.cost_cents == openai_app.config["AI_PRICE_CENTS_PER_IMAGE"] > 0
    assert usage.design_id == design_id and usage.brand_id == brand.id
    assert db.session.get(Design, design_id).cost_cents == usage.cost_cents


def test_a_server_error_is_retried_by_the_sdk_and_then_succeeds(openai_app, fake_openai):
    _, headers, product = brand_with_ai_mug(openai_app)
    fake_openai.fail_next("edits", 500)
    response = _post(openai_app, headers, ai_design(product.id, PROMPT))
    assert response.get_json()["artworkProvider"] == "openai"
    assert fake_openai.count("edits", 500) == 1 and fake_openai.count("edits", 200) == 1


def test_five_failures_open_the_breaker_and_the_procedural_provider_answers(
    openai_app, fake_openai
):
    openai_app.config["OPENAI_MAX_RETRIES"] = 0  # one request per failure, for counting
    openai_app.extensions.pop("luneo.openai", None)
    _, headers, product = brand_with_ai_mug(openai_app)
    fake_openai.fail_always("edits", 500)
    for i in range(5):
        body = _post(openai_app, headers, ai_design(product.id, f"stars number {i}")).get_json()
        assert body["status"] == "preview_ready" and body["artworkProvider"] == "procedural"
    assert fake_openai.count("edits") == 5
    # the circuit is open: no more calls, the procedural generator answers at once
    body = _post(openai_app, headers, ai_design(product.id, "stars number 6")).get_json()
    assert body["artworkProvider"] == "procedural"
    assert fake_openai.count("edits") == 5
    fallbacks = db.session.scalars(select(UsageRecord.details)).all()
    assert [d["fallback"] for d in fallbacks].count("circuit_open") == 1
    assert all(u.cost_cents == 0 for u in db.session.scalars(select(UsageRecord)))


def test_same_prompt_twice_makes_one_paid_call(openai_app, fake_openai):
    _, headers, product = brand_with_ai_mug(openai_app)
    first = _post(openai_app, headers, ai_design(product.id, PROMPT)).get_json()
    second = _post(openai_app, headers, ai_design(product.id, PROMPT, y=0.45)).get_json()
    assert first["designId"] != second["designId"]
    assert first["artworkProvider"] == second["artworkProvider"] == "openai"
    assert fake_openai.count("edits") == 1
    paid = db.session.scalars(select(UsageRecord.cost_cents)).all()
    assert len(paid) == 1


def test_when_openai_refuses_the_prompt_the_design_fails_without_fallback(openai_app, fake_openai):
    _, headers, product = brand_with_ai_mug(openai_app)
    fake_openai.refuse_next("edits")
    body = _post(openai_app, headers, ai_design(product.id, PROMPT)).get_json()
    assert body["status"] == "failed" and body["artworkProvider"] is None
    design = db.session.get(Design, body["designId"])
    assert design.error["code"] == "prompt_flagged"
    assert fake_openai.count("edits") == 1  # refused is final: not retried
    assert _count(AiArtwork) == 0 and _count(UsageRecord) == 0


def test_an_outage_of_moderation_allows_only_procedural_artwork(openai_app, fake_openai):
    _, headers, product = brand_with_ai_mug(openai_app)
    fake_openai.fail_always("moderations", 503)
    body = _post(openai_app, headers, ai_design(product.id, PROMPT)).get_json()
    assert body["status"] == "preview_ready" and body["artworkProvider"] == "procedural"
    assert fake_openai.count("edits") == 0  # an unmoderated prompt never reaches the model


def test_two_jobs_making_the_same_artwork_at_once_record_both_calls_and_keep_one(
    openai_app, fake_openai, monkeypatch
):
    from luneo_app.ai import service
    from luneo_app.models import Brand, Product

    brand, _, product = brand_with_ai_mug(openai_app)
    layer = {"type": "ai", "printArea": "front", "prompt": PROMPT, "seed": 0}
    first, _ = service.make_artwork(
        brand, product, layer, design_id="des_a", shopper_ref=None, remote_checked=True
    )
    db.session.commit()
    # the second job looked at the cache before the first one stored its artwork
    monkeypatch.setattr(service, "_cached", lambda *a, **k: None, raising=True)
    original = service._store

    def racing_store(*args, **kwargs):  # type: ignore[no-untyped-def]
        monkeypatch.undo()  # the insert conflicts, then finds the first artwork
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "_store", racing_store)
    second, _ = service.make_artwork(
        db.session.get(Brand, brand.id),
        db.session.get(Product, product.id),
        layer,
        design_id="des_b",
        shopper_ref=None,
        remote_checked=True,
    )
    db.session.commit()
    assert fake_openai.count("edits") == 2
    assert second.key == first.key and _count(AiArtwork) == 1
    assert _count(UsageRecord) == 2  # both calls were paid for, both are on the bill
    files = openai_app.extensions["luneo.storage"].list(f"brands/{brand.id}/artwork/")
    assert files == [first.key]
