"""Installs started outside the admin: /auth/install and /auth/callback."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from luneo_app.extensions import db
from luneo_app.models import AuditEvent, Brand, ShopInstall
from tests.shopify.helpers import API_KEY, SHOP, callback_params, signed_callback_query


def _start(client, shop: str = SHOP) -> str:  # type: ignore[no-untyped-def]
    response = client.get("/auth/install", query_string={"shop": shop})
    assert response.status_code == 302, response.get_json()
    return parse_qs(urlsplit(response.headers["Location"]).query)["state"][0]


def _nothing_written() -> None:
    db.session.expire_all()
    assert db.session.query(Brand).count() == 0
    assert db.session.query(ShopInstall).count() == 0


def test_install_redirects_to_shopify_with_scopes_from_the_toml_and_a_state(client, fake_shopify):
    response = client.get("/auth/install", query_string={"shop": "Acme-Mugs.myshopify.com/"})

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}" == fake_shopify.origin
    assert location.path == "/admin/oauth/authorize"
    query = parse_qs(location.query)
    assert query["client_id"] == [API_KEY]
    assert query["scope"] == [
        "read_products,read_orders,write_orders,read_themes,write_cart_transforms"
    ]
    assert query["redirect_uri"][0].endswith("/auth/callback")
    assert len(query["state"][0]) >= 32
    assert "luneo_oauth_state=" + query["state"][0] in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("shop", ["evil.com", "x.myshopify.com.evil.com", "", "a/b.myshopify.com"])
def test_install_refuses_a_shop_that_is_not_a_myshopify_domain(client, shop):
    response = client.get("/auth/install", query_string={"shop": shop})

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_shop"
    assert "Set-Cookie" not in response.headers


def test_callback_signed_exactly_as_shopify_signs_it_installs_the_shop(client, fake_shopify):
    state = _start(client)
    query = signed_callback_query(callback_params(SHOP, state, fake_shopify.issue_code(SHOP)))

    response = client.get("/auth/callback", query_string=query)

    assert response.status_code == 302, response.get_json()
    assert response.headers["Location"] == f"{fake_shopify.origin}/admin/apps/{API_KEY}"
    install = db.session.query(ShopInstall).filter_by(shop_domain=SHOP).one()
    assert install.token_kind == "expiring"
    assert install.uninstalled_at is None
    assert (
        install.scopes == "read_products,read_orders,write_orders,read_themes,write_cart_transforms"
    )
    brand = db.session.get(Brand, install.brand_id)
    assert (brand.kind, brand.name, brand.currency) == ("shopify", "Acme Mugs", "EUR")
    keyring = client.application.extensions["luneo.keyring"]
    assert fake_shopify.token_is_valid(SHOP, keyring.decrypt(install.access_token_enc))
    assert fake_shopify.count("code") == 1
    actions = [a.action for a in db.session.query(AuditEvent).filter_by(brand_id=brand.id)]
    assert actions == ["shop.installed", "shop.cart_transform_created"]
    # Luneo's Cart Transform was created through the Admin API, and the theme block is told.
    assert install.cart_transform_id == fake_shopify.cart_transforms[SHOP][0]["id"]
    assert fake_shopify.cart_transforms[SHOP][0]["functionId"] == "fn-luneo-fee-transform"
    assert fake_shopify.app_metafields[(SHOP, "luneo", "fee_mode")] == "transform"


def _signed(fake_shopify, state: str, **changes: object) -> dict[str, str]:
    params = callback_params(SHOP, state, fake_shopify.issue_code(SHOP))
    params.update({k: str(v) for k, v in changes.items()})
    return signed_callback_query(params)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda q, f: {**q, "hmac": "0" * 64}, id="forged-hmac"),
        pytest.param(lambda q, f: {**q, "code": "attacker-code"}, id="code-changed-after-signing"),
        pytest.param(lambda q, f: {k: v for k, v in q.items() if k != "hmac"}, id="no-hmac"),
        pytest.param(
            lambda q, f: signed_callback_query(
                {**{k: v for k, v in q.items() if k != "hmac"}, "state": "unknown-state"}
            ),
            id="unknown-state",
        ),
        pytest.param(
            lambda q, f: signed_callback_query(
                {**{k: v for k, v in q.items() if k != "hmac"}, "timestamp": int(time.time()) - 600}
            ),
            id="old-timestamp",
        ),
        pytest.param(
            lambda q, f: signed_callback_query(
                {**{k: v for k, v in q.items() if k != "hmac"}, "shop": "evil.com"}
            ),
            id="shop-evil.com",
        ),
        pytest.param(
            lambda q, f: signed_callback_query(
                {
                    **{k: v for k, v in q.items() if k != "hmac"},
                    "shop": "x.myshopify.com.evil.com",
                }
            ),
            id="shop-suffix-trick",
        ),
        pytest.param(
            lambda q, f: signed_callback_query(
                {**{k: v for k, v in q.items() if k != "hmac"}, "shop": "other.myshopify.com"}
            ),
            id="state-issued-for-another-shop",
        ),
        pytest.param(
            lambda q, f: signed_callback_query(
                {k: v for k, v in q.items() if k != "hmac"}, secret="another-apps-secret"
            ),
            id="signed-by-another-app",
        ),
    ],
)
def test_a_tampered_callback_is_refused_and_nothing_is_written(client, fake_shopify, tamper):
    state = _start(client)
    query = tamper(_signed(fake_shopify, state), fake_shopify)

    response = client.get("/auth/callback", query_string=query)

    assert 400 <= response.status_code < 500
    assert response.get_json()["error"]["code"] in {
        "invalid_hmac",
        "invalid_state",
        "stale_callback",
        "invalid_shop",
    }
    _nothing_written()
    assert fake_shopify.count("code") == 0


def test_a_replayed_callback_is_refused(client, fake_shopify):
    state = _start(client)
    query = _signed(fake_shopify, state)
    assert client.get("/auth/callback", query_string=query).status_code == 302

    replay = client.get("/auth/callback", query_string=query)

    assert replay.status_code == 403
    assert replay.get_json()["error"]["code"] == "invalid_state"
    assert fake_shopify.count("code") == 1
    assert db.session.query(ShopInstall).count() == 1


def test_a_callback_from_another_browser_than_the_one_that_started_is_refused(
    app, client, fake_shopify
):
    state = _start(client)
    query = _signed(fake_shopify, state)

    response = app.test_client().get("/auth/callback", query_string=query)  # no state cookie

    assert response.status_code == 403
    _nothing_written()


def test_a_code_shopify_refuses_installs_nothing(client, fake_shopify):
    state = _start(client)
    params = callback_params(SHOP, state, "a-code-shopify-never-issued")

    response = client.get("/auth/callback", query_string=signed_callback_query(params))

    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == {"reason": "invalid_request"}
    _nothing_written()


def test_a_shop_where_the_transform_cannot_be_made_installs_and_keeps_fee_units(
    client, fake_shopify
):
    fake_shopify.deployed_functions.clear()  # the function is not deployed (yet)
    state = _start(client)
    query = signed_callback_query(callback_params(SHOP, state, fake_shopify.issue_code(SHOP)))

    assert client.get("/auth/callback", query_string=query).status_code == 302

    install = db.session.query(ShopInstall).filter_by(shop_domain=SHOP).one()
    assert install.uninstalled_at is None and install.cart_transform_id is None
    assert (SHOP, "luneo", "fee_mode") not in fake_shopify.app_metafields
