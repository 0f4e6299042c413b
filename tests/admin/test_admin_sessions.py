"""Session tokens on the embedded admin: who gets in, what they see, and the frame headers."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from luneo_app import create_app
from luneo_app.config import Config
from luneo_app.extensions import db
from luneo_app.models import Product
from tests.admin.helpers import RETRY, SHOP_A, SHOP_B, bearer, design_for, mug, order_for
from tests.shopify.helpers import API_KEY, seed_install

PAGES = ["/admin", "/admin/products", "/admin/designs", "/admin/orders", "/admin/settings"]


@pytest.fixture()
def two_shops(app, fake_shopify):  # type: ignore[no-untyped-def]
    """Shops A and B; A has a product, a design, an order and settings of its own."""
    fake_shopify.on_graphql(
        "LuneoProducts",
        lambda shop, v, b: {
            "data": {
                "products": {
                    "nodes": [],
                    "pageInfo": {"hasNextPage": False, "hasPreviousPage": False},
                }
            }
        },
    )
    brand_a, _, _ = seed_install(app, fake_shopify, SHOP_A)
    brand_b, _, _ = seed_install(app, fake_shopify, SHOP_B)
    product = mug(app, brand_a, title="Acme Secret Mug")
    design = design_for(brand_a, product, order=True)
    order_for(brand_a, [design], name="#ACME-1001")
    brand_a.webhook_url = "https://acme.example/hooks"
    brand_a.settings = {**(brand_a.settings or {}), "denylist": ["acmesecretword"]}
    db.session.commit()
    return {"a": brand_a, "b": brand_b, "product": product, "design": design}


HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _page(client, path, token, shop):  # type: ignore[no-untyped-def]
    """A document load, as the Shopify admin's iframe makes it."""
    return client.get(path, query_string={"shop": shop, "id_token": token}, headers=HTML)


def test_a_page_with_shop_a_token_renders_and_shop_b_token_never_shows_a_data(
    client, fake_shopify, two_shops
):
    a_secrets = [two_shops["design"].id, "#ACME-1001", "acme.example", "acmesecretword"]
    for path in PAGES:
        as_a = _page(client, path, fake_shopify.session_token(SHOP_A), SHOP_A)
        as_b = _page(client, path, fake_shopify.session_token(SHOP_B), SHOP_B)

        assert as_a.status_code == 200, (path, as_a.get_data(as_text=True)[:500])
        assert as_b.status_code == 200, path
        body_b = as_b.get_data(as_text=True)
        assert not [s for s in a_secrets if s in body_b], path
        assert SHOP_B in body_b and SHOP_A not in body_b, path
        if path in ("/admin/designs", "/admin/orders", "/admin/settings"):
            body_a = as_a.get_data(as_text=True)
            assert [s for s in a_secrets if s in body_a], path  # A really sees A's data


def test_shop_b_cannot_open_shop_a_design_or_template_by_id(client, fake_shopify, two_shops):
    token_b = fake_shopify.session_token(SHOP_B)
    design_id, product_id = two_shops["design"].id, two_shops["product"].id

    pages = [
        _page(client, f"/admin/designs/{design_id}", token_b, SHOP_B),
        _page(client, f"/admin/products/{product_id}/template", token_b, SHOP_B),
    ]
    apis = [
        client.get(f"/admin/api/designs/{design_id}", headers=bearer(token_b)),
        client.get(f"/admin/api/products/{product_id}/template", headers=bearer(token_b)),
        client.put(
            f"/admin/api/products/{product_id}/template",
            json={"template": {"printAreas": []}},
            headers=bearer(token_b),
        ),
    ]

    assert [p.status_code for p in pages] == [404, 404]
    assert [a.status_code for a in apis] == [404, 404, 404]
    assert "Acme Secret Mug" not in "".join(p.get_data(as_text=True) for p in pages)
    db.session.expire_all()
    assert db.session.get(Product, product_id).template.get("printAreas")  # untouched


def test_admin_api_lists_only_the_token_shops_designs_and_orders(client, fake_shopify, two_shops):
    token_a, token_b = fake_shopify.session_token(SHOP_A), fake_shopify.session_token(SHOP_B)

    designs_a = client.get("/admin/api/designs", headers=bearer(token_a)).get_json()
    designs_b = client.get("/admin/api/designs", headers=bearer(token_b)).get_json()
    orders_b = client.get("/admin/api/orders", headers=bearer(token_b)).get_json()

    assert [d["designId"] for d in designs_a["designs"]] == [two_shops["design"].id]
    assert designs_b["designs"] == [] and orders_b["orders"] == []


def _token(fake, **kwargs):  # type: ignore[no-untyped-def]
    return fake.session_token(SHOP_A, **kwargs)


BAD_TOKENS = {
    "expired": lambda f: _token(f, ttl=-30),
    "wrong audience": lambda f: _token(f, aud="another-app"),
    "wrongly signed": lambda f: _token(f, secret="not-the-app-secret-0123456789abcdef"),
    "another shop as dest": lambda f: _token(f, dest="https://bolt-rings.myshopify.com"),
}


def test_a_bad_token_on_a_page_bounces_to_app_bridge_for_a_fresh_one(
    client, fake_shopify, two_shops
):
    for name, make_token in BAD_TOKENS.items():
        response = client.get(
            "/admin/designs", query_string={"shop": SHOP_A, "id_token": make_token(fake_shopify)}
        )

        assert response.status_code == 302, name
        location = urlsplit(response.headers["Location"])
        assert location.path == "/auth/session-token", name
        reload_to = parse_qs(location.query)["shopify-reload"][0]
        assert reload_to == f"/admin/designs?shop={SHOP_A}", name
        assert two_shops["design"].id not in response.get_data(as_text=True)
    bounce = client.get(response.headers["Location"])
    assert bounce.status_code == 200
    assert f'data-api-key="{API_KEY}"' in bounce.get_data(as_text=True)


def test_a_bad_token_on_the_api_is_401_with_the_retry_header(client, fake_shopify, two_shops):
    for name, make_token in BAD_TOKENS.items():
        response = client.get("/admin/api/designs", headers=bearer(make_token(fake_shopify)))

        assert response.status_code == 401, name
        assert response.headers[RETRY] == "1", name
        assert response.get_json()["error"]["code"] == "invalid_session_token", name


def test_the_token_is_checked_with_a_ten_second_leeway(client, fake_shopify, two_shops):
    now = int(time.time())
    just_expired = _token(fake_shopify, exp=now - 5)
    long_expired = _token(fake_shopify, exp=now - 20)
    not_yet = _token(fake_shopify, nbf=now + 5)

    assert client.get("/admin/api/designs", headers=bearer(just_expired)).status_code == 200
    assert client.get("/admin/api/designs", headers=bearer(not_yet)).status_code == 200
    assert client.get("/admin/api/designs", headers=bearer(long_expired)).status_code == 401


def test_an_api_call_without_a_bearer_token_is_401_even_with_an_id_token_in_the_url(
    client, fake_shopify, two_shops
):
    token = fake_shopify.session_token(SHOP_A)

    response = client.get("/admin/api/designs", query_string={"id_token": token, "shop": SHOP_A})

    assert response.status_code == 401
    assert response.headers[RETRY] == "1"


def test_a_page_without_a_shop_or_token_asks_to_open_luneo_from_shopify(client):
    response = client.get("/admin/orders", headers=HTML)

    assert response.status_code == 401
    assert "Open Luneo from your Shopify admin" in response.get_data(as_text=True)
    assert (
        response.headers["Content-Security-Policy"] == "frame-ancestors https://admin.shopify.com;"
    )


def test_the_csp_header_names_exactly_the_requesting_shop(client, fake_shopify, two_shops):
    for path in [*PAGES, "/admin/designs/des_unknown"]:
        for shop in (SHOP_A, SHOP_B):
            response = _page(client, path, fake_shopify.session_token(shop), shop)

            assert response.mimetype == "text/html", path
            assert response.headers["Content-Security-Policy"] == (
                f"frame-ancestors https://{shop} https://admin.shopify.com;"
            ), path
            assert response.headers["Cache-Control"] == "no-store", path


def test_pages_load_app_bridge_first_with_the_api_key(client, fake_shopify, two_shops):
    response = _page(client, "/admin", fake_shopify.session_token(SHOP_A), SHOP_A)
    html = response.get_data(as_text=True)

    head = html[: html.index("</head>")]
    assert f'<meta name="shopify-api-key" content="{API_KEY}">' in head
    first_script = head[head.index("<script") :].split(">", 1)[0]
    assert first_script == '<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"'
    assert "/auth/demo-session-token" not in html
    link = response.headers["Link"]  # App Bridge preloaded; Polaris (unused) is not
    assert 'app-bridge.js>; rel="preload"' in link and "polaris" not in link


def test_demo_tokens_and_the_demo_token_endpoint_do_not_exist_with_shopify_configured(
    app, client, fake_shopify, two_shops
):
    demo_token = jwt.encode(
        {
            "iss": f"https://{SHOP_A}/admin",
            "dest": f"https://{SHOP_A}",
            "aud": "luneo-demo",
            "exp": int(time.time()) + 60,
            "nbf": int(time.time()),
        },
        "a-demo-deployment-secret-of-32-bytes-or-more",
        algorithm="HS256",
    )

    assert client.get("/auth/demo-session-token").status_code == 404
    assert client.get("/admin/api/designs", headers=bearer(demo_token)).status_code == 401


def test_demo_mode_is_off_whenever_shopify_credentials_are_configured():
    forced = Config(
        {"LUNEO_DEMO_MODE": "1", "SHOPIFY_API_KEY": "key", "SHOPIFY_API_SECRET": "secret"}
    )
    default = Config({})

    assert forced.DEMO_MODE is False
    assert default.DEMO_MODE is True


def test_the_demo_admin_opens_in_a_plain_tab_with_a_locally_signed_token(demo_client, demo_app):
    first = demo_client.get("/admin")

    assert first.status_code == 302
    query = parse_qs(urlsplit(first.headers["Location"]).query)
    assert query["shop"] == [demo_app.config["DEMO_SHOP_DOMAIN"]]
    page = demo_client.get(first.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Setup guide" in html and "/auth/demo-session-token" in html
    assert 'app-bridge.js" async' in html  # never holds up the page outside Shopify
    fresh = demo_client.get("/auth/demo-session-token").get_json()["token"]
    assert demo_client.get("/admin/api/home", headers=bearer(fresh)).status_code == 200


def test_demo_mode_cannot_be_switched_on_by_settings_when_the_app_has_credentials(_schema):
    cfg = Config(
        {
            "LUNEO_DEMO_MODE": "1",
            "SHOPIFY_API_KEY": "key",
            "SHOPIFY_API_SECRET": "secret",
            "SECRET_KEY": "s",
            "LUNEO_ENCRYPTION_KEY": "test:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            "DATABASE_URL": "sqlite://",
            "SCHEDULE_IN_PROCESS": "0",
        }
    )
    app = create_app(cfg)

    assert app.test_client().get("/auth/demo-session-token").status_code == 404
