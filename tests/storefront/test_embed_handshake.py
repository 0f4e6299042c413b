"""``/embed/token`` and ``/embed/validate``: who gets a token, and the one-time nonce."""

from __future__ import annotations

import time

import jwt
import pytest

from luneo_app.core.clock import utcnow
from luneo_app.embed import tokens
from luneo_app.extensions import db
from tests.storefront.helpers import ORIGIN, get_token, storefront_shop, validate

SHOP = "acme.myshopify.com"


def test_installed_shop_gets_a_five_minute_token_bound_to_shop_and_origin(app, client):
    brand, _, _ = storefront_shop(app)
    answer = get_token(client, SHOP)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["expiresIn"] == 300 and len(body["nonce"]) >= 32
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["shop"] == SHOP and claims["origin"] == ORIGIN and claims["brand"] == brand.id
    assert claims["exp"] - claims["iat"] == 300 and claims["jti"]
    assert claims["scope"].split() == ["designs:read", "designs:write", "uploads:write"]
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert answer.headers["Cache-Control"] == "no-store"


def test_each_token_has_its_own_jti_and_nonce(app, client):
    storefront_shop(app)
    first, second = get_token(client, SHOP).get_json(), get_token(client, SHOP).get_json()
    assert first["nonce"] != second["nonce"]
    unverified = {"verify_signature": False}
    jtis = {jwt.decode(b["token"], options=unverified)["jti"] for b in (first, second)}
    assert len(jtis) == 2


def test_token_for_an_uninstalled_shop_is_refused(app, client):
    _, install, _ = storefront_shop(app)
    install.uninstalled_at = utcnow()
    db.session.commit()
    answer = get_token(client, SHOP)
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "shop_not_active"
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_token_for_an_unknown_shop_is_refused_like_an_uninstalled_one(app, client):
    answer = get_token(client, "nobody.myshopify.com")
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "shop_not_active"


def test_token_for_a_suspended_brand_is_refused(app, client):
    brand, _, _ = storefront_shop(app)
    brand.status = "suspended"
    db.session.commit()
    assert get_token(client, SHOP).status_code == 403


def test_token_for_a_foreign_origin_is_refused_without_cors(app, client):
    storefront_shop(app)
    answer = get_token(client, SHOP, origin="https://evil.example")
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_origin_parameter_must_match_the_calling_page(app, client):
    storefront_shop(app)
    # A foreign page asking for a token "for" the shop's origin is caught by its Origin header.
    answer = get_token(client, SHOP, origin=ORIGIN, header_origin="https://evil.example")
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "origin_mismatch"


def test_the_myshopify_domain_is_always_one_of_the_shops_origins(app, client):
    storefront_shop(app, origins=())
    answer = get_token(client, SHOP, origin=f"https://{SHOP}")
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == f"https://{SHOP}"


@pytest.mark.parametrize(
    ("shop", "origin", "field"),
    [
        ("acme.example.com", ORIGIN, "shop"),
        ("", ORIGIN, "shop"),
        (SHOP, "https://acme-mugs.example/products/x", "origin"),
        (SHOP, "javascript:alert(1)", "origin"),
        (SHOP, "", "origin"),
    ],
)
def test_malformed_shop_or_origin_is_a_clear_validation_error(app, client, shop, origin, field):
    storefront_shop(app)
    answer = client.get("/embed/token", query_string={"shop": shop, "origin": origin})
    assert answer.status_code == 422
    assert field in answer.get_json()["error"]["details"]


def test_a_nonce_works_once(app, client):
    storefront_shop(app)
    body = get_token(client, SHOP).get_json()
    first = validate(client, SHOP, body["token"], body["nonce"])
    assert first.status_code == 200, first.get_json()
    assert 0 < first.get_json()["expiresIn"] <= 300
    assert first.headers["Access-Control-Allow-Origin"] == ORIGIN
    again = validate(client, SHOP, body["token"], body["nonce"])
    assert again.status_code == 401
    assert again.get_json()["error"]["code"] == "invalid_nonce"


def test_a_nonce_issued_with_another_token_is_refused_and_burnt(app, client):
    storefront_shop(app)
    one, two = get_token(client, SHOP).get_json(), get_token(client, SHOP).get_json()
    crossed = validate(client, SHOP, one["token"], two["nonce"])
    assert crossed.status_code == 401
    # The crossed nonce is gone even for its own token: a guess costs the attacker the nonce.
    assert validate(client, SHOP, two["token"], two["nonce"]).status_code == 401
    assert validate(client, SHOP, one["token"], one["nonce"]).status_code == 200


def test_validate_from_a_foreign_origin_is_refused(app, client):
    storefront_shop(app)
    body = get_token(client, SHOP).get_json()
    answer = validate(client, SHOP, body["token"], body["nonce"], origin="https://evil.example")
    assert answer.status_code == 403
    assert "Access-Control-Allow-Origin" not in answer.headers
    # The nonce was not consumed by the refused call.
    assert validate(client, SHOP, body["token"], body["nonce"]).status_code == 200


def test_validate_preflight_answers_only_the_shops_origins(app, client):
    storefront_shop(app)
    ok = client.options("/embed/validate", query_string={"shop": SHOP}, headers={"Origin": ORIGIN})
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in ok.headers["Access-Control-Allow-Methods"]
    bad = client.options(
        "/embed/validate", query_string={"shop": SHOP}, headers={"Origin": "https://evil.example"}
    )
    assert bad.status_code == 403 and "Access-Control-Allow-Origin" not in bad.headers


def test_a_token_of_shop_a_cannot_be_validated_as_shop_b(app, client):
    storefront_shop(app)
    storefront_shop(app, domain="other.myshopify.com", origins=(ORIGIN,))
    body = get_token(client, SHOP).get_json()
    answer = validate(client, "other.myshopify.com", body["token"], body["nonce"])
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "invalid_embed_token"


def test_an_expired_token_is_refused_at_validation(app, client, monkeypatch):
    storefront_shop(app)
    real = time.time
    monkeypatch.setattr(tokens.time, "time", lambda: real() - 400)
    body = get_token(client, SHOP).get_json()
    monkeypatch.setattr(tokens.time, "time", real)
    answer = validate(client, SHOP, body["token"], body["nonce"])
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "embed_token_expired"


def test_a_forged_token_is_refused(app, client):
    storefront_shop(app)
    body = get_token(client, SHOP).get_json()
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    forged = jwt.encode(
        claims, "not-the-key-" * 4, algorithm="HS256", headers={"kid": tokens.KEY_ID}
    )
    answer = validate(client, SHOP, forged, body["nonce"])
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "invalid_embed_token"


def test_token_requests_are_rate_limited_per_shop_and_client(app, client):
    storefront_shop(app)
    app.config["RATE_LIMIT_EMBED_TOKEN"] = "2 per minute"
    answers = [get_token(client, SHOP) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(answers[2].headers["Retry-After"]) <= 60
