"""Monthly AI budgets: the call that crosses 75 % raises one alert (stored, handed to the
delivery hook, shown to the brand); at 100 % new AI designs get 402 while text and photo
designs keep working."""

from __future__ import annotations

from sqlalchemy import select

from luneo_app.ai import alerts
from luneo_app.extensions import db
from luneo_app.models import BudgetAlert, Design, UsageRecord
from tests.ai.helpers import ai_design, brand_with_ai_mug
from tests.designs.helpers import text_design


def _alerts(brand_id: str) -> list[tuple[int, int]]:
    rows = db.session.scalars(select(BudgetAlert).where(BudgetAlert.brand_id == brand_id))
    return sorted((a.threshold_percent, a.spent_cents) for a in rows)


def test_crossing_75_percent_alerts_once_and_100_percent_refuses_ai_designs(
    openai_app, fake_openai
):
    openai_app.config["AI_PRICE_CENTS_PER_IMAGE"] = 3
    brand, headers, product = brand_with_ai_mug(openai_app, monthly_ai_budget_cents=10)
    client = openai_app.test_client()
    sent: list[int] = []

    def sender(alert: BudgetAlert) -> None:
        sent.append(alert.threshold_percent)

    alerts.register_sender(sender)
    try:
        for i, expected in enumerate(([], [], [(75, 9)])):  # 3, 6, then 9 of 10 cents
            response = client.post(
                "/v1/designs", json=ai_design(product.id, f"stars {i}"), headers=headers
            )
            assert response.status_code == 202, response.get_json()
            assert _alerts(brand.id) == expected
        assert sent == [75]  # handed to the delivery hook
        # 9 < 10: one more generation is allowed; it takes spending to 12 (the 100 % alert)
        client.post("/v1/designs", json=ai_design(product.id, "stars 3"), headers=headers)
        assert _alerts(brand.id) == [(75, 9), (100, 12)]
        assert fake_openai.count("edits") == 4
        refused = client.post("/v1/designs", json=ai_design(product.id, "stars 4"), headers=headers)
        assert refused.status_code == 402
        error = refused.get_json()["error"]
        assert error["code"] == "ai_budget_exhausted" and "next month" in error["message"]
        assert fake_openai.count("edits") == 4 and fake_openai.count("moderations") == 4
        # plain designs keep working
        text = client.post("/v1/designs", json=text_design(product.id), headers=headers)
        assert text.status_code == 202
        # nothing was written for the refused AI design, and still one alert per threshold
        assert db.session.query(Design).count() == 5
        assert sent == [75, 100]
    finally:
        alerts.unregister_sender(sender)


def test_cached_artwork_is_free_and_allowed_after_the_budget_is_used(openai_app, fake_openai):
    openai_app.config["AI_PRICE_CENTS_PER_IMAGE"] = 10
    _, headers, product = brand_with_ai_mug(openai_app, monthly_ai_budget_cents=10)
    client = openai_app.test_client()
    client.post("/v1/designs", json=ai_design(product.id, "gold stars"), headers=headers)
    again = client.post(
        "/v1/designs", json=ai_design(product.id, "gold stars", x=0.4), headers=headers
    )
    assert again.status_code == 202 and again.get_json()["artworkProvider"] == "openai"
    assert fake_openai.count("edits") == 1


def test_alerts_are_stored_with_no_delivery_until_a_sender_delivers(openai_app, fake_openai):
    openai_app.config["AI_PRICE_CENTS_PER_IMAGE"] = 8
    brand, headers, product = brand_with_ai_mug(openai_app, monthly_ai_budget_cents=10)
    openai_app.test_client().post(
        "/v1/designs", json=ai_design(product.id, "gold stars"), headers=headers
    )
    (alert,) = alerts.pending(brand.id)
    assert alert.threshold_percent == 75 and alert.delivered_at is None
    usage = openai_app.test_client().get("/v1/ai/usage", headers=headers).get_json()
    assert usage["spentCents"] == 8 and usage["budgetCents"] == 10
    assert usage["percentUsed"] == 80.0 and usage["exhausted"] is False
    assert [a["thresholdPercent"] for a in usage["alerts"]] == [75]


def test_budget_comes_from_the_deployment_default_when_the_brand_has_none(openai_app, fake_openai):
    openai_app.config["AI_DEFAULT_MONTHLY_BUDGET_CENTS"] = 0
    _, headers, product = brand_with_ai_mug(openai_app)
    response = openai_app.test_client().post(
        "/v1/designs", json=ai_design(product.id, "gold stars"), headers=headers
    )
    assert response.status_code == 402
    assert fake_openai.calls == [] and db.session.query(UsageRecord).count() == 0
