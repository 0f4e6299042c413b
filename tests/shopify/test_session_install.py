"""Admin session tokens, Shopify-managed install by token exchange, uninstall and reinstall."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from luneo_app import create_app
from luneo_app.extensions import db
from luneo_app.models import AuditEvent, Brand, ShopInstall
from luneo_app.shopify.session import issue_demo_session_token
from luneo_app.shopify.tokens import shop_graphql
from tests.conftest import clean_state, make_config
from tests.shopify.helpers import API_KEY, SHOP, install_of, post_webhook
from tests.support.factories import make_shop

WHOAMI = "/test-shopify/api/whoami"
RETRY = "X-Shopify-Retry-Invalid-Session-Request"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_first_admin_request_of_an_unknown_shop_installs_it_by_token_exchange(client, fake_shopify):
    response = client.get(WHOAMI, headers=_bearer(fake_shopify.session_token(SHOP, user="7")))

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    install = install_of()
    assert body == {
        "shop": SHOP,
        "brand": install.brand_id,
        "install": install.id,
        "user": "7",
        "demo": False,
    }
    assert install.token_kind == "expiring"
    assert install.refresh_token_enc and install.access_token_expires_at
    assert db.session.get(Brand, install.brand_id).name == "Acme Mugs"
    assert fake_shopify.count("exchange") == 1

    again = client.get(WHOAMI, headers=_bearer(fake_shopify.session_token(SHOP)))

    assert again.status_code == 200
    assert fake_shopify.count("exchange") == 1  # known shop: no new exchange


def _claims_token(fake, **kwargs):  # type: ignore[no-untyped-def]
    return fake.session_token(SHOP, **kwargs)


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda f: _claims_token(f, ttl=-30), id="expired"),
        pytest.param(
            lambda f: _claims_token(f, nbf=int(datetime.now(UTC).timestamp()) + 60),
            id="not-yet-valid",
        ),
        pytest.param(
            lambda f: _claims_token(f, secret="another-apps-secret-of-32-bytes-or-more"),
            id="bad-signature",
        ),
        pytest.param(lambda f: _claims_token(f, aud="another-app"), id="another-app"),
        pytest.param(lambda f: _claims_token(f, dest="https://evil.com"), id="dest-not-a-shop"),
        pytest.param(
            lambda f: _claims_token(f, iss="https://other.myshopify.com/admin"), id="iss-other-shop"
        ),
        pytest.param(lambda f: "not.a.jwt", id="garbage"),
        pytest.param(lambda f: issue_demo_session_token_outside_demo(), id="demo-token"),
    ],
)
def test_a_bad_session_token_on_a_fetch_is_refused_with_the_retry_header(
    client, fake_shopify, make_token
):
    response = client.get(WHOAMI, headers=_bearer(make_token(fake_shopify)))

    assert response.status_code == 401
    assert response.headers[RETRY] == "1"
    assert response.get_json()["error"]["code"] == "invalid_session_token"
    assert db.session.query(ShopInstall).count() == 0
    assert fake_shopify.count("exchange") == 0


def issue_demo_session_token_outside_demo() -> str:
    """A demo token as a demo deployment would mint it (same SECRET_KEY)."""
    demo = create_app(make_config(DEMO_MODE=True, SHOPIFY_API_SECRET=None))
    with demo.app_context():
        return issue_demo_session_token()


def test_a_fetch_without_a_token_is_refused(client):
    response = client.get(WHOAMI, headers={"Authorization": "Basic abc"})

    assert response.status_code == 401
    assert response.headers[RETRY] == "1"


def test_a_document_load_with_an_id_token_gets_the_frame_ancestors_header(client, fake_shopify):
    token = fake_shopify.session_token(SHOP)

    response = client.get("/test-shopify/page", query_string={"shop": SHOP, "id_token": token})

    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == (
        f"frame-ancestors https://{SHOP} https://admin.shopify.com;"
    )


def test_a_document_load_without_a_token_bounces_to_the_session_token_page(client):
    response = client.get("/test-shopify/page", query_string={"shop": SHOP, "host": "abc"})

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/session-token"
    query = parse_qs(location.query)
    assert query["shop"] == [SHOP]
    assert query["shopify-reload"] == [f"/test-shopify/page?shop={SHOP}&host=abc"]

    page = client.get(response.headers["Location"])

    assert page.status_code == 200
    assert f'data-api-key="{API_KEY}"' in page.get_data(as_text=True)
    assert "app-bridge.js" in page.get_data(as_text=True)


def test_a_document_load_for_another_shop_than_its_token_bounces(client, fake_shopify):
    token = fake_shopify.session_token(SHOP)

    response = client.get(
        "/test-shopify/page", query_string={"shop": "other.myshopify.com", "id_token": token}
    )

    assert response.status_code == 302
    assert db.session.query(ShopInstall).count() == 0


def test_demo_session_tokens_work_only_in_demo_mode(_schema, fake_shopify, build_app):
    demo_app = build_app(make_config(DEMO_MODE=True, SHOPIFY_API_SECRET=None))
    clean_state(demo_app)
    from tests.shopify.conftest import _add_whoami

    _add_whoami(demo_app)
    with demo_app.app_context():
        make_shop(demo_app.config["DEMO_SHOP_DOMAIN"], token_kind="demo")  # as seed-demo does
        token = issue_demo_session_token()
        demo_client = demo_app.test_client()

        response = demo_client.get(WHOAMI, headers=_bearer(token))

        assert response.status_code == 200, response.get_json()
        assert response.get_json()["shop"] == demo_app.config["DEMO_SHOP_DOMAIN"]
        assert response.get_json()["demo"] is True
        page = demo_client.get("/test-shopify/page")
        assert page.status_code == 302 and "id_token=" in page.headers["Location"]
        assert demo_client.get(page.headers["Location"]).status_code == 200


def test_uninstall_then_reinstall_gives_a_working_install_with_a_new_token(
    app, client, fake_shopify
):
    assert client.get(WHOAMI, headers=_bearer(fake_shopify.session_token(SHOP))).status_code == 200
    first = install_of()
    keyring = app.extensions["luneo.keyring"]
    old_token = keyring.decrypt(first.access_token_enc)
    brand_id = first.brand_id

    fake_shopify.uninstall(SHOP)
    response = post_webhook(
        client, "app/uninstalled", {"id": fake_shopify.shop_id(SHOP), "domain": SHOP}
    )

    assert response.status_code == 200
    gone = install_of()
    assert gone.uninstalled_at is not None
    assert (gone.access_token_enc, gone.refresh_token_enc, gone.token_kind) == (None, None, None)
    assert db.session.get(Brand, brand_id).status == "uninstalled"

    again = client.get(WHOAMI, headers=_bearer(fake_shopify.session_token(SHOP)))

    assert again.status_code == 200
    back = install_of()
    new_token = keyring.decrypt(back.access_token_enc)
    assert new_token != old_token
    assert back.uninstalled_at is None and back.brand_id == brand_id
    assert db.session.get(Brand, brand_id).status == "active"
    assert fake_shopify.count("exchange") == 2
    assert shop_graphql(SHOP, "{ shop { name } }")["shop"]["name"] == "Acme Mugs"
    actions = [
        a.action
        for a in db.session.query(AuditEvent)
        .filter_by(brand_id=brand_id)
        .order_by(AuditEvent.created_at)
    ]
    assert actions == [
        "shop.installed",
        "shop.cart_transform_created",
        "shop.uninstalled",
        "shop.reinstalled",
        "shop.cart_transform_created",  # Shopify dropped it at the uninstall
    ]


def test_an_uninstall_delivered_after_a_reinstall_does_not_destroy_the_new_token(
    client, fake_shopify
):
    before_install = datetime.now(UTC) - timedelta(seconds=5)
    assert client.get(WHOAMI, headers=_bearer(fake_shopify.session_token(SHOP))).status_code == 200

    response = post_webhook(
        client,
        "app/uninstalled",
        {"id": fake_shopify.shop_id(SHOP), "domain": SHOP},
        triggered_at=before_install,
    )

    assert response.status_code == 200
    install = install_of()
    assert install.uninstalled_at is None and install.access_token_enc is not None
    from luneo_app.models import WebhookEvent

    event = db.session.query(WebhookEvent).one()
    assert event.status == "processed"
    assert event.note.startswith("stale")


def test_a_legacy_token_is_cycled_to_an_expiring_one_when_the_merchant_opens_the_app(
    app, client, fake_shopify
):
    from tests.shopify.helpers import seed_install

    seed_install(app, fake_shopify, expiring=False)

    response = client.get(WHOAMI, headers=_bearer(fake_shopify.session_token(SHOP)))

    assert response.status_code == 200
    assert install_of().token_kind == "expiring"
    assert fake_shopify.count("exchange") == 1


def test_shopify_refusing_the_exchange_answers_401_and_installs_nothing(client, fake_shopify):
    fake_shopify.fail_next(
        "exchange", 400, {"error": "invalid_subject_token", "error_description": "bad"}
    )

    response = client.get(WHOAMI, headers=_bearer(fake_shopify.session_token(SHOP)))

    assert response.status_code == 401
    assert response.headers[RETRY] == "1"
    assert db.session.query(Brand).count() == 0


def test_shopify_down_during_the_exchange_answers_503_and_installs_nothing(client, fake_shopify):
    fake_shopify.fail_next("exchange", 503, "<html>Service Unavailable</html>")

    response = client.get(WHOAMI, headers=_bearer(fake_shopify.session_token(SHOP)))

    assert response.status_code == 503
    assert db.session.query(Brand).count() == 0
