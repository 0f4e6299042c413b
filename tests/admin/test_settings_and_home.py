"""Settings (validated field by field, stored together) and Home (live onboarding state)."""

from __future__ import annotations

import json

import pytest

from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.models import Brand, BudgetAlert
from tests.admin.helpers import SHOP_A, bearer, design_for, mug, order_for
from tests.shopify.helpers import seed_install


@pytest.fixture()
def shop(app, fake_shopify):  # type: ignore[no-untyped-def]
    brand, install, _ = seed_install(app, fake_shopify, SHOP_A)
    return {"brand": brand, "install": install,
            "headers": bearer(fake_shopify.session_token(SHOP_A))}  # fmt: skip


def test_settings_are_saved_together(client, shop):
    response = client.put(
        "/admin/api/settings",
        json={
            "retentionDays": 30,
            "aiEnabled": False,
            "monthlyAiBudgetCents": 5000,
            "webhookUrl": "https://93.184.216.34/luneo",
            "denylist": ["  Bad   Word ", "bad word", "другое"],
        },
        headers=shop["headers"],
    )

    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    brand = db.session.get(Brand, shop["brand"].id)
    assert brand.settings["retentionDays"] == 30 and brand.settings["aiEnabled"] is False
    assert brand.settings["denylist"] == ["bad word", "другое"]
    assert (brand.monthly_ai_budget_cents, brand.webhook_url) == (
        5000, "https://93.184.216.34/luneo"
    )  # fmt: skip
    secret = response.get_json()["webhookSecret"]  # shown this once
    assert secret.startswith("whsec_") and secret not in (brand.webhook_secret_enc or "")
    shown = client.get("/admin/api/settings", headers=shop["headers"]).get_json()
    assert shown == {k: v for k, v in response.get_json().items() if k != "webhookSecret"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"retentionDays": 0}, "retentionDays"),
        ({"retentionDays": "30"}, "retentionDays"),
        ({"aiEnabled": "no"}, "aiEnabled"),
        ({"monthlyAiBudgetCents": -1}, "monthlyAiBudgetCents"),
        ({"webhookUrl": "http://hooks.example.com"}, "webhookUrl"),
        ({"webhookUrl": "https://127.0.0.1/hook"}, "webhookUrl"),
        ({"webhookUrl": "https://10.0.0.8/hook"}, "webhookUrl"),
        ({"webhookUrl": "https://user:pw@hooks.example.com"}, "webhookUrl"),
        ({"denylist": ["x"]}, "denylist"),
        ({"denylist": "word"}, "denylist"),
        ({"theme": "dark"}, "theme"),
    ],
)
def test_a_bad_setting_is_refused_on_its_field_and_nothing_is_stored(client, shop, body, field):
    before = dict(shop["brand"].settings or {})

    response = client.put(
        "/admin/api/settings", json={**body, "retentionDays": body.get("retentionDays", 45)},
        headers=shop["headers"],
    )  # fmt: skip

    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]) == [field]
    db.session.expire_all()
    assert (db.session.get(Brand, shop["brand"].id).settings or {}) == before


def test_the_settings_page_shows_the_stored_values(client, fake_shopify, shop):
    shop["brand"].settings = {"denylist": ["rival brand"], "retentionDays": 12}
    shop["brand"].webhook_url = "https://hooks.example.com/x"
    db.session.commit()

    html = client.get(
        "/admin/settings",
        query_string={"shop": SHOP_A, "id_token": fake_shopify.session_token(SHOP_A)},
    ).get_data(as_text=True)

    assert "rival brand" in html and 'value="12"' in html and "hooks.example.com/x" in html


def test_home_reads_the_theme_embed_and_block_from_the_main_theme(client, fake_shopify, shop):
    shop["install"].scopes = "read_products,read_orders,write_orders,read_themes"
    db.session.commit()
    settings_data = {
        "current": {
            "blocks": {
                "123": {
                    "type": "shopify://apps/luneo-personalizer/blocks/luneo-embed/0a1b",
                    "disabled": False,
                }
            }
        }
    }
    product_json = "/* generated */\n" + json.dumps(
        {
            "sections": {
                "main": {
                    "blocks": {
                        "p1": {"type": "shopify://apps/luneo-personalizer/blocks/personalize/0a1b"}
                    }
                }
            }
        }
    )
    fake_shopify.on_graphql("LuneoThemeState", lambda shop_, v, b: {"data": {"themes": {"nodes": [
        {"id": "gid://shopify/OnlineStoreTheme/1", "name": "Dawn", "files": {"nodes": [
            {"filename": "config/settings_data.json",
             "body": {"content": json.dumps(settings_data)}},
            {"filename": "templates/product.json", "body": {"content": product_json}},
        ]}}]}}})  # fmt: skip

    body = client.get("/admin/api/home", headers=shop["headers"]).get_json()

    steps = {s["id"]: s["done"] for s in body["checklist"]["steps"]}
    assert steps == {"embed": True, "block": True, "product": False, "order": False}
    assert body["checklist"]["themeName"] == "Dawn"


def test_home_says_unknown_rather_than_guessing_when_it_cannot_read_the_theme(
    client, fake_shopify, shop
):
    shop["install"].scopes = "read_products,read_orders,write_orders"  # granted before read_themes
    db.session.commit()
    body = client.get("/admin/api/home", headers=shop["headers"]).get_json()

    steps = {s["id"]: s for s in body["checklist"]["steps"]}
    assert steps["embed"]["done"] is None and steps["block"]["done"] is None
    assert body["checklist"]["themeReason"] == "no_theme_access"
    assert steps["embed"]["link"] == (
        f"https://{SHOP_A}/admin/themes/current/editor?context=apps"
        f"&activateAppId={fake_shopify.api_key}%2Fluneo-embed"
    )
    assert steps["block"]["link"].endswith(
        f"?template=product&addAppBlockId={fake_shopify.api_key}%2Fpersonalize&target=mainSection"
    )
    assert fake_shopify.count("graphql") == 0


def test_home_ticks_product_and_order_steps_and_shows_usage_and_budget_alerts(
    app, client, fake_shopify, shop
):
    product = mug(app, shop["brand"])
    order_for(shop["brand"], [design_for(shop["brand"], product, order=True)])
    db.session.add(BudgetAlert(brand_id=shop["brand"].id, month=utcnow().strftime("%Y-%m"),
                               threshold_percent=75, spent_cents=1500, budget_cents=2000,
                               created_at=utcnow()))  # fmt: skip
    db.session.commit()

    body = client.get("/admin/api/home", headers=shop["headers"]).get_json()
    html = client.get(
        "/admin", query_string={"shop": SHOP_A, "id_token": fake_shopify.session_token(SHOP_A)}
    ).get_data(as_text=True)

    steps = {s["id"]: s["done"] for s in body["checklist"]["steps"]}
    assert steps["product"] is True and steps["order"] is True
    assert body["usage"]["orders"] == 1
    # The plan card's figures are the plan page's (one source: billing.usage_for).
    plan_page = client.get("/admin/api/billing", headers=shop["headers"]).get_json()
    assert body["usage"]["metrics"] == plan_page["usage"]["metrics"]
    ordered = next(m for m in body["usage"]["metrics"] if m["metric"] == "designs")
    assert (ordered["used"], ordered["included"]) == (1, 25)
    assert body["usage"]["plan"] == "Free"
    assert body["usage"]["alerts"][0]["thresholdPercent"] == 75
    assert "75% of this month" in html and "2 of 4 tasks complete" in html
    assert "Free plan" in html and "1 of 25" in html and "See plans" in html
