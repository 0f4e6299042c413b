"""Prompts are moderated before any call: rules, denylists, then OpenAI's moderation.
Refusals are 422 with a reason code, write nothing, are counted and logged without the
prompt."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from luneo_app.extensions import db
from luneo_app.models import Design, RenderJob, UsageRecord
from tests.ai.helpers import ai_design, brand_with_ai_mug


def _nothing_written() -> bool:
    return all(
        db.session.scalar(select(func.count()).select_from(m)) == 0
        for m in (Design, RenderJob, UsageRecord)
    )


def _refusals(reason: str) -> float:
    return REGISTRY.get_sample_value("luneo_ai_prompt_refusals_total", {"reason": reason}) or 0.0


def test_denylisted_prompt_is_refused_with_422_and_no_call_is_made(openai_app, fake_openai):
    _, headers, product = brand_with_ai_mug(openai_app)
    before = _refusals("prompt_not_allowed")
    response = openai_app.test_client().post(
        "/v1/designs", json=ai_design(product.id, "a N.A.Z.I eagle in gold"), headers=headers
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "prompt_not_allowed" and error["details"]["reason"] == error["code"]
    assert "try different words" in error["message"]
    assert fake_openai.calls == []  # neither moderation nor images was asked
    assert _nothing_written()
    assert _refusals("prompt_not_allowed") == before + 1


def test_prompt_flagged_by_openai_moderation_is_refused_and_no_image_call_is_made(
    openai_app, fake_openai
):
    _, headers, product = brand_with_ai_mug(openai_app)
    fake_openai.flagged_terms.add("bloody battle")
    response = openai_app.test_client().post(
        "/v1/designs", json=ai_design(product.id, "a bloody battle scene 'Max'"), headers=headers
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "prompt_flagged"
    assert fake_openai.count("moderations") == 1 and fake_openai.count("edits") == 0
    assert _nothing_written()
    # the verdict is remembered: asking again does not call moderation again
    again = openai_app.test_client().post(
        "/v1/designs", json=ai_design(product.id, "A bloody  battle scene 'Max'"), headers=headers
    )
    assert again.status_code == 422 and fake_openai.count("moderations") == 1


def test_brand_denylist_adds_to_the_built_in_one(offline_app):
    _, headers, product = brand_with_ai_mug(offline_app, settings={"denylist": ["acme rival"]})
    client = offline_app.test_client()
    refused = client.post(
        "/v1/designs", json=ai_design(product.id, "stars for ACME  Rival fans"), headers=headers
    )
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == (
        "prompt_not_allowed"
    )
    # another brand without that word may use it
    _, other_headers, other_product = brand_with_ai_mug(offline_app, name="Other")
    ok = client.post(
        "/v1/designs",
        json=ai_design(other_product.id, "stars for acme rival fans"),
        headers=other_headers,
    )
    assert ok.status_code == 202


def test_deployment_denylist_is_configurable(offline_app):
    offline_app.config["AI_DENYLIST"] = "bananas, forbidden fruit"
    _, headers, product = brand_with_ai_mug(offline_app)
    response = offline_app.test_client().post(
        "/v1/designs", json=ai_design(product.id, "forbidden  fruit in gold"), headers=headers
    )
    assert response.get_json()["error"]["code"] == "prompt_not_allowed"


@pytest.mark.parametrize(
    ("prompt", "reason"),
    [
        ("ab", "prompt_too_short"),
        ("stars " * 80, "prompt_too_long"),
        ("gold stars \u202e evil", "prompt_invalid_characters"),
        ("stars <script>", "prompt_invalid_characters"),
        ("see www.example.com for the logo", "prompt_contains_link"),
    ],
)
def test_length_and_character_rules(offline_app, prompt, reason):
    _, headers, product = brand_with_ai_mug(offline_app)
    response = offline_app.test_client().post(
        "/v1/designs", json=ai_design(product.id, prompt), headers=headers
    )
    assert response.status_code == 422 and response.get_json()["error"]["code"] == reason
    assert _nothing_written()


def test_refusals_are_logged_without_the_prompt(offline_app, caplog):
    _, headers, product = brand_with_ai_mug(offline_app)
    secret_words = "naked portrait of my neighbour Gertrude"
    with caplog.at_level(logging.INFO):
        offline_app.test_client().post(
            "/v1/designs", json=ai_design(product.id, secret_words), headers=headers
        )
    refusal = [r for r in caplog.records if r.getMessage() == "artwork prompt refused"]
    assert len(refusal) == 1 and refusal[0].reason == "prompt_not_allowed"
    assert len(refusal[0].prompt_ref) == 12
    assert all(
        "Gertrude" not in r.getMessage() and "Gertrude" not in str(vars(r)) for r in caplog.records
    )


def test_ordinary_words_that_contain_denied_ones_pass(offline_app):
    _, headers, product = brand_with_ai_mug(offline_app)
    for prompt in ("a heroine with stars", "Sussex roses", "classic 'Essex' crest"):
        response = offline_app.test_client().post(
            "/v1/designs", json=ai_design(product.id, prompt), headers=headers
        )
        assert response.status_code == 202, (prompt, response.get_json())
