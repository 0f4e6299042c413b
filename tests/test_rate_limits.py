"""Rate limits: every limited door answers 429 with ``Retry-After`` in the uniform error body,
counts in storage every process shares, and tells clients apart by the socket peer unless
that peer is a trusted proxy (a forged ``X-Forwarded-For`` changes nothing)."""

from __future__ import annotations

import io

import pytest

from luneo_app import create_app
from luneo_app.auth.apikeys import create_api_key
from luneo_app.core.kv_database import DatabaseStore
from luneo_app.extensions import db
from luneo_app.staff.auth import create_staff, issue_api_token
from tests.ai.helpers import ai_design, brand_with_ai_mug
from tests.conftest import clean_state, make_config
from tests.designs.helpers import brand_with_key, png_bytes
from tests.storefront.helpers import ORIGIN, get_token, storefront_shop
from tests.support.factories import make_brand

SHOP = "acme.myshopify.com"
PASSWORD = "correct horse battery staple"


def _assert_limited(response, *, window: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 429, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "rate_limited"
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= window
    assert error["details"]["retryAfter"] == retry_after
    assert f"{retry_after} s" in error["message"]


def test_embed_tokens_past_the_limit_answer_429_readable_by_the_storefront(app, client):
    storefront_shop(app)
    app.config["RATE_LIMIT_EMBED_TOKEN"] = "2 per minute"

    answers = [get_token(client, SHOP) for _ in range(3)]

    assert [a.status_code for a in answers[:2]] == [200, 200]
    _assert_limited(answers[2], window=60)
    assert answers[2].headers["Access-Control-Allow-Origin"] == ORIGIN
    # a refused origin is answered 403 and does not use up the shop's allowance
    other = get_token(client, SHOP, origin="https://evil.example")
    assert other.status_code == 403


def test_failed_staff_tokens_lock_the_address_even_for_the_right_token(app, client):
    user = create_staff("ops@luneo.test", PASSWORD, role="admin")
    token = issue_api_token(user)
    db.session.commit()
    app.config["RATE_LIMIT_STAFF_SIGN_IN"] = "3 per 15 minutes"
    url = "/v1/admin/ai/costs"
    right = {"Authorization": f"Bearer {token}"}

    assert client.get(url, headers=right).status_code == 200
    assert client.get(url).status_code == 401  # no credentials: not counted as a failure
    wrong = [client.get(url, headers={"Authorization": "Bearer lst_nope"}) for _ in range(3)]
    assert [w.status_code for w in wrong] == [401, 401, 401]

    _assert_limited(client.get(url, headers=right), window=900)
    elsewhere = {"REMOTE_ADDR": "198.51.100.20"}
    assert client.get(url, headers=right, environ_base=elsewhere).status_code == 200


def test_webhook_endpoint_tests_are_limited_per_brand(app, client):
    first, second = make_brand("First"), make_brand("Second")
    keys = [create_api_key(first), create_api_key(second)]
    db.session.commit()
    headers = [{"Authorization": f"Bearer {k.plaintext}"} for k in keys]

    answer = client.get("/v1/webhooks/verify", headers=headers[0])
    again = client.get("/v1/webhooks/verify", headers=headers[0])
    other_brand = client.get("/v1/webhooks/verify", headers=headers[1])

    assert answer.status_code == 409  # no URL set: the test itself ran
    _assert_limited(again, window=5)
    assert other_brand.status_code == 409


def test_wrong_api_keys_lock_the_address_then_even_a_good_key_waits(app, client):
    brand = make_brand()
    good = create_api_key(brand)
    db.session.commit()
    app.config["RATE_LIMIT_BAD_CREDENTIALS"] = "3 per 15 minutes"
    bad = {"Authorization": "Bearer lk_0123456789_not-a-key"}

    codes = [client.get("/v1/webhooks/deliveries", headers=bad).status_code for _ in range(3)]
    assert codes == [401, 401, 401]
    locked = client.get(
        "/v1/webhooks/deliveries", headers={"Authorization": f"Bearer {good.plaintext}"}
    )
    _assert_limited(locked, window=900)


def test_installs_started_past_the_limit_answer_429(app, client):
    app.config["RATE_LIMIT_INSTALL"] = "2 per minute"
    query = {"shop": "acme-mugs.myshopify.com"}

    first = [client.get("/auth/install", query_string=query) for _ in range(2)]
    assert all(r.status_code != 429 for r in first)
    _assert_limited(client.get("/auth/install", query_string=query), window=60)


def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(app, client):
    app.config["RATE_LIMIT_INSTALL"] = "2 per minute"
    query = {"shop": "acme-mugs.myshopify.com"}
    codes = [
        client.get(
            "/auth/install", query_string=query, headers={"X-Forwarded-For": f"192.0.2.{n}"}
        ).status_code
        for n in range(3)
    ]
    assert codes[-1] == 429  # three "clients" are one peer


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_allowance(_schema):
    application = create_app(
        make_config(TRUSTED_PROXIES="10.0.0.0/8", RATE_LIMIT_INSTALL="2 per minute")
    )
    clean_state(application)
    client = application.test_client()
    proxy = {"REMOTE_ADDR": "10.1.2.3"}
    query = {"shop": "acme-mugs.myshopify.com"}

    def start(forwarded: str, peer=proxy):  # type: ignore[no-untyped-def]
        headers = {"X-Forwarded-For": forwarded}
        return client.get("/auth/install", query_string=query, headers=headers, environ_base=peer)

    with application.app_context():
        assert [start("203.0.113.5").status_code for _ in range(2)] != [429, 429]
        assert start("203.0.113.5").status_code == 429
        assert start("203.0.113.6").status_code != 429  # another client behind the balancer
        # a client prepending its own entries: only the hop the proxy added counts
        assert start("198.51.100.1, 203.0.113.5").status_code == 429
        # the same header straight from the internet is not believed
        direct = {"REMOTE_ADDR": "203.0.113.77"}
        assert start("203.0.113.99", peer=direct).status_code != 429
        assert [start("203.0.113.98", peer=direct).status_code for _ in range(2)][-1] == 429
        db.session.remove()


@pytest.mark.parametrize("with_redis", [True, False])
def test_two_app_instances_on_the_same_storage_share_one_allowance(_schema, with_redis):
    overrides: dict[str, object] = {"RATE_LIMIT_INSTALL": "3 per minute"}
    if not with_redis:
        overrides["REDIS_URL"] = None
    apps = [create_app(make_config(**overrides)) for _ in range(2)]
    clean_state(apps[0])
    if not with_redis:
        assert isinstance(apps[0].extensions["luneo.kv"], DatabaseStore)
    query = {"shop": "acme-mugs.myshopify.com"}
    codes = []
    for n in range(4):
        application = apps[n % 2]
        with application.app_context():
            codes.append(
                application.test_client().get("/auth/install", query_string=query).status_code
            )
            db.session.remove()
    assert codes.count(429) == 1 and codes[-1] == 429


def test_photo_uploads_are_limited_per_shop_and_shopper(app, client):
    _brand, headers, _product = brand_with_key(app)
    app.config["RATE_LIMIT_UPLOADS"] = "2 per minute"

    def upload():  # type: ignore[no-untyped-def]
        data = {"file": (io.BytesIO(png_bytes(64, 64)), "photo.png"), "consent": "true"}
        return client.post("/v1/uploads", data=data, headers=headers)

    answers = [upload() for _ in range(3)]
    assert [a.status_code for a in answers[:2]] == [201, 201]
    _assert_limited(answers[2], window=60)


def test_new_ai_artwork_is_limited_per_shop_but_cached_designs_are_not(app, client):
    _brand, headers, product = brand_with_ai_mug(app)
    app.config["OPENAI_API_KEY"] = None  # the procedural generator
    app.config["RATE_LIMIT_AI_GENERATIONS"] = "1 per hour"
    first = ai_design(product.id, "a gold cursive 'Jessica' with small stars")

    assert client.post("/v1/designs", json=first, headers=headers).status_code == 202
    other = ai_design(product.id, "rose gold floral emblem")
    _assert_limited(client.post("/v1/designs", json=other, headers=headers), window=3600)
    assert client.post("/v1/designs", json=first, headers=headers).status_code == 200
