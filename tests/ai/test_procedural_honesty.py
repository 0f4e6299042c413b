"""The procedural pattern generator is said to be what it is: never priced as AI, labelled
for shoppers and merchants, and offered without an AI provider only if the merchant wants."""

from __future__ import annotations

import copy

import pytest

from luneo_app.core.errors import ValidationFailed
from luneo_app.embed.catalog import storefront_product
from luneo_app.extensions import db
from luneo_app.models import Design
from tests.ai.helpers import AI_TEMPLATE, ai_design, brand_with_ai_mug

PROMPT = "a red fox sleeping under a crescent moon"


def _priced(product) -> None:  # type: ignore[no-untyped-def]
    template = copy.deepcopy(AI_TEMPLATE)
    for option in template["options"]:
        if option["type"] == "ai":
            option["priceCents"] = 250  # "AI artwork +$2.50"
    product.template = template
    db.session.commit()


def test_procedural_artwork_is_not_charged_the_ai_price(offline_app):
    app, client = offline_app, offline_app.test_client()
    brand, headers, product = brand_with_ai_mug(app)
    _priced(product)
    body = ai_design(product.id, PROMPT)
    body["options"] = {"art": PROMPT}
    created = client.post("/v1/designs", json=body, headers=headers).get_json()
    assert created["artworkProvider"] == "procedural"
    got = client.get(f"/v1/designs/{created['designId']}", headers=headers).get_json()
    assert got["price"]["addOnCents"] == 0
    assert "not AI" in got["artworkLabel"]
    # the storefront shows the option free, labelled with its maker
    with app.test_request_context():
        (art,) = [o for o in storefront_product(product, brand)["options"] if o["type"] == "ai"]
    assert art["priceCents"] == 0
    assert art["artwork"] == {
        "provider": "procedural",
        "label": "Pattern generator (procedural, not AI)",
    }


def test_the_ai_price_applies_when_an_ai_provider_makes_it(openai_app):
    app = openai_app
    brand, _headers, product = brand_with_ai_mug(app)
    _priced(product)
    with app.test_request_context():
        (art,) = [o for o in storefront_product(product, brand)["options"] if o["type"] == "ai"]
    assert art["priceCents"] == 250 and art["artwork"]["provider"] == "openai"


def test_the_merchant_can_withhold_the_pattern_generator_without_an_ai_provider(offline_app):
    app, client = offline_app, offline_app.test_client()
    brand, headers, product = brand_with_ai_mug(app, settings={"proceduralArtwork": False})
    with app.test_request_context():
        options = storefront_product(product, brand)["options"]
    assert [o for o in options if o["type"] == "ai"] == []  # the widget offers no artwork
    refused = client.post("/v1/designs", json=ai_design(product.id, PROMPT), headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "artwork_unavailable"
    assert db.session.query(Design).count() == 0


def test_the_settings_say_who_makes_artwork_and_store_the_choice(offline_app):
    from luneo_app.admin.shop_settings import read_settings, update_settings

    app = offline_app
    brand, _headers, _product = brand_with_ai_mug(app)
    settings = read_settings(brand)
    assert (settings["artworkProvider"], settings["proceduralArtwork"]) == ("procedural", True)
    saved = update_settings(brand, {"proceduralArtwork": False}, actor="merchant")
    assert saved["proceduralArtwork"] is False and saved["artworkProvider"] is None
    with pytest.raises(ValidationFailed) as bad:
        update_settings(brand, {"proceduralArtwork": "no"}, actor="merchant")
    assert "proceduralArtwork" in bad.value.details
