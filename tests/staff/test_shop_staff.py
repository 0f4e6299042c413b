"""The install page's Shopify staff: the list when Shopify gives it, else the shop owner with
the reason, masked until the audited reveal; an outage is said, not a 500."""

from __future__ import annotations

from luneo_app.extensions import db
from tests.shopify.helpers import SHOP, seed_install
from tests.staff.helpers import form_token, make_staff, sign_in

ADMIN = "ada@luneo.example"
MEMBERS = [
    {
        "id": "gid://shopify/StaffMember/1",
        "name": "Jessica Owner",
        "email": "jessica@acme.example",
        "accountType": "REGULAR",
        "active": True,
        "isShopOwner": True,
    },
    {
        "id": "gid://shopify/StaffMember/2",
        "name": "Marc Helper",
        "email": "marc@acme.example",
        "accountType": "COLLABORATOR",
        "active": False,
        "isShopOwner": False,
    },
]


def _page(client, brand_id: str) -> str:  # type: ignore[no-untyped-def]
    answer = client.get(f"/support/brands/{brand_id}?shop_staff=1")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _signed_in(app, client, fake):  # type: ignore[no-untyped-def]
    brand, install, _grant = seed_install(app, fake)
    sign_in(client, ADMIN, make_staff(ADMIN, "admin"))
    return brand, install


def test_without_read_users_the_owner_is_shown_with_why_and_masked(app, client, fake_shopify):
    brand, _install = _signed_in(app, client, fake_shopify)
    fake_shopify.shop_owners[SHOP] = ("Jessica Owner", "jessica@acme.example")
    before = fake_shopify.count("graphql")
    plain = client.get(f"/support/brands/{brand.id}").get_data(as_text=True)
    assert "Load from Shopify" in plain and fake_shopify.count("graphql") == before

    page = _page(client, brand.id)

    assert "read_users scope" in page and "The shop owner" in page
    assert "J••• O•••" in page and "j•••@a•••.example" in page
    assert "Jessica Owner" not in page and "jessica@acme.example" not in page
    token = form_token(client, f"/support/brands/{brand.id}")
    client.post(
        f"/support/brands/{brand.id}/reveal",
        data={"reason": "merchant asked who owns the shop", "csrf_token": token},
    )
    page = _page(client, brand.id)
    assert "Jessica Owner" in page and "jessica@acme.example" in page


def test_with_read_users_the_staff_list_is_shown(app, client, fake_shopify):
    brand, install = _signed_in(app, client, fake_shopify)
    install.scopes = install.scopes + ",read_users"
    db.session.commit()
    fake_shopify.staff_members[SHOP] = MEMBERS
    token = form_token(client, f"/support/brands/{brand.id}")
    client.post(
        f"/support/brands/{brand.id}/reveal",
        data={"reason": "checking the shop's staff", "csrf_token": token},
    )

    page = _page(client, brand.id)

    assert "Jessica Owner" in page and "Marc Helper" in page
    assert "collaborator" in page and "Inactive" in page and "Owner</span>" in page
    assert "read_users scope" not in page


def test_a_shop_below_plus_answers_access_denied_and_the_owner_is_shown(app, client, fake_shopify):
    brand, install = _signed_in(app, client, fake_shopify)
    install.scopes = install.scopes + ",read_users"
    db.session.commit()  # no staff_members entry: the fake answers ACCESS_DENIED

    page = _page(client, brand.id)

    assert "ACCESS_DENIED" in page and "Shopify Plus or Advanced" in page
    assert 'id="shop-staff-list"' in page and "S••• O•••" in page


def test_a_shopify_outage_is_said_on_the_page(app, client, fake_shopify):
    brand, _install = _signed_in(app, client, fake_shopify)
    fake_shopify.fail_next("graphql", 503, {"errors": "Service unavailable"}, times=5)

    page = _page(client, brand.id)

    assert "Shopify did not answer" in page and 'id="scopes"' in page


def test_a_refused_action_shows_the_install_page_with_the_staff_card_unloaded(
    app, client, fake_shopify
):
    brand, _install = _signed_in(app, client, fake_shopify)
    token = form_token(client, f"/support/brands/{brand.id}")

    refused = client.post(
        f"/support/brands/{brand.id}/raise-budget",
        data={"amount": "abc", "reason": "merchant asked", "csrf_token": token},
    )

    assert refused.status_code == 422
    assert "Load from Shopify" in refused.get_data(as_text=True)
